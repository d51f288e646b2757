"""The team roster at scale: 500 profiles x 3 cards against 10 profiles, measured side by side.

Issue 20's target is the GUI Team view within 1.5x of a 10-profile file for opening and filtering
(benchmarks/bench_team_ui.py measures the view). This measures the core it calls:
  open    = build_roster(store, today, cache=RosterCache.of_store(store)) with this day's
            evaluations kept in the cache file (a new RosterCache object each time, as at a new
            start of the app): one read of the data file and of the cache file, no evaluation
  cold    = build_roster(store, today): one read of the data file + one evaluation per profile
            (what a first open, new rules or a new build costs); per row
  filter  = filter_rows + sort_rows over the built roster (what typing in the search box does)
  refresh = refresh_rows(roster, store, [id]) after one profile changed: that profile read and
            evaluated again (what the view does after an edit); compared in total, not per row
  reload  = build_roster(..., previous=roster) after one change: the whole file read, unchanged
            profiles reused (one evaluation); in total
Also printed: the total times, so the absolute cost of opening 500 is visible (it grows with n),
and after "cpu" the medians of the process's CPU time over the same runs (on a shared machine
they move much less than the wall-clock ones).

A script, not a test:  .venv/bin/python benchmarks/bench_roster.py [rounds]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.benchlib import TODAY, machine, med, tmpdir, verdict  # noqa: E402
from core.db import open_database, transaction  # noqa: E402
from core.paths import data_paths  # noqa: E402
from core.roster import RosterFilter, build_roster, filter_rows, refresh_rows, sort_rows  # noqa: E402
from core.roster_cache import RosterCache  # noqa: E402
from core.rules import load_rules  # noqa: E402
from core.store import Store  # noqa: E402

TARGET = 1.5
CPU: dict[tuple[str, int], list[float]] = {}  # (measure, profiles) -> CPU milliseconds per run
ROLES = ("nurse_picu", "pediatrician", "nurse_nicu", "paramedic", "emergency_physician")
BODIES = ("aha", "aha", "red_cross")


def make_file(root: Path, n: int) -> Store:
    """`n` profiles with BLS, PALS and NRP cards of varied dates and bodies, in one transaction."""
    store = Store(open_database(data_paths(root).ensure().db))
    with transaction(store.db):
        for i in range(n):
            facts = {
                "bls.card": {"issue_date": f"{2024 + i % 2}-{1 + i % 12:02d}-{1 + i % 28:02d}"},
                "bls.enroll": {"body": BODIES[i % 3], "training_center": f"TC {i % 7}"},
                "pals.card": {"issue_date": f"{2024 + (i + 1) % 2}-{1 + (i + 4) % 12:02d}-10",
                              "ecard_code": f"25{i:010d}"},
                "nrp.card": {"issue_date": f"2025-{1 + (i + 8) % 12:02d}-15"},
                "nrp.enroll": {"course_start": f"2025-{1 + (i + 8) % 12:02d}-12",
                               "course_end": f"2025-{1 + (i + 8) % 12:02d}-12"},
            }
            store.create_profile(f"Persón {i:03d} Ñame", ROLES[i % len(ROLES)], ["bls", "pals", "nrp"], facts)
    return store


FILTERS = (
    RosterFilter(within_days=60),
    RosterFilter(expired=True, missing=True),
    RosterFilter(search="on 01", cards=("pals", "bls")),
)


def _cpu(label: str, n: int, c0: float, per: int = 1) -> None:
    CPU.setdefault((label, n), []).append((time.process_time() - c0) * 1000 / per)


def time_open(store: Store, kept: bool = False) -> float:
    cache = RosterCache.of_store(store) if kept else None
    c0 = time.process_time()
    t0 = time.perf_counter()
    roster = build_roster(store, TODAY, cache=cache)
    ms = (time.perf_counter() - t0) * 1000
    _cpu("kept" if kept else "cold", len(roster.rows), c0)
    assert not kept or roster.evaluated <= 1, roster.evaluated  # (the profile the rounds change, once)
    return ms


def time_filter(roster) -> float:
    c0 = time.process_time()
    t0 = time.perf_counter()
    for flt in FILTERS:
        sort_rows(filter_rows(roster, flt), "pals")
    ms = (time.perf_counter() - t0) * 1000 / len(FILTERS)
    _cpu("filter", len(roster.rows), c0, len(FILTERS))
    return ms


def change_one(store: Store, flip: list[int]) -> int:
    pid = store.list_profiles()[0]["id"]
    flip[0] += 1
    store.save_facts(pid, {"pals.card": {"issue_date": "2025-05-10", "ecard_code": f"25{flip[0]:010d}"}})
    return pid


def time_refresh(store: Store, prev, flip: list[int]):
    pid = change_one(store, flip)
    c0 = time.process_time()
    t0 = time.perf_counter()
    roster = refresh_rows(prev, store, [pid])
    ms = (time.perf_counter() - t0) * 1000
    _cpu("refresh", len(roster.rows), c0)
    return ms, roster


def time_reload(store: Store, prev, flip: list[int]):
    change_one(store, flip)
    c0 = time.process_time()
    t0 = time.perf_counter()
    roster = build_roster(store, TODAY, previous=prev)
    ms = (time.perf_counter() - t0) * 1000
    _cpu("reload", len(roster.rows), c0)
    assert roster.evaluated == 1, roster.evaluated
    return ms, roster


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    load_rules()  # loaded once, as in the app
    with tmpdir() as tmp:
        files = {n: make_file(Path(tmp) / f"p{n}", n) for n in (10, 500)}
        for s in files.values():  # warm-up (imports, caches, SQLite pages); the cache file written
            time_open(s)
            build_roster(s, TODAY, cache=RosterCache.of_store(s))
        opened = {n: [] for n in files}
        kept = {n: [] for n in files}
        filtered = {n: [] for n in files}
        refreshed = {n: [] for n in files}
        reloaded = {n: [] for n in files}
        rosters = {n: build_roster(s, TODAY) for n, s in files.items()}
        CPU.clear()  # (the warm-up's runs are not counted)
        flip = [0]
        for _ in range(rounds):  # interleaved, so drift hits both alike
            for n, s in files.items():
                opened[n].append(time_open(s))
                time_open(s, kept=True)  # the profile the last round changed: evaluated and kept
                kept[n].append(time_open(s, kept=True))
                filtered[n].append(time_filter(rosters[n]))
                ms, rosters[n] = time_refresh(s, rosters[n], flip)
                refreshed[n].append(ms)
                ms, rosters[n] = time_reload(s, rosters[n], flip)
                reloaded[n].append(ms)
        for s in files.values():
            s.db.close()
    def cpu(label: str, per_row: bool = False) -> str:
        small, big = med(CPU[(label, 10)]), med(CPU[(label, 500)])
        ratio = (big / 500) / (small / 10) if per_row else big / small
        return f"   cpu {small:7.2f} / {big:7.2f} ms = {ratio:.2f}x" + (" per row" if per_row else "")

    print(f"bench_roster on {machine()}; {rounds} interleaved rounds; today {TODAY}")
    small, big = med(kept[10]), med(kept[500])
    print(f"open, this day's evaluations kept (total):  10 profiles {small:8.2f} ms   500 profiles {big:8.2f} ms   "
          f"ratio {big / small:.2f}x (target <= {TARGET}x): {verdict(big / small, TARGET)}" + cpu("kept"))
    for label, key, data in (("cold open, every profile evaluated", "cold", opened),
                             ("filter + sort (per filter)", "filter", filtered)):
        small, big = med(data[10]), med(data[500])
        per_small, per_big = small / 10, big / 500
        ratio = per_big / per_small
        print(f"{label}:  10 profiles {small:8.2f} ms ({per_small * 1000:7.1f} us/row)   "
              f"500 profiles {big:8.2f} ms ({per_big * 1000:7.1f} us/row)   "
              f"per-row ratio {ratio:.2f}x (target <= {TARGET}x): {verdict(ratio, TARGET)}" + cpu(key, per_row=True))
    for label, key, data in (("refresh the changed row (total)", "refresh", refreshed),
                             ("reload after one change (total)", "reload", reloaded)):
        small, big = med(data[10]), med(data[500])
        print(f"{label}:  10 profiles {small:8.2f} ms   500 profiles {big:8.2f} ms   "
              f"ratio {big / small:.2f}x (target <= {TARGET}x): {verdict(big / small, TARGET)}" + cpu(key))
    print("Per-row figures: 500 rows cost 50x 10 rows at a 1.0x per-row ratio; the Team view's own figures: "
          "benchmarks/bench_team_ui.py.")


if __name__ == "__main__":
    main()
