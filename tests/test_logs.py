"""The log file never holds personal data, even when an error message quotes it."""

import logging
import sqlite3

from core.logs import configure_logging, log_path, redact, shutdown_logging
from core.paths import DataPaths


def test_quoted_names_and_sqlite_values_are_redacted_in_the_log_file(tmp_path):
    paths = DataPaths(tmp_path / "data").ensure()
    configure_logging(paths)
    try:
        log = logging.getLogger("certpath.test")
        log.error("restoring failed: profile “Anacleta Quispe”, step “img”")
        try:
            raise sqlite3.OperationalError(
                "Could not decode to UTF-8 column 'data' with text '{\"birth_place\": \"Cochabamba-1990\"}'")
        except sqlite3.OperationalError:
            log.exception("a read failed")
    finally:
        shutdown_logging()
    text = log_path(paths).read_text(encoding="utf-8")
    assert "Anacleta" not in text and "Cochabamba" not in text
    assert "restoring failed: profile “…”" in text and "with text '…'" in text
    assert redact("no quotes here") == "no quotes here"


def test_the_log_rotates_by_size_and_keeps_five_old_files(tmp_path, monkeypatch):
    import logging

    from core import logs
    from core.paths import DataPaths

    monkeypatch.setattr(logs, "MAX_BYTES", 20_000)  # the mechanism, at a size a test can fill quickly
    paths = DataPaths(tmp_path / "data").ensure()
    try:
        path = logs.configure_logging(paths)
        logger = logging.getLogger("certpath.test")
        for i in range(200):  # ~200 kB: more rotations than files kept
            logger.warning("line %05d %s", i, "x" * 1000)
        logs.shutdown_logging()
        names = sorted(p.name for p in paths.logs.iterdir())
        assert names == ["certpath.log"] + [f"certpath.log.{i}" for i in range(1, logs.BACKUP_COUNT + 1)]
        for p in paths.logs.iterdir():
            assert p.stat().st_size <= 20_000
        assert "line 00199" in path.read_text(encoding="utf-8")  # the newest line is in the current file

        def first(name: str) -> int:
            return int((paths.logs / name).read_text(encoding="utf-8").split("line ")[1][:5])

        # .1 is the newest old file, .5 the oldest kept; the oldest lines were dropped
        assert first("certpath.log") > first("certpath.log.1") > first(f"certpath.log.{logs.BACKUP_COUNT}") > 0
    finally:
        logs.shutdown_logging()
