"""A run in the Informal Trace Format of Apalache and Quint (TRC-5, ITF-1..ITF-8).

ITF is `{"#meta": {...}, "params": [], "vars": [...], "states": [...]}`: one object per
state, mapping each variable to a value typed the same in every state (ITF-1).  The
observable state (OBS-1..OBS-4) becomes ITF by type, never by shape:

- an integer is `{"#bigint": "<decimal>"}`; booleans and strings stay as they are (ITF-2);
- a map keyed by ids or message ids is `{"#map": [[key, value], ...]}`, sorted by key (ITF-3);
- a collection whose order means nothing (paused spokes, delivered ids, ...) is
  `{"#set": [...]}`, sorted; one whose order matters (`emitted`, `positions`) a list (ITF-4);
- a model with fixed fields is a record (ITF-5);
- an action or a message is a variant `{"tag": <its type>, "value": <its other fields>}`;
  the first state's action is `{"tag": "Init", "value": "U_OF_UNIT"}` (ITF-6);
- an outcome is the variant `Accepted {emitted}`, `Rejected {error, emitted}`,
  `Ignored {error, emitted}`, and `Init` in the first state (ITF-7);
- there is no `null`: the only optional value (`ghost`) is always present in a run (ITF-8).

`ItfWriter` writes the document state by state, so that a long run is written as it is
replayed (CLI-8).
"""

import io
import json
from collections.abc import Iterable
from typing import Any, TextIO

from pydantic import BaseModel

from spec.actions import Action
from spec.messages import Envelope, Message
from spec.observable import ChainView, NetworkView, ObservableState
from spec.outcome import Outcome

ITF_VARS = (
    "action",
    "outcome",
    "now",
    "quotes",
    "expiry_prices",
    "hub",
    "spokes",
    "network",
    "ghost",
    "chains",
)

UNIT = "U_OF_UNIT"
"""Apalache's value of the unit type: the payload of a variant that carries nothing (ITF-6).
(Quint writes `{"#tup": []}` there, which itf-py cannot read back.)"""

SET_FIELDS = frozenset({"pending", "paused", "delivered", "compromised", "linked", "severed"})
"""ITF-4: the tuples of the observable state whose order means nothing (for `linked` and
`severed`, the spokes of each account)."""

ITF_SPEC = "https://apalache-mc.org/docs/adr/015adr-trace.html"

Json = Any


def bigint(n: int) -> Json:
    """ITF-2: an integer, exact at any size."""
    return {"#bigint": str(n)}


def order(value: Json) -> tuple[int, int, str]:
    """The order of map keys and set elements: integers by value, then anything else by
    its JSON text."""
    if isinstance(value, dict) and "#bigint" in value:
        return (0, int(value["#bigint"]), "")
    return (1, 0, json.dumps(value))


def itf_map(entries: Iterable[tuple[Json, Json]]) -> Json:
    """ITF-3: a map, as [key, value] pairs sorted by key."""
    return {"#map": [[k, v] for k, v in sorted(entries, key=lambda kv: order(kv[0]))]}


def itf_set(items: Iterable[Json]) -> Json:
    """ITF-4: a set, its elements sorted."""
    return {"#set": sorted(items, key=order)}


def variant(tag: str, value: Json) -> Json:
    """ITF-6: a value of a sum type."""
    return {"tag": tag, "value": value}


