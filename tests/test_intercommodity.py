"""Inter-commodity spread credits (SPAN-8, SPAN-9, PAR-18): a declared correlation table and
SPAN's weighted-price-risk credit between underlyings.

The published figure: CME Group, "Margin spread calculations"
(https://www.cmegroup.com/clearing/margins/spread-calc.html), Inter Spread Calculations:
Corn vs. Soybeans (2:1) at a 55% inter rate, outright rates Corn $1750 and Soybeans $2500:
2 x 1750 + 2500 = 6000 before the credit, a credit of 3500 x 0.55 + 2500 x 0.55 = 3300, a
final margin of 2700.
"""

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from model.pricing import ONE
from model.span import (
    inter_credits,
    legs_offset,
    scan_margin,
    scan_risk,
    short_option_lots,
    short_option_minimum,
    spread_credits,
    underlying_deltas,
    underlying_risk,
)
from model.state import Position, Positions
from spec.params import Params

LAWS = settings(max_examples=150, deadline=None)


def grains(
    correlation: int = 8_000,
    credit: int = 5_500,
    ratios: tuple[int, int] = (2, 1),
    **portfolio: object,
) -> Params:
    """Two underlyings: CORN at 17 500 and SOY at 25 000, each with a scan range of 10%, so a
    future's scan risk is CME's outright rate of 1750 and 2500 a lot (the extreme moves, 2
    ranges at 30% cover, never dominate); futures as perpetuals; the spread CORN:SOY 2:1."""
    asset = {"haircut_bps": 0, "volatility_bps": 2_500, "scan_range_bps": 1_000}
    return Params.model_validate(
        {
            "accounts": ["farmer"],
            "assets": [
                {
                    "id": "USD",
                    "haircut_bps": 0,
                    "volatility_bps": 0,
                    "scan_range_bps": 0,
                    "fixed_price": 1,
                },
                {"id": "CORN", **asset},
                {"id": "SOY", **asset},
            ],
            "markets": [
                {
                    "id": "CORN-F",
                    "underlying": "CORN",
                    "kind": "perp",
                    "im_bps": 1_000,
                    "mm_bps": 1_000,
                },
                {
                    "id": "SOY-F",
                    "underlying": "SOY",
                    "kind": "perp",
                    "im_bps": 1_000,
                    "mm_bps": 1_000,
                },
                {
                    "id": "SOY-C",
                    "underlying": "SOY",
                    "kind": "call",
                    "strike": 25_000,
                    "expiry": 2_592_000,
                    "im_bps": 1_500,
                    "mm_bps": 1_000,
                },
            ],
            "spokes": [{"id": "cbot", "cap": 10**9, "latency_s": 2}],
            "oracle": {
                "feeds": [{"id": "corn", "asset": "CORN"}, {"id": "soy", "asset": "SOY"}],
                "quorum": 1,
                "max_age_s": 60,
                "outlier_bps": 500,
            },
            "portfolio": {
                "vol_scan_bps": 2_000,
                "extreme_multiple": 2,
                "extreme_cover_bps": 3_000,
                "im_bps": 10_000,
                "short_option_min_bps": 100,
                "spread_charge_bps": 0,
                "correlations": [{"a": "CORN", "b": "SOY", "correlation_bps": correlation}],
                "inter_spreads": [
                    {
                        "a": "CORN",
                        "b": "SOY",
                        "ratio_a": ratios[0],
                        "ratio_b": ratios[1],
                        "credit_bps": credit,
                    }
                ],
                **portfolio,
            },
            "buffer_z_milli": 3_000,
            "penalty_bps": 500,
        },
        strict=False,
    )


PARAMS = grains()
PRICES = {"CORN": 17_500, "SOY": 25_000, "USD": 1}


def test_cme_corn_soybeans_two_to_one_at_55_percent() -> None:
    """SPAN-9: CME's Corn vs. Soybeans example: long 2 corn, short 1 soybeans; outright 1750 x
    2 + 2500 = 6000, credit 0.55 x 3500 + 0.55 x 2500 = 3300, margin 2700."""
    book = {"CORN-F": Position(2, 35_000), "SOY-F": Position(-1, -25_000)}
    assert scan_risk(PARAMS, book, PRICES, "CORN", 0) == 3_500
    assert scan_risk(PARAMS, book, PRICES, "SOY", 0) == 2_500
    assert inter_credits(PARAMS, book, PRICES, 0) == {"CORN": 1_925, "SOY": 1_375}
    assert scan_margin(PARAMS, book, PRICES, 0) == 2_700
    alone = {"CORN-F": Position(2, 35_000)}
    assert scan_margin(PARAMS, alone, PRICES, 0) == 3_500


