"""The `img` track's vocabularies (choices), field specs and step definitions, in journey order.

Values of the choices are part of the profile format (docs/profile-format.md).
"""

from __future__ import annotations

from typing import Any

from ..base import DONE, NOT_APPLICABLE, FieldSpec, StepDef
from .countries import COUNTRIES

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

_YEAR: dict[str, Any] = dict(minimum=1950, maximum=2100)

# --- issue 13: licensure routes (the licence step's route and the facts the residency-free route asks)
LICENCE_ROUTES = (
    ("standard", "Standard route (US residency, then the full licence)"),
    ("alternative", "The state's residency-free route for physicians trained abroad"),
)
IMMIGRATION_STATUSES = (
    ("authorised_to_work", "Authorised to work in the US (citizen, permanent resident or a work visa)"),
    ("lawful_presence", "Lawfully present in the US, not yet authorised to work"),
    ("applied", "Applied to live or work in the US"),
    ("none", "None of these yet"),
)
EMPLOYER_KINDS = (
    ("hospital", "Hospital"), ("health_system", "Health system"),
    ("academic_health_system", "Academic health system"),
    ("provider_with_accredited_gme", "Provider with accredited residency programs"),
    ("multispecialty_practice_with_gme", "Multispecialty practice with residency programs"),
    ("hospital_based_facility", "Hospital-based facility"),
    ("freestanding_emergency_facility", "Freestanding emergency facility"),
    ("urgent_care", "Urgent care centre"), ("group_practice", "Group practice"),
    ("fqhc", "Federally qualified health center"), ("community_health_center", "Community health center"),
    ("ambulatory_surgical_center", "Ambulatory surgical center"), ("rural_practice", "Rural practice"),
    ("underserved_area_facility", "Facility in an underserved area"),
    ("underserved_area_provider", "Provider in an underserved area"),
    ("health_care_facility", "Other health care facility"), ("health_care_provider", "Other health care provider"),
    ("participating_health_care_entity", "Health care entity taking part in the state's program"),
    ("sponsoring_entity", "Sponsoring entity with a board-certified supervisor"),
)
LICENCE_ROUTE_FIELDS = (
    FieldSpec("route", "Route to the licence", "choice", choices=LICENCE_ROUTES, default="standard",
              help="The residency-free route exists only in states with such a law (see the comparison)."),
    FieldSpec("school_on_board_list", "My school is on the state board's list", "bool",
              help="Florida and Georgia: the training months depend on it."),
    FieldSpec("licensed_abroad", "I hold (or held) a licence to practise abroad, in good standing", "bool"),
    FieldSpec("years_practice_abroad", "Years of practice abroad", "int", minimum=0, maximum=70),
    FieldSpec("last_practice_date", "Last day of practice abroad", "date",
              help="Leave empty if you practise now."),
    FieldSpec("foreign_residency_completed", "I completed a residency (postgraduate training) abroad", "bool"),
    FieldSpec("jurisprudence_exam_passed", "I passed the state's jurisprudence exam", "bool"),
    FieldSpec("job_offer", "I have a job offer from an employer in the state", "bool"),
    FieldSpec("job_offer_kind", "Kind of employer", "choice", choices=EMPLOYER_KINDS),
    FieldSpec("immigration_status", "Immigration status", "choice", choices=IMMIGRATION_STATUSES),
    FieldSpec("provisional_issued_date", "Provisional (or limited) licence issued on", "date"),
    FieldSpec("intermediate_issued_date", "Transitional licence issued on", "date",
              help="Where the route has a licence between the provisional and the full one (Nebraska)."),
    FieldSpec("renewal_due_date", "Licence expires on (as printed on it)", "date",
              help="Where the board staggers renewal dates, the date on your licence."),
)

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
        FieldSpec("citizenship", "Country of citizenship", "choice", choices=COUNTRIES,
                  help="US entry restrictions by nationality (J visas included) are checked on the visa "
                       "step."),
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
            FieldSpec("canadian_school", "The school is in Canada", "bool",
                      help="Canadian graduates from 2026 on need ECFMG certification (the LCME change)."),
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
         "ecfmg.school.min_credit_years", "ecfmg.school.excluded_degrees", "ecfmg.school.wfme_not_required",
         "ecfmg.canada.graduates_need_certification"),
        gate=True,  # a school that does not qualify blocks every later step, even one marked done
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
        # the standard route's; a residency-free route waits for what its law asks instead
        # (licensure.route_dependencies, set on the evaluated step)
        ("usmle.step3", "ecfmg.certificate"),
        (
            FieldSpec("state", "State", "choice", choices=STATES, help="Defaults to your target state."),
            FieldSpec("training_license_date", "Training licence issued on", "date"),
            FieldSpec("fcvs_started_date", "FCVS / board paperwork started on", "date"),
            FieldSpec("applied_date", "Applied on", "date"),
            FieldSpec("issued_date", "Full licence issued on", "date"),
            *LICENCE_ROUTE_FIELDS,
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
            FieldSpec("ds2019_requested", "J-1 sponsorship application (for the DS-2019) complete on", "date",
                      help="The day ECFMG had every document, the Statement of Need included."),
            FieldSpec("ds2019_issued", "DS-2019 issued on", "date"),
            FieldSpec("h1b_petition_filed", "H-1B petition filed on", "date"),
            FieldSpec("h1b_approved", "H-1B approved on", "date"),
            FieldSpec("beneficiary_outside_us", "I will be outside the US when the H-1B is filed", "bool"),
            FieldSpec("visa_issued", "Visa issued (or status approved) on", "date"),
        ),
        ("visa.j1.ecfmg_sole_sponsor", "visa.j1.requirements", "visa.j1.statement_of_need_before_match",
         "visa.j1.ds2019_earliest_months", "visa.j1.ds2019_processing_weeks", "visa.j1.two_year_home_rule", "visa.j1.max_years",
         "visa.h1b.requires_all_steps", "visa.h1b.cap", "visa.h1b.wage_weighted_lottery",
         "fee.h1b.proclamation_payment", "visa.entry_restrictions.nationality",
         "visa.entry_restrictions.nrmp_waiver", "visa.conrad30", "visa.conrad30.process"),
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


