"""Risk-parameter changes at their edges (GOV-NOTICE-1..3, PAR-26): a change to the value
in force is no tightening, and a change touches only the parameter it names."""

from model import initial_state
from model.catalog import catalog
from model.notice import propose_param_change, tightens, with_value
from spec.actions import ProposeParamChange
from spec.examples import example_params

PARAMS = example_params()


def test_the_value_in_force_is_no_tightening() -> None:
    """GOV-NOTICE-1, GOV-NOTICE-2: only a value above the one in force tightens; the same
    value is a loosening and may take effect at once."""
    state = initial_state(PARAMS)
    haircut = catalog(PARAMS).assets["ETH"].haircut_bps
    assert tightens(state, ("haircut_bps", "ETH"), haircut + 1)
    assert not tightens(state, ("haircut_bps", "ETH"), haircut)
    same = ProposeParamChange(param="haircut_bps", target="ETH", value=haircut, effective_at=0)
    _, outcome = propose_param_change(state, same)
    assert outcome.accepted


def test_a_latency_change_leaves_the_other_spokes_as_declared() -> None:
    """PAR-26, GOV-NOTICE-3: setting one spoke's latency changes that spoke's only."""
    changed = with_value(PARAMS, ("latency_s", "arb"), 99)
    latencies = {s.id: s.latency_s for s in changed.spokes}
    assert latencies == {**{s.id: s.latency_s for s in PARAMS.spokes}, "arb": 99}


def test_a_haircut_change_of_an_asset_without_an_ltv_haircut_declares_none() -> None:
    """PAR-1, PAR-26, GOV-NOTICE-3: an asset without a declared LTV haircut keeps none (its
    liquidation haircut serves for both); one with it has it raised to at least the new
    liquidation haircut, never lowered; the other assets are untouched."""
    usd = with_value(PARAMS, ("haircut_bps", "USD"), 300)
    assets = {a.id: a for a in usd.assets}
    assert (assets["USD"].haircut_bps, assets["USD"].ltv_haircut_bps) == (300, None)
    assert assets["ETH"] == catalog(PARAMS).assets["ETH"]
    eth = {a.id: a for a in with_value(PARAMS, ("haircut_bps", "ETH"), 2_000).assets}["ETH"]
    assert (eth.haircut_bps, eth.ltv_haircut_bps) == (2_000, 2_000)
    low = {a.id: a for a in with_value(PARAMS, ("haircut_bps", "ETH"), 100).assets}["ETH"]
    assert (low.haircut_bps, low.ltv_haircut_bps) == (100, 1_500)
