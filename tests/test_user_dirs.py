"""core.paths.user_dir gives the same folders as platformdirs (the pinned version) on every branch:
Linux/BSD and macOS computed in core, Windows/iOS/Android asked of platformdirs itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from platformdirs.macos import MacOS
from platformdirs.unix import Unix

import core
from core.paths import APP_NAME, default_data_dir, user_dir

ENVS = [  # (XDG_DATA_HOME / XDG_CACHE_HOME, HOME): None = unset
    (None, "/home/ana"),
    ("/srv/xdg", "/home/ana"),
    ("", "/home/ana"),  # empty: the default
    ("relative/xdg", "/home/ana"),  # not absolute: ignored, as the XDG spec and platformdirs say
    (None, ""),  # an empty HOME: the password database's home
    (None, "relative-home"),
    (None, None),  # no HOME at all
]


def _set(monkeypatch, var: str, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv(var, raising=False)
    else:
        monkeypatch.setenv(var, value)


@pytest.mark.parametrize(("xdg", "home"), ENVS)
@pytest.mark.parametrize(("platform", "cls"), [("linux", Unix), ("freebsd14", Unix), ("darwin", MacOS)])
def test_same_folders_as_platformdirs(monkeypatch, platform, cls, xdg, home) -> None:
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME"):
        _set(monkeypatch, var, xdg)
    _set(monkeypatch, "HOME", home)
    monkeypatch.delenv("ANDROID_DATA", raising=False)
    dirs = cls(APP_NAME, appauthor=False, roaming=False)
    assert user_dir("data", platform) == dirs.user_data_path
    assert user_dir("cache", platform) == dirs.user_cache_path
    assert user_dir("data", platform).name == APP_NAME


def test_the_usual_linux_and_macos_folders(monkeypatch) -> None:
    monkeypatch.setenv("HOME", "/home/ana")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert user_dir("data", "linux") == Path("/home/ana/.local/share/CertPath")
    assert user_dir("cache", "linux") == Path("/home/ana/.cache/CertPath")
    assert user_dir("data", "darwin") == Path("/home/ana/Library/Application Support/CertPath")
    assert user_dir("cache", "darwin") == Path("/home/ana/Library/Caches/CertPath")


@pytest.mark.parametrize("platform", ["win32", "ios"])
def test_windows_and_ios_ask_platformdirs(monkeypatch, platform) -> None:
    import platformdirs

    asked = []
    monkeypatch.setattr(platformdirs, "user_data_path",
                        lambda *a, **k: asked.append(("data", a, k)) or Path("/from/platformdirs/data"))
    monkeypatch.setattr(platformdirs, "user_cache_path",
                        lambda *a, **k: asked.append(("cache", a, k)) or Path("/from/platformdirs/cache"))
    assert user_dir("data", platform) == Path("/from/platformdirs/data")
    assert user_dir("cache", platform) == Path("/from/platformdirs/cache")
    assert asked == [("data", (APP_NAME,), {"appauthor": False, "roaming": False}),
                     ("cache", (APP_NAME,), {"appauthor": False})]


def test_this_machine_matches_platformdirs_and_the_cache_env_var(monkeypatch, tmp_path) -> None:
    from platformdirs import user_cache_path, user_data_path

    assert default_data_dir() == user_data_path(APP_NAME, appauthor=False, roaming=False)
    monkeypatch.delenv(core.CACHE_ENV_VAR, raising=False)
    assert core.cache_dir() == user_cache_path(APP_NAME, appauthor=False)
    monkeypatch.setenv(core.CACHE_ENV_VAR, str(tmp_path / "c"))
    assert core.cache_dir() == tmp_path / "c"


def test_no_home_at_all_is_an_error_as_in_platformdirs(monkeypatch) -> None:
    import pwd

    monkeypatch.setenv("HOME", "relative")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", lambda _uid: (_ for _ in ()).throw(KeyError("no such user")))
    with pytest.raises(RuntimeError, match="home directory"):
        user_dir("data", "linux")
    with pytest.raises(RuntimeError, match="home directory"):
        _ = Unix(APP_NAME, appauthor=False).user_data_dir


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX start-up path")
def test_start_up_does_not_import_platformdirs(tmp_path) -> None:
    code = ("import sys, core; from core.paths import data_paths; data_paths(None); core.cache_dir(); "
            "import gui.app; print('platformdirs' in sys.modules, 'tempfile' in sys.modules)")
    env = {**os.environ, "CERTPATH_DATA_DIR": "", "HOME": str(tmp_path)}
    env.pop(core.CACHE_ENV_VAR, None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                         cwd=Path(__file__).resolve().parent.parent).stdout.split()
    assert out == ["False", "False"]
