"""The step page (gui/step_page.py): the rule card's own value, parse_value, the layout at 1024x700."""

import pytest
from findings_util import codes, has
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from core.engine import evaluate
from gui.shell import load_demo, open_session
from gui.step_page import parse_value
from gui.walkthrough import WalkthroughWizard

PALS_ENROL = {"body": "aha", "format": "classroom", "training_center": "City TC", "course_kind": "initial",
              "enrolled_on": "2026-02-01", "course_start": "2026-03-09", "course_end": "2026-03-10"}


@pytest.fixture
def pals_win(qtbot, data_dir, today, no_modal, shown_window):

    session = open_session(data_dir, today, demo=False)
    pid = session.store.create_profile("Dana", "nurse_picu", ["pals"], {})
    session.store.save_facts(pid, {"pals.enroll": PALS_ENROL,
                                   "pals.prerequisites": {"precourse_score": 65, "precourse_done_on": "2026-03-01"}})
    session.switch(pid)
    return shown_window(session)


def _reasons(session, step_id):
    return evaluate(session.store.document(session.profile_id), session.today).step(step_id).reasons


def test_use_my_own_value_from_a_rule_card_stores_it_and_re_evaluates(qtbot, pals_win):
    session = pals_win.session
    page = pals_win.open_step("pals.prerequisites")
    card = page.rule_card("pals.aha.precourse_min_score")
    assert card is not None and not card.rule.is_override and card.rule.value == 70
    assert card.own_button.text() == "Use my own value…" and card.remove_button.isHidden()
    assert "cards.prereq.precourse_below" in codes(_reasons(session, "pals.prerequisites"))

    qtbot.mouseClick(card.own_button, Qt.MouseButton.LeftButton)
    assert card.editor.isVisible() and card.value_edit.text() == "70"  # starts from the published value
    card.value_edit.setText("60")
    card.note_edit.setText("Called the training center on 2026-11-20")
    qtbot.mouseClick(card.use_button, Qt.MouseButton.LeftButton)

    ov = session.store.overrides(session.profile_id)["pals.aha.precourse_min_score"]
    assert ov["value"] == 60 and isinstance(ov["value"], int)  # a number stays a number
    assert ov["note"] == "Called the training center on 2026-11-20"
    card = page.rule_card("pals.aha.precourse_min_score")  # the card is redrawn with the user's value
    assert card.rule.is_override
    text = card.label.text()
    from core.datefmt import dates_in  # the date noted, as the GUI shows dates
    assert f"Your value (noted {dates_in(ov['date'])}): 60" in text and "published value (70)" in text
    assert "Called the training center" in text
    assert card.own_button.text() == "Change my value…" and not card.remove_button.isHidden()
    assert "passed (at least 60%)" in page.reasons_label.text()  # live status re-evaluated
    assert has(_reasons(session, "pals.prerequisites"), "cards.prereq.precourse_passed", mark=60)
    assert "Your value for pals.aha.precourse_min_score is saved" in pals_win.statusBar().currentMessage()

    qtbot.mouseClick(card.remove_button, Qt.MouseButton.LeftButton)
    assert session.store.overrides(session.profile_id) == {}
    card = page.rule_card("pals.aha.precourse_min_score")
    assert not card.rule.is_override and "Value: 70" in card.label.text()
    assert "below" in page.reasons_label.text()


def test_own_value_errors_show_beside_the_field_and_nothing_is_stored(qtbot, pals_win):
    session = pals_win.session
    page = pals_win.open_step("pals.prerequisites")
    card = page.rule_card("pals.aha.precourse_min_score")
    card.own_button.click()
    for typed, words in (("", "Type a value"), ("seventy", "a number"), ("yes", "a number"),
                         ("[60, 70", "not valid JSON"), ("[60]", "a number")):
        card.value_edit.setText(typed)
        card.use_button.click()
        assert card.error.isVisible() and words in card.error.text(), (typed, card.error.text())
        assert card.editor.isVisible()
        assert session.store.overrides(session.profile_id) == {}
    card.cancel_button.click()
    assert not card.editor.isVisible() and not card.error.isVisible()
    assert session.store.overrides(session.profile_id) == {}


def test_an_override_shows_on_every_open_page_that_uses_the_rule(qtbot, data_dir, today, no_modal):
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    load_demo(session.store, today)
    session.choose_default_profile()
    w = MainWindow(session)
    qtbot.addWidget(w)
    w.show()
    step1 = w.open_step("usmle.step1")
    step2 = w.open_step("usmle.step2ck")
    assert not step1.rule_card("usmle.attempt_limit").rule.is_override
    card = step2.rule_card("usmle.attempt_limit")
    card.own_button.click()
    card.value_edit.setText("3")
    card.use_button.click()
    assert w.open_step("usmle.step1") is step1  # a page out of view refreshes when shown again
    assert step1.rule_card("usmle.attempt_limit").rule.is_override  # the other page was refreshed
    assert step1.rule_card("usmle.attempt_limit").rule.value == 3
    w.close()
    session.store.db.close()


