"""Start-up: process start -> first painted dashboard (demo profiles), vs a bare PySide6 window;
and the peak memory of the same runs.

A script, not a test:  .venv/bin/python benchmarks/bench_startup.py [runs]   (default 7, min 5)

Measures, side by side in one run (interleaved rounds, one warm-up each, median):
  bare           python bare_window.py            (QApplication + QMainWindow, quit after first paint)
  source         python -m gui --exit-after-paint (the real start-up path, data folder with the demo profiles)
  frozen         dist/CertPath/CertPath ...       (when `./dev bundle` has been run)
  bare (frozen)  the same bare window frozen by build.spec with HELLO=1 (the same PyInstaller
                 trimming as the frozen app; built once into build/bench-hello, see benchlib.frozen_bare),
                 measured whenever the frozen app is
The frozen app's ratios are printed against both floors: the frozen bare window (like for like:
both pay PyInstaller's bootloader and archive importer) and the source bare window (the figure
earlier rounds reported).
Each child process gives, at once: the time to the stamp it prints at its first paint, the peak
RSS up to that paint (Linux VmHWM, read by the child in the paint) and its CPU time so far, and the time to its exit and
its whole peak RSS and CPU time (os.wait4's rusage: what runs just after the paint, such as
attaching the extensions, and the tear-down, included). On a shared machine the CPU times move
much less than the wall-clock times when other work competes for the cores.
Targets: time to first paint <= 2.0x bare; peak RSS after the first paint <= 1.5x bare.
Then `python -X importtime` of the source start-up: what each import costs.
With CERTPATH_BENCH_BEFORE=DIR (a checkout of an older commit, e.g. `git archive C | tar -x -C DIR`)
that checkout's source start-up is measured in the same rounds, as "before (source)".
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    FROZEN,
    ROOT,
    app_cmd,
    bare_script,
    demo_data_dir,
    env,
    frozen_bare,
    machine,
    med,
    side_by_side,
    start_run,
    tmpdir,
    verdict,
)

TARGET = 2.0
RSS_TARGET = 1.5
BARE = "bare window"
BARE_FROZEN = "bare window (frozen)"
# what each row is divided by: the first floor named is the like-for-like one
FLOORS = {"CertPath (frozen)": (BARE_FROZEN, BARE), BARE_FROZEN: (BARE,)}


def import_costs(data_dir: Path) -> list[tuple[str, float]]:
    """Import time (ms) per top-level package, from `python -X importtime`: self times summed."""
    r = subprocess.run([sys.executable, "-X", "importtime", *app_cmd(data_dir)[1:]], env=env(), cwd=ROOT,
                       capture_output=True, text=True, check=True)
    per_pkg: dict[str, float] = defaultdict(float)
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        self_us, name = int(m.group(1)), m.group(4)
        per_pkg[name.split(".")[0]] += self_us / 1000  # self times summed per package: no double count
    return sorted(per_pkg.items(), key=lambda kv: -kv[1])


def report(title: str, unit: str, res: dict[str, list[float]], target: float | None) -> None:
    print(f"\n{title}:")
    for k, xs in res.items():
        m = med(xs)
        ratios = []
        if k != BARE:
            for i, floor in enumerate(f for f in FLOORS.get(k, (BARE,)) if f in res):
                r = m / med(res[floor])
                label = f"ratio {r:.2f}x" if i == 0 else f"{r:.2f}x"
                label += f" vs the {floor}"
                if target and k != BARE_FROZEN:
                    label += f" (target <= {target}x: {verdict(r, target)})"
                ratios.append(label)
        extra = ("  " + "; ".join(ratios)) if ratios else ""
        print(f"  {k:<20} {m:7.1f} {unit}  (min {min(xs):.1f}, max {max(xs):.1f}){extra}")


def main() -> None:
    runs = max(5, int(sys.argv[1]) if len(sys.argv) > 1 else 7)
    print(f"machine: {machine()}")
    with tmpdir() as t:
        tmp = Path(t)
        data = demo_data_dir(tmp)
        cmds = {BARE: [sys.executable, str(bare_script(tmp))],
                "CertPath (source)": app_cmd(data)}
        if FROZEN.exists():
            hello = frozen_bare()  # built here the first time (a minute or two)
            assert hello is not None
            cmds[BARE_FROZEN] = [str(hello)]
            cmds["CertPath (frozen)"] = app_cmd(data, frozen=True)
        before = os.environ.get("CERTPATH_BENCH_BEFORE")  # another checkout (an older commit)
        if before:  # with the same profiles in a data file of its own, made by its own code (an older
            # CertPath refuses a file a newer one migrated, in a dialog that would wait forever offscreen)
            before_data = demo_data_dir(tmp, Path(before), name="data-before")
            cmds["before (source)"] = ["env", "-C", before, f"PYTHONPATH={before}", *app_cmd(before_data)]  # -m: cwd first
        res = side_by_side(cmds, runs, measure=start_run)
        print(f"(median of {runs} runs each, interleaved, 1 warm-up each)")
        report("start -> first paint of the main window (the target)", "ms",
               {k: [r.paint_ms for r in v] for k, v in res.items()}, TARGET)
        report("start -> process exit right after that paint (includes tear-down)", "ms",
               {k: [r.exit_ms for r in v] for k, v in res.items()}, None)
        if all(r.cpu_at_paint_ms is not None for v in res.values() for r in v):
            report("CPU time used up to the first paint, user + system (barely moved by other work on the cores)",
                   "ms", {k: [r.cpu_at_paint_ms for r in v] for k, v in res.items()}, None)  # type: ignore[misc]
        if not any(math.isnan(r.cpu_ms) for v in res.values() for r in v):
            report("CPU time of the whole process (what runs just after the paint and the tear-down included)",
                   "ms", {k: [r.cpu_ms for r in v] for k, v in res.items()}, None)
        if all(r.rss_at_paint_mb is not None for v in res.values() for r in v):
            report("peak RSS up to the first paint (VmHWM read at the paint; the target)", "MB",
                   {k: [r.rss_at_paint_mb for r in v] for k, v in res.items()}, RSS_TARGET)  # type: ignore[misc]
        if not any(math.isnan(r.rss_peak_mb) for v in res.values() for r in v):
            report("peak RSS of the whole process (wait4; what runs just after the paint included)", "MB",
                   {k: [r.rss_peak_mb for r in v] for k, v in res.items()},
                   None if res[BARE][0].rss_at_paint_mb is not None else RSS_TARGET)
        if not FROZEN.exists():
            print(f"  (no {FROZEN.relative_to(ROOT)}: run `./dev bundle` to measure the frozen app too)")
        costs = import_costs(data)
        total = sum(v for _, v in costs)
        print(f"\nimports during start-up (python -X importtime, self time summed per package; all: {total:.0f} ms):")
        for name, ms in costs[:14]:
            print(f"  {name:<28} {ms:7.1f} ms")


if __name__ == "__main__":
    main()