def itf_value(value: Any, field: str = "") -> Json:
    """ITF-2..ITF-5 by the value's Python type, `field` being the name it has in its record
    (it decides sets against lists): an id-keyed dict is a `#map` whatever its field, so a
    field added to the observable state is exported correctly without a line here; a
    pydantic model is a record of every field, left-out-when-empty ones included (ITF-1:
    every variable typed the same in every state)."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return bigint(value)
    if isinstance(value, dict):
        return itf_map((itf_value(k), itf_value(v, field)) for k, v in value.items())
    if isinstance(value, list | tuple):
        items = [itf_value(v) for v in value]
        return itf_set(items) if field in SET_FIELDS else items
    if isinstance(value, Envelope):
        return envelope(value)
    if isinstance(value, BaseModel):
        return {name: itf_value(getattr(value, name), name) for name in type(value).model_fields}
    raise TypeError(f"no ITF form for {type(value).__name__} at {field!r}")


def record(model: BaseModel, **special: Json) -> Json:
    """ITF-5: a pydantic model as a record; `special` gives fields converted elsewhere."""
    return {
        name: special[name] if name in special else itf_value(getattr(model, name), name)
        for name in type(model).model_fields
    }


def tagged(model: Action | Message) -> Json:
    """ITF-6: an action or a message as a variant tagged with its type."""
    payload = {"payload": message(model.payload)} if hasattr(model, "payload") else {}
    fields = record(model, **payload)
    del fields["type"]
    return variant(model.type, fields)


def message(payload: Message) -> Json:
    return tagged(payload)


def outcome(o: Outcome) -> Json:
    """ITF-7: an outcome as a variant on its status."""
    emitted = [bigint(i) for i in o.emitted]
    if o.status == "accepted":
        return variant("Accepted", {"emitted": emitted})
    assert o.error is not None, "a rejected or ignored step has an error code (OUT-1)"
    return variant(o.status.capitalize(), {"error": o.error.value, "emitted": emitted})


def envelope(e: Envelope) -> Json:
    return record(e, payload=message(e.payload))


def network(n: NetworkView) -> Json:
    """OBS-3 in ITF: messages in flight by id."""
    return record(
        n,
        in_flight=itf_map((bigint(e.id), envelope(e)) for e in n.in_flight),
    )


def observable(state: ObservableState) -> dict[str, Json]:
    """The observable state as the ITF variables `now` .. `ghost`."""
    if state.ghost is None:
        raise ValueError("an ITF run needs the ghost counters (ITF-8)")
    special = {"network": network(state.network), "chains": chains(state.chains)}
    return {
        name: special[name] if name in special else itf_value(getattr(state, name))
        for name in ITF_VARS[2:]
    }


def chains(views: dict[str, ChainView]) -> Json:
    """ITF-9: each spoke's chain as one record whatever it holds: `halted`, `open` (a segment
    exists), and the segment's `checkpoint`, `changed` and `sent` (empty and 0 without one),
    so no `null` is written and the type never changes."""
    entries = []
    for spoke, view in views.items():
        seg = view.segment
        entries.append(
            (
                spoke,
                {
                    "halted": view.halted,
                    "open": seg is not None,
                    "checkpoint": itf_value(seg.checkpoint if seg else {}),
                    "changed": bigint(seg.changed if seg else 0),
                    "sent": itf_set(bigint(i) for i in (seg.sent if seg else ())),
                },
            )
        )
    return itf_map(entries)


def itf_state(
    index: int, state: ObservableState, led_by: tuple[Action, Outcome] | None
) -> dict[str, Json]:
    """ITF-1: one state: the action and outcome that led to it (`Init` for the first),
    then the observable state."""
    return {
        "#meta": {"index": index},
        "action": variant("Init", UNIT) if led_by is None else tagged(led_by[0]),
        "outcome": variant("Init", UNIT) if led_by is None else outcome(led_by[1]),
        **observable(state),
    }


def header(source: str) -> dict[str, Json]:
    return {
        "#meta": {
            "format": "ITF",
            "format-description": ITF_SPEC,
            "source": source,
            "description": "intermargin run",
        },
        "params": [],
        "vars": list(ITF_VARS),
    }


class ItfWriter:
    """TRC-5: writes an ITF document to `out` one state at a time, so that a long run is
    written as it is replayed and never held whole: the header and the first state at
    once, each `add`ed state as it comes, the end at `close`."""

    def __init__(self, out: TextIO, initial: ObservableState, source: str = "") -> None:
        self.out = out
        self.index = 0
        head = json.dumps(header(source))
        out.write(head[:-1] + ', "states": [\n' + json.dumps(itf_state(0, initial, None)))

    def add(self, action: Action, result: Outcome, state: ObservableState) -> None:
        self.index += 1
        self.out.write(",\n" + json.dumps(itf_state(self.index, state, (action, result))))

    def close(self) -> None:
        self.out.write("\n]}\n")


def to_itf(
    initial: ObservableState,
    steps: Iterable[tuple[Action, Outcome, ObservableState]],
    source: str = "",
) -> dict[str, Json]:
    """TRC-5: the run from `initial` through each (action, outcome, state after)."""
    text = io.StringIO()
    writer = ItfWriter(text, initial, source)
    for action, result, state in steps:
        writer.add(action, result, state)
    writer.close()
    parsed: dict[str, Json] = json.loads(text.getvalue())
    return parsed
