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
  profiles delete ID [--data-dir DIR]           delete a profile with its documents
  attach ID STEP FILE [--data-dir DIR]          attach a document to a step (or to "profile")
  backup create DEST.zip [--data-dir DIR]       a full backup: the data and every document
  backup restore ARCHIVE [--data-dir DIR]       restore a full backup (.zip) or an automatic one

Exit status: 0 done; 1 an output file could not be written; 2 bad input (a field, an unknown
profile or step, a refused archive): nothing is written; 3 the data cannot be used now
(damaged, read-only, a full disk, "CertPath is restoring a backup; try again"); 4 the data
is in use by another CertPath. Every command that opens the data folder holds its write lock
(see core/instance_lock.py) until it ends; commands that write run the start-up checks first.
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
EXIT_IN_USE = 4

_opened: list[Any] = []  # the stores this run opened: closed (and their lock released) at the end


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


def _open_store(data_dir: str | None, *, write: bool = False):
    """The data file's store, holding the data folder's write lock until the command ends.

    `write`: the command changes the data, so the start-up checks run first (damage SQLite's
    own check does not see, an empty file while backups exist, a stray -wal); a problem is
    said with exit 3 and nothing is written.
    """
    from .db import DatabaseError, open_database
    from .instance_lock import DataInUseError, RestoringError
    from .paths import data_paths
    from .store import Store

    try:
        paths = data_paths(data_dir).ensure()
    except OSError as e:
        raise CliError(str(e), EXIT_DATA) from None
    try:
        db = open_database(paths.db)
    except RestoringError as e:
        raise CliError(str(e), EXIT_DATA) from None
    except DataInUseError as e:
        raise CliError(str(e), EXIT_IN_USE) from None
    except DatabaseError as e:
        raise CliError(str(e), EXIT_DATA) from None
    except OSError as e:
        raise CliError(f"{paths.db}: {e.strerror or e}", EXIT_DATA) from None
    store = Store(db)
    _opened.append(store)
    if write:
        if db.readonly:
            from .db import READ_ONLY_MESSAGE

            raise CliError(f"{_capital(READ_ONLY_MESSAGE)}.", EXIT_DATA)
        from .recovery import check_before_write

        try:
            problem = check_before_write(paths)
        except DatabaseError as e:
            raise CliError(str(e), EXIT_DATA) from None
        if problem:
            raise CliError(problem, EXIT_DATA)
    return store


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _close_opened() -> None:
    while _opened:
        store = _opened.pop()
        try:
            store.db.close()
        except Exception:  # noqa: BLE001 - closing at exit
            pass


def printable(text) -> str:
    """Text from the data as it may reach a terminal: no control characters (escape sequences),
    no bidirectional overrides."""
    from .vault import strip_controls

    return strip_controls(str(text))


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
    store = _open_store(args.data_dir, write=True)
    pid = _writing(lambda: store.import_document(doc))
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
    store = _open_store(args.data_dir)
    doc = store.document(_profile_id(store, args.id))
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        from .paths import write_private_atomic

        try:
            write_private_atomic(Path(args.output), text.encode("utf-8"))  # 0600: the whole profile
        except OSError as e:
            raise CliError(f"-o {args.output}: cannot write the file ({e.strerror or e})", 1) from None
    else:
        sys.stdout.write(text)
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    if getattr(args, "profiles_command", None) == "delete":
        return cmd_profiles_delete(args)
    store = _open_store(args.data_dir)
    for p in store.list_profiles():
        print("\t".join(printable(x) for x in (p["id"], p["name"], p["role"], ",".join(p["tracks"]))))
    return 0


def cmd_profiles_delete(args: argparse.Namespace) -> int:
    """Profiles > Delete: the profile with its facts, reminders, costs and documents."""
    from .store import delete_profile

    store = _open_store(args.data_dir, write=True)
    pid = _profile_id(store, args.id)
    name = store.profile(pid)["name"]
    removed = _writing(lambda: delete_profile(store, _paths(args), pid, now=dt.datetime.now()))
    print(f"Deleted the profile “{printable(name)}” ({pid}) and {removed} document file(s).")
    return 0


def _paths(args: argparse.Namespace):
    from .paths import data_paths

    return data_paths(args.data_dir)


def _writing(fn):
    """Run a write; a full disk or read-only data is said in words (exit 3), never a traceback."""
    from .db import DataFileUnavailableError

    try:
        return fn()
    except DataFileUnavailableError as e:
        raise CliError(_capital(str(e)), EXIT_DATA) from None


