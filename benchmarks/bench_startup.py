"""Start-up: process start -> first painted dashboard (demo profiles), vs a bare PySide6 window.

A script, not a test:  .venv/bin/python benchmarks/bench_startup.py [runs]   (default 7, min 5)

Measures, side by side in one run (interleaved rounds, median):
  bare     python bare_window.py            (QApplication + QMainWindow, quit after first paint)
  source   python -m gui --exit-after-paint (the real start-up path, data folder with the demo profiles)
  frozen   dist/CertPath/CertPath ...       (when `make bundle` has been run)
Target: app <= 2.0x bare. Then `python -X importtime` of the source start-up: what each import costs.
"""

from __future__ import annotations

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
    machine,
    med,
    side_by_side,
    time_run,
    time_to_paint,
    tmpdir,
    verdict,
)

TARGET = 2.0


def import_costs(data_dir: Path, top: int = 14) -> list[tuple[str, float]]:
    """Cumulative import time (ms) per top-level package, from `python -X importtime`."""
    r = subprocess.run([sys.executable, "-X", "importtime", *app_cmd(data_dir)[1:]], env=env(), cwd=ROOT,
                       capture_output=True, text=True, check=True)
    per_pkg: dict[str, float] = defaultdict(float)
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        self_us, name = int(m.group(1)), m.group(4)
        per_pkg[name.split(".")[0]] += self_us / 1000  # self times summed per package: no double count
    return sorted(per_pkg.items(), key=lambda kv: -kv[1])[:top]


def main() -> None:
    runs = max(5, int(sys.argv[1]) if len(sys.argv) > 1 else 7)
    print(f"machine: {machine()}")
    with tmpdir() as t:
        tmp = Path(t)
        data = demo_data_dir(tmp)
        cmds = {"bare window": [sys.executable, str(bare_script(tmp))],
                "CertPath (source)": app_cmd(data)}
        if FROZEN.exists():
            cmds["CertPath (frozen)"] = app_cmd(data, frozen=True)
        for title, measure, target in (
                ("start -> first paint of the main window (the target)", time_to_paint, TARGET),
                ("start -> process exit right after that paint (includes tear-down)", time_run, None)):
            res = side_by_side(cmds, runs, measure=measure)
            base = med(res["bare window"])
            print(f"\n{title}, median of {runs} (interleaved, 1 warm-up each):")
            for k, xs in res.items():
                m = med(xs)
                extra = ""
                if k != "bare window":
                    extra = f"  ratio {m / base:.2f}x" + (
                        f" (target <= {target}x: {verdict(m / base, target)})" if target else "")
                print(f"  {k:<18} {m:7.1f} ms  (min {min(xs):.1f}, max {max(xs):.1f}){extra}")
        if not FROZEN.exists():
            print(f"  (no {FROZEN.relative_to(ROOT)}: run `make bundle` to measure the frozen app too)")
        costs = import_costs(data)
        total = sum(v for _, v in import_costs(data, top=10_000))
        print(f"\nimports during start-up (python -X importtime, self time summed per package; all: {total:.0f} ms):")
        for name, ms in costs:
            print(f"  {name:<28} {ms:7.1f} ms")


if __name__ == "__main__":
    main()
