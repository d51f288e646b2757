"""gui/dashboard.py: the dated lists read one date once."""


def test_the_dashboard_lists_a_date_once_with_what_is_due_that_day(qtbot, demo_session):
    """The provider demo's BLS card expiry: one date heading, the card's expiry once, and the PALS
    step that needs the card as a second line under the same date."""
    from gui.dashboard import Dashboard
    from gui.journey_service import JourneyService

    s = demo_session
    s.switch(next(p["id"] for p in s.store.list_profiles() if "Dana" in p["name"]))
    js = JourneyService(s)
    dash = Dashboard(s, journeys=js)
    qtbot.addWidget(dash)
    js.reload()
    dash.refresh(journey=js.journey, doc=js.doc)
    text = dash.deadlines_label.text()
    exp = js.journey.step("bls.card").expires
    assert text.count(f"{exp.isoformat()} (in ") == 1
    assert text.count("BLS card expires") == 1 and "Renew before it expires: deadline" not in text
