"""Every step's date has a kind (opens / recommended_by / deadline / ...), from its rule's data, and
only a deadline (or a date of no kind) is "overdue" once passed: a passed opening or
recommendation reads as passed on the dashboard rows, the step page's line, the reminders, the
.ics titles and the exports. Scenarios are set the day before and the day after each date; the
words compared are the catalogue's own (core.journey_view's `dates.*`)."""

from __future__ import annotations

import datetime as dt

import pytest

from core import journey_view as jv
from core import reminders as rem
from core import resources_dir
from core.cli import reminders_text
from core.engine import evaluate
from core.engine.findings import F
from core.exports import deadlines_rows, steps_rows
from core.ics import export_ics
from core.profiles import parse_document
from core.rules import DATE_KINDS, load_rules, overdue_when_passed
from core.wording import text

D = dt.date
DAY = dt.timedelta(days=1)


def img(facts: dict, **tf) -> dict:
    return {"format": "certpath-profile/1", "name": "Dates", "role": "img", "tracks": ["img"], "overrides": {},
            "facts": {"img": {"match_year": 2027, **tf}, **facts}}


def words(code: str, **params) -> str:
    return text(F(code, **params))


def rows(journey, step_id: str) -> list[jv.ActionItem]:
    return [a for a in jv.deadlines(journey, 90) if a.step_id == step_id]


def reminder(journey, key: str) -> rem.Reminder:
    return next(r for r in rem.from_journey(journey) if r.source_key == key)


def reminder_on(journey, step_id: str, date: dt.date) -> rem.Reminder:
    """The step's one reminder of that date (its dated action's, else its date's own)."""
    (r,) = [r for r in rem.from_journey(journey) if r.step_id == step_id and r.due == date]
    return r


# -- every dated step says what kind of date it is ----------------------------------------------------

def _demo(name: str) -> dict:
    return parse_document((resources_dir() / "demo" / name).read_bytes(), D(2026, 11, 21))


SCENARIOS = [
    _demo("img-demo.json"),
    _demo("provider-demo.json"),
    img({}, visa_need="needs_j1"),
    img({}, visa_need="needs_h1b"),
    img({"residency.training": {"start_date": "2027-07-01"}}, target_state="NY"),
    img({"usmle.step1": {"attempts": [{"date": "2026-01-10", "result": "fail"},
                                      {"date": "2026-04-10", "result": "fail"},
                                      {"date": "2026-08-10", "result": "fail"}],
                         "scheduled_date": "2027-01-20"}}),
]


@pytest.mark.parametrize("doc", SCENARIOS)
def test_every_step_with_a_date_says_its_kind(doc):
    """Both tracks, every step that has a date, over three years: the kind is one of the rule
    kinds (never left as a bare "due"), and so is an at-risk date's."""
    seen = set()
    for today in (D(2026, 6, 1) + dt.timedelta(days=45 * i) for i in range(26)):
        for s in evaluate(doc, today).all_steps():
            if s.due is not None:
                assert s.due_kind in DATE_KINDS, (today, s.id, s.due)
                seen.add(s.id)
            else:
                assert s.due_kind is None, (today, s.id)
            if s.deadline is not None:
                assert s.deadline_kind in (None, *DATE_KINDS), (today, s.id)
            for a in s.actions:
                assert a.date_kind in ("", *DATE_KINDS), (today, s.id, a.key)
    assert seen  # the scenario has dated steps at all


def test_the_kinds_come_from_the_rules():
    """Where a step's date is counted from a rule, the rule record says the kind, as its source
    words it ("plan to", "advises", "recommends": recommended_by; "requires at least": opens;
    "must ... before", the card's last valid day: deadline)."""
    rules = load_rules()
    kinds = {
        "ecfmg.application.lead_time": "recommended_by",
        "oet.sit_by": "recommended_by",
        "usmle.step3.recommended_pgy": "recommended_by",
        "ecfmg.certificate.issue_days": "recommended_by",
        "ecfmg.certificate.required_by_start": "deadline",
        "license.pgt_minimum_years": "opens",
        "license.prepare_months": "recommended_by",
        "visa.j1.statement_of_need_before_match": "recommended_by",
        "cards.plan.book_days_before": "recommended_by",
        "cards.plan.last_safe_course_days_before": "deadline",
        "pals.aha.precourse_min_score": "deadline",
    }
    for rid, kind in kinds.items():
        assert {r.kind for r in rules.records(rid)} == {kind}, rid
    assert overdue_when_passed("deadline") and overdue_when_passed(None) and overdue_when_passed("due")
    assert not any(overdue_when_passed(k) for k in DATE_KINDS if k != "deadline")


