"""Validation at the boundary: bad parameters and actions are refused with an error that
names the offending field; unknown ids in well-formed actions are rejected by the model
with no state change."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from model import State, initial_state, step
from model.buffer import buffer_rate_bps, spoke_buffer
from model.invariants import check_step
from model.margin import margin
from model.oracle import price_of
from model.state import Position
from spec.actions import (
    AdvanceTime,
    Deposit,
    GrantCredit,
    Inject,
    PublishPrice,
    SetCap,
    Trade,
)
from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY, MAX_SECONDS, SECONDS_PER_YEAR
from spec.errors import Error
from spec.examples import example_params
from spec.messages import CreditRelease
from spec.params import AssetParams, FeedParams, Params
from tests import helpers

Doc = dict[str, Any]


def example_doc() -> Doc:
    return example_params().model_dump(mode="json")


def refused(model: type[BaseModel], doc: Doc) -> str:
    """Validate `doc` as JSON text; it must fail.  Return the error text."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json(json.dumps(doc))
    return str(caught.value)


def with_change(change: Callable[[Doc], None]) -> Doc:
    doc = example_doc()
    change(doc)
    return doc


def test_the_example_parameters_are_valid_as_json() -> None:
    """PAR-10: the reference parameter set survives a JSON round trip unchanged."""
    assert Params.model_validate_json(json.dumps(example_doc())) == example_params()


# --- actions ------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [-1, 0])
def test_a_deposit_of_no_tokens_is_refused(amount: int) -> None:
    """BND-1, ACT-1: a deposit moves at least one token."""
    doc = {"type": "Deposit", "account": "alice", "asset": "USD", "amount": amount}
    message = refused(Deposit, doc)
    assert "amount" in message
    assert "greater than or equal to 1" in message


def test_a_deposit_above_max_amount_is_refused() -> None:
    """BND-1: no amount exceeds MAX_AMOUNT."""
    doc = {"type": "Deposit", "account": "alice", "asset": "USD", "amount": MAX_AMOUNT + 1}
    assert "amount" in refused(Deposit, doc)


def test_a_price_above_max_price_is_refused() -> None:
    """BND-2: a published price is at most MAX_PRICE."""
    doc = {"type": "PublishPrice", "feed": "pyth", "price": MAX_PRICE + 1}
    assert "price" in refused(PublishPrice, doc)


def test_a_price_of_zero_is_refused() -> None:
    """BND-2: a published price is at least 1."""
    assert "price" in refused(PublishPrice, {"type": "PublishPrice", "feed": "pyth", "price": 0})


def test_a_trade_above_max_qty_is_refused() -> None:
    """BND-3: a trade moves at most MAX_QTY lots."""
    doc = {
        "type": "Trade",
        "spoke": "arb",
        "account": "alice",
        "market": "ETH-PERP",
        "qty": MAX_QTY + 1,
        "price": 2_000,
    }
    assert "qty" in refused(Trade, doc)


@pytest.mark.parametrize("seconds", [0, MAX_SECONDS + 1])
def test_a_time_step_outside_its_bounds_is_refused(seconds: int) -> None:
    """BND-4, TIME-1: time moves forward by 1..MAX_SECONDS."""
    assert "seconds" in refused(AdvanceTime, {"type": "AdvanceTime", "seconds": seconds})


def test_a_string_for_an_integer_is_refused() -> None:
    """PAR-13: strict mode: "5" is not 5."""
    doc = {"type": "Deposit", "account": "alice", "asset": "USD", "amount": "5"}
    message = refused(Deposit, doc)
    assert "amount" in message
    assert "valid integer" in message


def test_a_boolean_for_an_integer_is_refused() -> None:
    """PAR-13: strict mode: true is not 1."""
    assert "seconds" in refused(AdvanceTime, {"type": "AdvanceTime", "seconds": True})


def test_an_unknown_field_in_an_action_is_refused() -> None:
    """PAR-13: actions are closed."""
    doc = {"type": "SetCap", "spoke": "arb", "cap": 5, "owner": "eve"}
    message = refused(SetCap, doc)
    assert "owner" in message
    assert "Extra inputs are not permitted" in message


def test_a_malformed_id_is_refused() -> None:
    """ID-1: identifiers start with a letter and use a small alphabet."""
    doc = {"type": "Deposit", "account": "al ice", "asset": "USD", "amount": 1}
    assert "account" in refused(Deposit, doc)


