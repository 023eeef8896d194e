"""The hub's ratios and the liquidation price at their edges (RISK-IM-3..RISK-IM-5): each
rounding in its exact direction, each boundary on the side the spec puts it."""

from dataclasses import replace

from hypothesis import event, example, given
from hypothesis import strategies as st

from model import State
from model.hub import record_report
from model.risk import (
    account_initial_margin,
    assets_needed,
    backed_share,
    collateral_value,
    equity,
    initial_requirement,
    is_healthy,
    liquidation_price,
    loan_value,
    maintenance_requirement,
    margin_ratio,
    net_equity,
    pool_assets,
    pool_value,
    ratio_bps,
    report_age,
    reported_losses,
    stale_books,
)
from model.state import Position, Positions
from spec.bounds import BPS, MAX_PRICE
from spec.examples import example_params
from tests.test_risk import account_state

PARAMS = example_params()
PRICES = {"USD": 1, "ETH": 2_000}


def with_usd(state: State, usd: int) -> State:
    collateral = {**state.hub.collateral, ("alice", "USD"): usd}
    return replace(state, hub=replace(state.hub, collateral=collateral))


@example(numerator=-1, denominator=3)
@example(numerator=7, denominator=3)
@example(numerator=0, denominator=0)
@given(st.integers(-(10**9), 10**9), st.integers(0, 10**6))
def test_ratio_bps_is_the_floor_and_none_over_nothing(numerator: int, denominator: int) -> None:
    """RISK-IM-3: floor(numerator * 10_000 / denominator), down for a negative numerator
    too (against the account); none when the denominator is 0."""
    ratio = ratio_bps(numerator, denominator)
    if denominator == 0:
        assert ratio is None
        return
    assert isinstance(ratio, int)
    event("negative" if numerator < 0 else "non-negative")
    assert ratio * denominator <= numerator * BPS < (ratio + 1) * denominator


def test_ratio_bps_worked_examples() -> None:
    """RISK-IM-3: -1/3 of 10_000 is -3333.3.., floored to -3334; 7/3 of it 23333.3.., to 23333."""
    assert ratio_bps(-1, 3) == -3_334
    assert ratio_bps(7, 3) == 23_333
    assert ratio_bps(5, 1) == 50_000


