"""Hypothesis strategies shared by the engine property tests: profile facts built from the steps'
own FieldSpecs, so generated profiles always pass field validation."""

import datetime as dt

from hypothesis import strategies as st

DATES = st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2033, 12, 31)).map(dt.date.isoformat)


def value_for(spec, dates=DATES):
    if spec.kind == "date":
        return dates
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "choice":
        return st.sampled_from([c[0] for c in spec.choices])
    if spec.kind in ("int", "float"):
        lo = int(spec.minimum) if spec.minimum is not None else 0
        hi = int(spec.maximum) if spec.maximum is not None else 1000
        if spec.key.endswith("_year") or spec.key == "season":
            lo, hi = max(lo, 2000), min(hi, 2035)
        return st.integers(min_value=lo, max_value=hi)
    if spec.kind == "records":
        return st.lists(facts_for(spec.fields, dates), max_size=5)
    return st.text(max_size=20)


def facts_for(specs, dates=DATES):
    req = {s.key: value_for(s, dates) for s in specs if s.required}
    opt = {s.key: value_for(s, dates) for s in specs if not s.required}
    return st.fixed_dictionaries(req, optional=opt)
