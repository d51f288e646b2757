"""The one wording catalogue: every finding the engine emits, in words.

`text(finding)` looks up the finding's code in `CATALOGUE`, passes the template through `_()`
(gettext-style: install a translation with `install()`), and fills its named params with
str.format. Nothing here builds a sentence by concatenation. Format specs the templates use:

  {d}          a date: ISO in the command line and exports, the GUI's format once it `install`s one
  {x:pct}      a percentage ("70%", "84.5%")
  {s:title}    a step id, shown as the step's title ("USMLE Step 1")
  {s:name}     a step id, shown as its display name ("PALS: Card issued")
  {c:upper}    a card id in capitals ("PALS")
  {xs:list}    a list, joined with ", "; {xs:and} with " and "; {xs:semi} with "; "
  {ss:titles}  a list of step ids, as their titles joined with ", "
  {f}          a nested finding, in words

A template may also be a mapping {"one": ..., "other": ...}: the form is chosen by the `count`
param (ngettext-style). tests/test_wording.py checks every code the engine can emit is here and
every template's params are supplied.
"""

from __future__ import annotations

import datetime as dt
import gettext
import string
from collections.abc import Callable, Mapping
from typing import Any

from .datefmt import date_formatter, date_text, dates_in, iso_date, iso_dates, set_date_formatter
from .engine.findings import Finding

_translations: gettext.NullTranslations = gettext.NullTranslations()


def N_(s: str) -> str:  # noqa: N802  (marks a string for extraction; translated when rendered)
    return s


def _(s: str) -> str:
    return _translations.gettext(s)


__all__ = ["CATALOGUE", "N_", "date_formatter", "date_text", "dates_in", "far_span", "install", "iso_date",
           "iso_dates", "plural", "quantity", "register", "register_format", "relative_words", "set_date_formatter",
           "template", "text", "texts"]


def install(translations: gettext.NullTranslations | None = None,
            date_format: Callable[[dt.date], str] | None = None) -> None:
    """Install a translation and/or the date format findings are shown with (the GUI's, once,
    at start-up). The command line and the exports keep ISO dates (`text(f, iso=True)`, or
    anything run under `iso_dates()`)."""
    global _translations
    if translations is not None:
        _translations = translations
    if date_format is not None:
        set_date_formatter(date_format)


def _pct(x: Any) -> str:
    x = float(x)
    return f"{int(x)}%" if x.is_integer() else f"{x}%"


class _Formatter(string.Formatter):
    def __init__(self, iso: bool) -> None:
        self.iso = iso

    def format_field(self, value: Any, format_spec: str) -> str:
        from .engine import step_name, step_title

        if format_spec in _SPECS:  # a module's own spec (register_format)
            return _SPECS[format_spec](value)
        if format_spec == "pct":
            return _pct(value)
        if format_spec == "title":
            return step_title(value)
        if format_spec == "name":
            return step_name(value)
        if format_spec == "upper":
            return str(value).upper()
        if format_spec in ("list", "and", "semi"):
            sep = {"list": ", ", "and": _(" and "), "semi": "; "}[format_spec]
            return sep.join(self.format_field(v, "") for v in value)
        if format_spec == "titles":
            return ", ".join(step_title(v) for v in value)
        if isinstance(value, Finding):
            return text(value, iso=self.iso)
        if isinstance(value, dt.date) and not format_spec:
            return date_text(value, self.iso)
        if value is None and not format_spec:
            return "?"
        return super().format_field(value, format_spec)


_EXTRA: dict[str, str | dict[str, str]] = {}
_SPECS: dict[str, Callable[[Any], str]] = {}


def register_format(name: str, fn: Callable[[Any], str]) -> None:
    """Add a format spec a module's own entries use ({need:visa} in core/programs.py)."""
    _SPECS[name] = fn


def register(entries: Mapping[str, str | dict[str, str]]) -> None:
    """Add the wording of a track registered at run time (core/engine/registry.py): the built-in
    tracks' wording lives in CATALOGUE below; a new track brings its own entries."""
    _EXTRA.update(entries)


def template(code: str, params: Mapping[str, Any] | None = None) -> str:
    entry = CATALOGUE[code] if code in CATALOGUE else _EXTRA[code]
    if isinstance(entry, Mapping):
        n = (params or {}).get("count", 1)
        return entry["one"] if n == 1 else entry["other"]
    return entry


def _translated(code: str, params: Mapping[str, Any]) -> str:
    """The entry's template through the installed translation: a plural entry through ngettext,
    so a language with other plural forms than "one"/"other" chooses its own."""
    entry = CATALOGUE[code] if code in CATALOGUE else _EXTRA[code]
    if isinstance(entry, Mapping):
        n = params.get("count", 1)
        if isinstance(n, float) and n.is_integer():
            n = int(n)
        if isinstance(n, bool) or not isinstance(n, int):  # 1.5 years: the "other" form
            return _(entry["other"])
        return _translations.ngettext(entry["one"], entry["other"], n)
    return _(entry)


def text(finding: Finding, iso: bool = False) -> str:
    """The finding in words. An unknown code says so (and a test keeps that from happening)."""
    try:
        tpl = _translated(finding.code, finding.params)
    except KeyError:
        return f"[{finding.code}]"
    return _Formatter(iso).vformat(tpl, (), dict(finding.params))


def texts(findings, iso: bool = False) -> list[str]:
    return [text(f, iso) for f in findings]


