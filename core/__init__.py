"""CertPath core: rules, dates, validation, storage and exports. Pure Python: never imports Qt."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The one place the version is written: pyproject.toml reads it ([tool.setuptools.dynamic]),
# build.spec reads it from this file, and --version, the About box, backups and .ics use it.
__version__ = "0.1.0"

# The profile JSON format this version writes (and the newest it reads).
PROFILE_FORMAT = "certpath-profile/1"
# A document with a `programs` section (the application season) is written as version 2, so an
# older CertPath, which knows only version 1, refuses it with "newer than this version reads"
# instead of dropping the programs. Documents without programs stay version 1.
PROFILE_FORMAT_PROGRAMS = "certpath-profile/2"

CACHE_ENV_VAR = "CERTPATH_CACHE_DIR"


def resources_dir() -> Path:
    """The bundled resources/ folder: in a PyInstaller bundle, as package data of an installed
    wheel (`core/resources/`, see pyproject's package-dir), or beside the packages in a source
    checkout or an editable install."""
    base = getattr(sys, "_MEIPASS", None)  # set by the PyInstaller bootloader
    if base:
        return Path(base) / "resources"
    here = Path(__file__).resolve().parent
    packaged = here / "resources"
    if (packaged / "rules").is_dir():
        return packaged
    return here.parent / "resources"


def cache_dir() -> Path:
    """Where CertPath keeps files it can always rebuild (the rules' parse cache): $CERTPATH_CACHE_DIR,
    else the user cache folder (~/.cache/CertPath, %LOCALAPPDATA%\\CertPath\\Cache, ~/Library/Caches).
    Never inside the source tree or the bundle."""
    env = os.environ.get(CACHE_ENV_VAR)
    if env:
        return Path(env).expanduser()
    from .paths import user_dir  # platformdirs' user cache folder, without importing it (core/paths.py)

    return user_dir("cache")
