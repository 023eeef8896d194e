"""The specification checks itself: chapters, requirement ids, citations, error codes,
invariant ids, and the exported JSON Schema against the pydantic models."""

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from model import initial_state, step
from model.invariants import STATE_INVARIANTS, STEP_INVARIANTS
from model.observe import observe
from model.state import State
from spec.actions import (
    ACTION_TYPES,
    Action,
    AdvanceTime,
    DelistSpoke,
    Deliver,
    Deposit,
    ForceSettle,
    GrantCredit,
    Halt,
    Inject,
    Liquidate,
    ListSpoke,
    PauseSpoke,
    PayOut,
    PublishPrice,
    ReleaseCredit,
    RemoveSpoke,
    Reorg,
    Resume,
    SendReport,
    SetCap,
    Trade,
    UnpauseSpoke,
    Withdraw,
)
from spec.errors import Error
from spec.examples import example_params
from spec.messages import LossClaim
from spec.params import Params
from spec.requirements import (
    DEFINITION_RE,
    ROOT,
    SPEC_DIR,
    chapters,
    cited_ids,
    definitions,
    ids_in,
    requirements,
)
from spec.schema import DIALECT, EXPORTED, SCHEMA_DIR, rendered, stale
from spec.trace import Trace, TraceMeta, TraceStep

CODE_DIRS = [
    ROOT / d
    for d in (
        "model",
        "spec",
        "proofs",
        "intermargin",
        "tests",
        "benchmarks",
        "conformance",
        "stresslab",
    )
]


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def declared_names(params: Params) -> set[str]:
    """Ids of accounts, assets, markets, spokes and feeds: data, not requirement ids."""
    return (
        set(params.accounts)
        | {a.id for a in params.assets}
        | {m.id for m in params.markets}
        | {s.id for s in params.spokes}
        | {f.id for f in params.oracle.feeds}
    )


def one_of_each_action() -> list[Action]:
    return [
        Deposit(account="alice", asset="USD", amount=10_000),
        Withdraw(account="alice", asset="USD", amount=1),
        GrantCredit(account="alice", spoke="arb", amount=500),
        ReleaseCredit(spoke="arb", account="alice", amount=100),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-3, price=2_000),
        SendReport(spoke="arb", account="alice"),
        PublishPrice(feed="pyth", price=2_000),
        AdvanceTime(seconds=5),
        Liquidate(account="alice"),
        SetCap(spoke="sol", cap=0),
        PauseSpoke(spoke="base"),
        UnpauseSpoke(spoke="base"),
        PayOut(spoke="arb", asset="USD", amount=1),
        Deliver(message_id=1),
        Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=7)),
        ForceSettle(account="alice"),
        DelistSpoke(spoke="sol"),
        ListSpoke(spoke="sol"),
        RemoveSpoke(spoke="base"),
        Halt(spoke="sol"),
        Resume(spoke="sol"),
        Reorg(spoke="arb", depth=5),
    ]


def run(actions: list[Action]) -> tuple[State, list[TraceStep]]:
    state = initial_state(example_params())
    steps = []
    for action in actions:
        state, outcome = step(state, action)
        steps.append(TraceStep(action=action, outcome=outcome))
    return state, steps


# --- chapters and requirement ids ---------------------------------------------------


def test_every_requirement_line_is_well_formed() -> None:
    """Requirement line format (README): a list item that starts with a bold id is a
    definition the parser reads, `- **ID** — text`, and nothing else."""
    bad = []
    for path in chapters():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            starts_like_one = re.match(r"- \*\*[A-Z]{2,}(-[A-Z]+)*-\d", line)
            if starts_like_one and not DEFINITION_RE.match(line):
                bad.append(f"{path.name}:{n}: {line}")
    assert bad == []


def test_no_id_is_defined_twice() -> None:
    """README: each requirement id is defined exactly once across all chapters."""
    seen: dict[str, str] = {}
    twice = []
    for r in definitions():
        where = f"{r.chapter}.md:{r.line}"
        if r.id in seen:
            twice.append(f"{r.id} at {seen[r.id]} and {where}")
        seen[r.id] = where
    assert twice == []
    assert len(requirements()) == len(definitions())


def test_every_requirement_has_text() -> None:
    """README: a requirement states something; no id stands alone."""
    assert [r.id for r in requirements().values() if len(r.text) < 20] == []


