"""CertPath core: rules, dates, validation, storage and exports. Pure Python: never imports Qt."""

from __future__ import annotations

import sys
from pathlib import Path

__version__ = "0.1.0"

# The profile JSON format this version writes (and the newest it reads).
PROFILE_FORMAT = "certpath-profile/1"
# A document with a `programs` section (the application season) is written as version 2, so an
# older CertPath, which knows only version 1, refuses it with "newer than this version reads"
# instead of dropping the programs. Documents without programs stay version 1.
PROFILE_FORMAT_PROGRAMS = "certpath-profile/2"


def resources_dir() -> Path:
    """The bundled resources/ folder, from a source checkout or a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)  # set by the PyInstaller bootloader
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