# code -> template. Grouped by area and subject; see core/engine/findings.py for the naming scheme.
CATALOGUE: dict[str, str | dict[str, str]] = {
    # --- dep.blocked_by
    "dep.blocked_by": N_("Blocked by {step:title}: {why}"),
    # --- dep.due_after
    "dep.due_after": N_(
        "{step:title} is due on {due}, after this step's due date ({own_due}), although this step needs it "
        "first."
    ),
    # --- dep.it_is_blocked
    "dep.it_is_blocked": N_("it is blocked"),
    # --- dep.not_done
    "dep.not_done": N_("“{step:title}” is not done yet"),
    # --- dep.waits_for
    "dep.waits_for": N_("Waits for {step:title}"),
    # --- dep.waits_for_blocked
    "dep.waits_for_blocked": N_("Waits for {step:title}, which is blocked: {why}"),
    # --- field.unreadable
    "field.unreadable": N_("{key}: {error}"),
    # --- rule.low_confidence
    "rule.low_confidence": N_("Low confidence ({rule}): {statement} Check this before you rely on it."),
    # --- rule.low_confidence_conflict
    "rule.low_confidence_conflict": N_(
        "Low confidence ({rule}): {statement} {conflict} Check this before you rely on it."
    ),
    # --- rule.not_applied
    "rule.not_applied": N_("A rule value could not be applied here (check your overrides: {rules:list}): {error}"),
    # --- rule.not_applied_unknown
    "rule.not_applied_unknown": N_(
        "A rule value could not be applied here (check your overrides: see the rules page): {error}"
    ),
    # --- rule.override_used
    "rule.override_used": N_("Uses your own value for {rule}: {value!r}."),
    # --- rule.override_used_note
    "rule.override_used_note": N_("Uses your own value for {rule}: {value!r} ({note})."),
    # --- rule.sources_differ
    "rule.sources_differ": N_("Sources differ ({rule}): {conflict}"),
    # --- rule.unsure_* (a step's notes about its uncertain rules, shown as one: engine/findings.py)
    "rule.unsure_low": N_("Low confidence ({low:list}): check these rules below before you rely on them."),
    "rule.unsure_differ": N_("Sources differ ({differ:list}): see each rule below."),
    "rule.unsure_mixed": N_(
        "Low confidence ({low:list}); sources differ ({differ:list}): check these rules below before you rely on them."
    ),
    # --- rule.statement
    "rule.statement": N_("{statement}"),
    # --- cards.attend
    "cards.attend.attend_course": N_("Attend the {card:upper} course."),
    "cards.attend.attended": N_("Course attended."),
    "cards.attend.attended_skills_passed": N_("Course attended, skills tests passed."),
    "cards.attend.done_card_held": N_("Your card is issued: course and skills tests done."),
    "cards.attend.blocked_prerequisite": N_("what the course asks first is not met yet: see Before the course"),
    "cards.attend.record_attendance": N_("Record that you attended and the skills tests you passed."),
    "cards.attend.record_skills": N_(
        "Record the skills tests you passed (remediation is your training center's call)."
    ),
    "cards.attend.skills_not_recorded": N_("Skills tests not recorded as passed: {items:list}."),
    "cards.attend.skills_rule_not_found": N_(
        "Skills tests for {body_label} {card:upper}: not found: ask your training center."
    ),
    # --- cards.card
    "cards.card.counted_from_event": N_(
        "The 2 years count from your instructor-led event on {basis}, not from the card's issue date."
    ),
    "cards.card.expiry_rule_not_found": N_(
        "Card issued {issue}. Expiry rule for {body_label}: not found: ask your training center."
    ),
    "cards.card.valid": N_("Card issued {issue}, valid through {expires}."),
    "cards.card.expired": N_("Card valid through {expires}; expired since {expires2}."),
    "cards.card.vendor_certificate": N_(
        "This certificate comes from a vendor's online-only course: it is not an AHA card and many employers "
        "refuse it."
    ),
    "cards.card.claim_ecard": N_(
        "Claim your eCard: open the AHA eCards email, confirm your details, set a security question, answer "
        "the survey."
    ),
    "cards.card.ecard_code_digits": N_("ecard_code: AHA codes are reported to be {digits} digits; check the code."),
    "cards.card.ecard_code_year": N_(
        "ecard_code: the first two digits usually give the issue year; check the code."
    ),
    "cards.card.blocked_exam": N_("the exam is not passed"),
    "cards.card.issue_in_future": N_("issue_date is in the future."),
    "cards.card.ecard_late": N_(
        "No eCard recorded {days} business days after the course (expected by {by}): contact your training "
        "center."
    ),
    "cards.card.record_card": N_("Record the card when your training center issues it."),
    "cards.card.aha_grace_suggestion": N_(
        "Valid through {expires}; AHA suggested employers accept such cards up to {grace} days past renewal "
        "(emergency exception). Not an extension."
    ),
    "cards.card.watch_ecard": N_("Your training center issues the eCard; watch for the AHA eCards email."),
    # --- cards.check (a card step's facts that contradict each other; shown beside the field)
    "cards.check.lapsed_days_needed": N_(
        "enter how many days after expiry your training center still allows the renewal course"
    ),
    "cards.check.unknown_step": N_("is not a known step"),
    "cards.check.unknown_body": N_("unknown issuing body {body!r}"),
    "cards.check.nrp_needs_aap": N_("NRP cards are issued by the AAP: choose AAP (or Other)"),
    "cards.check.aap_only_nrp": N_("the AAP issues NRP, not {card:upper}: choose AHA, Red Cross or Other"),
    "cards.check.aha_only_format": N_("{format_label} is an AHA format: choose body AHA or another format"),
    "cards.check.vendor_not_aha": N_(
        "a vendor's online-only course does not give an AHA card: choose body Other, or the AHA format you took"
    ),
    "cards.check.course_ends_before_start": N_("the course cannot end ({end}) before it starts ({start})"),
    "cards.check.enrolled_after_start": N_("enrolment date is after the course start ({start})"),
    "cards.check.in_future": N_("is in the future"),
    "cards.check.attended_before_course": N_(
        "your course starts on {start}: record attendance and skills tests once it has happened"
    ),
    "cards.check.future_exam_has_result": N_("an exam result cannot be recorded for a future exam date"),
    "cards.check.exam_before_course": N_("the exam date is before the course starts ({start})"),
    "cards.check.issued_before_course": N_("the card cannot be issued before its course ({course})"),
    "cards.check.claimed_before_issued": N_("the eCard cannot be claimed before it is issued ({issue})"),
    "cards.check.claimed_without_issue_date": N_("record the card issue date first"),
    "cards.check.past_card_expires_before_issue": N_("must be after the card's issue date ({issue})"),
    "cards.check.past_card_not_before_current": N_("a past card must be issued before the current card"),
    "cards.check.aap_past_card": N_("the AAP does not issue {card:upper} cards"),
    "cards.check.renewal_not_after_issue": N_("the renewal course must be after the current card's issue date"),
    # --- cards.enroll
    "cards.enroll.body_not_in_sources": N_(
        "body: {body_label} is not a body our sources name for {card:upper} ({ok:list}): check your employer "
        "accepts it."
    ),
    "cards.enroll.red_cross_acceptance": N_(
        "body: some hospitals and schools accept only AHA cards: check that your employer accepts a Red Cross "
        "certificate."
    ),
    "cards.enroll.book_course": N_("Book a course date with your training center."),
    "cards.enroll.done_card_held": N_("Your card is issued: this course is done."),
    "cards.enroll.choose_course": N_(
        "Choose {article} {card:upper} course (body, format, training center) and book it."
    ),
    "cards.enroll.course_booked": N_("Course booked for {course_start}."),
    "cards.enroll.vendor_online_only": N_(
        "format: a vendor's online-only certificate is not an AHA card; many employers refuse it. Check with "
        "your employer before you pay."
    ),
    "cards.enroll.materials_edition": N_(
        "materials_edition: from {from_date} AHA courses use only {edition}-guideline materials and eCards; your "
        "course date needs them."
    ),
    "cards.enroll.no_course_date_yet": N_("No course date yet."),
    # --- cards.exam
    "cards.exam.ask_retest": N_("Ask your training center about a retest (remediation is their call)."),
    "cards.exam.done_card_held": N_("Your card is issued: exam passed."),
    "cards.exam.passed_score": N_("Exam {score:pct}: passed (at least {mark:pct})."),
    "cards.exam.below_pass_mark": N_("Exam score {score:pct} is below the pass mark {mark:pct}."),
    "cards.exam.below_pass_mark_card_held": N_(
        "Exam score {score:pct} is below the pass mark {mark:pct} although a card is recorded: check the "
        "score."
    ),
    "cards.exam.not_passed": N_("Not passed yet."),
    "cards.exam.pass_mark_not_found": N_(
        "Pass mark for {body_label} {card:upper}: not found: ask your training center. Tick 'passed' when "
        "your training center confirms."
    ),
    "cards.exam.passed_told": N_("Passed, as your training center told you."),
    "cards.exam.sit_exam": N_("Pass the written exam ({mark:pct} or more)."),
    # --- cards.lapse
    "cards.lapse.booked_late_allowed": N_("Allowed, because {why}."),
    "cards.lapse.attend_renewal": N_("Attend your renewal course."),
    "cards.lapse.book_full_course": N_("Book the full {card:upper} provider course."),
    "cards.lapse.book_renewal": N_("Book the renewal course now: until you pass it you hold no current card."),
    "cards.lapse.lapsed": N_("Your card lapsed on {lapse_day} (no grace period)."),
    "cards.lapse.booked_may_not_count": N_(
        "{reason} The renewal course booked for {booked} may not be accepted: ask your training center."
    ),
    "cards.lapse.days_missing": N_("lapsed_days: enter how many days your training center allows."),
    "cards.lapse.blocked_full_course": N_("The card has lapsed; your training center's policy: full provider course."),
    "cards.lapse.blocked_window_closed": N_(
        "The card has lapsed and the renewal window closed on {window}: full provider course."
    ),
    "cards.lapse.last_safe_course": N_(
        "Move your renewal course to {expires} or earlier (your card's last valid day; no grace period)."
    ),
    "cards.lapse.booked_late_full_course": N_(
        "After the card lapses your training center may ask for the full provider course."
    ),
    "cards.lapse.booked_late_full_course_policy": N_(
        "After the card lapses your training center may ask for the full provider course (policy: {policy})."
    ),
    "cards.lapse.renewal_still_allowed": N_("You may still take the renewal course: {why}."),
    "cards.lapse.record_new_card": N_("Record the new card from your renewal course."),
    "cards.lapse.red_cross_window_unconfirmed": N_(
        "Red Cross review-course window after expiry for {card:upper}: not confirmed; ask your training "
        "provider."
    ),
    "cards.lapse.booked_after_expiry": N_(
        "Your renewal course ({booked}) is after your card's last valid day ({expires}): you will have no "
        "current card from {lapse_day}."
    ),
    "cards.lapse.booked": N_("Renewal course booked for {booked}."),
    "cards.lapse.renewal_window": N_("Take the renewal course by {window}; after that the full provider course."),
    "cards.lapse.why_allowed_after_expiry": N_("your training center allows the renewal course after expiry"),
    "cards.lapse.why_allowed_until": N_(
        "your training center allows the renewal course until {window} ({days} days after expiry)"
    ),
    "cards.lapse.why_red_cross_review": N_(
        "the Red Cross lets you enter a review course up to {days} days after expiry (until {until}) for "
        "basic-level courses; that {card:upper} is one is our reading: check with your training provider"
    ),
    "cards.lapse.no_remediation": N_(
        "With an expired card the renewal course has no remediation: failing any part means the full provider "
        "course (AHA instructor text; your training center decides)."
    ),
    # --- cards.prereq
    "cards.prereq.bls_ends_before_course": N_(
        "Your BLS card ends {bls_end} ({where}), before your PALS course on {course}, which asks for a "
        "current BLS card."
    ),
    "cards.prereq.bls_course_after_pals": N_(
        "Your BLS course ({bls_planned}) is after your PALS course on {course}, which asks for a current BLS "
        "card."
    ),
    "cards.prereq.bls_current": N_("Hold a current BLS card on your course date (book the course first)."),
    "cards.prereq.bls_covers_course": N_("BLS current on your course date (valid through {bls_end}, {where})."),
    "cards.prereq.renew_bls_lapsed": N_(
        "Your BLS card has lapsed: take a BLS course on or before {course}, the date of your PALS course."
    ),
    "cards.prereq.collision_bls_course": N_("BLS/PALS collision: BLS course {bls_planned}, PALS course {course}."),
    "cards.prereq.collision_bls_lapses": N_("BLS/PALS collision: BLS lapses {bls_end}, PALS course {course}."),
    "cards.prereq.done_card_held": N_("Your card is issued: the course's prerequisites were met."),
    "cards.prereq.done_card_held_pals": N_(
        "Your card is issued: the prerequisites were met for that course. Book your renewal to check them for "
        "the next one."
    ),
    "cards.prereq.get_manual": N_("Get the current PALS Provider Manual before the course."),
    "cards.prereq.get_manual_new_edition": N_(
        "Get the {edition}-edition PALS Provider Manual: your manual was for a {old_edition}-guideline course, "
        "and from {from_date} courses use only the new materials."
    ),
    "cards.prereq.none_in_sources": N_(
        "No prerequisite for {card:upper} in our sources (not found: ask your training center)."
    ),
    "cards.prereq.precourse": N_(
        "Pass the precourse self-assessment ({mark:pct} or more) and keep its certificate."
    ),
    "cards.prereq.precourse_retake": N_("Retake the precourse self-assessment (retakes are unlimited)."),
    "cards.prereq.precourse_rule_not_found": N_(
        "Precourse self-assessment for {body_label}: not found: ask your training center."
    ),
    "cards.prereq.precourse_below": N_("Precourse self-assessment {score:pct} is below {mark:pct}."),
    "cards.prereq.precourse_passed": N_(
        "Precourse self-assessment {score:pct}: passed (at least {mark:pct})."
    ),
    "cards.prereq.precourse_stale": N_(
        "The precourse self-assessment on record ({score:pct}) was for your last course: each course asks for "
        "its own."
    ),
    "cards.prereq.precourse_stale_dated": N_(
        "The precourse self-assessment on record ({score:pct}, {date}) was for your last course: each course "
        "asks for its own."
    ),
    "cards.prereq.record_bls": N_(
        "Record your BLS card (BLS track) so CertPath can check it covers your PALS course on {course}."
    ),
    "cards.prereq.renew_bls": N_("Take BLS on or before {course}, the date of your PALS course."),
    "cards.prereq.renew_bls_by": N_(
        "Renew BLS by {bls_end} to stay current; a BLS course on or before {course} still covers your PALS "
        "course."
    ),
    "cards.prereq.bls_not_recorded": N_(
        "Still open: a current BLS card on your course date ({course}); CertPath has no BLS card recorded."
    ),
    "cards.prereq.where_bls_booked": N_("your BLS course booked for {date}"),
    "cards.prereq.where_bls_track": N_("recorded on the BLS track"),
    "cards.prereq.where_entered_here": N_("the BLS date entered here (bls_card_expires)"),
    "cards.prereq.bls_asked_not_found": N_(
        "Whether a BLS card is asked for: not found: ask your training center."
    ),
    # --- cards.renewal
    "cards.renewal.attend_renewal": N_("Attend your renewal course."),
    "cards.renewal.book_renewal": N_("Book your {card:upper} renewal course."),
    "cards.renewal.book_renewal_heartcode": N_("Book your {card:upper} renewal course (or buy the HeartCode key)."),
    "cards.renewal.book_renewal_nrp": N_("Book your NRP renewal: the online part, then an instructor-led event."),
    "cards.renewal.not_booked": N_("Your card ends {expires} and no renewal course is booked."),
    "cards.renewal.confirm_skills": N_("Confirm your skills session."),
    "cards.renewal.confirm_skills_nrp": N_("Confirm your instructor-led event."),
    "cards.renewal.expiry_unknown": N_("Expiry unknown (not found: ask your training center)."),
    "cards.renewal.finish_online_part": N_(
        "Finish the HeartCode online part (it must be done before the skills session)."
    ),
    "cards.renewal.finish_online_part_any": N_("Finish any online part and the precourse work."),
    "cards.renewal.finish_online_part_nrp": N_("Finish the NRP online learning and test."),
    "cards.renewal.last_safe_course": N_(
        "Last safe date for the renewal course (your card's last valid day; no grace period)."
    ),
    "cards.renewal.nothing_to_renew": N_("No card with a known expiry yet: nothing to renew."),
    "cards.renewal.record_new_card": N_(
        "Record the new card from your renewal course (each renewal is a new card; the old one is kept in "
        "your history)."
    ),
    "cards.renewal.booked": N_("Renewal course booked for {booked}."),
    "cards.renewal.booked_past": N_("Your renewal course was on {booked}."),
    "cards.renewal.months_given_up": {
        "one": N_("Renewing on {booked} gives up {count} month of your current card: the new card's 2 years start from the new course; the months left on the old card are not added."),
        "other": N_("Renewing on {booked} gives up {count} months of your current card: the new card's 2 years start from the new course; the months left on the old card are not added."),
    },
    "cards.renewal.valid_book_by": N_("Card valid through {expires}; book by {book_by}."),
    "cards.renewal.valid_through": N_("Card valid through {expires}."),
    # --- img.application
    "img.application.exam_before_accepted": N_(
        "An exam on {exam_date} is recorded before the application was accepted ({accepted}): check the dates."
    ),
    "img.application.lead_before_exam_passed": N_(
        "Your first exam window or test date is less than the recommended lead time away: the application "
        "must be accepted before you can apply for an exam."
    ),
    "img.application.match_lead_passed": N_(
        "The preferred lead time before the Match ({due}) has passed: submit it now."
    ),
    "img.application.submit_application": N_(
        "Create a MyIntealth account, verify your identity and submit the Application for ECFMG Certification"
    ),
    "img.application.submitted": N_("Submitted on {submitted}; waiting for ECFMG to accept it."),
    # issue 12: dates by kind
    # An opening is never "overdue"; a passed recommendation is late, with its consequence; a
    # passed hard deadline blocks the step for that Match and names the next season.
    "img.eras.submit_eras": N_("Submit your ERAS application (submissions are open)"),
    "img.eras.submit_before_review": N_(
        "Submit your ERAS application before programs start reviewing on {review}"
    ),
    "img.eras.submit_now": N_("Submit your ERAS application now: programs have been reviewing since {since}"),
    "img.eras.programs_reviewing_since": N_(
        "Late: programs have been reviewing ERAS applications since {since}, so apply now; every week "
        "later means fewer interview invitations. An application can still lead to this Match until the "
        "rank order list deadline ({rol})."
    ),
    "img.eras.match_closed": N_(
        "The {match_year} Match's rank order list deadline ({rol}) has passed: apply in the ERAS season "
        "for the {next_year} Match."
    ),
    "img.nrmp.register_before_late_fee": N_(
        "Register with NRMP (same name as in ERAS) before {late_fee_from}, when the late fee starts"
    ),
    "img.nrmp.register_late": N_(
        "Register with NRMP now (late fee); late registration closes with the rank order list deadline "
        "({rol})"
    ),
    "img.nrmp.late_fee_applies": N_("NRMP's late registration fee applies since {since}."),
    "img.nrmp.rol_near": N_(
        "Registration closes with the rank order list deadline on {rol}: register now."
    ),
    "img.oet.sit_by_near": N_(
        "The last OET sitting ECFMG advises for this Match is by {sit_by}: book one now."
    ),
    "img.oet.sit_by_passed": N_(
        "Late: the last OET sitting ECFMG advised for this Match was by {sit_by}; a later sitting's results "
        "may not be verified by the rank order list deadline ({rol})."
    ),
    "img.oet.sit_earliest": N_("Sit the earliest OET Medicine sitting you can book"),
    "img.pathway.apply_by": N_("Apply for a Pathway by {deadline} (the season's application deadline)"),
    "img.pathway.application_deadline_near": N_(
        "The {season} Pathways application deadline is {deadline}: apply now."
    ),
    "img.pathway.application_deadline_passed": N_(
        "The {season} Pathways application deadline ({deadline}) has passed: this Pathway can count only for "
        "the {next_season} Match (apply in the {next_season} season)."
    ),
    "img.pathway.documents_deadline_near": N_(
        "Every Pathways document must reach ECFMG by {deadline}: send what is missing now."
    ),
    "img.pathway.documents_deadline_passed": N_(
        "The {season} Pathways documents deadline ({deadline}) has passed without an acceptance: plan for "
        "the {next_season} season."
    ),
    "img.pathway.season_closed_unaccepted": N_(
        "The {season} Pathways season closed on {closes}; an incomplete application is rejected: apply again "
        "in the {next_season} season."
    ),
    "img.pathway.apply_revalidation_by": N_("Apply for Pathways Revalidation by {deadline}"),
    "img.pathway.revalidation_deadline_passed": N_(
        "The {season} Pathways (and Revalidation) application deadline ({deadline}) has passed: revalidate "
        "in the {next_season} season."
    ),
    # --- img.calendar
    "img.calendar.projected": N_(
        "{label} for the {match_year} Match ({date}) is projected from the usual pattern, not published: "
        "check NRMP / AAMC."
    ),
    # --- img.certificate
    "img.certificate.requirements_met": N_("Every requirement is met: ECFMG issues the certificate."),
    "img.certificate.expected_late": N_("Expected around {expected}, after {due}."),
    "img.certificate.expires_before_permanent": N_(
        "It expires on {valid_through}, before you can complete {months} months of training: contact ECFMG for an "
        "extension."
    ),
    "img.certificate.expired": N_("Your Pathway-based certificate was valid through {valid_through}."),
    "img.certificate.permanent_validation": N_(
        "Permanent validation after {months} months of ACGME training ({route})"
    ),
    # --- img.check (an img step's facts that contradict each other; shown beside the field)
    "img.check.before_birth": N_("{date} is before your date of birth ({birth})"),
    "img.check.birth_in_future": N_("is in the future"),
    "img.check.match_year_too_soon": N_("{match_year} is too soon after your birth year ({birth_year})"),
    "img.check.result_before_test": N_("the result ({then}) is before the test date ({first})"),
    "img.check.future_attempt_has_result": N_("{date} is in the future but has a result"),
    "img.check.outside_window": N_(
        "{sched} is outside your {months}-month eligibility window ({window_start} to {window_end})"
    ),
    "img.check.future_sitting_has_scores": N_("{date} is in the future but has scores"),
    "img.check.sponsor_years_reversed": N_("{last} is before the first covered year ({first})"),
    "img.check.accepted_before_submitted": N_("accepted ({then}) before it was submitted ({first})"),
    "img.check.accepted_before_applied": N_("accepted ({then}) before you applied ({first})"),
    "img.check.verified_before_graduation": N_(
        "{date} is before your graduation ({graduation}): ECFMG verifies final credentials only after graduation"
    ),
    "img.check.verified_before_submitted": N_("verified ({then}) before it was submitted ({first})"),
    "img.check.valid_through_before_issued": N_("valid through {then}, before it was issued ({first})"),
    "img.check.issued_before_graduation": N_("{date} is before your graduation ({graduation})"),
    "img.check.start_before_match_day": N_("{date} is before Match Day ({match_day})"),
    "img.check.completed_before_started": N_("completed ({then}) before it started ({first})"),
    "img.check.issued_before_applied": N_("issued ({then}) before you applied ({first})"),
    "img.check.received_before_requested": N_("received ({then}) before it was requested ({first})"),
    "img.check.approved_before_filed": N_("approved ({then}) before it was filed ({first})"),
    # --- img.credentials
    "img.credentials.may_be_late": N_(
        "Counting about {wait} days for the school to answer, verification may not be done by {due}."
    ),
    "img.credentials.diploma": N_("diploma"),
    "img.credentials.expected_late": N_(
        "Schools may take about {wait} days: verification expected around {expected}, after {due}."
    ),
    "img.credentials.send_diploma": N_(
        "Send your final diploma (copy in the original language, with an ECFMG-compliant translation) once "
        "you graduate"
    ),
    "img.credentials.send_diploma_and_transcript": N_("Send your final diploma and ask your school to send the final transcript"),
    "img.credentials.transcript": N_("final transcript"),
    "img.credentials.waiting_verification": N_("Waiting for verification of the {missing:and}."),
    # --- img.eras
    "img.eras.get_token": N_("Get your ERAS token from ECFMG (MyIntealth)"),
    "img.eras.step2ck_after_submissions": N_(
        "Your Step 2 CK result is expected around {expected}, after ERAS takes submissions ({due})."
    ),
    "img.eras.submitted_missing_uploads": N_("Submitted, but no upload date for: {items:list}."),
    "img.eras.upload": N_("Upload: {document}"),
    # --- img.exam
    "img.exam.attempt_limit_reached": N_(
        "{fails} unsuccessful attempts at {step:title} reach the limit of {limit}: you may not apply for any "
        "Step."
    ),
    "img.exam.fail_at_standard": N_(
        "The attempt on {date} is marked fail with a score of {score}, at or above the {std} standard in "
        "force on that date: check it."
    ),
    "img.exam.pass_below_standard": N_(
        "The attempt on {date} is marked pass with a score of {score}, below the {std} standard in force on "
        "that date: likely an entry error."
    ),
    "img.exam.attempts_after_pass": {
        "one": N_("{attempts} attempt recorded after the pass of {date}: a passed Step cannot normally be retaken; "
                  "check the entries."),
        "other": N_("{attempts} attempts recorded after the pass of {date}: a passed Step cannot normally be "
                    "retaken; check the entries."),
    },
    "img.exam.attempts_left": {
        "one": N_("{fails} unsuccessful attempt; {left} left of {limit}."),
        "other": N_("{fails} unsuccessful attempts; {left} left of {limit}."),
    },
    "img.exam.attempts_left_last": {
        "one": N_("{fails} unsuccessful attempt; {left} left of {limit}. A further failure would bar you from every "
                  "Step ({limit} failures at any Step)."),
        "other": N_("{fails} unsuccessful attempts; {left} left of {limit}. A further failure would bar you from "
                    "every Step ({limit} failures at any Step)."),
    },
    "img.exam.contact_usmle": N_("No result after the usual follow-up time: contact USMLE"),
    "img.exam.window_at_risk": N_(
        "On course to pass after {end}, when your first pass may stop counting for ECFMG certification."
    ),
    "img.exam.window_ended": N_(
        "Your eligibility window ({window_start} to {window_end}) ended without a recorded test: register again for a new "
        "window."
    ),
    "img.exam.too_late_even_now": N_("Even a test {when} would give a result after {hard_what} ({hard})."),
    "img.exam.exam_window": N_(
        "Pass {step:title} within {years} years of your first passed exam (ECFMG window, medium confidence)"
    ),
    "img.exam.deadline_passed": N_("{hard_what} ({hard}) has passed without a pass recorded."),
    "img.exam.window_expired": N_(
        "More than {years} years since this pass without {other:title}: it may no longer count for ECFMG "
        "certification (medium confidence: verify with ECFMG)."
    ),
    "img.exam.next_attempt_from": N_(
        "Your next {step:title} attempt may be on or after this date (attempt spacing rules)"
    ),
    "img.exam.window_open": N_(
        "This pass counts for ECFMG certification until {end} unless {other:title} is passed by then "
        "({years}-year window, medium confidence: verify with ECFMG)."
    ),
    "img.exam.passed": N_("Passed on {date}."),
    "img.exam.record_result": N_("Record your {step:title} result of {sched}"),
    "img.exam.register": N_("Register for {step:title} through {ent}"),
    "img.exam.register_again": N_("Register again for {step:title}: your eligibility window has ended"),
    "img.exam.result_expected": N_("{step:title} result expected (released on Wednesdays)"),
    "img.exam.result_after_deadline": N_(
        "The result of your {test_date} test is expected around {expected}, after {hard_what} ({hard})."
    ),
    "img.exam.schedule_in_window": N_("Schedule your {step:title} test date inside your window ({window_start} to {window_end})"),
    "img.exam.sit_by_eras": N_("Sit {step:title} so the result is in when ERAS takes submissions"),
    "img.exam.sit_by_rol": N_("Sit {step:title} so ECFMG can verify the result by the rank order list deadline"),
    "img.exam.sit_exam": N_("Sit {step:title}"),
    "img.exam.step1_score_on_pass_fail": N_(
        "Step 1 on {date} is reported pass/fail only; a score of {score} is probably an entry error."
    ),
    "img.exam.passes_too_far_apart": N_(
        "Step 1 and Step 2 CK passes are more than {years} years apart: the earlier may not count for ECFMG "
        "certification; verify with ECFMG."
    ),
    "img.exam.date_before_spacing": N_(
        "The test date {sched} is before {earliest}, the earliest the attempt spacing rules allow."
    ),
    "img.exam.date_outside_window": N_(
        "The test date {sched} is outside your eligibility window ({window_start} to {window_end})."
    ),
    "img.exam.registration_entity_unknown": N_(
        "Which body registers IMGs for this Step today is not in our records: check usmle.org."
    ),
    # --- img.h1b
    "img.h1b.h1b_petition": N_(
        "After the Match, your program files the H-1B petition (cap-exempt teaching hospitals can file at any "
        "time); Step 3 must be passed first"
    ),
    "img.h1b.blocked_step3": N_("An H-1B for residency needs Step 3 passed before the petition."),
    "img.h1b.payment_rule_ended": N_(
        "The H-1B US$100,000 payment rule ran to {end}; whether it was extended is not verified: check USCIS "
        "before filing."
    ),
    "img.h1b.payment_may_apply": N_(
        "A new H-1B petition for someone outside the US on {on} may need the US${amount} payment (exemptions "
        "case by case)."
    ),
    "img.h1b.step3_blocked": N_("Step 3 is blocked, and an H-1B needs it."),
    "img.h1b.step3_late": N_("Step 3 may not be passed in time for the H-1B petition before the start date."),
    # --- img.j1
    "img.j1.ds2019_window": N_("DS-2019 can be issued from this date (your program's TPL starts the application)"),
    "img.j1.ds2019_too_early": N_(
        "DS-2019 recorded on {ds}, earlier than ECFMG can issue it ({earliest}, {months} months before the "
        "start): check the dates."
    ),
    "img.j1.home_rule": N_(
        "A J-1 through ECFMG carries the {home}-year home-country rule (INA 212(e)) unless waived (e.g. "
        "Conrad 30)."
    ),
    "img.j1.statement_of_need_late": N_(
        "The Statement of Need was not requested before the Match; it can take an unpredictable time."
    ),
    "img.j1.statement_of_need": N_(
        "Request the Statement of Need from the Ministry of Health of your country of last legal permanent "
        "residence (before the Match)"
    ),
    # --- img.licence
    "img.licence.apply_licence": N_("Apply for the full licence once the training months are done"),
    "img.licence.training_too_short": N_(
        "{state_name} asks IMGs for {months} months of training; your program lasts {years} months: plan "
        "further accredited training."
    ),
    "img.licence.attempt_limit_reached": N_(
        "{state_name}'s attempt limit for a licence is reached ({items:semi}): verify with the board, or look "
        "at another state."
    ),
    "img.licence.choose_state": N_("Choose the state where you want your licence"),
    "img.licence.no_state_record": N_("No licensure record for {code}: verify with the state board."),
    "img.licence.attempt_limits_status": N_("{state_name}'s USMLE attempt limits for a licence: {items:semi}."),
    "img.licence.limit_passed_within": N_("{step:title} passed on attempt {attempt}, within the limit of {limit}"),
    "img.licence.limit_attempts_left": {
        "one": N_("{step:title}: {fails} unsuccessful attempt, {left} left of {limit}"),
        "other": N_("{step:title}: {fails} unsuccessful attempts, {left} left of {limit}"),
    },
    "img.licence.total_attempts_met": N_("all Steps passed in {used} attempts, within the total of {limit}"),
    "img.licence.total_attempts_within": {
        "one": N_("{used} of a total of {limit} attempts across the Steps used, {left} left for the {remaining} "
                  "Step still to pass"),
        "other": N_("{used} of a total of {limit} attempts across the Steps used, {left} left for the {remaining} "
                    "Steps still to pass"),
    },
    "img.licence.total_attempts_over": {
        "one": N_("all Steps: {used} attempts used with {remaining} Step still to pass, the total limit is {limit}"),
        "other": N_("all Steps: {used} attempts used with {remaining} Steps still to pass, the total limit is "
                    "{limit}"),
    },
    "img.licence.over_limit_fails": N_("{step:title}: {fails} unsuccessful attempts, the limit is {limit}"),
    "img.licence.over_limit_passed_at": N_("{step:title}: passed on attempt {attempt}, the limit is {limit}"),
    "img.licence.start_fcvs": N_("Start FCVS / board paperwork"),
    "img.licence.step3_after_exam_window": N_(
        "Step 3 is expected after {deadline}, the end of {state_name}'s {lim}-year exam window."
    ),
    "img.licence.training_licence": N_("Get the {state_name} training licence within {tl_days} days of starting"),
    "img.licence.training_years_unpublished": N_(
        "The training years {state_name} asks of IMGs are not published in our sources: verify with the "
        "board."
    ),
    # issue 13: licensure routes (the route to the licence, its conditions, the comparison, renewal)
    "img.route.step_not_needed": N_(
        "Not needed on {state_name}'s residency-free route, which you chose on the licence step."
    ),
    "img.route.condition_met": N_("{what}: met"),
    "img.route.condition_missing": N_("{what}: missing"),
    "img.route.condition_pending": N_("{what}: expected on {date}"),
    "img.route.condition_unknown": N_("{what}: not published: ask the board"),
    "img.route.condition_unanswered": N_("{what}: not answered yet (see your facts on this page)"),
    "img.route.cond_licensed_abroad": N_("A licence to practise abroad, in good standing"),
    "img.route.cond_years_practice_abroad": N_("At least {years} years of practice abroad (you: {have})"),
    "img.route.cond_practice_recency_years": N_("Practice abroad within the last {years} years (since {since})"),
    "img.route.cond_foreign_pgt_required": N_("Postgraduate training (residency) completed abroad"),
    "img.route.cond_ecfmg_certificate": N_("The ECFMG certificate"),
    "img.route.cond_ecfmg_permanent": N_("A permanently validated ECFMG certificate"),
    "img.route.cond_ecfmg_eligible": N_("A school that qualifies for ECFMG certification"),
    "img.route.cond_usmle_steps": N_("USMLE passed: {steps:titles}"),
    "img.route.cond_usmle_steps_full": N_("For the full licence, USMLE passed: {steps:titles}"),
    "img.route.cond_jurisprudence_exam": N_("The state's jurisprudence exam"),
    "img.route.cond_employer_offer": N_("A job offer from an employer in the state"),
    "img.route.cond_employer_kind": N_("The employer is one the law names ({kinds:list})"),
    "img.route.cond_english": N_("English proficiency (ECFMG's OET requirement)"),
    "img.route.cond_immigration_work": N_("An immigration status that allows work in the US"),
    "img.route.cond_immigration_eligible": N_(
        "Eligible for an immigration status (work authorisation before starting work)"
    ),
    "img.route.cond_immigration_presence": N_("Lawful presence in the US, or an application to live or work there"),
    "img.route.topic_licensed_abroad": N_("A licence abroad"),
    "img.route.topic_years_practice_abroad": N_("Years of practice abroad"),
    "img.route.topic_practice_recency_years": N_("How recent the practice abroad must be"),
    "img.route.topic_foreign_pgt_required": N_("Postgraduate training abroad"),
    "img.route.topic_ecfmg_certificate": N_("The ECFMG certificate"),
    "img.route.topic_usmle_steps": N_("Which USMLE Steps"),
    "img.route.topic_jurisprudence_exam": N_("A state jurisprudence exam"),
    "img.route.topic_employer_offer": N_("A job offer from an in-state employer"),
    "img.route.topic_employer_kind": N_("Which kinds of employer"),
    "img.route.topic_english": N_("English proficiency"),
    "img.route.topic_immigration_status": N_("Immigration status"),
    "img.route.board_not_accepting": N_("The {state_name} board does not take applications on this route yet."),
    "img.route.no_date_until_met": {
        "one": N_("No date yet: {count} condition is missing or not answered."),
        "other": N_("No date yet: {count} conditions are missing or not answered."),
    },
    "img.route.dates_without_processing": N_("Earliest dates, before the board's processing time."),
    "img.route.dates_assume_unknowns": N_(
        "Earliest dates, before the board's processing time and if the conditions not published add none."
    ),
    "img.route.conversion_unpublished": N_(
        "When {state_name}'s provisional licence becomes a full one is not published: ask the board."
    ),
    "img.route.conversion_unpublished_dates_assume_unknowns": N_(
        "When {state_name}'s provisional licence becomes a full one is not published: ask the board. The "
        "provisional date is the earliest if the conditions not published add none, before the board's "
        "processing time."
    ),
    "img.route.steps_unpublished_no_date": N_(
        "No date yet: which USMLE Steps {state_name}'s route asks for its first licence is not published, so "
        "no date is given before every Step is passed or booked: ask the board."
    ),
    "img.route.conditions_unpublished": N_(
        "No date: what {state_name}'s route asks for its first licence is not recorded in our sources: ask "
        "the board."
    ),
    "img.route.full_waits_for_steps": N_(
        "No full-licence date yet: {state_name}'s full licence also needs {steps:titles}, which the "
        "provisional licence does not. Book it and enter the date on its step."
    ),
    "img.route.full_barred_by_attempt_limit": N_(
        "No full-licence date: {state_name}'s full licence needs {steps:titles} within its attempt limit, "
        "which is exceeded ({items:semi}). The provisional licence does not need {steps:titles}; verify "
        "with the board how its holder can still become fully licensed."
    ),
    "img.route.standard_needs_start": N_("No date yet: give your Match year or residency start date."),
    "img.route.standard_after_training": N_(
        "After {months} months of accredited US residency, Step 3 and the ECFMG certificate, before the "
        "board's processing time."
    ),
    "img.route.standard_step3_unbooked": N_(
        "After {months} months of accredited US residency and the ECFMG certificate, if Step 3 is passed by "
        "{date}: it is not booked yet. Book it and enter the date on its step. Before the board's processing time."
    ),
    "img.route.standard_step3_unbooked_late": N_(
        "Step 3 is not booked: sat on {sit} at the earliest, its result would come on {result}, after the "
        "{months} months of residency, so the full licence waits for it. Book it and enter the date on its step."
    ),
    "img.route.standard_step3_barred": N_(
        "No date: Step 3 is barred by the USMLE attempt limit (see its step)."
    ),
    "img.route.intermediate_waits_for_steps": N_(
        "{state_name}'s transitional licence waits for {steps:titles} (result on {date}, after the {after} years "
        "on the provisional licence); the full licence comes {hold} years after it. Earliest dates, before the "
        "board's processing time."
    ),
    "img.route.provisional_ends_before_intermediate": N_(
        "No transitional or full-licence date: {state_name}'s transitional licence needs {steps:titles}, "
        "expected after {ends}, when the provisional licence's longest term ({years} years) ends. Pass it "
        "sooner, or ask the board."
    ),
    "img.route.apply_intermediate": N_("Apply to the {state_name} board for the transitional licence"),
    "img.route.none_in_state": N_("{state_name} has no residency-free route in our sources."),
    "img.route.supervised": N_("{state_name} asks for supervised practice until the full licence."),
    "img.route.board_accepting_unknown": N_(
        "Whether the {state_name} board takes applications on this route yet is not published: ask the board."
    ),
    "img.route.attempt_limits_unpublished": N_(
        "{state_name} limits USMLE attempts for a licence (at most {limit}); whether that limit applies to "
        "this route is not published: ask the board."
    ),
    "img.route.own_attempt_limits_status": N_(
        "{state_name}'s route sets its own USMLE attempt limits: {items:semi}."
    ),
    "img.route.own_attempt_limit_reached": N_(
        "{state_name}'s route sets its own USMLE attempt limits, and one is reached ({items:semi}): verify with "
        "the board, or compare the standard route."
    ),
    "img.route.own_attempt_limits_unpublished": N_(
        "{state_name}'s route law sets its own USMLE attempt limits, but they are not recorded for this date: ask "
        "the board."
    ),
    "img.route.apply_provisional": N_("Apply to the {state_name} board for the provisional licence"),
    "img.route.apply_full": N_("Apply for the full {state_name} licence"),
    "img.route.renewal_unpublished": N_(
        "The renewal cycle of a {state_name} licence is not published in our sources: ask the board."
    ),
    "img.route.renewal_date_on_licence": N_(
        "{state_name} renews every {years} years on a date printed on your licence: enter it to be reminded."
    ),
    "img.route.renew_licence": N_("Renew your licence"),
    "img.route.licence_lapsed": N_("The licence was due for renewal on {date}: renew it, or enter the new expiry."),
    "img.route.school_list_unanswered": N_(
        "{state_name} asks {listed} months of a graduate of a school on its board's list, {months} otherwise: "
        "say on this page whether yours is (the plan assumes {months})."
    ),
    # --- img.nrmp
    "img.nrmp.register_nrmp": N_(
        "Register with NRMP (same name as in ERAS); register before the early deadline to avoid the late fee: "
        "check NRMP for this year's date"
    ),
    "img.nrmp.closed": N_(
        "Registration for the {match_year} Match closed with the rank list deadline ({rol})."
    ),
    # --- img.oet
    "img.oet.passed": N_("All four minimums reached in the sitting of {date}."),
    "img.oet.legacy_cs_exempt": N_(
        "Your former Step 2 CS pass meets the clinical and communication skills requirement."
    ),
    "img.oet.recency_unpublished": N_(
        "The OET recency rule for the {season} Pathways season is not yet published: enter the date ECFMG "
        "gives."
    ),
    "img.oet.results_after_rol": N_(
        "OET results expected around {expected}, after the rank order list deadline ({rol})."
    ),
    "img.oet.pass_too_old": N_(
        "Your passing sitting of {date} is before {earliest}, the earliest date ECFMG accepts for the "
        "{season} season: sit OET again."
    ),
    "img.oet.rol_passed": N_("The rank order list deadline ({rol}) has passed."),
    "img.oet.recency_entered": N_(
        "Recency: you entered {earliest} as the earliest date ECFMG accepts."
    ),
    "img.oet.record_result": N_("Record your OET results of {sched}"),
    "img.oet.sit_oet": N_("Sit OET Medicine"),
    "img.oet.sit_oet_by": N_(
        "Sit OET Medicine no later than the last December test date before the Match (book a seat early)"
    ),
    "img.oet.booked_too_early": N_(
        "The sitting booked for {sched} is before {earliest}, the earliest date ECFMG accepts for your "
        "season."
    ),
    "img.oet.sitting_below_minimum": N_(
        "The sitting of {date} missed the minimum in {below:list}: all four sub-tests must be passed again in "
        "one sitting."
    ),
    # --- img.pathway
    "img.pathway.revalidation_likely": N_(
        "Accepted for the {acc_season} season; reported to cover {cycles} Match cycles (low confidence): you "
        "likely need Pathways Revalidation."
    ),
    "img.pathway.cs_fail_needs_pathway": N_("Anyone who ever failed Step 2 CS must use Pathway {need}."),
    "img.pathway.applied": N_("Applied on {applied}; waiting for ECFMG's decision."),
    "img.pathway.apply_pathway": N_("Apply for a Pathway as soon as the season opens"),
    "img.pathway.apply_pathway_undated": N_(
        "Apply for a Pathway when ECFMG opens the season (dates not in our sources); it must be accepted by "
        "this date"
    ),
    "img.pathway.legacy_cs_exempt": N_(
        "Your former Step 2 CS pass meets the requirement; you are not eligible for a Pathway and do not need "
        "one."
    ),
    "img.pathway.accepted": N_("Pathway accepted on {accepted}."),
    "img.pathway.deadline_unpublished": N_(
        "The {season} Pathways deadline is not in our sources: verify with ECFMG."
    ),
    "img.pathway.season_unpublished": N_(
        "Pathways for the {season} Match: not published in our sources (no season page found). Verify with "
        "ECFMG before you plan on it."
    ),
    "img.pathway.register_usmle_first": N_(
        "Register for a USMLE Step first: Pathway applicants must be (or have been) registered for one"
    ),
    "img.pathway.expired": N_("Valid through {valid_through}: apply for Pathways Revalidation."),
    "img.pathway.expires_before_rol": N_("Valid through {valid_through}, before the {match_year} rank list deadline."),
    # --- img.residency
    "img.residency.length_unknown": N_(
        "Enter your program length: no typical length is recorded for this specialty."
    ),
    "img.residency.residency_starts": N_("Residency starts"),
    # --- img.result
    "img.result.unmatched": N_(
        "Not matched in {match_year} Match: look at SOAP openings or plan the next Match."
    ),
    "img.result.record_result": N_("Record your Match result"),
    "img.result.start_residency": N_("Start residency"),
    # --- img.rol
    "img.rol.certified_still_to_verify": N_("List certified; ECFMG still has to verify: {steps:titles}."),
    "img.rol.certify_rol": N_("Certify your rank order list (9 p.m. ET)"),
    "img.rol.withdrawn": N_(
        "ECFMG could not verify {names:titles} by {rol}: you are withdrawn from the Match and SOAP."
    ),
    "img.rol.expected_after_deadline": N_("{step:title} is expected around {date}, after the deadline."),
    "img.rol.not_verifiable_by_deadline": N_("{step:title} cannot be verified by the deadline on the current plan."),
    "img.rol.passed_uncertified": N_("The rank order list deadline ({rol}) passed without a certified list."),
    # --- img.school
    "img.school.check_wdoms": N_(
        "Look up your school on wdoms.org: check the ECFMG note on its Sponsor Notes tab covers your "
        "graduation year"
    ),
    "img.school.degree_excluded": N_("This degree does not qualify for ECFMG certification."),
    "img.school.year_not_covered": N_(
        "Your graduation year {year} is outside the years the sponsor note covers ({from_year}–{to_year})."
    ),
    "img.school.too_few_credit_years": N_(
        "The school awarded {credits} credit years; ECFMG needs at least {need}."
    ),
    "img.school.no_sponsor_note": N_(
        "Your school has no ECFMG sponsor note in WDOMS, so you cannot apply for ECFMG certification (a WDOMS "
        "listing alone is not enough)."
    ),
    "img.school.qualifies": N_(
        "Sponsor note, graduation year, credit years and degree all qualify."
    ),
    # --- img.step3
    "img.step3.state_attempt_limit": N_(
        "{state_name} allows at most {s3lim} Step 3 attempts for a licence ({used} used)."
    ),
    "img.step3.state_attempt_limit_full": N_(
        "{state_name} allows at most {s3lim} Step 3 attempts for the full licence; the provisional"
        " licence does not wait for Step 3 ({used} used)."
    ),
    "img.step3.apply_fsmb": N_(
        "Apply to FSMB for Step 3 (permit takes about {min_days}-{max_days} business days; US test centres only)"
    ),
    "img.step3.closed_in_january": N_("Step 3 is not offered in the first {days} days of January."),
    "img.step3.before_certificate": N_(
        "Step 3 is scheduled before your ECFMG certificate is issued: FSMB only opens the application after "
        "ECFMG confirms certification."
    ),
    # --- img.step3_due
    "img.step3.pass_before_h1b": N_("Pass Step 3 before the H-1B petition; some programs want it by Match Day"),
    "img.step3.state_deadline": N_("Pass Step 3 by this date ({what})"),
    # --- img.visa
    "img.visa.decide_route": N_("Decide your visa route with your program: J-1 (ECFMG) or H-1B"),
    "img.visa.not_needed": N_("US citizens and permanent residents need no visa for residency."),
    # --- added: fragments that were built as text, now findings of their own
    "img.exam.pass_below_standard_unsure": N_(
        "The attempt on {date} is marked pass with a score of {score}, below the {std} standard in force on "
        "that date: likely an entry error (that standard is {confidence} confidence: verify on usmle.org)."
    ),
    "img.exam.fail_at_standard_unsure": N_(
        "The attempt on {date} is marked fail with a score of {score}, at or above the {std} standard in "
        "force on that date: check it (that standard is {confidence} confidence: verify on usmle.org)."
    ),
    "img.exam.when_today": N_("today"),
    "img.exam.when_earliest": N_("on {date}, the earliest the attempt spacing rules allow,"),
    "img.exam.deadline_rol": N_("the rank order list deadline (ECFMG verification)"),
    "img.step3.deadline_h1b_start": N_("the start of residency (H-1B petition)"),
    "img.step3.deadline_state_pgy": N_("{state_name}: Step 3 before PGY-{pgy}"),
    "img.step3.deadline_state_window": N_("{state_name}: all Steps within {years} years of the first pass"),
    "img.certificate.permanent_automatic_j1": N_("automatic for ECFMG-sponsored J-1s"),
    "img.certificate.permanent_request": N_("file a Request for Permanent Validation"),
    # issue 12: statuses
    "img.school.canadian_needs_ecfmg": N_(
        "Graduates of Canadian medical schools from {from_year} on need ECFMG certification for US residency "
        "(the LCME no longer accredits Canadian schools): go through every ECFMG step and allow extra time "
        "({confidence} confidence: stated by AFMC; ECFMG's own page was not seen)."
    ),
    "img.school.canadian_before_change": N_(
        "You graduate in {year}, before the {from_year} change for Canadian schools: check with ECFMG whether "
        "you need ECFMG certification ({confidence} confidence)."
    ),
    "img.certificate.permanent_after_training": N_(
        "Permanent since {since}: {months} months of ACGME-accredited training with a valid certificate "
        "({route}). The certificate no longer expires."
    ),
    "img.exam.rebook_from": N_(
        "Move your {step:title} test booked for {sched}: the attempt rules forbid it; book on or after this date"
    ),
    "img.step3.needs_certificate": N_(
        "Step 3 needs your ECFMG certificate first: FSMB opens the application only after ECFMG confirms it."
    ),
    "img.visa.restriction_full": N_("fully suspends entry"),
    "img.visa.restriction_partial": N_("partly suspends entry (immigrants and B, F, M and J visas, so J-1 residents too)"),
    "img.visa.entry_restricted": N_(
        "A presidential proclamation in force since {since} {how} for citizens of {country_name} ({country}) (source dated "
        "{as_of}: {source}). Check the State Department and NRMP before ranking programs."
    ),
    "img.visa.entry_restricted_unsure": N_(
        "A presidential proclamation in force since {since} {how} for citizens of {country_name} ({country}) (source dated "
        "{as_of}: {source}). Low confidence: no source after December 2025 was found, so whether this "
        "still applies today is unclear. Check the State Department and NRMP before ranking programs."
    ),
    "img.visa.nrmp_waiver": N_(
        "Since {since} NRMP has let programs request a waiver of the Match commitment for matched applicants "
        "from restricted countries, or consider a delayed start or a one-year deferral ({confidence} "
        "confidence: stated for 2025 starts; {source})."
    ),
    "img.j1.apply_ds2019": N_(
        "Send ECFMG your complete J-1 sponsorship application, Statement of Need included, by this date "
        "(ECFMG takes up to {weeks} weeks to issue the DS-2019)"
    ),
    "img.j1.ds2019_lead_passed": N_(
        "The J-1 sponsorship application was not complete by {apply_by}: ECFMG takes up to {weeks} weeks, so "
        "the DS-2019 may not be issued by the start date ({start}). Send it now and tell your program."
    ),
    "img.j1.ds2019_expected_late": N_(
        "Your J-1 application was complete on {applied}; with up to {weeks} weeks of processing the DS-2019 "
        "may come around {expected}, after the start date ({start}). Tell your program."
    ),
    "img.h1b.step3_late_expected": N_(
        "Step 3's result is expected around {expected} at the earliest, after the start date ({start}): the "
        "H-1B petition cannot be filed in time. Talk to your program about a J-1 or a later start."
    ),
}


