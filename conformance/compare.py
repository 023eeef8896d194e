"""What the harness compares after every step, and how a difference is shown (CONF-12..CONF-14).

A step's outcome (status, error, emitted) and the observable state after it must be equal
to the reference's.  The `ghost` part is compared only when the build sends it (CONF-7).
A difference is shown as the first differing field path (`observation.hub.alloc.alice.arb`)
and the two outcomes in a few words.
"""

from typing import Any

from spec.observable import ObservableState
from spec.outcome import Outcome


def describe(outcome: Outcome) -> str:
    """`accepted`, `accepted, emits 4 5`, `rejected PARTITION_CAP`, `ignored STALE_REPORT`."""
    if outcome.error is not None:
        return f"{outcome.status} {outcome.error.value}"
    if outcome.emitted:
        return f"{outcome.status}, emits {' '.join(map(str, outcome.emitted))}"
    return outcome.status


def same_observation(expected: ObservableState, got: ObservableState) -> bool:
    """CONF-12: equal in every part; `ghost` only if the build sent it (CONF-7)."""
    return (
        got.now == expected.now
        and got.network == expected.network
        and got.hub == expected.hub
        and got.spokes == expected.spokes
        and got.quotes == expected.quotes
        and (got.ghost is None or got.ghost == expected.ghost)
    )


def first_difference(expected: Any, got: Any, path: str) -> str | None:
    """The path of the first place two JSON values differ (maps in key order, then lists by
    index), or None if equal."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in sorted(set(expected) | set(got)):
            if key not in got or key not in expected:
                return f"{path}.{key}"
            found = first_difference(expected[key], got[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(got, list):
        for n, (e, g) in enumerate(zip(expected, got, strict=False)):
            found = first_difference(e, g, f"{path}[{n}]")
            if found is not None:
                return found
        return None if len(expected) == len(got) else f"{path}[{min(len(expected), len(got))}]"
    return None if expected == got and type(expected) is type(got) else path


def differing_path(
    expected: tuple[Outcome | None, ObservableState], got: tuple[Outcome | None, ObservableState]
) -> str:
    """CONF-14: the first differing field of (outcome, observation), outcome first."""
    if expected[0] is not None and got[0] is not None and expected[0] != got[0]:
        e, g = expected[0].model_dump(mode="json"), got[0].model_dump(mode="json")
        for key in ("status", "error", "emitted"):  # in the order a reader judges them
            found = first_difference(e[key], g[key], f"outcome.{key}")
            if found is not None:
                return found
        return "outcome"
    e_obs = expected[1].model_dump(mode="json")
    g_obs = got[1].model_dump(mode="json")
    if g_obs.get("ghost") is None:
        e_obs.pop("ghost", None)
        g_obs.pop("ghost", None)
    return first_difference(e_obs, g_obs, "observation") or "observation"


def value_at(document: Any, path: str) -> Any:
    """The value at a path made by `first_difference` (`observation.hub.alloc.alice.arb`,
    `observation.network.in_flight[0].id`) in a document holding its root key, or None."""
    node = document
    for part in path.replace("[", ".[").split("."):
        try:
            node = node[int(part[1:-1])] if part.startswith("[") else node[part]
        except (KeyError, IndexError, TypeError, ValueError):
            return None
    return node
