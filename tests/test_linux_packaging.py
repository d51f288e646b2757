"""The Linux archive's menu entry: packaging/linux/install-menu-entry.sh writes a valid .desktop file
whose Exec= is the unpacked folder's CertPath (wherever it is, spaces and all), and removes it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux packaging")


def _unescape(text: str, table: dict[str, str]) -> str:
    out, it = [], iter(text)
    for ch in it:
        if ch == "\\":
            nxt = next(it)
            out.append(table.get(nxt, "\\" + nxt))
        else:
            out.append(ch)
    return "".join(out)


def desktop_exec(value: str) -> str:
    """The program of an Exec= value holding one quoted argument, decoded as the Desktop Entry spec
    says: first the string escapes (\\\\ \\s ...), then the quoting rule (\\" \\` \\$ \\\\)."""
    value = _unescape(value, {"\\": "\\", "s": " ", "n": "\n", "t": "\t", "r": "\r"})
    assert value.startswith('"') and value.endswith('"'), value
    inner = value[1:-1]
    assert not any(inner[i] in '"`$' and (i == 0 or inner[i - 1] != "\\") for i in range(len(inner)))
    return _unescape(inner, {c: c for c in '"`$\\'})


def read_entry(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line and not line.startswith("#"))


@pytest.fixture
def unpacked(tmp_path):
    """A folder laid out like the archive (the real scripts, a stand-in executable)."""
    folder = tmp_path / 'my $apps "x" `y` \\z' / "CertPath"  # every character Exec= must escape
    folder.mkdir(parents=True)
    for name in ("certpath.desktop", "install-menu-entry.sh", "INSTALL.txt"):
        shutil.copy2(LINUX / name, folder / name)
    shutil.copy2(ROOT / "resources" / "icons" / "certpath.png", folder / "certpath.png")
    exe = folder / "CertPath"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    return folder


def run(script: Path, home: Path, *args):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    return subprocess.run(["sh", str(script), *args], env=env, capture_output=True, text=True, timeout=60)


def test_menu_entry_points_at_the_unpacked_folder_and_is_removed_again(unpacked, tmp_path):
    home = tmp_path / "home"
    r = run(unpacked / "install-menu-entry.sh", home)
    assert r.returncode == 0, r.stderr
    entry_file = home / ".local/share/applications/certpath.desktop"
    entry = read_entry(entry_file)
    assert desktop_exec(entry["Exec"]) == str(unpacked / "CertPath")
    assert Path(entry["Icon"]).read_bytes() == (ROOT / "resources/icons/certpath.png").read_bytes()
    assert (entry["Type"], entry["Name"], entry["Terminal"]) == ("Application", "CertPath", "false")
    if shutil.which("desktop-file-validate"):
        v = subprocess.run(["desktop-file-validate", str(entry_file)], capture_output=True, text=True)
        assert v.returncode == 0 and not v.stdout.strip(), v.stdout + v.stderr

    r = run(unpacked / "install-menu-entry.sh", home, "--uninstall")
    assert r.returncode == 0, r.stderr
    assert not entry_file.exists() and not Path(entry["Icon"]).exists()
    assert (unpacked / "CertPath").exists()  # the program folder stays


def test_menu_entry_refuses_outside_the_unpacked_folder(tmp_path):
    r = run(LINUX / "install-menu-entry.sh", tmp_path / "home")
    assert r.returncode == 1
    assert "run me from the unpacked CertPath folder" in r.stderr
    assert not (tmp_path / "home").exists()


def test_the_install_note_names_the_files_the_archive_carries():
    note = (LINUX / "INSTALL.txt").read_text(encoding="utf-8")
    for word in ("install-menu-entry.sh", "--self-test", "SHA256SUMS"):
        assert word in note
    tarball = (LINUX / "make-tarball.sh").read_text(encoding="utf-8")
    for name in ("certpath.desktop", "install-menu-entry.sh", "INSTALL.txt", "certpath.png"):
        assert name in tarball
