"""What if… against one evaluation, measured side by side (alternating runs, one process).

  evaluate        one evaluation of the demo IMG profile (the journey benchmark's case; budget 5 ms)
  evaluate x2     two evaluations: the floor of a what-if from scratch
  what-if         a scenario from scratch: apply 3 changes to a copy, check them as the step pages
                  do, evaluate the profile and the copy, diff them (expected about 2x evaluate)
  what-if, reused the same with the real journey already at hand (the GUI has it on screen):
                  one evaluation + apply + checks + diff; this must stay within the 5 ms budget

A script, not a test:  .venv/bin/python benchmarks/bench_whatif.py [runs]
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
from core.whatif import parse_changes, what_if  # noqa: E402

BUDGET_MS = 5.0  # benchmarks/bench_evaluate.py's target for one evaluation
CHANGES = ["img.target_state=TX", "usmle.step2ck.scheduled_date=2027-01-20",
           "usmle.step1.attempts[0].result_date=2025-04-20"]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    profile = json.loads((ROOT / "resources" / "demo" / "img-demo.json").read_text(encoding="utf-8"))
    today = dt.date(2026, 11, 21)
    rules = load_rules()  # loaded once, as in the app
    changes = parse_changes(CHANGES)
    before = evaluate(profile, today, rules)
    cases = {
        "evaluate": lambda: evaluate(profile, today, rules),
        "evaluate x2": lambda: (evaluate(profile, today, rules), evaluate(profile, today, rules)),
        "what-if": lambda: what_if(profile, changes, today, rules),
        "what-if, reused": lambda: what_if(profile, changes, today, rules, before=before),
    }
    for fn in cases.values():  # warm-up
        fn()
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(runs):
        for name, fn in cases.items():  # alternating: the machine's load hits every case alike
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1000)
    med = {k: statistics.median(v) for k, v in times.items()}
    low = {k: min(v) for k, v in times.items()}
    base, lbase = med["evaluate"], low["evaluate"]
    for name, m in med.items():
        print(f"{name:16} median {m:7.3f} ms ({m / base:4.2f}x evaluate)   min {low[name]:7.3f} ms "
              f"({low[name] / lbase:4.2f}x)")
    reused = med["what-if, reused"]
    print(f"what-if diff / one evaluation: {med['what-if'] / base:.2f}x median, {low['what-if'] / lbase:.2f}x min "
          f"(two evaluations: {med['evaluate x2'] / base:.2f}x / {low['evaluate x2'] / lbase:.2f}x); a shared machine "
          "preempts the longer calls more, so the min ratio is the steadier one")
    print(f"scenario with the journey at hand: {reused:.3f} ms; budget {BUDGET_MS:.0f} ms: "
          f"{'OK' if reused < BUDGET_MS else 'TOO SLOW'}; from scratch {med['what-if']:.3f} ms: "
          f"{'OK' if med['what-if'] < 2 * BUDGET_MS else 'TOO SLOW'} (2 x budget)")


if __name__ == "__main__":
    main()
