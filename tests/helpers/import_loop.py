"""A command-line writer for the concurrency trials: `python -m core import` in a loop.

Runs core.cli.main(["import", ...]) (the code of `python -m core import`: open, lock, checks,
one transaction, close) until `seconds` have passed; prints the name of every profile whose
import reported success (exit 0), one per line, flushed at once.
Usage: import_loop.py DATA_DIR TAG SECONDS
"""

import contextlib
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import resources_dir  # noqa: E402
from core.cli import main  # noqa: E402

data, tag, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
doc = json.loads((resources_dir() / "demo" / "provider-demo.json").read_text(encoding="utf-8"))
src = Path(data).parent / f"import-{tag}.json"
end = time.monotonic() + seconds
i = 0
failed = 0
while time.monotonic() < end:
    i += 1
    doc["name"] = f"{tag}-{i}"
    src.write_text(json.dumps(doc), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["import", str(src), "--data-dir", data])
    if rc == 0:
        print(doc["name"], flush=True)
    else:
        failed += 1
        print(f"# exit {rc}: {err.getvalue().strip()}", file=sys.stderr, flush=True)
print(f"# {failed} refused", file=sys.stderr, flush=True)
