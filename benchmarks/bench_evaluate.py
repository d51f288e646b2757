"""Median time to evaluate the demo IMG profile (target: under 5 ms on a 2-core machine).

A script, not a test:  .venv/bin/python benchmarks/bench_evaluate.py [runs]
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.engine import evaluate  # noqa: E402
from core.rules import load_rules  # noqa: E402


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    profile = json.loads((ROOT / "resources" / "demo" / "img-demo.json").read_text(encoding="utf-8"))
    today = dt.date(2026, 11, 21)
    rules = load_rules()  # loaded once, as in the app
    evaluate(profile, today, rules)  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        evaluate(profile, today, rules)
        times.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(times)
    print(f"evaluate(img-demo): median {med:.3f} ms over {runs} runs "
          f"(min {min(times):.3f}, p90 {sorted(times)[int(runs * 0.9)]:.3f}); target < 5 ms: "
          f"{'OK' if med < 5 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
