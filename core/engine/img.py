"""The `img` track: an international medical graduate's road to US practice.

Sixteen steps (ids in product.md), from school eligibility to the full state licence and the visa.
Every requirement value comes from a rule record (resources/rules/img/*.toml), looked up by id and
by the date of the event it governs (the test date, the Match year's deadline, the start date);
the code here only does the arithmetic and the wording. Where no record exists, the result says
"not published: verify with ECFMG / the board" instead of guessing.

Facts arrive from the profile: `ctx.facts("img")` (track-level: Match year, specialty, target
state, visa need, birth date) and `ctx.facts(step_id)` for each step; docs/profile-format.md
lists the keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import match_calendar
from ..dates import add_business_days, add_months, add_years_same_day
from ..rules import Rule
from ..validate import Problem, parse_date
from .base import (
    AT_RISK,
    BLOCKED,
    DONE,
    EXPIRED,
    IN_PROGRESS,
    NOT_APPLICABLE,
    NOT_STARTED,
    Action,
    Blocker,
    Context,
    FieldSpec,
    StepDef,
    StepResult,
    TrackResult,
)

TRACK = "img"

# --------------------------------------------------------------------------------------------
# Vocabularies (choices). Values are part of the profile format.

STATES = (
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"),
    ("MN", "Minnesota"), ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"),
    ("NE", "Nebraska"), ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"),
    ("NM", "New Mexico"), ("NY", "New York"), ("NC", "North Carolina"), ("ND", "North Dakota"),
    ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"), ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"),
    ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
)

SPECIALTIES = (
    ("family_medicine", "Family medicine"), ("internal_medicine", "Internal medicine"),
    ("pediatrics", "Pediatrics"), ("psychiatry", "Psychiatry"), ("neurology", "Neurology"),
    ("anesthesiology", "Anesthesiology"), ("obstetrics_gynecology", "Obstetrics and gynecology"),
    ("pathology", "Pathology"), ("dermatology", "Dermatology"),
    ("emergency_medicine", "Emergency medicine"), ("diagnostic_radiology", "Diagnostic radiology"),
    ("general_surgery", "General surgery"), ("orthopaedic_surgery", "Orthopaedic surgery"),
    ("ophthalmology", "Ophthalmology"), ("neurological_surgery", "Neurological surgery"),
    ("preliminary", "Preliminary or transitional year"), ("other", "Other"),
)

VISA_NEEDS = (
    ("us_citizen", "US citizen"),
    ("permanent_resident", "US permanent resident (green card)"),
    ("needs_j1", "Needs a J-1 (ECFMG sponsorship)"),
    ("needs_h1b", "Needs an H-1B"),
    ("undecided", "Not decided yet"),
)

DEGREES = (
    ("medicine", "Medicine (MBBS, MD or equivalent)"),
    ("stomatology", "Stomatology only"),
    ("ayurvedic", "Ayurvedic medicine"),
    ("homeopathic", "Homeopathic medicine"),
    ("traditional_chinese", "Traditional Chinese Medicine"),
    ("physician_epidemiologist_hygienist", "Physician-Epidemiologist-Hygienist"),
    ("other_excluded", "Another degree of that kind"),
)

ERAS_DOCUMENTS = (
    ("mspe", "MSPE (Dean's letter)"),
    ("med_school_transcript", "Medical school transcript"),
    ("lor", "Letter of recommendation"),
    ("personal_statement", "Personal statement"),
    ("photo", "Photo"),
    ("usmle_transcript_release", "USMLE transcript release"),
)

RESULTS = (("pass", "Pass"), ("fail", "Fail"), ("incomplete", "Incomplete (counts as an attempt)"))
MATCH_OUTCOMES = (
    ("pending", "Not known yet"),
    ("matched", "Matched"),
    ("soap", "Matched through SOAP"),
    ("unmatched", "Did not match"),
)
PATHWAYS = tuple((str(i), f"Pathway {i}") for i in range(1, 7))

_YEAR = dict(minimum=1950, maximum=2100)

# --------------------------------------------------------------------------------------------
# Field specs

_ATTEMPT = (
    FieldSpec("date", "Test date", "date", required=True),
    FieldSpec("result", "Result", "choice", required=True, choices=RESULTS),
    FieldSpec("score", "Three-digit score", "int", minimum=1, maximum=300,
              help="Step 1 tests from 26 Jan 2022 are pass/fail: leave empty."),
    FieldSpec("result_date", "Result released on", "date"),
)


def _exam_fields(extra: tuple[FieldSpec, ...] = ()) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("attempts", "Attempts taken", "records", fields=_ATTEMPT,
                  help="Every attempt, incomplete ones too: they count toward the limit."),
        FieldSpec("window_start", "Eligibility window starts", "date",
                  help="The first day of the 3-month window on your scheduling permit."),
        FieldSpec("scheduled_date", "Scheduled test date", "date"),
        *extra,
    )


TRACK_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    TRACK: (
        FieldSpec("birth_date", "Date of birth", "date"),
        FieldSpec("specialty", "Target specialty", "choice", choices=SPECIALTIES),
        FieldSpec("match_year", "Match year", "int", minimum=2000, maximum=2100,
                  help="The year of the Match you aim for; residency starts on 1 July of that year."),
        FieldSpec("target_state", "State where you want your licence", "choice", choices=STATES),
        FieldSpec("visa_need", "Citizenship / visa", "choice", choices=VISA_NEEDS, default="undecided"),
        FieldSpec("country_of_residence", "Country of last legal permanent residence", "text",
                  help="For the J-1 Statement of Need (not necessarily your citizenship)."),
    ),
}

_E, _M, _R, _L, _V = "ECFMG certification", "The Match", "Residency", "Licensure", "Visa"

STEPS: list[StepDef] = [
    StepDef(
        "ecfmg.school", TRACK, _E, "Medical school eligibility",
        "Your school must be listed in the World Directory of Medical Schools (WDOMS) with an ECFMG "
        "note on its Sponsor Notes tab that covers your graduation year, award at least 4 credit "
        "years, and give a qualifying medical degree. Check this before paying for anything.",
        (),
        (
            FieldSpec("school_name", "School name", "text"),
            FieldSpec("wdoms_listed", "Listed in WDOMS", "bool"),
            FieldSpec("sponsor_note", "ECFMG note on the Sponsor Notes tab", "bool"),
            FieldSpec("sponsor_note_from_year", "Sponsor note covers graduates from (year)", "int", **_YEAR),
            FieldSpec("sponsor_note_to_year", "Sponsor note covers graduates until (year)", "int",
                      help="Leave empty if the note says 'to present'.", **_YEAR),
            FieldSpec("graduation_date", "Graduation date (expected or actual)", "date"),
            FieldSpec("credit_years", "Credit years awarded by the school", "int", minimum=0, maximum=15),
            FieldSpec("degree", "Degree", "choice", choices=DEGREES),
        ),
        ("ecfmg.school.sponsor_note_required", "ecfmg.school.graduation_year_covered",
         "ecfmg.school.min_credit_years", "ecfmg.school.excluded_degrees", "ecfmg.school.wfme_not_required"),
    ),
    StepDef(
        "ecfmg.application", TRACK, _E, "Application for ECFMG Certification",
        "Open a MyIntealth account, pass the online identity check and submit the Application for "
        "ECFMG Certification. It must be accepted before you can apply for any USMLE Step.",
        ("ecfmg.school",),
        (
            FieldSpec("myintealth_id", "MyIntealth ID", "text"),
            FieldSpec("submitted_date", "Submitted on", "date"),
            FieldSpec("accepted_date", "Accepted on", "date"),
        ),
        ("ecfmg.application.required_before_exams", "ecfmg.application.lead_time", "fee.ecfmg.application"),
    ),
    StepDef(
        "usmle.step1", TRACK, _E, "USMLE Step 1",
        "Pass USMLE Step 1 (pass/fail for tests from 26 Jan 2022). Register for a 3-month window; "
        "results take 3 to 4 weeks.",
        ("ecfmg.application",),
        _exam_fields(),
        ("usmle.step1.scoring", "usmle.attempt_limit", "usmle.attempts_in_12_months",
         "usmle.fourth_attempt_spacing", "usmle.no_retake_after_pass", "usmle.eligibility_window_months",
         "usmle.score_turnaround", "usmle.registration_entity", "ecfmg.exam_window_years", "fee.usmle.step1"),
    ),
    StepDef(
        "usmle.step2ck", TRACK, _E, "USMLE Step 2 CK",
        "Pass USMLE Step 2 CK at the passing standard in force on your test date. Programs want the "
        "score when ERAS takes submissions; ECFMG must verify it by the rank list deadline.",
        ("ecfmg.application",),
        _exam_fields(),
        ("usmle.step2ck.passing_score", "usmle.attempt_limit", "usmle.attempts_in_12_months",
         "usmle.fourth_attempt_spacing", "usmle.no_retake_after_pass", "usmle.eligibility_window_months",
         "usmle.score_turnaround", "usmle.registration_entity", "ecfmg.exam_window_years", "fee.usmle.step2ck"),
    ),
    StepDef(
        "ecfmg.oet", TRACK, _E, "OET Medicine",
        "Reach ECFMG's minimum OET Medicine grades in all four sub-tests in one sitting, recent "
        "enough for your Pathways season. Not needed with a former Step 2 CS pass.",
        ("ecfmg.application",),
        (
            FieldSpec("sittings", "OET sittings", "records", fields=(
                FieldSpec("date", "Test date", "date", required=True),
                FieldSpec("listening", "Listening", "int", minimum=0, maximum=500),
                FieldSpec("reading", "Reading", "int", minimum=0, maximum=500),
                FieldSpec("speaking", "Speaking", "int", minimum=0, maximum=500),
                FieldSpec("writing", "Writing", "int", minimum=0, maximum=500),
                FieldSpec("result_date", "Results released on", "date"),
            )),
            FieldSpec("scheduled_date", "Next sitting booked for", "date"),
            FieldSpec("earliest_accepted_date", "Earliest OET date ECFMG accepts for your season", "date",
                      help="Enter the date ECFMG gives when it is not yet in CertPath."),
        ),
        ("oet.minimum_scores", "oet.single_sitting", "oet.required_for_pathways", "oet.sit_by", "oet.result_days"),
    ),
    StepDef(
        "ecfmg.pathway", TRACK, _E, "Clinical skills: Pathway",
        "Get a clinical-skills Pathway accepted for your Match season (or record a former Step 2 CS "
        "pass, which makes this and OET not applicable).",
        ("ecfmg.application", "ecfmg.oet"),
        (
            FieldSpec("legacy_cs_pass", "I passed Step 2 CS and it is still valid for ECFMG", "bool"),
            FieldSpec("ever_failed_cs", "I failed Step 2 CS at some point", "bool"),
            FieldSpec("pathway", "Pathway", "choice", choices=PATHWAYS),
            FieldSpec("season", "Pathways season (Match year)", "int", **_YEAR),
            FieldSpec("applied_date", "Applied on", "date"),
            FieldSpec("accepted_date", "Accepted on", "date"),
            FieldSpec("valid_through", "Valid through (as ECFMG states)", "date"),
        ),
        ("ecfmg.cs.legacy_pass_exempts", "ecfmg.step2cs.discontinued", "pathway.general_eligibility",
         "pathway.cs_fail_requires_pathway6", "pathway.validity_match_cycles", "fee.pathways"),
    ),
    StepDef(
        "ecfmg.credentials", TRACK, _E, "Credential verification",
        "ECFMG verifies your final diploma and final transcript directly with your school (not "
        "through EPIC, which is optional). Send them after graduation; schools may take about 90 days.",
        ("ecfmg.school", "ecfmg.application"),
        (
            FieldSpec("completion_letter", "Sent a degree-completion letter (diploma not yet issued)", "bool"),
            FieldSpec("diploma_submitted_date", "Diploma (and translation) submitted on", "date"),
            FieldSpec("diploma_verified_date", "Diploma verified on", "date"),
            FieldSpec("transcript_verified_date", "Final transcript verified on", "date"),
        ),
        ("ecfmg.credentials.diploma_verification", "ecfmg.credentials.completion_letter",
         "ecfmg.credentials.school_response_days"),
    ),
    StepDef(
        "ecfmg.certificate", TRACK, _E, "ECFMG certificate",
        "ECFMG issues the certificate when the exams, clinical skills and credentials are done. "
        "You need it before starting residency. A Pathway-based certificate expires unless you "
        "complete 12 months of ACGME training.",
        ("usmle.step1", "usmle.step2ck", "ecfmg.pathway", "ecfmg.credentials"),
        (
            FieldSpec("issued_date", "Issued on", "date"),
            FieldSpec("valid_through", "Valid through (Pathway-based certificates)", "date"),
            FieldSpec("permanently_validated", "Permanently validated", "bool"),
        ),
        ("ecfmg.certificate.required_by_start", "ecfmg.certificate.issue_days",
         "ecfmg.certificate.permanent_after_training_months", "ecfmg.certificate.extension_if_expiring"),
    ),
    StepDef(
        "match.eras", TRACK, _M, "ERAS application",
        "Get your ERAS token from ECFMG, upload your documents, and submit on the first day ERAS "
        "takes submissions.",
        ("ecfmg.application",),
        (
            FieldSpec("token_date", "ERAS token obtained on", "date"),
            FieldSpec("documents", "Documents", "records", fields=(
                FieldSpec("kind", "Document", "choice", required=True, choices=ERAS_DOCUMENTS),
                FieldSpec("uploaded_date", "Uploaded on", "date"),
                FieldSpec("note", "Note", "text"),
            )),
            FieldSpec("submitted_date", "Application submitted on", "date"),
            FieldSpec("programs", "Programs applied to", "int", minimum=0, maximum=2000),
        ),
        ("eras.token", "eras.documents", "fee.eras.token", "match.calendar.pattern"),
    ),
    StepDef(
        "match.nrmp", TRACK, _M, "NRMP registration",
        "Register for the Main Residency Match with NRMP (opens 15 September), using the same name "
        "as in ERAS. Register early to avoid the late fee.",
        ("ecfmg.application",),
        (
            FieldSpec("registered_date", "Registered on", "date"),
            FieldSpec("nrmp_id", "NRMP ID", "text"),
        ),
        ("nrmp.early_registration_deadline", "nrmp.one_match_at_a_time", "match.calendar.pattern"),
    ),
    StepDef(
        "match.rol", TRACK, _M, "Rank order list",
        "Certify your rank order list by the deadline. By then ECFMG must have verified Step 1, "
        "Step 2 CK and the clinical and communication skills requirements, or you are withdrawn "
        "from the Match and SOAP.",
        ("match.nrmp", "usmle.step1", "usmle.step2ck", "ecfmg.oet", "ecfmg.pathway"),
        (
            FieldSpec("certified_date", "Rank list certified on", "date"),
            FieldSpec("programs_ranked", "Programs ranked", "int", minimum=0, maximum=300),
        ),
        ("ecfmg.rol_verification", "match.rol_certifies_ecfmg", "match.calendar.pattern"),
    ),
    StepDef(
        "match.result", TRACK, _M, "Match result",
        "Match Day is the third Friday of March; SOAP runs that week. A match binds you to start on "
        "1 July.",
        ("match.rol",),
        (
            FieldSpec("outcome", "Outcome", "choice", choices=MATCH_OUTCOMES, default="pending"),
            FieldSpec("program", "Program", "text"),
            FieldSpec("program_state", "Program's state", "choice", choices=STATES),
            FieldSpec("start_date", "Start date", "date", help="Usually 1 July of the Match year."),
            FieldSpec("program_years", "Program length (years)", "int", minimum=1, maximum=10),
        ),
        ("nrmp.one_match_at_a_time", "residency.start", "match.calendar.pattern"),
    ),
    StepDef(
        "residency.training", TRACK, _R, "Residency training",
        "Complete your postgraduate training years (PGY). Length depends on the specialty.",
        ("match.result", "ecfmg.certificate"),
        (
            FieldSpec("start_date", "Started on", "date"),
            FieldSpec("completed_date", "Completed on", "date"),
            FieldSpec("program_years", "Program length (years)", "int", minimum=1, maximum=10),
        ),
        ("residency.start", "residency.length.preliminary"),
    ),
    StepDef(
        "usmle.step3", TRACK, _L, "USMLE Step 3",
        "Pass USMLE Step 3 (in the US, after your ECFMG certificate). Needed for a full licence, and "
        "before an H-1B petition. Some states set a deadline (Pennsylvania: before PGY-3).",
        ("ecfmg.certificate",),
        _exam_fields(),
        ("usmle.step3.eligibility", "usmle.step3.passing_score", "usmle.attempt_limit",
         "usmle.attempts_in_12_months", "usmle.fourth_attempt_spacing", "usmle.step3.permit_business_days",
         "usmle.step3.test_conditions", "usmle.step3.recommended_pgy", "usmle.score_turnaround",
         "usmle.state_time_limit_default", "fee.usmle.step3"),
    ),
    StepDef(
        "license.state", TRACK, _L, "Full state licence",
        "Apply for a full licence in your target state once you have its required training years "
        "and Step 3. Start the paperwork (FCVS or the board) about 6 months ahead.",
        ("usmle.step3", "ecfmg.certificate"),
        (
            FieldSpec("state", "State", "choice", choices=STATES, help="Defaults to your target state."),
            FieldSpec("training_license_date", "Training licence issued on", "date"),
            FieldSpec("fcvs_started_date", "FCVS / board paperwork started on", "date"),
            FieldSpec("applied_date", "Applied on", "date"),
            FieldSpec("issued_date", "Full licence issued on", "date"),
        ),
        ("license.requirements", "license.pgt_minimum_years", "license.prepare_months",
         "license.alternative_routes", "fee.fcvs.first"),
    ),
    StepDef(
        "visa", TRACK, _V, "Visa",
        "J-1 through ECFMG (Statement of Need, DS-2019) or H-1B (Step 3 first). Not needed for US "
        "citizens and permanent residents.",
        ("match.result", "ecfmg.certificate"),
        (
            FieldSpec("statement_of_need_requested", "Statement of Need requested on", "date"),
            FieldSpec("statement_of_need_received", "Statement of Need received on", "date"),
            FieldSpec("ds2019_issued", "DS-2019 issued on", "date"),
            FieldSpec("h1b_petition_filed", "H-1B petition filed on", "date"),
            FieldSpec("h1b_approved", "H-1B approved on", "date"),
            FieldSpec("beneficiary_outside_us", "I will be outside the US when the H-1B is filed", "bool"),
            FieldSpec("visa_issued", "Visa issued (or status approved) on", "date"),
        ),
        ("visa.j1.ecfmg_sole_sponsor", "visa.j1.requirements", "visa.j1.statement_of_need_before_match",
         "visa.j1.ds2019_earliest_months", "visa.j1.two_year_home_rule", "visa.j1.max_years",
         "visa.h1b.requires_all_steps", "visa.h1b.cap", "visa.h1b.wage_weighted_lottery",
         "fee.h1b.proclamation_payment", "visa.conrad30", "visa.conrad30.process"),
    ),
]

TRACKS: dict[str, list[StepDef]] = {TRACK: STEPS}
_DEF = {s.id: s for s in STEPS}
EXAMS = ("usmle.step1", "usmle.step2ck", "usmle.step3")
ECFMG_EXAMS = ("usmle.step1", "usmle.step2ck")
_FINAL = (DONE, NOT_APPLICABLE)
# The step that owns each Match calendar date: the only one that says it is projected.
CAL_OWNER = {
    "eras_opens": "match.eras",
    "eras_submissions_open": "match.eras",
    "nrmp_registration_opens": "match.nrmp",
    "rol_deadline": "match.rol",
    "match_day": "match.result",
}


# --------------------------------------------------------------------------------------------
# Small helpers (never raise on user data: evaluation must survive any profile)

def _date(v: Any) -> dt.date | None:
    try:
        return parse_date(v)
    except (ValueError, TypeError):
        return None


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _fmt(d: dt.date | None) -> str:
    return d.isoformat() if d else "?"


def _rule(ctx: Context, rule_id: str, on: dt.date | None = None) -> Rule | None:
    """The record of `rule_id` in force on `on` (with the user's override), or None."""
    if rule_id not in ctx.rules:
        return None
    return ctx.rule(rule_id, on)


def _list(v: Any) -> list[Mapping[str, Any]]:
    return [x for x in v if isinstance(x, Mapping)] if isinstance(v, list) else []


@dataclass(frozen=True)
class Attempt:
    date: dt.date
    result: str
    score: int | None
    result_date: dt.date | None

    @property
    def failed(self) -> bool:
        return self.result in ("fail", "incomplete")


def _attempts(facts: Mapping[str, Any]) -> list[Attempt]:
    out = []
    for a in _list(facts.get("attempts")):
        d = _date(a.get("date"))
        if d is None or a.get("result") not in ("pass", "fail", "incomplete"):
            continue
        out.append(Attempt(d, a["result"], _int(a.get("score")), _date(a.get("result_date"))))
    return sorted(out, key=lambda a: a.date)


class _Eval:
    """One evaluation of the img track on ctx.today."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.today = ctx.today
        self.tf = ctx.facts(TRACK)
        self.res: dict[str, StepResult] = {}
        self.M = _int(self.tf.get("match_year"))
        if self.M is not None and not (1950 <= self.M <= 2200):
            self.M = None
        self.visa_need = self.tf.get("visa_need") or "undecided"
        self.cal: dict[str, match_calendar.CalendarDate] = {}
        if self.M is not None:
            on = dt.date(self.M, 1, 1)
            self.cal = match_calendar.calendar(self.M, lambda rid: _rule(ctx, rid, on))
        self.attempts = {s: _attempts(ctx.facts(s)) for s in EXAMS}
        self.start = self._start_date()
        self.legacy_cs = ctx.facts("ecfmg.pathway").get("legacy_cs_pass") is True
        self._exam_lead: dt.date | None = None  # set by _application_due
        self._root: dict[str, tuple[str, str]] = {}  # step blocked through a dependency -> (root step, reason)

    # ---- shared lookups ------------------------------------------------------------------

    def rule(self, res: StepResult, rule_id: str, on: dt.date | None = None, quiet: bool = False) -> Rule | None:
        """The record in force on `on`, added to the step's rules. Its confidence or conflict note
        becomes a warning unless `quiet` (the rule's mark is said on the step that owns it, or the
        step's own wording already says it); a user's override is always said."""
        r = res.use(_rule(self.ctx, rule_id, on))
        if r is not None:
            if r.is_override:
                note = (r.override or {}).get("note") or ""
                _add(res.warnings, f"Uses your own value for {r.id}: {r.value!r}" + (f" ({note})" if note else "") + ".")
            elif quiet:
                pass
            elif r.confidence == "low":
                _add(res.warnings, f"Low confidence ({r.id}): {r.statement}"
                     + (f" {r.conflict}" if r.conflict else "") + " Check this before you rely on it.")
            elif r.conflict:
                _add(res.warnings, f"Sources differ ({r.id}): {r.conflict}")
        return r

    def value(self, res: StepResult, rule_id: str, on: dt.date | None = None, default: Any = None,
              quiet: bool = False) -> Any:
        r = self.rule(res, rule_id, on, quiet)
        return default if r is None else r.value

    def cal_date(self, res: StepResult, item: str) -> dt.date | None:
        """A date of the Match year's calendar. The rule goes into the step's rule list; the
        "projected, not published" warning is said once, on the step that owns the date
        (`CAL_OWNER`), not on every step that uses it."""
        c = self.cal.get(item)
        if c is None:
            return None
        res.use(c.rule)
        if c.projected and CAL_OWNER.get(item) == res.id:
            _add(res.warnings, f"{c.label} for the {self.M} Match ({c.date.isoformat()}) is projected from "
                 "the usual pattern, not published: check NRMP / AAMC.")
        return c.date

    def _start_date(self) -> dt.date | None:
        for sid in ("residency.training", "match.result"):
            d = _date(self.ctx.facts(sid).get("start_date"))
            if d:
                return d
        if self.M is None:
            return None
        r = _rule(self.ctx, "residency.start", dt.date(self.M, 1, 1))
        if r is None:
            return None
        try:
            return dt.date(self.M, int(r.value["month"]), int(r.value["day"]))
        except (KeyError, TypeError, ValueError):
            return None

    def turnaround(self, res: StepResult, test: dt.date) -> tuple[dt.date | None, Mapping[str, Any]]:
        """When a USMLE result taken on `test` is expected (the release weekday on or after max weeks)."""
        v = self.value(res, "usmle.score_turnaround", test) or {}
        if "max_weeks" not in v:
            return None, v
        d = test + dt.timedelta(weeks=int(v["max_weeks"]))
        wd = v.get("release_weekday")
        if isinstance(wd, int):
            d += dt.timedelta(days=(wd - d.weekday()) % 7)
        return d, v

    def completed_on(self, sid: str) -> dt.date | None:
        r = self.res.get(sid)
        return r.info.get("completed_on") if r else None

    def expected_on(self, sid: str) -> dt.date | None:
        r = self.res.get(sid)
        if r is None:
            return None
        return r.info.get("completed_on") or r.info.get("expected_on")

    def first_pass(self, steps: tuple[str, ...]) -> dt.date | None:
        ds = [a.date for s in steps for a in self.attempts[s] if a.result == "pass"]
        return min(ds) if ds else None

    def state_record(self, res: StepResult, on: dt.date | None = None,
                     quiet: bool = False) -> tuple[str | None, Mapping[str, Any]]:
        """The target state's licensure record (its confidence is said on license.state)."""
        code = self.ctx.facts("license.state").get("state") or self.tf.get("target_state")
        if not isinstance(code, str) or not code:
            return None, {}
        r = self.rule(res, f"license.state.{code}", on, quiet)
        return code, (r.value if r is not None and isinstance(r.value, Mapping) else {})

    def program_years(self, res: StepResult) -> int | None:
        for sid in ("residency.training", "match.result"):
            y = _int(self.ctx.facts(sid).get("program_years"))
            if y:
                return y
        spec = self.tf.get("specialty")
        if isinstance(spec, str) and spec and spec != "other":
            return _int(self.value(res, f"residency.length.{spec}", self.start))
        return None

    # ---- the walk ---------------------------------------------------------------------------

    def run(self) -> TrackResult:
        for sd in STEPS:
            res = StepResult(sd.id)
            step = getattr(self, "_" + sd.id.replace(".", "_"))
            if self.ctx.overrides:
                # A user's override may give a rule a value of another shape (a text where a table
                # was expected): report it on the step instead of failing the whole journey.
                try:
                    step(res, self.ctx.facts(sd.id))
                except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as e:
                    res.warnings.append(f"A rule value could not be applied here (check your overrides: "
                                        f"{', '.join(res.overrides) or 'see the rules page'}): {e}")
            else:
                step(res, self.ctx.facts(sd.id))
            self._finish(sd, res)
            self.res[sd.id] = res
        return TrackResult(TRACK, [self.res[s.id] for s in STEPS])

    def _finish(self, sd: StepDef, res: StepResult) -> None:
        school = self.res.get("ecfmg.school")
        ineligible = school is not None and school.status == BLOCKED  # blocks even steps marked done
        for dep in sd.depends_on:
            d = self.res[dep]
            if d.status in _FINAL:
                continue
            title = _DEF[dep].title
            if res.status not in _FINAL or (ineligible and res.status == DONE and d.status == BLOCKED):
                if d.status == BLOCKED:
                    # Name the root cause once (not "Blocked by A: Blocked by B: ..." down the road).
                    root_id, why = self._root.get(dep) or (dep, d.reasons[0] if d.reasons else "it is blocked")
                    res.blocked_by.append(Blocker(dep, f"Waits for {title}, which is blocked: {why}"))
                    if res.status != BLOCKED:
                        res.status = BLOCKED
                        res.deadline = None
                        res.actions = []  # nothing to do here until the root cause is solved
                        self._root[sd.id] = (root_id, why)
                        if ineligible:  # the school does not qualify: nothing else on this step matters
                            res.reasons.clear()
                        res.reasons.insert(0, f"Blocked by {_DEF[root_id].title}: {why}")
                else:
                    res.blocked_by.append(Blocker(dep, f"Waits for {title}"))
                if d.due and res.due and d.due > res.due:
                    _add(res.warnings, f"{title} is due on {d.due.isoformat()}, after this step's due date "
                         f"({res.due.isoformat()}), although this step needs it first.")
        if res.status == AT_RISK and res.deadline is None:
            res.deadline = res.due
        if res.status != AT_RISK:
            res.deadline = None if res.status != BLOCKED else res.deadline

    # ---- ECFMG ------------------------------------------------------------------------------

    def _application_due(self, res: StepResult) -> dt.date | None:
        lead = self.value(res, "ecfmg.application.lead_time") or {}
        cands = []
        md = self.cal.get("match_day")
        if md and "months_before_match_day" in lead:
            cands.append(add_months(md.date, -int(lead["months_before_match_day"])))
        firsts = [a.date for s in ECFMG_EXAMS for a in self.attempts[s]]
        for s in ECFMG_EXAMS:
            f = self.ctx.facts(s)
            firsts += [d for d in (_date(f.get("window_start")), _date(f.get("scheduled_date"))) if d]
        exam_lead = None
        if firsts and "months_before_first_exam" in lead:
            exam_lead = add_months(min(firsts), -int(lead["months_before_first_exam"]))
            cands.append(exam_lead)
        self._exam_lead = exam_lead
        return min(cands) if cands else None

    def _ecfmg_school(self, res: StepResult, f: Mapping[str, Any]) -> None:
        res.due = self._application_due(res)
        grad = _date(f.get("graduation_date"))
        problems = []
        note_rule = self.rule(res, "ecfmg.school.sponsor_note_required")
        if f.get("sponsor_note") is False and note_rule is not None and note_rule.value:
            problems.append("Your school has no ECFMG sponsor note in WDOMS, so you cannot apply for ECFMG "
                            "certification (a WDOMS listing alone is not enough).")
        lo, hi = _int(f.get("sponsor_note_from_year")), _int(f.get("sponsor_note_to_year"))
        if grad and (lo or hi) and self.rule(res, "ecfmg.school.graduation_year_covered"):
            if (lo and grad.year < lo) or (hi and grad.year > hi):
                problems.append(f"Your graduation year {grad.year} is outside the years the sponsor note covers "
                                f"({lo or '…'}–{hi or 'present'}).")
        credits = _int(f.get("credit_years"))
        need = self.value(res, "ecfmg.school.min_credit_years", grad)
        if credits is not None and isinstance(need, int) and credits < need:
            problems.append(f"The school awarded {credits} credit years; ECFMG needs at least {need}.")
        excluded = self.value(res, "ecfmg.school.excluded_degrees", grad) or []
        if f.get("degree") in excluded:
            problems.append("This degree does not qualify for ECFMG certification.")
        if problems:
            res.status = BLOCKED
            res.reasons += problems
            res.blocked_by.append(Blocker(None, problems[0]))
            return
        known = [f.get("sponsor_note") is True, grad is not None, credits is not None,
                 f.get("degree") is not None]
        if all(known):
            res.status = DONE
            res.reasons.append("Sponsor note, graduation year, credit years and degree all qualify.")
            return
        res.status = IN_PROGRESS if any(known) or f.get("wdoms_listed") is not None else NOT_STARTED
        # res.due comes from the preferred lead before the Match (a preference, not a deadline):
        # once it has passed the action is simply for today, never shown as "overdue".
        when = max(res.due, self.today) if res.due else None
        res.actions.append(Action("Look up your school on wdoms.org: check the ECFMG note on its Sponsor "
                                  "Notes tab covers your graduation year", when, "check", key="check-wdoms"))

    def _ecfmg_application(self, res: StepResult, f: Mapping[str, Any]) -> None:
        res.due = self._application_due(res)
        self.rule(res, "ecfmg.application.required_before_exams")
        sub, acc = _date(f.get("submitted_date")), _date(f.get("accepted_date"))
        if acc:
            res.status = DONE
            res.info["completed_on"] = acc
            early = [a.date for s in ECFMG_EXAMS for a in self.attempts[s] if a.date < acc]
            if early:
                _add(res.warnings, f"An exam on {min(early).isoformat()} is recorded before the application "
                     f"was accepted ({acc.isoformat()}): check the dates.")
            return
        res.use(_rule(self.ctx, "fee.ecfmg.application"))
        if sub:
            res.status = IN_PROGRESS
            res.reasons.append(f"Submitted on {sub.isoformat()}; waiting for ECFMG to accept it.")
        else:
            when = max(res.due, self.today) if res.due else None  # a preference (see the school step)
            res.actions.append(Action("Create a MyIntealth account, verify your identity and submit the "
                                      "Application for ECFMG Certification", when, key="submit-application"))
        # Only the lead before the first exam is a real constraint (the application must be accepted
        # before any exam application); the Match lead (18 to 24 months) is a preference.
        lead = self._exam_lead
        if lead and self.today > lead:
            res.status = AT_RISK
            res.deadline = lead
            res.reasons.append("Your first exam window or test date is less than the recommended lead time away: "
                               "the application must be accepted before you can apply for an exam.")
        elif res.due and self.today > res.due:
            res.reasons.append(f"The preferred lead time before the Match ({res.due.isoformat()}) has passed: "
                               "submit it now.")

    # ---- USMLE ------------------------------------------------------------------------------

    def _score_checks(self, sid: str, res: StepResult, att: list[Attempt]) -> None:
        for a in att:
            if sid == "usmle.step1":
                scoring = self.value(res, "usmle.step1.scoring", a.date)
                if scoring == "pass_fail" and a.score is not None:
                    _add(res.warnings, f"Step 1 on {a.date.isoformat()} is reported pass/fail only; a score "
                         f"of {a.score} is probably an entry error.")
                continue
            rid = "usmle.step2ck.passing_score" if sid == "usmle.step2ck" else "usmle.step3.passing_score"
            r = self.rule(res, rid, a.date, quiet=True)
            std = r.value if r is not None else None
            if a.score is None or not isinstance(std, int | float):
                continue
            mark = (f" (that standard is {r.confidence} confidence: verify on usmle.org)"
                    if r is not None and r.confidence != "high" and not r.is_override else "")
            if a.result == "pass" and a.score < std:
                _add(res.warnings, f"The attempt on {a.date.isoformat()} is marked pass with a score of "
                     f"{a.score}, below the {std} standard in force on that date: likely an entry error{mark}.")
            elif a.result == "fail" and a.score >= std:
                _add(res.warnings, f"The attempt on {a.date.isoformat()} is marked fail with a score of "
                     f"{a.score}, at or above the {std} standard in force on that date: check it{mark}.")

    def _earliest_next(self, res: StepResult, att: list[Attempt]) -> dt.date | None:
        """The first date the next attempt may be taken under the spacing rules (None: no limit)."""
        if not att:
            return None
        on = self.today
        earliest: dt.date | None = None
        n12 = self.value(res, "usmle.attempts_in_12_months", on)
        if isinstance(n12, int) and len(att) >= n12:
            earliest = add_months(att[-n12].date, 12)
        sp = self.value(res, "usmle.fourth_attempt_spacing", on) or {}
        if sp and len(att) + 1 >= int(sp.get("attempt_number", 10**6)):
            e = max(add_months(att[0].date, int(sp["months_after_first"])),
                    add_months(att[-1].date, int(sp["months_after_latest"])))
            earliest = max(earliest, e) if earliest else e
        return earliest

    def _maxed_out(self) -> list[tuple[str, int, int]]:
        out = []
        for s in EXAMS:
            fails = [a for a in self.attempts[s] if a.failed]
            if any(a.result == "pass" for a in self.attempts[s]):
                continue
            lim = _rule(self.ctx, "usmle.attempt_limit", self.today)
            if lim is not None and isinstance(lim.value, int) and len(fails) >= lim.value:
                out.append((s, len(fails), lim.value))
        return out

    def _exam(self, sid: str, res: StepResult, f: Mapping[str, Any], hard: dt.date | None,
              hard_what: str) -> None:
        att = self.attempts[sid]
        self._score_checks(sid, res, att)
        title = _DEF[sid].title
        passes = [a for a in att if a.result == "pass"]
        if passes:
            p = passes[0]
            res.status = DONE
            when, _ = self.turnaround(res, p.date)
            res.info["completed_on"] = p.result_date or when or p.date
            res.reasons.append(f"Passed on {p.date.isoformat()}.")
            after = [a for a in att if a.date > p.date]
            if after and self.rule(res, "usmle.no_retake_after_pass", p.date):
                _add(res.warnings, f"{len(after)} attempt(s) recorded after the pass of {p.date.isoformat()}: a "
                     "passed Step cannot normally be retaken; check the entries.")
            return
        limit = self.value(res, "usmle.attempt_limit", self.today)
        fails = [a for a in att if a.failed]
        for s, n, lim in self._maxed_out():
            reason = (f"{n} unsuccessful attempts at {_DEF[s].title} reach the limit of {lim}: you may not "
                      "apply for any Step.")
            res.status = BLOCKED
            res.reasons.append(reason)
            res.blocked_by.append(Blocker(None if s == sid else s, reason))
        if res.status == BLOCKED:
            return
        if isinstance(limit, int) and fails:
            res.info["attempts_left"] = limit - len(fails)
            res.reasons.append(f"{len(fails)} unsuccessful attempt(s); {limit - len(fails)} left of {limit}."
                               + (f" A further failure would bar you from every Step ({limit} failures at any "
                                  "Step)." if limit - len(fails) == 1 else ""))
        earliest = self._earliest_next(res, att)
        if earliest and earliest > self.today:
            res.info["next_attempt_from"] = earliest
            res.actions.append(Action(f"Your next {title} attempt may be on or after this date "
                                      "(attempt spacing rules)", earliest, "reminder", key="next-attempt-from"))
        ws, sched = _date(f.get("window_start")), _date(f.get("scheduled_date"))
        if sched and any(a.date == sched for a in att):
            sched = None  # already recorded as an attempt
        win = self.value(res, "usmle.eligibility_window_months", ws or sched or self.today)
        we = add_months(ws, int(win)) - dt.timedelta(days=1) if ws and isinstance(win, int) else None
        if we:
            res.info["window_end"] = we
        expected = None
        if sched:
            res.status = IN_PROGRESS
            expected, ta = self.turnaround(res, sched)
            res.info["expected_on"] = expected
            if ws and we and not (ws <= sched <= we):
                _add(res.warnings, f"The test date {sched.isoformat()} is outside your eligibility window "
                     f"({ws.isoformat()} to {we.isoformat()}).")
            if earliest and sched < earliest:
                _add(res.warnings, f"The test date {sched.isoformat()} is before {earliest.isoformat()}, the "
                     "earliest the attempt spacing rules allow.")
            if sched >= self.today:
                res.actions.append(Action(f"Sit {title}", sched, "deadline", key="sit-exam"))
                res.actions.append(Action(f"{title} result expected (released on Wednesdays)", expected, "reminder",
                                          key="result-expected"))
            else:
                fu = sched + dt.timedelta(weeks=int(ta.get("follow_up_weeks", 0))) if ta else None
                res.actions.append(Action(f"Record your {title} result of {sched.isoformat()}", expected, "todo",
                                          key="record-result"))
                if fu and self.today > fu:
                    res.actions.append(Action("No result after the usual follow-up time: contact USMLE", self.today,
                                              "check", key="contact-usmle"))
        elif ws and we and self.today > we and not any(ws <= a.date <= we for a in att):
            res.status = IN_PROGRESS if att else NOT_STARTED
            res.reasons.append(f"Your eligibility window ({ws.isoformat()} to {we.isoformat()}) ended without a "
                               "recorded test: register again for a new window.")
            res.actions.append(Action(f"Register again for {title}: your eligibility window has ended", None,
                                      "todo", key="register-again"))
        elif ws:
            res.status = IN_PROGRESS
            res.actions.append(Action(f"Schedule your {title} test date inside your window "
                                      f"({ws.isoformat()} to {_fmt(we)})", we, "deadline", key="schedule-in-window"))
        elif att:
            res.status = IN_PROGRESS
        if hard:
            if expected and expected > hard:
                res.status = AT_RISK
                res.deadline = hard
                res.reasons.append(f"The result of your {sched.isoformat() if sched else ''} test is expected around "
                                   f"{expected.isoformat()}, after {hard_what} ({hard.isoformat()}).")
            elif not sched and self.today >= hard:
                res.reasons.append(f"{hard_what} ({hard.isoformat()}) has passed without a pass recorded.")
            elif not sched:
                # The earliest test possible: today, or later when the attempt spacing rules say so.
                first_try = max(self.today, earliest) if earliest else self.today
                latest, _ = self.turnaround(res, first_try)
                if latest and latest > hard:
                    res.status = AT_RISK
                    res.deadline = hard
                    when = "today" if first_try == self.today else f"on {first_try.isoformat()}, the earliest the " \
                        "attempt spacing rules allow,"
                    res.reasons.append(f"Even a test {when} would give a result after {hard_what} ({hard.isoformat()}).")

    def _exam_window_risk(self, sid: str, res: StepResult) -> None:
        """ECFMG's 7-year window between the first passed required exam and the last one (medium)."""
        other = "usmle.step2ck" if sid == "usmle.step1" else "usmle.step1"
        mine = self.first_pass((sid,))
        theirs = self.first_pass((other,))
        if self.completed_on("ecfmg.certificate") or self.ctx.facts("ecfmg.certificate").get("issued_date"):
            return
        if mine and theirs is None:
            years = self.value(res, "ecfmg.exam_window_years", mine, quiet=True)
            if not isinstance(years, int):
                return
            end = add_years_same_day(mine, years)
            res.info["exam_window_ends"] = end
            if self.today > end:
                res.status = EXPIRED
                res.expires = end
                res.reasons.append(f"More than {years} years since this pass without {_DEF[other].title}: it may "
                                   "no longer count for ECFMG certification (medium confidence: verify with ECFMG).")
            else:
                res.expires = end
                res.reasons.append(f"This pass counts for ECFMG certification until {end.isoformat()} unless "
                                   f"{_DEF[other].title} is passed by then ({years}-year window, medium confidence: "
                                   "verify with ECFMG).")
        elif theirs and mine is None and res.status not in _FINAL:
            years = self.value(res, "ecfmg.exam_window_years", theirs, quiet=True)
            if not isinstance(years, int):
                return
            end = add_years_same_day(theirs, years)
            res.info["exam_window_ends"] = end
            exp = res.info.get("expected_on") or res.due
            # Said as an action only when the window binds before the step's own target date.
            if res.due is None or end <= res.due:
                res.actions.append(Action(f"Pass {_DEF[sid].title} within {years} years of your first passed exam "
                                          "(ECFMG window, medium confidence)", end, "deadline", key="exam-window"))
            if exp and exp > end and res.status != BLOCKED:
                res.status = AT_RISK
                res.deadline = end
                res.reasons.append(f"On course to pass after {end.isoformat()}, when your first pass may stop "
                                   "counting for ECFMG certification.")
        elif mine and theirs and abs((theirs - mine).days) > 0:
            years = self.value(res, "ecfmg.exam_window_years", min(mine, theirs), quiet=True)
            if isinstance(years, int) and max(mine, theirs) > add_years_same_day(min(mine, theirs), years):
                _add(res.warnings, f"Step 1 and Step 2 CK passes are more than {years} years apart: the earlier "
                     "may not count for ECFMG certification; verify with ECFMG.")

    def _usmle_step1(self, res: StepResult, f: Mapping[str, Any]) -> None:
        self._usmle_ecfmg_exam("usmle.step1", res, f)

    def _usmle_step2ck(self, res: StepResult, f: Mapping[str, Any]) -> None:
        # A Step 2 CK result expected after ERAS takes submissions is flagged on match.eras (the
        # step that owns that collision); here the ERAS date is the target (see below).
        self._usmle_ecfmg_exam("usmle.step2ck", res, f)

    def _usmle_ecfmg_exam(self, sid: str, res: StepResult, f: Mapping[str, Any]) -> None:
        title = _DEF[sid].title
        sub = self.cal_date(res, "eras_submissions_open")
        rol = self.cal_date(res, "rol_deadline")
        # The target: the result in when ERAS takes submissions (programs see it); once that day
        # has passed, the hard deadline left is the rank list deadline (ECFMG verification).
        res.due = sub if sub and self.today <= sub else (rol or sub)
        ent = self.value(res, "usmle.registration_entity", self.today)
        self._exam(sid, res, f, rol, "the rank order list deadline (ECFMG verification)")
        if res.status not in _FINAL and res.status != BLOCKED:
            registered = f.get("window_start") or f.get("scheduled_date")
            if not registered:
                if ent:
                    res.actions.append(Action(f"Register for {title} through {ent}", None, "todo", key="register"))
                else:
                    _add(res.warnings, "Which body registers IMGs for this Step today is not in our records: "
                         "check usmle.org.")
            if not res.info.get("expected_on"):
                # Sit early enough for the result to be in when ERAS takes submissions, or, when
                # that is no longer possible, by the rank order list deadline.
                for target, text in ((sub, f"Sit {title} so the result is in when ERAS takes submissions"),
                                     (rol, f"Sit {title} so ECFMG can verify the result by the rank order "
                                           "list deadline")):
                    if target is None:
                        continue
                    latest, _ = self.turnaround(res, target)
                    sit_by = target - (latest - target) if latest else target
                    allowed = res.info.get("next_attempt_from") or self.today
                    if sit_by >= max(self.today, allowed):
                        res.actions.append(Action(text, sit_by, "deadline", key="sit-by"))
                        break
        self._exam_window_risk(sid, res)

    # ---- clinical and communication skills ---------------------------------------------------

    def _season(self) -> int | None:
        s = _int(self.ctx.facts("ecfmg.pathway").get("season"))
        return s or self.M

    def _ecfmg_oet(self, res: StepResult, f: Mapping[str, Any]) -> None:
        if self.legacy_cs:
            self.rule(res, "ecfmg.cs.legacy_pass_exempts")
            res.status = NOT_APPLICABLE
            res.reasons.append("Your former Step 2 CS pass meets the clinical and communication skills requirement.")
            return
        self.rule(res, "oet.required_for_pathways")
        self.rule(res, "oet.single_sitting")
        sit_by = self.value(res, "oet.sit_by")
        if self.M is not None and isinstance(sit_by, Mapping):
            y = self.M + int(sit_by.get("match_year_offset", 0))
            m = int(sit_by.get("month", 12))
            res.due = add_months(dt.date(y, m, 1), 1) - dt.timedelta(days=1)
        rol = self.cal_date(res, "rol_deadline")
        season = self._season()
        earliest = _date(f.get("earliest_accepted_date"))
        if earliest:
            res.reasons.append(f"Recency: you entered {earliest.isoformat()} as the earliest date ECFMG accepts.")
        elif season is not None:
            r = self.rule(res, f"oet.recency.{season}")
            earliest = r.value if r is not None and isinstance(r.value, dt.date) else None
            if earliest is None and not _date(self.ctx.facts("ecfmg.pathway").get("accepted_date")):
                _add(res.warnings, f"The OET recency rule for the {season} Pathways season is not yet published: "
                     "enter the date ECFMG gives.")
        passing, short = [], []
        for s in sorted(_list(f.get("sittings")), key=lambda s: _fmt(_date(s.get("date")))):
            d = _date(s.get("date"))
            if d is None:
                continue
            mins = self.value(res, "oet.minimum_scores", d)
            if not isinstance(mins, Mapping):
                continue
            scores = {k: _int(s.get(k)) for k in mins}
            below = [k for k, v in scores.items() if v is None or v < mins[k]]
            if below:
                short.append((d, below))
            else:
                passing.append((d, _date(s.get("result_date"))))
        def result_days() -> Any:  # looked up only when a result date has to be estimated
            return self.value(res, "oet.result_days")

        recent = [p for p in passing if earliest is None or p[0] >= earliest]
        if recent:
            d, rd = recent[-1]
            res.status = DONE
            days = self.value(res, "oet.result_days", quiet=True) if rd is None else None  # an estimate only
            res.info["completed_on"] = rd or (d + dt.timedelta(days=days) if isinstance(days, int) else d)
            res.reasons.append(f"All four minimums reached in the sitting of {d.isoformat()}.")
            return
        if passing:
            d, _ = passing[-1]
            res.status = EXPIRED
            res.reasons.append(f"Your passing sitting of {d.isoformat()} is before {_fmt(earliest)}, the earliest "
                               f"date ECFMG accepts for the {season} season: sit OET again.")
        elif short:
            d, below = short[-1]
            res.status = IN_PROGRESS
            res.reasons.append(f"The sitting of {d.isoformat()} missed the minimum in {', '.join(below)}: all four "
                               "sub-tests must be passed again in one sitting.")
        sched = _date(f.get("scheduled_date"))
        if sched and sched >= (passing[-1][0] if passing else dt.date.min):
            if res.status == NOT_STARTED:
                res.status = IN_PROGRESS
            days = result_days()
            exp = sched + dt.timedelta(days=days) if isinstance(days, int) else None
            res.info["expected_on"] = exp
            if sched >= self.today:
                res.actions.append(Action("Sit OET Medicine", sched, "deadline", key="sit-oet"))
            elif not any(p[0] == sched for p in passing) and not any(x[0] == sched for x in short):
                res.actions.append(Action(f"Record your OET results of {sched.isoformat()}", exp or self.today,
                                          "todo", key="record-result"))
            if exp and rol and exp > rol:
                res.status = AT_RISK
                res.deadline = rol
                res.reasons.append(f"OET results expected around {exp.isoformat()}, after the rank order list "
                                   f"deadline ({rol.isoformat()}).")
            if earliest and sched < earliest:
                _add(res.warnings, f"The sitting booked for {sched.isoformat()} is before {earliest.isoformat()}, "
                     "the earliest date ECFMG accepts for your season.")
        elif res.due:
            res.actions.append(Action("Sit OET Medicine no later than the last December test date before the "
                                      "Match (book a seat early)", res.due, "deadline", key="sit-oet-by"))
            if rol and self.today > rol:
                res.status = AT_RISK if res.status != EXPIRED else res.status
                res.deadline = rol
                res.reasons.append(f"The rank order list deadline ({rol.isoformat()}) has passed.")

    def _ecfmg_pathway(self, res: StepResult, f: Mapping[str, Any]) -> None:
        if self.legacy_cs:
            self.rule(res, "ecfmg.cs.legacy_pass_exempts")
            res.status = NOT_APPLICABLE
            res.reasons.append("Your former Step 2 CS pass meets the requirement; you are not eligible for a "
                               "Pathway and do not need one.")
            return
        self.rule(res, "ecfmg.step2cs.discontinued")
        rol = self.cal_date(res, "rol_deadline")
        season = self._season()
        srule = self.rule(res, f"pathway.season.{season}") if season else None
        sv = srule.value if srule is not None and isinstance(srule.value, Mapping) else {}
        sdead = sv.get("deadline") if isinstance(sv.get("deadline"), dt.date) else None
        res.due = min([d for d in (sdead, rol) if d], default=None)
        accepted_already = _date(f.get("accepted_date")) is not None
        if accepted_already:
            pass  # the season's dates no longer matter once ECFMG has accepted the Pathway
        elif season is not None and srule is None:
            _add(res.warnings, f"Pathways for the {season} Match: not published in our sources (no season page "
                 "found). Verify with ECFMG before you plan on it.")
        elif srule is not None and sdead is None:
            _add(res.warnings, f"The {season} Pathways deadline is not in our sources: verify with ECFMG.")
        p = f.get("pathway")
        if f.get("ever_failed_cs") is True:
            need = self.value(res, "pathway.cs_fail_requires_pathway6")
            if need is not None and p != str(need):
                _add(res.warnings, f"Anyone who ever failed Step 2 CS must use Pathway {need}.")
        applied, accepted = _date(f.get("applied_date")), _date(f.get("accepted_date"))
        vt = _date(f.get("valid_through"))
        if accepted:
            res.status = DONE
            res.info["completed_on"] = accepted
            res.reasons.append(f"Pathway accepted on {accepted.isoformat()}.")
            acc_season = _int(f.get("season"))
            # The (low-confidence) 2-cycle validity matters only for a later Match than the season's.
            cycles = (self.value(res, "pathway.validity_match_cycles")
                      if acc_season and self.M and self.M > acc_season and not vt else None)
            if vt:
                res.expires = vt
            if vt and self.today > vt:
                res.status = EXPIRED
                res.reasons.append(f"Valid through {vt.isoformat()}: apply for Pathways Revalidation.")
            elif vt and rol and vt < rol:
                res.status = AT_RISK
                res.deadline = rol
                res.reasons.append(f"Valid through {vt.isoformat()}, before the {self.M} rank list deadline.")
            elif acc_season and self.M and isinstance(cycles, int) and self.M - acc_season >= cycles:
                res.status = EXPIRED
                res.reasons.append(f"Accepted for the {acc_season} season; reported to cover {cycles} Match cycles "
                                   "(low confidence): you likely need Pathways Revalidation.")
            return
        gen = self.value(res, "pathway.general_eligibility")
        registered = any(self.attempts[s] or self.ctx.facts(s).get("window_start") for s in ECFMG_EXAMS)
        if gen and not registered:
            res.actions.append(Action("Register for a USMLE Step first: Pathway applicants must be (or have "
                                      "been) registered for one", None, "check", key="register-usmle-first"))
        if applied:
            res.status = IN_PROGRESS
            res.reasons.append(f"Applied on {applied.isoformat()}; waiting for ECFMG's decision.")
            return
        if sdead and self.today > sdead:
            res.status = BLOCKED
            res.reasons.append(f"The {season} Pathways deadline ({sdead.isoformat()}) has passed.")
            res.blocked_by.append(Blocker(None, res.reasons[-1]))
            return
        opens = sv.get("opens") if isinstance(sv.get("opens"), dt.date) else None
        if opens:
            res.actions.append(Action("Apply for a Pathway as soon as the season opens", opens, "todo",
                                      key="apply-pathway"))
        else:
            res.actions.append(Action("Apply for a Pathway when ECFMG opens the season (dates not in our sources); "
                                      "it must be accepted by this date", res.due, "deadline", key="apply-pathway"))
        self.rule(res, "fee.pathways", quiet=True)

    # ---- credentials and certificate ---------------------------------------------------------

    def _cert_due(self, res: StepResult) -> dt.date | None:
        """The certificate is needed by the start date; for an H-1B, early enough to pass Step 3 first."""
        if self.visa_need == "needs_h1b":
            md = self.cal.get("match_day")
            if md:
                latest, _ = self.turnaround(res, md.date)
                permit = self.value(res, "usmle.step3.permit_business_days") or {}
                sit = md.date - (latest - md.date) if latest else md.date
                return add_business_days(sit, -int(permit.get("max", 0))) if permit else sit
        return self.start

    def _ecfmg_credentials(self, res: StepResult, f: Mapping[str, Any]) -> None:
        self.rule(res, "ecfmg.credentials.diploma_verification")
        issue = self.value(res, "ecfmg.certificate.issue_days", quiet=True)
        cert_due = self._cert_due(res)
        res.due = cert_due - dt.timedelta(days=issue) if cert_due and isinstance(issue, int) else cert_due
        grad = _date(self.ctx.facts("ecfmg.school").get("graduation_date"))
        sub = _date(f.get("diploma_submitted_date"))
        dv, tv = _date(f.get("diploma_verified_date")), _date(f.get("transcript_verified_date"))
        wait = self.value(res, "ecfmg.credentials.school_response_days")
        if dv and tv:
            res.status = DONE
            res.info["completed_on"] = max(dv, tv)
            return
        if f.get("completion_letter") is True:
            self.rule(res, "ecfmg.credentials.completion_letter")
        if sub or dv or tv or f.get("completion_letter") is True:
            res.status = IN_PROGRESS
            if sub and isinstance(wait, int):
                exp = sub + dt.timedelta(days=wait)
                res.info["expected_on"] = exp
                if res.due and exp > res.due:
                    res.status = AT_RISK
                    res.deadline = res.due
                    res.reasons.append(f"Schools may take about {wait} days: verification expected around "
                                       f"{exp.isoformat()}, after {res.due.isoformat()}.")
            missing = [n for n, d in (("diploma", dv), ("final transcript", tv)) if not d]
            res.reasons.append("Waiting for verification of the " + " and ".join(missing) + ".")
            return
        send_by = res.due - dt.timedelta(days=wait) if res.due and isinstance(wait, int) else res.due
        if grad and grad > self.today:
            res.actions.append(Action("Send your final diploma (copy in the original language, with an "
                                      "ECFMG-compliant translation) once you graduate", grad, "todo",
                                      key="send-diploma"))
        else:
            res.actions.append(Action("Send your final diploma and ask your school to send the final transcript",
                                      send_by, "deadline", key="send-diploma"))
        first_possible = max(grad or self.today, self.today)
        if res.due and isinstance(wait, int) and first_possible + dt.timedelta(days=wait) > res.due:
            res.status = AT_RISK
            res.deadline = res.due
            res.reasons.append(f"Counting about {wait} days for the school to answer, verification may not be done "
                               f"by {res.due.isoformat()}.")

    def _ecfmg_certificate(self, res: StepResult, f: Mapping[str, Any]) -> None:
        self.rule(res, "ecfmg.certificate.required_by_start")
        res.due = self._cert_due(res)
        issued = _date(f.get("issued_date"))
        pathway_based = not self.legacy_cs
        perm_m = self.value(res, "ecfmg.certificate.permanent_after_training_months")
        perm_date = add_months(self.start, int(perm_m)) if self.start and isinstance(perm_m, int) else None
        if issued:
            res.status = DONE
            res.info["completed_on"] = issued
            if pathway_based and not f.get("permanently_validated"):
                vt = _date(f.get("valid_through"))
                res.expires = vt
                if perm_date:
                    res.info["permanent_validation_from"] = perm_date
                    txt = ("automatic for ECFMG-sponsored J-1s" if self.visa_need == "needs_j1"
                           else "file a Request for Permanent Validation")
                    res.actions.append(Action(f"Permanent validation after {perm_m} months of ACGME training ({txt})",
                                              perm_date, "reminder", key="permanent-validation"))
                if vt and self.today > vt:
                    res.status = EXPIRED
                    res.reasons.append(f"Your Pathway-based certificate was valid through {vt.isoformat()}.")
                elif vt and perm_date and vt < perm_date:
                    res.status = AT_RISK
                    res.deadline = vt
                    self.rule(res, "ecfmg.certificate.extension_if_expiring")
                    res.reasons.append(f"It expires on {vt.isoformat()}, before you can complete {perm_m} months of "
                                       "training: contact ECFMG for an extension.")
            return
        issue = self.value(res, "ecfmg.certificate.issue_days")
        deps = ("usmle.step1", "usmle.step2ck", "ecfmg.pathway", "ecfmg.oet", "ecfmg.credentials")
        ready = [self.expected_on(d) for d in deps if self.res[d].status != NOT_APPLICABLE]
        if all(self.res[d].status in _FINAL for d in deps):
            res.status = IN_PROGRESS
            res.reasons.append("Every requirement is met: ECFMG issues the certificate.")
        if all(ready) and isinstance(issue, int):
            exp = max(ready) + dt.timedelta(days=issue)  # type: ignore[type-var]
            res.info["expected_on"] = exp
            if res.due and exp > res.due:
                res.status = AT_RISK
                res.deadline = res.due
                res.reasons.append(f"Expected around {exp.isoformat()}, after {res.due.isoformat()}.")

    # ---- the Match --------------------------------------------------------------------------

    def _match_eras(self, res: StepResult, f: Mapping[str, Any]) -> None:
        self.rule(res, "eras.token")
        res.due = self.cal_date(res, "eras_submissions_open")
        opens = self.cal_date(res, "eras_opens")
        submitted = _date(f.get("submitted_date"))
        need = self.value(res, "eras.documents") or []
        have = {d.get("kind") for d in _list(f.get("documents")) if _date(d.get("uploaded_date"))}
        missing = [k for k in need if k not in have]
        labels = dict(ERAS_DOCUMENTS)
        res.info["documents_missing"] = missing
        ck = self.res.get("usmle.step2ck")
        exp = ck.info.get("expected_on") if ck else None
        if ck and ck.status != DONE and res.due and exp and exp > res.due:
            _add(res.warnings, f"Your Step 2 CK result is expected around {exp.isoformat()}, after ERAS takes "
                 f"submissions ({res.due.isoformat()}).")
        if submitted:
            res.status = DONE
            res.info["completed_on"] = submitted
            if missing:
                _add(res.warnings, "Submitted, but no upload date for: "
                     + ", ".join(labels.get(k, k) for k in missing) + ".")
            return
        if f.get("token_date") or have:
            res.status = IN_PROGRESS
        else:
            res.actions.append(Action("Get your ERAS token from ECFMG (MyIntealth)", opens, "todo", key="get-token"))
            res.use(_rule(self.ctx, "fee.eras.token"))
        for k in missing:
            res.actions.append(Action(f"Upload: {labels.get(k, k)}", res.due, "todo", key=f"upload-{k}"))
        res.actions.append(Action("Submit your ERAS application on the first submission day", res.due, "deadline",
                                  key="submit-eras"))
        if res.due and self.today > res.due:
            res.status = AT_RISK
            res.deadline = res.due
            res.reasons.append(f"ERAS has taken submissions since {res.due.isoformat()}: programs are already reviewing.")

    def _match_nrmp(self, res: StepResult, f: Mapping[str, Any]) -> None:
        opens = self.cal_date(res, "nrmp_registration_opens")
        rol = self.cal_date(res, "rol_deadline")
        res.due = rol
        if _date(f.get("registered_date")):
            res.status = DONE
            res.info["completed_on"] = _date(f.get("registered_date"))
            return
        self.rule(res, "match.rol_certifies_ecfmg")
        if rol and self.today > rol:
            res.status = BLOCKED
            res.reasons.append(f"Registration for the {self.M} Match closed with the rank list deadline "
                               f"({rol.isoformat()}).")
            res.blocked_by.append(Blocker(None, res.reasons[-1]))
            return
        self.rule(res, "nrmp.early_registration_deadline")
        res.actions.append(Action("Register with NRMP (same name as in ERAS); register before the early deadline "
                                  "to avoid the late fee: check NRMP for this year's date", opens, "todo",
                                  key="register-nrmp"))

    def _match_rol(self, res: StepResult, f: Mapping[str, Any]) -> None:
        rol = self.cal_date(res, "rol_deadline")
        res.due = rol
        reqs = self.value(res, "ecfmg.rol_verification") or []
        certified = _date(f.get("certified_date"))
        late, unknown, done_by = [], [], []
        for sid in reqs:
            r = self.res.get(sid)
            if r is None or r.status == NOT_APPLICABLE:
                continue
            c = r.info.get("completed_on") if r.status == DONE else None
            e = c or r.info.get("expected_on")
            if c and (rol is None or c <= rol):
                done_by.append(sid)
            elif e and rol and e > rol:
                late.append((sid, e))
            elif r.status == AT_RISK and rol and r.deadline == rol:
                late.append((sid, None))  # e.g. not even booked, and a test today would be too late
            elif r.status != DONE:
                unknown.append(sid)
        if rol and self.today > rol:
            if not certified:
                res.status = BLOCKED
                res.reasons.append(f"The rank order list deadline ({rol.isoformat()}) passed without a certified list.")
            elif late or unknown:
                res.status = BLOCKED
                names = ", ".join(_DEF[s].title for s in [s for s, _ in late] + unknown)
                res.reasons.append(f"ECFMG could not verify {names} by {rol.isoformat()}: you are withdrawn from "
                                   "the Match and SOAP.")
            else:
                res.status = DONE
                res.info["completed_on"] = certified
            if res.status == BLOCKED:
                res.blocked_by.append(Blocker(None, res.reasons[-1]))
            return
        if late:
            res.status = AT_RISK
            res.deadline = rol
            for sid, e in late:
                res.reasons.append(f"{_DEF[sid].title} is expected around {e.isoformat()}, after the deadline."
                                   if e else f"{_DEF[sid].title} cannot be verified by the deadline on the "
                                   "current plan.")
        if certified:
            if res.status != AT_RISK:
                res.status = IN_PROGRESS if unknown else DONE
            res.info["completed_on"] = certified if res.status == DONE else None
            if unknown:
                res.reasons.append("List certified; ECFMG still has to verify: "
                                   + ", ".join(_DEF[s].title for s in unknown) + ".")
            return
        res.actions.append(Action("Certify your rank order list (9 p.m. ET)", rol, "deadline", key="certify-rol"))

    def _match_result(self, res: StepResult, f: Mapping[str, Any]) -> None:
        md = self.cal_date(res, "match_day")
        res.due = md
        self.rule(res, "residency.start")
        outcome = f.get("outcome") or "pending"
        if outcome in ("matched", "soap"):
            res.status = DONE
            res.info["completed_on"] = md or self.today
            res.info["start_date"] = self.start
            if self.start:
                res.actions.append(Action("Start residency", self.start, "deadline", key="start-residency"))
            return
        if outcome == "unmatched":
            res.status = BLOCKED
            res.reasons.append(f"Not matched in {self.M or 'this'} Match: look at SOAP openings or plan the next Match.")
            res.blocked_by.append(Blocker(None, res.reasons[-1]))
            return
        if md and self.today >= md:
            res.status = IN_PROGRESS
            res.actions.append(Action("Record your Match result", self.today, key="record-result"))

    # ---- residency, Step 3, licence, visa -------------------------------------------------------

    def _residency_training(self, res: StepResult, f: Mapping[str, Any]) -> None:
        self.rule(res, "residency.start")
        years = self.program_years(res)
        if years is None:
            _add(res.warnings, "Enter your program length: no typical length is recorded for this specialty.")
        start = self.start
        res.due = add_years_same_day(start, years) if start and years else None
        done = _date(f.get("completed_date"))
        if done:
            res.status = DONE
            res.info["completed_on"] = done
            return
        if start and self.today >= start and self.res["match.result"].status == DONE:
            res.status = IN_PROGRESS
            res.info["pgy"] = (self.today - start).days // 365 + 1
        elif start:
            res.actions.append(Action("Residency starts", start, "reminder", key="residency-starts"))

    def _step3_due(self, res: StepResult) -> tuple[dt.date | None, dt.date | None, str]:
        """(due, hard deadline, what the deadline is).

        The due date is the recommended time (end of PGY-1; for an H-1B, Match Day) while it is
        ahead, else the hard deadline (the H-1B petition before the start; a state rule such as
        Pennsylvania's "before PGY-3"; the state's exam time limit), whichever comes first."""
        start = self.start
        cands: list[tuple[dt.date, str]] = []
        if self.visa_need == "needs_h1b":
            md = self.cal_date(res, "match_day")
            self.rule(res, "visa.h1b.requires_all_steps")
            if md and self.today <= md:
                res.actions.append(Action("Pass Step 3 before the H-1B petition; some programs want it by Match Day",
                                          md, "deadline", key="pass-before-h1b"))
            due = md
            if start:
                cands.append((start, "the start of residency (H-1B petition)"))
        else:
            pgy = self.value(res, "usmle.step3.recommended_pgy")
            due = add_years_same_day(start, int(pgy)) if start and isinstance(pgy, int) else None
        state_cands: list[tuple[dt.date, str]] = []
        code, st = self.state_record(res, quiet=True)
        before = _int(st.get("step3_before_pgy"))
        if before and start:
            state_cands.append((add_years_same_day(start, before - 1),
                                f"{st.get('name', code)}: Step 3 before PGY-{before}"))
        lim = _int(st.get("exam_time_limit_years"))
        first = self.first_pass(("usmle.step1", "usmle.step2ck"))
        if lim and first:
            state_cands.append((add_years_same_day(first, lim), f"{st.get('name', code)}: all Steps within {lim} "
                                "years of the first pass"))
        if state_cands and self.attempts["usmle.step3"] and any(a.result == "pass" for a in self.attempts["usmle.step3"]):
            state_cands = []
        if state_cands:
            d, what = min(state_cands)
            years = self.program_years(StepResult("_"))
            ends = add_years_same_day(start, years) if start and years else None
            if ends is None or d <= ends:  # a far-off limit (e.g. 10 years) is kept in the rule list only
                res.actions.append(Action(f"Pass Step 3 by this date ({what})", d, "deadline", key="state-deadline"))
        cands += state_cands
        hard = min(cands, default=None)
        if due is None or due < self.today or (hard and hard[0] < due):
            due = hard[0] if hard else due
        return due, (hard[0] if hard else None), (hard[1] if hard else "")

    def _usmle_step3(self, res: StepResult, f: Mapping[str, Any]) -> None:
        self.rule(res, "usmle.step3.eligibility")
        res.due, hard, what = self._step3_due(res)
        self._exam("usmle.step3", res, f, hard, what)
        cond = self.value(res, "usmle.step3.test_conditions") or {}
        sched = _date(f.get("scheduled_date"))
        issued = _date(self.ctx.facts("ecfmg.certificate").get("issued_date"))
        if sched and res.status != DONE:
            days = _int(cond.get("closed_first_days_of_january"))
            if days and sched.month == 1 and sched.day <= days:
                _add(res.warnings, f"Step 3 is not offered in the first {days} days of January.")
            if issued is None or sched < issued:
                _add(res.warnings, "Step 3 is scheduled before your ECFMG certificate is issued: FSMB only opens "
                     "the application after ECFMG confirms certification.")
        if res.status not in _FINAL and res.status != BLOCKED:
            permit = self.value(res, "usmle.step3.permit_business_days") or {}
            if issued and permit:
                res.actions.append(Action("Apply to FSMB for Step 3 (permit takes about "
                                          f"{permit.get('min')}-{permit.get('max')} business days; US test centres only)",
                                          issued, "todo", key="apply-fsmb"))
        code, st = self.state_record(res, quiet=True)
        s3lim = _int(st.get("step3_attempt_limit")) or _int(st.get("step_attempt_limit"))
        fails = [a for a in self.attempts["usmle.step3"] if a.failed]
        if s3lim and fails and res.status != DONE:
            res.reasons.append(f"{st.get('name', code)} allows at most {s3lim} Step 3 attempts for a licence "
                               f"({len(fails)} used).")

    def _license_state(self, res: StepResult, f: Mapping[str, Any]) -> None:
        self.rule(res, "license.requirements")
        on = _date(f.get("applied_date")) or self.today
        code, st = self.state_record(res, on)
        if code is None:
            res.actions.append(Action("Choose the state where you want your licence", None, "todo", key="choose-state"))
        elif not st:
            _add(res.warnings, f"No licensure record for {code}: verify with the state board.")
        months = _int(st.get("pgt_months_img"))
        if st and months is None:
            _add(res.warnings, f"The training years {st.get('name', code)} asks of IMGs are not published in our "
                 "sources: verify with the board.")
        start = self.start
        res.due = add_months(start, months) if start and months else None
        if st:
            res.info["state"] = code
            if st.get("alternative_route"):
                res.info["alternative_route"] = st["alternative_route"]
            if st.get("notes"):
                res.info["state_notes"] = st["notes"]
            if st.get("step3_notes"):
                res.info["step3_notes"] = st["step3_notes"]
            self.rule(res, "license.pgt_minimum_years")
        years = self.program_years(StepResult("_"))
        if months and years and years * 12 < months:
            _add(res.warnings, f"{st.get('name', code)} asks IMGs for {months} months of training; your program lasts "
                 f"{years * 12} months: plan further accredited training.")
        tl_days = _int(st.get("training_license_days"))
        if tl_days and start and not _date(f.get("training_license_date")):
            res.actions.append(Action(f"Get the {st.get('name', code)} training licence within {tl_days} days of starting",
                                      start + dt.timedelta(days=tl_days), "deadline", key="training-licence"))
        # The state's attempt limit: per Step (e.g. Alaska 2, Texas 3) or on Step 3 only (e.g. Alabama 3).
        per_step = _int(st.get("step_attempt_limit"))
        s3only = _int(st.get("step3_attempt_limit"))
        over: list[str] = []
        for sid in EXAMS:
            lim = s3only if sid == "usmle.step3" and s3only else per_step
            if not lim:
                continue
            att = self.attempts[sid]
            passed_at = next((i + 1 for i, a in enumerate(att) if a.result == "pass"), None)
            fails_before = sum(1 for a in att[: (passed_at or len(att) + 1) - 1] if a.failed)
            if (passed_at and passed_at > lim) or (passed_at is None and fails_before >= lim):
                over.append(f"{_DEF[sid].title}: " + (f"passed on attempt {passed_at}" if passed_at else
                            f"{fails_before} unsuccessful attempts") + f", the limit is {lim}")
        if _date(f.get("issued_date")):
            res.status = DONE
            res.info["completed_on"] = _date(f.get("issued_date"))
            return
        if over:
            res.status = BLOCKED
            res.reasons.append(f"{st.get('name', code)}'s attempt limit for a licence is reached ("
                               + "; ".join(over) + "): verify with the board, or look at another state.")
            first = next(sid for sid in EXAMS if any(o.startswith(_DEF[sid].title) for o in over))
            res.blocked_by.append(Blocker(first, res.reasons[-1]))
            return
        prep = self.value(res, "license.prepare_months") or {}
        if res.due and prep.get("months_ahead"):
            res.actions.append(Action("Start FCVS / board paperwork", add_months(res.due, -int(prep["months_ahead"])),
                                      "todo", key="start-fcvs"))
        if _date(f.get("applied_date")) or _date(f.get("fcvs_started_date")):
            res.status = IN_PROGRESS
        lim = _int(st.get("exam_time_limit_years"))
        first = self.first_pass(("usmle.step1", "usmle.step2ck"))
        s3 = self.expected_on("usmle.step3")
        if lim and first and s3 and s3 > add_years_same_day(first, lim):
            res.status = AT_RISK
            res.deadline = add_years_same_day(first, lim)
            res.reasons.append(f"Step 3 is expected after {res.deadline.isoformat()}, the end of {st.get('name', code)}'s "
                               f"{lim}-year exam window.")
        if res.due:
            res.actions.append(Action("Apply for the full licence once the training months are done", res.due,
                                      "deadline", key="apply-licence"))

    def _visa(self, res: StepResult, f: Mapping[str, Any]) -> None:
        need = self.visa_need
        if need in ("us_citizen", "permanent_resident"):
            res.status = NOT_APPLICABLE
            res.reasons.append("US citizens and permanent residents need no visa for residency.")
            return
        res.due = self.start
        if _date(f.get("visa_issued")):
            res.status = DONE
            res.info["completed_on"] = _date(f.get("visa_issued"))
        if need == "needs_j1":
            self._visa_j1(res, f)
        elif need == "needs_h1b":
            self._visa_h1b(res, f)
        else:
            res.actions.append(Action("Decide your visa route with your program: J-1 (ECFMG) or H-1B", None, "check",
                                      key="decide-route"))

    def _visa_j1(self, res: StepResult, f: Mapping[str, Any]) -> None:
        self.rule(res, "visa.j1.ecfmg_sole_sponsor")
        self.rule(res, "visa.j1.requirements")
        home = self.value(res, "visa.j1.two_year_home_rule")
        if home:
            res.info["two_year_home_rule"] = home
            _add(res.warnings, f"A J-1 through ECFMG carries the {home}-year home-country rule (INA 212(e)) "
                 "unless waived (e.g. Conrad 30).")
        md = self.cal_date(res, "match_day")
        req = _date(f.get("statement_of_need_requested"))
        months = self.value(res, "visa.j1.ds2019_earliest_months")
        earliest = add_months(self.start, -int(months)) if self.start and isinstance(months, int) else None
        ds = _date(f.get("ds2019_issued"))
        if ds and earliest and ds < earliest:
            _add(res.warnings, f"DS-2019 recorded on {ds.isoformat()}, earlier than ECFMG can issue it "
                 f"({earliest.isoformat()}, {months} months before the start): check the dates.")
        if res.status == DONE:
            return
        if self.rule(res, "visa.j1.statement_of_need_before_match") and not req:
            res.actions.append(Action("Request the Statement of Need from the Ministry of Health of your country of "
                                      "last legal permanent residence (before the Match)", md, "deadline",
                                      key="statement-of-need"))
            if md and self.today > md:
                res.status = AT_RISK
                res.deadline = self.start
                res.reasons.append("The Statement of Need was not requested before the Match; it can take an "
                                   "unpredictable time.")
        elif req or ds:
            res.status = IN_PROGRESS
        if not ds and earliest:
            res.actions.append(Action("DS-2019 can be issued from this date (your program's TPL starts the "
                                      "application)", earliest, "reminder", key="ds2019-window"))
        if self.start and res.status != AT_RISK and self.today > self.start:
            res.status = AT_RISK
            res.deadline = self.start

    def _visa_h1b(self, res: StepResult, f: Mapping[str, Any]) -> None:
        self.rule(res, "visa.h1b.requires_all_steps")
        self.rule(res, "visa.h1b.cap")
        on = _date(f.get("h1b_petition_filed")) or self.today
        fee = _rule(self.ctx, "fee.h1b.proclamation_payment", on)
        if fee is not None:
            self.rule(res, fee.id, on)
            if f.get("beneficiary_outside_us") is not False:
                _add(res.warnings, f"A new H-1B petition for someone outside the US on {on.isoformat()} may need the "
                     f"US${fee.value.get('amount')} payment (exemptions case by case).")
        elif "fee.h1b.proclamation_payment" in self.ctx.rules:
            recs = self.ctx.rules.records("fee.h1b.proclamation_payment")
            end = recs[-1].valid_until
            res.use(recs[-1])
            _add(res.warnings, f"The H-1B US$100,000 payment rule ran to {_fmt(end)}; whether it was extended is not "
                 "verified: check USCIS before filing.")
        code, _st = self.state_record(StepResult("_"))
        tx = _rule(self.ctx, "visa.h1b.texas_freeze", self.today)
        prog_state = self.ctx.facts("match.result").get("program_state") or code
        if tx is not None and prog_state == tx.value:
            self.rule(res, tx.id, self.today)
            _add(res.warnings, tx.statement)
        s3 = self.res["usmle.step3"]
        if res.status == DONE:
            return
        if not _date(f.get("h1b_petition_filed")):
            md = self.cal_date(res, "match_day")
            res.actions.append(Action("After the Match, your program files the H-1B petition (cap-exempt teaching "
                                      "hospitals can file at any time); Step 3 must be passed first", md, "todo",
                                      key="h1b-petition"))
        if s3.status != DONE:
            res.blocked_by.append(Blocker("usmle.step3", "An H-1B for residency needs Step 3 passed before the petition."))
        if _date(f.get("h1b_approved")):
            res.status = DONE
            res.info["completed_on"] = _date(f.get("h1b_approved"))
        elif _date(f.get("h1b_petition_filed")):
            res.status = IN_PROGRESS
        if s3.status == BLOCKED and res.status != DONE:
            res.status = BLOCKED
            res.reasons.append("Step 3 is blocked, and an H-1B needs it.")
        elif s3.status != DONE and self.start:
            e = s3.info.get("expected_on")
            if (e and e > self.start) or self.today > (s3.due or self.start):
                res.status = AT_RISK
                res.deadline = self.start
                res.reasons.append("Step 3 may not be passed in time for the H-1B petition before the start date.")


def _add(lst: list[str], text: str) -> None:
    if text not in lst:
        lst.append(text)


# --------------------------------------------------------------------------------------------
# Module interface (core/engine/__init__.py)

def evaluate_track(track: str, ctx: Context) -> TrackResult:
    if track != TRACK:
        raise KeyError(f"unknown track {track!r}")
    return _Eval(ctx).run()


def _walk_dates(data: Any, path: str):
    """Every (path, date) in a step's facts, records included."""
    if isinstance(data, Mapping):
        for k, v in data.items():
            yield from _walk_dates(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk_dates(v, f"{path}[{i}]")
    else:
        d = _date(data) if isinstance(data, str | dt.date) else None
        if d is not None:
            yield path, d


def check_step(step_id: str, data: Mapping[str, Any], ctx: Context) -> list[Problem]:
    """Cross-field checks on one step's facts (field types are checked before this)."""
    out: list[Problem] = []
    tf = data if step_id == TRACK else ctx.facts(TRACK)
    birth = _date(tf.get("birth_date"))
    today = ctx.today
    if birth:
        for path, d in _walk_dates(data, ""):
            if path != "birth_date" and d < birth:
                out.append(Problem(path, f"{d.isoformat()} is before your date of birth ({birth.isoformat()})"))
    if step_id == TRACK:
        if birth and birth > today:
            out.append(Problem("birth_date", "is in the future"))
        my = _int(data.get("match_year"))
        if birth and my and my < birth.year + 16:
            out.append(Problem("match_year", f"{my} is too soon after your birth year ({birth.year})"))
        return out

    def order(a: str, b: str, msg: str, src: Mapping[str, Any] = data, prefix: str = "") -> None:
        da, db = _date(src.get(a)), _date(src.get(b))
        if da and db and db < da:
            out.append(Problem(prefix + b, msg.format(a=da.isoformat(), b=db.isoformat())))

    if step_id in EXAMS:
        for i, a in enumerate(_list(data.get("attempts"))):
            order("date", "result_date", "the result ({b}) is before the test date ({a})", a, f"attempts[{i}].")
            d = _date(a.get("date"))
            if d and d > today and a.get("result"):
                out.append(Problem(f"attempts[{i}].date", f"{d.isoformat()} is in the future but has a result"))
        ws, sd = _date(data.get("window_start")), _date(data.get("scheduled_date"))
        months = ctx.value("usmle.eligibility_window_months", ws) if "usmle.eligibility_window_months" in ctx.rules else None
        if ws and sd and isinstance(months, int):
            we = add_months(ws, months) - dt.timedelta(days=1)
            if not (ws <= sd <= we):
                out.append(Problem("scheduled_date", f"{sd.isoformat()} is outside your {months}-month eligibility "
                                   f"window ({ws.isoformat()} to {we.isoformat()})"))
    elif step_id == "ecfmg.oet":
        for i, s in enumerate(_list(data.get("sittings"))):
            order("date", "result_date", "the result ({b}) is before the test date ({a})", s, f"sittings[{i}].")
            d = _date(s.get("date"))
            if d and d > today and any(s.get(k) is not None for k in ("listening", "reading", "speaking", "writing")):
                out.append(Problem(f"sittings[{i}].date", f"{d.isoformat()} is in the future but has scores"))
    elif step_id == "ecfmg.school":
        lo, hi = _int(data.get("sponsor_note_from_year")), _int(data.get("sponsor_note_to_year"))
        if lo and hi and hi < lo:
            out.append(Problem("sponsor_note_to_year", f"{hi} is before the first covered year ({lo})"))
        grad = _date(data.get("graduation_date"))
        if grad and ((lo and grad.year < lo) or (hi and grad.year > hi)):
            out.append(Problem("graduation_date", f"graduation year {grad.year} is outside the years the ECFMG "
                               f"sponsor note covers ({lo or '…'}–{hi or 'present'})"))
    elif step_id == "ecfmg.application":
        order("submitted_date", "accepted_date", "accepted ({b}) before it was submitted ({a})")
    elif step_id == "ecfmg.pathway":
        order("applied_date", "accepted_date", "accepted ({b}) before you applied ({a})")
    elif step_id == "ecfmg.credentials":
        grad = _date(ctx.facts("ecfmg.school").get("graduation_date"))
        for k in ("diploma_verified_date", "transcript_verified_date"):
            d = _date(data.get(k))
            if grad and d and d < grad:
                out.append(Problem(k, f"{d.isoformat()} is before your graduation ({grad.isoformat()}): ECFMG "
                                   "verifies final credentials only after graduation"))
        order("diploma_submitted_date", "diploma_verified_date", "verified ({b}) before it was submitted ({a})")
    elif step_id == "ecfmg.certificate":
        order("issued_date", "valid_through", "valid through {b}, before it was issued ({a})")
        grad = _date(ctx.facts("ecfmg.school").get("graduation_date"))
        d = _date(data.get("issued_date"))
        if grad and d and d < grad:
            out.append(Problem("issued_date", f"{d.isoformat()} is before your graduation ({grad.isoformat()})"))
    elif step_id == "match.result":
        my, sd = _int(tf.get("match_year")), _date(data.get("start_date"))
        if my and sd and 1950 <= my <= 2200:
            md = match_calendar.calendar(my, lambda rid: _rule(ctx, rid, dt.date(my, 1, 1))).get("match_day")
            if md and sd < md.date:
                out.append(Problem("start_date", f"{sd.isoformat()} is before Match Day ({md.date.isoformat()})"))
    elif step_id == "residency.training":
        order("start_date", "completed_date", "completed ({b}) before it started ({a})")
    elif step_id == "license.state":
        order("applied_date", "issued_date", "issued ({b}) before you applied ({a})")
    elif step_id == "visa":
        order("statement_of_need_requested", "statement_of_need_received", "received ({b}) before it was requested ({a})")
        order("h1b_petition_filed", "h1b_approved", "approved ({b}) before it was filed ({a})")
    return out