def test_only_offsetting_legs_spread() -> None:
    """SPAN-9: under a positive correlation, long corn and long soybeans do not offset (both
    lose together): no credit; under a negative correlation they do, and long against short
    does not."""
    both_long = {"CORN-F": Position(2, 0), "SOY-F": Position(1, 0)}
    assert inter_credits(PARAMS, both_long, PRICES, 0) == {"CORN": 0, "SOY": 0}
    assert scan_margin(PARAMS, both_long, PRICES, 0) == 6_000
    negative = grains(correlation=-8_000)
    assert scan_margin(negative, both_long, PRICES, 0) == 2_700
    hedge = {"CORN-F": Position(2, 0), "SOY-F": Position(-1, 0)}
    assert scan_margin(negative, hedge, PRICES, 0) == 6_000


def test_spreads_form_at_the_declared_ratio_and_the_rest_is_not_credited() -> None:
    """SPAN-9: long 4 corn against short 1 soybeans at 2:1 forms one spread: half of corn's
    delta spreads, so corn is credited 55% of half its 7000 scan risk (1925) and soybeans
    55% of all of its 2500 (1375): 9500 - 3300 = 6200."""
    book = {"CORN-F": Position(4, 0), "SOY-F": Position(-1, 0)}
    assert inter_credits(PARAMS, book, PRICES, 0) == {"CORN": 1_925, "SOY": 1_375}
    assert scan_margin(PARAMS, book, PRICES, 0) == 7_000 + 2_500 - 3_300


def test_an_option_leg_counts_by_its_delta() -> None:
    """SPAN-9, PRC-11: a short at-the-money soybean call is a short soybean delta of about a
    half: it spreads against about one of the two corn lots (2:1), so corn is credited about
    half of 1925, and the call's whole delta spreads: 55% of its scan risk."""
    book = {"CORN-F": Position(2, 0), "SOY-C": Position(-1, 0)}
    deltas = underlying_deltas(PARAMS, book, PRICES, 0)
    assert deltas["CORN"] == 2 * ONE and -ONE < deltas["SOY"] < 0
    credits = inter_credits(PARAMS, book, PRICES, 0)
    assert 800 < credits["CORN"] < 1_100
    assert credits["SOY"] == scan_risk(PARAMS, book, PRICES, "SOY", 0) * 5_500 // 10_000


eth_prices = st.integers(1, 100_000)
sizes = st.integers(-20, 20).filter(bool)
books = st.dictionaries(
    st.sampled_from(("CORN-F", "SOY-F", "SOY-C")),
    st.builds(Position, qty=sizes, cost=st.just(0)),
    min_size=1,
    max_size=3,
)


@LAWS
@given(
    book=books,
    corn=eth_prices,
    soy=eth_prices,
    correlation=st.integers(-10_000, 10_000),
    share=st.integers(0, 10_000),
    ratios=st.tuples(st.integers(1, 5), st.integers(1, 5)),
)
def test_a_credit_never_costs_and_never_goes_below_the_minimum(
    book: Positions, corn: int, soy: int, correlation: int, share: int, ratios: tuple[int, int]
) -> None:
    """SPAN-9: for any book, prices and declared spread: each underlying's credit is between 0
    and its scan risk; the credited margin is at most the margin without credit and at least
    each underlying's short option minimum."""
    credit = abs(correlation) * share // 10_000
    params = grains(correlation=correlation, credit=credit, ratios=ratios)
    plain = grains(correlation=correlation, credit=0, ratios=ratios)
    prices = {"CORN": corn, "SOY": soy, "USD": 1}
    credits = inter_credits(params, book, prices, 0)
    for asset, amount in credits.items():
        assert 0 <= amount <= scan_risk(params, book, prices, asset, 0)
    with_credit = scan_margin(params, book, prices, 0)
    assert with_credit <= scan_margin(plain, book, prices, 0)
    minimums = sum(
        short_option_minimum(params, short_option_lots(params, book, x, 0), prices[x])
        for x in credits
    )
    assert with_credit >= minimums
    event("credited" if any(credits.values()) else "no credit")