# issue 20: team (the dashboard's team summary, core.roster.team_summary(...).findings(); the GUI
# words each item with team.item / team.item_undated and the rest with team.more)
register({
    "team.cards_expired": {"one": N_("1 card has expired:"), "other": N_("{count} cards have expired:")},
    "team.cards_expire_this_month": {"one": N_("1 card expires this month:"),
                                     "other": N_("{count} cards expire this month:")},
    "team.cards_expire_soon": {"one": N_("1 card expires within {days} days (after this month):"),
                               "other": N_("{count} cards expire within {days} days (after this month):")},
    "team.typical_cards_missing": {
        "one": N_("1 card the role typically holds is missing (guidance: the employer decides):"),
        "other": N_("{count} cards the roles typically hold are missing (guidance: the employer decides):")},
    "team.all_clear": N_("{count} people hold cards: none has expired, none expires within {days} days and none "
                         "the roles typically hold is missing."),
    "team.item": N_("{name} ({card:upper}, {date})"),
    "team.item_undated": N_("{name} ({card:upper})"),
    "team.more": {"one": N_("and 1 more"), "other": N_("and {count} more")},
})


# reminders (core.reminders.from_journey): a step's due date and deadline are titled as the
# dashboard's rows, by the kind of date (core.journey_view's `dates.<kind>`: "PALS: Renew before it
# expires (deadline 2027-06-30)", "ERAS application (recommended by 2026-09-23)"); stored and
# exported with ISO dates, shown with the GUI's (Reminder.title / Reminder.shown)


