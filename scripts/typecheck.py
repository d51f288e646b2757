"""mypy over core/ and gui/ (config: pyproject.toml's [tool.mypy]), as `./dev test` runs it.

core/ (and anything that is not gui/) must have no error at all. gui/ is held to a committed,
shrinking baseline, scripts/mypy-gui-baseline.txt: mypy's error lines with the line numbers taken
out, sorted, so that an edit elsewhere in a file does not break the check. A gui error that is not
in the baseline fails; so does a baseline line mypy no longer reports (remove it: the baseline only
shrinks). `python scripts/typecheck.py --update` rewrites the baseline from the current errors
(say why in the commit if it grows).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scripts" / "mypy-gui-baseline.txt"
# "gui/x.py:12: error: ..." -> "gui/x.py: error: ..."; also "defined on line 12" inside a message
_LINE = re.compile(r"^([^:]+):\d+(?::\d+)?: ")
_ON_LINE = re.compile(r"\bon line \d+")


def normalize(line: str) -> str:
    return _ON_LINE.sub("on line N", _LINE.sub(r"\1: ", line.strip().replace("\\", "/")))


def run_mypy() -> tuple[int, list[str], str]:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty"],
                          cwd=ROOT, capture_output=True, text=True)
    errors = [ln for ln in proc.stdout.splitlines() if ": error: " in ln]
    return proc.returncode, errors, proc.stdout + proc.stderr


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return Counter(ln for ln in lines if ln.strip() and not ln.startswith("#"))


def write_baseline(found: Counter[str]) -> None:
    head = ("# mypy errors in gui/ still to fix (scripts/typecheck.py): one line per error, line numbers\n"
            "# taken out, sorted. Only ever remove lines; `python scripts/typecheck.py --update` rewrites it.\n")
    BASELINE.write_text(head + "".join(ln + "\n" for ln in sorted(found.elements())), encoding="utf-8",
                        newline="\n")


def main(argv: list[str]) -> int:
    rc, errors, output = run_mypy()
    if rc not in (0, 1) or (rc == 1 and not errors):  # 2: mypy itself failed (bad config, crash)
        print(output, file=sys.stderr)
        print(f"typecheck: mypy failed (exit {rc})", file=sys.stderr)
        return 2
    gui = [e for e in errors if e.replace("\\", "/").startswith("gui/")]
    other = [e for e in errors if e not in gui]
    found = Counter(normalize(e) for e in gui)
    if "--update" in argv:
        write_baseline(found)
        print(f"typecheck: wrote {BASELINE.relative_to(ROOT)} ({sum(found.values())} gui errors)")
        return 1 if other else 0
    base = read_baseline()
    new, fixed = found - base, base - found
    ok = True
    if other:
        ok = False
        print("typecheck: mypy errors outside gui/ (none are allowed):", *other, sep="\n  ")
    if new:
        ok = False
        print("typecheck: new mypy errors in gui/ (fix them; the baseline only shrinks):",
              *[e for e in gui if normalize(e) in new], sep="\n  ")
    if fixed:
        ok = False
        print(f"typecheck: fixed, so remove from {BASELINE.relative_to(ROOT)} "
              "(or run `python scripts/typecheck.py --update`):", *sorted(fixed.elements()), sep="\n  ")
    if ok:
        print(f"typecheck: core/ clean; gui/ {sum(found.values())} errors, as in the baseline")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
