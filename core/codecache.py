"""The compiled code of the methods @dataclass generates, kept between runs (start-up time).

Python 3.11 writes each method a dataclass gets (`__init__`, `__repr__`, `__eq__`, `__hash__`, and
a frozen class's `__setattr__`/`__delattr__`) as source text and compiles it with `exec` while the
module defining the class is imported: the 46 dataclasses imported before the main window's first
paint are 248 such texts, ~45 ms of compiling at every start (docs/performance.md). Like Python's
own `__pycache__` and the rules' parse cache, `install(path)` keeps their compiled code in one
marshal file in the user cache folder and hands the same code object to `exec` when the same text
comes again (keyed by a hash of the text); `save()` writes what was compiled anew.

Nothing else changes: the code is what `exec(text)` itself compiles (file name "<string>", no
`from __future__` flags, the interpreter's optimisation level), the key is a BLAKE2b hash of the exact text, and the
file belongs to one interpreter build (its bytecode magic number and -O level are in the header);
a missing, damaged or foreign file is ignored and rebuilt. Only `exec` inside the `dataclasses`
module is redirected (its one use is the generated methods). The command line does not use it.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType

try:
    from _blake2 import blake2b as _blake2b  # CPython's own: hashlib would load OpenSSL (core/rules.py)
except ImportError:  # an interpreter without it
    from hashlib import blake2b as _blake2b

FILE_NAME = "dataclass-code.marshal"
_MAX_ENTRIES = 4000  # older texts (classes since changed) are dropped beyond this

_HEADER = b"certpath-dc1 " + MAGIC_NUMBER + bytes([sys.flags.optimize])
# BLAKE2b of the text -> its code, marshalled until first used (memory: the texts themselves are
# not kept; a 160-bit digest does not collide by chance)
_codes: dict[bytes, CodeType | bytes] = {}
_used: set[bytes] = set()
_path: Path | None = None
_dirty = False  # compiled something the file does not hold
compiled = 0  # texts compiled in this process (a cache miss each)
reused = 0  # texts whose code came from the cache


def _key(text: str) -> bytes:
    return _blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()


def _exec(source, *args, **kwargs):
    """`exec` for the dataclasses module: a text seen before runs its compiled code."""
    global compiled, reused, _dirty
    if type(source) is str:
        key = _key(source)
        code = _codes.get(key)
        if type(code) is bytes:
            try:
                code = marshal.loads(code)
            except (EOFError, ValueError, TypeError):
                code = None
            if type(code) is not CodeType:
                code = None
        if code is None:
            # dont_inherit: the flags of dataclasses.py (none), not this module's `annotations`
            code = compile(source, "<string>", "exec", dont_inherit=True)
            _codes[key] = code
            compiled += 1
            _dirty = True
        else:
            reused += 1
            _codes[key] = code
        _used.add(key)
        source = code
    return builtins.exec(source, *args, **kwargs)


def _read(path: Path) -> dict[bytes, CodeType | bytes]:
    try:
        blob = path.read_bytes()
    except OSError:
        return {}
    if not blob.startswith(_HEADER):
        return {}
    try:
        table = marshal.loads(blob[len(_HEADER):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if type(k) is bytes and type(v) is bytes}


def install(path: Path | str) -> None:
    """Use (and later `save` to) the cache file `path`, from now on and for the whole process."""
    global _path
    import dataclasses

    _path = Path(path)
    _codes.update(_read(_path))
    dataclasses.exec = _exec  # type: ignore[attr-defined]  # the module's global shadows the builtin


def uninstall() -> None:
    """Back to the builtin `exec` (tests)."""
    global _path, _dirty
    import dataclasses

    if getattr(dataclasses, "exec", None) is _exec:
        del dataclasses.exec  # type: ignore[attr-defined]
    _path = None
    _codes.clear()
    _used.clear()
    _dirty = False


def save() -> bool:
    """Write the cache when this process compiled texts it did not hold; never raises. True: written."""
    global _dirty
    if _path is None or not _dirty:
        return False
    keep = {k: v if type(v) is bytes else marshal.dumps(v) for k, v in _codes.items()
            if len(_codes) <= _MAX_ENTRIES or k in _used}
    tmp = _path.with_name(f".{_path.name}.{os.getpid()}.tmp")
    try:
        _path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_HEADER + marshal.dumps(keep))
        os.replace(tmp, _path)
    except (OSError, ValueError):  # a read-only or full cache folder: compile each time, no harm done
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    _dirty = False
    return True
