"""The bounded-memory trace reader (CLI-8) reads exactly what pydantic reads whole
(TRC-1): the same trace from a valid file, whatever its layout, and a refusal for every
file pydantic refuses."""

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from intermargin.scenarios import SCENARIOS
from intermargin.timeline import run, to_json
from intermargin.trace_file import Malformed, parse
from spec.trace import Trace
from tests.test_cli_fuzz import malformed_files

Json = Any

CHECK = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def trace_of(name: str) -> Json:
    doc = to_json(run(SCENARIOS[name]))["trace"]
    doc["steps"] = doc["steps"][:6]
    return doc


def read_whole(text: str) -> Trace:
    return Trace.model_validate_json(text)


def read_streamed(text: str) -> Trace:
    found = parse(text)
    return found.head.model_copy(update={"steps": tuple(found.steps())})


@CHECK
@given(
    name=st.sampled_from(sorted(SCENARIOS)),
    order_seed=st.integers(0, 1000),
    indent=st.sampled_from([None, 0, 1, 4]),
    separators=st.sampled_from([None, (",", ":"), (" , ", " : ")]),
)
def test_a_valid_trace_reads_the_same_whatever_its_layout(
    name: str, order_seed: int, indent: int | None, separators: tuple[str, str] | None
) -> None:
    """CLI-8, TRC-1: members in any order (steps before params included), any whitespace:
    the streamed reading equals pydantic's whole reading."""
    doc = trace_of(name)
    keys = list(doc)
    random.Random(order_seed).shuffle(keys)
    event(f"steps before params: {keys.index('steps') < keys.index('params')}")
    text = json.dumps({k: doc[k] for k in keys}, indent=indent, separators=separators)
    assert read_streamed(text) == read_whole(text)
    assert len(read_streamed(text).steps) == len(doc["steps"])


@CHECK
@given(malformed_files(trace_of("crash")))
def test_the_streamed_reader_refuses_what_pydantic_refuses(tagged: tuple[str, bytes]) -> None:
    """CLI-2, CLI-8: for malformed files (wrong types, bounds, syntax, nesting), the
    streamed reader refuses exactly when pydantic does."""
    label, content = tagged
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        event("not utf-8")
        return
    event(label)
    try:
        read_whole(text)
        whole_ok = True
    except ValidationError:
        whole_ok = False
    try:
        parse(text)
        streamed_ok = True
    except Malformed:
        streamed_ok = False
    assert streamed_ok == whole_ok


@pytest.mark.parametrize(
    "text",
    ['{"steps": 5, "params": {}}', "[]", '{"format": "intermargin-trace/1"} extra', "{"],
)
def test_shapes_the_walker_must_not_accept(text: str) -> None:
    """CLI-8: a non-array `steps`, a non-object document, trailing data, an unclosed
    object: refused like pydantic refuses them."""
    with pytest.raises(ValidationError):
        read_whole(text)
    with pytest.raises(Malformed):
        parse(text)
