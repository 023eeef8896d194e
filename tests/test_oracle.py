"""Unit tests of the risk oracle: lower median of fresh quotes, staleness, outliers, quorum,
fixed prices; and of the PublishPrice and AdvanceTime actions that feed it."""

from model import State
from model.oracle import lower_median, price_of
from spec.actions import AdvanceTime, PublishPrice
from spec.errors import Error
from tests.helpers import priced, refused, run


def quotes(state: State, **prices: int) -> State:
    """Publish one price per named feed, at the current time."""
    return run(state, *(PublishPrice(feed=f, price=p) for f, p in prices.items()))


def test_a_published_price_is_stamped_with_the_current_time(genesis: State) -> None:
    """ORA-1: a quote replaces the feed's previous one and carries the time of publishing."""
    state = run(genesis, AdvanceTime(seconds=7), PublishPrice(feed="pyth", price=1_999))
    state = run(state, PublishPrice(feed="pyth", price=2_001))
    assert state.oracle.quotes["pyth"] == (2_001, 7)


def test_advancing_time_moves_only_the_clock(genesis: State) -> None:
    """TIME-1: logical time moves forward and nothing else changes."""
    state = run(genesis, AdvanceTime(seconds=30))
    assert state.oracle.now == 30
    assert (state.hub, state.spokes, state.network) == (
        genesis.hub,
        genesis.spokes,
        genesis.network,
    )


def test_a_publish_from_an_unknown_feed_is_refused(genesis: State) -> None:
    """STEP-2, ERR-2: only declared feeds publish."""
    refused(genesis, PublishPrice(feed="nope", price=1), Error.UNKNOWN_FEED)


def test_the_lower_median_takes_the_lower_middle_of_an_even_count() -> None:
    """ORA-3: the middle of the sorted prices; of two middles, the lower."""
    assert lower_median([2_020, 2_000, 2_010]) == 2_010
    assert lower_median([2_020, 2_000]) == 2_000
    assert lower_median([4, 1, 3, 2]) == 2


def test_the_price_is_the_lower_median_of_the_fresh_quotes(genesis: State) -> None:
    """ORA-3: three feeds within the outlier band: their median."""
    state = quotes(genesis, chainlink=2_020, pyth=2_000, redstone=2_010)
    assert price_of(state, "ETH") == 2_010


def test_two_quotes_give_the_lower_one(genesis: State) -> None:
    """ORA-3: with an even count the lower middle counts (against a long collateral holder)."""
    assert price_of(quotes(genesis, chainlink=2_020, pyth=2_000), "ETH") == 2_000


def test_below_quorum_there_is_no_price(genesis: State) -> None:
    """ORA-2, ORA-5: one fresh quote is below the quorum of two."""
    assert price_of(quotes(genesis, chainlink=2_000), "ETH") is None


def test_a_quote_exactly_max_age_old_is_fresh(genesis: State) -> None:
    """ORA-2: age <= max_age (60 s) is fresh."""
    state = run(priced(genesis), AdvanceTime(seconds=60))
    assert price_of(state, "ETH") == 2_000


def test_a_quote_one_second_past_max_age_is_stale(genesis: State) -> None:
    """ORA-2: age max_age + 1 is stale; with both quotes stale the price is unavailable."""
    state = run(priced(genesis), AdvanceTime(seconds=61))
    assert price_of(state, "ETH") is None


def test_a_stale_quote_does_not_count_towards_the_quorum(genesis: State) -> None:
    """ORA-2: one old quote and one fresh one are one fresh quote: below quorum."""
    state = quotes(genesis, chainlink=2_000)
    state = quotes(run(state, AdvanceTime(seconds=61)), pyth=2_000)
    assert price_of(state, "ETH") is None
    assert price_of(quotes(state, redstone=2_010), "ETH") == 2_000


def test_an_outlier_is_dropped(genesis: State) -> None:
    """ORA-4: 2500 is more than 5% from the median 2010 and is dropped; of 2000 and 2010 the
    lower median is 2000 (with it, the median would have been 2010)."""
    state = quotes(genesis, chainlink=2_000, pyth=2_010, redstone=2_500)
    assert price_of(state, "ETH") == 2_000


def test_a_quote_exactly_at_the_outlier_band_is_kept(genesis: State) -> None:
    """ORA-4: an outlier is *more* than outlier_bps (5%) from the median: around the median
    2000, 2100 is exactly 5% away and kept (two quotes, quorum met); 2101 is dropped."""
    assert price_of(quotes(genesis, chainlink=2_000, pyth=2_100), "ETH") == 2_000
    assert price_of(quotes(genesis, chainlink=2_000, pyth=2_101), "ETH") is None


def test_below_quorum_after_dropping_outliers_there_is_no_price(genesis: State) -> None:
    """ORA-4, ORA-5: two quotes 2000 and 3000: 3000 is an outlier, one quote is left."""
    assert price_of(quotes(genesis, chainlink=2_000, pyth=3_000), "ETH") is None


def test_a_fixed_price_asset_needs_no_feed(genesis: State) -> None:
    """ORA-6, PAR-1: the settlement asset has its declared price, always."""
    assert price_of(genesis, "USD") == 1
    assert price_of(run(genesis, AdvanceTime(seconds=10**9)), "USD") == 1
