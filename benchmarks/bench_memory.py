"""Memory: peak RSS of the app after start (first painted dashboard) vs a bare PySide6 window.

A script, not a test:  .venv/bin/python benchmarks/bench_memory.py [runs]   (default 5)

Each measurement is one child process; its peak RSS comes from os.wait4's rusage (ru_maxrss) for
that child alone. Side by side, interleaved, median. Target: app <= 1.8x bare. POSIX only.
"""

from __future__ import annotations

import os
import subprocess
import sys
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
    tmpdir,
    verdict,
)

TARGET = 1.8


def peak_rss_mb(cmd: list[str]) -> float:
    p = subprocess.Popen(cmd, env=env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"{cmd} failed ({p.returncode})")
    kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024  # macOS: bytes
    return kb / 1024


def main() -> None:
    runs = max(5, int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    print(f"machine: {machine()}")
    with tmpdir() as t:
        tmp = Path(t)
        data = demo_data_dir(tmp)
        cmds = {"bare window": [sys.executable, str(bare_script(tmp))],
                "CertPath (source)": app_cmd(data)}
        if FROZEN.exists():
            cmds["CertPath (frozen)"] = app_cmd(data, frozen=True)
        res = side_by_side(cmds, runs, measure=peak_rss_mb)
    base = med(res["bare window"])
    print(f"\npeak RSS after the first paint, median of {runs}:")
    for k, xs in res.items():
        m = med(xs)
        extra = "" if k == "bare window" else f"  ratio {m / base:.2f}x (target <= {TARGET}x: {verdict(m / base, TARGET)})"
        print(f"  {k:<18} {m:6.1f} MB  (min {min(xs):.1f}, max {max(xs):.1f}){extra}")


if __name__ == "__main__":
    main()
