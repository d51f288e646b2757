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
