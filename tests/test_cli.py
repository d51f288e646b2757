"""`python -m core`: evaluate, import, export; bad input exits 2 naming the field, writes nothing."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import resources_dir
from core.engine.base import STATUSES

ROOT = Path(__file__).resolve().parent.parent
DEMO_IMG = resources_dir() / "demo" / "img-demo.json"
DEMO_PROVIDER = resources_dir() / "demo" / "provider-demo.json"


def core_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, input=stdin, timeout=60)


@pytest.mark.parametrize("demo", [DEMO_IMG, DEMO_PROVIDER])
def test_evaluate_prints_the_journey(demo):
    r = core_cli("evaluate", demo, "--today", "2026-11-21")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["today"] == "2026-11-21"
    steps = [s for t in j["tracks"] for s in t["steps"]]
    assert steps and all(s["status"] in STATUSES for s in steps)
    for key in ("id", "status", "due", "expires", "blocked_by", "next_actions", "rules"):
        assert all(key in s for s in steps)


def test_evaluate_img_demo_has_every_img_step_in_order():
    r = core_cli("evaluate", DEMO_IMG, "--today", "2026-11-21")
    img = next(t for t in json.loads(r.stdout)["tracks"] if t["track"] == "img")
    assert [s["id"] for s in img["steps"]] == [
        "ecfmg.school", "ecfmg.application", "usmle.step1", "usmle.step2ck", "ecfmg.oet", "ecfmg.pathway",
        "ecfmg.credentials", "ecfmg.certificate", "match.eras", "match.nrmp", "match.rol", "match.result",
        "residency.training", "usmle.step3", "license.state", "visa"]


def _write(tmp_path, doc):
    p = tmp_path / "p.json"
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return p


BAD = [
    ("{not json", "(file)", "not valid JSON"),
    ('{"format": "certpath-profile/1", "name": "A", "tracks": "img"}', "tracks", "list"),
    ({"format": "certpath-profile/1", "name": "A", "tracks": ["img"], "facts": {"usmle.step9": {}}},
     "facts.usmle.step9", "not a known step id"),
    ({"format": "certpath-profile/1", "name": "A", "tracks": ["img"], "overrides": {"no.such.rule": {"value": 1}}},
     "overrides.no.such.rule", "not a known rule id"),
    ({"format": "certpath-profile/1", "name": "A", "tracks": ["pals"], "facts": {"pals.exam": {"exam_score": 140}}},
     "facts.pals.exam.exam_score", "between 0 and 100"),
    ({"format": "certpath-profile/1", "name": "A", "tracks": ["img"],
      "facts": {"usmle.step1": {"attempts": [{"date": "2025-03-10", "result": "pass", "result_date": "2025-02-01"}]}}},
     "facts.usmle.step1.attempts[0]", ""),
    ({"format": "certpath-profile/1", "name": "A", "tracks": ["img"],
      "facts": {"img": {"birth_date": "1996-01-01"},
                "usmle.step1": {"attempts": [{"date": "1990-03-10", "result": "fail"}]}}},
     "facts.usmle.step1.attempts[0].date", ""),
    ({"format": "certpath-profile/1", "name": "A", "tracks": ["img"],
      "facts": {"img": {"birth_date": "1996-02-30"}}}, "facts.img.birth_date", "not a date"),
    ({"format": "certpath-profile/9", "name": "A"}, "format", "newer"),
]


@pytest.mark.parametrize("doc,field,words", BAD)
def test_bad_input_exits_2_naming_the_field(tmp_path, doc, field, words):
    r = core_cli("evaluate", _write(tmp_path, doc), "--today", "2026-11-21")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert field in r.stderr, r.stderr
    assert words in r.stderr
    assert r.stdout == ""


def test_import_export_round_trip(tmp_path):
    data = tmp_path / "data"
    r = core_cli("import", DEMO_PROVIDER, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    pid = int(r.stdout.strip())
    r = core_cli("export", pid, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    exported = json.loads(r.stdout)
    original = json.loads(DEMO_PROVIDER.read_text(encoding="utf-8"))
    for key in ("format", "name", "role", "tracks"):
        assert exported[key] == original[key]
    # empty fact groups are not stored; everything else round-trips exactly
    assert exported["facts"] == {k: v for k, v in original["facts"].items() if v}
    # and the exported document evaluates the same as the original
    a = core_cli("evaluate", DEMO_PROVIDER, "--today", "2026-11-21")
    b = core_cli("evaluate", "-", "--today", "2026-11-21", stdin=r.stdout)
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_bad_import_writes_nothing(tmp_path):
    data = tmp_path / "data"
    assert core_cli("import", DEMO_IMG, "--data-dir", data).returncode == 0
    bad = _write(tmp_path, {"format": "certpath-profile/1", "name": "B", "tracks": ["pals"],
                            "facts": {"pals.exam": {"exam_score": -3}}})
    r = core_cli("import", bad, "--data-dir", data)
    assert r.returncode == 2 and "exam_score" in r.stderr
    r = core_cli("profiles", "--data-dir", data)
    assert len(r.stdout.strip().splitlines()) == 1


def test_export_unknown_profile_is_a_clear_error(tmp_path):
    r = core_cli("export", 42, "--data-dir", tmp_path / "d")
    assert r.returncode == 2 and "no profile with id 42" in r.stderr


def test_committed_schema_is_current():
    from core.schema import profile_schema

    committed = json.loads((ROOT / "docs" / "profile.schema.json").read_text(encoding="utf-8"))
    assert committed == profile_schema(), "run: python -m core schema > docs/profile.schema.json"


def test_demo_documents_validate_against_the_schema_shape():
    """A light structural check of the schema against the demos (no jsonschema dependency)."""
    from core.schema import profile_schema

    schema = profile_schema()
    for demo in (DEMO_IMG, DEMO_PROVIDER):
        doc = json.loads(demo.read_text(encoding="utf-8"))
        assert set(doc) <= set(schema["properties"])
        for key, facts in doc["facts"].items():
            props = schema["properties"]["facts"]["properties"][key]["properties"]
            assert set(facts) <= set(props), (demo.name, key, set(facts) - set(props))


def test_export_to_an_unwritable_path_is_a_message_not_a_traceback(tmp_path):
    data = tmp_path / "data"
    assert core_cli("import", DEMO_IMG, "--data-dir", data).returncode == 0
    r = core_cli("export", 1, "--data-dir", data, "-o", tmp_path / "no-such-folder" / "x.json")
    assert r.returncode == 1
    assert "cannot write the file" in r.stderr and "Traceback" not in r.stderr
