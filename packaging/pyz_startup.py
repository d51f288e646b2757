"""The frozen app's start-up modules, stored in the PYZ without compression (used by build.spec).

PyInstaller stores every module of the PYZ archive zlib-compressed (level 6) and inflates it at
import. For the modules imported before the main window's first paint that was 68.7 M of the
frozen app's 1,225.6 M instructions to the paint (docs/performance.md). Storing the whole PYZ
uncompressed grows the bundle by ~6 MB; storing only the start-up modules (~110 entries, ~3 MB
raw, ~1.8 MB more than compressed) keeps nearly all of the gain: a module imported later is
inflated later, when it is used.

`startup_modules(root)` runs the source start-up once (offscreen, `--exit-after-paint`, a data
folder with the demo profiles made in a temporary folder) and returns the names in `sys.modules`
at the window's first paint: the list follows the code, nothing to keep by hand.
`store_uncompressed(names)` makes PyInstaller's PYZ writer store those entries at zlib level 0
(stored blocks: still a zlib stream, so PyInstaller's reader, which calls `zlib.decompress` on
every entry, reads them unchanged; inflating a stored block is a copy and a checksum).

Not imported as `packaging.…` (that name is PyPA's package, which PyInstaller itself imports):
build.spec and the tests load this file by its path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path

# Run by `startup_modules`, each in a fresh interpreter: the demo profiles in a data folder (as
# benchmarks/benchlib.demo_data_dir makes it), then the real start-up on it, asked at the first paint.
_MAKE_DATA = """
import sys, datetime as dt
from gui.shell import open_session
s = open_session(sys.argv[1], dt.date(2026, 11, 21), demo=True); s.store.db.close()
"""
_AT_FIRST_PAINT = """
import sys
import gui.main_window as mw
paint = mw.MainWindow.paintEvent
def first_paint(self, event):
    mw.MainWindow.paintEvent = paint
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("\\n".join(sorted(sys.modules)))
    paint(self, event)
mw.MainWindow.paintEvent = first_paint
from gui.app import main
sys.exit(main(["--data-dir", sys.argv[1], "--today", "2026-11-21", "--exit-after-paint"]))
"""


def startup_modules(root: Path, python: str = sys.executable, timeout: float = 300) -> list[str]:
    """The modules in `sys.modules` at the first paint of the source start-up of the checkout at
    `root` (on a data folder with the demo profiles). Raises RuntimeError (with the child's
    stderr) when that start-up fails. A module the frozen app does not have (the venv's site
    hooks, this script's own few lines) simply matches no PYZ entry."""
    with tempfile.TemporaryDirectory(prefix="certpath-pyz-") as t:
        out, data = Path(t) / "modules.txt", Path(t) / "data"
        env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen",
               "CERTPATH_CACHE_DIR": str(Path(t) / "cache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for code, args in ((_MAKE_DATA, [str(data)]), (_AT_FIRST_PAINT, [str(data), str(out)])):
            r = subprocess.run([python, "-c", code, *args], cwd=root, env=env, capture_output=True, text=True,
                               timeout=timeout)
            if r.returncode != 0:
                raise RuntimeError(f"the start-up run failed ({r.returncode}): {r.stderr[-2000:]}")
        if not out.exists():
            raise RuntimeError("the start-up run ended without painting its window")
        return [m for m in out.read_text(encoding="utf-8").split("\n") if m]


def store_uncompressed(names: Iterable[str]) -> set[str]:
    """From now on, PyInstaller's PYZ writer stores the entries named in `names` at zlib level 0
    (every other entry as before, at its own level). Returns the set it uses. Raises KeyError or
    AttributeError, changing nothing, when the writer is not made as in PyInstaller 6.22."""
    from PyInstaller.archive import writers

    stored = set(names)
    cls = writers.ZlibArchiveWriter
    original = cls.__dict__["_write_entry"]  # the classmethod object, kept once
    original = getattr(cls, "_certpath_original_write_entry", original)
    if not isinstance(original, classmethod) or not isinstance(getattr(cls, "_COMPRESSION_LEVEL", None), int):
        raise AttributeError("ZlibArchiveWriter has no classmethod _write_entry and int _COMPRESSION_LEVEL")
    cls._certpath_original_write_entry = original
    level = cls._COMPRESSION_LEVEL

    def _write_entry(klass, fp, entry, code_dict):
        name = entry[0]
        klass._COMPRESSION_LEVEL = 0 if name in stored else level
        try:
            return original.__func__(klass, fp, entry, code_dict)
        finally:
            klass._COMPRESSION_LEVEL = level

    cls._write_entry = classmethod(_write_entry)
    return stored


def stored_entries(pyz: Path) -> dict[str, bool]:
    """Entry name -> stored uncompressed (zlib level 0), read from a PYZ archive (for tests and
    checks): stored blocks make the entry a few bytes longer than its data, never shorter."""
    from PyInstaller.archive.readers import ZlibArchiveReader

    archive = ZlibArchiveReader(str(pyz))
    out: dict[str, bool] = {}
    with open(pyz, "rb") as f:
        data = f.read()
    for name, (_typ, offset, length) in archive.toc.items():
        if not length:
            continue
        blob = data[offset:offset + length]
        raw = zlib.decompress(blob)
        out[name] = blob[:2] == b"\x78\x01" and length >= len(raw)
    return out


if __name__ == "__main__":  # print the list (one name a line) for the checkout this file is in
    print("\n".join(startup_modules(Path(__file__).resolve().parent.parent)))
