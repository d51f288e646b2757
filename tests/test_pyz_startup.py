"""packaging/pyz_startup.py: the frozen app's start-up modules stored uncompressed in the PYZ."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("certpath_pyz_startup", ROOT / "packaging" / "pyz_startup.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def pyz_startup():
    pytest.importorskip("PyInstaller")
    from PyInstaller.archive.writers import ZlibArchiveWriter

    original = ZlibArchiveWriter.__dict__["_write_entry"]
    try:
        yield _load()
    finally:  # the writer as PyInstaller made it, for whatever runs next in this process
        ZlibArchiveWriter._write_entry = original
        if hasattr(ZlibArchiveWriter, "_certpath_original_write_entry"):
            del ZlibArchiveWriter._certpath_original_write_entry


def _write_pyz(tmp_path: Path) -> Path:
    from PyInstaller.archive.writers import ZlibArchiveWriter

    entries, code = [], {}
    for name in ("startup_mod", "later_mod"):
        src = tmp_path / f"{name}.py"
        text = f"NAME = {name!r}\n" + "WORDS = " + repr(["repeated words compress well"] * 200) + "\n"
        src.write_text(text, encoding="utf-8")
        entries.append((name, str(src), "PYMODULE"))
        code[name] = compile(text, str(src), "exec")
    out = tmp_path / "test.pyz"
    ZlibArchiveWriter(str(out), entries, code_dict=code)
    return out


def test_only_the_named_modules_are_stored_uncompressed_and_all_still_load(tmp_path, pyz_startup) -> None:
    from PyInstaller.archive.readers import ZlibArchiveReader

    assert pyz_startup.stored_entries(_write_pyz(tmp_path)) == {"startup_mod": False, "later_mod": False}

    pyz_startup.store_uncompressed(["startup_mod", "not_in_the_archive"])
    pyz = _write_pyz(tmp_path)
    assert pyz_startup.stored_entries(pyz) == {"startup_mod": True, "later_mod": False}
    reader = ZlibArchiveReader(str(pyz))  # PyInstaller's own reader, as the frozen app's importer reads it
    for name in ("startup_mod", "later_mod"):
        ns: dict = {}
        exec(reader.extract(name), ns)
        assert ns["NAME"] == name and len(ns["WORDS"]) == 200


def test_the_start_up_modules_are_those_imported_before_the_first_paint() -> None:
    names = set(_load().startup_modules(ROOT))
    # the window and what its first screen shows
    assert {"gui.app", "gui.main_window", "gui.dashboard", "gui.navigator", "core.engine", "core.store"} <= names
    assert {"PySide6.QtWidgets", "sqlite3"} <= names
    # built just after the first paint (the dashboard's timeline, the panels' extensions)
    assert not names & {"gui.timeline", "core.backup", "core.roster", "gui.report"}
