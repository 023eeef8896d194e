"""Every feed of an asset counts, whichever feeds have not published (ORA-2, ORA-5)."""

from dataclasses import replace
from itertools import combinations

from model import State, initial_state, step
from model.oracle import available_prices, fix_expiry_prices, fresh_quotes, price_of, prices_of
from spec.actions import PublishPrice
from spec.examples import example_params

PARAMS = example_params()


def test_any_quorum_of_feeds_gives_a_price_whichever_feeds_are_silent() -> None:
    """ORA-2, ORA-5: of ETH's three feeds, any two that publish make the quorum; the one
    that has not published is skipped, not the end of the list; every fresh quote counts."""
    params = example_params()
    feeds = [f.id for f in params.oracle.feeds if f.asset == "ETH"]
    assert len(feeds) > params.oracle.quorum == 2
    for publishing in combinations(feeds, 2):
        state = initial_state(params)
        for n, feed in enumerate(publishing):
            state, _ = step(state, PublishPrice(feed=feed, price=2_000 + n))
        assert sorted(fresh_quotes(state, "ETH")) == [2_000, 2_001]
        assert price_of(state, "ETH") == 2_000


def at(now: int, eth: int | None, fixed: dict[str, int] | None = None) -> State:
    """Genesis with the clock at `now`, ETH quoted at `eth` by two feeds (the quorum) at
    `now` (no quote if None), and the expiry prices `fixed`."""
    state = initial_state(PARAMS)
    quotes = {} if eth is None else {"chainlink": (eth, now), "pyth": (eth, now)}
    oracle = replace(state.oracle, now=now, quotes=quotes, expiry_prices=dict(fixed or {}))
    return replace(state, oracle=oracle)


EXPIRY = min(m.expiry for m in PARAMS.markets if m.expiry is not None)
AT_EXPIRY = {m.id for m in PARAMS.markets if m.expiry == EXPIRY}
LATER = {m.id for m in PARAMS.markets if m.expiry is not None and m.expiry > EXPIRY}


def test_available_prices_keeps_exactly_the_assets_with_a_price() -> None:
    """RISK-NET-1, ORA-5, ORA-6: the assets asked for that have an aggregate price, at that
    price; an asset without one (ETH below quorum) is left out, never given a price."""
    assert available_prices(at(10, 2_000), {"USD", "ETH"}) == {"USD": 1, "ETH": 2_000}
    assert available_prices(at(10, None), {"USD", "ETH"}) == {"USD": 1}
    assert available_prices(at(10, 2_000), {"ETH"}) == {"ETH": 2_000}
    assert available_prices(at(10, 2_000), set()) == {}


def test_prices_of_is_all_or_nothing() -> None:
    """ORA-7: every asset's price, or none at all when one is missing (fail closed)."""
    assert prices_of(at(10, 2_000), {"USD", "ETH"}) == {"USD": 1, "ETH": 2_000}
    assert prices_of(at(10, None), {"USD", "ETH"}) is None
    assert prices_of(at(10, None), {"USD"}) == {"USD": 1}
    assert prices_of(at(10, None), set()) == {}


def test_options_are_fixed_at_their_expiry_and_not_a_second_before() -> None:
    """PRC-14: at `now == expiry` every option of that expiry gets the aggregate price, and
    no other market does; one second before, nothing is fixed and the state is returned
    as it was."""
    assert AT_EXPIRY and LATER
    before = at(EXPIRY - 1, 2_000)
    assert fix_expiry_prices(before) is before
    fixed = fix_expiry_prices(at(EXPIRY, 2_000)).oracle.expiry_prices
    assert fixed == dict.fromkeys(AT_EXPIRY, 2_000)


def test_a_fixed_expiry_price_never_changes_and_the_others_still_fix() -> None:
    """PRC-14: an option already fixed keeps its price whatever the aggregate price is now;
    the options of its expiry not yet fixed get the current price, whatever their order
    among the markets; without an available price nothing is fixed."""
    for kept in sorted(AT_EXPIRY):
        state = at(EXPIRY + 5, 2_500, {kept: 2_000})
        fixed = fix_expiry_prices(state).oracle.expiry_prices
        assert fixed == {**dict.fromkeys(AT_EXPIRY, 2_500), kept: 2_000}
    done = at(EXPIRY + 5, 2_500, dict.fromkeys(AT_EXPIRY, 2_000))
    assert fix_expiry_prices(done) is done
    unpriced = at(EXPIRY + 5, None)
    assert fix_expiry_prices(unpriced).oracle.expiry_prices == {}
