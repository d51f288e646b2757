"""PyInstaller entry script: the frozen CertPath starts here (see build.spec).

The same options as from source (`python -m gui`): gui/app.py's parser, `--self-test
[--offscreen]` included."""

import os
import sys

from gui.app import main

if __name__ == "__main__":
    os.environ.setdefault("PYTHONUTF8", "1")
    sys.exit(main(sys.argv[1:]))
