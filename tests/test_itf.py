"""ITF export (TRC-5, ITF-1..ITF-8) read back by itf-py, the reference Python client of
Apalache and Quint traces: every exported trace round-trips, has no `null`, and gives
each variable one type in every state."""

import json
from collections.abc import Callable
from functools import partial, reduce
from pathlib import Path
from typing import Any

import pytest
from itf_py import trace_from_json, trace_to_json

from intermargin.cli import main
from intermargin.errors import EXIT_FAILED, EXIT_OK
from intermargin.fuzzing.machine import run_machine
from intermargin.fuzzing.mutants import applied, by_name
from intermargin.fuzzing.profiles import MUTANT, profile
from intermargin.fuzzing.traces import failure_trace
from intermargin.scenarios import SCENARIOS
from intermargin.timeline import run, to_json
from proofs.checking import check
from proofs.concretize import trace_of
from spec.itf import ITF_VARS

Json = Any


def scenario_trace(name: str) -> str:
    return json.dumps(to_json(run(SCENARIOS[name]))["trace"])


def renamed_trace() -> str:
    """The crash scenario with every account and spoke id renamed to one with `.` or `-`
    (ids the params schema allows and that are not identifiers: ITF-3)."""
    text = scenario_trace("crash")
    trace = json.loads(text)
    for account in trace["params"]["accounts"]:
        text = text.replace(f'"{account}"', f'"{account}.v2"')
    for spoke in trace["params"]["spokes"]:
        text = text.replace(f'"{spoke["id"]}"', f'"{spoke["id"]}-1"')
    return text


def fuzz_trace() -> str:
    """A failing run the fuzzer found in a model with a planted bug."""
    with applied(by_name("release-keeps-line")):
        found = run_machine(profile(MUTANT))
    assert found.failure is not None
    return failure_trace(found.failure).model_dump_json()


def counterexample_trace() -> str:
    """A proof's counterexample to induction, from a mutant of the encoding."""
    verdict = check("credit-conservation/step/ReleaseCredit", mutant="release-without-debit")
    assert verdict.counterexample is not None
    return trace_of(verdict.counterexample, mutant="release-without-debit").model_dump_json()


TRACES: dict[str, Callable[[], str]] = {
    **{f"scenario-{name}": partial(scenario_trace, name) for name in SCENARIOS},
    "ids-with-dot-and-dash": renamed_trace,
    "fuzz": fuzz_trace,
    "counterexample": counterexample_trace,
}


@pytest.fixture(scope="module", params=sorted(TRACES))
def exported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Json:
    """The ITF that `intermargin replay FILE --itf OUT` writes for one trace."""
    folder = tmp_path_factory.mktemp("itf")
    path, out = folder / "trace.json", folder / "trace.itf.json"
    path.write_text(TRACES[request.param]())
    code = main(["replay", str(path), "--json", "--itf", str(out)])
    assert code in (EXIT_OK, EXIT_FAILED)
    return json.loads(out.read_text())


def canonical(value: Json) -> Json:
    """The same ITF value with every set's elements in one order (a set has none)."""
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"#set"}:
            return {"#set": sorted((canonical(v) for v in value["#set"]), key=json.dumps)}
        return {k: canonical(v) for k, v in value.items()}
    return value


def test_every_exported_trace_round_trips_through_itf_py(exported: Json) -> None:
    """TRC-5, ITF-1..ITF-7: itf-py reads the export and writes back the same JSON (sets
    compared as sets; itf-py adds `"loop": null` for a trace that is not a lasso)."""
    again = trace_to_json(trace_from_json(exported))
    assert again.pop("loop") is None and "loop" not in exported
    assert canonical(again) == canonical(exported)
    assert len(exported["states"]) >= 2


def nulls(value: Json, where: str = "") -> list[str]:
    if value is None:
        return [where]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in nulls(v, f"{where}[{i}]")]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in nulls(v, f"{where}.{k}")]
    return []


def test_no_exported_trace_holds_null(exported: Json) -> None:
    """ITF-8: ITF has no null."""
    assert nulls(exported) == []


class TypeClash(Exception):
    pass


