"""Validation at the boundary: bad parameters and actions are refused with an error that
names the offending field; unknown ids in well-formed actions are rejected by the model
with no state change."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from model import State, step
from model.invariants import check_step
from spec.actions import (
    AdvanceTime,
    Deposit,
    GrantCredit,
    Inject,
    PublishPrice,
    SetCap,
    Trade,
)
from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY, MAX_SECONDS
from spec.errors import Error
from spec.examples import example_params
from spec.messages import CreditRelease
from spec.params import Params

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
