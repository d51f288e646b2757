"""Dates as the GUI shows them (gui/dates_display.py): the month as a word, in the user's language
and order; core's wording follows once the GUI installs its hook; exports, stored texts and the
command line stay ISO."""

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale

from core import datefmt, wording
from core.engine.findings import Finding
from gui import dates_display as dd

ROOT = Path(__file__).resolve().parent.parent
D = dt.date(2027, 1, 31)
ISO_RE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@pytest.fixture
def locale(qapp):
    """`locale("en_US")`: the GUI's default locale for this test (en_GB again afterwards)."""
    def use(name: str) -> None:
        QLocale.setDefault(QLocale(name))

    yield use
    QLocale.setDefault(QLocale("en_GB"))
    dd.uninstall()


@pytest.mark.parametrize(("name", "shown"), [
    ("en_GB", "31 Jan 2027"),
    ("en_US", "Jan 31, 2027"),
    ("fr_FR", "31 janv. 2027"),
    ("de_DE", "31. Jan. 2027"),
    ("es_ES", "31 de ene de 2027"),
    ("ja_JP", "2027年1月31日"),
    ("C", "31 Jan 2027"),
])
def test_show_date_in_the_users_language_and_order(locale, name, shown):
    locale(name)
    assert dd.show_date(D) == shown
    assert dd.show_date(None) == ""


@pytest.mark.parametrize("name", ["ar_EG", "ur_PK", "th_TH", "ko_KR", "hu_HU", "tr_TR", "ru_RU", "zh_CN"])
def test_no_weekday_and_no_stray_separator(locale, name):
    locale(name)
    fmt = dd.locale_format()
    assert "ddd" not in fmt and "MMMM" not in fmt, fmt
    shown = dd.show_date(D)
    weekday = QLocale().dayName(7)  # 2027-01-31 is a Sunday
    assert weekday not in shown and not shown.startswith(("،", ",", " ")), shown
    # day and year are there (in the locale's digits), and no numeric-only month form
    assert QLocale().toString(31) in shown and QLocale().toString(2027).replace(QLocale().groupSeparator(), "") in shown


def test_derived_format_falls_back_when_the_locale_gives_no_word_month():
    assert dd._derive("dddd, d.M.yyyy") == dd.FALLBACK  # numeric month: ambiguous, not used
    assert dd._derive("dddd, MMMM d, yyyy") == "MMM d, yyyy"
    assert dd._derive("yyyy年M月d日dddd") == "yyyy年M月d日"
    assert dd._derive("dddd, d 'de' MMMM 'de' yyyy") == "d 'de' MMM 'de' yyyy"


def test_iso_mode_and_long_form(locale):
    locale("en_US")
    assert dd.show_date(D, long=True) == "Sunday, January 31, 2027"
    dd.set_mode(dd.ISO)
    assert dd.show_date(D) == "2027-01-31"
    assert dd.show_date(D, long=True) == "Sunday 2027-01-31"
    dd.set_mode("nonsense")  # anything else: the locale form
    assert dd.mode() == dd.LOCALE and dd.show_date(D) == "Jan 31, 2027"


def test_the_catalogue_follows_the_installed_hook_but_iso_on_request(locale):
    # any catalogue entry whose only param is {date} will do
    code = next(c for c, t in wording.CATALOGUE.items() if isinstance(t, str) and "{date}" in t
                and re.fullmatch(r"[^{}]*\{date\}[^{}]*", t))
    f = Finding(code, {"date": D})
    assert "2027-01-31" in f.text  # nothing installed: ISO (the command line)
    locale("en_US")
    dd.install()  # what the GUI does at start-up
    assert "Jan 31, 2027" in f.text and "2027-01-31" not in f.text
    assert "2027-01-31" in wording.text(f, iso=True)
    assert f.to_json()["text"] == wording.text(f, iso=True)  # the JSON is an interface
    with wording.iso_dates():
        assert "2027-01-31" in f.text
    assert "Jan 31, 2027" in f.text
    assert wording.date_text(D) == "Jan 31, 2027" and datefmt.date_text(D, iso=True) == "2027-01-31"
    dd.uninstall()
    assert "2027-01-31" in f.text


