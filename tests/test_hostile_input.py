"""Hostile input is refused with a clear message and nothing is written; no input crashes the checks."""

import datetime as dt
import hashlib
import json
import math
import os
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import backup, dates
from core.db import open_database
from core.engine.base import FieldSpec
from core.paths import DataPaths
from core.profiles import MAX_DOCUMENT_BYTES, parse_document
from core.store import Store
from core.validate import ValidationError, check_fields, parse_date

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 11, 21, 12, 0, 0)
TODAY = NOW.date()


# -- archives ------------------------------------------------------------------------------------
@pytest.fixture
def paths(data_dir):
    p = DataPaths(data_dir).ensure()
    db = open_database(p.db)
    Store(db).create_profile("Mine", "other", [])
    db.close()
    return p


def _snapshot_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(root.rglob("*"))}


def _good_db(tmp_path) -> bytes:
    src = tmp_path / "src" / "certpath.sqlite3"
    src.parent.mkdir(exist_ok=True)
    db = open_database(src)
    Store(db).create_profile("From the archive", "other", [])
    db.close()
    out = tmp_path / "src" / "snap.sqlite3"
    backup.snapshot_file(src, out)
    return out.read_bytes()


def _archive(path: Path, members: dict[str, bytes], *, manifest=True, extra_infos=()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for zi, data in extra_infos:
            zf.writestr(zi, data)
        if manifest:
            files = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in members.items()}
            files.update({zi.filename: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                          for zi, d in extra_infos})
            zf.writestr("manifest.json", json.dumps({"format": "certpath-backup/1", "files": files}))
    return path


def _refused(paths, archive, match):
    before = _snapshot_tree(paths.root)
    with pytest.raises(backup.RestoreRefused, match=match):
        backup.restore_archive(paths, archive, now=NOW)
    assert _snapshot_tree(paths.root) == before  # nothing written


def test_traversal_and_absolute_names_are_refused(paths, tmp_path):
    db = _good_db(tmp_path)
    for name, why in [("../evil.txt", r"outside the backup"), ("vault/../../evil", r"outside the backup"),
                      ("/etc/evil", "absolute path"), ("C:/evil", "absolute path"),
                      ("vault\\..\\evil", "invalid name"), ("notes.txt", "not part of a CertPath backup")]:
        a = _archive(tmp_path / "a.zip", {"certpath.sqlite3": db, name: b"x"})
        _refused(paths, a, why)
        assert not (tmp_path / "evil.txt").exists()


def test_symlink_entry_is_refused(paths, tmp_path):
    zi = zipfile.ZipInfo("vault/ab/" + "ab" * 32)
    zi.external_attr = (stat.S_IFLNK | 0o777) << 16
    a = _archive(tmp_path / "a.zip", {"certpath.sqlite3": _good_db(tmp_path)}, extra_infos=[(zi, b"/etc/passwd")])
    _refused(paths, a, "symbolic link")


def test_thousands_of_entries_are_refused(paths, tmp_path, monkeypatch):
    """The count is read from the ZIP's end record before its directory is; the real limit
    (500,000) admits any archive CertPath writes (test_backup's 10,000 and 50,000 documents)."""
    monkeypatch.setattr(backup, "MAX_ENTRIES", 2_000)
    a = tmp_path / "many.zip"
    with zipfile.ZipFile(a, "w", zipfile.ZIP_STORED) as zf:
        for i in range(backup.MAX_ENTRIES + 1):
            zf.writestr(f"vault/00/{i:064x}", b"")
    _refused(paths, a, "entries")


