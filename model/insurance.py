"""Insurance that respects the partitions (INS-1..INS-3): how much of a partition's bad debt
the insurance fund may still cover, by the declared structure of the fund.

- `shared` (the default): one fund covers every partition's bad debt, without limit;
- `per_partition`: each partition has its own fund, `insurance_limits[spoke]` of value
  carved out of the declared fund; a partition's bad debt draws on its own only;
- `shared_limited`: one fund, and each partition may draw at most its declared share
  `insurance_limits[spoke]` of value from it (as isolated markets on dYdX), whatever the
  others have drawn.

What the fund cannot cover for a partition is socialized to that partition (HUB-LOSS-4).
`Hub.drawn[spoke]` is the value the fund has paid towards the spoke's partition so far
(a spoke that never drew has no entry; nothing is recorded for a shared fund).
"""

from dataclasses import replace

from model.algebra import maximum, minimum
from model.state import SpokeId, State, assoc
from spec.params import Params


def limit_of(params: Params, spoke: SpokeId) -> int:
    """INS-1: the spoke's declared limit (its own fund, or its share); 0 if none declared."""
    return dict(params.insurance_limits).get(spoke, 0)


def drawn_of(state: State, spoke: SpokeId) -> int:
    """INS-2: the value the insurance fund has paid towards the spoke's partition."""
    return state.hub.drawn.get(spoke, 0)


def draw_room(state: State, spoke: SpokeId) -> int | None:
    """INS-2: how much more of the partition's bad debt the fund may cover; None: no limit
    (a shared fund)."""
    if state.params.insurance_structure == "shared":
        return None
    return room_left(limit_of(state.params, spoke), drawn_of(state, spoke))


def room_left(limit: int, drawn: int) -> int:
    """INS-2: what is left of a partition's limit once `drawn` has been paid (never below 0)."""
    return maximum(limit - drawn, 0)


def fund_cover(short: int, room: int | None) -> int:
    """INS-2, HUB-LOSS-3: how much of a partition's bad debt `short` the fund is asked to
    cover: all of it without a limit, else at most the room left."""
    return short if room is None else minimum(short, room)


def with_draw(state: State, spoke: SpokeId, value: int) -> State:
    """INS-2: record that the fund paid `value` towards the spoke's partition (under a
    structure with limits; a shared fund has no limit to keep, and records nothing)."""
    if value == 0 or state.params.insurance_structure == "shared":
        return state
    drawn = assoc(state.hub.drawn, spoke, drawn_of(state, spoke) + value)
    return replace(state, hub=replace(state.hub, drawn=drawn))
