"""The document vault: dedupe, size cap, odd names, missing and altered files, remove."""

import datetime as dt
import os

import pytest

from core import vault as vault_mod
from core.paths import data_paths
from core.vault import ALTERED, MISSING, OK, Vault, VaultError, blob_path, safe_file_name, unique_names

ODD_NAMES = [
    "شهادة التخرج.pdf",  # Arabic
    "प्रमाणपत्र.pdf",  # Devanagari
    "医師免許証.pdf",  # CJK
    "a" * 300 + ".pdf",  # very long
    "a/b\\c.pdf",  # path separators: data, never a path
    "../../etc/passwd",
    "CON.txt",
]


@pytest.fixture
def setup(store, data_dir):
    pid = store.create_profile("Amara", "img", ["img"])
    return store, Vault(store.db, data_paths(data_dir)), pid


def _file(tmp_path, name="diploma.pdf", data=b"%PDF-1.4 diploma"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_attach_copies_under_sha256_and_keeps_the_original(setup, tmp_path, today):
    store, v, pid = setup
    src = _file(tmp_path)
    before = (src.read_bytes(), src.stat().st_mtime_ns)
    res = v.attach(pid, "ecfmg.school", src, today, expires=dt.date(2030, 1, 1))
    d = res.document
    assert res.new_bytes and not res.already_attached
    assert (src.read_bytes(), src.stat().st_mtime_ns) == before  # the original never changes
    p = blob_path(v.paths, d.sha256)
    assert p.parent.name == d.sha256[:2] and p.read_bytes() == src.read_bytes()
    assert (d.original_name, d.mime, d.size, d.added_at, d.expires) == (
        "diploma.pdf", "application/pdf", src.stat().st_size, "2026-11-21", dt.date(2030, 1, 1))
    assert v.list(pid, "ecfmg.school") == [d] and v.list(pid, "usmle.step1") == []
    assert v.verify(d) == OK
    assert not list(v.paths.vault.glob("*/.incoming-*")) and not list(v.paths.vault.glob(".incoming-*"))


def test_same_file_twice_is_stored_once(setup, tmp_path, today):
    store, v, pid = setup
    a = _file(tmp_path, "a.pdf", b"same bytes")
    b = _file(tmp_path, "copy of a.pdf", b"same bytes")
    r1 = v.attach(pid, "ecfmg.school", a, today)
    r2 = v.attach(pid, "ecfmg.credentials", b, today)
    r3 = v.attach(pid, "ecfmg.school", a, today)
    assert r1.new_bytes and not r2.new_bytes
    assert r3.already_attached and r3.document.id == r1.document.id
    assert len([p for p in v.paths.vault.rglob("*") if p.is_file()]) == 1
    assert store.db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1
    assert len(v.list(pid)) == 2
    # removing one keeps the bytes for the other; removing the last removes them
    assert v.remove(r1.document.id) is False
    assert blob_path(v.paths, r1.document.sha256).exists()
    assert v.remove(r2.document.id) is True
    assert not blob_path(v.paths, r1.document.sha256).exists()
    assert store.db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 0


def test_size_cap_with_a_sparse_file(setup, tmp_path, today):
    store, v, pid = setup
    big = tmp_path / "scan.pdf"
    with big.open("wb") as f:
        f.truncate(vault_mod.MAX_BYTES + 1)  # sparse: no disk space used
    with pytest.raises(VaultError, match="over 50 MB"):
        v.attach(pid, "ecfmg.school", big, today)
    ok = tmp_path / "exact.pdf"
    with ok.open("wb") as f:
        f.truncate(1000)
    small = Vault(store.db, v.paths, max_bytes=999)
    with pytest.raises(VaultError, match="cannot be attached"):
        small.attach(pid, "ecfmg.school", ok, today)
    assert v.list(pid) == []


def test_folder_missing_and_unreadable_are_refused(setup, tmp_path, today):
    store, v, pid = setup
    with pytest.raises(VaultError, match="is a folder"):
        v.attach(pid, "ecfmg.school", tmp_path, today)
    with pytest.raises(VaultError, match="not found"):
        v.attach(pid, "ecfmg.school", tmp_path / "nope.pdf", today)
    locked = _file(tmp_path, "locked.pdf")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user who can read anything (root)")
        with pytest.raises(VaultError, match="cannot be read"):
            v.attach(pid, "ecfmg.school", locked, today)
    finally:
        locked.chmod(0o600)


def test_unreadable_during_copy_is_a_clear_message(setup, tmp_path, today, monkeypatch):
    store, v, pid = setup
    src = _file(tmp_path)
    real_open = type(src).open

    def failing_open(self, *a, **k):
        if self == src:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *a, **k)

    monkeypatch.setattr(type(src), "open", failing_open)
    with pytest.raises(VaultError, match="cannot be read: Permission denied"):
        v.attach(pid, "ecfmg.school", src, today)
    assert v.list(pid) == []


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_are_data(setup, tmp_path, today, name):
    store, v, pid = setup
    src = _file(tmp_path, "plain.bin", name.encode("utf-8"))
    d = v.attach(pid, "ecfmg.school", src, today, original_name=name).document
    assert d.original_name == name
    # stored under its hash only: nothing named after the original anywhere in the vault
    files = [p for p in v.paths.vault.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [d.sha256]
    safe = safe_file_name(name)
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert len(safe.encode("utf-8")) <= vault_mod.SAFE_NAME_BYTES
    opened = v.open_path(d)
    assert opened.read_bytes() == name.encode("utf-8")
    assert opened.parent.parent == v.paths.root / "viewer"  # never escapes the viewer folder
    if name.endswith(".pdf"):
        assert opened.suffix == ".pdf" and d.mime == "application/pdf"


def test_safe_names_are_unique_and_keep_script():
    names = unique_names(["a.pdf", "A.pdf", "a.pdf", "شهادة.pdf", "a/b\\c.pdf", "CON.txt", ""])
    assert names[:3] == ["a.pdf", "A (2).pdf", "a (3).pdf"]
    assert names[3] == "شهادة.pdf"
    assert names[4] == "a_b_c.pdf"
    assert names[5] == "_CON.txt"
    assert names[6] == "document"
    long = unique_names(["ä" * 300 + ".pdf"] * 2)
    assert long[0] != long[1] and all(n.endswith(".pdf") and len(n.encode()) <= 150 for n in long)


def test_missing_and_altered_are_states_not_exceptions(setup, tmp_path, today):
    store, v, pid = setup
    d1 = v.attach(pid, "ecfmg.school", _file(tmp_path, "one.pdf", b"one"), today).document
    d2 = v.attach(pid, "ecfmg.school", _file(tmp_path, "two.pdf", b"two"), today).document
    blob_path(v.paths, d1.sha256).unlink()
    blob_path(v.paths, d2.sha256).write_bytes(b"tw0")  # same size, other bytes
    assert v.verify(d1) == MISSING
    assert v.verify(d2) == ALTERED
    assert v.verify_all(pid) == {d1.id: MISSING, d2.id: ALTERED}
    with pytest.raises(VaultError, match="missing"):
        v.open_path(d1)
    # attaching the right bytes again repairs the altered copy
    v.attach(pid, "ecfmg.credentials", _file(tmp_path, "again.pdf", b"two"), today)
    assert v.verify(d2) == OK
    # and removing a document whose bytes are gone does not fail
    assert v.remove(d1.id) is True


def test_attach_is_one_transaction(setup, tmp_path, today, monkeypatch):
    store, v, pid = setup
    src = _file(tmp_path)
    with pytest.raises(Exception):  # noqa: B017 (any failure inside the transaction)
        v.attach(pid + 99, "ecfmg.school", src, today)  # foreign key fails: no profile
    assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 0
    assert [p for p in v.paths.vault.rglob("*") if p.is_file()] == []  # the new bytes went too


def _age(path, seconds):
    t = path.lstat().st_mtime - seconds
    for p in [path, *(path.iterdir() if path.is_dir() else [])]:
        os.utime(p, (t, t))


def test_viewer_copies_older_than_a_day_are_cleared_on_open(setup, tmp_path, today):
    store, v, pid = setup
    d1 = v.attach(pid, "ecfmg.school", _file(tmp_path, "one.pdf", b"one"), today).document
    d2 = v.attach(pid, "ecfmg.school", _file(tmp_path, "two.pdf", b"two"), today).document
    old = v.open_path(d1)
    _age(old.parent, 2 * 24 * 3600)  # opened two days ago
    stray = v.viewer_dir / "stray.tmp"
    stray.write_bytes(b"x")
    _age(stray, 2 * 24 * 3600)
    recent = v.open_path(d2)
    assert not old.parent.exists() and not stray.exists()  # old copies went
    assert recent.read_bytes() == b"two"
    again = v.open_path(d1)  # and opening it again makes a fresh copy
    assert again.read_bytes() == b"one" and recent.exists()
    # the vault's own bytes are never touched
    assert v.verify(d1) == OK and v.verify(d2) == OK


def test_clear_viewer_copies_all_or_by_age(setup, tmp_path, today):
    store, v, pid = setup
    assert v.clear_viewer_copies() == 0  # no viewer folder yet: fine
    d1 = v.attach(pid, "ecfmg.school", _file(tmp_path, "one.pdf", b"one"), today).document
    d2 = v.attach(pid, "ecfmg.school", _file(tmp_path, "two.pdf", b"two"), today).document
    a, b = v.open_path(d1), v.open_path(d2)
    _age(a.parent, 3600)
    assert v.clear_viewer_copies(dt.timedelta(hours=2)) == 0
    assert v.clear_viewer_copies(dt.timedelta(minutes=30)) == 1
    assert not a.exists() and b.exists()
    assert v.clear_viewer_copies() == 1 and not b.exists()
    assert blob_path(v.paths, d1.sha256).exists() and blob_path(v.paths, d2.sha256).exists()


def test_a_viewer_copy_changed_in_place_is_replaced(setup, tmp_path, today):
    store, v, pid = setup
    d = v.attach(pid, "ecfmg.school", _file(tmp_path, "one.pdf", b"one"), today).document
    p = v.open_path(d)
    p.write_bytes(b"0ne")  # the viewer saved over it (same size)
    assert v.open_path(d).read_bytes() == b"one"


def test_files_the_app_writes_are_private_and_names_show_what_they_are(tmp_path):
    """viewer/ is 0700 (every level CertPath makes), a packet's file names carry no bidi controls:
    '\u202efdp.exe' would show as 'exe.pdf'."""
    import datetime as dt
    import os
    import stat
    import zipfile

    from core.db import open_database
    from core.packets import plan_packet, write_packet
    from core.paths import DataPaths
    from core.store import Store
    from core.vault import Vault, safe_file_name

    assert safe_file_name("\u202efdp.exe") == "fdp.exe"
    assert safe_file_name("a\u2066b\u2069c\u200f.pdf") == "abc.pdf"
    paths = DataPaths(tmp_path / "data").ensure()
    db = open_database(paths.db)
    pid = Store(db).create_profile("Ana", "other", ["pals"])
    src = tmp_path / "x.pdf"
    src.write_bytes(b"%PDF")
    doc = Vault(db, paths).attach(pid, "pals.card", src, dt.date(2026, 11, 21),
                                  original_name="\u202efdp.exe").document
    opened = Vault(db, paths).open_path(doc)
    for level in (paths.root / "viewer", opened.parent):
        assert stat.S_IMODE(os.stat(level).st_mode) == 0o700, level
    assert "\u202e" not in opened.name
    store, vault = Store(db), Vault(db, paths)
    plan = plan_packet(store, vault, pid, [doc.id], "Board", dt.date(2026, 11, 21))
    write_packet(store, vault, plan, tmp_path / "packet.zip")
    assert stat.S_IMODE(os.stat(tmp_path / "packet.zip").st_mode) == 0o600
    with zipfile.ZipFile(tmp_path / "packet.zip") as zf:
        assert not any(ch in n for n in zf.namelist() for ch in "\u202e\u2066\u200f")
    db.close()


# -- names on Windows ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["CON .notes.pdf", "nul .tar.gz", "COM1 .x.txt", "CONIN$.txt", "COM¹.pdf"])
def test_reserved_windows_names_with_spaces_before_the_dot(name):
    from core.vault import safe_file_name

    out = safe_file_name(name)
    assert out.startswith("_"), out


def test_deleting_a_profile_can_remove_its_scanned_documents(store, data_dir, tmp_path):
    """Before: no code path ever removed the vault files of a deleted profile (or bytes left by a
    crash between copy and commit): the scans stayed on disk for good. `remove_orphans` removes
    them (older than the grace period), and never bytes a document still uses."""
    from core.paths import data_paths
    from core.vault import Vault

    v = Vault(store.db, data_paths(data_dir))
    a = store.create_profile("Ana", "other", [])
    b = store.create_profile("Ben", "other", [])
    scan, shared = tmp_path / "passport.pdf", tmp_path / "shared.pdf"
    scan.write_bytes(b"%PDF passport scan")
    shared.write_bytes(b"%PDF shared")
    gone = v.attach(a, "ecfmg.school", scan, dt.date(2026, 11, 1)).document
    v.attach(a, "ecfmg.school", shared, dt.date(2026, 11, 1))
    kept = v.attach(b, "ecfmg.school", shared, dt.date(2026, 11, 1)).document
    (v.paths.vault / ".incoming-crashed").write_bytes(b"half a copy")
    store.delete_profile(a)
    assert v.path_of(gone).exists()  # the profile's rows went, its bytes did not
    now = dt.datetime.now(dt.UTC)
    assert v.remove_orphans(now) == 0  # just written: maybe an attach in progress
    assert v.remove_orphans(now + dt.timedelta(hours=2)) == 2
    assert not v.path_of(gone).exists() and v.verify(kept) == "ok"
    assert not list(v.paths.vault.glob(".incoming-*"))
    assert store.db.execute("SELECT sha256 FROM blobs").fetchall() == [(kept.sha256,)]