def test_enter_in_the_own_value_editor_does_not_press_the_wizards_next(qtbot, data_dir, today, no_modal):
    session = open_session(data_dir, today, demo=False)
    pid = session.store.create_profile("Dana", "nurse_picu", ["pals"], {"pals.enroll": PALS_ENROL})
    session.switch(pid)
    wiz = WalkthroughWizard(session, "pals")
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.activateWindow()
    qtbot.waitUntil(wiz.isActiveWindow)
    assert wiz.current_step_id() == "pals.prerequisites"
    card = wiz.current_view().rule_card("pals.aha.precourse_min_score")
    card.own_button.click()
    card.value_edit.setText("65")
    card.value_edit.setFocus()
    qtbot.keyClick(card.value_edit, Qt.Key.Key_Return)
    assert session.store.overrides(pid)["pals.aha.precourse_min_score"]["value"] == 65
    assert wiz.current_step_id() == "pals.prerequisites"  # still on the same page
    assert wiz.button(QWizard.WizardButton.NextButton).isVisible()
    wiz.reject()
    session.store.db.close()


@pytest.mark.parametrize(("typed", "published", "expected"), [
    ("3", 4, 3), ("7.5", 4, 7.5), (" 60 ", 70, 60), ("yes", True, True), ("No", True, False),
    ("called the board", "text", "called the board"), ('"42"', "text", "42"), ("12", None, 12),
    ('{"listening": 350}', {"listening": 350}, {"listening": 350}),
])
def test_parse_value_keeps_numbers_numbers(typed, published, expected):
    got = parse_value(typed, published)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(("typed", "published"), [
    ("", 4), ("   ", "x"), ("four", 4), ("true", 4), ("3", True), ("NaN", 4), ("Infinity", 4),
    ("[1, 2]", 4), ('{"a": 1}', "x"), ("[1", None), ("5", {"listening": 350}), ("null", 4),
])
def test_parse_value_refuses_with_a_sentence(typed, published):
    with pytest.raises(ValueError) as e:
        parse_value(typed, published)
    assert str(e.value)[:1].isupper() and str(e.value).endswith((".", "0}", "}"))


def test_step_page_holds_at_1024x700_nothing_pushed_past_the_edge(qtbot, data_dir, today):
    """At the smallest supported size the rules column was wider than its viewport (long rule ids and
    addresses do not wrap) and the attempt row wider than the form column: both were cut off."""
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    load_demo(session.store, today)
    session.choose_default_profile()
    w = MainWindow(session)
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    for step in ("usmle.step1", "ecfmg.school", "visa", "pals.prerequisites"):
        page = w.open_step(step)
        qtbot.wait(20)
        for sc in (page.left_scroll, page.right_scroll):
            over = sc.widget().width() - sc.viewport().width()
            assert over <= 0 or sc.horizontalScrollBar().isVisible(), (step, over)
        assert page.right_scroll.widget().width() <= page.right_scroll.viewport().width(), step
    w.close()
    session.store.db.close()


def test_a_step_with_several_uncertain_rules_lists_them_in_one_note(qtbot, data_dir, today, no_modal, shown_window):
    from core.engine.findings import shown_warnings

    session = open_session(data_dir, today, demo=False)
    load_demo(session.store, today)
    session.choose_default_profile()
    w = shown_window(session)
    page = w.open_step("usmle.step3")
    step = w.journeys.journey.step("usmle.step3")
    assert codes(step.warnings).count("rule.sources_differ") >= 2  # one finding per rule in the journey
    text = page.reasons_label.text().replace("\u200b", "")  # break points in long ids
    (one,) = [x for x in shown_warnings(step.warnings) if x.code == "rule.unsure_differ"]
    assert text.count("Sources differ (") == 1  # shown as one note naming every rule
    for rid in one.params["differ"]:
        assert rid in text and page.rule_card(rid) is not None  # each rule's card says why
    session.store.db.close()


