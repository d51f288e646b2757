"""core/ must never import Qt: it is tested and used without a screen."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import core

ROOT = Path(__file__).resolve().parent.parent


def _all_core_modules() -> list[str]:
    mods = ["core"]
    for m in pkgutil.walk_packages(core.__path__, "core."):
        if m.name != "core.__main__":
            mods.append(m.name)
    return mods


def test_core_imports_without_pyside6_in_a_fresh_interpreter():
    mods = _all_core_modules()
    assert "core.db" in mods and "core.rules" in mods
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'gui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in: {out.stdout.strip()}"


def test_no_qt_import_statements_in_core_sources():
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            s = line.strip()
            if s.startswith(("import PySide6", "from PySide6", "import shiboken6", "from gui", "import gui")):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []
