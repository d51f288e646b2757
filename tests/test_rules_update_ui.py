"""File ▸ Update rules…: the update dialog shows what changed and what it changes for each
profile, installs on Install, refuses a bad pack with one sentence and changes nothing; the rules
browser names the pack in use; Help ▸ Go back to the bundled rules; the staleness line."""

import datetime as dt
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from core import resources_dir
from core.rulepacks import build_pack, generate_keypair, installed_state
from core.rules import COMPILED_NAME
from gui.shell import open_session

TODAY = dt.date(2026, 11, 21)


@pytest.fixture
def keyed(tmp_path, monkeypatch):
    priv, pub = generate_keypair(tmp_path / "keys")
    monkeypatch.setenv("CERTPATH_TRUST_KEYS", str(pub))
    return priv


def _changed_pack(tmp_path, priv, version="2026.12.1"):
    src = tmp_path / f"rules-{version}"
    shutil.copytree(resources_dir() / "rules", src, ignore=shutil.ignore_patterns(COMPILED_NAME))
    f = src / "cards" / "ecard.toml"
    text = f.read_text(encoding="utf-8")
    at = text.index('id = "cards.aha.ecard_issue_business_days"')
    f.write_text(text[:at] + text[at:].replace("value = 20", "value = 15", 1), encoding="utf-8")
    f = src / "img" / "states.toml"  # Pennsylvania asks 12 months less training of IMGs
    text = f.read_text(encoding="utf-8")
    at = text.index('id = "license.state.PA"')
    m = re.compile(r"pgt_months_img = (\d+)").search(text, at)
    f.write_text(text[:m.start()] + f"pgt_months_img = {int(m.group(1)) - 12}" + text[m.end():], encoding="utf-8")
    out = tmp_path / f"certpath-rules-{version}.cprules"
    build_pack(out, priv, version=version, today=TODAY, source=src)
    return out


def _window(shown_window, data_dir, overrides=None):
    session = open_session(data_dir, TODAY, demo=False)
    doc = json.loads((resources_dir() / "demo" / "provider-demo.json").read_text(encoding="utf-8"))
    doc["overrides"] = overrides or {}
    session.store.import_document(doc)
    session.store.import_document(json.loads((resources_dir() / "demo" / "img-demo.json").read_text(encoding="utf-8")))
    session.choose_default_profile()
    w = shown_window(session)
    w.refresh()
    return w


def test_the_update_dialog_shows_the_changes_and_installs(qtbot, tmp_path, shown_window, keyed, no_modal):
    from gui.rules_dialog import RulesDialog
    from gui.rules_update import update_rules

    data = tmp_path / "data"
    w = _window(shown_window, data, {"cards.aha.ecard_issue_business_days": {"value": 15, "note": "my TC"}})
    pack = _changed_pack(tmp_path, keyed)
    dlg = update_rules(w, str(pack))
    qtbot.waitExposed(dlg)
    assert not dlg.refusal.isVisible() and dlg.install_button.isVisible()
    assert "Rule pack 2026.12.1" in dlg.summary.text() and "bundled rules" in dlg.summary.text()
    changes = dlg.changes.toPlainText()
    assert "Changed cards.aha.ecard_issue_business_days" in changes and "value: 20 → 15" in changes
    yours = dlg.yours.toPlainText()
    assert "Your own value for cards.aha.ecard_issue_business_days is kept; the new rule now agrees with it (15)" in yours
    # dates as the rest of the window shows them (not ISO); the exported report stays ISO (below)
    from gui.dates_display import show_date
    assert (f"Full state licence: due date {show_date(dt.date(2029, 7, 1))} → {show_date(dt.date(2028, 7, 1))}"
            in yours)
    assert "Changed license.state.PA" in changes
    dlg.resize(900, 640)
    dlg.tabs.setCurrentIndex(0)
    shots = tmp_path if not os.environ.get("CERTPATH_SHOTS") else Path(os.environ["CERTPATH_SHOTS"])
    assert dlg.grab().save(str(shots / "update-dialog.png"))
    dlg.tabs.setCurrentIndex(1)
    assert dlg.grab().save(str(shots / "update-dialog-yours.png"))
    dlg.export_to(tmp_path / "report.txt")
    report = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert "== What changed ==" in report and "value: 20 -> 15" in report and "== What this changes for you ==" in report
    assert "due date 2029-07-01 -> 2028-07-01" in report

    assert dlg.install() and dlg.installed
    assert installed_state(w.session.paths).pack.info.version == "2026.12.1"
    assert w.act_bundled_rules.isEnabled()
    browser = RulesDialog(TODAY, w)
    qtbot.addWidget(browser)
    assert "rule pack 2026.12.1 of 21 Nov 2026, installed" in browser.pack_label.text()
    # the day it was installed as the window says dates, not the record's ISO timestamp
    on = dt.date.fromisoformat(installed_state(w.session.paths).pack.info.installed[:10])
    assert f"installed on {show_date(on)};" in browser.pack_label.text()
    assert not re.search(r"\d{4}-\d{2}-\d{2}", browser.pack_label.text())
    assert w.session.store.overrides(w.session.profile_id)["cards.aha.ecard_issue_business_days"]["value"] == 15

    # Help ▸ Go back to the bundled rules
    w.act_bundled_rules.trigger()
    assert installed_state(w.session.paths).pack.info.version == "0"
    assert not w.act_bundled_rules.isEnabled()
    line = RulesDialog(TODAY, w).pack_label.text()
    assert "Rules in use: the rules that came with this CertPath;" in line and "pack version 0" not in line


def test_a_tampered_pack_is_refused_in_one_sentence_and_nothing_changes(qtbot, tmp_path, shown_window, keyed,
                                                                         no_modal):
    from gui.rules_update import update_rules

    data = tmp_path / "data"
    w = _window(shown_window, data)
    good = _changed_pack(tmp_path, keyed)
    bad = tmp_path / "bad.cprules"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for n in zin.namelist():
            data_ = zin.read(n)
            if n.endswith("ecard.toml"):
                data_ = data_.replace(b"value = 15", b"value = 16", 1)
            zout.writestr(n, data_)
    dlg = update_rules(w, str(bad))
    qtbot.waitExposed(dlg)
    assert dlg.refusal.isVisible() and not dlg.install_button.isVisible()
    assert dlg.refusal.text().startswith("This rule pack cannot be installed: bad.cprules: ")
    assert "does not match its checksum" in dlg.refusal.text() and dlg.refusal.text().endswith("Nothing was changed.")
    assert dlg.cancel_button.text() == "Close"
    shots = tmp_path if not os.environ.get("CERTPATH_SHOTS") else Path(os.environ["CERTPATH_SHOTS"])
    assert dlg.grab().save(str(shots / "update-refused.png"))
    assert not dlg.install()
    assert not (data / "rulepacks").exists()


def test_the_staleness_line_on_the_dashboard(qtbot, tmp_path, shown_window, no_modal):
    from core.rulepacks import newest_checked
    from core.rules import load_rules

    late = newest_checked(load_rules()) + dt.timedelta(days=214)  # about 7 months on
    session = open_session(tmp_path / "data", late, demo=False)
    w = shown_window(session)
    label = w.rules_staleness_label
    assert label is not None and label.isVisible()
    assert "Your rules were last checked on" in label.text() and "look for an update" in label.text()
    assert session.store.setting("rules.staleness_notice_shown") == late.isoformat()
    label.linkActivated.emit("dismiss")
    assert not label.isVisible()
    # a week has not passed: the next start says nothing; a week later it says it again
    again = open_session(tmp_path / "data", late + dt.timedelta(days=3), demo=False)
    assert shown_window(again).rules_staleness_label is None
    week = open_session(tmp_path / "data", late + dt.timedelta(days=7), demo=False)
    assert shown_window(week).rules_staleness_label is not None
