"""Reading a trace file (TRC-1) in bounded memory, for `intermargin replay` (CLI-8).

A trace is one JSON document whose `steps` may run to hundreds of thousands.  Parsing
it whole would hold every step as an object (a gigabyte for a 50 MB file), so the file
is read as text (at most MAX_INPUT_BYTES) and walked: the members other than `steps`
are validated together as a `Trace` without steps, and each step is validated on its
own when it is reached.  `open_trace` walks every step once first, so a malformed step
anywhere is a one-line error before anything is printed (CLI-2); `TraceFile.steps()`
then yields the steps again, one at a time, for the replay.
"""

import json
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

from intermargin.errors import UsageError, clip, first_error, read_input
from spec.trace import Trace, TraceStep

STEP = TypeAdapter(TraceStep)
Seen = Callable[[TraceStep], None]
"""Called with each step as the first pass validates it."""
DECODER = json.JSONDecoder()
WHITESPACE = " \t\n\r"


class Spans:
    """Where each element's text starts and ends: two arrays of machine integers (16 bytes
    a step, not a tuple object per step)."""

    def __init__(self) -> None:
        self.starts = array("q")
        self.ends = array("q")

    def add(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.starts, self.ends, strict=True)


class Malformed(Exception):
    """Not JSON, or not a trace: the reason, without the file name."""


@dataclass(frozen=True)
class TraceFile:
    """A validated trace file: its members with no steps, the text of the steps, and
    where each step's text starts and ends."""

    head: Trace
    text: str
    spans: Spans

    @property
    def length(self) -> int:
        return len(self.spans)

    def steps(self) -> Iterator[TraceStep]:
        """The steps, validated again one by one as they are needed."""
        for start, end in self.spans:
            yield STEP.validate_json(self.text[start:end])


def skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in WHITESPACE:
        i += 1
    return i


def expect(text: str, i: int, char: str) -> int:
    i = skip(text, i)
    if i >= len(text) or text[i] != char:
        found = "end of file" if i >= len(text) else repr(text[i])
        raise Malformed(f"not JSON: expected {char!r}, found {found} {where(text, i)}")
    return i + 1


def where(text: str, i: int) -> str:
    line = text.count("\n", 0, i) + 1
    return f"at line {line} column {i - (text.rfind(chr(10), 0, i) + 1) + 1}"


def value_end(text: str, i: int) -> int:
    """Where the JSON value starting at `i` ends (Python's parser, bounded errors)."""
    try:
        _, end = DECODER.raw_decode(text, i)
    except json.JSONDecodeError as e:
        raise Malformed(f"not JSON: {e.msg.removesuffix(' at')} {where(text, e.pos)}") from None
    except RecursionError:
        raise Malformed(f"not JSON: nested too deeply {where(text, i)}") from None
    except ValueError as e:  # an integer of thousands of digits
        raise Malformed(f"not JSON: {clip(str(e), 80)} {where(text, i)}") from None
    return int(end)


def members(text: str) -> tuple[dict[str, tuple[int, int]], "Spans | None"]:
    """The top-level object's members (key -> span of its value text), and the spans of
    the elements of `steps` if it is an array."""
    found: dict[str, tuple[int, int]] = {}
    steps: Spans | None = None
    first = skip(text, 0)
    if first < len(text) and text[first] != "{":
        value_end(text, first)  # not JSON at all, or JSON that is not an object
        raise Malformed("invalid Trace: (top level): the document must be a JSON object")
    i = expect(text, 0, "{")
    if skip(text, i) < len(text) and text[skip(text, i)] == "}":
        i = skip(text, i) + 1
    else:
        while True:
            i = skip(text, i)
            if i >= len(text) or text[i] != '"':
                raise Malformed(f"not JSON: expected a member name {where(text, i)}")
            end = value_end(text, i)
            key = json.loads(text[i:end])
            i = skip(text, expect(text, end, ":"))
            start = i
            if key == "steps" and i < len(text) and text[i] == "[":
                steps, i = elements(text, i)
            else:
                steps = None if key == "steps" else steps
                i = value_end(text, i)
            found[key] = (start, i)
            i = skip(text, i)
            if i < len(text) and text[i] == ",":
                i += 1
                continue
            i = expect(text, i, "}")
            break
    if skip(text, i) != len(text):
        raise Malformed(f"not JSON: trailing data {where(text, skip(text, i))}")
    return found, steps


def elements(text: str, i: int) -> tuple["Spans", int]:
    """The spans of an array's elements, and where the array ends."""
    spans = Spans()
    i = skip(text, i + 1)
    if i < len(text) and text[i] == "]":
        return spans, i + 1
    while True:
        i = skip(text, i)
        end = value_end(text, i)
        spans.add(i, end)
        i = skip(text, end)
        if i < len(text) and text[i] == ",":
            i += 1
            continue
        return spans, expect(text, i, "]")


def parse(text: str, seen: Seen | None = None) -> TraceFile:
    """Validate a trace's text, its steps one at a time (each shown to `seen`); raise
    Malformed."""
    found, steps = members(text)
    head_text = ", ".join(
        f"{json.dumps(k)}: {'[]' if k == 'steps' and steps is not None else text[a:b]}"
        for k, (a, b) in found.items()
    )
    try:
        head = Trace.model_validate_json("{" + head_text + "}")
    except ValidationError as e:
        raise Malformed(f"invalid Trace: {clip(first_error(e))}") from None
    spans = steps if steps is not None else Spans()
    for n, (a, b) in enumerate(spans):
        try:
            step = STEP.validate_json(text[a:b])
        except ValidationError as e:
            item = e.errors()[0]
            loc = ".".join(str(p) for p in ("steps", n, *item["loc"]))
            raise Malformed(f"invalid Trace: {clip(loc + ': ' + str(item['msg']))}") from None
        if seen is not None:
            seen(step)
    return TraceFile(head, text, spans)


def open_trace(path: str, seen: Seen | None = None) -> TraceFile:
    """CLI-2, CLI-8: the trace file at `path`, every step validated (and shown to `seen`),
    or a one-line UsageError naming the file."""
    text = read_input(path)
    try:
        return parse(text, seen)
    except Malformed as e:
        raise UsageError(f"{path}: {e}") from None
