"""The one place that knows where CertPath keeps its data.

Order: an explicit folder (the --data-dir option), then $CERTPATH_DATA_DIR, then the user data
folder for "CertPath" that platformdirs names (~/.local/share/CertPath or $XDG_DATA_HOME/CertPath,
%LOCALAPPDATA%\\CertPath, ~/Library/Application Support/CertPath): `user_dir` works it out with a
few lines on Linux, the BSDs and macOS (the same paths as the pinned platformdirs, tests compare them)
and asks platformdirs on Windows.

Modes (POSIX): what CertPath creates is owner-only (folders 0700, files 0600). What exists
already keeps the mode its owner chose: `check_private` words a warning when a folder or file
can be read by other users, and nothing here ever changes it. A folder that cannot be created
(owned by another user, a read-only mount) raises `PermissionProblem`, an OSError whose
message is for the user.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "CertPath"
ENV_VAR = "CERTPATH_DATA_DIR"
DB_NAME = "certpath.sqlite3"


# kind -> (the XDG variable that overrides it, the default on Linux and the BSDs, the default on macOS)
_POSIX_USER_DIRS = {
    "data": ("XDG_DATA_HOME", "~/.local/share", "~/Library/Application Support"),
    "cache": ("XDG_CACHE_HOME", "~/.cache", "~/Library/Caches"),
}


def _asks_platformdirs(platform: str) -> bool:
    """Windows (the shell's known folders), iOS and Android: platformdirs itself answers there."""
    return (platform in ("win32", "cygwin", "ios") or hasattr(sys, "getandroidapilevel")
            or (os.environ.get("ANDROID_DATA") == "/data" and os.environ.get("ANDROID_ROOT") == "/system"))


def _expand_home(path: str) -> str:
    """`~/...` under the home folder, as platformdirs 4.14 expands it: a relative or empty $HOME
    counts as unset (the password database's home), and no absolute home is an error."""
    home = os.environ.get("HOME")
    if home is not None and not posixpath.isabs(home):
        expanded = path
        try:
            import pwd

            expanded = pwd.getpwuid(os.getuid()).pw_dir.rstrip("/") + path[1:] or "/"
        except (ImportError, KeyError):
            pass
    else:
        expanded = os.path.expanduser(path)
    if not posixpath.isabs(expanded):
        raise RuntimeError(f"could not determine the home directory for {path!r}, "
                           "set an absolute HOME or XDG variable")
    return expanded


def user_dir(kind: str, platform: str | None = None) -> Path:
    """The user's "data" or "cache" folder for CertPath: what platformdirs'
    `user_data_path(APP_NAME, appauthor=False, roaming=False)` / `user_cache_path(APP_NAME,
    appauthor=False)` return. Linux, the BSDs and macOS are a few lines here ($XDG_DATA_HOME /
    $XDG_CACHE_HOME when absolute, else ~/.local/share, ~/.cache, ~/Library/Application Support,
    ~/Library/Caches): importing platformdirs at start-up costs ~15-20 ms (its Unix module imports
    tempfile, shutil, bz2, lzma, random). `platform` defaults to sys.platform (tests pass others)."""
    platform = sys.platform if platform is None else platform
    if _asks_platformdirs(platform):
        import platformdirs

        if kind == "data":
            return platformdirs.user_data_path(APP_NAME, appauthor=False, roaming=False)
        if kind == "cache":
            return platformdirs.user_cache_path(APP_NAME, appauthor=False)
        raise ValueError(f"unknown kind of folder {kind!r}")
    var, unix_default, mac_default = _POSIX_USER_DIRS[kind]
    base = os.environ.get(var, "")
    if not posixpath.isabs(base):
        base = _expand_home(mac_default if platform == "darwin" else unix_default)
    return Path(os.path.join(base, APP_NAME))


def default_data_dir() -> Path:
    return user_dir("data")


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


class PermissionProblem(OSError):
    """A folder or file CertPath cannot create or write; `strerror` is the user's message."""

    def __init__(self, message: str, code: int = errno.EACCES):
        super().__init__(code, message)

    def __str__(self) -> str:
        return self.strerror or ""


def _why(e: OSError) -> str:
    if e.errno == errno.EROFS:
        return "it is on a read-only disk"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "CertPath has no permission there (it may belong to another user)"
    if e.errno == errno.ENOSPC:
        return "the disk is full"
    return e.strerror or str(e)


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed; a folder CertPath creates is 0700 on POSIX.

    An existing folder is left as its owner set it (see `check_private`).
    """
    path = Path(path)
    if path.is_dir():
        return path
    missing = []
    p = path
    while not p.is_dir():  # every level CertPath creates is 0700, not only the last
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    try:
        for level in reversed(missing):
            try:
                level.mkdir(mode=0o700)
            except FileExistsError:
                if not level.is_dir():
                    raise
                continue
            if sys.platform != "win32":
                os.chmod(level, 0o700)  # created just now, by us: mkdir's mode is subject to the umask
    except OSError as e:
        if path.is_dir():
            return path
        raise PermissionProblem(f"The folder {path} cannot be created: {_why(e)}.",
                                e.errno or errno.EACCES) from None
    return path


def make_private_file(path: Path) -> None:
    """0600 for a file CertPath has just created (never call it on the user's own files)."""
    if sys.platform != "win32" and path.exists():
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass  # not ours after all (another user's): leave it as it is


def create_private_file(path: Path) -> int:
    """Create `path` exclusively at 0600 (before anything is written to it); an open fd."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)


def write_private_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` through a 0600 temporary file and a rename.

    A new file is 0600; a file that exists keeps its mode (the user's choice).
    """
    import tempfile

    path = Path(path)
    keep = None
    try:
        keep = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if keep is not None and sys.platform != "win32":
            os.chmod(tmp, keep)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def check_private(*items: Path) -> list[str]:
    """Warnings (words) for folders or files other users can read or write; never changes them."""
    out: list[str] = []
    if sys.platform == "win32":
        return out
    for p in items:
        try:
            mode = stat.S_IMODE(Path(p).stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            kind = "folder" if Path(p).is_dir() else "file"
            out.append(f"The {kind} {p} can be read by other users of this computer (mode {mode:04o}; "
                       f"CertPath makes its own {kind}s {'0700' if kind == 'folder' else '0600'}). "
                       "CertPath leaves it as you set it.")
    return out


@dataclass(frozen=True)
class DataPaths:
    """The files and folders of one data folder, all under `root`."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / DB_NAME

    @property
    def vault(self) -> Path:  # attached documents, stored by SHA-256
        return self.root / "vault"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    def ensure(self) -> DataPaths:
        ensure_private_dir(self.root)
        return self

    def permission_notices(self) -> list[str]:
        """Warnings for a data folder or data file the user made readable by others."""
        return check_private(self.root, self.db)


def data_paths(explicit: str | os.PathLike[str] | None = None) -> DataPaths:
    return DataPaths(resolve_data_dir(explicit))
