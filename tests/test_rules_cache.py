"""The rules' parse cache never changes an answer: it is used only while the TOML is unchanged."""

import shutil

from core import resources_dir
from core.rules import COMPILED_NAME, compile_rules, load_rules_from


def _snapshot(rs):
    return [r.to_json() for r in rs.all()]


def test_cached_and_parsed_rule_sets_are_identical(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(resources_dir() / "rules", folder, ignore=shutil.ignore_patterns(COMPILED_NAME))
    parsed = load_rules_from(folder, use_compiled=False)
    assert not (folder / COMPILED_NAME).exists()
    first = load_rules_from(folder)  # parses, then writes the cache
    assert (folder / COMPILED_NAME).exists()
    cached = load_rules_from(folder)  # from the cache
    assert _snapshot(parsed) == _snapshot(first) == _snapshot(cached)
    # dates inside values survive the cache as dates
    assert any(isinstance(r.value, type(r.checked)) for r in cached.all())
    assert all(type(a.checked) is type(b.checked) for a, b in zip(parsed.all(), cached.all(), strict=True))


def test_an_edited_rule_file_is_reread_not_served_stale(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "a.toml").write_text(
        '[[rule]]\nid = "x"\nstatement = "s"\nvalue = 1\nsources = [{ url = "https://example.org", tier = "secondary" }]\n'
        'checked = 2026-11-21\nconfidence = "high"\n', encoding="utf-8")
    assert load_rules_from(folder).value("x", __import__("datetime").date(2026, 1, 1)) == 1
    (folder / "a.toml").write_text((folder / "a.toml").read_text().replace("value = 1", "value = 2"))
    assert load_rules_from(folder).value("x", __import__("datetime").date(2026, 1, 1)) == 2


def test_a_corrupt_cache_is_ignored(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(resources_dir() / "rules", folder, ignore=shutil.ignore_patterns(COMPILED_NAME))
    compile_rules(folder)
    (folder / COMPILED_NAME).write_text("{ not json", encoding="utf-8")
    assert _snapshot(load_rules_from(folder)) == _snapshot(load_rules_from(folder, use_compiled=False))


def test_a_read_only_folder_still_loads(tmp_path):
    import os
    import stat

    folder = tmp_path / "rules"
    shutil.copytree(resources_dir() / "rules", folder, ignore=shutil.ignore_patterns(COMPILED_NAME))
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert len(load_rules_from(folder).all()) > 100
    finally:
        os.chmod(folder, stat.S_IRWXU)
