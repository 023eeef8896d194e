"""Greeks per underlying when only some underlyings have a price (RISK-9)."""

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from model.greeks import FLAT, add, book_greeks, market_greeks, scaled
from model.pricing import Greeks
from model.state import Position
from spec.examples import example_params
from spec.params import FeedParams, MarketParams, Params


def two_underlyings() -> Params:
    """The example parameters with a second underlying, BTC, its feed and two markets."""
    base = example_params()
    eth = next(a for a in base.assets if a.id == "ETH")
    perp = next(m for m in base.markets if m.id == "ETH-PERP")
    call = next(m for m in base.markets if m.id == "ETH-C-2000")
    btc_markets = (
        perp.model_copy(update={"id": "BTC-PERP", "underlying": "BTC"}),
        call.model_copy(update={"id": "BTC-C-30000", "underlying": "BTC", "strike": 30_000}),
    )
    oracle = base.oracle.model_copy(
        update={"feeds": (*base.oracle.feeds, FeedParams(id="btc-feed", asset="BTC"))}
    )
    return base.model_copy(
        update={
            "assets": (*base.assets, eth.model_copy(update={"id": "BTC"})),
            "markets": (*base.markets, *btc_markets),
            "oracle": oracle,
        }
    )


PARAMS = two_underlyings()
MARKETS = ("ETH-PERP", "ETH-C-2000", "BTC-PERP", "BTC-C-30000")
books = st.dictionaries(
    st.sampled_from(("arb", "base")),
    st.dictionaries(st.sampled_from(MARKETS), st.sampled_from((-3, -2, -1, 1, 2, 3)), min_size=1),
    min_size=1,
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    books,
    st.sampled_from((None, 2_000)),
    st.sampled_from((None, 30_000)),
    st.integers(0, 3_000_000),
)
@example({"arb": {"ETH-PERP": 1, "ETH-C-2000": -1, "BTC-PERP": 2}}, None, 30_000, 0)
def test_an_underlying_without_a_price_is_none_and_hides_no_other(
    sizes: dict[str, dict[str, int]], eth: int | None, btc: int | None, now: int
) -> None:
    """RISK-9: each underlying the books hold is None when its price is unavailable, else
    the sum over every venue's positions of the lot Greeks times the size, whatever the
    order the markets come in and whichever other underlying has no price."""
    cat = {m.id: m for m in PARAMS.markets}
    prices = {"ETH": eth, "BTC": btc}
    positions = {
        venue: {m: Position(qty, 0) for m, qty in held.items()} for venue, held in sizes.items()
    }
    expected: dict[str, Greeks | None] = {}
    for held in sizes.values():
        for market_id, qty in held.items():
            market = cat[market_id]
            spot = prices[market.underlying]
            if spot is None:
                expected[market.underlying] = None
            elif expected.get(market.underlying, FLAT) is not None:
                lot = market_greeks(PARAMS, market, spot, now)
                expected[market.underlying] = add(
                    expected.get(market.underlying) or FLAT, scaled(lot, qty)
                )
    result = book_greeks(PARAMS, positions, prices, now)
    event(f"unpriced before a priced one: {hides_a_later_market(sizes, prices, cat)}")
    assert result == expected


def hides_a_later_market(
    sizes: dict[str, dict[str, int]], prices: dict[str, int | None], cat: dict[str, MarketParams]
) -> bool:
    """A book lists a market without a price before one with a price."""
    for held in sizes.values():
        seen_unpriced = False
        for market_id in held:
            if prices[cat[market_id].underlying] is None:
                seen_unpriced = True
            elif seen_unpriced:
                return True
    return False
