"""PyInstaller entry script: the frozen CertPath starts here (see build.spec)."""

import os
import sys

from gui.app import build_parser, main
from gui.selftest import take_offscreen_flag

if __name__ == "__main__":
    os.environ.setdefault("PYTHONUTF8", "1")
    # `CertPath --self-test --offscreen`: today's offscreen-only self-test (the option parser in
    # gui/app.py does not know the flag yet; take_offscreen_flag leaves it there once it does)
    sys.exit(main(take_offscreen_flag(sys.argv[1:], build_parser())))
