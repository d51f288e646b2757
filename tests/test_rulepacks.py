"""Signed rule packs (issue 14): build, verify, diff, install, rollback; every tampered, foreign,
older or incompatible pack is refused with exit 2 and nothing installed; what an update changes
for each profile; overrides kept; the staleness notice."""

import datetime as dt
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from core import resources_dir
from core.cli import main
from core.rulepacks import (
    MANIFEST,
    SIGNATURE,
    PackRefused,
    bundled_pack,
    diff_rules,
    impact,
    installed_state,
    mark_staleness_shown,
    newest_checked,
    read_pack,
    staleness_notice,
)
from core.rules import COMPILED_NAME, load_rules, load_rules_from

TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys")
    assert main(["rules", "keygen", str(d / "a")]) == 0
    assert main(["rules", "keygen", str(d / "b")]) == 0
    return {"priv": d / "a" / "certpath-rules.key", "pub": d / "a" / "certpath-rules.pub.pem",
            "other_priv": d / "b" / "certpath-rules.key", "other_pub": d / "b" / "certpath-rules.pub.pem"}


def cli(capsys, *args):
    rc = main([str(a) for a in args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return rc, out.out, out.err


def build(capsys, keys, out, *extra, key=None):
    rc, o, e = cli(capsys, "rules", "pack", "build", out, "--key", key or keys["priv"], "--today",
                   TODAY.isoformat(), *extra)
    assert rc == 0, e
    return Path(out)


def rules_copy(tmp_path, name="rules"):
    folder = tmp_path / name
    shutil.copytree(resources_dir() / "rules", folder, ignore=shutil.ignore_patterns(COMPILED_NAME))
    return folder


def rezip(src: Path, dst: Path, mutate) -> Path:
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members = mutate(dict(members))
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    return dst


def installed_files(data: Path):
    d = data / "rulepacks"
    return sorted((p.name, p.read_bytes()) for p in d.iterdir()) if d.exists() else []


def test_sign_and_verify_with_a_test_key(tmp_path, capsys, keys):
    pack = build(capsys, keys, tmp_path / "p.cprules", "--version", "2026.12.1")
    rc, out, err = cli(capsys, "rules", "pack", "verify", pack, "--trust", keys["pub"])
    assert rc == 0, err
    assert out.count("\n") == 1 and "rule pack 2026.12.1 of 2026-11-21" in out and "good" in out
    # without --trust only the project's keys count
    rc, out, err = cli(capsys, "rules", "pack", "verify", pack)
    assert rc == 2 and "not signed by a key CertPath trusts" in err
    # the environment variable trusts it too
    import os

    os.environ["CERTPATH_TRUST_KEYS"] = str(keys["pub"])
    try:
        assert cli(capsys, "rules", "pack", "verify", pack)[0] == 0
    finally:
        del os.environ["CERTPATH_TRUST_KEYS"]
    with zipfile.ZipFile(pack) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        names = set(zf.namelist())
    assert manifest["version"] == "2026.12.1" and manifest["made"] == "2026-11-21"
    assert manifest["app"] == {"min": "0.1.0", "below": "0.2.0"}
    assert set(manifest["files"]) == names - {MANIFEST, SIGNATURE}
    assert all(re.fullmatch(r"[0-9a-f]{64}", m["sha256"]) for m in manifest["files"].values())


def _flip(members):
    name = next(n for n in members if n.endswith("states.toml"))
    b = bytearray(members[name])
    b[len(b) // 2] ^= 0x01
    members[name] = bytes(b)
    return members


def _remove(members):
    del members[next(n for n in members if n.endswith("fees.toml"))]
    return members


def _add(members):
    members["rules/img/extra.toml"] = b"# nothing\n"
    return members


def _manifest_edit(members):
    m = json.loads(members[MANIFEST])
    m["version"] = "2099.1.1"
    members[MANIFEST] = json.dumps(m).encode()
    return members


@pytest.mark.parametrize(("mutate", "said"), [
    (_flip, "does not match its checksum"),
    (_remove, "a file was removed"),
    (_add, "a file was added"),
    (_manifest_edit, "not signed by a key CertPath trusts"),
    (lambda m: {**m, "../evil.toml": b"x"}, "points outside the pack"),
    (lambda m: {**m, "rules/x.toml/../../evil": b"x"}, "points outside the pack"),
    (lambda m: {k: v for k, v in m.items() if k != SIGNATURE}, "is not signed"),
    (lambda m: {**m, MANIFEST: b"{ not json"}, "manifest.json is not valid JSON"),
    (lambda m: {**m, MANIFEST: b'{"format": "certpath-rulepack/1", "version": 7}'}, "no pack version"),
    (lambda m: {**m, MANIFEST: b'{"format": "certpath-rulepack/9"}'}, "newer kind of rule pack"),
    (lambda m: {**m, "rules/bomb.toml": b"#" + b" " * 1_500_000}, "compression bomb"),
])
def test_a_tampered_or_malformed_pack_is_refused_and_nothing_installed(tmp_path, capsys, keys, mutate, said):
    good = build(capsys, keys, tmp_path / "good.cprules", "--version", "2026.12.1")
    bad = rezip(good, tmp_path / "bad.cprules", mutate)
    data = tmp_path / "data"
    for args in (["verify", bad], ["install", bad, "--data-dir", data]):
        rc, out, err = cli(capsys, "rules", "pack", *args, "--trust", keys["pub"])
        assert rc == 2 and said in err, (args, err)
    assert installed_files(data) == []
    assert installed_state(type("P", (), {"root": data})()).pack.info.version == "0"


def test_a_wrong_key_an_older_version_and_another_app_version_are_refused(tmp_path, capsys, keys):
    data = tmp_path / "data"
    trust = ["--trust", keys["pub"]]
    foreign = build(capsys, keys, tmp_path / "foreign.cprules", "--version", "2026.12.5", key=keys["other_priv"])
    rc, _, err = cli(capsys, "rules", "pack", "install", foreign, "--data-dir", data, *trust)
    assert rc == 2 and "not signed by a key CertPath trusts" in err and "Nothing was installed" in err
    assert installed_files(data) == []

    newer = build(capsys, keys, tmp_path / "newer.cprules", "--version", "2026.12.2")
    assert cli(capsys, "rules", "pack", "install", newer, "--data-dir", data, *trust)[0] == 0
    before = installed_files(data)
    older = build(capsys, keys, tmp_path / "older.cprules", "--version", "2026.12.1")
    rc, _, err = cli(capsys, "rules", "pack", "install", older, "--data-dir", data, *trust)
    assert rc == 2 and "older than the one in use (2026.12.2)" in err
    rc, _, err = cli(capsys, "rules", "pack", "install", newer, "--data-dir", data, *trust)
    assert rc == 2 and "the one already in use" in err
    other_app = build(capsys, keys, tmp_path / "app.cprules", "--version", "2027.1.1", "--app-min", "0.2.0",
                      "--app-below", "0.3.0")
    for args in (["verify", other_app], ["install", other_app, "--data-dir", data]):
        rc, _, err = cli(capsys, "rules", "pack", *args, *trust)
        assert rc == 2 and "is made for CertPath 0.2.0 up to (not including) 0.3.0" in err
    assert installed_files(data) == before


def test_build_refuses_rules_that_fail_validation(tmp_path, capsys, keys):
    src = rules_copy(tmp_path)
    f = src / "cards" / "expiry.toml"
    f.write_text(f.read_text(encoding="utf-8").replace('confidence = "high"', 'confidence = "sure"', 1), encoding="utf-8")
    rc, _, err = cli(capsys, "rules", "pack", "build", tmp_path / "x.cprules", "--key", keys["priv"],
                     "--source", src, "--version", "2026.12.1")
    assert rc == 2 and "do not load" in err and "confidence must be one of" in err
    assert not (tmp_path / "x.cprules").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    rc, _, err = cli(capsys, "rules", "pack", "build", tmp_path / "y.cprules", "--key", keys["priv"],
                     "--source", empty, "--version", "2026.12.1")
    assert rc == 2 and "no rule files" in err


def _change_state_months(folder: Path, code: str, months: int) -> None:
    f = folder / "img" / "states.toml"
    text = f.read_text(encoding="utf-8")
    at = text.index(f'id = "license.state.{code}"')
    m = re.compile(r"pgt_months_img = \d+").search(text, at)
    f.write_text(text[:m.start()] + f"pgt_months_img = {months}" + text[m.end():], encoding="utf-8")


def _change_value(folder: Path, rel: str, rule_id: str, old: str, new: str) -> None:
    f = folder / rel
    text = f.read_text(encoding="utf-8")
    at = text.index(f'id = "{rule_id}"')
    end = text.find("[[rule]]", at)
    end = len(text) if end < 0 else end
    block = text[at:end]
    assert old in block
    f.write_text(text[:at] + block.replace(old, new, 1) + text[end:], encoding="utf-8")


@pytest.fixture
def changed_pack(tmp_path, capsys, keys):
    """A pack of a copy of the rules where Pennsylvania asks 12 months less training of IMGs, the AHA
    eCard delay is 15 business days, one rule is removed and one added."""
    src = rules_copy(tmp_path, "changed")
    pa = load_rules().value("license.state.PA", TODAY)["pgt_months_img"]
    _change_state_months(src, "PA", pa - 12)
    _change_value(src, "cards/ecard.toml", "cards.aha.ecard_issue_business_days", "value = 20", "value = 15")
    _change_value(src, "cards/ecard.toml", "cards.aha.ecard_issue_business_days", "checked = 2026-11-21",
                  "checked = 2026-12-01")
    f = src / "cards" / "ecard.toml"
    f.write_text(f.read_text(encoding="utf-8") + '\n[[rule]]\nid = "cards.aha.new_rule"\nstatement = "New."\n'
                 'value = 1\nsources = [{ url = "https://cpr.heart.org/", tier = "primary" }]\n'
                 'checked = 2026-12-01\nconfidence = "high"\n', encoding="utf-8")
    text = f.read_text(encoding="utf-8")
    at = text.index('id = "cards.aha.ecard_claim"')
    start, end = text.rindex("[[rule]]", 0, at), text.index("[[rule]]", at)
    f.write_text(text[:start] + text[end:], encoding="utf-8")
    return build(capsys, keys, tmp_path / "changed.cprules", "--version", "2026.12.1", "--source", src), pa


def test_the_diff_of_two_packs(tmp_path, capsys, keys, changed_pack):
    pack, pa = changed_pack
    base = build(capsys, keys, tmp_path / "base.cprules", "--version", "2026.11.1")
    rc, out, err = cli(capsys, "rules", "pack", "diff", base, pack, "--json")
    assert rc == 0, err
    d = json.loads(out)
    by = {(c["change"], c["id"]): c for c in d["changes"]}
    assert set(by) == {("changed", "license.state.PA"), ("changed", "cards.aha.ecard_issue_business_days"),
                       ("added", "cards.aha.new_rule"), ("removed", "cards.aha.ecard_claim")}
    ecard = by[("changed", "cards.aha.ecard_issue_business_days")]
    assert ecard["fields"] == ["value", "checked"]
    assert (ecard["old"]["value"], ecard["new"]["value"]) == (20, 15)
    assert ecard["new"]["sources"] and ecard["new"]["confidence"] == "high"
    assert by[("changed", "license.state.PA")]["new"]["value"]["pgt_months_img"] == pa - 12
    rc, text, _ = cli(capsys, "rules", "pack", "diff", base, pack)
    assert rc == 0
    assert "1 rule record added, 1 removed, 2 changed." in text
    assert "~ cards.aha.ecard_issue_business_days (changed)\n    value: 20 -> 15\n    checked: 2026-11-21 -> 2026-12-01" in text
    assert "+ cards.aha.new_rule (added): 1" in text and "- cards.aha.ecard_claim (removed" in text
    # the bundled rules compare as pack 0 through the same code path
    assert diff_rules(bundled_pack().rules, read_pack(base, require_signature=False).rules) == []


def _import_demo(capsys, data, overrides=None):
    doc = json.loads((resources_dir() / "demo" / "img-demo.json").read_text(encoding="utf-8"))
    doc["overrides"] = overrides or {}
    p = data.parent / f"doc{len(list(data.parent.glob('doc*.json')))}.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    rc, out, err = cli(capsys, "import", p, "--data-dir", data)
    assert rc == 0, err
    return int(out.strip())


def test_what_a_pack_changes_for_each_profile_and_the_override_kept(tmp_path, capsys, keys, changed_pack):
    pack, pa = changed_pack
    data = tmp_path / "data"
    plain = _import_demo(capsys, data)
    mine = _import_demo(capsys, data, {"cards.aha.ecard_issue_business_days": {"value": 15, "note": "my TC"}})
    rc, out, err = cli(capsys, "rules", "pack", "impact", pack, "--data-dir", data, "--today", TODAY.isoformat(),
                       "--trust", keys["pub"], "--json")
    assert rc == 0, err
    imps = {i["profile"]: i for i in json.loads(out)}
    lic = [m for m in imps[plain]["moves"] if m["step"] == "license.state"]
    assert len(lic) == 1 and lic[0]["field"] == "due" and lic[0]["title"]
    old_due = dt.date.fromisoformat(lic[0]["old"])
    assert lic[0]["new"] == old_due.replace(year=old_due.year - 1).isoformat()  # 12 months sooner
    assert imps[plain]["overrides"] == []
    note = imps[mine]["overrides"][0]
    assert note["rule"] == "cards.aha.ecard_issue_business_days" and note["agrees"] and note["published_changed"]
    rc, text, _ = cli(capsys, "rules", "pack", "impact", pack, "--data-dir", data, "--today", TODAY.isoformat(),
                      "--trust", keys["pub"])
    assert f"due date {lic[0]['old']} -> {lic[0]['new']}" in text
    assert "Your value for cards.aha.ecard_issue_business_days is kept; the new rule now agrees with it (15)." in text

    assert cli(capsys, "rules", "pack", "install", pack, "--data-dir", data, "--trust", keys["pub"])[0] == 0
    rc, out, _ = cli(capsys, "export", mine, "--data-dir", data)
    assert json.loads(out)["overrides"]["cards.aha.ecard_issue_business_days"]["value"] == 15  # kept
    rc, out, _ = cli(capsys, "rules", "--data-dir", data, "--trust", keys["pub"])
    assert "rule pack 2026.12.1 of 2026-11-21 (installed)" in out and "rollback goes back to the bundled rules" in out
    assert load_rules().value("license.state.PA", TODAY)["pgt_months_img"] == pa - 12  # the pack is in use


def test_install_then_rollback_then_the_bundled_rules(tmp_path, capsys, keys, monkeypatch):
    monkeypatch.setenv("CERTPATH_TRUST_KEYS", str(keys["pub"]))
    data = tmp_path / "data"
    one = build(capsys, keys, tmp_path / "1.cprules", "--version", "2026.12.1")
    two = build(capsys, keys, tmp_path / "2.cprules", "--version", "2026.12.2")

    def in_use():
        rc, out, _ = cli(capsys, "rules", "--data-dir", data, "--json")
        return json.loads(out)

    assert in_use()["version"] == "0" and in_use()["origin"] == "bundled"
    assert cli(capsys, "rules", "pack", "install", one, "--data-dir", data)[0] == 0
    assert cli(capsys, "rules", "pack", "install", two, "--data-dir", data)[0] == 0
    assert (in_use()["version"], in_use()["rollback_to"]) == ("2026.12.2", "2026.12.1")
    rc, out, _ = cli(capsys, "rules", "pack", "rollback", "--data-dir", data)
    assert rc == 0 and "Now using rule pack 2026.12.1." in out
    assert in_use()["version"] == "2026.12.1"
    rc, out, _ = cli(capsys, "rules", "pack", "rollback", "--data-dir", data)
    assert rc == 0 and "bundled rules" in out and in_use()["version"] == "0"
    rc, _, err = cli(capsys, "rules", "pack", "rollback", "--data-dir", data)
    assert rc == 2 and "already uses its bundled rules" in err
    # Help ▸ Rules: go back to the bundled rules; a rollback brings the pack back
    assert cli(capsys, "rules", "pack", "install", two, "--data-dir", data)[0] == 0
    assert cli(capsys, "rules", "pack", "bundled", "--data-dir", data)[0] == 0
    assert in_use()["version"] == "0"
    assert cli(capsys, "rules", "pack", "rollback", "--data-dir", data)[0] == 0
    assert in_use()["version"] == "2026.12.2"
    # a pack damaged on disk after install is not used, and that is said
    cur = data / "rulepacks" / "current.cprules"
    rezip(cur, cur, _flip)
    s = in_use()
    assert s["version"] == "0" and "does not match its checksum" in s["problem"]


def test_a_pack_larger_than_the_cap_is_refused(tmp_path, capsys):
    big = tmp_path / "big.cprules"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("rules/a.toml", io.BytesIO(bytes(9 * 1024 * 1024)).getvalue())
    rc, _, err = cli(capsys, "rules", "pack", "verify", big)
    assert rc == 2 and "a rule pack is at most 8 MB" in err
    (tmp_path / "no.cprules").write_bytes(b"not a zip")
    rc, _, err = cli(capsys, "rules", "pack", "verify", tmp_path / "no.cprules")
    assert rc == 2 and "not a ZIP archive" in err
    with pytest.raises(PackRefused):
        read_pack(tmp_path / "missing.cprules")


def _rules_with_staleness(tmp_path, months):

    src = rules_copy(tmp_path, f"s{months}")
    _change_value(src, "certpath/policy.toml", "rules.staleness_months", "value = 6", f"value = {months}")
    return load_rules_from(src)


def test_the_staleness_notice_seven_months_after_the_newest_checked_date(store):
    rules = load_rules()
    newest = newest_checked(rules)
    assert newest == max(r.checked for r in rules.all() if not r.file.startswith("certpath/"))
    assert rules.value("rules.staleness_months", newest) == 6
    seven = dt.date(newest.year + (newest.month + 7 - 1) // 12, (newest.month + 7 - 1) % 12 + 1, newest.day)
    text = staleness_notice(store, rules, seven)
    assert text is not None and text.startswith(f"Your rules were last checked on {newest.isoformat()}; "
                                                "rules change — look for an update")
    mark_staleness_shown(store, seven)
    assert staleness_notice(store, rules, seven + dt.timedelta(days=6)) is None  # at most once a week
    assert staleness_notice(store, rules, seven + dt.timedelta(days=7)) == text
    # six months to the day is not yet stale; the day after is
    six = dt.date(newest.year + (newest.month + 6 - 1) // 12, (newest.month + 6 - 1) % 12 + 1, newest.day)
    store.set_setting("rules.staleness_notice_shown", None)
    assert staleness_notice(store, rules, six) is None
    assert staleness_notice(store, rules, six + dt.timedelta(days=1)) is not None


def test_the_staleness_period_is_a_rule_not_a_constant(tmp_path, store):
    rules = _rules_with_staleness(tmp_path, 12)
    newest = newest_checked(rules)
    assert staleness_notice(store, rules, newest + dt.timedelta(days=214)) is None
    assert staleness_notice(store, rules, newest + dt.timedelta(days=370)) is not None


def test_impact_of_identical_rules_is_nothing(store):
    import json as _json

    doc = _json.loads((resources_dir() / "demo" / "img-demo.json").read_text(encoding="utf-8"))
    store.import_document(doc)
    imps = impact(store, TODAY, load_rules(), bundled_pack().rules)
    assert len(imps) == 1 and imps[0].moves == [] and imps[0].error == ""