# A rule value with its unit (rule cards: "1 year", "36 months"), the plural chosen by the count
# through the catalogue (ngettext). A unit without an entry is written as the rules data gives it.
register({
    "unit.years": {"one": N_("{count} year"), "other": N_("{count} years")},
    "unit.months": {"one": N_("{count} month"), "other": N_("{count} months")},
    "unit.weeks": {"one": N_("{count} week"), "other": N_("{count} weeks")},
    "unit.days": {"one": N_("{count} day"), "other": N_("{count} days")},
    "unit.business days": {"one": N_("{count} business day"), "other": N_("{count} business days")},
    "unit.hours": {"one": N_("{count} hour"), "other": N_("{count} hours")},
    "unit.attempts": {"one": N_("{count} attempt"), "other": N_("{count} attempts")},
    "unit.credits": {"one": N_("{count} credit"), "other": N_("{count} credits")},
    "unit.Match cycles": {"one": N_("{count} Match cycle"), "other": N_("{count} Match cycles")},
    "unit.days before expiry": {"one": N_("{count} day before expiry"), "other": N_("{count} days before expiry")},
    "unit.days after expiry": {"one": N_("{count} day after expiry"), "other": N_("{count} days after expiry")},
    "unit.percent": N_("{count}%"),
    "unit.other": N_("{count} {unit}"),
})


