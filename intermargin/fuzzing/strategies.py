"""The fuzzer's parameters and the Hypothesis strategies that draw actions and payloads.

Values come from small sets (`sampled_from`) chosen so that they collide: a few
deposits fill a partition cap, a few grants exhaust capacity, and the price
levels include drops large enough to make a levered account unhealthy and to
leave bad debt.  Small sets also shrink to readable counterexamples.
"""

from hypothesis import strategies as st

from spec.actions import (
    Action,
    Deposit,
    GrantCredit,
    PublishPrice,
    ReleaseCredit,
    SendReport,
    SetCap,
    Trade,
    Withdraw,
)
from spec.bounds import HUB, MAX_AMOUNT
from spec.examples import example_params
from spec.messages import (
    CreditGrant,
    CreditRelease,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    MarginCall,
    Message,
    PositionView,
)
from spec.params import Params, RateLimitParams, SpokeParams

FUZZ_CAP = 5_000
"""Each spoke's partition cap: a couple of grants reach it."""

FUZZ_INSURANCE = 500
"""The insurance fund, small enough that bad debt can exhaust it and be socialized."""


def fuzz_params() -> Params:
    """The example parameters (PAR-10) with small caps and a small insurance fund, and the
    perpetual and two at-the-money-ish options only: the campaign's budget goes to
    levered perpetuals that liquidations and claims race on (DIFF-5's buckets); the
    far out-of-the-money and later-expiry options are exercised by tests/test_span.py."""
    base = example_params()
    spokes = tuple(SpokeParams(id=s.id, cap=FUZZ_CAP, latency_s=s.latency_s) for s in base.spokes)
    markets = tuple(m for m in base.markets if m.id in FUZZ_MARKETS)
    return base.model_copy(
        update={
            "spokes": spokes,
            "markets": markets,
            "insurance_fund": (("USD", FUZZ_INSURANCE),),
        }
    )


FUZZ_MARKETS = ("ETH-PERP", "ETH-C-2000", "ETH-P-1800")

FUZZ_WINDOW_S = 30
"""FLOW-CALL-1: the top-up window of the runs that declare one (`with_window`): shorter
than the oracle's max age, so that a keeper can wait it out with the prices still live."""


FUZZ_CALL_FLOOR_BPS = 1_000
"""FLOW-CALL-2: the call floor of those runs: low, because the fuzzer's price jumps leave most
unhealthy accounts far below half their requirement, where the window does not apply."""

PARAMS = fuzz_params()

FUZZ_RATE = RateLimitParams(capacity=4_000, refill_per_s=10)
"""RATE-1, RATE-5: each spoke's bucket in the rate-limited variants; its cap there is the
capacity (and the machine's governance keeps it so), so every honest loss can pass once the
bucket has refilled, and a claim or two of a whole allocation empties it."""


def channel_variant(ordered: bool, rated: bool) -> Params:
    """The fuzzing parameters with ordered channels (CHAN-1) and/or every spoke rate limited
    with its cap at the bucket's capacity (RATE-1, RATE-5)."""
    update = {"rate_limit": FUZZ_RATE, "cap": FUZZ_RATE.capacity} if rated else {}
    spokes = tuple(s.model_copy(update=update) for s in PARAMS.spokes)
    ordering = "ordered" if ordered else "unordered"
    return PARAMS.model_copy(update={"spokes": spokes, "channel_ordering": ordering})


FUZZ_FINALITY_S = 30
"""PAR-27: each spoke's finality delay in the finality variant: longer than most of the
machine's time steps (so messages meet NOT_FINAL), shorter than its longest (61 s)."""


def finality_variant() -> Params:
    """The fuzzing parameters with every spoke declaring a finality delay (FIN-1)."""
    spokes = tuple(s.model_copy(update={"finality_s": FUZZ_FINALITY_S}) for s in PARAMS.spokes)
    return PARAMS.model_copy(update={"spokes": spokes})


VARIANTS: tuple[Params, ...] = (
    PARAMS,
    PARAMS,
    channel_variant(ordered=True, rated=False),
    channel_variant(ordered=False, rated=True),
    channel_variant(ordered=True, rated=True),
    finality_variant(),
)
"""DIFF-7: the parameter sets a run of the machine starts from: the plain one two times in
six (it shrinks to it), else ordered channels, rate limits, both (CHAN-1, RATE-1), or finality
delays on every spoke (FIN-1)."""
variants = st.sampled_from(VARIANTS)


def with_window(params: Params) -> Params:
    """FLOW-CALL-1: the parameters with the fuzzer's top-up window and call floor declared
    (the machine draws it on top of a channel variant in half its runs)."""
    return params.model_copy(
        update={"top_up_window_s": FUZZ_WINDOW_S, "call_floor_bps": FUZZ_CALL_FLOOR_BPS}
    )


ACCOUNT_IDS = PARAMS.accounts
SPOKE_IDS = tuple(s.id for s in PARAMS.spokes)
MARKET_IDS = tuple(m.id for m in PARAMS.markets)
FEED_IDS = tuple(f.id for f in PARAMS.oracle.feeds)
ADVERSARY = SPOKE_IDS[-1]
"""The one spoke the adversary controls; the others follow their rules (INV-CREDIT-1 bites)."""
HONEST_SPOKES = SPOKE_IDS[:-1]

PRICE_LEVELS = (700, 1_000, 1_500, 1_800, 2_000, 2_200, 2_600)
"""ETH prices: from the 2_000 start, jumps of -65% .. +30%."""
START_PRICE = 2_000

