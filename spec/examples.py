"""A worked parameter set: three accounts, a settlement asset and ETH, a perpetual and four
options (one call struck beyond the extreme scan move, one on a later expiry), three
spokes with different latencies.  The scenarios and tests start from it."""

from spec.params import (
    AssetParams,
    FeedParams,
    MarketParams,
    OracleParams,
    Params,
    PortfolioParams,
    SpokeParams,
)


def example_params() -> Params:
    """PAR-10: the reference parameter set (also `spec/examples/params.json`)."""
    return Params(
        accounts=("alice", "bob", "carol"),
        assets=(
            AssetParams(id="USD", haircut_bps=0, volatility_bps=0, scan_range_bps=0, fixed_price=1),
            AssetParams(
                id="ETH",
                haircut_bps=1_000,
                ltv_haircut_bps=1_500,
                volatility_bps=8_000,
                scan_range_bps=1_500,
            ),
        ),
        markets=(
            MarketParams(id="ETH-PERP", underlying="ETH", kind="perp", im_bps=1_000, mm_bps=500),
            MarketParams(
                id="ETH-C-2000",
                underlying="ETH",
                kind="call",
                strike=2_000,
                expiry=2_592_000,
                im_bps=1_500,
                mm_bps=1_000,
            ),
            MarketParams(
                id="ETH-P-1800",
                underlying="ETH",
                kind="put",
                strike=1_800,
                expiry=2_592_000,
                im_bps=1_500,
                mm_bps=1_000,
            ),
            MarketParams(
                id="ETH-C-3000",
                underlying="ETH",
                kind="call",
                strike=3_000,
                expiry=2_592_000,
                im_bps=1_500,
                mm_bps=1_000,
            ),
            MarketParams(
                id="ETH-C-2000-Q",
                underlying="ETH",
                kind="call",
                strike=2_000,
                expiry=7_776_000,
                im_bps=1_500,
                mm_bps=1_000,
            ),
        ),
        spokes=(
            SpokeParams(id="arb", cap=1_000_000, latency_s=2),
            SpokeParams(id="base", cap=1_000_000, latency_s=12),
            SpokeParams(id="sol", cap=1_000_000, latency_s=60),
        ),
        oracle=OracleParams(
            feeds=(
                FeedParams(id="chainlink", asset="ETH"),
                FeedParams(id="pyth", asset="ETH"),
                FeedParams(id="redstone", asset="ETH"),
            ),
            quorum=2,
            max_age_s=60,
            outlier_bps=500,
        ),
        portfolio=PortfolioParams(
            vol_scan_bps=2_000,
            extreme_multiple=3,
            extreme_cover_bps=3_500,
            im_bps=11_000,
            short_option_min_bps=100,
            spread_charge_bps=200,
        ),
        buffer_z_milli=3_000,
        penalty_bps=500,
        insurance_fund=(("USD", 50_000),),
        margin_method="portfolio",
    )