def cmd_attach(args: argparse.Namespace) -> int:
    """Documents > Attach: copy FILE into the vault as a document of STEP."""
    from .engine import all_step_defs
    from .vault import PROFILE_LEVEL, Vault, VaultError

    today = _today(args.today)
    expires = None
    if args.expires:
        try:
            expires = dt.date.fromisoformat(args.expires)
        except ValueError:
            raise CliError(f"--expires: '{args.expires}' is not a date in the form YYYY-MM-DD") from None
    store = _open_store(args.data_dir, write=True)
    pid = _profile_id(store, args.id)
    if args.step != PROFILE_LEVEL and args.step not in all_step_defs():
        raise CliError(f"{args.step!r} is not a step id (see docs/profile-format.md), nor {PROFILE_LEVEL!r}")
    vault = Vault(store.db, _paths(args))
    try:
        res = _writing(lambda: vault.attach(pid, args.step, args.file, today, expires=expires))
    except VaultError as e:
        raise CliError(str(e)) from None
    d = res.document
    if res.already_attached:
        print(f"“{printable(d.original_name)}” was already attached to {args.step} (document {d.id}).")
    else:
        print(f"Attached “{printable(d.original_name)}” to {args.step} (document {d.id}, {d.size:,} bytes).")
    return 0


def _progress(label: str):
    if not sys.stderr.isatty():
        return None
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 100
        if pct != last[0]:
            last[0] = pct
            sys.stderr.write(f"\r{label} {pct}%" + ("\n" if pct == 100 else ""))
            sys.stderr.flush()

    return show


def cmd_backup(args: argparse.Namespace) -> int:
    """File > Back up everything / Restore from a backup, with the same checks and words."""
    from . import backup

    paths = _paths(args)
    if args.backup_command == "create":
        store = _open_store(args.data_dir)
        dest = Path(args.dest)
        if dest.suffix.lower() != ".zip":
            dest = dest.with_name(dest.name + ".zip")
        try:
            made = backup.create_archive(paths, dest, now=dt.datetime.now(), conn=store.db.conn,
                                         progress=_progress("Backing up"))
        except backup.BackupError as e:
            raise CliError(str(e), EXIT_DATA) from None
        print(backup.backup_done_text(made))
        return 0
    archive = Path(args.archive)
    try:
        paths.ensure()
    except OSError as e:
        raise CliError(str(e), EXIT_DATA) from None
    try:
        if archive.name.lower().endswith(".sqlite3"):
            result = backup.restore_backup(paths, archive, now=dt.datetime.now())
        else:
            result = backup.restore_archive(paths, archive, now=dt.datetime.now(),
                                            progress=_progress("Restoring"))
    except backup.RestoreRefused as e:
        raise CliError(f"{e}\n{backup.NOTHING_CHANGED}") from None
    except backup.BackupError as e:
        raise CliError(f"{e}\n{backup.NOTHING_CHANGED}", EXIT_DATA) from None
    print(backup.restore_done_text(result))
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

    head = f"Reminders for {printable(profile_name)} as of {today.isoformat()}" if profile_name else \
        f"Reminders as of {today.isoformat()}"
    lines = [head]
    for label, items in groups:
        lines.append("")
        lines.append(f"{label} ({len(items)}):")
        if not items:
            lines.append("  (none)")
        for r in items:
            extra = f"; snoozed until {r.snoozed_until.isoformat()}" if r.snoozed(today) else ""
            lines.append(f"  {r.due.isoformat()}  {printable(r.title)} ({when(r)}{extra})")
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

    p = sub.add_parser("profiles", help="list the profiles in the data file (or: profiles delete ID)")
    data_dir(p)
    p.set_defaults(func=cmd_profiles)
    psub = p.add_subparsers(dest="profiles_command")
    q = psub.add_parser("delete", help="delete a profile with its documents")
    q.add_argument("id")
    data_dir(q)

    p = sub.add_parser("attach", help="attach a document to a step of a profile")
    p.add_argument("id")
    p.add_argument("step", help="a step id, or 'profile' for the profile itself")
    p.add_argument("file")
    p.add_argument("--expires", help="the document's expiry date (YYYY-MM-DD)")
    p.add_argument("--today", help=argparse.SUPPRESS)
    data_dir(p)
    p.set_defaults(func=cmd_attach)

    p = sub.add_parser("backup", help="a full backup (create DEST.zip) or a restore (restore ARCHIVE)")
    bsub = p.add_subparsers(dest="backup_command", required=True)
    q = bsub.add_parser("create", help="back up the data and every document to DEST.zip")
    q.add_argument("dest")
    data_dir(q)
    q = bsub.add_parser("restore", help="replace the data with a full backup (.zip) or an automatic one (.sqlite3)")
    q.add_argument("archive")
    data_dir(q)
    p.set_defaults(func=cmd_backup)

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
    finally:
        _close_opened()
