"""Risk-parameter changes with notice (GOV-NOTICE-1..5).

Governance changes an asset's liquidation haircut or a spoke's sync latency (PAR-26) in two
steps, as venues announce margin changes before they apply (CME, dYdX) and lending markets
queue a parameter change behind a timelock (Compound, Aave): `ProposeParamChange` announces
the change and the time it takes effect; `ApplyParamChange` makes it take effect, not before
that time.  A tightening (a higher value: more haircut, more latency buffer) is announced at
least `notice_s` (PAR-25) before it may take effect, so an account that is healthy when it
is announced has that long to top up (INV-NOTICE-1).  A loosening may take effect at once:
health does not fall when a haircut or a latency falls (GOV-NOTICE-4).

`State.params` is always the parameter set in force: the declared set with `Hub.applied`
laid over it (`with_value`), so the risk engine reads the current values unchanged.
"""

from collections.abc import Mapping
from dataclasses import replace

from model.catalog import catalog
from model.outcome import Step, accept, reject
from model.state import Scheduled, State, Target, assoc, dissoc
from spec.actions import ApplyParamChange, ProposeParamChange
from spec.errors import Error
from spec.params import Params


def current_value(params: Params, target: Target) -> int:
    """PAR-26: the value in force of a risk parameter of an asset or a spoke."""
    param, of = target
    cat = catalog(params)
    if param == "haircut_bps":
        return cat.assets[of].haircut_bps
    return cat.spokes[of].latency_s


def with_value(params: Params, target: Target, value: int) -> Params:
    """PAR-26, GOV-NOTICE-3: the parameters with one risk parameter set.  An asset's LTV
    haircut, if declared, is raised with its liquidation haircut so that it stays at least
    that (PAR-1); it is never lowered, so no change makes capacity grow."""
    param, of = target
    if param == "haircut_bps":
        assets = tuple(
            a
            if a.id != of
            else a.model_copy(
                update={
                    "haircut_bps": value,
                    "ltv_haircut_bps": None
                    if a.ltv_haircut_bps is None
                    else max(a.ltv_haircut_bps, value),
                }
            )
            for a in params.assets
        )
        return params.model_copy(update={"assets": assets})
    spokes = tuple(
        s if s.id != of else s.model_copy(update={"latency_s": value}) for s in params.spokes
    )
    return params.model_copy(update={"spokes": spokes})


def with_applied(params: Params, applied: Mapping[Target, int]) -> Params:
    """GOV-NOTICE-3: the declared parameters with every applied change laid over them."""
    for target, value in sorted(applied.items()):
        params = with_value(params, target, value)
    return params


def tightens(state: State, target: Target, value: int) -> bool:
    """GOV-NOTICE-1: a higher haircut or latency than the one in force is a tightening."""
    return value > current_value(state.params, target)


def target_of(action: ProposeParamChange | ApplyParamChange) -> Target:
    return (action.param, action.target)


def propose_param_change(state: State, action: ProposeParamChange) -> Step:
    """GOV-NOTICE-2: announce a change and when it takes effect.  A tightening is refused
    `NOTICE_TOO_SHORT` unless it takes effect at least `notice_s` from now; a loosening may
    take effect at any time.  A new announcement for the same parameter replaces the last."""
    target = target_of(action)
    now = state.oracle.now
    if tightens(state, target, action.value) and action.effective_at < now + state.params.notice_s:
        return reject(state, Error.NOTICE_TOO_SHORT)
    change = Scheduled(value=action.value, effective_at=action.effective_at, announced_at=now)
    hub = replace(state.hub, scheduled=assoc(state.hub.scheduled, target, change))
    return accept(replace(state, hub=hub))


def apply_param_change(state: State, action: ApplyParamChange) -> Step:
    """GOV-NOTICE-3: the announced change takes effect, at or after its effective time: it is
    refused `NO_CHANGE_SCHEDULED` if none is announced, and `CHANGE_NOT_DUE` before its
    time (so a tightening applied early is refused)."""
    target = target_of(action)
    change = state.hub.scheduled.get(target)
    if change is None:
        return reject(state, Error.NO_CHANGE_SCHEDULED)
    if state.oracle.now < change.effective_at:
        return reject(state, Error.CHANGE_NOT_DUE)
    hub = replace(
        state.hub,
        applied=assoc(state.hub.applied, target, change.value),
        scheduled=dissoc(state.hub.scheduled, target),
    )
    params = with_value(state.params, target, change.value)
    return accept(replace(state, params=params, hub=hub))