def test_the_readme_indexes_every_chapter() -> None:
    """README: the index lists every chapter, and every chapter it lists exists."""
    readme = (SPEC_DIR / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\]\(([A-Za-z-]+\.md)\)", readme))
    assert listed == {p.name for p in chapters()}


def test_cross_references_between_chapters_resolve() -> None:
    """README: every id a chapter mentions, ranges included, is defined somewhere."""
    defined = requirements()
    data = declared_names(example_params())
    dangling = []
    for path in chapters():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for _, rid in ids_in(line):
                if rid not in defined and rid not in data:
                    dangling.append(f"{path.name}:{n}: {rid}")
    assert dangling == []


def test_every_id_cited_in_code_is_defined_in_the_spec() -> None:
    """README: ids cited in docstrings and comments of model/, spec/, proofs/, intermargin/
    and tests/ are all defined (market ids such as ETH-C-2000 are data, not citations)."""
    defined = requirements()
    data = declared_names(example_params())
    missing = {
        rid: places
        for rid, places in cited_ids(CODE_DIRS).items()
        if rid not in defined and rid not in data
    }
    assert missing == {}


def test_citations_expand_ranges_and_skip_plain_strings(tmp_path: Path) -> None:
    """README: a range cites every id in it; a string that is data is not a citation."""
    source = tmp_path / "cites.py"
    source.write_text(
        '"""Implements HUB-GRANT-1..3 and LIQ-6..LIQ-7."""\nMARKET = "ETH-C-2000"\n# see RISK-6\n',
        encoding="utf-8",
    )
    cited = cited_ids([source])
    assert sorted(cited) == [
        "HUB-GRANT-1",
        "HUB-GRANT-2",
        "HUB-GRANT-3",
        "LIQ-6",
        "LIQ-7",
        "RISK-6",
    ]
    assert cited["RISK-6"] == [f"{source}:3"]


def test_every_error_code_is_documented() -> None:
    """ERR-1: every code in spec/errors.py has a row in errors.md saying whether it is
    rejected or ignored, and errors.md names no code that does not exist."""
    text = (SPEC_DIR / "errors.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z_]+)` \| (rejected|ignored) \|", text, flags=re.MULTILINE)
    assert {code for code, _ in rows} == {e.value for e in Error}


def test_every_model_invariant_is_defined_in_invariants_md() -> None:
    """INV-*: every id in STATE_INVARIANTS and STEP_INVARIANTS, INV-LIQ-2 and the risk laws
    INV-RISK-1..4 are defined in invariants.md, which defines only INV-* ids."""
    in_chapter = {r.id for r in requirements().values() if r.chapter == "invariants"}
    needed = set(STATE_INVARIANTS) | set(STEP_INVARIANTS) | {"INV-LIQ-2"}
    needed |= {f"INV-RISK-{n}" for n in range(1, 5)}
    assert needed <= in_chapter
    assert all(rid.startswith("INV-") for rid in in_chapter)


def test_every_invariant_says_what_kind_it_is() -> None:
    """invariants.md: each invariant says whether it is a state invariant, a step
    invariant, a liveness property or a law."""
    kinds = ("state invariant", "step invariant", "liveness property", "law")
    unclassified = [
        r.id
        for r in requirements().values()
        if r.chapter == "invariants" and not any(k in r.text for k in kinds)
    ]
    assert unclassified == []


# --- JSON Schema ----------------------------------------------------------------------


def test_exported_schemas_are_current() -> None:
    """TRC-1, OBS-1: spec/schema/*.json equals what the pydantic models export now."""
    assert stale() == []
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json")) == sorted(rendered())


def test_schema_export_is_deterministic() -> None:
    """Two exports give the same text: sorted keys and one trailing newline."""
    first, second = rendered(), rendered()
    assert first == second
    assert all(text.endswith("}\n") and not text.endswith("\n\n") for text in first.values())


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_every_schema_is_valid_json_schema(name: str) -> None:
    """Each exported file is a valid draft 2020-12 schema."""
    assert validator(name).schema["$schema"] == DIALECT


def test_the_example_parameters_validate_against_the_schema() -> None:
    """PAR-10: spec/examples/params.json validates and parses back equal to example_params()."""
    text = (SPEC_DIR / "examples" / "params.json").read_text(encoding="utf-8")
    validator("params").validate(json.loads(text))
    assert Params.model_validate_json(text) == example_params()


