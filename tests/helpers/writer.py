"""A writer for tests/test_crash_safety.py: records facts through core.store until it is killed.

    python tests/helpers/writer.py DATA_DIR RUN_ID

Prints "ready" once the data file is open, then "committed N" (flushed) after each transaction
N has committed. Each transaction writes two fact rows, `r<RUN>.<N>.a` and `r<RUN>.<N>.b`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.db import open_database  # noqa: E402
from core.paths import data_paths  # noqa: E402
from core.store import Store  # noqa: E402


def main() -> None:
    data_dir, run = sys.argv[1], sys.argv[2]
    paths = data_paths(data_dir).ensure()
    store = Store(open_database(paths.db))
    profiles = store.list_profiles()
    pid = profiles[0]["id"] if profiles else store.create_profile("Writer", "other", [])
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    n = 0
    while True:
        n += 1
        payload = {"n": n, "text": "x" * 200}
        store.save_facts(pid, {f"r{run}.{n}.a": payload, f"r{run}.{n}.b": payload})
        out.write(f"committed {n}\n")
        out.flush()


if __name__ == "__main__":
    main()
