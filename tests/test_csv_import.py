"""CSV import (core/csv_import.py, roster_import.py, history_import.py) and its commands:
reading what spreadsheets write, a side-effect-free preview naming row and column, one
transaction, exit 2 with nothing written, and the roster export's round trip."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from core.csv_import import CsvError, commit, map_columns, read_csv
from core.history_import import preview_history
from core.roster import RosterFilter, build_roster, filter_rows, roster_csv
from core.roster_import import preview_roster, roster_columns

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 21)


def core_cli(*args):
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def write(tmp_path, text, name="in.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


GOOD = (
    "Name,Role,PALS issue date,PALS body,PALS training center,PALS eCard code,BLS issue date,BLS body\n"
    "José Núñez,nurse_picu,2025-03-10,AHA,Lakeside TC,255123456789,2025-03-01,aha\n"
    "Ana Smith,\"Nurse: NICU, nursery or labour and delivery\",,,,,2024-11-05,Red Cross\n"
)
BAD = GOOD + (
    "Bad Row,nurse_xyz,2026-02-30,AHA,,,10/03/2025,\n"
    "Future Person,pediatrician,2027-01-01,,,,,\n"
    ",pediatrician,,,,,,\n"
)


# --- reading -----------------------------------------------------------------------------------

def test_reads_utf8_with_bom_semicolons_and_comment_lines():
    t = read_csv(("\ufeff# exported 2026-11-21\r\nName;Role\r\nJosé;nurse_picu\r\n\r\n").encode("utf-8"))
    assert (t.header, t.header_row, t.delimiter, t.encoding) == (["Name", "Role"], 2, ";", "UTF-8 (with BOM)")
    assert t.rows == [(3, ["José", "nurse_picu"])]
    assert not t.notes


def test_windows_1252_falls_back_with_a_note():
    t = read_csv("Name,Role\nJosé Núñez,other\n".encode("cp1252"))
    assert t.rows[0][1][0] == "José Núñez" and t.encoding == "Windows-1252"
    assert "Windows-1252" in t.notes[0] and "CSV UTF-8" in t.notes[0]


def test_utf16_and_quoted_line_breaks_keep_spreadsheet_row_numbers():
    t = read_csv("Name\tNote\n\"Two\nlines\"\tx\nNext\ty\n".encode("utf-16"))
    assert t.delimiter == "\t" and [n for n, _ in t.rows] == [2, 3]


@pytest.mark.parametrize("data, words", [
    (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
    (b"", "empty"),
    (b"\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor Windows-1252"),
    (b"Name\x00,Role\n", "NUL"),
])
def test_unreadable_files_say_why(data, words):
    with pytest.raises(CsvError, match=words):
        read_csv(data)


def test_headers_match_aliases_ignoring_case_accents_and_punctuation():
    t = read_csv(b"Full Name,ROLE,pals-Issued (YYYY-MM-DD),Pals_Body,PALS TC,pals_days_left,Favourite colour\n")
    m = map_columns(t, roster_columns())
    assert m.index == {"name": 0, "role": 1, "pals_issue_date": 2, "pals_body": 3, "pals_training_center": 4}
    assert m.ignored == ["Favourite colour"] and not m.problems  # pals_days_left: computed, ignored silently


def test_missing_or_doubled_columns_are_file_problems(store):
    p = preview_roster(store, b"Role,PALS issue date,PALS issued\nother,2025-01-01,2025-01-01\n", TODAY)
    msgs = [str(x) for x in p.problems]
    assert any("no 'Name' column" in m for m in msgs)
    assert any("column 'PALS issued'" in m and "same column as 'PALS issue date'" in m for m in msgs)
    assert p.valid_rows == [] and not p.ok


# --- the roster import: preview, problems, nothing written -------------------------------------

def test_preview_names_row_and_column_and_writes_nothing(store):
    before = store.db.conn.total_changes
    p = preview_roster(store, BAD.encode(), TODAY)
    assert store.db.conn.total_changes == before and store.list_profiles() == []
    by_row = {r.row: r for r in p.rows}
    assert by_row[2].ok and by_row[3].ok
    probs = {(x.row, x.column): x.message for x in p.all_problems}
    assert "not a known role" in probs[(4, "Role")]
    assert "February 2026 has 28 days" in probs[(4, "PALS issue date")]
    assert "day and month could be either way round" in probs[(4, "BLS issue date")]
    assert "in the future" in probs[(5, "PALS issue date")]
    assert "Name is required" in probs[(6, "Name")]
    assert len(p.valid_rows) == 2


def test_commit_writes_the_valid_rows_in_one_transaction(store):
    p = preview_roster(store, BAD.encode(), TODAY)
    print(commit(store, p, TODAY))
    people = {x["name"]: x for x in store.list_profiles()}
    assert set(people) == {"José Núñez", "Ana Smith"}
    jose = store.document(people["José Núñez"]["id"])
    assert jose["role"] == "nurse_picu" and jose["tracks"] == ["bls", "pals"]
    assert jose["facts"]["pals.card"] == {"issue_date": "2025-03-10", "ecard_code": "255123456789"}
    assert jose["facts"]["pals.enroll"] == {"body": "aha", "training_center": "Lakeside TC"}
    assert store.document(people["Ana Smith"]["id"])["role"] == "nurse_nicu"  # by its label
    row = build_roster(store, TODAY).row(people["Ana Smith"]["id"])
    assert row.cells["bls"].body == "red_cross" and row.cells["bls"].expires == dt.date(2026, 11, 5)


def test_a_failure_during_commit_writes_nothing(store, monkeypatch):
    many = "Name,BLS issue date\n" + "".join(f"P{i},2025-0{1 + i % 9}-01\n" for i in range(20))
    p = preview_roster(store, many.encode(), TODAY)
    assert p.ok
    real, n = store.create_profile, []

    def flaky(*a, **k):
        n.append(1)
        if len(n) == 15:
            raise OSError("disk went away")
        return real(*a, **k)

    monkeypatch.setattr(store, "create_profile", flaky)
    with pytest.raises(OSError):
        commit(store, p, TODAY)
    assert store.list_profiles() == []


def test_match_existing_by_name_updates_and_a_newer_card_keeps_the_old_one(store):
    pid = store.create_profile("Jose Nunez", "other", ["pals"], {
        "pals.card": {"issue_date": "2023-03-08", "ecard_code": "235111111111"},
        "pals.enroll": {"body": "aha", "course_start": "2023-03-08", "course_end": "2023-03-08"},
        "pals.exam": {"exam_score": 90}, "pals.renewal": {"renewal_course_date": "2025-03-10"}})
    p = preview_roster(store, GOOD.encode(), TODAY)  # "José Núñez" matches "Jose Nunez"
    assert p.rows[0].target == pid and p.rows[0].action == "update"
    assert p.rows[1].target is None and p.rows[1].action == "create"
    commit(store, p, TODAY)
    doc = store.document(pid)
    assert doc["name"] == "Jose Nunez" and doc["role"] == "nurse_picu" and doc["tracks"] == ["pals", "bls"]
    card = doc["facts"]["pals.card"]
    assert card["issue_date"] == "2025-03-10"
    assert card["past_cards"] == [{"body": "aha", "issue_date": "2023-03-08", "ecard_code": "235111111111"}]
    assert "pals.exam" not in doc["facts"] and "pals.renewal" not in doc["facts"]  # the old course's steps
    again = preview_roster(store, GOOD.encode(), TODAY)
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"]  # importing twice changes nothing


def test_match_problems_same_name_twice(store):
    store.create_profile("Kim Lee", "other", [])
    store.create_profile("kim lee", "other", [])
    p = preview_roster(store, b"Name\nKim Lee\nNew One\nnew one\n", TODAY)
    probs = {(x.row, x.column): x.message for x in p.all_problems}
    assert "2 profiles are named 'Kim Lee'" in probs[(2, "Name")]
    assert "also on row 3" in probs[(4, "Name")]
    new = preview_roster(store, b"Name\nKim Lee\n", TODAY, match_existing="new")
    assert new.ok and new.rows[0].target is None


def test_sheet_expiry_is_checked_against_the_engine(store):
    text = "Name,PALS issue date,PALS expires\nA,2025-03-10,2027-03-31\nB,2025-03-10,2027-03-10\nC,,2027-03-10\n"
    p = preview_roster(store, text.encode(), TODAY)
    assert p.rows[0].ok and not p.rows[0].warnings
    assert p.rows[1].ok and "CertPath computes 2027-03-31" in p.rows[1].warnings[0].message
    assert "issue date is needed" in p.rows[2].problems[0].message and p.rows[2].problems[0].column == "PALS issue date"


def test_card_rules_from_the_step_pages_apply(store):
    p = preview_roster(store, b"Name,NRP issue date,NRP body,PALS issue date,PALS body\nA,2025-01-10,AHA,2025-01-10,AAP\n",
                       TODAY)
    probs = {x.column: x.message for x in p.all_problems}
    assert "NRP cards are issued by the AAP" in probs["NRP body"]
    assert "the AAP issues NRP, not PALS" in probs["PALS body"]


# --- the commands ------------------------------------------------------------------------------

def test_import_roster_command_exit_2_names_row_and_column_and_writes_nothing(tmp_path):
    f = write(tmp_path, BAD)
    r = core_cli("import-roster", f, "--data-dir", tmp_path / "d", "--today", "2026-11-21")
    assert r.returncode == 2
    assert "row 4, column 'Role'" in r.stderr and "nothing was written" in r.stderr
    assert "row 5, column 'PALS issue date'" in r.stderr
    r = core_cli("profiles", "--data-dir", tmp_path / "d")
    assert r.returncode == 0 and r.stdout == ""


def test_import_roster_dry_run_then_import_then_skip_invalid(tmp_path):
    d = tmp_path / "d"
    good = write(tmp_path, GOOD, "good.csv")
    r = core_cli("import-roster", good, "--data-dir", d, "--dry-run", "--today", "2026-11-21")
    assert r.returncode == 0 and "row 2: new" in r.stdout and "Dry run: nothing was written" in r.stdout
    assert core_cli("profiles", "--data-dir", d).stdout == ""
    r = core_cli("import-roster", good, "--data-dir", d, "--today", "2026-11-21")
    assert r.returncode == 0 and "2 new profiles" in r.stdout
    bad = write(tmp_path, BAD, "bad.csv")
    r = core_cli("import-roster", bad, "--data-dir", d, "--skip-invalid", "--today", "2026-11-21")
    assert r.returncode == 0 and "0 new profiles" in r.stdout and "2 unchanged" in r.stdout
    assert "row 4, column 'Role'" in r.stderr
    assert len(core_cli("profiles", "--data-dir", d).stdout.splitlines()) == 2


def test_import_refuses_while_the_app_has_the_folder_open(tmp_path):
    from core.instance_lock import InstanceLock

    d = tmp_path / "d"
    with InstanceLock(d):
        r = core_cli("import-roster", write(tmp_path, GOOD), "--data-dir", d)
    assert r.returncode == 4 and "already open" in r.stderr  # 4: in use by another CertPath (cli help)


def test_roster_export_round_trip_gives_the_same_roster(tmp_path):
    from core.db import open_database
    from core.paths import data_paths
    from core.store import Store

    src = Store(open_database(data_paths(tmp_path / "src").ensure().db))
    src.create_profile("José Núñez", "nurse_picu", ["bls", "pals"], {
        "bls.card": {"issue_date": "2025-03-10", "ecard_code": "255123456789"},
        "bls.enroll": {"body": "aha", "training_center": "Lakeside, \"North\" TC"},
        "pals.card": {"issue_date": "2024-11-02"}})
    src.create_profile("=Ana Smith", "nurse_nicu", ["bls", "nrp"], {
        "bls.card": {"issue_date": "2024-11-05"}, "bls.enroll": {"body": "red_cross"},
        "nrp.card": {"issue_date": "2025-01-05"}, "nrp.enroll": {"course_start": "2024-12-30", "course_end": "2024-12-30"}})
    src.create_profile("Li Wei", "pediatrician", ["acls"], {
        "acls.card": {"issue_date": "2025-06-01"}, "acls.enroll": {"body": "other"}})
    src.create_profile("Zoë Adams", "other", [])
    before = build_roster(src, TODAY)
    f = tmp_path / "roster.csv"
    f.write_text(roster_csv(before, before.rows), encoding="utf-8", newline="")
    r = core_cli("import-roster", f, "--data-dir", tmp_path / "dst", "--today", "2026-11-21")
    assert r.returncode == 0, r.stderr
    dst = Store(open_database(data_paths(tmp_path / "dst").db))
    after = build_roster(dst, TODAY)

    def view(roster):
        return sorted((row.name, row.role, row.missing, tuple(
            (c, cell.state, cell.expires, cell.issued, cell.body, cell.training_center, cell.ecard_code,
             cell.course_date, cell.card_status) for c, cell in sorted(row.cells.items())))
            for row in roster.rows)

    assert view(after) == view(before)
    assert after.rules == before.rules
    # and as filtered: the expired subset exports the same rows again
    flt = RosterFilter(expired=True)
    assert [r.name for r in filter_rows(after, flt)] == [r.name for r in filter_rows(before, flt)] == ["=Ana Smith"]


# --- card history and exam attempts into one profile -------------------------------------------

CARDS = ("Card,Issue date,Body,Valid through,eCard code,Training center\n"
         "PALS,2021-03-10,AHA,,,\n"
         "PALS,2023-03-08,AHA,2025-03-31,,Old TC\n"
         "PALS,2025-03-10,AHA,2027-03-30,255123456789,Lakeside\n"
         "BLS,2024-02-29,Red Cross,,,\n"
         "CPR,2024-01-01,,,,\n"
         "ACLS,2024-05-01,AAP,,,\n")


def test_card_history_preview_and_commit(store):
    pid = store.create_profile("A", "nurse_picu", ["bls"], {"bls.card": {"issue_date": "2024-11-05"},
                                                             "bls.enroll": {"body": "red_cross"}})
    p = preview_history(store, pid, CARDS.encode(), TODAY, kind="cards")
    probs = {(x.row, x.column): x.message for x in p.all_problems}
    assert "'CPR' is not a card" in probs[(6, "Card")]
    assert "AAP does not issue ACLS" in probs[(7, "Body")] or "AAP issues NRP" in probs[(7, "Body")]
    ok = {r.row: r for r in p.rows if r.ok}
    assert set(ok) == {2, 3, 4, 5}
    notes = " | ".join(w.message for w in ok[4].warnings)  # the newest PALS card: the current one
    assert "CertPath computes 2027-03-31" in notes and "adds the PALS journey" in notes
    assert not ok[2].warnings
    assert store.document(pid)["facts"].keys() == {"bls.card", "bls.enroll"}  # nothing written yet
    commit(store, p, TODAY)
    doc = store.document(pid)
    assert doc["tracks"] == ["bls", "pals"]
    pals = doc["facts"]["pals.card"]
    assert pals["issue_date"] == "2025-03-10" and pals["ecard_code"] == "255123456789"
    assert [c["issue_date"] for c in pals["past_cards"]] == ["2021-03-10", "2023-03-08"]
    assert pals["past_cards"][1] == {"issue_date": "2023-03-08", "body": "aha", "expires": "2025-03-31",
                                     "training_center": "Old TC"}
    assert doc["facts"]["pals.enroll"] == {"body": "aha", "training_center": "Lakeside"}
    # the older BLS card went to the history; the current one stays
    assert doc["facts"]["bls.card"] == {"issue_date": "2024-11-05",
                                        "past_cards": [{"issue_date": "2024-02-29", "body": "red_cross"}]}
    again = preview_history(store, pid, CARDS.encode(), TODAY, kind="cards")
    assert [r.action for r in again.rows if r.ok] == ["unchanged"] * 4


ATTEMPTS = ("Exam;Test date;Result;Score;Result date\n"
            "Step 1;2021-05-10;pass;;2021-06-01\n"
            "USMLE Step 2 CK;2025-01-15;fail;205;2025-02-05\n"
            "step2ck;2025-06-15;Passed;241;2025-07-01\n"
            "Step 3;2026-10-01;pass;;2026-09-01\n"
            "Step 4;2026-01-01;pass;;\n"
            "Step 3;2026-03-01;maybe;abc;\n")


def test_attempts_import_validates_like_the_step_page(store):
    pid = store.create_profile("I", "img_physician", ["img"], {
        "usmle.step2ck": {"attempts": [{"date": "2025-01-15", "result": "fail"}]}})
    p = preview_history(store, pid, ATTEMPTS.encode("cp1252"), TODAY, kind="attempts")
    probs = {(x.row, x.column): x.message for x in p.all_problems}
    assert "before the test date" in probs[(5, "Result date")]
    assert "not a USMLE exam" in probs[(6, "Exam")]
    assert "'maybe' is not one of" in probs[(7, "Result")] and "'abc' is not a whole number" in probs[(7, "Score")]
    actions = {r.row: r.action for r in p.rows if r.ok}
    assert actions == {2: "create", 3: "update", 4: "create"}  # 2025-01-15 was recorded: the score is added
    commit(store, p, TODAY)
    facts = store.document(pid)["facts"]
    assert facts["usmle.step2ck"]["attempts"] == [
        {"date": "2025-01-15", "result": "fail", "score": 205, "result_date": "2025-02-05"},
        {"date": "2025-06-15", "result": "pass", "score": 241, "result_date": "2025-07-01"}]
    assert facts["usmle.step1"]["attempts"] == [{"date": "2021-05-10", "result": "pass", "result_date": "2021-06-01"}]
    assert "usmle.step3" not in facts


def test_import_csv_command(tmp_path):
    d = tmp_path / "d"
    r = core_cli("import-roster", write(tmp_path, "Name,Role\nI,img_physician\n", "p.csv"), "--data-dir", d)
    assert r.returncode == 0, r.stderr
    f = write(tmp_path, ATTEMPTS, "a.csv")
    r = core_cli("import-csv", "1", f, "--kind", "attempts", "--data-dir", d, "--today", "2026-11-21")
    assert r.returncode == 2 and "row 5, column 'Result date'" in r.stderr and "nothing was written" in r.stderr
    r = core_cli("export", "1", "--data-dir", d)
    assert "usmle" not in r.stdout
    r = core_cli("import-csv", "1", f, "--kind", "attempts", "--data-dir", d, "--today", "2026-11-21",
                 "--skip-invalid")
    assert r.returncode == 0 and "Imported 3 rows into profile 1" in r.stdout, r.stderr
    assert "usmle.step2ck" in core_cli("export", "1", "--data-dir", d).stdout
    r = core_cli("import-csv", "9", f, "--kind", "cards", "--data-dir", d)
    assert r.returncode == 2 and "no profile with id 9" in r.stderr


def test_a_profile_changed_between_preview_and_commit_is_not_overwritten(store):
    from core.validate import ValidationError

    pid = store.create_profile("José Núñez", "other", [])
    p = preview_roster(store, GOOD.encode(), TODAY)
    h = preview_history(store, pid, CARDS.encode(), TODAY, kind="cards")
    store.update_profile(pid, role="pediatrician")  # e.g. edited in another window
    with pytest.raises(ValidationError, match="changed after the preview"):
        commit(store, p, TODAY)
    with pytest.raises(ValidationError, match="changed after the preview"):
        commit(store, h, TODAY)
    assert [x["name"] for x in store.list_profiles()] == ["José Núñez"]
    assert store.document(pid)["facts"] == {}


@pytest.mark.parametrize("args", [
    ["program", "add", "1", "name=Mercy", "specialty=IM"],
    ["program-fees", "1", "--count", "internal_medicine=40", "--add"],
    ["import-csv", "1", "HISTORY", "--kind", "cards"],
])
def test_every_writing_command_exits_4_while_the_app_has_the_folder_open(tmp_path, args):
    # the CLI help's exit table: 4 = the data is in use by another CertPath (the instance lock)
    from core.instance_lock import InstanceLock

    d = tmp_path / "d"
    history = write(tmp_path, "Card,Issue date\nPALS,2025-01-10\n", "h.csv")
    with InstanceLock(d):
        r = core_cli(*[str(history) if a == "HISTORY" else a for a in args], "--data-dir", d)
    assert r.returncode == 4 and "already open" in r.stderr, r.stderr
