"""The one place that knows where CertPath keeps its data.

Order: an explicit folder (the --data-dir option), then $CERTPATH_DATA_DIR, then platformdirs'
user data folder for "CertPath" (~/.local/share/CertPath, %LOCALAPPDATA%\\CertPath,
~/Library/Application Support/CertPath). The folder is created owner-only (0700) on POSIX.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "CertPath"
ENV_VAR = "CERTPATH_DATA_DIR"
DB_NAME = "certpath.sqlite3"


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False, roaming=False)


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed; on POSIX make it 0700."""
    path.mkdir(parents=True, exist_ok=True)
    if sys.platform != "win32":
        os.chmod(path, 0o700)
    return path


def make_private_file(path: Path) -> None:
    if sys.platform != "win32" and path.exists():
        os.chmod(path, 0o600)


@dataclass(frozen=True)
class DataPaths:
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


def data_paths(explicit: str | os.PathLike[str] | None = None) -> DataPaths:
    return DataPaths(resolve_data_dir(explicit))