def test_wrap_label_shrinks_again_when_it_widens(qtbot):
    """QLabel.heightForWidth never answers less than the minimum height: a WrapLabel pinned tall
    while narrow kept that height after widening, a gap under its text."""
    from gui.theme import WrapLabel

    lab = WrapLabel("word " * 120)
    lab.setWordWrap(True)
    qtbot.addWidget(lab)
    lab.resize(120, 50)
    lab.show()
    qtbot.waitExposed(lab)
    narrow = lab.minimumHeight()
    lab.resize(900, narrow)
    qtbot.wait(10)
    wide = lab.minimumHeight()
    assert 0 < wide < narrow / 3
    lab.setMinimumHeight(0)
    assert wide == lab.heightForWidth(900)  # exactly as tall as its text at that width
    lab.resize(120, wide)
    qtbot.wait(10)
    assert lab.minimumHeight() == narrow  # and tall again when it narrows


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_rule_cards_pack_at_the_top_without_gaps(qtbot, data_dir, today, size):
    """A step page opened in a small window and then made large (as the app starts, or a maximised
    window) had rule cards several times taller than their text at 1920x1080."""
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    load_demo(session.store, today)
    session.choose_default_profile()
    w = MainWindow(session)
    qtbot.addWidget(w)
    w.resize(800, 600)
    w.show()
    qtbot.waitExposed(w)
    for step in ("usmle.step1", "license.state", "pals.renewal"):
        page = w.open_step(step)
        qtbot.wait(20)
        w.resize(*size)
        qtbot.wait(40)
        cards = page._rule_labels
        assert cards, step
        for card in cards:
            lab = card.label
            lab.setMinimumHeight(0)
            text_h = lab.heightForWidth(lab.width())
            lab._fit()
            below = card.height() - (lab.y() + text_h)  # the button bar and the frame's margins
            assert below <= card.own_button.height() + 24, (step, card.rule.id, card.height(), text_h)
        # one after the other, no space between them but the layout's spacing
        gaps = [b.y() - (a.y() + a.height()) for a, b in zip(cards, cards[1:], strict=False)]
        assert max(gaps) <= 12, (step, gaps)
    w.close()
    session.store.db.close()


def test_next_actions_name_the_kind_of_date_beside_the_date(qtbot, data_dir, today, no_modal, shown_window):
    """An action's kind belongs to its date: "3 Mar 2027 (deadline): Sit OET …", not a "— deadline"
    hung after the sentence ("… once the training months are done — deadline")."""
    session = open_session(data_dir, today, demo=False)
    load_demo(session.store, today)
    session.choose_default_profile()
    w = shown_window(session)
    found = None
    for p in session.store.list_profiles():
        for s in evaluate(session.store.document(p["id"]), today).all_steps():
            if any(a.kind == "deadline" and a.date for a in s.actions):
                found = (p["id"], s.id)
                break
        if found:
            break
    assert found, "the demo has no step with a dated deadline action"
    session.switch(found[0])
    page = w.open_step(found[1])
    html = page.actions_label.text()
    assert " — deadline" not in html and " — check" not in html
    assert "(deadline)</b>" in html


@pytest.mark.parametrize("today, line, risk", [
    ("2026-12-30", "Recommended by: 31 Dec 2026", "Recommended date at risk: 31 Dec 2026"),
    ("2027-01-01", "Recommended by: 31 Dec 2026 (passed)", None),
])
def test_a_recommended_date_on_the_step_page_is_never_overdue(qtbot, data_dir, no_modal, shown_window,
                                                              today, line, risk):
    """ECFMG advises sitting OET by the last December test date before the Match (a recommendation,
    oet.sit_by's kind): the day before, the page says "Recommended by" and the action's date is
    marked "(recommended)", not "(deadline)"; the day after, the date is said as passed, and
    nothing on the page is "overdue" (the status, at_risk, is the engine's and unchanged)."""
    import datetime as dt

    day = dt.date.fromisoformat(today)
    session = open_session(data_dir, day, demo=False)
    pid = session.store.create_profile("Amira", "img", ["img"], {"img": {"match_year": 2027}})
    session.switch(pid)
    w = shown_window(session)
    page = w.open_step("ecfmg.oet")
    lines = page.dates_label.text().splitlines()
    assert line in lines
    if risk:  # the day before: the date at risk is the recommendation, and so is the action's
        assert risk in lines
        assert "31 Dec 2026 (recommended)</b>" in page.actions_label.text()
        assert "(deadline)</b>" not in page.actions_label.text()
    else:  # the day after: the step's hard date left is the rank order list deadline
        assert "Deadline at risk: 3 Mar 2027" in lines
    assert "overdue" not in page.actions_label.text().lower() and "overdue" not in page.dates_label.text().lower()
    assert evaluate(session.store.document(pid), day).step("ecfmg.oet").status == "at_risk"


def test_the_required_fields_hint_shows_only_where_a_field_is_required(qtbot, data_dir, today, no_modal,
                                                                       shown_window):
    """The Rank order list page has no required field: it said "Fields marked * are required" all the same."""
    session = open_session(data_dir, today, demo=False)
    load_demo(session.store, today)
    session.choose_default_profile()
    win = shown_window(session)
    rol = win.open_step("match.rol")
    assert "required" not in rol.hint_label.text() and "*" not in rol.hint_label.text()
    assert "Dates as YYYY-MM-DD." in rol.hint_label.text()  # it does ask a date
    step1 = win.open_step("usmle.step1")  # an attempt's test date and result are required
    assert step1.hint_label.text().startswith("Fields marked * are required.")