def test_the_margin_ratio_rounds_up_and_is_none_without_positive_equity() -> None:
    """RISK-IM-4: ceil(requirement * 10_000 / net equity) for every positive net equity,
    1 included (the requirement times 10_000, exactly); none at net equity 0 and below."""
    state = account_state(PARAMS, 1_000, 0, {"arb": {"ETH-PERP": Position(2, 4_000)}}, 0)
    requirement = maintenance_requirement(state, "alice", PRICES)
    equity = net_equity(state, "alice", PRICES)
    assert requirement > 0 and equity > 10
    seen_rounding = False
    for target in (-2, -1, 0, 1, 2, 3, 7, equity):
        crafted = with_usd(state, 1_000 + target - equity)
        assert net_equity(crafted, "alice", PRICES) == target
        ratio = margin_ratio(crafted, "alice", PRICES)
        if target <= 0:
            assert ratio is None
            continue
        assert ratio == -(-requirement * BPS // target)
        assert (ratio - 1) * target < requirement * BPS <= ratio * target
        seen_rounding |= requirement * BPS % target != 0
    assert margin_ratio(with_usd(state, 1_000 + 1 - equity), "alice", PRICES) == requirement * BPS
    assert seen_rounding


def test_the_margin_ratio_is_zero_when_nothing_is_required() -> None:
    """RISK-IM-4: 0 when the requirement is 0, whatever the net equity (none, 0 or more)."""
    for usd in (0, 1, 500):
        state = account_state(PARAMS, usd, 0, {}, 0)
        assert maintenance_requirement(state, "alice", PRICES) == 0
        assert margin_ratio(state, "alice", PRICES) == 0


def per_position_long(usd: int) -> State:
    """alice long 100 ETH-PERP from 2000 under per-position margin without a buffer: at
    price 1 she owes 199_900 of loss and ceil(100 * 1 * 5%) = 5 of margin; at 0, 200_000."""
    params = PARAMS.model_copy(update={"margin_method": "per_position", "buffer_z_milli": 0})
    return account_state(params, usd, 0, {"arb": {"ETH-PERP": Position(100, 200_000)}}, 0)


def test_a_long_first_unhealthy_at_price_zero_has_liquidation_price_zero() -> None:
    """RISK-IM-5: the far end for a net long is the price 0 itself: healthy at 1 and not at 0
    gives 0; healthy even at 0 gives none (no such price)."""
    for usd in (199_905, 199_950, 199_999):
        state = per_position_long(usd)
        assert is_healthy(state, "alice", {**PRICES, "ETH": 1})
        assert not is_healthy(state, "alice", {**PRICES, "ETH": 0})
        assert liquidation_price(state, "alice", PRICES, MAX_PRICE) == 0
    rich = per_position_long(200_000)
    assert is_healthy(rich, "alice", {**PRICES, "ETH": 0})
    assert liquidation_price(rich, "alice", PRICES, MAX_PRICE) is None
    poor = per_position_long(199_904)
    assert liquidation_price(poor, "alice", PRICES, MAX_PRICE) == 1


def at_time(state: State, now: int) -> State:
    return replace(state, oracle=replace(state.oracle, now=now))


def with_report_time(state: State, spoke: str, time: int) -> State:
    report = replace(state.hub.reports[("alice", spoke)], time=time)
    reports = {**state.hub.reports, ("alice", spoke): report}
    return replace(state, hub=replace(state.hub, reports=reports))


def test_a_reports_age_is_now_less_its_time_never_below_zero() -> None:
    """RISK-AGE-2: age = max(0, now - reports[a, s].time): 0 for a report of now, 60 for
    one 60 s old, 0 (not negative) for a time after now."""
    state = at_time(account_state(PARAMS, 1_000, 0, {"arb": {}}, 0), 100)
    assert report_age(with_report_time(state, "arb", 100), "alice", "arb") == 0
    assert report_age(with_report_time(state, "arb", 40), "alice", "arb") == 60
    assert report_age(with_report_time(state, "arb", 150), "alice", "arb") == 0


def test_a_book_is_stale_only_past_the_bound_and_only_with_a_position() -> None:
    """RISK-AGE-4: a book holding a position whose age exceeds max_report_age_s is stale;
    at exactly the bound it is not; an empty book is never stale."""
    bound = PARAMS.max_report_age_s
    books: dict[str, Positions] = {"arb": {"ETH-PERP": Position(1, 2_000)}, "base": {}}
    state = account_state(PARAMS, 1_000, 0, books, 0)
    assert stale_books(at_time(state, bound), "alice") == []
    assert stale_books(at_time(state, bound + 1), "alice") == ["arb"]


def test_net_equity_equal_to_the_requirement_is_healthy() -> None:
    """RISK-10: healthy iff net equity >= requirement: at equality healthy, one below not."""
    state = account_state(PARAMS, 1_000, 0, {"arb": {"ETH-PERP": Position(2, 4_000)}}, 0)
    requirement = maintenance_requirement(state, "alice", PRICES)
    usd = 1_000 + requirement - net_equity(state, "alice", PRICES)
    assert is_healthy(with_usd(state, usd), "alice", PRICES)
    assert not is_healthy(with_usd(state, usd - 1), "alice", PRICES)


def test_a_pool_backs_only_a_profit_and_at_most_its_value() -> None:
    """RISK-NET-2: backed = min(max(0, pnl), pool): a loss or no PnL backs nothing."""
    assert backed_share(-5, 100) == 0 and backed_share(0, 100) == 0
    assert backed_share(3, 5) == 3 and backed_share(7, 5) == 5 and backed_share(7, 0) == 0


def test_a_reported_profit_is_no_loss_and_offsets_none() -> None:
    """RISK-10, RISK-11: losses are summed spoke by spoke, min(0, pnl) each: a spoke's
    profit counts 0 and never offsets another spoke's loss."""
    state = account_state(PARAMS, 1_000, 0, {"arb": {}, "base": {}}, 500)
    assert reported_losses(state, "alice", PRICES) == 0
    state = record_report(state, "alice", "base", 9, -300, {}, 0)
    assert reported_losses(state, "alice", PRICES) == -300
    assert equity(state, "alice", PRICES) == 1_000 - 300


def test_only_the_accounts_own_holdings_count() -> None:
    """RISK-1, RISK-IM-1: an account's collateral and loan value, and the assets that value
    it, are its own holdings (non-zero) and the underlyings of its reported books; another
    account's holdings add nothing."""
    state = account_state(PARAMS, 1_000, 0, {"arb": {}}, 0)
    collateral = {**state.hub.collateral, ("bob", "USD"): 700, ("bob", "ETH"): 3}
    others = replace(state, hub=replace(state.hub, collateral=collateral))
    assert collateral_value(others, "alice", PRICES) == 1_000
    assert loan_value(others, "alice", PRICES) == 1_000
    assert assets_needed(others, "alice") == {"USD"}
    traded = record_report(others, "alice", "arb", 9, 0, {"ETH-PERP": Position(1, 2_000)}, 0)
    assert assets_needed(traded, "alice") == {"USD", "ETH"}


def test_pool_assets_are_those_owed_to_the_spokes_the_account_uses() -> None:
    """RISK-NET-1, RISK-13: the assets with a non-zero amount owed to the partition of a
    spoke the account uses; another spoke's pool adds nothing."""
    state = account_state(PARAMS, 1_000, 0, {"arb": {}}, 0, pool=0)
    owed = {**state.hub.owed, ("base", "ETH"): 4}
    elsewhere = replace(state, hub=replace(state.hub, owed=owed))
    assert pool_assets(elsewhere, "alice") == set()
    owed = {**state.hub.owed, ("arb", "ETH"): 4}
    own = replace(state, hub=replace(state.hub, owed=owed))
    assert pool_assets(own, "alice") == {"ETH"}
    assert pool_value(own, "arb", PRICES) == 4 * 2_000 * 9_000 // 10_000
    assert pool_value(own, "arb", {"USD": 1}) == 0


PER_POSITION = PARAMS.model_copy(update={"margin_method": "per_position"})
EXPIRY = 2_592_000
"""The expiry of ETH-C-2000 (spec/examples.py); ETH-C-2000-Q expires later."""


def test_per_position_initial_margin_is_every_books_own_at_its_initial_rate() -> None:
    """RISK-IM-2, RISK-4: under per_position, the hub's initial margin is the sum over the
    books of each position's margin at im_bps.  At ETH 2000: long 3 ETH-PERP on one spoke
    needs ceil(3 * 2000 * 10%) = 600; short 2 ETH-C-2000 and 1 ETH-C-2000-Q on another
    ceil(2 * 2000 * 15%) = 600 and ceil(2000 * 15%) = 300 (above the short option minimum
    of 1%): 1500 in all (the maintenance rates, 5% and 10%, would give 300 + 400 + 200).
    At the call's expiry with its price fixed, the settled short call needs nothing
    (PRC-13): 600 + 300."""
    perp: Positions = {"ETH-PERP": Position(3, 6_000)}
    calls: Positions = {"ETH-C-2000": Position(-2, -300), "ETH-C-2000-Q": Position(-1, -200)}
    assert account_initial_margin(PER_POSITION, [perp, calls], PRICES, 0) == 1_500
    assert account_initial_margin(PER_POSITION, [perp, {}], PRICES, 0) == 600
    settled = account_initial_margin(
        PER_POSITION, [perp, calls], PRICES, EXPIRY, {"ETH-C-2000": 2_100}
    )
    assert settled == 600 + 300


def test_a_settled_option_adds_nothing_to_the_portfolio_initial_margin() -> None:
    """RISK-IM-2, PRC-13: under portfolio, a short ETH-C-2000 whose expiry price is fixed has
    a constant value: the netted scan margin of the books, grossed up by im_bps, is that of
    the books without it; unfixed at the same time (PRC-15) it still moves with the price
    (it loses as the price rises, as the short ETH-PERP beside it does) and costs margin."""
    perp: Positions = {"ETH-PERP": Position(-3, -6_000)}
    call: Positions = {"ETH-C-2000": Position(-2, -300)}
    fixed = {"ETH-C-2000": 2_100}
    alone = account_initial_margin(PARAMS, [perp], PRICES, EXPIRY, fixed)
    assert alone > 0
    assert account_initial_margin(PARAMS, [perp, call], PRICES, EXPIRY, fixed) == alone
    assert account_initial_margin(PARAMS, [perp, call], PRICES, EXPIRY) > alone


def test_the_hubs_initial_requirement_counts_a_settled_option_at_its_fixing() -> None:
    """RISK-IM-2, PRC-13, PRC-14: the hub's initial requirement values the reported books at
    the oracle's fixed expiry prices: once ETH-C-2000's price is fixed, a reported short
    ETH-C-2000 adds nothing to it (margin or latency buffer), under either method."""
    perp: Positions = {"ETH-PERP": Position(3, 6_000)}
    with_call: Positions = {**perp, "ETH-C-2000": Position(-2, -300)}
    for params in (PARAMS, PER_POSITION):
        requirements = []
        for book in (perp, with_call):
            state = at_time(account_state(params, 10_000, 0, {"arb": book}, 0), EXPIRY)
            state = replace(
                state, oracle=replace(state.oracle, expiry_prices={"ETH-C-2000": 2_100})
            )
            requirements.append(initial_requirement(state, "alice", PRICES))
        assert requirements[0] > 0
        assert requirements[1] == requirements[0]