accounts = st.sampled_from(ACCOUNT_IDS)
spokes = st.sampled_from(SPOKE_IDS)
markets = st.sampled_from(MARKET_IDS)
feeds = st.sampled_from(FEED_IDS)
prices = st.sampled_from(PRICE_LEVELS)
outlier_prices = st.sampled_from((1, 500, 1_950, 2_050, 5_000, 10_000))
credit = st.sampled_from((2_000, 100, 500, 1_000, 4_000))
caps = st.sampled_from((0, 1_000, 3_000, FUZZ_CAP, 10_000))
quantities = st.sampled_from((1, -1, 2, -2, 3, -3, 5))
lots = st.sampled_from((4, 1, 2, 8))
slippage = st.sampled_from((0, 0, -100, 100))
seconds = st.sampled_from((1, 5, 20, 61))
deposits = st.sampled_from((("USD", 500), ("USD", 2_000), ("ETH", 1), ("ETH", 3)))
withdrawals = st.sampled_from((("USD", 100), ("USD", 1_000), ("ETH", 1)))
funding = st.sampled_from((("ETH", 2), ("USD", 500), ("USD", 3_000), ("ETH", 1), ("USD", 0)))

# --- adversarial payloads ------------------------------------------------------------

wire_accounts = st.sampled_from((*ACCOUNT_IDS, "mallory"))
"""Accounts a malicious payload may name: the declared ones and one nobody declared."""
wire_amounts = st.sampled_from((1, 100, 1_000, 5_000, 100_000))
epochs = st.integers(min_value=0, max_value=3)
sequence_numbers = st.integers(min_value=0, max_value=6)
balances = st.sampled_from((0, -500, 500, 100_000, -100_000))
position_views = st.lists(
    st.builds(
        PositionView,
        market=st.sampled_from((*MARKET_IDS[:2], "NOPE")),
        qty=st.sampled_from((0, 1, -1, 10)),
        cost=st.sampled_from((0, 2_000, -2_000)),
    ),
    max_size=3,
).map(tuple)
"""Lists that may repeat a market, name an unknown one or hold a zero size (malformed)."""

spoke_payloads: st.SearchStrategy[Message] = st.one_of(
    st.builds(CreditRelease, account=wire_accounts, amount=wire_amounts),
    st.builds(LossClaim, account=wire_accounts, amount=wire_amounts),
    st.builds(
        ExposureReport,
        account=wire_accounts,
        seq=sequence_numbers,
        balance=balances,
        positions=position_views,
    ),
    st.builds(
        LiquidationReport,
        account=wire_accounts,
        epoch=epochs,
        seq=sequence_numbers,
        released=st.sampled_from((0, 100, 1_000)),
        loss=st.sampled_from((0, 100, 1_000, 5_000)),
        balance=balances,
    ),
)
"""Well-formed spoke-to-hub payloads with arbitrary contents (ADV-2)."""

hub_payloads: st.SearchStrategy[Message] = st.one_of(
    st.builds(CreditGrant, account=wire_accounts, amount=wire_amounts, epoch=epochs),
    st.builds(MarginCall, account=wire_accounts, epoch=epochs),
)
"""Hub-to-spoke payloads, which only the hub may send."""


@st.composite
def forged_injections(draw: st.DrawFn) -> tuple[str, str, Message]:
    """(sender, receiver, payload) that the channel does not authenticate (MSG-6):
    a hub message from a spoke, a spoke message from the hub, or a spoke message
    sent to another spoke."""
    kind = draw(st.sampled_from(("hub-kind-from-spoke", "spoke-kind-from-hub", "spoke-to-spoke")))
    spoke = draw(spokes)
    if kind == "hub-kind-from-spoke":
        return spoke, draw(st.sampled_from((HUB, *SPOKE_IDS))), draw(hub_payloads)
    if kind == "spoke-kind-from-hub":
        return HUB, draw(st.sampled_from((HUB, *SPOKE_IDS))), draw(spoke_payloads)
    return spoke, draw(spokes), draw(spoke_payloads)


# --- bad input (ERR-2) ---------------------------------------------------------------

bad_inputs: st.SearchStrategy[Action] = st.one_of(
    st.builds(Deposit, account=st.just("mallory"), asset=st.just("USD"), amount=st.just(1)),
    st.builds(GrantCredit, account=accounts, spoke=st.just("moon"), amount=st.just(1)),
    st.builds(Withdraw, account=accounts, asset=st.just("DOGE"), amount=st.just(1)),
    st.builds(
        Trade,
        spoke=spokes,
        account=accounts,
        market=st.just("BTC-PERP"),
        qty=st.just(1),
        price=st.just(1),
    ),
    st.builds(PublishPrice, feed=st.just("nobody"), price=st.just(1)),
    st.builds(Trade, spoke=spokes, account=accounts, market=markets, qty=st.just(0), price=prices),
    st.builds(Deposit, account=accounts, asset=st.just("USD"), amount=st.just(MAX_AMOUNT)),
    st.builds(ReleaseCredit, spoke=st.just("moon"), account=accounts, amount=st.just(1)),
    st.builds(SendReport, spoke=spokes, account=st.just("mallory")),
    st.builds(SetCap, spoke=st.just("moon"), cap=st.just(1)),
)
"""Actions naming an id the parameters do not declare, or an amount out of bounds."""
