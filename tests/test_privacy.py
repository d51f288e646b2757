"""Nothing leaves the machine, and the data folder is private.

The app's main flows run with every way of opening a network connection replaced by a function
that fails the test; a scan of the source makes sure no module imports a network client.
"""

import datetime as dt
import json
import re
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 11, 21, 10, 0, 0)


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == []


def test_main_flows_run_without_network(no_network, data_dir, today, tmp_path):
    from core import backup
    from core.engine import evaluate
    from core.paths import DataPaths
    from gui.shell import load_demo, open_session

    # onboarding through the core store (as the wizard does), with today's automatic backup
    session = open_session(data_dir, today, demo=False, now=NOW)
    store = session.store
    pid = store.create_profile("Amara", "pediatric_resident", ["img", "bls", "pals"],
                               {"bls.exam": {"exam_date": "2026-10-01", "exam_score": 90}})
    load_demo(store, today)
    # walking a track: evaluate, save a step, evaluate again
    for p in store.list_profiles():
        evaluate(store.document(p["id"]), today)
    store.save_facts(pid, {"pals.exam": {"exam_date": "2026-11-01", "exam_score": 88}})
    journey = evaluate(store.document(pid), today)
    assert journey.tracks
    # documents
    paths = DataPaths(data_dir)
    scan = tmp_path / "diploma.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned")
    try:
        from core.vault import Vault
    except ImportError:  # pragma: no cover - the documents module is not there yet
        Vault = None
    if Vault is not None:
        Vault(store.db, paths).attach(pid, "bls.exam", scan, today)
    # exports
    try:
        from core import exports, ics
    except ImportError:  # pragma: no cover
        exports = ics = None
    if ics is not None:
        assert ics.export_ics(store, pid, today, stamp=NOW).startswith(b"BEGIN:VCALENDAR")
        for kind in exports.KINDS:
            exports.export_csv(kind, store, pid, today, paths)
    json.dumps(store.document(pid))
    # backup and restore
    archive = backup.create_archive(paths, tmp_path / "b.zip", now=NOW, conn=store.db.conn)
    store.db.close()
    backup.restore_archive(paths, archive, now=NOW)
    # the privacy of everything just written
    _assert_private(paths)


def _assert_private(paths):
    if sys.platform == "win32":
        return
    assert (paths.root.stat().st_mode & 0o777) == 0o700
    checked = 0
    for p in paths.root.rglob("*"):
        mode = p.stat().st_mode & 0o777
        if p.is_dir():
            assert mode == 0o700, p
        else:
            assert mode == 0o600, (p, oct(mode))
            checked += 1
    assert checked >= 3
    assert any(p.suffix == ".sqlite3" for p in paths.backups.iterdir())


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_logs_and_lock_are_private(data_dir):
    import logging

    from core.instance_lock import InstanceLock
    from core.logs import configure_logging, shutdown_logging
    from core.paths import DataPaths

    paths = DataPaths(data_dir).ensure()
    try:
        log_file = configure_logging(paths)
        logging.getLogger("certpath.test").warning("hello")
        for h in logging.getLogger("certpath").handlers:
            h.flush()
        assert log_file.read_text(encoding="utf-8").strip().endswith("hello")
        with InstanceLock(paths.root):
            _assert_private_files(paths.root)
    finally:
        shutdown_logging()


def _assert_private_files(root):
    for p in [root, *root.rglob("*")]:
        want = 0o700 if p.is_dir() else 0o600
        assert p.stat().st_mode & 0o777 == want, (p, oct(p.stat().st_mode & 0o777))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_rotated_logs_stay_private(data_dir):
    import logging

    from core import logs
    from core.paths import DataPaths

    paths = DataPaths(data_dir).ensure()
    try:
        logs.configure_logging(paths)
        logger = logging.getLogger("certpath.test")
        for _ in range(1200):
            logger.warning("x" * 1000)
        names = sorted(p.name for p in paths.logs.iterdir())
        assert "certpath.log.1" in names and len(names) <= 1 + logs.BACKUP_COUNT
        _assert_private_files(paths.logs)
    finally:
        logs.shutdown_logging()


NETWORK = re.compile(
    r"^\s*(?:import|from)\s+(?:urllib\.request|urllib3|http\.client|requests|httpx|aiohttp|socket|ftplib|"
    r"smtplib|xmlrpc|PySide6\.QtNetwork|PySide6\s+import\s+.*QtNetwork)\b"
    r"|QtNetwork|QNetworkAccessManager|QDesktopServices\.openUrl\(\s*QUrl\(\s*[\"']https?:",
    re.MULTILINE,
)


def test_no_module_imports_a_network_client():
    offenders = []
    for folder in ("core", "gui"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for m in NETWORK.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0).strip()}")
    assert offenders == []