# --- parameters -----------------------------------------------------------------------


def test_a_zero_quorum_is_refused() -> None:
    """PAR-5: the quorum is at least 1."""
    doc = with_change(lambda d: d["oracle"].update(quorum=0))
    assert "oracle.quorum" in refused(Params, doc)


def test_a_quorum_above_an_assets_feed_count_is_refused() -> None:
    """PAR-9 (6): an asset without a fixed price needs at least `quorum` feeds."""
    doc = with_change(lambda d: d["oracle"].update(quorum=4))
    assert "asset ETH has 3 feeds, fewer than the quorum 4" in refused(Params, doc)


def test_a_market_on_an_unknown_underlying_is_refused() -> None:
    """PAR-9 (3): a market's underlying is a declared asset."""
    doc = with_change(lambda d: d["markets"][0].update(underlying="BTC"))
    assert "market ETH-PERP: unknown underlying BTC" in refused(Params, doc)


def test_a_feed_of_an_unknown_asset_is_refused() -> None:
    """PAR-9 (4): a feed's asset is a declared asset."""
    doc = with_change(lambda d: d["oracle"]["feeds"][0].update(asset="BTC"))
    assert "feed chainlink: unknown asset BTC" in refused(Params, doc)


def test_an_insurance_fund_in_an_unknown_asset_is_refused() -> None:
    """PAR-9 (5), PAR-12: the insurance fund holds declared assets."""
    doc = with_change(lambda d: d.update(insurance_fund=[["BTC", 5]]))
    assert "insurance fund: unknown asset BTC" in refused(Params, doc)


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("account", lambda d: d.update(accounts=["alice", "bob", "alice"])),
        ("asset", lambda d: d["assets"].append(d["assets"][0])),
        ("market", lambda d: d["markets"].append(d["markets"][0])),
        ("spoke", lambda d: d["spokes"].append(d["spokes"][0])),
        ("feed", lambda d: d["oracle"]["feeds"].append(d["oracle"]["feeds"][0])),
    ],
)
def test_a_duplicate_id_is_refused(kind: str, change: Callable[[Doc], None]) -> None:
    """PAR-9 (1), ID-2: ids are unique within their kind (collateral is never counted twice)."""
    assert f"duplicate {kind} id" in refused(Params, with_change(change))


@pytest.mark.parametrize("haircut", [10_000, 10_001])
def test_a_haircut_of_the_whole_value_or_more_is_refused(haircut: int) -> None:
    """PAR-1: haircut_bps is below 10_000."""
    doc = with_change(lambda d: d["assets"][1].update(haircut_bps=haircut))
    message = refused(Params, doc)
    assert "assets.1.haircut_bps" in message
    assert "less than 10000" in message


def test_maintenance_margin_above_initial_margin_is_refused() -> None:
    """PAR-2: mm_bps <= im_bps."""
    doc = with_change(lambda d: d["markets"][0].update(mm_bps=2_000))
    message = refused(Params, doc)
    assert "markets.0" in message
    assert "market ETH-PERP: mm_bps must not exceed im_bps" in message


def test_an_option_without_a_strike_is_refused() -> None:
    """PAR-2: an option needs a strike and an expiry."""
    doc = with_change(lambda d: d["markets"][1].update(strike=None))
    message = refused(Params, doc)
    assert "markets.1" in message
    assert "option market ETH-C-2000 needs a strike" in message


def test_a_perpetual_with_a_strike_is_refused() -> None:
    """PAR-2: a perpetual has no strike or expiry."""
    doc = with_change(lambda d: d["markets"][0].update(strike=2_000))
    message = refused(Params, doc)
    assert "markets.0" in message
    assert "perpetual market ETH-PERP has no strike" in message


def test_a_strike_above_max_price_is_refused() -> None:
    """BND-2: a strike is at most MAX_PRICE."""
    doc = with_change(lambda d: d["markets"][1].update(strike=MAX_PRICE + 1))
    assert "markets.1.strike" in refused(Params, doc)


def test_a_spoke_called_hub_is_refused() -> None:
    """BND-6: the hub's name is reserved."""
    doc = with_change(lambda d: d["spokes"][0].update(id="hub"))
    assert "a spoke may not be called 'hub'" in refused(Params, doc)