def test_exports_and_stored_texts_stay_iso_with_the_gui_hook(locale, demo_session):
    """CSV, .ics, reminder titles and keys (stored in the database), the roster's CSV and the
    evaluate JSON are byte for byte what they are without the GUI's display format."""
    from core import exports, ics, reminders
    from core.engine import evaluate
    from core.roster import build_roster, roster_csv

    store, today = demo_session.store, demo_session.today
    pids = [p["id"] for p in store.list_profiles()]
    stamp = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)

    def snapshot():
        out = {}
        for pid in pids:
            rs = reminders.computed(store, pid, today)
            out[pid, "reminders"] = [(r.source_key, r.title) for r in rs]
            for kind in ("steps", "deadlines", "documents", "costs"):
                out[pid, kind] = exports.export_csv(kind, store, pid, today, demo_session.paths)
            out[pid, "ics"] = ics.export_ics(store, pid, today, stamp=stamp)
            out[pid, "json"] = json.dumps(evaluate(store.document(pid), today).to_json())
        roster = build_roster(store, today)
        out["roster"] = roster_csv(roster, roster.rows)
        return out

    plain = snapshot()
    locale("en_US")
    dd.install(store)
    shown = snapshot()
    assert shown == plain
    # and the hook was really in force: a reminder's on-screen title has the locale's dates
    titles = [r for pid in pids for r in reminders.computed(store, pid, today)
              if r.shown and r.shown != r.title]
    assert titles, "no reminder title carries a date: this test would prove nothing"
    assert all(ISO_RE.search(r.title) and not ISO_RE.search(r.shown) for r in titles)


def _text(label) -> str:
    return re.sub(r"<[^>]+>", " ", label.text())


@pytest.mark.parametrize(("name", "due"), [("en_US", "Dec 10, 2026"), ("en_GB", "10 Dec 2026")])
def test_dashboard_and_deadlines_show_the_locale_form(locale, demo_session, shown_window, name, due):
    locale(name)
    dd.install(demo_session.store)
    w = shown_window(demo_session)
    dash = w.dashboard
    assert "Amira" in dash.heading.text()
    assert due in dash.next_label.text()  # "Sit USMLE Step 2 CK (by Dec 10, 2026)"
    assert due in _text(dash.actions_label)
    assert due in _text(dash.deadlines_label)
    for label in (dash.next_label, dash.actions_label, dash.deadlines_label, dash.blocks_label):
        assert not ISO_RE.search(_text(label)), _text(label)
    today = "Saturday, November 21, 2026" if name == "en_US" else "Saturday, 21 November 2026"
    assert today in dash.sub.text()


def test_view_menu_switches_to_iso_and_remembers(locale, demo_session, shown_window, qtbot):
    locale("en_GB")
    dd.install(demo_session.store)
    w = shown_window(demo_session)
    menu = w.menuBar().findChild(type(w.menu_view), "menu_dates")
    assert menu is not None
    iso = next(a for a in menu.actions() if a.objectName() == "dates_iso")
    local = next(a for a in menu.actions() if a.objectName() == "dates_locale")
    assert local.isChecked() and "31 Jan 2027" in local.text().replace("&", "")
    iso.trigger()
    assert dd.mode() == dd.ISO and demo_session.store.setting(dd.SETTING) == "iso"
    assert "2026-12-10" in w.dashboard.next_label.text()  # every view re-rendered at once
    dd.uninstall()
    dd.install(demo_session.store)  # the next start
    assert dd.mode() == dd.ISO
    local.trigger()
    assert demo_session.store.setting(dd.SETTING) == "locale" and "10 Dec 2026" in w.dashboard.next_label.text()


def test_date_editor_shows_the_same_form_beside_the_iso_it_keeps(locale, qtbot):
    from gui.date_edit import DateEdit

    locale("en_US")
    e = DateEdit(D)
    qtbot.addWidget(e)
    assert e.text() == "2027-01-31" and e.date() == D
    assert e.locale_label.text() == dd.show_date(D, long=True) == "Sunday, January 31, 2027"


def test_command_line_stays_iso(demo_session, data_dir):
    """`python -m core` never installs a display format: its words carry ISO dates."""
    pid = next(p["id"] for p in demo_session.store.list_profiles() if "Dana" in p["name"])
    run = [sys.executable, "-m", "core", "reminders", str(pid), "--data-dir", str(data_dir), "--today", "2026-11-21"]
    out = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"}).stdout
    assert "as of 2026-11-21" in out
    assert ISO_RE.search(out) and not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d", out), out
    doc = ROOT / "resources" / "demo" / "provider-demo.json"
    ev = subprocess.run([sys.executable, "-m", "core", "evaluate", str(doc), "--today", "2026-11-21"], cwd=ROOT,
                        capture_output=True, text=True, check=True).stdout
    texts = [x["text"] for t in json.loads(ev)["tracks"] for s in t["steps"]
             for x in s["reasons"] + s["warnings"] + s["next_actions"]]
    dated = [t for t in texts if re.search(r"\d{4}", t)]
    assert dated and all(ISO_RE.search(t) for t in dated if re.search(r"20\d\d", t)), dated