def quantity(value: int | float, unit: str | None) -> str:
    """A number with its unit in words ("1 year", "2 years", "70%"); no unit: the number."""
    if not unit:
        return str(value)
    code = f"unit.{unit}" if f"unit.{unit}" in _EXTRA else "unit.other"
    return text(Finding(code, {"count": value, "unit": unit}))


def plural(n: int, one: str, other: str | None = None) -> str:
    """A count with its noun in the right form ("1 match", "15 matches", "0 rows"), through the
    installed translation's ngettext; `other` defaults to `one` + "s". The views said "15 match(es)"."""
    noun = _translations.ngettext(one, other if other is not None else one + "s", n)
    return f"{n} {noun}"


# How far a date is from today in words ("in 12 days", "3 days ago"). A date more than FAR_DAYS
# ahead is said in months and years ("in 10 months", "in 5 years 3 months"): "in 1926 days" was
# hard to read. A passed date keeps its days (how late something is wants the exact count).
register({
    "dates.relative.today": N_("today"),
    "dates.relative.tomorrow": N_("tomorrow"),
    "dates.relative.yesterday": N_("yesterday"),
    "dates.relative.ahead": {"one": N_("in {count} day"), "other": N_("in {count} days")},
    "dates.relative.ahead_span": N_("in {span}"),
    "dates.relative.ago": {"one": N_("{count} day ago"), "other": N_("{count} days ago")},
    # a span of years and months, each already in words through unit.years / unit.months
    "dates.span.years_months": N_("{years} {months}"),
})
FAR_DAYS = 60