# -- a recommendation: "recommended, passed", never "overdue" --------------------------------------

OET = img({})  # 2027 Match: ECFMG advises sitting OET by the last December test date, 2026-12-31
SIT_BY = D(2026, 12, 31)


def test_oet_sit_by_is_a_recommendation_the_day_before():
    j = evaluate(OET, SIT_BY - DAY)
    s = j.step("ecfmg.oet")
    assert (s.status, s.due, s.due_kind) == ("at_risk", SIT_BY, "recommended_by")
    assert (s.deadline, s.deadline_kind) == (SIT_BY, "recommended_by")
    ms = [m for m in jv.milestones(j) if m.step_id == "ecfmg.oet"]
    assert [m.label for m in ms] == [words("dates.point.recommended_by", step="ecfmg.oet")]
    (a,) = [a for a in rows(j, "ecfmg.oet") if a.date == SIT_BY]  # the "sit OET by" action's row
    assert a.date_kind == "recommended_by" and not a.overdue(j.today)
    assert a.when(j.today) == words("dates.when.ahead", date=SIT_BY, count=1)
    r = reminder_on(j, "ecfmg.oet", SIT_BY)  # the "sit OET by" action: of the step's date's kind
    assert r.date_kind == "recommended_by"
    assert not r.is_overdue(j.today) and not r.is_passed(j.today)
    assert jv.date_line(s.due_kind, s.due, j.today) == words("dates.line.recommended_by", date=SIT_BY)


def test_oet_sit_by_passed_reads_as_passed_not_overdue(store):
    """The day after ECFMG's advised sitting: still at_risk (the status is unchanged), its date
    is said as a passed recommendation in the reminders, the CLI, the CSV and the .ics, never as
    overdue; the step's hard date left is the rank order list deadline."""
    today = SIT_BY + DAY
    j = evaluate(OET, today)
    s = j.step("ecfmg.oet")
    assert (s.status, s.due, s.due_kind) == ("at_risk", SIT_BY, "recommended_by")
    assert s.deadline_kind in (None, "deadline")  # the ROL deadline now
    r = reminder(j, "step:ecfmg.oet:due")
    assert (r.due, r.kind, r.date_kind) == (SIT_BY, rem.DUE, "recommended_by")
    assert not r.is_overdue(today) and r.is_passed(today)
    assert r not in rem.summary(rem.from_journey(j), today).overdue
    line = jv.date_line(s.due_kind, s.due, today)
    assert line == words("dates.line_passed.recommended_by", date=SIT_BY) and "overdue" not in line.lower()

    pid = store.import_document(OET)
    rem.sync(store, pid, today)
    header, data = deadlines_rows(store, pid, today)
    row = dict(zip(header, next(x for x in data if x[header.index("source_key")] == "step:ecfmg.oet:due"),
                   strict=True))
    assert (row["state"], row["date_kind"]) == ("passed", "recommended_by")
    assert header[-1] == "date_kind" and header[:9] == ["date", "title", "kind", "step_id", "state", "days_left",
                                                          "stages", "repeat_days", "source_key"]
    ics = export_ics(store, pid, today).decode()
    assert f"SUMMARY:{r.title}" in ics and "overdue" not in ics.lower()
    cli = reminders_text(rem.current(store, pid, today), today)
    overdue_part, rest = cli.split("Passed, not deadlines", 1)
    assert r.title not in overdue_part and r.title in rest.split("Due this week")[0]


CREDENTIALS_DUE = D(2027, 6, 17)  # the certificate's 1 July start less ECFMG's ~2-week issue allowance


@pytest.mark.parametrize("today, words_code, count, overdue", [
    (CREDENTIALS_DUE - DAY, "dates.when.ahead", 1, False),
    (CREDENTIALS_DUE + DAY, "dates.when.passed.recommended_by", 1, False),
])
def test_an_at_risk_recommendation_on_the_dashboard(today, words_code, count, overdue):
    """Credential verification at risk of its recommended date: the dashboard row is named by
    the kind ("recommended by"), and the day after it says "recommended, passed", not overdue."""
    j = evaluate(OET, today)
    s = j.step("ecfmg.credentials")
    assert (s.due_kind, s.status, s.deadline, s.deadline_kind) == ("recommended_by", "at_risk", CREDENTIALS_DUE,
                                                                  "recommended_by")
    (a,) = [a for a in rows(j, "ecfmg.credentials") if a.date == CREDENTIALS_DUE]
    assert a.text == words("dates.recommended_by", step="ecfmg.credentials", date=CREDENTIALS_DUE)
    assert a.overdue(today) is overdue
    assert a.when(today) == words(words_code, date=CREDENTIALS_DUE, count=count)
    assert "overdue" not in a.when(today)
    assert jv.at_risk_line(s.deadline_kind, s.deadline) == words("dates.at_risk.recommended_by",
                                                                 date=CREDENTIALS_DUE)


