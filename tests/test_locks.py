"""The lock files are generated (`./dev lock`), hash-pinned and agree with pyproject.toml."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def read_lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """{canonical name: (version, [sha256, ...])} from a `--generate-hashes` lock file."""
    text = (ROOT / name).read_text(encoding="utf-8")
    entries: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z])", text):
        line = block.split("\\", 1)[0].split(";", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        assert not line.startswith("-"), f"{name}: option line {line!r} (an index host or -r)"
        req = Requirement(line)
        spec = str(req.specifier)
        assert spec.startswith("==") and "," not in spec, f"{name}: {line!r} is not an exact pin"
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
        assert hashes, f"{name}: {req.name} has no hash"
        entries[canonicalize_name(req.name)] = (spec[2:], hashes)
    return entries


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_locks_name_no_index_host():
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert not re.search(r"--(extra-)?index-url|--find-links|https?://|file:", text), name


def test_runtime_lock_covers_pyproject_within_its_ranges():
    lock = read_lock("requirements.lock")
    for dep in pyproject()["dependencies"]:
        req = Requirement(dep)
        version, _ = lock[canonicalize_name(req.name)]
        assert req.specifier.contains(version), f"{req.name} {version} outside {req.specifier}"


def test_dev_lock_has_the_tools_and_the_same_runtime_versions():
    runtime, dev = read_lock("requirements.lock"), read_lock("requirements-dev.lock")
    extras = pyproject()["optional-dependencies"]
    for dep in extras["test"] + extras["dev"]:
        req = Requirement(dep)
        assert canonicalize_name(req.name) in dev, f"{req.name} missing from requirements-dev.lock"
    for name, (version, hashes) in runtime.items():
        assert dev[name][0] == version, f"{name}: {version} at run time, {dev[name][0]} in the dev lock"
        assert set(hashes) <= set(dev[name][1])
    # the Windows/macOS-only packages of PyInstaller are locked too (a universal resolution)
    assert {"pefile", "pywin32-ctypes", "macholib"} <= set(dev)


def test_pyside6_stays_on_the_release_without_the_none_refcount_bug():
    lock = read_lock("requirements.lock")
    assert lock["pyside6-essentials"][0] == lock["shiboken6"][0] == "6.11.2"
    assert "deallocating None" in (ROOT / "requirements.lock").read_text(encoding="utf-8")
