"""The shipped test vectors (CONF-8..CONF-11): they match the model, cover every
behaviour requirement and error code, are deterministic, and `vectors check` notices a
case that moved."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]

from conformance.exercise import EXCLUDED, excluded
from conformance.vectors import case_files, generate, load_case, moved
from spec.chapters import CHAPTERS
from spec.errors import Error
from spec.requirements import requirements
from spec.schema import SCHEMA_DIR
from spec.version import SPEC_VERSION
from tests.conform_helpers import VECTORS

CASES = [load_case(p) for p in case_files(VECTORS)]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intermargin.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_shipped_tree_is_versioned_by_chapter() -> None:
    """CONF-11: `v<spec-version>/<chapter>/<case>.json`, every chapter present."""
    chapters = {p.parent.name for p in case_files(VECTORS)}
    assert {p.parents[1].name for p in case_files(VECTORS)} == {f"v{SPEC_VERSION}"}
    assert chapters == set(CHAPTERS)
    for path, case in zip(case_files(VECTORS), CASES, strict=True):
        assert path.relative_to(VECTORS).as_posix() == f"v{case.spec_version}/{case.id}.json"


def test_every_kind_of_case_is_valid_under_the_exported_schema() -> None:
    """CONF-8: one file of each chapter and kind validates against
    spec/schema/case.schema.json with jsonschema (all of them parse with the pydantic
    model, `CASES` above; jsonschema is slow on 3 MB)."""
    schema = json.loads((SCHEMA_DIR / "case.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    sample: dict[tuple[str, str], Path] = {}
    for path, case in zip(case_files(VECTORS), CASES, strict=True):
        sample.setdefault((case.chapter, case.kind), path)
    assert len(sample) >= 2 * len(CHAPTERS)
    for path in sample.values():
        validator.validate(json.loads(path.read_text()))
    broken = json.loads(next(iter(sample.values())).read_text())
    broken["steps"][0]["outcome"]["status"] = "maybe"
    assert not validator.is_valid(broken)


def test_the_cases_exercise_every_behaviour_requirement() -> None:
    """CONF-10: together the cases exercise every requirement id about behaviour; the
    others are exactly the excluded ones, each with a reason."""
    exercised = set().union(*(c.requirements for c in CASES))
    ids = requirements()
    missing = sorted(i for i in ids if i not in exercised and excluded(i) is None)
    assert missing == []
    assert exercised <= set(ids)
    for key, reason in EXCLUDED.items():
        assert reason and (key in ids or any(i.split("-")[0] == key for i in ids))


def test_the_cases_reach_every_error_code() -> None:
    """CONF-10, ERR-1: every error code of spec/errors.py is the outcome of some step."""
    reached = {s.outcome.error for c in CASES for s in c.steps if s.outcome.error is not None}
    assert reached == set(Error)


def test_cases_require_the_chapters_of_their_actions() -> None:
    """CONF-5: `chapters` lists exactly the chapters of the action kinds a case uses."""
    from spec.chapters import required_chapters

    for case in CASES:
        assert case.chapters == required_chapters((s.action.type for s in case.steps), case.params)
    hub_only = [c for c in CASES if c.chapters == ("hub",)]
    assert len(hub_only) >= 5


def test_generation_is_deterministic_and_matches_the_shipped_tree() -> None:
    """CONF-11: the same seed gives byte-identical files, and the shipped tree is what the
    default seed gives now (regenerate with `intermargin vectors generate conformance/vectors`)."""
    first = generate()
    assert first == generate()
    shipped = {p.relative_to(VECTORS).as_posix(): p.read_text() for p in case_files(VECTORS)}
    assert shipped == first


def test_vectors_check_passes_on_the_shipped_tree() -> None:
    """CONF-11: `intermargin vectors check` replays the shipped tree: all match, exit 0."""
    done = cli("vectors", "check", str(VECTORS))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"all {len(CASES)} cases match the model" in done.stdout


def test_vectors_check_lists_a_case_that_moved(tmp_path: Path) -> None:
    """CONF-11: a case whose recorded outcome the model no longer gives is listed, exit 1."""
    source = next(VECTORS.glob("v*/hub/partition-cap.json"))
    doc = json.loads(source.read_text())
    doc["steps"][-1]["outcome"]["error"] = "INSUFFICIENT_CAPACITY"
    (tmp_path / "partition-cap.json").write_text(json.dumps(doc))
    done = cli("vectors", "check", str(tmp_path))
    assert done.returncode == 1
    assert "moved: hub/partition-cap" in done.stdout and "step 5: outcome moved" in done.stdout
    assert moved(load_case(source)) is None


def test_vectors_generate_writes_a_tree_that_checks(tmp_path: Path) -> None:
    """CONF-11: `vectors generate OUT --seed S` then `vectors check OUT` on a fresh tree."""
    done = cli("vectors", "generate", str(tmp_path), "--seed", "3")
    assert done.returncode == 0, done.stderr
    files = case_files(tmp_path)
    assert len(files) == len(CASES)
    random = [load_case(p) for p in files if "random" in p.name]
    assert random and all(c.seed is not None and c.seed >= 3 for c in random)


def test_vectors_check_on_garbage_is_a_usage_error(tmp_path: Path) -> None:
    """CLI-2: a file that is not a case is one line on stderr, exit 2."""
    (tmp_path / "x.json").write_text('{"format": "intermargin-case/1"}')
    done = cli("vectors", "check", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not a test vector" in done.stderr
    assert cli("vectors", "check", str(tmp_path / "nope")).returncode == 2


def test_random_cases_reach_far_into_the_protocol() -> None:
    """CONF-9: the seeded random cases are not trivial: they hold accepted and refused
    steps, deliveries and, under the adversary chapter, injections."""
    random = [c for c in CASES if c.kind == "random"]
    assert len(random) == 2 * len(CHAPTERS)
    statuses = {s.outcome.status for c in random for s in c.steps}
    assert statuses == {"accepted", "rejected", "ignored"}
    kinds = {s.action.type for c in random if c.chapter == "adversary" for s in c.steps}
    assert {"Inject", "Deliver", "Trade", "GrantCredit"} <= kinds