def test_compression_bomb_with_honest_sizes_is_refused(paths, tmp_path):
    a = tmp_path / "bomb.zip"
    with zipfile.ZipFile(a, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("certpath.sqlite3", _good_db(tmp_path))
        with zf.open("vault/00/" + "0" * 64, "w", force_zip64=True) as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(200):  # a 200 MB member that compresses to ~200 kB
                f.write(chunk)
    assert a.stat().st_size < 2 * 1024 * 1024
    _refused(paths, a, "MB")


def _patch_declared_size(path: Path, name: str, new_size: int) -> None:
    """Make the central directory (and local header) claim `name` is `new_size` bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        zi = zf.getinfo(name)
    # local header: uncompressed size at offset 22
    struct.pack_into("<I", data, zi.header_offset + 22, new_size)
    # central directory entry: find its signature followed by this name
    i = data.find(b"PK\x01\x02")
    while i != -1:
        n = struct.unpack_from("<H", data, i + 28)[0]
        if bytes(data[i + 46:i + 46 + n]) == name.encode():
            struct.pack_into("<I", data, i + 24, new_size)
            break
        i = data.find(b"PK\x01\x02", i + 4)
    path.write_bytes(bytes(data))


def test_compression_bomb_lying_about_its_size_is_stopped_while_extracting(paths, tmp_path):
    payload = b"\0" * (20 * 1024 * 1024)
    name = "vault/" + hashlib.sha256(payload).hexdigest()[:2] + "/" + hashlib.sha256(payload).hexdigest()
    a = _archive(tmp_path / "liar.zip", {"certpath.sqlite3": _good_db(tmp_path), name: payload})
    _patch_declared_size(a, name, 1000)
    with zipfile.ZipFile(a) as zf:
        assert zf.getinfo(name).file_size == 1000
    _refused(paths, a, "more than it says|does not match|damaged")


def test_not_a_zip_and_incomplete_archives_are_refused(paths, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(os.urandom(4096))
    _refused(paths, junk, "not a ZIP")
    _refused(paths, _archive(tmp_path / "nodb.zip", {}), "no database")
    _refused(paths, _archive(tmp_path / "nomani.zip", {"certpath.sqlite3": _good_db(tmp_path)}, manifest=False),
             "no manifest")
    _refused(paths, _archive(tmp_path / "fake.zip", {"certpath.sqlite3": b"not sqlite" * 100}),
             "not a CertPath data file|damaged")
    # a member whose bytes do not match the manifest
    a = tmp_path / "tampered.zip"
    db = _good_db(tmp_path)
    with zipfile.ZipFile(a, "w") as zf:
        zf.writestr("certpath.sqlite3", db)
        zf.writestr("manifest.json", json.dumps({"format": "certpath-backup/1", "files": {
            "certpath.sqlite3": {"sha256": "0" * 64, "size": len(db)}}}))
    _refused(paths, a, "checksum")


def test_newer_version_database_inside_is_refused(paths, tmp_path):
    import sqlite3

    db_file = tmp_path / "newer.sqlite3"
    db_file.write_bytes(_good_db(tmp_path))
    conn = sqlite3.connect(str(db_file))
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    a = _archive(tmp_path / "newer.zip", {"certpath.sqlite3": db_file.read_bytes()})
    _refused(paths, a, "newer version")


def test_a_newer_archive_format_is_refused(paths, tmp_path):
    a = tmp_path / "v2.zip"
    with zipfile.ZipFile(a, "w") as zf:
        zf.writestr("certpath.sqlite3", _good_db(tmp_path))
        zf.writestr("manifest.json", json.dumps({"format": "certpath-backup/2", "files": {}}))
    _refused(paths, a, "newer CertPath")


# -- profiles ------------------------------------------------------------------------------------
def _doc(**over):
    d = {"format": "certpath-profile/1", "name": "Ana", "role": "other", "tracks": ["pals"], "facts": {},
         "overrides": {}}
    d.update(over)
    return d


BAD_PROFILES = [
    ('{"format": "certpath-profile/1", "name": "A', "(file)", "not valid JSON"),
    ("", "(file)", "not valid JSON"),
    ("[1, 2", "(file)", "not valid JSON"),
    ('"just text"', "(document)", "JSON object"),
    (json.dumps(_doc(name=["A"])), "name", "non-empty text"),
    (json.dumps(_doc(tracks="pals")), "tracks", "list of track ids"),
    (json.dumps(_doc(facts=[])), "facts", "object"),
    (json.dumps(_doc(facts={"pals.exam": {"exam_score": "ninety"}})), "facts.pals.exam.exam_score", "number"),
    (json.dumps(_doc(facts={"pals.exam": {"exam_score": 10**400}})), "facts.pals.exam.exam_score", "not an allowed number"),
    (json.dumps(_doc(facts={"bls.attend": {"hours": 10**400}})), "facts.bls.attend.hours", "not an allowed number"),
    (json.dumps(_doc(facts={"pals.exam": {"exam_score": 1}})).replace(": 1}", ": 1e309}"),
     "facts.pals.exam.exam_score", "1e309"),
    (json.dumps(_doc(facts={"pals.exam": {"exam_score": 1}})).replace(": 1}", ": NaN}"),
     "facts.pals.exam.exam_score", "NaN"),
    (json.dumps(_doc(overrides={"x": {"value": 1}})).replace('"value": 1', '"value": -Infinity'),
     "overrides.x.value", "Infinity"),
    (json.dumps(_doc(name="\ud800")), "name", "not valid Unicode"),
    ('{"a":' * 100_000 + "1" + "}" * 100_000, "(file)", "nested too deeply"),
    (json.dumps(_doc(facts={"pals.exam": {"a": [[[[[[[[[[[[[1]]]]]]]]]]]]]}})), "(document)", "nested more than"),
    ('{"n": ' + "9" * 5000 + "}", "n", "digits"),
]


@pytest.mark.parametrize("text,field,message", BAD_PROFILES, ids=range(len(BAD_PROFILES)))
def test_bad_profiles_are_refused_naming_the_field(text, field, message):
    with pytest.raises(ValidationError) as e:
        parse_document(text, TODAY)
    assert any(p.field == field and message in p.message for p in e.value.problems), e.value.problems
    str(e.value).encode("utf-8")  # the message itself can be printed


def test_200_mb_profile_is_refused_by_the_parser():
    big = b'{"name": "' + b"a" * (200 * 1024 * 1024) + b'"}'
    with pytest.raises(ValidationError, match="too large"):
        parse_document(big, TODAY)
    assert len(big) > MAX_DOCUMENT_BYTES


def _row_counts(data_dir):
    import sqlite3

    db = data_dir / "certpath.sqlite3"
    if not db.exists():
        return None
    conn = sqlite3.connect(str(db))
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("profiles", "facts", "overrides"))
    finally:
        conn.close()


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_cli_import_refuses_hostile_profiles_and_writes_nothing(tmp_path, data_dir):
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps(_doc()))
    r = _cli("import", str(ok), "--data-dir", str(data_dir))
    assert r.returncode == 0, r.stderr
    before = _row_counts(data_dir)
    assert before[0] == 1
    big = tmp_path / "big.json"
    with open(big, "wb") as f:  # a sparse 200 MB file: the size check comes before any read
        f.truncate(200 * 1024 * 1024)
    cases = [(big, "too large")]
    for i, (text, field, _message) in enumerate(BAD_PROFILES[:14]):
        p = tmp_path / f"bad{i}.json"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        cases.append((p, field))
    for path, needle in cases:
        r = _cli("import", str(path), "--data-dir", str(data_dir))
        assert r.returncode == 2, (path, r.stdout, r.stderr)
        assert needle in r.stderr, (path, r.stderr)
        assert "Traceback" not in r.stderr
    assert _row_counts(data_dir) == before


# -- property tests --------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values)
def test_importer_never_crashes_on_any_json(value):
    try:
        text = json.dumps(value)
    except (ValueError, UnicodeEncodeError):
        return
    try:
        parse_document(text, TODAY)
    except ValidationError:
        pass


@settings(max_examples=150, deadline=None)
@given(facts=st.dictionaries(st.sampled_from(["pals.exam", "bls.card", "bls.attend", "pals", "usmle.step1",
                                              "img", "nope"]),
                             st.dictionaries(st.sampled_from(["exam_score", "exam_date", "hours", "past_cards",
                                                              "issue_date", "body", "x"]), json_values,
                                             max_size=4), max_size=4),
       name=st.one_of(st.text(max_size=30), json_values))
def test_importer_never_crashes_on_profile_shaped_json(facts, name):
    try:
        text = json.dumps({"format": "certpath-profile/1", "name": name, "tracks": ["img", "pals", "bls"],
                           "facts": facts})
    except (ValueError, UnicodeEncodeError):
        return
    try:
        doc = parse_document(text, TODAY)
    except ValidationError:
        return
    json.dumps(doc, allow_nan=False)  # whatever is accepted is plain, finite JSON


def _spec_strategy():
    simple = st.builds(
        FieldSpec, key=st.sampled_from(["a", "b", "c"]), label=st.text(min_size=1, max_size=5),
        kind=st.sampled_from(["text", "date", "int", "float", "bool", "choice"]), required=st.booleans(),
        choices=st.lists(st.tuples(st.text(max_size=3), st.text(max_size=3)), max_size=3).map(tuple),
        minimum=st.none() | st.floats(-1e6, 1e6), maximum=st.none() | st.floats(-1e6, 1e6))
    records = st.builds(FieldSpec, key=st.just("r"), label=st.just("Records"), kind=st.just("records"),
                        fields=st.lists(simple, max_size=3).map(tuple))
    return st.lists(simple | records, max_size=4).map(tuple)


# Values as a form or an accepted import can hold them: JSON numbers within the importer's range.
form_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.floats(allow_nan=True) | st.text(max_size=20)
    | st.dates().map(dt.date.isoformat),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c", "z"]),
                                                                      children, max_size=3),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(specs=_spec_strategy(), data=st.dictionaries(st.sampled_from(["a", "b", "c", "r", "z"]), form_values))
def test_check_fields_never_crashes(specs, data):
    out = []
    check_fields(specs, data, "", out)
    for p in out:
        assert isinstance(p.field, str) and p.message


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none(), st.dates(), st.datetimes()))
def test_parse_date_only_raises_value_error(value):
    try:
        d = parse_date(value)
    except ValueError:
        return
    assert d is None or isinstance(d, dt.date)


dates_in_range = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))


@settings(max_examples=300, deadline=None)
@given(d=st.dates(), n=st.integers(-(10**6), 10**6))
def test_month_and_year_arithmetic_never_crashes(d, n):
    for fn in (dates.add_months, dates.add_years_same_day):
        try:
            r = fn(d, n)
        except OverflowError:
            continue  # out of the calendar's range: a clear refusal, not a crash
        assert isinstance(r, dt.date)
    if dt.date(1, 3, 1) <= d <= dt.date(9998, 10, 1):
        assert dates.add_months(d, 1) > d


@settings(max_examples=300, deadline=None)
@given(a=dates_in_range, b=dates_in_range, n=st.integers(-400, 400))
def test_date_rules_properties(a, b, n):
    assert dates.months_between(a, b) == -dates.months_between(b, a)
    m = dates.months_between(a, b)
    if a <= b:
        assert dates.add_months(a, m) <= b
    assert dates.end_of_month(a).month == a.month
    bd = dates.add_business_days(a, n)
    assert dates.is_business_day(bd) or n == 0
    assert math.copysign(1, (bd - a).days or 1) == (1 if n >= 0 else -1) or n == 0


def test_check_fields_survives_integers_beyond_float_range():
    """Regression: a 400-digit int used to overflow while the message was being written."""
    from core.engine.base import FieldSpec
    from core.validate import check_fields

    out = []
    check_fields((FieldSpec("score", "Score", "int", minimum=0, maximum=100),), {"score": 10**400}, "", out)
    assert len(out) == 1 and out[0].field == "score" and "not a sensible number" in out[0].message
    out = []
    check_fields((FieldSpec("score", "Score", "int", minimum=0, maximum=100),), {"score": -(10**12)}, "", out)
    assert "between 0 and 100" in out[0].message