# -- an opening: never overdue ------------------------------------------------------------------------

LICENCE = img({"residency.training": {"start_date": "2027-07-01"}}, target_state="NY")
LICENCE_OPENS = D(2030, 7, 1)  # New York: 3 years of training after the 1 July 2027 start


@pytest.mark.parametrize("today", [LICENCE_OPENS - DAY, LICENCE_OPENS + DAY])
def test_a_licence_opening_is_never_overdue(today):
    j = evaluate(LICENCE, today)
    s = j.step("license.state")
    assert (s.due, s.due_kind) == (LICENCE_OPENS, "opens")
    r = reminder(j, "step:license.state:due")
    assert r.title == words("dates.opens", step="license.state", date=LICENCE_OPENS)
    assert not r.is_overdue(today)
    assert r.is_passed(today) is (today > LICENCE_OPENS)
    code = "dates.line_passed.opens" if today > LICENCE_OPENS else "dates.line.opens"
    assert jv.date_line(s.due_kind, s.due, today) == words(code, date=LICENCE_OPENS)
    assert not any(a.overdue(today) for a in jv.next_actions(j) if a.step_id == "license.state")


SPACING = img({"usmle.step1": {"attempts": [{"date": "2026-01-10", "result": "fail"},
                                            {"date": "2026-04-10", "result": "fail"},
                                            {"date": "2026-08-10", "result": "fail"}],
                               "scheduled_date": "2027-01-20"}}, match_year=2028)
EARLIEST = D(2027, 2, 10)  # a 4th attempt: 6 months after the latest, 12 after the first


@pytest.mark.parametrize("today", [EARLIEST - DAY, EARLIEST + DAY])
def test_the_earliest_allowed_sitting_is_an_opening(today):
    """A booked sitting the attempt rules forbid is at risk with the earliest allowed date (the
    status is unchanged): the date opens the next sitting, and passed it is "open since"."""
    j = evaluate(SPACING, today)
    s = j.step("usmle.step1")
    assert (s.status, s.deadline, s.deadline_kind) == ("at_risk", EARLIEST, "opens")
    (row,) = [a for a in rows(j, "usmle.step1") if a.date == EARLIEST]
    assert row.text == words("dates.opens", step="usmle.step1", date=EARLIEST)
    assert not row.overdue(today)
    code = "dates.when.passed.opens" if today > EARLIEST else "dates.when.ahead"
    assert row.when(today) == words(code, date=EARLIEST, count=1)
    acts = [a for a in jv.next_actions(j) if a.step_id == "usmle.step1" and a.date == EARLIEST]
    assert acts and not any(a.overdue(today) for a in acts)
    assert not any(r.is_overdue(today) for r in rem.from_journey(j) if r.step_id == "usmle.step1")


# -- a deadline: overdue once passed ------------------------------------------------------------------

ROL = D(2027, 3, 3)
LATE_CK = img({"usmle.step2ck": {"scheduled_date": "2027-02-25"}})  # its result comes after the ROL deadline


@pytest.mark.parametrize("today, overdue", [(ROL - DAY, False), (ROL + DAY, True)])
def test_a_passed_deadline_is_overdue(today, overdue):
    """Step 2 CK whose result is expected after the rank order list deadline: at risk of that
    deadline (a deadline); the day after it the dashboard row is overdue, worded by the catalogue."""
    j = evaluate(LATE_CK, today)
    s = j.step("usmle.step2ck")
    assert (s.status, s.deadline, s.deadline_kind) == ("at_risk", ROL, None)
    (row,) = [a for a in rows(j, "usmle.step2ck") if a.date == ROL]
    assert row.text == words("dates.deadline", step="usmle.step2ck", date=ROL)
    assert row.overdue(today) is overdue
    assert row.when(today) == words("dates.when.overdue" if overdue else "dates.when.ahead", date=ROL, count=1)
    assert jv.at_risk_line(s.deadline_kind, s.deadline) == words("dates.at_risk.deadline", date=ROL)