def test_a_zero_latency_is_refused() -> None:
    """BND-4, PAR-3: a spoke's latency is at least one second."""
    doc = with_change(lambda d: d["spokes"][2].update(latency_s=0))
    assert "spokes.2.latency_s" in refused(Params, doc)


def test_a_cap_above_max_amount_is_refused() -> None:
    """BND-1, PAR-3: a cap is at most MAX_AMOUNT."""
    doc = with_change(lambda d: d["spokes"][0].update(cap=MAX_AMOUNT + 1))
    assert "spokes.0.cap" in refused(Params, doc)


def test_a_volatility_above_its_bound_is_refused() -> None:
    """BND-5, PAR-1: volatility is at most MAX_VOLATILITY_BPS."""
    doc = with_change(lambda d: d["assets"][1].update(volatility_bps=100_001))
    assert "assets.1.volatility_bps" in refused(Params, doc)


def test_an_unknown_field_in_the_parameters_is_refused() -> None:
    """PAR-13: parameter sets are closed."""
    doc = with_change(lambda d: d["spokes"][0].update(owner="eve"))
    message = refused(Params, doc)
    assert "spokes.0.owner" in message
    assert "Extra inputs are not permitted" in message


def test_a_string_for_an_integer_in_the_parameters_is_refused() -> None:
    """PAR-13: strict mode applies to parameters too."""
    doc = with_change(lambda d: d.update(buffer_z_milli="3000"))
    assert "buffer_z_milli" in refused(Params, doc)


def test_a_system_without_accounts_is_refused() -> None:
    """PAR-9 (7): at least one account, spoke and asset."""
    doc = with_change(lambda d: d.update(accounts=[]))
    assert "at least one account" in refused(Params, doc)


def test_an_unknown_margin_method_is_refused() -> None:
    """PAR-11: the margin method is `portfolio` or `per_position`."""
    doc = with_change(lambda d: d.update(margin_method="cross"))
    assert "margin_method" in refused(Params, doc)


# --- unknown ids reach the model as rejections --------------------------------------


@pytest.mark.parametrize(
    ("action", "error"),
    [
        (Deposit(account="mallory", asset="USD", amount=1), Error.UNKNOWN_ACCOUNT),
        (GrantCredit(account="alice", spoke="eth", amount=1), Error.UNKNOWN_SPOKE),
        (Deposit(account="alice", asset="BTC", amount=1), Error.UNKNOWN_ASSET),
        (
            Trade(spoke="arb", account="alice", market="BTC-PERP", qty=1, price=1),
            Error.UNKNOWN_MARKET,
        ),
        (PublishPrice(feed="coingecko", price=1), Error.UNKNOWN_FEED),
        (SetCap(spoke="hub", cap=1), Error.UNKNOWN_SPOKE),
    ],
)
def test_an_action_naming_an_unknown_id_is_rejected_and_changes_nothing(
    genesis: State, action: Any, error: Error
) -> None:
    """STEP-2, ERR-2, INV-ATOMIC-1: an undeclared id is rejected with its UNKNOWN_* code."""
    after, outcome = step(genesis, action)
    assert outcome.status == "rejected"
    assert outcome.error is error
    assert after == genesis
    assert check_step(genesis, action, after, outcome) == []


def test_the_first_unknown_id_is_reported_in_declared_field_order(genesis: State) -> None:
    """STEP-2: account before spoke before market."""
    trade = Trade(spoke="ftx", account="mallory", market="BTC-PERP", qty=1, price=1)
    assert step(genesis, trade)[1].error is Error.UNKNOWN_ACCOUNT
    trade = Trade(spoke="ftx", account="alice", market="BTC-PERP", qty=1, price=1)
    assert step(genesis, trade)[1].error is Error.UNKNOWN_SPOKE


def test_an_injected_message_about_an_unknown_account_is_ignored(genesis: State) -> None:
    """MSG-13, ADV-2: the hub ignores it, and its authentic sender is marked compromised."""
    action = Inject(sender="arb", receiver="hub", payload=CreditRelease(account="eve", amount=1))
    after, outcome = step(genesis, action)
    assert (outcome.status, outcome.error) == ("ignored", Error.UNKNOWN_ACCOUNT)
    assert after.hub == genesis.hub
    assert after.ghost.compromised == frozenset({"arb"})


# --- PAR-4, PAR-6, PAR-7, PAR-8, PAR-14 -----------------------------------------------