def type_of(value: Json) -> Json:
    """The ITF type of a value; `None` for an empty collection's unknown element type."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return ("seq", element(value))
    assert isinstance(value, dict), value
    if set(value) == {"#bigint"}:
        return "int"
    if set(value) == {"#set"}:
        return ("set", element(value["#set"]))
    if set(value) == {"#map"}:
        pairs = value["#map"]
        return ("map", element([k for k, _ in pairs]), element([v for _, v in pairs]))
    if set(value) == {"#tup"}:
        return ("tup", *(type_of(v) for v in value["#tup"]))
    if set(value) == {"tag", "value"}:
        return ("variant", ((value["tag"], type_of(value["value"])),))
    return ("record", tuple(sorted((k, type_of(v)) for k, v in value.items())))


def unify(a: Json, b: Json) -> Json:
    """The one type of two values that must have the same type, or TypeClash."""
    if a is None or b is None:
        return b if a is None else a
    if a == b:
        return a
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "variant":
        tags = dict(a[1])
        for tag, t in b[1]:
            tags[tag] = unify(tags.get(tag), t)
        return ("variant", tuple(sorted(tags.items(), key=lambda kv: kv[0])))
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and a[0] == b[0]:
        if a[0] == "record" and [k for k, _ in a[1]] == [k for k, _ in b[1]]:
            return (
                "record",
                tuple((k, unify(x, y)) for (k, x), (_, y) in zip(a[1], b[1], strict=True)),
            )
        if a[0] != "record":
            return (a[0], *(unify(x, y) for x, y in zip(a[1:], b[1:], strict=True)))
    raise TypeClash(f"{a} against {b}")


def element(items: list[Json]) -> Json:
    return reduce(unify, (type_of(v) for v in items), None)


def test_every_variable_has_one_type_in_every_state(exported: Json) -> None:
    """ITF-1: a variable's values in all states unify to one type (a variant may show
    different tags, each with one payload type)."""
    assert exported["vars"] == list(ITF_VARS)
    for state in exported["states"]:
        assert set(state) == {"#meta", *ITF_VARS}
    for var in ITF_VARS:
        unify_all = reduce(unify, (type_of(s[var]) for s in exported["states"]), None)
        assert unify_all is not None


def test_the_type_check_catches_a_variable_that_changes_type() -> None:
    """The check above can fail: an empty record against a variant is a clash."""
    with pytest.raises(TypeClash):
        unify(type_of({}), type_of({"tag": "Deposit", "value": {"amount": {"#bigint": "1"}}}))
    with pytest.raises(TypeClash):
        element([{"#bigint": "1"}, "one"])


def test_ids_that_are_not_identifiers_are_map_keys(exported: Json) -> None:
    """ITF-3: maps keyed by ids are `#map`s, so any id the params allow is a key."""
    hub = exported["states"][-1]["hub"]
    accounts = [k for k, _ in hub["alloc"]["#map"]]
    spokes = [k for k, _ in hub["caps"]["#map"]]
    assert accounts and spokes
    assert all(isinstance(k, str) for k in accounts + spokes)


def test_the_first_state_starts_with_init_and_later_states_with_their_step(
    exported: Json,
) -> None:
    """ITF-6, ITF-7: state 0's action and outcome are `Init`; every later state names its
    action's type and its outcome's status."""
    first, *rest = exported["states"]
    assert first["action"] == {"tag": "Init", "value": "U_OF_UNIT"}
    assert first["outcome"] == {"tag": "Init", "value": "U_OF_UNIT"}
    assert [s["#meta"]["index"] for s in exported["states"]] == list(range(len(rest) + 1))
    for state in rest:
        assert state["action"]["tag"] != "Init"
        assert state["outcome"]["tag"] in ("Accepted", "Rejected", "Ignored")


def test_renamed_ids_reach_the_export(tmp_path: Path) -> None:
    """ITF-3: `alice.v2` and `arb-1` are keys of the hub's maps."""
    path, out = tmp_path / "t.json", tmp_path / "t.itf.json"
    path.write_text(renamed_trace())
    assert main(["replay", str(path), "--json", "--itf", str(out)]) == EXIT_OK
    hub = json.loads(out.read_text())["states"][-1]["hub"]
    assert "alice.v2" in [k for k, _ in hub["alloc"]["#map"]]
    assert "arb-1" in [k for k, _ in hub["caps"]["#map"]]
    again = trace_to_json(trace_from_json(json.loads(out.read_text())))
    assert "alice.v2" in [k for k, _ in again["states"][-1]["hub"]["alloc"]["#map"]]
