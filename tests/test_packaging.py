"""The package installs anywhere: a wheel built from the project carries resources/ and loads its
rules (never a silent 0 rules); the version is written in one place."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import core
import core.rules
from core.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, sys, datetime as dt
import core, core.rules, core.rulepacks
from core.engine import evaluate
from core.profiles import parse_document
rules = core.rules.load_rules()
doc = parse_document((core.resources_dir() / "demo" / "provider-demo.json").read_bytes(), dt.date(2026, 11, 21))
j = evaluate(doc, dt.date(2026, 11, 21)).to_json()
print(json.dumps({"core": core.__file__, "resources": str(core.resources_dir()), "rules": len(rules.all()),
                  "keys": len(core.rulepacks.trusted_keys()), "steps": sum(len(t["steps"]) for t in j["tracks"]),
                  "version": core.__version__}))
"""


@pytest.mark.slow
def test_a_wheel_install_loads_the_rules(tmp_path):
    src = tmp_path / "src"  # build from a copy: the build writes build/ and *.egg-info beside it
    for name in ("core", "gui", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "_compiled.json"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(src)],
                   check=True, capture_output=True, timeout=240)
    wheel = next((tmp_path / "dist").glob("certpath-*.whl"))
    assert wheel.name.startswith(f"certpath-{core.__version__}-")
    target = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--no-compile", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=240)
    assert not (target / "core" / "resources" / "rules" / "_compiled.json").exists()
    env = {**os.environ, "PYTHONPATH": str(target), "CERTPATH_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert Path(got["core"]).is_relative_to(target), got  # the installed copy, not this checkout
    assert Path(got["resources"]) == target / "core" / "resources"
    assert got["rules"] == len(core.rules.load_rules().all()) > 100
    assert got["keys"] >= 1 and got["steps"] > 0 and got["version"] == core.__version__


def test_one_version_number_read_from_one_place(capsys):
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in meta["project"] and "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "core.__version__"}
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert re.search(r'__version__.*core.*__init__\.py', spec, re.S)  # build.spec reads core's version
    try:
        build_parser().parse_args(["--version"])
    except SystemExit:
        pass
    assert capsys.readouterr().out.strip() == f"CertPath {core.__version__}"
    # no other file writes a version number of its own
    for path in [*ROOT.glob("core/**/*.py"), *ROOT.glob("gui/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'__version__\s*=', text) or path == ROOT / "core" / "__init__.py", path


def test_every_python_package_is_listed_for_the_wheel():
    """A new package (core/engine/img/ became one) left out of pyproject's list is missing from
    every wheel; this says so without building one."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root).parts) for top in ("core", "gui")
             for p in (root / top).rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_the_bundle_leaves_qtprintsupport_out_while_nothing_prints() -> None:
    """The PDF report goes through QPdfWriter (QtGui); QtPrintSupport brought libcups and its
    GnuTLS/p11-kit/Avahi dependencies (~7.5 MB) into the bundle for nothing."""
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert 'EXCLUDES.append("PySide6.QtPrintSupport")' in spec
    assert not re.search(r'^\s*"PySide6\.QtPrintSupport",', spec, re.M)  # no longer a hidden import
    for path in [*(ROOT / "core").rglob("*.py"), *(ROOT / "gui").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "QtPrintSupport" not in text and not re.search(r"\bQPrint(er|Dialog|PreviewDialog)\b", text), path