def far_span(date: dt.date, today: dt.date) -> str | None:
    """The distance to a date more than FAR_DAYS ahead in months and years, rounded to the nearest
    month ("10 months", "5 years", "5 years 3 months"); None for a nearer (or passed) date, which
    is said in days."""
    if (date - today).days <= FAR_DAYS:
        return None
    from dateutil.relativedelta import relativedelta

    rd = relativedelta(date, today)
    months = rd.years * 12 + rd.months + (1 if rd.days >= 15 else 0)
    years, months = divmod(months, 12)
    if not years:
        return quantity(months, "months")
    if not months:
        return quantity(years, "years")
    return text(Finding("dates.span.years_months", {"years": quantity(years, "years"),
                                                    "months": quantity(months, "months")}))


def relative_words(date: dt.date, today: dt.date) -> str:
    """How far `date` is from `today`: "today", "tomorrow", "in 12 days", "in 5 years 3 months",
    "yesterday", "3 days ago"."""
    days = (date - today).days
    if days == 0:
        return text(Finding("dates.relative.today", {}))
    if days == 1:
        return text(Finding("dates.relative.tomorrow", {}))
    if days == -1:
        return text(Finding("dates.relative.yesterday", {}))
    if days < 0:
        return text(Finding("dates.relative.ago", {"count": -days}))
    span = far_span(date, today)
    if span is not None:
        return text(Finding("dates.relative.ahead_span", {"span": span}))
    return text(Finding("dates.relative.ahead", {"count": days}))
