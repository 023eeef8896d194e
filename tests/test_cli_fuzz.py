"""Fuzzing every command that reads a file or a flag (CLI-2, CLI-3, CLI-7, CLI-8): for
malformed input the CLI exits 2 with exactly one line on stderr, prints nothing on
stdout, and never shows a traceback.

The CLI's `main(argv)` is called in-process with its output captured (fast enough for
CI); a few subprocess runs check the same at the process boundary.  Each property also
tallies the kinds of error it provoked and asserts that many distinct ones were reached,
so that the generated inputs are shown to get past argparse into each parser.
"""

import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from intermargin.cli import main, parser
from intermargin.errors import EXIT_USAGE
from intermargin.scenarios import SCENARIOS
from intermargin.timeline import run, to_json
from model.observe import observe
from spec.examples import example_params

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

Json = Any

parser()  # import every command (and register the fuzzer's profiles) outside any @given


def call(argv: list[str]) -> tuple[int, str, str]:
    """`intermargin ARGV` in-process: exit code, stdout, stderr.  Any exception but
    SystemExit propagates, failing the test: that would be a traceback."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def kind_of(error_line: str) -> str:
    """An error's kind: its words with names, numbers and paths taken out."""
    text = error_line.split("error:", 1)[-1]
    text = re.sub(r"(unrecognized arguments):.*", r"\1", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\S*/\S*|\S*\.json\S*|zz-\S*", " ", text)
    return " ".join(re.findall(r"--[a-z-]+|[A-Za-z]{2,}", text)[:5])


def assert_usage_error(argv: list[str], kinds: Counter[str]) -> None:
    """Exit 2, one line on stderr starting `intermargin`, nothing on stdout."""
    code, out, err = call(argv)
    assert "Traceback" not in err, err
    assert code == EXIT_USAGE, (argv, code, err[-500:])
    assert err.count("\n") == 1 and err.startswith("intermargin"), err
    assert out == "", out[:500]
    kind = kind_of(err)
    kinds[kind] += 1
    event(kind)


# --- files: replay FILE and scenario --params FILE -------------------------------------------


def small_trace() -> Json:
    trace = to_json(run(SCENARIOS["crash"]))["trace"]
    trace["steps"] = trace["steps"][:4]
    return trace


def params_document() -> Json:
    return json.loads(example_params().model_dump_json())


def paths_in(doc: Json, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a leaf (or an empty container) of a JSON document."""
    if isinstance(doc, dict) and doc:
        return [p for k, v in doc.items() for p in paths_in(v, (*prefix, k))]
    if isinstance(doc, list) and doc:
        return [p for i, v in enumerate(doc) for p in paths_in(v, (*prefix, i))]
    return [prefix]


def get(doc: Json, path: tuple[Any, ...]) -> Json:
    for key in path:
        doc = doc[key]
    return doc


def with_leaf(doc: Json, path: tuple[Any, ...], value: Json) -> Json:
    doc = json.loads(json.dumps(doc))
    if not path:
        return value
    get(doc, path[:-1])[path[-1]] = value
    return doc


def other_type(value: Json) -> st.SearchStrategy[Json]:
    """A value of a JSON type the strict models refuse where `value` stands."""
    if isinstance(value, bool):
        return st.sampled_from(["yes", 1.5, [True]])
    if isinstance(value, int):
        return st.one_of(st.text(max_size=5).map(lambda s: s + "x"), st.just(1.5), st.just([1]))
    if isinstance(value, str):
        return st.one_of(st.integers(-5, 5), st.just(True), st.just({"a": value}))
    if isinstance(value, list):
        return st.one_of(st.integers(), st.just("list"), st.just({"x": 1}))
    if isinstance(value, dict):
        return st.one_of(st.just(7), st.just("object"))
    return st.sampled_from([[], {"z": 1}, 3.25])  # null where something was


@st.composite
def type_swapped(draw: st.DrawFn, base: Json) -> tuple[str, bytes]:
    path = draw(st.sampled_from(paths_in(base)))
    value = draw(other_type(get(base, path)))
    return "wrong type", json.dumps(with_leaf(base, path, value)).encode()


@st.composite
def out_of_bounds(draw: st.DrawFn, base: Json) -> tuple[str, bytes]:
    ints = [p for p in paths_in(base) if type(get(base, p)) is int and get(base, p) >= 0]
    path = draw(st.sampled_from(ints))
    huge = draw(st.sampled_from([-(10**30), -(10**400), -1 - get(base, path)]))
    return "huge number", json.dumps(with_leaf(base, path, huge)).encode()


@st.composite
def truncated(draw: st.DrawFn, base: Json) -> tuple[str, bytes]:
    text = json.dumps(base)
    cut = draw(st.integers(0, len(text) - 1))
    return "truncated", text[:cut].encode()


def deep(depth: int, opener: str) -> bytes:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return (opener * depth + "1" + closer * depth).encode()


def malformed_files(base: Json) -> st.SearchStrategy[tuple[str, bytes]]:
    """Files that are not a valid document of `base`'s kind, each tagged with its class."""
    return st.one_of(
        type_swapped(base),
        out_of_bounds(base),
        truncated(base),
        st.binary(min_size=1, max_size=200).map(lambda b: ("binary", b"\xff\xfe" + b)),
        st.text(max_size=60).map(lambda t: ("text", ("#" + t).encode())),
        st.builds(deep, st.integers(300, 20_000), st.sampled_from(["[", '{"a":'])).map(
            lambda b: ("deep", b)
        ),
        st.just(("empty", b"")),
        st.sampled_from(["null", "[]", "3", '"trace"', "{}", "true"]).map(
            lambda t: ("wrong top level", t.encode())
        ),
        st.just(("duplicate ids", b"")),  # filled in by the test for params
    )


def fuzz_files(
    tmp_path: Path, base: Json, argv_of: Callable[[str], list[str]], fixups: dict[str, bytes]
) -> Counter[str]:
    kinds: Counter[str] = Counter()
    path = tmp_path / "input.json"

    @FUZZ
    @given(malformed_files(base))
    def prop(tagged: tuple[str, bytes]) -> None:
        label, content = tagged
        event(f"class: {label}")
        path.write_bytes(fixups.get(label, content))
        assert_usage_error(argv_of(str(path)), kinds)

    prop()
    return kinds


def test_replay_refuses_every_malformed_trace_in_one_line(tmp_path: Path) -> None:
    """CLI-2, CLI-8: replay of a malformed trace file exits 2 with one line, whatever is
    wrong with it (syntax, types, bounds, nesting, encoding)."""
    base = small_trace()
    dup = {**base, "params": {**base["params"], "accounts": ["alice", "alice"]}}
    kinds = fuzz_files(
        tmp_path,
        base,
        lambda p: ["replay", p, "--json"],
        {"duplicate ids": json.dumps(dup).encode()},
    )
    assert len(kinds) >= 12, kinds


def test_scenario_params_refuses_every_malformed_parameter_set_in_one_line(
    tmp_path: Path,
) -> None:
    """CLI-2, CLI-8: `scenario NAME --params FILE` with a malformed parameter set exits 2
    with one line."""
    base = params_document()
    dup = {**base, "accounts": ["alice", "alice"]}
    kinds = fuzz_files(
        tmp_path,
        base,
        lambda p: ["scenario", "hedged", "--params", p],
        {"duplicate ids": json.dumps(dup).encode()},
    )
    assert len(kinds) >= 12, kinds


# --- flags -------------------------------------------------------------------------------

ODD_VALUES = st.one_of(
    st.text(min_size=1, max_size=12).filter(lambda t: not t.startswith("-")),
    st.just("9" * 5000),
    st.sampled_from(["nan", "-nan", "1e999999", "0x10", "", " ", "1.5", "1e3"]),
)


def unknown_name() -> st.SearchStrategy[str]:
    return st.text("abcdefghij-_./", max_size=10).map(lambda t: "zz-no-such-" + t)


@st.composite
def bad_paths(draw: st.DrawFn, root: Path, want: str) -> str:
    """An output path the CLI must refuse: for a file, a directory or a missing parent;
    for a directory, a file or a path below a file."""
    a_file = root / "a-file"
    a_file.write_text("")
    choices = (
        [str(root), str(root / "missing" / "x.out")]
        if want == "file"
        else [str(a_file), str(a_file / "below")]
    )
    return draw(st.sampled_from(choices))


def pair(option: str, value: str) -> list[str]:
    return [option, value]


def command_lines(root: Path, trace: Path) -> st.SearchStrategy[list[str]]:
    """A command, some harmless options, and at least one bad one (an unknown flag, a
    value of the wrong kind or out of range, an unknown name, an unwritable output)."""
    harmless: dict[str, list[list[str]]] = {
        "prove": [["--no-bmc"], ["--all"], ["--bmc-spokes", "2"], ["--jobs", "1"]],
        "verify": [["--timeout", "5"], ["--contract-timeout", "2"]],
        "fuzz": [["--seed", "1"], ["--quiet"]],
        "trace": [["--gaps"]],
        "scenario": [["--json"]],
        "replay": [["--json"]],
    }
    int_options = {
        "prove": ["--jobs", "--bmc-spokes"],
        "fuzz": ["--steps", "--seed"],
    }
    positive_options = {  # a positive number of seconds, or a positive count
        "prove": ["--timeout"],
        "verify": ["--timeout", "--contract-timeout", "--contract-iterations"],
    }
    file_options = {
        "prove": ["--json", "--junit"],
        "verify": ["--json", "--junit"],
        "trace": ["--json"],
        "replay": ["--itf"],
    }
    dir_options = {"prove": ["--save-counterexamples"], "fuzz": ["--trace-dir"]}

    @st.composite
    def line(draw: st.DrawFn) -> list[str]:
        command = draw(st.sampled_from(sorted(harmless)))
        bad: list[st.SearchStrategy[list[str]]] = [
            st.text("abcxyz-", min_size=1, max_size=8).map(lambda t: ["--bogus-" + t]),
            ODD_VALUES.map(lambda v: [v]),  # a stray positional
        ]
        for option in int_options.get(command, []):
            bad.append(ODD_VALUES.map(partial(pair, option)))
            bad.append(st.just([option]))  # a missing value
        for option in positive_options.get(command, []):
            bad.append(
                st.sampled_from(["0", "-1", "nan", "-inf", "abc"]).map(partial(pair, option))
            )
        for option in file_options.get(command, []):
            bad.append(bad_paths(root, "file").map(partial(pair, option)))
        for option in dir_options.get(command, []):
            bad.append(bad_paths(root, "dir").map(partial(pair, option)))
        if command == "prove":
            bad += [
                unknown_name().map(lambda n: ["--only", n]),
                unknown_name().map(lambda n: ["--mutant", n]),
                st.sampled_from(["0", "4", "-1"]).map(lambda n: ["--bmc-spokes", n]),
                st.sampled_from(["0", "-2"]).map(lambda n: ["--jobs", n]),
            ]
        if command == "verify":
            bad += [st.tuples(st.sampled_from(["--only", "--skip"]), unknown_name()).map(list)]
        if command == "fuzz":
            bad += [
                st.sampled_from(["0", "-5", str(10**9)]).map(lambda n: ["--steps", n]),
                st.sampled_from(["-1", str(2**63)]).map(lambda n: ["--seed", n]),
            ]
        positional: list[str] = []
        if command == "scenario":
            positional = ["hedged"]
            bad += [
                unknown_name().map(lambda n: ["@", n]),
                unknown_name().map(lambda n: ["--list", n]),
                st.just(["--params", str(root / "missing.json")]),
                st.just(["--params", str(root)]),
            ]
        if command == "replay":
            positional = [str(trace)]
            bad += [st.just(["@", str(root / "missing.json")]), st.just(["@", str(root)])]
        chosen_bad = draw(st.one_of(*bad))
        if chosen_bad[0] == "@":  # a bad positional argument in place of the good one
            positional, chosen_bad = chosen_bad[1:], []
        if command == "scenario" and chosen_bad[:1] == ["--list"]:
            positional = []
        # no harmless option may override the bad one (that would run the whole command)
        safe = [h for h in harmless[command] if h[0] not in chosen_bad]
        extras = draw(st.lists(st.sampled_from(safe), max_size=2, unique_by=str)) if safe else []
        parts = [p for p in [positional, *extras, chosen_bad] if p]
        order = draw(st.permutations(range(len(parts))))
        return [command] + [token for i in order for token in parts[i]]

    return line()


def test_every_command_refuses_bad_flags_in_one_line(tmp_path: Path) -> None:
    """CLI-2, CLI-3, CLI-7: prove, verify, fuzz, trace, scenario and replay with a bad flag
    or value exit 2 with one line before doing anything."""
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps(small_trace()))
    kinds: Counter[str] = Counter()
    commands: Counter[str] = Counter()

    @settings(FUZZ, max_examples=250)
    @given(command_lines(tmp_path, trace))
    def prop(argv: list[str]) -> None:
        commands[argv[0]] += 1
        assert_usage_error(argv, kinds)

    prop()
    assert set(commands) == {"prove", "verify", "fuzz", "trace", "scenario", "replay"}
    assert len(kinds) >= 20, kinds


# --- at the process boundary -----------------------------------------------------------------


@pytest.mark.parametrize(
    "case", ["deep replay", "binary params", "itf to a directory", "bogus flag"]
)
def test_a_malformed_input_in_a_real_process_is_one_line_and_exit_2(
    case: str, tmp_path: Path
) -> None:
    """CLI-2, CLI-8: the same through `python -m intermargin.cli`, as a user runs it."""
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps(small_trace()))
    bad = tmp_path / "bad.json"
    argv = {
        "deep replay": ["replay", str(bad)],
        "binary params": ["scenario", "hedged", "--params", str(bad)],
        "itf to a directory": ["replay", str(trace), "--itf", str(tmp_path)],
        "bogus flag": ["prove", "--bogus"],
    }[case]
    bad.write_bytes(deep(50_000, "[") if case == "deep replay" else b"\x00\xff garbage")
    done = subprocess.run(
        [sys.executable, "-m", "intermargin.cli", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == EXIT_USAGE
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""


# --- a trace starting from a reshaped state (TRC-6) ------------------------------------------


def trace_from_a_busy_state() -> Json:
    """The first steps of `crash` recorded from the state its first 12 steps reach
    (credit granted, messages in flight, positions reported)."""
    crash = run(SCENARIOS["crash"])
    doc = to_json(crash)["trace"]
    doc["initial"] = json.loads(observe(crash.steps[11].after).model_dump_json())
    doc["steps"] = doc["steps"][12:16]
    return doc


def dict_paths(doc: Json, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a non-empty object inside a JSON document."""
    found = [prefix] if isinstance(doc, dict) and doc else []
    items = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    )
    return found + [p for k, v in items for p in dict_paths(v, (*prefix, k))]


@st.composite
def reshaped(draw: st.DrawFn, base: Json) -> tuple[str, Json]:
    """The trace with one object of its initial state missing a key, given an extra key (a
    copy of a sibling under a new name), or with a key renamed."""
    doc = json.loads(json.dumps(base))
    path = draw(st.sampled_from(dict_paths(doc["initial"], ("initial",))))
    target = get(doc, path)
    key = draw(st.sampled_from(sorted(target)))
    how = draw(st.sampled_from(["missing", "extra", "renamed"]))
    name = draw(st.sampled_from(["mallory", "arb-2", "DOGE", "hub", "ETH"]))
    if how == "missing":
        del target[key]
    elif how == "extra":
        target[name] = target[key]
    else:
        target[name] = target.pop(key)
    return how, doc


def test_replay_from_a_reshaped_state_is_refused_or_replayed_never_a_crash(
    tmp_path: Path,
) -> None:
    """CLI-2, TRC-6: an initial state with a key missing, added or renamed anywhere is
    refused in one line (exit 2) when it does not fit the parameters, and otherwise
    replayed (exit 0 or 1); never a traceback."""
    base = trace_from_a_busy_state()
    path = tmp_path / "reshaped.json"
    codes: Counter[int] = Counter()

    @FUZZ
    @given(reshaped(base))
    def prop(change: tuple[str, Json]) -> None:
        how, doc = change
        path.write_text(json.dumps(doc))
        code, _, err = call(["replay", str(path), "--json"])
        assert "Traceback" not in err
        assert code in (0, 1, 2)
        if code == EXIT_USAGE:
            assert err.count("\n") == 1 and err.startswith("intermargin: error: "), err
        codes[code] += 1
        event(f"{how}: exit {code}")

    prop()
    assert codes[EXIT_USAGE] >= 60, codes
