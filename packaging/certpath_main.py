"""PyInstaller entry script: the frozen CertPath starts here (see build.spec)."""

import os
import sys

from gui.app import main

if __name__ == "__main__":
    os.environ.setdefault("PYTHONUTF8", "1")
    sys.exit(main())