def test_a_feed_names_exactly_one_asset() -> None:
    """PAR-4, PAR-13: a feed is an id and one asset: a feed without its asset, or with a
    list of assets, is refused."""
    assert "asset" in refused(FeedParams, {"id": "pyth"})
    message = refused(FeedParams, {"id": "pyth", "asset": "ETH", "assets": ["BTC"]})
    assert "assets" in message and "Extra inputs are not permitted" in message
    assert "asset" in refused(FeedParams, {"id": "pyth", "asset": ["ETH", "BTC"]})


def test_a_feed_prices_only_its_own_asset() -> None:
    """PAR-4, ORA-1: with BTC and its two feeds added, quotes on the BTC feeds give BTC a
    price (the lower median 30_000) and leave ETH without one; ETH's feeds price ETH only."""
    base = example_params()
    btc = AssetParams(id="BTC", haircut_bps=1_000, volatility_bps=6_000, scan_range_bps=1_500)
    feeds = (FeedParams(id="btc1", asset="BTC"), FeedParams(id="btc2", asset="BTC"))
    params = base.model_copy(
        update={
            "assets": (*base.assets, btc),
            "oracle": base.oracle.model_copy(update={"feeds": (*base.oracle.feeds, *feeds)}),
        }
    )
    params = Params.model_validate_json(params.model_dump_json())
    state = helpers.run(
        initial_state(params),
        PublishPrice(feed="btc1", price=30_000),
        PublishPrice(feed="btc2", price=30_100),
    )
    assert price_of(state, "BTC") == 30_000
    assert price_of(state, "ETH") is None
    state = helpers.priced(state, eth=2_000)
    assert (price_of(state, "ETH"), price_of(state, "BTC")) == (2_000, 30_000)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vol_scan_bps", -1),
        ("vol_scan_bps", 10_001),
        ("extreme_multiple", 0),
        ("extreme_multiple", 11),
        ("extreme_cover_bps", -1),
        ("extreme_cover_bps", 10_001),
        ("im_bps", 9_999),
        ("im_bps", 100_001),
    ],
)
def test_a_portfolio_scan_field_outside_its_range_is_refused(field: str, value: int) -> None:
    """PAR-6: vol_scan_bps and extreme_cover_bps in 0..10_000, extreme_multiple in 1..10,
    im_bps in 10_000..100_000."""
    doc = with_change(lambda d: d["portfolio"].update({field: value}))
    assert f"portfolio.{field}" in refused(Params, doc)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vol_scan_bps", 0),
        ("vol_scan_bps", 10_000),
        ("extreme_multiple", 1),
        ("extreme_multiple", 10),
        ("extreme_cover_bps", 0),
        ("extreme_cover_bps", 10_000),
        ("im_bps", 10_000),
        ("im_bps", 100_000),
    ],
)
def test_a_portfolio_scan_field_at_the_edge_of_its_range_is_valid(field: str, value: int) -> None:
    """PAR-6: the ranges are inclusive."""
    doc = with_change(lambda d: d["portfolio"].update({field: value}))
    assert getattr(Params.model_validate_json(json.dumps(doc)).portfolio, field) == value


@pytest.mark.parametrize(("im_bps", "initial"), [(10_000, 315), (11_000, 347), (25_000, 788)])
def test_portfolio_im_bps_is_initial_margin_as_a_share_of_the_scan(
    im_bps: int, initial: int
) -> None:
    """PAR-6, RISK-5: long 1 ETH-PERP at 2000 scans to 315 (the extreme move 3 x 15% = 900
    at 35% cover); initial margin is ceil(315 x im_bps / 10_000): 315, 346.5 -> 347,
    787.5 -> 788; maintenance stays 315."""
    base = example_params()
    params = base.model_copy(
        update={"portfolio": base.portfolio.model_copy(update={"im_bps": im_bps})}
    )
    book = {"ETH-PERP": Position(1, 2_000)}
    assert margin(params, book, {"ETH": 2_000}, initial=True, now=0) == initial
    assert margin(params, book, {"ETH": 2_000}, initial=False, now=0) == 315


@pytest.mark.parametrize("z_milli", [-1, 10_001])
def test_a_buffer_multiplier_outside_its_range_is_refused(z_milli: int) -> None:
    """PAR-7: buffer_z_milli is in 0..10_000."""
    assert "buffer_z_milli" in refused(
        Params, with_change(lambda d: d.update(buffer_z_milli=z_milli))
    )


