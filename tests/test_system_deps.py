"""scripts/system-deps.sh: the line a non-root user is told to run, with and without sudo, and the
libpython package of the Python that builds the bundle (derived from it, not hard-coded)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system-deps.sh"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("sh"),
                                reason="a Linux shell script")


def run(tmp_path, what, python, missing=(), sudo=False):
    """Run the script as uid 1000 on a PATH of stubs: dpkg-query says `missing` are not installed."""
    bin_ = tmp_path / "bin"
    bin_.mkdir(exist_ok=True)
    for tool in ("uname", "grep", "cat"):
        (bin_ / tool).unlink(missing_ok=True)
        (bin_ / tool).symlink_to(shutil.which(tool))
    stubs = {
        "id": "#!/bin/sh\necho 1000\n",
        "dpkg-query": "#!/bin/sh\nfor p; do :; done\n"   # last argument is the package
                      'case " $MISSING " in *" $p "*) exit 1 ;; esac\nprintf "install ok installed"\n',
    }
    if sudo:
        stubs["sudo"] = "#!/bin/sh\nexit 99\n"
    for name in ("id", "dpkg-query", "sudo"):
        (bin_ / name).unlink(missing_ok=True)
    for name, text in stubs.items():
        (bin_ / name).write_text(text)
        (bin_ / name).chmod(0o755)
    env = {"PATH": str(bin_), "PYTHON": python, "MISSING": " ".join(missing), "HOME": str(tmp_path)}
    return subprocess.run([shutil.which("sh"), str(SCRIPT), what], env=env, capture_output=True,
                          text=True, timeout=60)


def test_without_sudo_the_root_line_uses_su(tmp_path):
    r = run(tmp_path, "run", sys.executable, missing=("libxcb-icccm4", "libgl1"))
    assert r.returncode == 1
    assert "su -c 'apt-get install -y --no-install-recommends libgl1 libxcb-icccm4'" in r.stderr
    assert "sudo" not in r.stderr


def test_with_sudo_the_line_uses_sudo(tmp_path):
    r = run(tmp_path, "run", sys.executable, missing=("libgl1",), sudo=True)
    assert r.returncode == 1
    assert "  sudo apt-get install -y --no-install-recommends libgl1\n" in r.stderr
    assert "su -c" not in r.stderr


def test_nothing_missing_passes_silently(tmp_path):
    r = run(tmp_path, "build", sys.executable)
    assert (r.returncode, r.stderr) == (0, "")


def libpython_of(python: str) -> str:
    return subprocess.run([python, "-c", "import sys; print('libpython%d.%d' % sys.version_info[:2])"],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="no Debian python3 here")
def test_build_with_debians_python_asks_for_its_libpython(tmp_path):
    pkg = libpython_of("/usr/bin/python3")
    r = run(tmp_path, "build", "/usr/bin/python3", missing=(pkg, "binutils"))
    assert r.returncode == 1
    assert f"--no-install-recommends binutils {pkg}'" in r.stderr
    # only the build needs it: the test suite and running from source do not
    assert run(tmp_path, "test", "/usr/bin/python3", missing=(pkg,)).returncode == 0


def test_a_python_with_its_own_shared_library_needs_no_package(tmp_path):
    import sysconfig

    so, libdir = sysconfig.get_config_var("INSTSONAME") or "", sysconfig.get_config_var("LIBDIR") or ""
    if sys.base_prefix == "/usr" or not (".so" in so and (Path(libdir) / so).is_file()):
        pytest.skip("this Python has no shared libpython of its own")
    r = run(tmp_path, "build", sys.executable, missing=(libpython_of(sys.executable),))
    assert (r.returncode, r.stderr) == (0, "")
