"""`python -m core`: the core's command line (no Qt).

  evaluate PROFILE.json [--today YYYY-MM-DD]   the journey as JSON (product.md's fields)
  import PROFILE.json [--data-dir DIR]          add a profile to the data file; prints its id
  export ID [--data-dir DIR] [-o FILE]          the profile document as JSON
  profiles [--data-dir DIR]                     list the profiles in the data file
  rules [--id PREFIX]                           the rule records with sources, as JSON
  schema                                        the JSON Schema of the profile format
  ics ID [--data-dir DIR] [--today D]           the profile's dated items as an iCalendar file
  csv {steps,deadlines,documents,costs} ID ...  one table of the profile as CSV (UTF-8 with BOM)
  reminders ID [--today D] [--data-dir DIR]     what is overdue, due this week and upcoming (text)
  roster [--within DAYS] [--card pals,bls] [--expired] [--missing] [--search TEXT] [--sort COL]
         [--summary] [--format text|csv|json] [-o FILE]   the team: every profile's cards, as filtered
  import-roster FILE.csv [--match-existing name|new] [--dry-run] [--skip-invalid]
                                                people and their cards from a spreadsheet
  import-csv ID FILE.csv --kind cards|attempts [--dry-run] [--skip-invalid]
                                                card history or exam attempts into one profile
  whatif PROFILE.json --set STEP.FIELD=VALUE [--set ...] [--today D]
                                                the steps that a change would change, as JSON
  scenarios ID [list | show NAME | create NAME --set ... | update NAME --set ... | rename OLD NEW
               | delete NAME | apply NAME [--skip-stale] | compare A B] [--today D] [--data-dir DIR]
                                                named what-if scenarios kept with the profile

Bad input exits with status 2 and a message naming the field; nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from . import __version__

EXIT_BAD_INPUT = 2
EXIT_DATA = 3


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.code = code


def _today(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()  # the one place the command line reads the clock
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CliError(f"--today: '{value}' is not a date in the form YYYY-MM-DD") from None


def _read_document(path: str, today: dt.date) -> dict[str, Any]:
    from .profiles import MAX_DOCUMENT_BYTES, parse_document
    from .validate import ValidationError

    p = Path(path)
    if path == "-":
        raw = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
    else:
        if not p.is_file():
            raise CliError(f"{path}: no such file")
        if p.stat().st_size > MAX_DOCUMENT_BYTES:
            raise CliError(f"{path}: too large for a profile ({p.stat().st_size // 1024} kB)")
        raw = p.read_bytes()
    try:
        return parse_document(raw, today)
    except ValidationError as e:
        lines = "\n".join(f"  {pr.field}: {pr.message}" for pr in e.problems[:50])
        more = f"\n  ... and {len(e.problems) - 50} more" if len(e.problems) > 50 else ""
        raise CliError(f"{path}: the profile was not accepted:\n{lines}{more}") from None


def _open_store(data_dir: str | None):
    from .db import DatabaseError, open_database
    from .paths import data_paths
    from .store import Store

    paths = data_paths(data_dir).ensure()
    try:
        return Store(open_database(paths.db))
    except DatabaseError as e:
        raise CliError(str(e), EXIT_DATA) from None


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .engine import evaluate

    today = _today(args.today)
    doc = _read_document(args.profile, today)
    journey = evaluate(doc, today)
    json.dump(journey.to_json(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    doc = _read_document(args.profile, _today(args.today))
    store = _open_store(args.data_dir)
    pid = store.import_document(doc)
    print(pid)
    return 0


def _profile_id(store, value: str) -> int:
    from .store import ProfileNotFound

    try:
        pid = int(value)
        store.profile(pid)
        return pid
    except ValueError:
        raise CliError(f"profile id must be a number, got {value!r}") from None
    except ProfileNotFound:
        raise CliError(f"no profile with id {value}") from None


def cmd_export(args: argparse.Namespace) -> int:
    from .scenarios import export_document

    store = _open_store(args.data_dir)
    doc = export_document(store, _profile_id(store, args.id))
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise CliError(f"-o {args.output}: cannot write the file ({e.strerror or e})", 1) from None
    else:
        sys.stdout.write(text)
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    store = _open_store(args.data_dir)
    for p in store.list_profiles():
        print(f"{p['id']}\t{p['name']}\t{p['role']}\t{','.join(p['tracks'])}")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from .rules import load_rules

    recs = [r.to_json() for r in load_rules().all() if r.id.startswith(args.id or "")]
    json.dump(recs, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import profile_schema

    json.dump(profile_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _write_out(data: bytes, output: str | None) -> None:
    if output:
        from .exports import write_atomic

        write_atomic(output, data)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def cmd_ics(args: argparse.Namespace) -> int:
    from .ics import export_ics

    today = _today(args.today)
    store = _open_store(args.data_dir)
    _write_out(export_ics(store, _profile_id(store, args.id), today), args.output)
    return 0


def cmd_csv(args: argparse.Namespace) -> int:
    from .exports import export_csv
    from .paths import data_paths

    today = _today(args.today)
    store = _open_store(args.data_dir)
    pid = _profile_id(store, args.id)
    text = export_csv(args.kind, store, pid, today, paths=data_paths(args.data_dir))
    _write_out(text.encode("utf-8"), args.output)
    return 0


def reminders_text(reminders, today: dt.date, profile_name: str = "") -> str:
    """The reminders as three lists: overdue, due this week (today + 6 days), upcoming. Done ones are left out."""
    from .reminders import WEEK

    end = today + dt.timedelta(days=WEEK - 1)
    live = sorted((r for r in reminders if not r.done), key=lambda r: (r.due, r.title, r.source_key))
    groups = [("Overdue", [r for r in live if r.due < today]),
              ("Due this week", [r for r in live if today <= r.due <= end]),
              ("Upcoming", [r for r in live if r.due > end])]

    def when(r) -> str:
        n = r.days_left(today)
        return ("today" if n == 0 else "tomorrow" if n == 1 else f"in {n} days" if n > 0
                else "yesterday" if n == -1 else f"{-n} days ago")

    head = f"Reminders for {profile_name} as of {today.isoformat()}" if profile_name else \
        f"Reminders as of {today.isoformat()}"
    lines = [head]
    for label, items in groups:
        lines.append("")
        lines.append(f"{label} ({len(items)}):")
        if not items:
            lines.append("  (none)")
        for r in items:
            extra = f"; snoozed until {r.snoozed_until.isoformat()}" if r.snoozed(today) else ""
            lines.append(f"  {r.due.isoformat()}  {r.title} ({when(r)}{extra})")
    done = sum(1 for r in reminders if r.done)
    if done:
        lines += ["", f"Done: {done} (not listed)."]
    return "\n".join(lines) + "\n"


def cmd_reminders(args: argparse.Namespace) -> int:
    from .reminders import current

    today = _today(args.today)
    store = _open_store(args.data_dir)
    pid = _profile_id(store, args.id)
    text = reminders_text(current(store, pid, today), today, store.profile(pid)["name"])
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    from .roster import (
        RosterFilter,
        build_roster,
        filter_rows,
        roster_csv,
        roster_json,
        roster_text,
        sort_rows,
    )

    today = _today(args.today)
    cards = tuple(c.strip().lower() for c in (args.card or "").split(",") if c.strip())
    try:
        flt = RosterFilter(within_days=args.within, expired=args.expired, missing=args.missing, cards=cards,
                           search=args.search or "")
    except ValueError as e:
        raise CliError(f"--{e}") from None
    store = _open_store(args.data_dir)
    roster = build_roster(store, today)
    try:
        rows = sort_rows(filter_rows(roster, flt), args.sort or "name", args.descending)
    except ValueError as e:
        raise CliError(f"--{e}") from None
    if args.summary:
        from .roster import summary_json, summary_text, team_summary

        if args.format == "csv":
            raise CliError("--summary: choose --format text or json")
        summary = team_summary(roster, rows)
        text = summary_json(summary) if args.format == "json" else summary_text(summary)
    elif args.format == "csv":
        text = roster_csv(roster, rows, flt)
    elif args.format == "json":
        text = roster_json(roster, rows, flt)
    else:
        text = roster_text(roster, rows, flt)
    _write_out(text.encode("utf-8"), args.output)
    return 0


def _read_csv_arg(path: str) -> bytes:
    from .csv_import import MAX_BYTES

    p = Path(path)
    if not p.is_file():
        raise CliError(f"{path}: no such file")
    if p.stat().st_size > MAX_BYTES:
        raise CliError(f"{path}: too large for an import ({p.stat().st_size // (1024 * 1024)} MB; "
                       f"at most {MAX_BYTES // (1024 * 1024)} MB)")
    try:
        return p.read_bytes()
    except OSError as e:
        raise CliError(f"{path}: cannot be read ({e.strerror or e})") from None


def _import_failure(name: str, preview) -> str:
    problems = preview.all_problems
    more = f" (and {len(problems) - 1} more problem(s), listed above)" if len(problems) > 1 else ""
    return f"{name}: {problems[0]}{more}; nothing was written"


def _run_import(args: argparse.Namespace, make_preview) -> int:
    """Shared by import-roster and import-csv: preview, then (unless --dry-run) commit in one
    transaction under the data folder's lock. Any problem: exit 2 naming row and column, nothing
    written (with --skip-invalid the valid rows are imported and the others listed)."""
    from .csv_import import CsvError, commit, preview_text
    from .instance_lock import DataInUseError, InstanceLock
    from .paths import data_paths
    from .store import ProfileNotFound
    from .validate import ValidationError

    today = _today(args.today)
    data = _read_csv_arg(args.file)
    try:
        lock = InstanceLock(data_paths(args.data_dir).ensure().root).acquire() if not args.dry_run else None
    except DataInUseError as e:
        raise CliError(str(e), EXIT_DATA) from None
    try:
        store = _open_store(args.data_dir)
        try:
            preview = make_preview(store, data, today)
        except CsvError as e:
            raise CliError(f"{args.file}: " + "; ".join(str(p) for p in e.problems)) from None
        report = preview_text(preview, args.file)
        bad = not preview.ok
        if args.dry_run:
            (sys.stderr if bad else sys.stdout).write(report)
            if bad:
                raise CliError(_import_failure(args.file, preview))
            print("Dry run: nothing was written.")
            return 0
        if bad and (preview.problems or not args.skip_invalid):
            sys.stderr.write(report)
            raise CliError(_import_failure(args.file, preview)
                           + ("" if preview.problems else " (--skip-invalid imports the valid rows)"))
        try:
            done = commit(store, preview, today)
        except (ValidationError, ProfileNotFound) as e:
            raise CliError(f"{args.file}: nothing was written: {e}") from None
        if bad or preview.notes or any(r.warnings for r in preview.rows):
            sys.stderr.write(report)
        print(done)
        return 0
    finally:
        if lock is not None:
            lock.release()


def cmd_import_roster(args: argparse.Namespace) -> int:
    from .roster_import import preview_roster

    return _run_import(args, lambda store, data, today: preview_roster(
        store, data, today, match_existing=args.match_existing))


def cmd_import_csv(args: argparse.Namespace) -> int:
    from .history_import import preview_history

    def make(store, data, today):
        return preview_history(store, _profile_id(store, args.id), data, today, kind=args.kind)

    return _run_import(args, make)


def _changes(sets: list[str] | None):
    from .whatif import WhatIfError, parse_changes

    if not sets:
        raise CliError("--set STEP.FIELD=VALUE: give at least one change")
    try:
        return parse_changes(sets)
    except WhatIfError as e:
        raise CliError(_whatif_problems(e)) from None


def _whatif_problems(e) -> str:
    lines = [f"  {p.field}: {p.message}" for p in e.problems[:50]]
    return "the change was not accepted (nothing was written):\n" + "\n".join(lines)


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def cmd_whatif(args: argparse.Namespace) -> int:
    """The profile document with the changes applied, evaluated beside the original: the steps
    that differ (status, due, expires, deadline; findings added and removed) and the dates that move."""
    from .whatif import WhatIfError, what_if

    today = _today(args.today)
    doc = _read_document(args.profile, today)
    changes = _changes(args.set)
    try:
        result = what_if(doc, changes, today)
    except WhatIfError as e:
        raise CliError(_whatif_problems(e)) from None
    _print_json(result.to_json())
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from .scenarios import (
        ScenarioError,
        apply_scenario,
        compare_scenarios,
        create_scenario,
        delete_scenario,
        evaluate_scenario,
        list_scenarios,
        rename_scenario,
        update_scenario,
    )
    from .whatif import WhatIfError

    action = args.action or "list"
    today = _today(args.today)
    need = {"list": 0, "show": 1, "create": 1, "update": 1, "delete": 1, "apply": 1, "rename": 2, "compare": 2}
    names = args.names or []
    if len(names) != need[action]:
        what = {0: "no name", 1: "one scenario name", 2: "two scenario names"}[need[action]]
        raise CliError(f"scenarios {action}: give {what} (got {len(names)})")
    if args.set and action not in ("create", "update"):
        raise CliError(f"scenarios {action}: --set is for create and update")
    changes = _changes(args.set) if action in ("create", "update") else None
    writes = action in ("create", "update", "rename", "delete", "apply")
    lock = None
    if writes:
        from .instance_lock import DataInUseError, InstanceLock
        from .paths import data_paths

        try:
            lock = InstanceLock(data_paths(args.data_dir).ensure().root).acquire()
        except DataInUseError as e:
            raise CliError(str(e), EXIT_DATA) from None
    try:
        store = _open_store(args.data_dir)
        pid = _profile_id(store, args.id)
        try:
            if action == "list":
                for sc in list_scenarios(store, pid):
                    n = len(sc.changes)
                    print(f"{sc.name}\t{n} change{'s' if n != 1 else ''}\tupdated {sc.updated_at}")
            elif action == "show":
                _print_json({"scenario": names[0], **evaluate_scenario(store, pid, names[0], today).to_json()})
            elif action == "create":
                sc = create_scenario(store, pid, names[0], changes, today)
                print(f"Saved the scenario “{sc.name}” ({len(sc.changes)} change(s)).")
            elif action == "update":
                sc = update_scenario(store, pid, names[0], changes, today)
                print(f"Updated the scenario “{sc.name}” ({len(sc.changes)} change(s)).")
            elif action == "rename":
                sc = rename_scenario(store, pid, names[0], names[1])
                print(f"Renamed the scenario to “{sc.name}”.")
            elif action == "delete":
                sc = delete_scenario(store, pid, names[0])
                print(f"Deleted the scenario “{sc.name}”.")
            elif action == "apply":
                done = apply_scenario(store, pid, names[0], today, skip_stale=args.skip_stale)
                _print_json(done.to_json())
            else:
                _print_json(compare_scenarios(store, pid, names[0], names[1], today).to_json())
        except WhatIfError as e:
            raise CliError(_whatif_problems(e)) from None
        except ScenarioError as e:
            raise CliError(str(e)) from None
        return 0
    finally:
        if lock is not None:
            lock.release()


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m core", description="CertPath core: evaluate, import and export profiles.")
    ap.add_argument("--version", action="version", version=f"CertPath {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    def data_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", help="data folder (default: $CERTPATH_DATA_DIR or the user data folder)")

    p = sub.add_parser("evaluate", help="print the journey of a profile document as JSON")
    p.add_argument("profile", help="a profile JSON file, or - for standard input")
    p.add_argument("--today", help="evaluate as of this date (YYYY-MM-DD); default: today")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("import", help="add a profile document to the data file")
    p.add_argument("profile")
    p.add_argument("--today", help=argparse.SUPPRESS)
    data_dir(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="print a profile from the data file as a document")
    p.add_argument("id")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    data_dir(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("profiles", help="list the profiles in the data file")
    data_dir(p)
    p.set_defaults(func=cmd_profiles)

    p = sub.add_parser("rules", help="print the rule records with their sources")
    p.add_argument("--id", help="only rules whose id starts with this")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("schema", help="print the JSON Schema of the profile format")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("ics", help="print the profile's deadlines, expiries and reminders as .ics")
    p.add_argument("id")
    p.add_argument("--today", help="as of this date (YYYY-MM-DD); default: today")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    data_dir(p)
    p.set_defaults(func=cmd_ics)

    p = sub.add_parser("csv", help="print steps, deadlines, documents or costs as CSV")
    p.add_argument("kind", choices=("steps", "deadlines", "documents", "costs"))
    p.add_argument("id")
    p.add_argument("--today", help="as of this date (YYYY-MM-DD); default: today")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    data_dir(p)
    p.set_defaults(func=cmd_csv)

    p = sub.add_parser("reminders", help="list what is overdue, due this week and upcoming")
    p.add_argument("id")
    p.add_argument("--today", help="as of this date (YYYY-MM-DD); default: today")
    data_dir(p)
    p.set_defaults(func=cmd_reminders)

    p = sub.add_parser("roster", help="the team: each profile's cards (status and expiry), as filtered")
    p.add_argument("--within", type=int, metavar="DAYS", help="cards that expire within DAYS days")
    p.add_argument("--expired", action="store_true", help="cards that have expired")
    p.add_argument("--missing", action="store_true", help="a card the person's role typically holds is missing")
    p.add_argument("--card", metavar="CARDS", help="only these cards, comma-separated (bls,pals,acls,nrp,pears)")
    p.add_argument("--search", metavar="TEXT", help="names containing TEXT (case and accents ignored)")
    p.add_argument("--sort", metavar="COLUMN", help="id, name (default), role, a card (by expiry) or missing")
    p.add_argument("--descending", action="store_true", help="reverse the sort order")
    p.add_argument("--summary", action="store_true",
                   help="the team summary instead of the rows: expired, expiring this month and soon, missing")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--today", help="as of this date (YYYY-MM-DD); default: today")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    data_dir(p)
    p.set_defaults(func=cmd_roster)

    def import_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--dry-run", action="store_true", help="show the preview (each row's problems); write nothing")
        p.add_argument("--skip-invalid", action="store_true",
                       help="import the valid rows and list the others (default: any problem writes nothing)")
        p.add_argument("--today", help=argparse.SUPPRESS)
        data_dir(p)

    p = sub.add_parser("import-roster", help="add people and their cards from a CSV (one profile per person)")
    p.add_argument("file", help="a CSV file with a header row (see docs/profile-format.md, 'Importing a roster')")
    p.add_argument("--match-existing", choices=("name", "new"), default="name",
                   help="name: a person already in the data file (same name) is updated (default); "
                        "new: every row becomes a new profile")
    import_opts(p)
    p.set_defaults(func=cmd_import_roster)

    p = sub.add_parser("import-csv", help="import card history or exam attempts into one profile")
    p.add_argument("id", help="the profile id (see `profiles`)")
    p.add_argument("file", help="a CSV file with a header row")
    p.add_argument("--kind", choices=("cards", "attempts"), required=True)
    import_opts(p)
    p.set_defaults(func=cmd_import_csv)

    p = sub.add_parser("whatif", help="what a change to a profile document would change, as JSON")
    p.add_argument("profile", help="a profile JSON file, or - for standard input")
    p.add_argument("--set", action="append", metavar="STEP.FIELD=VALUE",
                   help="a changed fact, e.g. usmle.step2ck.attempts[0].result_date=2026-10-10 or "
                        "img.target_state=TX (empty value: cleared); repeat for more")
    p.add_argument("--today", help="evaluate as of this date (YYYY-MM-DD); default: today")
    p.set_defaults(func=cmd_whatif)

    p = sub.add_parser("scenarios", help="named what-if scenarios of a profile in the data file")
    p.add_argument("id", help="the profile id (see `profiles`)")
    p.add_argument("action", nargs="?", choices=("list", "show", "create", "update", "rename", "delete", "apply",
                                                 "compare"), help="default: list")
    p.add_argument("names", nargs="*", help="the scenario's name (rename OLD NEW, compare A B)")
    p.add_argument("--set", action="append", metavar="STEP.FIELD=VALUE", help="a change (create, update)")
    p.add_argument("--skip-stale", action="store_true",
                   help="apply: leave out the changes that no longer apply instead of refusing")
    p.add_argument("--today", help="as of this date (YYYY-MM-DD); default: today")
    data_dir(p)
    p.set_defaults(func=cmd_scenarios)

    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except CliError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.code
    except BrokenPipeError:
        return 0