def test_every_action_type_validates_against_the_action_schema() -> None:
    """ACT-1..ACT-19: one action of each type, dumped to JSON, is valid."""
    actions = one_of_each_action()
    assert {type(a) for a in actions} == set(ACTION_TYPES)
    for action in actions:
        validator("action").validate(action.model_dump(mode="json"))


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ({"type": "Deposit", "account": "alice", "asset": "USD", "amount": 0}, "amount"),
        ({"type": "Deposit", "account": "alice", "asset": "USD"}, "missing"),
        ({"account": "alice", "spoke": "arb", "amount": 1}, "no type tag"),
        ({"type": "Deliver", "message_id": 1, "extra": 1}, "unknown field"),
        ({"type": "AdvanceTime", "seconds": "5"}, "string for int"),
        ({"type": "Mint", "amount": 1}, "unknown type"),
    ],
)
def test_the_action_schema_rejects_what_the_models_reject(
    document: dict[str, Any], why: str
) -> None:
    """PAR-13: an action the pydantic models refuse is also invalid under the schema."""
    errors = list(validator("action").iter_errors(document))
    assert errors, why
    with pytest.raises(ValueError, match="validation error"):
        EXPORTED["action"].validate_json(json.dumps(document))


def test_a_trace_of_a_run_validates_and_round_trips() -> None:
    """TRC-1..TRC-3: a trace built from a run of actions, outcomes recorded, is valid under
    the schema and parses back equal."""
    _, steps = run(
        [
            Deposit(account="alice", asset="USD", amount=10_000),
            PublishPrice(feed="chainlink", price=2_000),
            PublishPrice(feed="pyth", price=2_010),
            GrantCredit(account="alice", spoke="arb", amount=1_000),
            Deliver(message_id=1),
            Deliver(message_id=1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=2_000),
        ]
    )
    assert [s.outcome.status for s in steps if s.outcome] == ["accepted"] * 5 + [
        "rejected",
        "accepted",
    ]
    trace = Trace(
        params=example_params(),
        initial=observe(initial_state(example_params())),
        steps=tuple(steps),
        meta=TraceMeta(source="scenario", note="grant, replay, trade"),
    )
    document = trace.model_dump(mode="json")
    validator("trace").validate(document)
    assert Trace.model_validate_json(json.dumps(document)) == trace


def test_observable_states_and_envelopes_validate() -> None:
    """OBS-1..OBS-4, MSG-8: the observable state after a run, and each envelope in flight,
    are valid under their schemas."""
    state, steps = run(one_of_each_action())
    assert any(s.outcome and s.outcome.status == "accepted" for s in steps)
    obs = observe(state).model_dump(mode="json")
    validator("observable-state").validate(obs)
    for envelope in state.network.in_flight.values():
        validator("envelope").validate(envelope.model_dump(mode="json"))
        validator("message").validate(envelope.payload.model_dump(mode="json"))
    for s in steps:
        assert s.outcome is not None
        validator("outcome").validate(s.outcome.model_dump(mode="json"))


def test_outcome_schema_refuses_an_unknown_error_code() -> None:
    """ERR-1: the set of error codes is closed."""
    errors = list(
        validator("outcome").iter_errors({"status": "rejected", "error": "OOPS", "emitted": []})
    )
    assert errors


def test_the_parser_reads_a_requirement_with_its_continuation_lines(tmp_path: Path) -> None:
    """README: a requirement's text runs over its indented lines, blank lines included, up
    to the next unindented line; other list items and fenced examples are not requirements."""
    (tmp_path / "demo.md").write_text(
        "# Demo\n\n"
        "- **DEMO-1** — First line\n  second line.\n\n  More of it.\n"
        "- **Note** — not a requirement\n\n"
        "```\n- **DEMO-9** — an example in a fence\n```\n\n"
        "- **DEMO-2** — Alone.\nProse after.\n",
        encoding="utf-8",
    )
    found = requirements(tmp_path)
    assert sorted(found) == ["DEMO-1", "DEMO-2"]
    assert found["DEMO-1"].text == "First line second line. More of it."
    assert (found["DEMO-2"].chapter, found["DEMO-2"].line, found["DEMO-2"].text) == (
        "demo",
        13,
        "Alone.",
    )


def test_an_id_defined_twice_is_an_error_naming_both_places(tmp_path: Path) -> None:
    """README: each id is defined exactly once; `requirements()` refuses a second one."""
    (tmp_path / "a.md").write_text("- **DEMO-1** — Once.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("\n- **DEMO-1** — Twice.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"DEMO-1 defined twice: a\.md:1 and b\.md:2"):
        requirements(tmp_path)
