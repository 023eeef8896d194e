"""The trace format (TRC-1..TRC-4): one JSON file for a run of steps.

The fuzzer saves failing runs in it, the proof runner saves counterexamples in
it, the conformance kit replays it, and `intermargin replay FILE` runs it
through the model.  A trace starts from the initial state of its parameters,
or from an explicit `initial` observable state (a proof's counterexample to
induction starts from an arbitrary reachable-looking state).
"""

from collections.abc import Iterable
from typing import Literal, Self

from pydantic import Field, model_validator

from spec.actions import Action
from spec.bounds import HUB
from spec.observable import ObservableState
from spec.outcome import Outcome
from spec.params import Frozen, Params

TRACE_FORMAT = "intermargin-trace/1"

GHOST_COUNTERS = ("granted", "released", "claimed", "paid")


def shape_error(params: Params, state: ObservableState) -> str | None:
    """TRC-6: where an observable state does not have the shape its parameters give (its
    maps keyed by exactly the declared ids, its sets and positions within them), or None."""
    accounts = set(params.accounts)
    assets = {a.id for a in params.assets}
    spokes = {s.id for s in params.spokes}
    markets = {m.id for m in params.markets}
    feeds = {f.id for f in params.oracle.feeds}
    hub = state.hub
    keyed: list[tuple[str, Iterable[str], set[str]]] = [
        ("hub.collateral", hub.collateral, accounts),
        ("hub.alloc", hub.alloc, accounts),
        ("hub.status", hub.status, accounts),
        ("hub.reports", hub.reports, accounts),
        ("hub.caps", hub.caps, spokes),
        ("hub.insurance", hub.insurance, assets),
        ("hub.owed", hub.owed, spokes),
        ("hub.socialized", hub.socialized, spokes),
        ("hub.tokens", hub.tokens, assets),
        ("spokes", state.spokes, spokes),
    ]
    keyed += [(f"hub.collateral.{a}", v, assets) for a, v in hub.collateral.items()]
    keyed += [(f"hub.alloc.{a}", v, spokes) for a, v in hub.alloc.items()]
    keyed += [(f"hub.reports.{a}", v, spokes) for a, v in hub.reports.items()]
    keyed += [(f"hub.owed.{s}", v, assets) for s, v in hub.owed.items()]
    keyed += [(f"spokes.{s}", v, accounts) for s, v in state.spokes.items()]
    if state.ghost is not None:
        g = state.ghost
        keyed += [(f"ghost.{n}", getattr(g, n), spokes) for n in GHOST_COUNTERS]
    for where, keys, declared in keyed:
        if set(keys) != declared:
            want, have = ", ".join(sorted(declared)), ", ".join(sorted(keys)) or "nothing"
            return f"{where} must be keyed by {want}, not {have}"
    within: list[tuple[str, Iterable[str], set[str]]] = [
        ("quotes", state.quotes, feeds),
        ("hub.paused", hub.paused, spokes),
        ("hub.linked", hub.linked, accounts),
        ("ghost.compromised", state.ghost.compromised if state.ghost else (), spokes | {HUB}),
    ]
    within += [(f"hub.linked.{a}", v, spokes) for a, v in hub.linked.items()]
    within += [(f"hub.status.{a}.pending", v.pending, spokes) for a, v in hub.status.items()]
    within += [
        (f"hub.reports.{a}.{s}.positions", (p.market for p in r.positions), markets)
        for a, inner in hub.reports.items()
        for s, r in inner.items()
    ]
    within += [
        (f"spokes.{s}.{a}.positions", (p.market for p in v.positions), markets)
        for s, inner in state.spokes.items()
        for a, v in inner.items()
    ]
    within += [
        (f"network.in_flight.{e.id}", (e.sender, e.receiver), spokes | {HUB})
        for e in state.network.in_flight
    ]
    for where, items, declared in within:
        unknown = sorted(set(items) - declared)
        if unknown:
            return f"{where} names undeclared {unknown[0]!r}"
    return None


class TraceStep(Frozen):
    """TRC-2: an action and, where known, the outcome the model gave it."""

    action: Action
    outcome: Outcome | None = None


class TraceMeta(Frozen):
    """TRC-3: where a trace came from and what it shows."""

    source: Literal["fuzz", "proof", "conformance", "scenario", "manual"] = "manual"
    seed: int | None = None
    invariant: str | None = Field(default=None, description="the invariant id it breaks")
    mutant: str | None = Field(
        default=None,
        description="the mutant of the proofs' encoding it was found against (proofs/mutants.py);"
        " the reference model does not have that mutation",
    )
    note: str = ""


class Trace(Frozen):
    """TRC-1: parameters, an optional starting state, and the steps."""

    format: Literal["intermargin-trace/1"] = "intermargin-trace/1"
    params: Params
    initial: ObservableState | None = None
    steps: tuple[TraceStep, ...]
    meta: TraceMeta = TraceMeta()

    @model_validator(mode="after")
    def _initial_state_is_one_of_these_params(self) -> Self:
        if self.initial is not None:
            error = shape_error(self.params, self.initial)
            if error is not None:
                raise ValueError(f"initial state: {error} (TRC-6)")
        return self
