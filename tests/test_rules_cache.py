"""The rules' parse cache never changes an answer: it is used only while the TOML is unchanged,
and it lives in the cache folder, never in the source tree (tests never write into resources/)."""

import datetime as dt
import os
import shutil
import stat

import pytest

from core import cache_dir, resources_dir
from core.rules import COMPILED_NAME, RuleDataError, compile_rules, load_rules_from, rules_from_files

RULE = ('[[rule]]\nid = "x"\nstatement = "s"\nvalue = 1\nsources = [{ url = "https://example.org", '
        'tier = "secondary" }]\nchecked = 2026-11-21\nconfidence = "high"\n')


def _snapshot(rs):
    return [r.to_json() for r in rs.all()]


def _copy_rules(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(resources_dir() / "rules", folder, ignore=shutil.ignore_patterns(COMPILED_NAME))
    return folder


def test_cached_and_parsed_rule_sets_are_identical(tmp_path):
    folder = _copy_rules(tmp_path)
    parsed = load_rules_from(folder, use_compiled=False)
    assert not list(cache_dir().glob("rules-*.json"))
    first = load_rules_from(folder)  # parses, then writes the cache
    assert len(list(cache_dir().glob("rules-*.json"))) == 1
    assert not (folder / COMPILED_NAME).exists()  # never beside the TOML
    cached = load_rules_from(folder)  # from the cache
    assert _snapshot(parsed) == _snapshot(first) == _snapshot(cached)
    # dates inside values survive the cache as dates
    assert any(isinstance(r.value, type(r.checked)) for r in cached.all())
    assert all(type(a.checked) is type(b.checked) for a, b in zip(parsed.all(), cached.all(), strict=True))


def test_loading_the_bundled_rules_writes_nothing_into_resources(tmp_path):
    before = sorted((p.relative_to(resources_dir()), p.stat().st_mtime_ns) for p in resources_dir().rglob("*"))
    load_rules_from(resources_dir() / "rules")
    load_rules_from(resources_dir() / "rules")
    after = sorted((p.relative_to(resources_dir()), p.stat().st_mtime_ns) for p in resources_dir().rglob("*"))
    assert before == after
    assert list(cache_dir().glob("rules-*.json"))


def test_an_edited_rule_file_is_reread_not_served_stale(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "a.toml").write_text(RULE, encoding="utf-8")
    assert load_rules_from(folder).value("x", dt.date(2026, 1, 1)) == 1
    (folder / "a.toml").write_text((folder / "a.toml").read_text().replace("value = 1", "value = 2"))
    assert load_rules_from(folder).value("x", dt.date(2026, 1, 1)) == 2


def test_a_corrupt_cache_is_ignored(tmp_path):
    folder = _copy_rules(tmp_path)
    out = compile_rules(folder)
    out.write_text("{ not json", encoding="utf-8")
    assert _snapshot(load_rules_from(folder)) == _snapshot(load_rules_from(folder, use_compiled=False))


def test_the_bundle_cache_beside_the_rules_is_used_read_only(tmp_path):
    folder = _copy_rules(tmp_path)
    compile_rules(folder, out=folder / COMPILED_NAME)  # what build.spec does for the frozen app
    assert _snapshot(load_rules_from(folder)) == _snapshot(load_rules_from(folder, use_compiled=False))
    assert not list(cache_dir().glob("rules-*.json"))  # the shipped cache matched: nothing written


def test_a_read_only_cache_folder_still_loads(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setenv("CERTPATH_CACHE_DIR", str(ro / "cache"))
    try:
        assert len(load_rules_from(_copy_rules(tmp_path)).all()) > 100
    finally:
        os.chmod(ro, stat.S_IRWXU)


def test_an_empty_rule_set_is_an_error_never_zero_rules(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RuleDataError, match="no rule files"):
        load_rules_from(empty)
    with pytest.raises(RuleDataError, match="does not exist"):
        load_rules_from(tmp_path / "missing")
    (empty / "a.toml").write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(RuleDataError, match="no \\[\\[rule\\]\\] records"):
        load_rules_from(empty)
    with pytest.raises(RuleDataError):
        rules_from_files([])


def _records_files():
    return list(cache_dir().glob("rules-*.records"))


def test_the_checked_records_kept_give_the_same_rule_set(tmp_path):
    """The second load takes the records kept by the first (no JSON, no checks): the same records,
    field for field, dates as dates, sources as Source objects."""
    from core import rules

    folder = _copy_rules(tmp_path)
    parsed = load_rules_from(folder, use_compiled=False)
    first = load_rules_from(folder)  # parses, writes the parse cache and the records
    assert len(_records_files()) == 1
    fp = rules.fingerprint(rules.read_rule_files(folder))
    kept = rules._read_records(_records_files()[0], fp)
    assert kept is not None and len(kept) == len(parsed.all())
    cached = load_rules_from(folder)
    assert _snapshot(parsed) == _snapshot(first) == _snapshot(cached)
    assert parsed.all() == cached.all()
    for a, b in zip(parsed.all(), cached.all(), strict=True):
        assert a.__dict__ == b.__dict__
        assert [type(x) for x in a.__dict__.values()] == [type(x) for x in b.__dict__.values()]
        assert all(type(s) is rules.Source for s in b.sources)
    assert any(isinstance(r.value, dt.date) for r in cached.all())  # a dated value stays a date
    day = dt.date(2026, 1, 1)
    assert all(parsed.find(rid, day) == cached.find(rid, day) for rid in parsed.ids())


def test_records_kept_by_other_checking_code_are_not_used(tmp_path, monkeypatch):
    """A CertPath whose checks differ (stricter, a new field) never takes another's records."""
    from core import rules

    folder = _copy_rules(tmp_path)
    load_rules_from(folder)
    (path,) = _records_files()
    fp = rules.fingerprint(rules.read_rule_files(folder))
    assert rules._read_records(path, fp) is not None
    monkeypatch.setattr(rules, "_CHECKER", b"another version's checks")
    assert rules._read_records(path, fp) is None
    assert _snapshot(load_rules_from(folder)) == _snapshot(load_rules_from(folder, use_compiled=False))
    assert rules._read_records(path, fp) is not None  # rewritten for this checker


def test_the_checking_codes_identity_is_the_same_in_every_process():
    """Else every start would miss the kept records (a set display's order, an object's address)."""
    import subprocess
    import sys

    code = "from core import rules; print(rules._checker_identity().hex())"
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env=env).stdout.strip() for _ in range(3)}
    assert len(seen) == 1 and len(seen.pop()) == 64


def test_damaged_kept_records_are_ignored(tmp_path):
    folder = _copy_rules(tmp_path)
    load_rules_from(folder)
    (path,) = _records_files()
    for damage in (b"", b"\x00garbage", path.read_bytes()[:1000]):
        path.write_bytes(damage)
        assert _snapshot(load_rules_from(folder)) == _snapshot(load_rules_from(folder, use_compiled=False))


def test_an_edited_rule_file_is_not_served_from_kept_records(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "a.toml").write_text(RULE, encoding="utf-8")
    assert load_rules_from(folder).value("x", dt.date(2026, 1, 1)) == 1
    assert load_rules_from(folder).value("x", dt.date(2026, 1, 1)) == 1  # from the kept records
    (folder / "a.toml").write_text((folder / "a.toml").read_text().replace("value = 1", "value = 2"))
    assert load_rules_from(folder).value("x", dt.date(2026, 1, 1)) == 2
