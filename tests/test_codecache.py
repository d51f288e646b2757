"""core.codecache: the dataclasses' generated methods come out of the cache exactly as compiled."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import codecache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path):
    path = tmp_path / "cache" / codecache.FILE_NAME
    codecache.install(path)
    yield path
    codecache.uninstall()


def _make():
    @dataclasses.dataclass(frozen=True)
    class Card:
        kind: str
        number: int = 0
        tags: list[str] = dataclasses.field(default_factory=list, compare=False)
        note: str = dataclasses.field(default="", repr=False)

    @dataclasses.dataclass(order=True, kw_only=True)
    class Sitting:
        day: int
        score: float | None = None

    return Card, Sitting


def _methods(cls) -> dict[str, object]:
    return {name: getattr(cls, name) for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__",
                                                  "__delattr__", "__lt__", "__ge__") if name in vars(cls)}


def test_the_same_methods_with_and_without_the_cache(cache) -> None:
    codecache.uninstall()
    plain = [_methods(c) for c in _make()]
    codecache.install(cache)
    first = [_methods(c) for c in _make()]  # compiled, remembered
    assert codecache.save() and cache.exists()
    codecache.uninstall()
    codecache.install(cache)  # a new start: read back from the file
    before = codecache.compiled
    cached = [_methods(c) for c in _make()]
    assert codecache.compiled == before  # nothing compiled again
    for p, f, c in zip(plain, first, cached, strict=True):
        assert p.keys() == f.keys() == c.keys()
        for name in p:
            pc, fc, cc = (getattr(m[name], "__code__", None) for m in (p, f, c))
            if pc is None:  # __hash__ = None and the like
                assert p[name] == f[name] == c[name]
                continue
            assert pc.co_code == fc.co_code == cc.co_code
            assert pc.co_consts == fc.co_consts == cc.co_consts
            assert pc.co_names == fc.co_names == cc.co_names
            assert pc.co_flags == fc.co_flags == cc.co_flags  # no `from __future__` flag leaked in
            assert p[name].__annotations__ == f[name].__annotations__ == c[name].__annotations__


def test_the_classes_behave_the_same(cache) -> None:
    codecache.save()
    codecache.uninstall()
    codecache.install(cache)
    Card, Sitting = _make()
    a, b = Card("BLS", 3, ["x"], note="n"), Card("BLS", 3, ["y"], note="n")
    assert a == b and hash(a) == hash(b) and a != Card("BLS", 3, ["x"])
    assert repr(a).endswith(".Card(kind='BLS', number=3, tags=['x'])")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.kind = "PALS"  # type: ignore[misc]
    assert Sitting(day=1) < Sitting(day=2)
    with pytest.raises(TypeError):
        Sitting(1)  # type: ignore[misc]  # keyword-only


@pytest.mark.parametrize("content", [b"", b"garbage", b"certpath-dc1 " + b"\0" * 5, None])
def test_a_damaged_or_foreign_file_is_ignored_and_rebuilt(tmp_path, content) -> None:
    path = tmp_path / codecache.FILE_NAME
    if content is None:  # another interpreter's file: its magic number differs
        content = b"certpath-dc1 " + b"\x00\x00\r\n\x00" + b"\x00"
    path.write_bytes(content)
    codecache.install(path)
    try:
        before = codecache.compiled
        _make()
        assert codecache.compiled > before
        assert codecache.save()
        codecache.uninstall()
        codecache.install(path)
        before = codecache.compiled
        _make()
        assert codecache.compiled == before
    finally:
        codecache.uninstall()


def test_an_unwritable_cache_folder_is_no_failure(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    codecache.install(blocker / "sub" / codecache.FILE_NAME)  # its folder cannot be made
    try:
        _make()
        assert codecache.save() is False
    finally:
        codecache.uninstall()


def test_the_app_compiles_no_generated_method_on_its_second_start(tmp_path) -> None:
    code = ("import sys; from gui.app import _use_code_cache, _preload_core; _use_code_cache(); _preload_core(); "
            "import gui.main_window; from core import codecache; print(codecache.compiled, codecache.reused); "
            "codecache.save()")
    env = {**os.environ, "CERTPATH_CACHE_DIR": str(tmp_path / "c"), "PYTHONPATH": str(ROOT),
           "QT_QPA_PLATFORM": "offscreen"}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                           cwd=ROOT).stdout.split() for _ in range(2)]
    first, second = ([int(x) for x in r] for r in runs)
    assert first[0] > 200 and first[1] == 0  # the dataclasses before the first paint: ~250 methods
    assert second == [0, first[0]]
