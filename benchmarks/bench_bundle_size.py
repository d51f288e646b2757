"""Bundle size: dist/CertPath vs a hello-world PySide6 window frozen with the same trimming.

A script, not a test:  .venv/bin/python benchmarks/bench_bundle_size.py

Builds the hello bundle with build.spec itself (HELLO=1: same excludes, same plugin/library/
translation filters, same strip), so the difference is what CertPath adds; it is the frozen bare
window bench_startup.py times, kept in build/bench-hello while its inputs are the same
(benchlib.frozen_bare).
Needs `make bundle` first for dist/CertPath. Target: CertPath <= 1.15x hello.
Prints what the difference is made of (per top-level folder of _internal).
"""

from __future__ import annotations

import sys
import tarfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import FROZEN, frozen_bare, machine, tmpdir, verdict  # noqa: E402

TARGET = 1.15


def size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def parts(bundle: Path) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    internal = bundle / "_internal"
    for f in internal.rglob("*"):
        if f.is_file() and not f.is_symlink():
            rel = f.relative_to(internal).parts
            key = rel[0] if len(rel) > 1 else "(top-level libs)"
            if rel[0] == "PySide6" and len(rel) > 2:
                key = "/".join(rel[:3]) if rel[1] == "Qt" else "PySide6 (bindings)"
            out[key] += f.stat().st_size
    return out


def tgz_size(path: Path, tmp: Path) -> int:
    out = tmp / f"{path.name}.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=6) as tf:
        tf.add(path, arcname=path.name)
    return out.stat().st_size


def mb(n: int) -> str:
    return f"{n / 1e6:6.1f} MB"


def main() -> None:
    print(f"machine: {machine()}")
    app = FROZEN.parent
    if not app.exists():
        raise SystemExit("dist/CertPath not found: run `make bundle` first")
    exe = frozen_bare()
    assert exe is not None
    hello = exe.parent
    with tmpdir() as t:
        tmp = Path(t)
        a, h = size(app), size(hello)
        ag, hg = tgz_size(app, tmp), tgz_size(hello, tmp)
        print(f"\n  hello-world window (same trimming) {mb(h)}   (.tar.gz {mb(hg)})")
        print(f"  CertPath                           {mb(a)}   (.tar.gz {mb(ag)})")
        print(f"  ratio {a / h:.3f}x (target <= {TARGET}x: {verdict(a / h, TARGET)});  "
              f"CertPath adds {mb(a - h).strip()}")
        pa, ph = parts(app), parts(hello)
        diff = sorted(((pa.get(k, 0) - ph.get(k, 0), k) for k in set(pa) | set(ph)), reverse=True)
        print("\n  where the difference is (CertPath minus hello, by folder of _internal):")
        for d, k in diff:
            if abs(d) >= 100_000:
                print(f"    {k:<34} {d / 1e6:+7.2f} MB")


if __name__ == "__main__":
    main()