@pytest.mark.parametrize(
    ("z_milli", "rate"), [(0, 0), (1_000, 8_000), (1_500, 12_000), (3_000, 24_000)]
)
def test_buffer_z_milli_is_z_times_1000(z_milli: int, rate: int) -> None:
    """PAR-7, RISK-6: over a latency of one year sqrt(L / Y) = 1, so the rate is z x sigma:
    with sigma = 80% (8000 bps), z_milli 3000 (z = 3) gives 24_000 bps, 1500 gives
    12_000, 1000 gives 8000 and 0 no buffer at all."""
    assert buffer_rate_bps(z_milli, 8_000, SECONDS_PER_YEAR) == rate


def test_the_buffer_multiplier_reaches_the_spokes_buffer() -> None:
    """PAR-7, RISK-6: with buffer_z_milli 1500 and a one-year latency on arb, 1 lot at 2000
    carries a buffer of ceil(2000 x 12_000 / 10_000) = 2400."""
    base = example_params()
    spokes = (base.spokes[0].model_copy(update={"latency_s": SECONDS_PER_YEAR}), *base.spokes[1:])
    params = base.model_copy(update={"buffer_z_milli": 1_500, "spokes": spokes})
    book = {"ETH-PERP": Position(1, 2_000)}
    assert spoke_buffer(params, "arb", book, {"ETH": 2_000}, now=0, age=0) == 2_400


@pytest.mark.parametrize("penalty", [-1, 10_001])
def test_a_penalty_outside_its_range_is_refused(penalty: int) -> None:
    """PAR-8: penalty_bps is in 0..10_000."""
    assert "penalty_bps" in refused(Params, with_change(lambda d: d.update(penalty_bps=penalty)))


@pytest.mark.parametrize(("penalty_bps", "penalty"), [(0, 0), (500, 27), (2_000, 108)])
def test_the_penalty_is_a_share_of_the_requirement_at_the_call(
    penalty_bps: int, penalty: int
) -> None:
    """PAR-8, LIQ-6: `settled` has requirement 539 at the call; the penalty is
    ceil(539 x penalty_bps / 10_000): 0, 26.95 -> 27, 107.8 -> 108, taken from alice's
    1000 - 600 = 400 USD into the 50_000 USD insurance fund."""
    params = example_params().model_copy(update={"penalty_bps": penalty_bps})
    state = helpers.settled(initial_state(params))
    assert state.hub.insurance["USD"] == 50_000 + penalty
    assert state.hub.collateral[("alice", "USD")] == 400 - penalty


def test_the_penalty_uses_the_requirement_at_the_call_not_at_settlement() -> None:
    """PAR-8, LIQ-6: ETH recovers to 1900 after the call (requirement 539 at 1700): arb
    closes at 1900 (loss 2 x 1900 - 4000 = -200), and the penalty is still
    ceil(539 x 5%) = 27, not 5% of the requirement at 1900 or after the positions closed."""
    state = helpers.priced(helpers.liquidating(initial_state(example_params())), eth=1_900)
    assert state.hub.status["alice"].requirement_at_call == 539
    state = helpers.deliver_all(state)
    assert state.hub.insurance["USD"] == 50_027
    assert state.hub.collateral[("alice", "USD")] == 1_000 - 200 - 27


def test_a_part_rule_is_reported_before_a_cross_reference() -> None:
    """PAR-14: a market breaking mm_bps <= im_bps and naming an unknown underlying, with a
    duplicate account too: the one error reported is the market's own, at its path."""

    def change(d: Doc) -> None:
        d["markets"][1].update(mm_bps=2_000, underlying="BTC")
        d.update(accounts=["alice", "alice"])

    with pytest.raises(ValidationError) as caught:
        Params.model_validate_json(json.dumps(with_change(change)))
    errors = caught.value.errors()
    assert len(errors) == 1
    assert errors[0]["loc"] == ("markets", 1)
    assert "market ETH-C-2000: mm_bps must not exceed im_bps" in errors[0]["msg"]


def test_a_field_bound_is_reported_before_a_duplicate_id() -> None:
    """PAR-14: a negative cap and a duplicate spoke: the bound is reported, at its path."""

    def change(d: Doc) -> None:
        d["spokes"][0].update(cap=-1)
        d["spokes"].append(dict(d["spokes"][1]))

    message = refused(Params, with_change(change))
    assert "spokes.0.cap" in message
    assert "duplicate" not in message
