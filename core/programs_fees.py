"""What the application season costs: ERAS program fees per specialty (tiered), the USMLE
transcript fee, NRMP registration and extra ranks, from the dated records in
resources/rules/img/application.toml.

A Match year's ERAS fees are looked up on the day ERAS takes submissions (the year before the
Match), NRMP's on the day its registration opens (15 September of that year). Where no record
covers that day (no page for the season was found), the latest earlier record is used and the
line says so (`latest_known`, with the record's `as_of`), never silently.

`forecast(...)` -> `Forecast` (lines in cents, findings as codes); `add_planned(ledger, ...)` puts
the lines into the cost ledger as planned costs (status "planned"; the user confirms one by
marking it paid).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from gettext import gettext as _
from gettext import ngettext
from typing import Any

from . import wording
from .costs import PLANNED, format_amount, parse_amount
from .engine.findings import BLOCKING, WARNING, Finding
from .engine.img import SPECIALTIES
from .rules import Rule, RuleNotFound, RuleSet
from .wording import N_


def season_rule(rules: RuleSet, rule_id: str, on: dt.date, overrides: Mapping[str, Any] | None = None
                ) -> tuple[Rule | None, bool]:
    """(the record in force on `on`, False), else (the latest record that ended before `on`, True),
    else (None, False)."""
    try:
        r = rules.find(rule_id, on, overrides)
    except RuleNotFound:
        return None, False
    if r is not None:
        return r, False
    earlier = [x for x in rules.records(rule_id) if x.valid_until is not None and x.valid_until <= on]
    return (earlier[-1], True) if earlier else (None, False)


def eras_fee_cents(n: int, value: Mapping[str, Any]) -> int:
    """The ERAS fee for `n` programs in ONE specialty under a tier schedule (`eras.program_fees`'s
    value): a tier is `{first, last?, flat}` (one price for the whole band, charged once any program
    falls in it) or `{first, last?, each}` (per program in the band)."""
    if n < 0:
        raise ValueError("the number of programs cannot be negative")
    total = 0
    for t in value["tiers"]:
        first, last = int(t["first"]), t.get("last")
        if n < first:
            break
        top = n if last is None else min(n, int(last))
        if "flat" in t:
            total += parse_amount(str(t["flat"]))
        else:
            total += (top - first + 1) * parse_amount(str(t["each"]))
    return total


@dataclass(frozen=True)
class FeeLine:
    key: str  # "eras:<specialty>", "eras:usmle_transcript", "nrmp:registration", "nrmp:extra_ranks"
    step_id: str  # the ledger step the cost belongs to
    amount_cents: int
    currency: str
    rule_id: str
    latest_known: bool  # from an earlier season's record: the season's own fee was not found
    as_of: str
    confidence: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        p = self.params
        if self.key.startswith("eras:") and "programs" in p:
            text = ngettext("{programs} program in {specialty}", "{programs} programs in {specialty}",
                            int(p["programs"])).format(**p)
        elif self.key == "eras:usmle_transcript":
            text = _("USMLE transcript (ERAS, once per season)")
        elif self.key == "nrmp:registration":
            text = _("NRMP registration")
        else:
            text = _("{extra} ranks beyond the {included} included").format(**p)
        return f"{text}: {format_amount(self.amount_cents, self.currency)}"

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "step_id": self.step_id, "amount_cents": self.amount_cents,
                "amount": format_amount(self.amount_cents, self.currency), "currency": self.currency,
                "rule_id": self.rule_id, "latest_known": self.latest_known, "as_of": self.as_of,
                "confidence": self.confidence, "label": self.label, "params": dict(self.params)}


@dataclass(frozen=True)
class Forecast:
    match_year: int
    lines: tuple[FeeLine, ...]
    missing: tuple[str, ...]  # rule ids with no record at all (the fee is not in the total)

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for ln in self.lines:
            out[ln.currency] = out.get(ln.currency, 0) + ln.amount_cents
        return out

    @property
    def findings(self) -> list[dict[str, Any]]:
        out = [{"code": "fees.latest_known", "params": {"rule_id": ln.rule_id, "as_of": ln.as_of,
                                                         "match_year": self.match_year}}
               for ln in self.lines if ln.latest_known]
        out += [{"code": "fees.not_found", "params": {"rule_id": rid}} for rid in self.missing]
        return out

    def to_json(self) -> dict[str, Any]:
        return {"match_year": self.match_year, "lines": [ln.to_json() for ln in self.lines],
                "totals": {c: format_amount(v, c) for c, v in self.totals().items()},
                "findings": self.findings}


def season_days(match_year: int, rules: RuleSet, overrides: Mapping[str, Any] | None = None
                ) -> tuple[dt.date, dt.date]:
    """(ERAS takes submissions, NRMP registration opens) for `match_year`: recorded or projected."""
    from . import match_calendar

    on = dt.date(match_year, 1, 1)

    def lookup(rid: str):
        try:
            return rules.find(rid, on, overrides)
        except RuleNotFound:
            return None

    cal = match_calendar.calendar(match_year, lookup)
    eras = cal["eras_submissions_open"].date if "eras_submissions_open" in cal else dt.date(match_year - 1, 9, 1)
    nrmp = cal["nrmp_registration_opens"].date if "nrmp_registration_opens" in cal else dt.date(match_year - 1, 9, 15)
    return eras, nrmp


def forecast(counts: Mapping[str, int], match_year: int, rules: RuleSet | None = None, *, ranks: int | None = None,
             overrides: Mapping[str, Any] | None = None) -> Forecast:
    """The season's fees for `counts` (specialty id -> number of programs applied to) and, when
    given, a rank list of `ranks` programs."""
    from .rules import load_rules

    rules = rules or load_rules()
    eras_day, nrmp_day = season_days(match_year, rules, overrides)
    names = dict(SPECIALTIES)
    lines: list[FeeLine] = []
    missing: list[str] = []

    def rule(rid: str, on: dt.date) -> tuple[Rule | None, bool]:
        r, latest = season_rule(rules, rid, on, overrides)
        if r is None and rid not in missing:
            missing.append(rid)
        return r, latest

    applied = {k: int(v) for k, v in counts.items() if int(v) > 0}
    if applied:
        sched, latest = rule("eras.program_fees", eras_day)
        if sched is not None:
            for spec, n in sorted(applied.items()):
                lines.append(FeeLine(f"eras:{spec}", "match.eras", eras_fee_cents(n, sched.value),
                                     str(sched.value["currency"]), sched.id, latest, sched.as_of or "",
                                     sched.confidence, {"programs": n, "specialty": names.get(spec, spec)}))
        tr, latest = rule("fee.eras.usmle_transcript", eras_day)
        if tr is not None:
            lines.append(FeeLine("eras:usmle_transcript", "match.eras", parse_amount(str(tr.value["amount"])),
                                 str(tr.value["currency"]), tr.id, latest, tr.as_of or "", tr.confidence))
    reg, latest = rule("fee.nrmp.registration", nrmp_day)
    if reg is not None:
        lines.append(FeeLine("nrmp:registration", "match.nrmp", parse_amount(str(reg.value["amount"])),
                             str(reg.value["currency"]), reg.id, latest, reg.as_of or "", reg.confidence))
    if ranks is not None:
        ex, latest = rule("nrmp.extra_rank_fee", nrmp_day)
        if ex is not None:
            inc = int(ex.value["included_ranks"])
            extra = max(0, ranks - inc)
            if extra:
                lines.append(FeeLine("nrmp:extra_ranks", "match.rol",
                                     extra * parse_amount(str(ex.value["per_extra_rank"])),
                                     str(ex.value["currency"]), ex.id, latest, ex.as_of or "", ex.confidence,
                                     {"extra": extra, "included": inc, "ranks": ranks}))
    return Forecast(match_year, tuple(lines), tuple(missing))


def counts_by_specialty(programs: Iterable[Any], applied_only: bool = False) -> dict[str, int]:
    """Specialty id -> number of programs (withdrawn ones too: the fee was paid; with
    `applied_only`, only programs with an applied date)."""
    out: dict[str, int] = {}
    for p in programs:
        if applied_only and not p.get("applied_date"):
            continue
        spec = p.get("specialty") or "other"
        out[spec] = out.get(spec, 0) + 1
    return out


def note_for(line: FeeLine, match_year: int) -> str:
    base = f"Planned ({match_year} Match): {line.label}. From {line.rule_id} ({line.confidence} confidence"
    base += f"; latest known: {line.as_of})" if line.latest_known else f"; {line.as_of})"
    return base


def add_planned(ledger, profile_id: int, fc: Forecast, keys: Iterable[str] | None = None) -> list[int]:
    """Add the forecast's lines (or those with `keys`) to the cost ledger as planned costs, in one
    transaction; a line already in the ledger (same step, amount and note) is not added twice.
    Returns the new cost ids."""
    from .db import transaction

    want = set(keys) if keys is not None else None
    have = {(c.step_id, c.amount_cents, c.note) for c in ledger.list(profile_id)}
    ids: list[int] = []
    with transaction(ledger.db):
        for ln in fc.lines:
            if want is not None and ln.key not in want:
                continue
            note = note_for(ln, fc.match_year)
            if (ln.step_id, ln.amount_cents, note) in have:
                continue
            ids.append(ledger.add(profile_id, ln.step_id, ln.amount_cents, ln.currency, status=PLANNED, note=note))
    return ids


# --- program signals ------------------------------------------------------------------------------

SIGNAL_KIND_NAMES = {"signal": N_("signals"), "gold": N_("gold"), "silver": N_("silver")}
wording.register_format("signal_kind", lambda v: wording._(SIGNAL_KIND_NAMES.get(v, str(v))))
wording.register_format("specialty", lambda v: wording._(dict(SPECIALTIES).get(v, str(v))))
SIGNAL_MESSAGES: dict[str, str | dict[str, str]] = {
    # One specialty's line: "Internal medicine: 2 of 3 gold, 13 of 12 silver (1 over)".
    "signals.count": N_("{used} of {limit} {kind:signal_kind}"),
    "signals.count_over": N_("{used} of {limit} {kind:signal_kind} ({over} over)"),
    "signals.line": N_("{specialty:specialty}: {counts}"),
    "signals.over_limit": N_("{specialty:specialty}: {used} {kind:signal_kind} signals marked; the {season} ERAS "
                             "season allows {limit}."),
    "signals.not_published": {
        "one": N_("{specialty:specialty}: {count} signal marked; the {season} season's number is not published"),
        "other": N_("{specialty:specialty}: {count} signals marked; the {season} season's number is not published"),
    },
    "signals.earlier": N_("{as_of}: {counts}"),
}
wording.register(SIGNAL_MESSAGES)


@dataclass(frozen=True)
class SignalUse:
    """Signals marked on a specialty's programs against the season's number of signals.

    Signal numbers change from season to season (AAMC publishes them per season), so only a
    record of the Match year's own ERAS season is compared: without one, `limit` is None and the
    number is "not published", never an older season's. That older record is kept as `earlier`
    (context for a tooltip, never compared)."""

    specialty: str
    used: Mapping[str, int]  # "signal" / "gold" / "silver" -> programs marked (withdrawn ones too)
    limit: Mapping[str, int] | None  # the season's record ({total, gold?, silver?}); None: not published
    rule_id: str
    as_of: str
    season: int = 0  # the ERAS season (= the Match year)
    earlier: Mapping[str, int] | None = None  # the latest earlier season's record, for context only
    earlier_as_of: str = ""

    @property
    def total_used(self) -> int:
        return sum(self.used.values())

    @property
    def tiered(self) -> bool:
        lim = self.limit or {}
        return "gold" in lim or "silver" in lim

    def counts(self, limit: Mapping[str, int] | None = None) -> list[dict[str, int | str]]:
        """[{kind, used, limit}] against `limit` (default the season's): gold and silver for a
        two-tier specialty (a plain signal counts as silver), else one count of all signals."""
        lim = self.limit if limit is None else limit
        if not lim:
            return []
        if "gold" in lim or "silver" in lim:
            out: list[dict[str, int | str]] = []
            for kind in ("gold", "silver"):
                if kind in lim:
                    n = self.used.get(kind, 0) + (self.used.get("signal", 0) if kind == "silver" else 0)
                    out.append({"kind": kind, "used": n, "limit": int(lim[kind])})
            return out
        return [{"kind": "signal", "used": self.total_used, "limit": int(lim["total"])}]

    @property
    def over(self) -> list[dict[str, Any]]:
        """Each kind of signal used beyond the season's number: {kind, used, limit}."""
        return [dict(c) for c in self.counts() if int(c["used"]) > int(c["limit"])]

    @property
    def findings(self) -> list[Finding]:
        if self.limit is None:
            return [Finding("signals.not_published", {"specialty": self.specialty, "season": self.season,
                                                      "count": self.total_used}, WARNING)]
        return [Finding("signals.over_limit", {"specialty": self.specialty, "season": self.season, **o}, BLOCKING)
                for o in self.over]

    def text(self) -> str:
        """The panel's line: "Internal medicine: 2 of 3 gold, 13 of 12 silver (1 over)", or the
        "not published" sentence."""
        if self.limit is None:
            return wording.text(self.findings[0])
        return wording.text(Finding("signals.line", {"specialty": self.specialty,
                                                     "counts": _counts_text(self.counts())}))

    def earlier_text(self) -> str:
        """The latest earlier season's numbers against the marks ("2025 ERAS season: 2 of 15
        signals"), or "" without one."""
        if not self.earlier:
            return ""
        return wording.text(Finding("signals.earlier", {"as_of": self.earlier_as_of,
                                                        "counts": _counts_text(self.counts(self.earlier))}))

    def to_json(self) -> dict[str, Any]:
        return {"specialty": self.specialty, "season": self.season, "used": dict(self.used),
                "limit": dict(self.limit) if self.limit else None, "rule_id": self.rule_id, "as_of": self.as_of,
                "counts": self.counts(), "text": self.text(),
                "earlier": ({"limit": dict(self.earlier), "as_of": self.earlier_as_of} if self.earlier else None),
                "findings": [{"code": f.code, "params": dict(f.params)} for f in self.findings]}


def _counts_text(counts: list[dict[str, int | str]]) -> str:
    parts = []
    for c in counts:
        over = int(c["used"]) - int(c["limit"])
        code = "signals.count_over" if over > 0 else "signals.count"
        parts.append(wording.text(Finding(code, {**c, "over": over})))
    return ", ".join(parts)


def signal_use(programs: Iterable[Any], match_year: int, rules: RuleSet | None = None,
               overrides: Mapping[str, Any] | None = None) -> list[SignalUse]:
    """For each specialty with programs, the signals marked and the season's number of signals
    (`eras.signals.<specialty>`, the record in force on the day ERAS takes submissions); an older
    season's record is only `earlier`, never the limit."""
    from .rules import load_rules

    rules = rules or load_rules()
    eras_day, _ = season_days(match_year, rules, overrides)
    used: dict[str, dict[str, int]] = {}
    for p in programs:
        spec = p.get("specialty") or "other"
        u = used.setdefault(spec, {})
        if p.get("signal"):
            u[p.get("signal")] = u.get(p.get("signal"), 0) + 1
    out = []
    for spec, u in sorted(used.items()):
        rid = f"eras.signals.{spec}"
        r, older = season_rule(rules, rid, eras_day, overrides) if rid in rules else (None, False)
        if r is not None and not older:
            out.append(SignalUse(spec, u, dict(r.value), rid, r.as_of or "", match_year))
        else:
            out.append(SignalUse(spec, u, None, rid, "", match_year,
                                 dict(r.value) if r is not None else None, (r.as_of or "") if r is not None else ""))
    return out
