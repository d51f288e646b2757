"""The JSON Schema of the profile document, generated from the step definitions.

`python -m core schema > docs/profile.schema.json` regenerates the committed file; a test
checks that the committed file is current, so the schema cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from . import PROFILE_FORMAT, PROFILE_FORMAT_PROGRAMS
from .engine.base import FieldSpec


def _field_schema(f: FieldSpec) -> dict[str, Any]:
    s: dict[str, Any]
    if f.kind == "text":
        s = {"type": "string", "maxLength": 2000}
    elif f.kind == "date":
        s = {"type": "string", "format": "date"}
    elif f.kind == "int":
        s = {"type": "integer"}
    elif f.kind == "float":
        s = {"type": "number"}
    elif f.kind == "bool":
        s = {"type": "boolean"}
    elif f.kind == "choice":
        s = {"enum": [c[0] for c in f.choices]}
    else:  # records
        s = {"type": "array", "items": _object_schema(f.fields)}
    if f.minimum is not None:
        s["minimum"] = f.minimum
    if f.maximum is not None:
        s["maximum"] = f.maximum
    s["title"] = f.label
    if f.help:
        s["description"] = f.help
    return s


def _object_schema(fields: tuple[FieldSpec, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {f.key: _field_schema(f) for f in fields},
        "additionalProperties": False,
    }
    req = [f.key for f in fields if f.required]
    if req:
        out["required"] = req
    return out


def programs_schema() -> dict[str, Any]:
    """The `programs` section: the application season's programs and the user's settings for it."""
    from .programs import MAX_PROGRAMS, PROGRAM_FIELDS, SETTINGS_FIELDS

    settings = _object_schema(SETTINGS_FIELDS)
    return {
        "type": "object",
        "title": "Application season",
        "properties": {
            "items": {"type": "array", "maxItems": MAX_PROGRAMS, "items": _object_schema(PROGRAM_FIELDS),
                      "title": "Programs"},
            **settings["properties"],
        },
        "additionalProperties": False,
    }


def profile_schema() -> dict[str, Any]:
    from .engine import known_tracks, step_defs, track_fields
    from .roles import ROLE_IDS

    facts: dict[str, Any] = {}
    for t in known_tracks():
        facts[t] = _object_schema(track_fields(t))
        for sd in step_defs(t):
            facts[sd.id] = {**_object_schema(sd.fields), "title": sd.title}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://certpath.invalid/profile.schema.json",
        "title": "CertPath profile document",
        "type": "object",
        "required": ["format", "name"],
        "additionalProperties": False,
        "properties": {
            "format": {"enum": [PROFILE_FORMAT, PROFILE_FORMAT_PROGRAMS],
                       "description": f"{PROFILE_FORMAT_PROGRAMS} when the document has 'programs'"},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "role": {"enum": list(ROLE_IDS)},
            "tracks": {"type": "array", "items": {"enum": known_tracks()}, "uniqueItems": True},
            "facts": {"type": "object", "properties": facts, "additionalProperties": False},
            "programs": programs_schema(),
            "overrides": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["value"],
                    "properties": {"value": {}, "note": {"type": "string"}, "date": {"type": "string"}},
                },
            },
            "scenarios": {
                "description": "Named what-if scenarios: changes to the facts, not copies (core/scenarios.py).",
                "type": "array",
                "maxItems": 200,
                "items": {
                    "type": "object",
                    "required": ["name", "changes"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 100},
                        "changes": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 200,
                            "items": {
                                "type": "object",
                                "required": ["path"],
                                "additionalProperties": False,
                                "properties": {
                                    "path": {"type": "string", "description":
                                             "STEP.FIELD, FIELD[INDEX] or FIELD[INDEX].FIELD, e.g. "
                                             "usmle.step2ck.attempts[0].result_date"},
                                    "value": {"description": "the fact's new value; null clears it"},
                                    "record": {"type": "object", "description":
                                               "the record a change inside a record was made on (its "
                                               "identifying field and value)"},
                                    "new": {"type": "boolean", "description": "the change adds a record"},
                                },
                            },
                        },
                        "created_at": {"type": "string"},
                        "updated_at": {"type": "string"},
                    },
                },
            },
        },
    }
