"""Search at scale: a profile with 10,000 documents against one with 100, measured side by side.

Issue 15 asks for search that is fast on 10,000 documents. Measured in one run, the same queries
typed one keystroke at a time ("p", "pa", "pal", "pals", "pals ", "pals c", ...), on two data files
that differ only in the number of documents (each with an expiry, so the reminders grow too):
  keystroke = SearchIndex.search(prefix) for every prefix of every query: median and slowest
  build     = build_index(store, today, profile_id, journey, reminders): what the search box does
              when it opens after a change (the journey and reminders are the ones the window has)
  evaluate  = one evaluation of the profile (the house's yardstick: one per change)
Printed ratios, side by side in this run:
  keystroke 10,000 docs / one evaluation    target < 1: a typical keystroke costs less than the one
                                            evaluation every change costs (the median keystroke)
  slowest keystroke / build 10,000          target < 0.1: even a one-letter query, which matches
                                            every document, costs under a tenth of a rebuild
  build 10,000 / keystroke 10,000           what rebuilding the index at every keystroke would cost
                                            (so the box builds it once per change, not per keystroke)
  keystroke 10,000 / 100 documents          how a keystroke grows with 100x the documents, for
                                            information: it follows the number of matches, so a
                                            one- or two-letter query grows with the data and a
                                            longer one hardly does

A script, not a test:  .venv/bin/python benchmarks/bench_search.py [rounds]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.benchlib import TODAY, machine, med, tmpdir, verdict  # noqa: E402
from core.db import open_database, transaction  # noqa: E402
from core.engine import evaluate  # noqa: E402
from core.paths import data_paths  # noqa: E402
from core.reminders import current  # noqa: E402
from core.rules import load_rules  # noqa: E402
from core.search import build_index  # noqa: E402
from core.store import Store  # noqa: E402

QUERIES = ("pals card", "diploma 2019", "usmle step 2", "renew bls", "ecfmg certificate", "amira",
           "score report", "शहादत", "zzz nothing")
STEPS = ("ecfmg.school", "ecfmg.credentials", "usmle.step1", "usmle.step2ck", "ecfmg.oet", "pals.card", "bls.card",
         "match.eras", "visa", "profile")
NAMES = ("diploma", "transcript", "score report", "eCard", "passport", "licence", "letter of recommendation",
         "शहादत प्रमाणपत्र", "Zeugnis Übersetzung", "MSPE")


def make_file(root: Path, n_docs: int) -> tuple[Store, int]:
    store = Store(open_database(data_paths(root).ensure().db))
    pid = store.create_profile("Dr. Amira Haddad", "img_physician", ["img", "bls", "pals"],
                               {"img": {"match_year": 2028}, "pals.card": {"issue_date": "2025-05-10"},
                                "bls.card": {"issue_date": "2025-01-10"}})
    with transaction(store.db):
        for i in range(n_docs):
            sha = f"{i:064x}"
            store.db.execute("INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)",
                             [sha, 1000 + i, "2026-01-01T00:00:00"])
            name = f"{NAMES[i % len(NAMES)]} {2000 + i % 27} copy {i}.pdf"
            store.db.execute(
                "INSERT INTO documents (profile_id, step_id, sha256, original_name, mime, size, added_at, expires, "
                "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [pid, STEPS[i % len(STEPS)], sha, name, "application/pdf", 1000 + i, "2026-01-01",
                 f"{2027 + i % 5}-{1 + i % 12:02d}-15", f"scan {i % 97}"])
    return store, pid


def keystrokes() -> list[str]:
    return [q[:k] for q in QUERIES for k in range(1, len(q) + 1)]


def measure(store: Store, pid: int, rounds: int) -> dict[str, float]:
    rules = load_rules()
    doc = store.document(pid)
    ev, build, keys, slowest = [], [], [], []
    idx = None
    for _ in range(rounds):
        t = time.perf_counter()
        journey = evaluate(doc, TODAY, rules)
        ev.append(time.perf_counter() - t)
        reminders = current(store, pid, TODAY)
        t = time.perf_counter()
        idx = build_index(store, TODAY, profile_id=pid, journey=journey, rules=rules, reminders=reminders)
        build.append(time.perf_counter() - t)
        per = []
        for q in keystrokes():
            t = time.perf_counter()
            idx.search(q)
            per.append(time.perf_counter() - t)
        keys.append(med(per))
        slowest.append(max(per))
    assert idx is not None
    return {"evaluate": med(ev), "build": med(build), "key": med(keys), "slowest": med(slowest),
            "entries": len(idx), "docs_hits": idx.search("copy", limit=None).total}


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(f"bench_search: {rounds} rounds; {machine()}")
    with tmpdir() as a, tmpdir() as b:
        small_store, small_pid = make_file(Path(a), 100)
        big_store, big_pid = make_file(Path(b), 10_000)
        measure(small_store, small_pid, 1)  # warm-up: imports, rule loading, the word pattern
        small, big = {}, {}
        # alternate the two files round by round so a busy machine slows both alike
        for _ in range(rounds):
            for store, pid, out in ((small_store, small_pid, small), (big_store, big_pid, big)):
                m = measure(store, pid, 1)
                for k, v in m.items():
                    out.setdefault(k, []).append(v)
        s = {k: med(v) for k, v in small.items()}
        g = {k: med(v) for k, v in big.items()}
        small_store.db.close()
        big_store.db.close()
    n_keys = len(keystrokes())
    print(f"  entries in the index: {s['entries']:.0f} (100 documents), {g['entries']:.0f} (10,000 documents); "
          f"'copy' finds {g['docs_hits']:.0f}")
    print(f"  keystroke ({n_keys} prefixes of {len(QUERIES)} queries), median: 100 docs {s['key'] * 1e3:.3f} ms, "
          f"10,000 docs {g['key'] * 1e3:.3f} ms; slowest 10,000: {g['slowest'] * 1e3:.2f} ms")
    print(f"  build index: 100 docs {s['build'] * 1e3:.1f} ms, 10,000 docs {g['build'] * 1e3:.1f} ms")
    print(f"  one evaluation: {g['evaluate'] * 1e3:.1f} ms")
    r_eval = g["key"] / g["evaluate"]
    r_slow = g["slowest"] / g["build"]
    r_build = g["build"] / g["key"]
    r_grow = g["key"] / s["key"]
    print(f"  ratio keystroke (median) 10,000 docs / one evaluation: {r_eval:.2f}x (target < 1.0): "
          f"{verdict(r_eval, 1.0)}")
    print(f"  ratio slowest keystroke / build, 10,000 docs: {r_slow:.3f}x (target < 0.1): {verdict(r_slow, 0.1)}")
    print(f"  ratio build / keystroke (median), 10,000 docs: {r_build:.0f}x: what rebuilding per keystroke would "
          "cost; the search box builds the index once per change and only queries while typing")
    print(f"  ratio keystroke (median) 10,000 / 100 documents: {r_grow:.1f}x for 100x the documents (information)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
