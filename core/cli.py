"""`python -m core`: the core's command line (no Qt).

  evaluate PROFILE.json [--today YYYY-MM-DD]   the journey as JSON (product.md's fields)
  import PROFILE.json [--data-dir DIR]          add a profile to the data file; prints its id
  export ID [--data-dir DIR] [-o FILE]          the profile document as JSON
  profiles [--data-dir DIR]                     list the profiles in the data file
  rules [--id PREFIX] [--data-dir DIR]         the rules in use (pack version, date); --id: records as JSON
  rules keygen DIR                              an Ed25519 key pair for signing rule packs
  rules pack build|verify|diff|impact|install|rollback|bundled ...   signed rule packs (docs/rules-format.md)
  schema                                        the JSON Schema of the profile format
  ics ID [--data-dir DIR] [--today D]           the profile's dated items as an iCalendar file
  csv {steps,deadlines,documents,costs} ID ...  one table of the profile as CSV (UTF-8 with BOM)
  reminders ID [--today D] [--data-dir DIR]     what is overdue, due this week and upcoming (text)
  reminders ID --notify [--dry-run] | --forget-notified   what is newly due to notify (as the tray),
                                                recorded as notified; or forget what was notified
  roster [--within DAYS] [--card pals,bls] [--expired] [--missing] [--search TEXT] [--sort COL]
         [--summary] [--format text|csv|json] [-o FILE]   the team: every profile's cards, as filtered
  import-roster FILE.csv [--match-existing name|new] [--dry-run] [--skip-invalid]
                                                people and their cards from a spreadsheet
  import-csv ID FILE.csv --kind cards|attempts [--dry-run] [--skip-invalid]
                                                card history or exam attempts into one profile
  search TEXT [--profile ID] [--kind K ...] [--limit N] [--format text|json] [--today D] [--data-dir DIR]
                                                steps, rules, documents, reminders, costs and profiles
                                                whose words begin with TEXT's words (as Edit > Find)
  whatif PROFILE.json --set STEP.FIELD=VALUE [--set ...] [--today D]
                                                the steps that a change would change, as JSON
  scenarios ID [list | show NAME | create NAME --set ... | update NAME --set ... | rename OLD NEW
               | delete NAME | apply NAME [--skip-stale] | compare A B] [--today D] [--data-dir DIR]
                                                named what-if scenarios kept with the profile
  profiles delete ID [--data-dir DIR]           delete a profile with its documents
  profiles set ID [--tracks T1,T2] [--role R]   change the journeys a profile follows and its role
  attach ID STEP FILE [--data-dir DIR]          attach a document to a step (or to "profile")
  backup create DEST.zip [--data-dir DIR]       a full backup: the data and every document
  backup restore ARCHIVE [--data-dir DIR]       restore a full backup (.zip) or an automatic one
  programs ID [--eligible-only] [--today D]     the application season as JSON: programs with their
                                                findings, clashes, interview dates, rank list, fees
  import-programs ID FILE.csv [--map HEADER=FIELD] [--dry-run] [--skip-invalid]   programs from a spreadsheet
  rank-list ID [--format text|csv|json] [-o FILE]   the draft rank order list (re-enter it in R3)
  programs-ics ID [--today D] [-o FILE]         interviews and reply-by dates as an iCalendar file
  program-fees ID [--count SPECIALTY=N ...] [--ranks N] [--add] [--format text|json]
                                                the season's ERAS/NRMP fees; --add: as planned costs
  program add ID KEY=VALUE ... | set PROGRAM KEY=VALUE ... | delete PROGRAM | rank PROGRAM POSITION
          | block ID START END [LABEL] | unblock ID N | settings ID KEY=VALUE ...
                                                edit programs as the GUI does (values as in the CSV)

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
from .wording import plural, relative_words

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
    from .scenarios import export_document

    store = _open_store(args.data_dir)
    doc = export_document(store, _profile_id(store, args.id))
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
    if getattr(args, "profiles_command", None) == "set":
        return cmd_profiles_set(args)
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
    print(f"Deleted the profile “{printable(name)}” ({pid}) and {plural(removed, 'document file')}.")
    return 0


def cmd_profiles_set(args: argparse.Namespace) -> int:
    """File > Journeys and role of this profile: the tracks it follows and its role."""
    from .profiles import set_journeys
    from .validate import ValidationError

    if args.tracks is None and args.role is None:
        raise CliError("profiles set: give --tracks, --role or both")
    store = _open_store(args.data_dir, write=True)
    pid = _profile_id(store, args.id)
    tracks = None if args.tracks is None else [t.strip() for t in args.tracks.split(",") if t.strip()]
    try:
        _writing(lambda: set_journeys(store, pid, tracks, args.role))
    except ValidationError as e:
        lines = "\n".join(f"  {pr.field}: {pr.message}" for pr in e.problems)
        raise CliError(f"profile {pid} was not changed:\n{lines}") from None
    p = store.profile(pid)
    print(f"Profile {pid}: role {p['role']}; journeys {', '.join(p['tracks'])}.")
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


def _rules_paths(args: argparse.Namespace):
    from .paths import data_paths

    return data_paths(getattr(args, "data_dir", None))


def _trust(args: argparse.Namespace) -> list[str]:
    return list(getattr(args, "trust", None) or [])


def cmd_rules(args: argparse.Namespace) -> int:
    from .rulepacks import installed_state, newest_checked

    if args.id is not None:  # the records themselves, as JSON
        from .rules import load_rules

        recs = [r.to_json() for r in load_rules().all() if r.id.startswith(args.id)]
        json.dump(recs, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    state = installed_state(_rules_paths(args), trust=_trust(args))
    pack = state.pack
    info = {**pack.info.to_json(), "records": len(pack.rules.all()),
            "newest_checked": newest_checked(pack.rules).isoformat(),
            "rollback_to": state.previous or None, "problem": state.problem or None}
    if args.json:
        json.dump(info, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    lines = [f"Rules in use: {pack.info.label}",
             f"  pack version {pack.info.version}, made {info['made']}; {info['records']} records, "
             f"newest checked {info['newest_checked']}"]
    if pack.info.origin == "installed":
        lines.append(f"  installed {pack.info.installed or '?'}, signed by key {pack.info.key}")
    if state.previous:
        lines.append("  rollback goes back to " + ("the bundled rules" if state.previous == "0"
                                                   else f"rule pack {state.previous}"))
    if state.problem:
        lines.append(f"  warning: {state.problem}")
    print("\n".join(lines))
    return 0


def _refused(e: Exception) -> CliError:
    return CliError(str(e))


def cmd_rules_keygen(args: argparse.Namespace) -> int:
    from .rulepacks import PackRefused, generate_keypair, key_id

    try:
        priv, pub = generate_keypair(Path(args.dir), args.name)
    except PackRefused as e:
        raise _refused(e) from None
    print(f"private key: {priv} (keep it secret; never commit it)\npublic key: {pub} (key id "
          f"{key_id(pub.read_bytes())})")
    return 0


def cmd_pack_build(args: argparse.Namespace) -> int:
    from .rulepacks import PackRefused, build_pack, default_pack_version

    today = _today(args.today)
    if not args.key and not args.unsigned:
        raise CliError("--key PRIVATE is required (or --unsigned for a pack no CertPath will install)")
    try:
        info = build_pack(Path(args.out), Path(args.key) if args.key else None,
                          version=args.version or default_pack_version(today), today=today,
                          source=Path(args.source) if args.source else None,
                          app_range=(args.app_min, args.app_below) if args.app_min and args.app_below else None)
    except PackRefused as e:
        raise _refused(e) from None
    signed = f"signed by key {info.key}" if info.key else "UNSIGNED: no CertPath will install it"
    print(f"{args.out}: rule pack {info.version} of {info.made.isoformat() if info.made else '?'}, for CertPath {info.app_min} "
          f"up to {info.app_below}; {signed}")
    if not info.key:
        print("warning: the pack is not signed", file=sys.stderr)
    return 0


def cmd_pack_verify(args: argparse.Namespace) -> int:
    from .rulepacks import PackRefused, read_pack

    try:
        pack = read_pack(args.file, trust=_trust(args))
    except PackRefused as e:
        raise _refused(e) from None
    i = pack.info
    print(f"{Path(args.file).name}: rule pack {i.version} of {i.made.isoformat() if i.made else '?'}, "
          f"{len(pack.files)} files, {len(pack.rules.all())} records, for CertPath {i.app_min} up to "
          f"{i.app_below}; signature by key {i.key}: good")
    return 0


def _pack_or_bundled(ref: str):
    from .rulepacks import PackRefused, bundled_pack, read_pack

    if ref in ("bundled", "0"):
        return bundled_pack()
    try:  # a diff is read-only: the structure and hashes are checked, not who signed it
        return read_pack(ref, require_signature=False)
    except PackRefused as e:
        raise _refused(e) from None


def cmd_pack_diff(args: argparse.Namespace) -> int:
    from .rulepacks import diff_rules, diff_text

    old, new = _pack_or_bundled(args.old), _pack_or_bundled(args.new)
    changes = diff_rules(old.rules, new.rules)
    if args.json:
        json.dump({"old": old.info.to_json(), "new": new.info.to_json(), "changes": [c.to_json() for c in changes]},
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(diff_text(changes, old.info.label, new.info.label))
    return 0


def cmd_pack_impact(args: argparse.Namespace) -> int:
    from .rulepacks import PackRefused, impact, impact_text, installed_state, read_pack

    today = _today(args.today)
    try:
        new = read_pack(args.file, trust=_trust(args))
    except PackRefused as e:
        raise _refused(e) from None
    old = installed_state(_rules_paths(args), trust=_trust(args)).pack
    imps = impact(_open_store(args.data_dir), today, old.rules, new.rules)
    if args.json:
        json.dump([i.to_json() for i in imps], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(f"What {old.info.label} -> {new.info.label} changes, as of {today.isoformat()}:\n\n")
        sys.stdout.write(impact_text(imps))
    return 0


def cmd_pack_install(args: argparse.Namespace) -> int:
    from .rulepacks import PackRefused, install_pack

    paths = _rules_paths(args).ensure()
    try:
        pack = install_pack(paths, args.file, now=dt.datetime.now(), trust=_trust(args))
    except PackRefused as e:
        raise CliError(f"{e} Nothing was installed.") from None
    print(f"Installed rule pack {pack.info.version} of {pack.info.made.isoformat() if pack.info.made else '?'} "
          f"into {paths.root}; 'python -m core rules pack rollback' goes back.")
    return 0


def cmd_pack_rollback(args: argparse.Namespace) -> int:
    from .rulepacks import PackRefused, rollback

    try:
        version = rollback(_rules_paths(args), now=dt.datetime.now())
    except PackRefused as e:
        raise _refused(e) from None
    print("Now using the bundled rules." if version == "0" else f"Now using rule pack {version}.")
    return 0


def cmd_pack_bundled(args: argparse.Namespace) -> int:
    from .rulepacks import PackRefused, use_bundled

    try:
        use_bundled(_rules_paths(args), now=dt.datetime.now())
    except PackRefused as e:
        raise _refused(e) from None
    print("Now using the bundled rules; 'python -m core rules pack rollback' brings the pack back.")
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
    if args.kind == "programs":
        from .programs import load_season
        from .programs_import import programs_csv

        _write_out(programs_csv(load_season(store, pid, today).checks).encode("utf-8"), args.output)
        return 0
    text = export_csv(args.kind, store, pid, today, paths=data_paths(args.data_dir))
    _write_out(text.encode("utf-8"), args.output)
    return 0


def reminders_text(reminders, today: dt.date, profile_name: str = "") -> str:
    """The reminders as three lists: overdue, due this week (today + 6 days), upcoming (and, when
    there are any, passed dates that are not deadlines: an opening, a recommendation). Done ones
    are left out."""
    from .reminders import WEEK
    from .rules import overdue_when_passed

    end = today + dt.timedelta(days=WEEK - 1)
    live = sorted((r for r in reminders if not r.done), key=lambda r: (r.due, r.title, r.source_key))
    # a passed opening or recommendation is not overdue (Reminder.date_kind): listed apart
    late = [r for r in live if r.due < today]
    passed = [r for r in late if not overdue_when_passed(r.date_kind or None)]
    groups = [("Overdue", [r for r in late if overdue_when_passed(r.date_kind or None)]),
              *([("Passed, not deadlines", passed)] if passed else []),
              ("Due this week", [r for r in live if today <= r.due <= end]),
              ("Upcoming", [r for r in live if r.due > end])]

    def when(r) -> str:
        return relative_words(r.due, today)  # "in 12 days", far ones in months ("in 10 months")

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


def cmd_search(args: argparse.Namespace) -> int:
    """What Edit ▸ Find finds, from the same index (core/search.py)."""
    from .engine import evaluate
    from .search import SearchIndex, build_index, results_text

    today = _today(args.today)
    store = _open_store(args.data_dir)
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit: give a number of 1 or more")
    if args.profile is not None:
        pid = _profile_id(store, args.profile)
        idx = build_index(store, today, profile_id=pid, journey=evaluate(store.document(pid), today))
    else:
        idx = build_index(store, today, all_profiles=True)
    assert isinstance(idx, SearchIndex)
    results = idx.search(args.text, limit=args.limit, kinds=args.kind or None)
    if args.format == "json":
        out = {"query": args.text, "total": results.total,
               "hits": [{**h.entry.to_json(), "score": h.score} for h in results]}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        names = {p["id"]: p["name"] for p in store.list_profiles()}
        sys.stdout.write(results_text(results, names))
    sys.stdout.flush()
    return 0


def cmd_reminders(args: argparse.Namespace) -> int:
    from .reminders import current

    if args.dry_run and not args.notify:
        raise CliError("--dry-run goes with --notify")
    if args.notify and args.forget_notified:
        raise CliError("give --notify or --forget-notified, not both")
    today = _today(args.today)
    if args.notify or args.forget_notified:
        return _reminders_notices(args, today)
    store = _open_store(args.data_dir)
    pid = _profile_id(store, args.id)
    text = reminders_text(current(store, pid, today), today, store.profile(pid)["name"])
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def notices_text(reminders, today: dt.date) -> str:
    """One line per reminder to notify ("2026-12-01  Title (today)"); empty when there is none."""
    def when(r) -> str:
        return relative_words(r.due, today)  # "in 12 days", far ones in months ("in 10 months")

    return "".join(f"{r.due.isoformat()}  {printable(r.title)} ({when(r)})\n" for r in reminders)


def _reminders_notices(args: argparse.Namespace, today: dt.date) -> int:
    """`reminders ID --notify [--dry-run]`: what the tray would show now and has not shown (here or
    in the window), recorded as shown, as the tray records it; nothing printed when nothing is new.
    `--forget-notified`: forget what was shown, so everything due notifies once more. Both write
    under the instance lock (not beside an open window, which notifies by itself)."""
    from .instance_lock import DataInUseError, InstanceLock
    from .paths import data_paths
    from .reminders import claim_notices, current, forget_notices, sync, unnotified

    lock = None
    if not args.dry_run:
        try:
            lock = InstanceLock(data_paths(args.data_dir).ensure().root).acquire()
        except DataInUseError as e:
            raise CliError(str(e), EXIT_IN_USE) from None
    try:
        store = _open_store(args.data_dir, write=not args.dry_run)
        pid = _profile_id(store, args.id)
        if args.forget_notified:
            n = forget_notices(store, pid)
            print(f"Forgot the notifications of {plural(n, 'reminder')}: what is due notifies once more.")
            return 0
        if args.dry_run:
            new = unnotified(store, pid, current(store, pid, today), today)
        else:  # synced first, as the window does, so that each has a row to record it in
            new = claim_notices(store, pid, unnotified(store, pid, sync(store, pid, today), today), today)
        sys.stdout.write(notices_text(new, today))
        sys.stdout.flush()
        return 0
    finally:
        if lock is not None:
            lock.release()


def cmd_roster(args: argparse.Namespace) -> int:
    from .roster import (
        RosterFilter,
        build_roster,
        complete_statuses,
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
    from .roster_cache import RosterCache

    store = _open_store(args.data_dir)
    cache = RosterCache.of_store(store)
    roster = build_roster(store, today, cache=cache)
    if not args.summary:  # the exports carry the engine's statuses of `today` (and the rules they used)
        roster = complete_statuses(roster, cache)
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
    more = f" (and {plural(len(problems) - 1, 'more problem', 'more problems')}, listed above)" if len(problems) > 1 else ""
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
        raise CliError(str(e), EXIT_IN_USE) from None
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


def _rules_parser(sub, data_dir) -> None:
    """`rules`: the rules in use; `rules keygen`, `rules pack build|verify|diff|impact|install|rollback|bundled`."""
    def trust(p: argparse.ArgumentParser) -> None:
        p.add_argument("--trust", action="append", metavar="PUBLIC",
                       help="also trust this public key file (repeatable; or $CERTPATH_TRUST_KEYS)")

    p = sub.add_parser("rules", help="the rules in use (pack version and date); --id PREFIX prints records")
    p.add_argument("--id", help="print the rule records whose id starts with this, as JSON ('' for all)")
    p.add_argument("--json", action="store_true", help="the summary as JSON")
    data_dir(p)
    trust(p)
    p.set_defaults(func=cmd_rules)
    rsub = p.add_subparsers(dest="rules_command")
    k = rsub.add_parser("keygen", help="write an Ed25519 key pair for signing rule packs")
    k.add_argument("dir")
    k.add_argument("--name", default="certpath-rules", help="file name stem (default: certpath-rules)")
    k.set_defaults(func=cmd_rules_keygen)
    pk = rsub.add_parser("pack", help="build, verify, compare, install or roll back rule packs")
    psub = pk.add_subparsers(dest="pack_command", required=True)
    b = psub.add_parser("build", help="build and sign a pack of resources/rules/")
    b.add_argument("out")
    b.add_argument("--key", help="the Ed25519 private key (PEM) to sign with")
    b.add_argument("--unsigned", action="store_true", help="no key: an unsigned pack (no CertPath installs it)")
    b.add_argument("--version", help="calendar-style pack version, e.g. 2026.12.1 (default: today's date)")
    b.add_argument("--source", help="the rules folder (default: the bundled resources/rules/)")
    b.add_argument("--app-min", help="oldest CertPath version the pack is for (default: this one)")
    b.add_argument("--app-below", help="first CertPath version it is not for (default: the next minor)")
    b.add_argument("--today", help=argparse.SUPPRESS)
    b.set_defaults(func=cmd_pack_build)
    v = psub.add_parser("verify", help="check a pack's signature, hashes and app-version range")
    v.add_argument("file")
    trust(v)
    v.set_defaults(func=cmd_pack_verify)
    d = psub.add_parser("diff", help="rules added, removed and changed between two packs ('bundled' for the bundled rules)")
    d.add_argument("old")
    d.add_argument("new")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_pack_diff)
    m = psub.add_parser("impact", help="what installing a pack changes for each profile in the data file")
    m.add_argument("file")
    m.add_argument("--today", help="as of this date (YYYY-MM-DD); default: today")
    m.add_argument("--json", action="store_true")
    data_dir(m)
    trust(m)
    m.set_defaults(func=cmd_pack_impact)
    i = psub.add_parser("install", help="install a verified pack into the data folder (the previous one is kept)")
    i.add_argument("file")
    data_dir(i)
    trust(i)
    i.set_defaults(func=cmd_pack_install)
    r = psub.add_parser("rollback", help="go back to the pack in use before the last install")
    data_dir(r)
    r.set_defaults(func=cmd_pack_rollback)
    u = psub.add_parser("bundled", help="go back to the bundled rules (rollback brings the pack back)")
    data_dir(u)
    u.set_defaults(func=cmd_pack_bundled)
def cmd_programs(args: argparse.Namespace) -> int:
    from .programs import load_season

    today = _today(args.today)
    store = _open_store(args.data_dir)
    season = load_season(store, _profile_id(store, args.id), today)
    text = json.dumps(season.to_json(eligible_only=args.eligible_only), indent=2, ensure_ascii=False) + "\n"
    _write_out(text.encode("utf-8"), args.output)
    return 0


def cmd_import_programs(args: argparse.Namespace) -> int:
    from .programs_import import preview_programs

    mapping: dict[str, str | None] = {}
    for m in args.map or []:
        header, sep, key = m.rpartition("=")
        if not sep or not header:
            raise CliError(f"--map: '{m}' must be HEADER=FIELD (or HEADER= to leave the column out)")
        mapping[header] = key.strip() or None

    def make(store, data, today):
        return preview_programs(store, _profile_id(store, args.id), data, today, mapping=mapping or None)

    return _run_import(args, make)


def cmd_rank_list(args: argparse.Namespace) -> int:
    from .programs import load_season, rank_list_csv, rank_list_document, rank_list_text

    today = _today(args.today)
    store = _open_store(args.data_dir)
    pid = _profile_id(store, args.id)
    season = load_season(store, pid, today)
    doc = rank_list_document(season.ranked, season.rank_count, store.profile(pid)["name"], today)
    if args.format == "csv":
        text = "\ufeff" + rank_list_csv(season.ranked)
    elif args.format == "json":
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:
        text = rank_list_text(doc)
    _write_out(text.encode("utf-8"), args.output)
    return 0


def cmd_programs_ics(args: argparse.Namespace) -> int:
    from .programs import ProgramStore
    from .programs_ics import export_program_ics, stored_revisions

    today = _today(args.today)
    store = _open_store(args.data_dir)
    pid = _profile_id(store, args.id)
    data = export_program_ics(ProgramStore(store).list(pid), store.profile(pid)["name"], today, profile_id=pid,
                              revisions=stored_revisions(store, pid, today))
    _write_out(data, args.output)
    return 0


def _counts(values: list[str] | None) -> dict[str, int] | None:
    from .engine.img import SPECIALTIES

    if not values:
        return None
    known = dict(SPECIALTIES)
    out: dict[str, int] = {}
    for v in values:
        spec, sep, n = v.partition("=")
        spec = spec.strip()
        if not sep or spec not in known or not n.strip().isdigit():
            raise CliError(f"--count: '{v}' must be SPECIALTY=NUMBER with a specialty id such as "
                           f"internal_medicine (one of: {', '.join(known)})")
        out[spec] = out.get(spec, 0) + int(n)
    return out


def fees_text(fc, ranks: int | None) -> str:
    from .costs import format_amount

    lines = [f"Application season fees for the {fc.match_year} Match (planning figures):"]
    for ln in fc.lines:
        mark = f"; latest known: {ln.as_of}, not published for this season" if ln.latest_known else ""
        lines.append(f"  {ln.label}  ({ln.rule_id}, {ln.confidence} confidence{mark})")
    for rid in fc.missing:
        lines.append(f"  {rid}: no record found, not in the total")
    for cur, cents in fc.totals().items():
        lines.append(f"Total: {format_amount(cents, cur)}")
    if ranks is None:
        lines.append("(Extra rank fees: give --ranks N, or interview dates on the programs.)")
    return "\n".join(lines) + "\n"


def cmd_program_fees(args: argparse.Namespace) -> int:
    from .costs import Ledger
    from .instance_lock import DataInUseError, InstanceLock
    from .paths import data_paths
    from .programs import ProgramStore, rank_list
    from .programs_fees import add_planned, counts_by_specialty, forecast

    counts = _counts(args.count)
    if args.ranks is not None and args.ranks < 0:
        raise CliError("--ranks must be zero or more")
    lock = None
    if args.add:
        try:
            lock = InstanceLock(data_paths(args.data_dir).ensure().root).acquire()
        except DataInUseError as e:
            raise CliError(str(e), EXIT_IN_USE) from None
    try:
        store = _open_store(args.data_dir)
        pid = _profile_id(store, args.id)
        doc = store.document(pid)
        my = (doc.get("facts") or {}).get("img", {}).get("match_year")
        if not isinstance(my, int):
            raise CliError(f"profile {pid} has no Match year (img: match_year): the fees depend on the season")
        progs = ProgramStore(store).list(pid)
        if counts is None:
            counts = counts_by_specialty(progs)
        ranks = args.ranks if args.ranks is not None else (len(rank_list(progs)) or None)
        fc = forecast(counts, my, ranks=ranks, overrides=doc.get("overrides"))
        if args.format == "json":
            text = json.dumps(fc.to_json(), indent=2, ensure_ascii=False) + "\n"
        else:
            text = fees_text(fc, ranks)
        if args.add:
            ids = add_planned(Ledger(store), pid, fc)
            text += f"Added {plural(len(ids), 'planned cost')} to the ledger" + (
                " (the others were already there)." if len(ids) < len(fc.lines) else ".") + "\n"
        _write_out(text.encode("utf-8"), None)
        return 0
    finally:
        if lock is not None:
            lock.release()


def _program_values(pairs: list[str], specs) -> dict[str, object]:
    from .csv_import import convert
    from .programs_import import _CHOICE_ALIASES

    known = {f.key: f for f in specs if f.kind != "records"}
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or key not in known:
            raise CliError(f"'{pair}' must be KEY=VALUE with KEY one of: {', '.join(known)}")
        if key == "uid":
            raise CliError("uid is set by CertPath")
        v, why = convert(known[key], text.strip(), _CHOICE_ALIASES.get(key))
        if why:
            raise CliError(f"{key}: {why}")
        out[key] = v  # None clears the field
    return out


def cmd_program(args: argparse.Namespace) -> int:
    from .instance_lock import DataInUseError, InstanceLock
    from .paths import data_paths
    from .programs import PROGRAM_FIELDS, SETTINGS_FIELDS, Program, ProgramNotFound, ProgramStore
    from .validate import ValidationError, parse_date

    try:
        lock = InstanceLock(data_paths(args.data_dir).ensure().root).acquire()
    except DataInUseError as e:
        raise CliError(str(e), EXIT_IN_USE) from None
    try:
        store = _open_store(args.data_dir)
        ps = ProgramStore(store)
        try:
            if args.action == "add":
                pid = _profile_id(store, args.target)
                print(ps.add(pid, _program_values(args.values, PROGRAM_FIELDS)))
            elif args.action == "set":
                ps.update(int(args.target), _program_values(args.values, PROGRAM_FIELDS))
            elif args.action == "delete":
                ps.delete(int(args.target))
            elif args.action == "rank":
                if len(args.values) != 1 or not args.values[0].isdigit():
                    raise CliError("rank: give the program id and a position (1 = first)")
                pid = ps.profile_of(int(args.target))
                p: Program
                for i, p in enumerate(ps.move_rank(pid, int(args.target), int(args.values[0])), 1):
                    print(f"{i:>3}. {p.name} (program {p.id})")
            elif args.action == "block":
                if len(args.values) < 2:
                    raise CliError("block: give the profile id, the first and the last day (YYYY-MM-DD), a label")
                start, end = parse_date(args.values[0]), parse_date(args.values[1])
                if start is None or end is None:
                    raise CliError("block: give the first and the last day (YYYY-MM-DD)")
                ps.add_block(_profile_id(store, args.target), start, end, " ".join(args.values[2:]))
            elif args.action == "unblock":
                if len(args.values) != 1 or not args.values[0].isdigit():
                    raise CliError("unblock: give the profile id and the blocked range's number (1 = first)")
                ps.remove_block(_profile_id(store, args.target), int(args.values[0]) - 1)
            else:  # settings
                pid = _profile_id(store, args.target)
                ps.save_settings(pid, {**ps.settings(pid), **_program_values(args.values, SETTINGS_FIELDS)})
        except ValueError as e:
            if isinstance(e, ValidationError):
                raise CliError("nothing was written: " + "; ".join(str(p) for p in e.problems)) from None
            raise CliError(f"nothing was written: {e}") from None
        except (ProgramNotFound, IndexError) as e:
            raise CliError(f"nothing was written: {e}") from None
        return 0
    finally:
        lock.release()


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
    changes = _changes(args.set) if action in ("create", "update") else []
    writes = action in ("create", "update", "rename", "delete", "apply")
    lock = None
    if writes:
        from .instance_lock import DataInUseError, InstanceLock
        from .paths import data_paths

        try:
            lock = InstanceLock(data_paths(args.data_dir).ensure().root).acquire()
        except DataInUseError as e:
            raise CliError(str(e), EXIT_IN_USE) from None
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
                print(f"Saved the scenario “{sc.name}” ({plural(len(sc.changes), 'change')}).")
            elif action == "update":
                sc = update_scenario(store, pid, names[0], changes, today)
                print(f"Updated the scenario “{sc.name}” ({plural(len(sc.changes), 'change')}).")
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

    def dated_output(p: argparse.ArgumentParser) -> None:  # the exports: as of a day, to a file or stdout
        p.add_argument("--today", help="as of this date (YYYY-MM-DD); default: today")
        p.add_argument("-o", "--output", help="write to this file instead of standard output")

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

    p = sub.add_parser("profiles", help="list the profiles in the data file (or: profiles delete ID, profiles set ID)")
    data_dir(p)
    p.set_defaults(func=cmd_profiles)
    psub = p.add_subparsers(dest="profiles_command")
    q = psub.add_parser("delete", help="delete a profile with its documents")
    q.add_argument("id")
    data_dir(q)
    q = psub.add_parser("set", help="change the journeys (tracks) a profile follows and its role")
    q.add_argument("id")
    q.add_argument("--tracks", metavar="T1,T2", help="the tracks, comma-separated (img,bls,pals,acls,nrp,pears)")
    q.add_argument("--role", help="the role id (see the profile format)")
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

    _rules_parser(sub, data_dir)

    p = sub.add_parser("schema", help="print the JSON Schema of the profile format")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("ics", help="print the profile's deadlines, expiries and reminders as .ics")
    p.add_argument("id")
    dated_output(p)
    data_dir(p)
    p.set_defaults(func=cmd_ics)

    p = sub.add_parser("csv", help="print steps, deadlines, documents, costs or programs as CSV")
    p.add_argument("kind", choices=("steps", "deadlines", "documents", "costs", "programs"))
    p.add_argument("id")
    dated_output(p)
    data_dir(p)
    p.set_defaults(func=cmd_csv)

    p = sub.add_parser("reminders", help="list what is overdue, due this week and upcoming")
    p.add_argument("id")
    p.add_argument("--today", help="as of this date (YYYY-MM-DD); default: today")
    p.add_argument("--notify", action="store_true",
                   help="only what is due to be notified now (overdue, or a reminder day) and was not "
                        "shown yet, here or by the window's tray; recorded as shown. Nothing printed: nothing new")
    p.add_argument("--dry-run", action="store_true", help="with --notify: record nothing")
    p.add_argument("--forget-notified", action="store_true",
                   help="forget what was notified: everything due notifies once more")
    data_dir(p)
    p.set_defaults(func=cmd_reminders)

    p = sub.add_parser("search", help="find steps, rules, documents, reminders, costs and profiles (as Edit > Find)")
    p.add_argument("text", help="words; each must begin a word of what is found ('pals ca' finds 'PALS card')")
    p.add_argument("--profile", metavar="ID", help="search this profile's journey and data (default: every profile)")
    p.add_argument("--kind", action="append", choices=("step", "profile", "document", "reminder", "cost", "rule"),
                   help="only hits of this kind (repeatable)")
    p.add_argument("--limit", type=int, default=50, help="at most this many hits (default 50)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--today", help="as of this date (YYYY-MM-DD); default: today")
    data_dir(p)
    p.set_defaults(func=cmd_search)

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
    dated_output(p)
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

    p = sub.add_parser("programs", help="the application season as JSON: programs with their findings, "
                                        "clashes, interview dates, the rank list and the fee forecast")
    p.add_argument("id")
    p.add_argument("--eligible-only", action="store_true", help="list only the programs you are eligible for")
    dated_output(p)
    data_dir(p)
    p.set_defaults(func=cmd_programs)

    p = sub.add_parser("import-programs", help="add or update programs of one profile from a CSV")
    p.add_argument("id", help="the profile id (see `profiles`)")
    p.add_argument("file", help="a CSV file with a header row (see docs/profile-format.md, 'Programs')")
    p.add_argument("--map", action="append", metavar="HEADER=FIELD",
                   help="use the file's column HEADER for the program field FIELD (e.g. 'Sponsorship?=visas'); "
                        "'HEADER=' leaves the column out (repeatable)")
    import_opts(p)
    p.set_defaults(func=cmd_import_programs)

    p = sub.add_parser("rank-list", help="the draft rank order list (programs interviewed at, in your order)")
    p.add_argument("id")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    dated_output(p)
    data_dir(p)
    p.set_defaults(func=cmd_rank_list)

    p = sub.add_parser("programs-ics", help="interviews (timed, with time zones) and reply-by dates as .ics")
    p.add_argument("id")
    dated_output(p)
    data_dir(p)
    p.set_defaults(func=cmd_programs_ics)

    p = sub.add_parser("program-fees", help="the season's ERAS and NRMP fees (from the programs, or --count)")
    p.add_argument("id")
    p.add_argument("--count", action="append", metavar="SPECIALTY=N",
                   help="programs to apply to in a specialty, e.g. internal_medicine=40 (repeatable); "
                        "default: the profile's programs")
    p.add_argument("--ranks", type=int, help="programs on the rank list (default: those interviewed at)")
    p.add_argument("--add", action="store_true", help="add the fees to the cost ledger as planned costs")
    p.add_argument("--format", choices=("text", "json"), default="text")
    data_dir(p)
    p.set_defaults(func=cmd_program_fees)

    p = sub.add_parser("program", help="add, change, delete or rank a program; blocked days and settings")
    p.add_argument("action", choices=("add", "set", "delete", "rank", "block", "unblock", "settings"))
    p.add_argument("target", help="the profile id (add, block, unblock, settings) or the program id (set, "
                                  "delete, rank)")
    p.add_argument("values", nargs="*", help="KEY=VALUE pairs (KEY= clears), or the position, or START END LABEL")
    data_dir(p)
    p.set_defaults(func=cmd_program)

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


def _use_data_folder_rules(args: argparse.Namespace) -> None:
    """Every command uses the rules of its data folder: an installed rule pack, else the bundled rules."""
    from .rulepacks import PackRefused, activate

    try:
        state = activate(_rules_paths(args), trust=_trust(args))
    except PackRefused as e:
        raise _refused(e) from None
    if state.problem and args.command != "rules":
        print(f"warning: {state.problem}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        _use_data_folder_rules(args)
        return args.func(args)
    except CliError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.code
    except BrokenPipeError:
        return 0
    finally:
        _close_opened()
