"""The walkthrough wizard and the step pages: filling each page, validation beside the field,
nothing invalid in the database, data that survives a restart."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QWizard

from core.engine import evaluate
from gui.shell import open_session
from gui.walkthrough import PAGE_BASE, WalkthroughWizard

IMG_TRACK = {"specialty": "internal_medicine", "match_year": 2027, "target_state": "PA",
             "visa_need": "needs_j1", "country_of_residence": "Jordan"}
IMG_PAGES = {
    "ecfmg.school": {"school_name": "Example Faculty", "wdoms_listed": True, "sponsor_note": True,
                     "sponsor_note_from_year": 2005, "graduation_date": "2024-06-30", "credit_years": 6,
                     "degree": "medicine"},
    "ecfmg.application": {"myintealth_id": "X-1", "submitted_date": "2024-01-15", "accepted_date": "2024-02-20"},
    "usmle.step1": {"attempts": [{"date": "2025-03-10", "result": "pass", "result_date": "2025-04-02"}]},
    "usmle.step2ck": {"attempts": [{"date": "2025-08-10", "result": "pass", "score": 245,
                                    "result_date": "2025-09-03"}]},
    "ecfmg.oet": {"sittings": [{"date": "2026-05-16", "listening": 380, "reading": 370, "speaking": 360,
                                "writing": 320, "result_date": "2026-05-27"}]},
    "ecfmg.pathway": {"pathway": "1", "season": 2027, "applied_date": "2026-06-01", "accepted_date": "2026-07-01"},
    "ecfmg.credentials": {"completion_letter": True, "diploma_submitted_date": "2024-07-10",
                          "diploma_verified_date": "2024-09-01", "transcript_verified_date": "2024-09-01"},
    "ecfmg.certificate": {"issued_date": "2026-08-01"},
    "match.eras": {"token_date": "2026-06-05", "submitted_date": "2026-09-02", "programs": 60,
                   "documents": [{"kind": k, "uploaded_date": "2026-08-20"} for k in
                                 ("mspe", "med_school_transcript", "lor", "personal_statement", "photo",
                                  "usmle_transcript_release")]},
    "match.nrmp": {"registered_date": "2026-09-20", "nrmp_id": "N123"},
}
PALS_PAGES = {
    "pals.enroll": {"body": "aha", "format": "classroom", "training_center": "City TC", "course_kind": "initial",
                    "enrolled_on": "2026-02-01", "course_start": "2026-03-09", "course_end": "2026-03-10"},
    "pals.prerequisites": {"precourse_score": 85, "precourse_done_on": "2026-03-01", "bls_card_required": False},
    "pals.attend": {"attended": True, "hours": 14, "skill_child_cpr_aed": True, "skill_infant_cpr": True,
                    "case_cardiac": True, "case_resp_or_shock": True},
    "pals.exam": {"exam_date": "2026-03-10", "exam_score": 92},
    "pals.card": {"issue_date": "2026-03-10"},
}


def _set(widget, value) -> None:
    """Type a value the way a user would: text into a line edit, a choice in a combo box."""
    if isinstance(widget, QComboBox):
        i = widget.findData(value)
        assert i >= 0, (widget.objectName(), value)
        widget.setCurrentIndex(i)
    else:
        assert isinstance(widget, QLineEdit)
        widget.clear()
        widget.setText(str(value))


def fill(form, data: dict) -> None:
    for key, value in data.items():
        if key in form.records:
            rec = form.records[key]
            for entry in value:
                rec.add_button.click()
                row = rec.rows[-1]
                for sub, v in entry.items():
                    _set(row.editors[sub].widget, v)
        else:
            _set(form.editor(key), value)


def _next(qtbot, wiz: QWizard) -> None:
    wiz.current_view().flush()
    btn = wiz.button(QWizard.WizardButton.NextButton)
    assert btn.isEnabled(), (wiz.current_step_id(), wiz.current_view().problems)
    btn.click()


def _new(session, name, role, tracks, facts=None) -> int:
    pid = session.store.create_profile(name, role, tracks, facts or {})
    session.switch(pid)
    return pid


def test_walk_img_track_to_match_ready_then_dashboard_equals_engine(qtbot, data_dir, today):
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    pid = _new(session, "Amara", "img_physician", ["img"], {"img": IMG_TRACK})
    wiz = WalkthroughWizard(session, "img")
    qtbot.addWidget(wiz)
    wiz.show()
    assert wiz.currentId() == PAGE_BASE  # the first step not done
    for step_id, data in IMG_PAGES.items():
        assert wiz.current_step_id() == step_id
        fill(wiz.current_view().form, data)
        _next(qtbot, wiz)
        # Next saved the page, exactly what was typed
        assert session.store.step_facts(pid, step_id) == data
    assert wiz.current_step_id() == "match.rol"
    doc = session.store.document(pid)
    journey = evaluate(doc, today)
    assert all(journey.step(s).status == "done" for s in IMG_PAGES)
    assert journey.step("match.rol").blocked_by == []  # Match-ready: nothing holds the rank list up
    # Back works
    wiz.back()
    assert wiz.current_step_id() == "match.nrmp"
    wiz.reject()

    win = MainWindow(session)
    qtbot.addWidget(win)
    shown = {}
    for t in journey.tracks:
        for s in t.steps:
            item = win.navigator.item_for(s.id)
            shown[s.id] = item.text(1)
    from gui.theme import status_text

    assert shown == {s.id: status_text(s.status) for s in journey.all_steps()}
    assert win.dashboard.progress_bars["img"].value() == 10
    win.close()
    session.store.db.close()


def test_walk_pals_from_enrolment_to_card_shows_the_rules_expiry(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    pid = _new(session, "Dana", "nurse_picu", ["pals"])
    wiz = WalkthroughWizard(session, "pals")
    qtbot.addWidget(wiz)
    wiz.show()
    for step_id, data in PALS_PAGES.items():
        assert wiz.current_step_id() == step_id
        fill(wiz.current_view().form, data)
        if step_id == "pals.card":
            wiz.current_view().flush()
            # the live status, before saving: the expiry comes from the AHA rule (end of month, 24 on)
            assert "Expires: 31 Mar 2028" in wiz.current_view().dates_label.text()  # the GUI's dates (en_GB)
        _next(qtbot, wiz)
    assert wiz.current_step_id() == "pals.renewal"
    view = wiz.current_view()
    assert view.result is not None
    card = evaluate(session.store.document(pid), today).step("pals.card")
    assert card.status == "done" and card.expires.isoformat() == "2028-03-31"
    wiz.reject()
    session.store.db.close()


def test_validation_beside_the_field_next_disabled_nothing_invalid_saved(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    pid = _new(session, "Amara", "img_physician", ["img"], {"img": IMG_TRACK})
    session.store.save_facts(pid, {k: IMG_PAGES[k] for k in ("ecfmg.school", "ecfmg.application")})
    wiz = WalkthroughWizard(session, "img")
    qtbot.addWidget(wiz)
    wiz.show()
    assert wiz.current_step_id() == "usmle.step1"
    view = wiz.current_view()
    rec = view.form.records["attempts"]
    rec.add_button.click()
    row = rec.rows[0]
    _set(row.editors["date"].widget, "2025-03-10")
    _set(row.editors["result"].widget, "pass")
    _set(row.editors["score"].widget, "abc")
    view.flush()
    nxt = wiz.button(QWizard.WizardButton.NextButton)
    assert not nxt.isEnabled()
    err = row.editors["score"].error
    assert not err.isHidden() and "number" in err.text()
    assert row.editors["date"].error.isHidden()
    # a result before the test: said beside the result date (a cross-field check from core)
    _set(row.editors["score"].widget, "")
    _set(row.editors["result_date"].widget, "2025-03-01")
    view.flush()
    assert not nxt.isEnabled()
    assert not row.editors["result_date"].error.isHidden()
    assert row.editors["score"].error.isHidden()
    # an out-of-range number on a plain field
    _set(row.editors["result_date"].widget, "2025-04-02")
    _set(view.form.editor("window_start"), "2025-13-01")
    view.flush()
    assert not nxt.isEnabled()
    assert not view.form.editors["window_start"].error.isHidden()
    # Next is disabled, and even a forced save writes nothing
    assert view.save() is False
    assert session.store.step_facts(pid, "usmle.step1") == {}
    _set(view.form.editor("window_start"), "")
    view.flush()
    assert nxt.isEnabled()
    wiz.reject()
    session.store.db.close()


def test_step_page_validation_in_the_main_window(qtbot, data_dir, today):
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    pid = _new(session, "Dana", "nurse_picu", ["pals"])
    win = MainWindow(session)
    qtbot.addWidget(win)
    page = win.open_step("pals.exam")
    assert win.current_step_id() == "pals.exam"
    _set(page.form.editor("exam_score"), "140")
    page.flush()
    err = page.form.editors["exam_score"].error
    assert not err.isHidden() and "between 0 and 100" in err.text()
    assert not page.save_button.isEnabled()
    assert win.save_step() is False
    assert session.store.step_facts(pid, "pals.exam") == {}
    _set(page.form.editor("exam_score"), "90")
    _set(page.form.editor("exam_date"), "2026-03-10")
    with qtbot.waitSignal(win.profile_changed, timeout=1000):
        assert win.save_step() is True
    assert session.store.step_facts(pid, "pals.exam") == {"exam_date": "2026-03-10", "exam_score": 90}
    win.close()
    session.store.db.close()


def test_data_survives_closing_mid_wizard_and_restarting(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    pid = _new(session, "Dana", "nurse_picu", ["pals"])
    wiz = WalkthroughWizard(session, "pals")
    qtbot.addWidget(wiz)
    wiz.show()
    for step_id in ("pals.enroll", "pals.prerequisites"):
        fill(wiz.current_view().form, PALS_PAGES[step_id])
        _next(qtbot, wiz)
    fill(wiz.current_view().form, PALS_PAGES["pals.attend"])  # typed, not saved with Next
    kept: list = []
    wiz.kept_on_close.connect(kept.append)
    wiz.close()
    assert kept == [wiz.pages["pals.attend"].view.title]  # valid typing is kept on close, and said
    session.store.db.close()

    again = open_session(data_dir, today, demo=False)
    assert again.profile_id == pid
    assert again.store.step_facts(pid, "pals.enroll") == PALS_PAGES["pals.enroll"]
    assert again.store.step_facts(pid, "pals.prerequisites") == PALS_PAGES["pals.prerequisites"]
    assert again.store.step_facts(pid, "pals.attend") == PALS_PAGES["pals.attend"]
    wiz2 = WalkthroughWizard(again, "pals")
    qtbot.addWidget(wiz2)
    wiz2.show()
    assert wiz2.current_step_id() == "pals.exam"  # resumes at the first step not done
    wiz2.back()  # and Back still reaches the earlier steps, with their saved facts
    wiz2.back()
    assert wiz2.current_step_id() == "pals.prerequisites"
    assert wiz2.current_view().form.editor("precourse_score").text() == "85"
    wiz2.reject()
    again.store.db.close()


PALS_ENROL = {"body": "aha", "format": "classroom", "training_center": "City TC", "course_kind": "initial",
              "enrolled_on": "2026-02-01", "course_start": "2026-03-09", "course_end": "2026-03-10"}


def test_a_recompute_pending_when_the_wizard_closes_never_runs_on_a_closed_database(qtbot, data_dir, today):
    """Typing on a walkthrough page starts a short recompute timer; closing the wizard and then the
    data file let it fire later on a closed database (a traceback in the event loop)."""
    session = open_session(data_dir, today, demo=False)
    pid = session.store.create_profile("Dana", "nurse_picu", ["pals"], {"pals.enroll": PALS_ENROL})
    session.switch(pid)
    wiz = WalkthroughWizard(session, "pals")
    qtbot.addWidget(wiz)
    wiz.show()
    view = wiz.current_view()
    view.form.editor("precourse_score").setText("90")  # typed: a recompute is pending
    assert view._timer.isActive()
    wiz.close()
    session.store.db.close()
    qtbot.wait(250)  # longer than the timer: nothing may run against the closed file
    view.recompute()  # and a recompute that does run says so in words
    assert "could not read your saved data" in view.live_note.text()


def _session(data_dir, today, demo=False):
    return open_session(data_dir, today, demo=demo)


def test_walkthrough_back_then_next_keeps_unsaved_typing(qtbot, data_dir, today):
    from gui.walkthrough import WalkthroughWizard

    session = _session(data_dir, today)
    pid = session.store.create_profile("Amara", "img_physician", ["img"], {})
    session.switch(pid)
    wiz = WalkthroughWizard(session, "img")
    qtbot.addWidget(wiz)
    wiz.show()
    assert wiz.current_step_id() == "ecfmg.school"
    wiz.current_view().form.editor("school_name").setText("University of Lagos")
    wiz.next()
    assert wiz.current_step_id() == "ecfmg.application"
    wiz.current_view().form.editor("submitted_date").setText("2025-01-01")  # typed, not saved
    wiz.back()
    wiz.next()
    assert wiz.current_step_id() == "ecfmg.application"
    assert wiz.current_view().form.editor("submitted_date").text() == "2025-01-01"
    assert session.store.step_facts(pid, "ecfmg.application") == {}  # still only Next saves
    wiz.reject()
    session.store.db.close()