PATHWAY_DEADLINE = D(2026, 12, 31)  # the 2027 Pathways application deadline


def test_a_passed_pathway_deadline_is_overdue_in_the_reminders_and_the_csv(store):
    pid = store.import_document(OET)
    for today, overdue in ((PATHWAY_DEADLINE - DAY, False), (PATHWAY_DEADLINE + DAY, True)):
        j = evaluate(OET, today)
        assert (j.step("ecfmg.pathway").due, j.step("ecfmg.pathway").due_kind) == (PATHWAY_DEADLINE, "deadline")
        r = reminder_on(j, "ecfmg.pathway", PATHWAY_DEADLINE)  # "apply by" the day before, the date after
        if overdue:
            assert r.title == words("dates.deadline", step="ecfmg.pathway", date=PATHWAY_DEADLINE)
        assert r.is_overdue(today) is overdue and not r.is_passed(today)
        rem.sync(store, pid, today)
        header, data = deadlines_rows(store, pid, today)
        row = dict(zip(header, next(x for x in data if x[header.index("source_key")] == r.source_key), strict=True))
        assert row["date_kind"] == ("deadline" if overdue else "")
        assert row["state"] == ("overdue" if overdue else "due now")


def test_the_steps_export_appends_the_kinds(store):
    pid = store.import_document(OET)
    header, data = steps_rows(store, pid, SIT_BY - DAY)
    assert header[:10] == ["track", "step_id", "step", "status", "status_label", "due", "expires", "deadline",
                           "next_actions", "blocked_by"]
    assert header[10:] == ["due_kind", "deadline_kind"]
    oet = dict(zip(header, next(x for x in data if x[1] == "ecfmg.oet"), strict=True))
    assert (oet["due_kind"], oet["deadline_kind"]) == ("recommended_by", "recommended_by")


# -- the provider track -------------------------------------------------------------------------------

def test_a_card_renewal_planner_date_is_a_recommendation_and_the_last_day_a_deadline():
    """PALS/BLS renewal: CertPath's planner offsets (book 90 days ahead) are recommendations, so a
    passed "book by" is not overdue; the card's last valid day is the deadline."""
    doc = _demo("provider-demo.json")
    today = D(2026, 11, 21)
    j = evaluate(doc, today)
    s = j.step("pals.renewal")
    assert (s.due, s.due_kind) == (D(2027, 6, 30), "deadline")
    book = next(a for a in j.step("bls.renewal").actions if a.key == "book-renewal")
    assert book.date < today and book.date_kind == "recommended_by"
    r = next(r for r in rem.from_journey(j) if r.source_key == "step:bls.renewal:book-renewal")
    assert not r.is_overdue(today) and r.is_passed(today)
    item = next(a for a in jv.next_actions(j) if a.step_id == "bls.renewal" and a.date == book.date)
    assert not item.overdue(today)
    assert item.when(today) == words("dates.when.passed.recommended_by", date=book.date,
                                     count=(today - book.date).days)
    last = D(2027, 6, 30)
    before = reminder(evaluate(doc, last - DAY), "step:pals.renewal:due")
    assert before.title == words("dates.deadline", step="pals.renewal", date=last)
    assert not before.is_overdue(last - DAY)
    after = evaluate(doc, last + DAY)  # the card has lapsed: its expiry is overdue
    assert reminder(after, "step:pals.card:expires").is_overdue(last + DAY)


# -- a result day and the headline -------------------------------------------------------------------

RESULT_DAY = D(2027, 1, 13)  # the demo's Step 2 CK sat on 10 Dec 2026: its result is expected then


@pytest.mark.parametrize("today", [RESULT_DAY - DAY, RESULT_DAY + DAY])
def test_recording_a_result_is_dated_by_its_result_day_never_overdue(today):
    j = evaluate(_demo("img-demo.json"), today)
    (item,) = [a for a in jv.next_actions(j) if a.step_id == "usmle.step2ck" and a.date == RESULT_DAY]
    assert item.date_kind == "result_day" and not item.overdue(today)
    code = "dates.when.passed.result_day" if today > RESULT_DAY else "dates.when.ahead"
    assert item.when(today) == words(code, date=RESULT_DAY, count=1)
    head, step = jv.headline(j)
    assert step == "usmle.step2ck"
    if today > RESULT_DAY:  # "… (results out since 13 Jan 2027)", not "(by …)"
        assert head.endswith(" " + words("dates.headline.result_day", date=RESULT_DAY))