@given(a=st.integers(-5, 5), b=st.integers(-5, 5), rho=st.integers(-10_000, 10_000))
def test_legs_offset_against_their_correlation(a: int, b: int, rho: int) -> None:
    """SPAN-9: two deltas offset iff correlation x delta_a x delta_b < 0."""
    assert legs_offset(rho, a, b) == (rho * a * b < 0)


def test_credits_take_the_spreads_in_priority_order() -> None:
    """SPAN-9: a leg's delta spreads once: the first declared spread takes it; the second finds
    nothing left (its credits sum to no more than the leg's scan risk)."""
    params = grains()
    portfolio = params.portfolio.model_copy(
        update={"inter_spreads": (*params.portfolio.inter_spreads, *params.portfolio.inter_spreads)}
    )
    deltas = {"CORN": 2 * ONE, "SOY": -ONE}
    risks = {"CORN": 3_500, "SOY": 2_500}
    assert spread_credits(portfolio, deltas, risks) == {"CORN": 1_925, "SOY": 1_375}


def test_an_undeclared_pair_gives_nothing() -> None:
    """SPAN-8: without a declared spread, different underlyings never offset."""
    params = grains().model_copy(
        update={"portfolio": grains().portfolio.model_copy(update={"inter_spreads": ()})}
    )
    book = {"CORN-F": Position(2, 0), "SOY-F": Position(-1, 0)}
    assert inter_credits(params, book, PRICES, 0) == {}
    assert scan_margin(params, book, PRICES, 0) == sum(
        underlying_risk(params, book, PRICES, x, 0) for x in ("CORN", "SOY")
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"correlations": [{"a": "CORN", "b": "SOY", "correlation_bps": 10_001}]},
            "correlation_bps",
        ),
        (
            {
                "correlations": [
                    {"a": "CORN", "b": "SOY", "correlation_bps": 8_000},
                    {"a": "SOY", "b": "CORN", "correlation_bps": 7_000},
                ]
            },
            "symmetric",
        ),
        ({"correlations": [{"a": "CORN", "b": "CORN", "correlation_bps": 5_000}]}, "itself"),
        (
            {
                "inter_spreads": [],
                "correlations": [{"a": "CORN", "b": "WHEAT", "correlation_bps": 5_000}],
            },
            "unknown asset WHEAT",
        ),
        (
            {
                "inter_spreads": [
                    {"a": "CORN", "b": "SOY", "ratio_a": 1, "ratio_b": 1, "credit_bps": 9_000}
                ]
            },
            "exceeds",
        ),
        (
            {
                "inter_spreads": [
                    {"a": "CORN", "b": "OATS", "ratio_a": 1, "ratio_b": 1, "credit_bps": 0}
                ]
            },
            "unknown asset OATS",
        ),
    ],
)
def test_the_correlation_table_is_validated(change: dict[str, object], message: str) -> None:
    """PAR-18: correlations in [-1, 1], symmetric (a pair listed twice agrees), between two
    different declared underlyings; a spread's credit at most the |correlation| of its pair,
    its underlyings declared."""
    with pytest.raises(ValidationError, match=message):
        grains(**change)  # type: ignore[arg-type]


def test_a_symmetric_entry_listed_both_ways_is_accepted() -> None:
    """PAR-18: the same value listed for (a, b) and (b, a) is one symmetric entry."""
    both = [
        {"a": "CORN", "b": "SOY", "correlation_bps": 8_000},
        {"a": "SOY", "b": "CORN", "correlation_bps": 8_000},
    ]
    params = grains(correlations=both)
    book = {"CORN-F": Position(2, 0), "SOY-F": Position(-1, 0)}
    assert scan_margin(params, book, PRICES, 0) == 2_700


def test_parameters_without_a_table_serialize_as_before() -> None:
    """PAR-18: empty tables are left out of the JSON, so existing parameter files and vectors
    do not move."""
    from spec.examples import example_params

    dumped = example_params().model_dump(mode="json")["portfolio"]
    assert "correlations" not in dumped and "inter_spreads" not in dumped
    assert "inter_spreads" in PARAMS.model_dump(mode="json")["portfolio"]
