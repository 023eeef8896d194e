"""Every feed of an asset counts, whichever feeds have not published (ORA-2, ORA-5)."""

from itertools import combinations

from model import initial_state, step
from model.oracle import fresh_quotes, price_of
from spec.actions import PublishPrice
from spec.examples import example_params


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
