"""A run in the Informal Trace Format of Apalache and Quint (TRC-5).

ITF is `{"#meta": {...}, "vars": [...], "states": [...]}`: one JSON object per state,
every integer as `{"#bigint": "<decimal>"}` so no reader loses precision, objects as
records and arrays as lists.  A state here holds the observable state (OBS-1..OBS-4)
and the action and outcome that led to it (none for the first state).
"""

from collections.abc import Sequence
from typing import Any

from spec.actions import Action
from spec.observable import ObservableState
from spec.outcome import Outcome

ITF_VARS = ("action", "outcome", "now", "quotes", "hub", "spokes", "network", "ghost")


def itf_value(value: Any) -> Any:
    """A JSON value with every integer as an ITF bigint (booleans stay booleans)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {"#bigint": str(value)}
    if isinstance(value, dict):
        return {k: itf_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [itf_value(v) for v in value]
    raise TypeError(f"no ITF form for {type(value).__name__}")


def itf_state(
    index: int, state: ObservableState, action: Action | None, outcome: Outcome | None
) -> dict[str, Any]:
    body = state.model_dump(mode="json")
    return {
        "#meta": {"index": index},
        "action": itf_value(action.model_dump(mode="json")) if action else {},
        "outcome": itf_value(outcome.model_dump(mode="json")) if outcome else {},
        **{k: itf_value(body[k]) for k in ITF_VARS[2:] if body.get(k) is not None},
    }


def to_itf(
    initial: ObservableState,
    steps: Sequence[tuple[Action, Outcome, ObservableState]],
    source: str = "",
) -> dict[str, Any]:
    """TRC-5: the run from `initial` through each (action, outcome, state after)."""
    states = [itf_state(0, initial, None, None)]
    states += [itf_state(i, s, a, o) for i, (a, o, s) in enumerate(steps, start=1)]
    return {
        "#meta": {"format": "ITF", "source": source, "description": "intermargin run"},
        "vars": list(ITF_VARS),
        "states": states,
    }
