"""The hand-written vectors: a unit case per action kind and per error code, the named
scenarios, and adversarial stories (reorder, replay, forge, withhold) (CONF-9).

Each story is pure data: parameters, actions, and what its last step must give (so a
story that stops showing what its title says fails generation loudly instead of
shipping a vector that tests something else).  Message ids are known in advance: the
network numbers messages 1, 2, 3... in sending order (MSG-9).
"""

from dataclasses import dataclass
from typing import Literal

from intermargin.fuzzing.strategies import PARAMS
from intermargin.scenarios import SCENARIOS
from spec.actions import (
    Action,
    AdvanceTime,
    Deliver,
    Deposit,
    GrantCredit,
    Inject,
    Liquidate,
    PauseSpoke,
    PayOut,
    PublishPrice,
    ReleaseCredit,
    SendReport,
    SetCap,
    Trade,
    UnpauseSpoke,
    Withdraw,
)
from spec.bounds import MAX_AMOUNT, MAX_QTY
from spec.chapters import Chapter
from spec.errors import Error
from spec.examples import example_params
from spec.messages import (
    CreditGrant,
    CreditRelease,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    MarginCall,
    PositionView,
)
from spec.params import Params

Expect = tuple[Literal["accepted", "rejected", "ignored"], Error | None]


@dataclass(frozen=True)
class Story:
    """A vector to be: where it is filed, what it shows, and what its last step gives."""

    name: str
    chapter: Chapter
    kind: Literal["unit", "scenario", "adversarial"]
    title: str
    actions: tuple[Action, ...]
    expect: Expect | None = None
    params: Params = PARAMS
    story: str = ""


FEEDS = ("chainlink", "pyth", "redstone")


def eth(price: int) -> tuple[Action, ...]:
    return tuple(PublishPrice(feed=f, price=price) for f in FEEDS)


def dl(*ids: int) -> tuple[Action, ...]:
    return tuple(Deliver(message_id=i) for i in ids)


def usd(amount: int, account: str = "alice") -> Deposit:
    return Deposit(account=account, asset="USD", amount=amount)


def inject(sender: str, payload: object, receiver: str = "hub") -> Inject:
    return Inject.model_validate({"sender": sender, "receiver": receiver, "payload": payload})


LEVERED = (
    usd(1_000),
    *eth(2_000),
    GrantCredit(account="alice", spoke="arb", amount=900),  # -> 1
    *dl(1),
    Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=2_000),  # report -> 2
    *dl(2),
    *eth(1_500),
)
"""Alice, long 2 ETH-PERP on arb with 1000 USD behind it, after ETH falls to 1500: unhealthy."""

LIQUIDATING = (*LEVERED, Liquidate(account="alice"))
"""... and liquidating: margin calls 3 (arb), 4 (base), 5 (sol)."""

BAD_DEBT = (
    Deposit(account="alice", asset="ETH", amount=1),
    *eth(2_000),
    GrantCredit(account="alice", spoke="arb", amount=1_500),  # -> 1
    *dl(1),
    Trade(spoke="arb", account="alice", market="ETH-PERP", qty=3, price=2_000),  # report -> 2
    *dl(2),
    *eth(700),
    Liquidate(account="alice"),  # calls -> 3, 4, 5
    *dl(3, 4, 5),  # answers -> 6, 7, 8
    *dl(6, 7, 8),
)
"""ETH backs a long ETH position and crashes 65%: the loss passes the collateral, the
insurance fund pays what it can and the rest is socialized."""

ACCEPTED: Expect = ("accepted", None)

WIDE = example_params().model_copy(
    update={
        "spokes": tuple(sp.model_copy(update={"cap": 10**16}) for sp in example_params().spokes)
    }
)
"""The example parameters with caps wide enough to trade MAX_QTY lots."""


def rejected(error: Error) -> Expect:
    return "rejected", error


def ignored(error: Error) -> Expect:
    return "ignored", error


CALLED = PARAMS.model_copy(update={"top_up_window_s": 30})
"""The fuzzer's parameters with a 30-second top-up window (FLOW-CALL-1)."""

MILD = (
    usd(1_000),
    *eth(2_000),
    GrantCredit(account="alice", spoke="arb", amount=900),  # -> 1
    *dl(1),
    Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=2_000),  # report -> 2
    *dl(2),
    *eth(1_700),
)
"""Alice, long 2 ETH-PERP on arb with 1000 USD, after ETH falls to 1700: unhealthy (net
equity 400), but above half her requirement (the call floor)."""

CALLED_ALICE = (*MILD, Liquidate(account="alice"))
"""... and under a top-up call (with the window on)."""

CALL_AND_PAYOUT: tuple[Story, ...] = (
    Story(
        "call-opens",
        "liquidation",
        "unit",
        "with a top-up window, Liquidate opens a call and sends nothing",
        CALLED_ALICE,
        ACCEPTED,
        CALLED,
    ),
    Story(
        "call-window",
        "liquidation",
        "unit",
        "IN_TOP_UP_WINDOW: no liquidation before the window has passed",
        (*CALLED_ALICE, Liquidate(account="alice")),
        rejected(Error.IN_TOP_UP_WINDOW),
        CALLED,
    ),
    Story(
        "call-waited-out",
        "liquidation",
        "unit",
        "once the window has passed, the liquidation starts and closes the call",
        (*CALLED_ALICE, AdvanceTime(seconds=30), Liquidate(account="alice")),
        ACCEPTED,
        CALLED,
    ),
    Story(
        "call-floor",
        "liquidation",
        "unit",
        "below the call floor, the liquidation starts at once, window or not",
        LIQUIDATING,
        ACCEPTED,
        CALLED,
    ),
    Story(
        "call-freezes-withdraw",
        "hub",
        "unit",
        "MARGIN_CALLED: no withdrawal while a top-up call is open",
        (*CALLED_ALICE, Withdraw(account="alice", asset="USD", amount=1)),
        rejected(Error.MARGIN_CALLED),
        CALLED,
    ),
    Story(
        "call-freezes-grant",
        "hub",
        "unit",
        "MARGIN_CALLED: no grant while a top-up call is open",
        (*CALLED_ALICE, GrantCredit(account="alice", spoke="base", amount=1)),
        rejected(Error.MARGIN_CALLED),
        CALLED,
    ),
    Story(
        "call-met",
        "hub",
        "unit",
        "a deposit that restores health closes the top-up call",
        (*CALLED_ALICE, usd(100), usd(500), Withdraw(account="alice", asset="USD", amount=1)),
        ACCEPTED,
        CALLED,
    ),
    Story(
        "pay-out",
        "hub",
        "unit",
        "the hub pays a partition what it owes it",
        (*BAD_DEBT, PayOut(spoke="arb", asset="ETH", amount=1)),
        ACCEPTED,
    ),
    Story(
        "pay-out-exceeds-owed",
        "hub",
        "unit",
        "EXCEEDS_OWED: never more than the partition is owed",
        (PayOut(spoke="arb", asset="USD", amount=1),),
        rejected(Error.EXCEEDS_OWED),
    ),
    Story(
        "pay-out-paused",
        "governance",
        "unit",
        "SPOKE_PAUSED: a paused spoke is paid nothing",
        (PauseSpoke(spoke="arb"), PayOut(spoke="arb", asset="USD", amount=1)),
        rejected(Error.SPOKE_PAUSED),
    ),
)
"""Top-up calls (FLOW-CALL-1..5) and payouts (FLOW-PAY-1..3)."""

UNITS: tuple[Story, ...] = (
    # --- one accepted case per action kind (ACT-1..ACT-14) ---------------------------
    Story("deposit", "hub", "unit", "a deposit is credited", (usd(1_000),), ACCEPTED),
    Story(
        "withdraw",
        "hub",
        "unit",
        "a withdrawal within capacity",
        (usd(1_000), Withdraw(account="alice", asset="USD", amount=400)),
        ACCEPTED,
    ),
    Story(
        "grant-credit",
        "hub",
        "unit",
        "a grant allocates at once and sends the grant",
        (usd(3_000), GrantCredit(account="alice", spoke="arb", amount=1_000)),
        ACCEPTED,
    ),
    Story(
        "release-credit",
        "spokes",
        "unit",
        "a release debits the line before it is sent",
        (
            usd(3_000),
            GrantCredit(account="alice", spoke="arb", amount=1_000),
            *dl(1),
            ReleaseCredit(spoke="arb", account="alice", amount=400),
            *dl(2),
        ),
        ACCEPTED,
    ),
    Story(
        "send-report",
        "spokes",
        "unit",
        "a report carries the next sequence number",
        (SendReport(spoke="arb", account="alice"), *dl(1)),
        ACCEPTED,
    ),
    Story(
        "trade",
        "risk",
        "unit",
        "a risk-increasing trade within initial margin",
        (
            usd(3_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=2_000),
            *dl(1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),
            *dl(2),
        ),
        ACCEPTED,
    ),
    Story(
        "trade-options-netted",
        "risk",
        "unit",
        "options and perpetuals on two spokes, netted at the hub",
        (
            usd(6_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=2_000),
            GrantCredit(account="alice", spoke="base", amount=2_000),
            *dl(1, 2),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),
            Trade(spoke="base", account="alice", market="ETH-P-1800", qty=2, price=60),
            *dl(3, 4),
            GrantCredit(account="alice", spoke="sol", amount=500),
        ),
        ACCEPTED,
    ),
    Story(
        "trade-per-position",
        "risk",
        "unit",
        "per-position margin (no netting) when the parameters say so",
        (
            usd(3_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=2_000),
            *dl(1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=2_000),
            *dl(2),
            GrantCredit(account="alice", spoke="base", amount=100),
        ),
        ACCEPTED,
        params=PARAMS.model_copy(update={"margin_method": "per_position"}),
    ),
    Story(
        "profit-counts-for-nothing",
        "risk",
        "unit",
        "a reported profit adds no capacity at the hub",
        (
            usd(3_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=2_500),
            *dl(1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),
            *dl(2),
            *eth(2_600),
            SendReport(spoke="arb", account="alice"),
            *dl(3),
            GrantCredit(account="alice", spoke="base", amount=1_000),
        ),
        rejected(Error.INSUFFICIENT_CAPACITY),
    ),
    Story("publish-price", "oracle", "unit", "a feed publishes", eth(2_000)[:1], ACCEPTED),
    Story("advance-time", "oracle", "unit", "time moves", (AdvanceTime(seconds=30),), ACCEPTED),
    Story(
        "outlier-dropped",
        "oracle",
        "unit",
        "an outlying feed is dropped and the rest still make quorum",
        (
            Deposit(account="alice", asset="ETH", amount=1),
            PublishPrice(feed="chainlink", price=2_000),
            PublishPrice(feed="pyth", price=2_010),
            PublishPrice(feed="redstone", price=5_000),
            GrantCredit(account="alice", spoke="arb", amount=1_000),
        ),
        ACCEPTED,
    ),
    Story(
        "stale-quotes-fail-closed",
        "oracle",
        "unit",
        "quotes older than max_age give no price: the grant fails closed",
        (
            Deposit(account="alice", asset="ETH", amount=1),
            *eth(2_000),
            AdvanceTime(seconds=61),
            GrantCredit(account="alice", spoke="arb", amount=100),
        ),
        rejected(Error.PRICE_UNAVAILABLE),
    ),
    Story(
        "report-too-old",
        "hub",
        "unit",
        "arb reported alice's position 301 s ago, past max_report_age_s: the withdrawal "
        "fails closed, though the prices are fresh",
        (
            usd(1_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=500),  # -> 1
            *dl(1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),  # -> 2
            *dl(2),
            AdvanceTime(seconds=301),
            *eth(2_000),
            Withdraw(account="alice", asset="USD", amount=1),
        ),
        rejected(Error.REPORT_TOO_OLD),
    ),
    Story(
        "below-quorum",
        "oracle",
        "unit",
        "one fresh quote is below the quorum of two",
        (
            Deposit(account="alice", asset="ETH", amount=1),
            PublishPrice(feed="pyth", price=2_000),
            GrantCredit(account="alice", spoke="arb", amount=100),
        ),
        rejected(Error.PRICE_UNAVAILABLE),
    ),
    Story(
        "liquidate",
        "liquidation",
        "unit",
        "an unhealthy account is liquidated: margin calls to every spoke",
        LIQUIDATING,
        ACCEPTED,
    ),
    Story(
        "settle",
        "liquidation",
        "unit",
        "every spoke answers; the hub settles with a penalty",
        (*LIQUIDATING, *dl(3, 4, 5), *dl(6, 7, 8)),
        ACCEPTED,
    ),
    Story(
        "bad-debt",
        "liquidation",
        "unit",
        "bad debt charged to the insurance fund, then socialized",
        BAD_DEBT,
        ACCEPTED,
    ),
    Story(
        "grant-claims-old-loss",
        "spokes",
        "unit",
        "a grant to a spoke holding an unclaimed loss is claimed against at once",
        (*BAD_DEBT, usd(10_000), GrantCredit(account="alice", spoke="arb", amount=4_000), *dl(9)),
        ACCEPTED,
    ),
    Story(
        "realized-profit-stays",
        "spokes",
        "unit",
        "a realized profit stays on the spoke as settled balance",
        (
            usd(3_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=2_000),
            *dl(1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),
            *eth(2_200),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-1, price=2_200),
            *dl(2, 3),
        ),
        ACCEPTED,
    ),
    Story(
        "set-cap", "governance", "unit", "a cap is set", (SetCap(spoke="arb", cap=100),), ACCEPTED
    ),
    Story(
        "pause-spoke",
        "governance",
        "unit",
        "a spoke is paused",
        (PauseSpoke(spoke="arb"),),
        ACCEPTED,
    ),
    Story(
        "unpause-spoke",
        "governance",
        "unit",
        "a paused spoke is unpaused",
        (PauseSpoke(spoke="arb"), UnpauseSpoke(spoke="arb")),
        ACCEPTED,
    ),
    Story(
        "deliver",
        "messaging",
        "unit",
        "a message in flight is delivered",
        (SendReport(spoke="arb", account="alice"), *dl(1)),
        ACCEPTED,
    ),
    Story(
        "inject-authentic",
        "adversary",
        "unit",
        "an authentic injection marks its spoke compromised and is processed",
        (
            usd(1_000),
            GrantCredit(account="alice", spoke="sol", amount=500),
            inject("sol", ExposureReport(account="alice", seq=1, balance=-1_200, positions=())),
            Liquidate(account="alice"),
        ),
        ACCEPTED,
    ),
    # --- one case per error code (ERR-1, spec/errors.md) ---------------------------------
    Story(
        "unknown-account",
        "hub",
        "unit",
        "UNKNOWN_ACCOUNT",
        (Deposit(account="mallory", asset="USD", amount=1),),
        rejected(Error.UNKNOWN_ACCOUNT),
    ),
    Story(
        "unknown-account-in-message",
        "adversary",
        "unit",
        "a message about an undeclared account is ignored",
        (inject("sol", CreditRelease(account="mallory", amount=1)),),
        ignored(Error.UNKNOWN_ACCOUNT),
    ),
    Story(
        "unknown-spoke",
        "hub",
        "unit",
        "UNKNOWN_SPOKE",
        (GrantCredit(account="alice", spoke="moon", amount=1),),
        rejected(Error.UNKNOWN_SPOKE),
    ),
    Story(
        "unknown-asset",
        "hub",
        "unit",
        "UNKNOWN_ASSET",
        (Deposit(account="alice", asset="DOGE", amount=1),),
        rejected(Error.UNKNOWN_ASSET),
    ),
    Story(
        "unknown-market",
        "risk",
        "unit",
        "UNKNOWN_MARKET",
        (Trade(spoke="arb", account="alice", market="BTC-PERP", qty=1, price=1),),
        rejected(Error.UNKNOWN_MARKET),
    ),
    Story(
        "unknown-feed",
        "oracle",
        "unit",
        "UNKNOWN_FEED",
        (PublishPrice(feed="nobody", price=1),),
        rejected(Error.UNKNOWN_FEED),
    ),
    Story(
        "deposit-beyond-bound",
        "hub",
        "unit",
        "the hub's tokens of an asset may not pass MAX_AMOUNT",
        (usd(MAX_AMOUNT - 1_000), usd(1_000, "bob")),
        rejected(Error.INVALID_AMOUNT),
    ),
    Story(
        "trade-zero-lots",
        "risk",
        "unit",
        "a trade moves at least one lot",
        (Trade(spoke="arb", account="alice", market="ETH-PERP", qty=0, price=2_000),),
        rejected(Error.INVALID_AMOUNT),
    ),
    Story(
        "trade-beyond-max-qty",
        "risk",
        "unit",
        "a position may not pass MAX_QTY lots",
        (
            usd(10**15),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=10**14),
            *dl(1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=MAX_QTY, price=2_000),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),
        ),
        rejected(Error.INVALID_AMOUNT),
        params=WIDE,
    ),
    Story(
        "insufficient-balance",
        "hub",
        "unit",
        "INSUFFICIENT_BALANCE",
        (Withdraw(account="alice", asset="USD", amount=1),),
        rejected(Error.INSUFFICIENT_BALANCE),
    ),
    Story(
        "grant-beyond-capacity",
        "hub",
        "unit",
        "INSUFFICIENT_CAPACITY on a grant",
        (usd(1_000), GrantCredit(account="alice", spoke="arb", amount=2_000)),
        rejected(Error.INSUFFICIENT_CAPACITY),
    ),
    Story(
        "withdraw-below-allocation",
        "hub",
        "unit",
        "INSUFFICIENT_CAPACITY on a withdrawal: credit in flight still counts",
        (
            usd(1_000),
            GrantCredit(account="alice", spoke="arb", amount=800),
            Withdraw(account="alice", asset="USD", amount=500),
        ),
        rejected(Error.INSUFFICIENT_CAPACITY),
    ),
    Story(
        "partition-cap",
        "hub",
        "unit",
        "PARTITION_CAP: the spoke's own allocation over all accounts",
        (
            usd(6_000),
            GrantCredit(account="alice", spoke="arb", amount=3_000),
            usd(6_000, "bob"),
            GrantCredit(account="bob", spoke="base", amount=3_000),
            GrantCredit(account="bob", spoke="arb", amount=3_000),
        ),
        rejected(Error.PARTITION_CAP),
    ),
    Story(
        "grant-to-paused-spoke",
        "governance",
        "unit",
        "SPOKE_PAUSED on a grant",
        (usd(1_000), PauseSpoke(spoke="arb"), GrantCredit(account="alice", spoke="arb", amount=1)),
        rejected(Error.SPOKE_PAUSED),
    ),
    Story(
        "claim-from-paused-spoke",
        "governance",
        "unit",
        "SPOKE_PAUSED on a loss claim: it waits",
        (
            usd(1_000),
            GrantCredit(account="alice", spoke="sol", amount=500),
            PauseSpoke(spoke="sol"),
            inject("sol", LossClaim(account="alice", amount=5_000)),
        ),
        rejected(Error.SPOKE_PAUSED),
    ),
    Story(
        "grant-while-liquidating",
        "liquidation",
        "unit",
        "ACCOUNT_LIQUIDATING on a grant",
        (*LIQUIDATING, GrantCredit(account="alice", spoke="base", amount=1)),
        rejected(Error.ACCOUNT_LIQUIDATING),
    ),
    Story(
        "withdraw-while-liquidating",
        "liquidation",
        "unit",
        "ACCOUNT_LIQUIDATING on a withdrawal",
        (*LIQUIDATING, Withdraw(account="alice", asset="USD", amount=1)),
        rejected(Error.ACCOUNT_LIQUIDATING),
    ),
    Story(
        "liquidate-twice",
        "liquidation",
        "unit",
        "ACCOUNT_LIQUIDATING on a second Liquidate",
        (*LIQUIDATING, Liquidate(account="alice")),
        rejected(Error.ACCOUNT_LIQUIDATING),
    ),
    Story(
        "liquidate-healthy",
        "liquidation",
        "unit",
        "ACCOUNT_HEALTHY: an account exactly meeting its requirement is healthy",
        (Liquidate(account="alice"),),
        rejected(Error.ACCOUNT_HEALTHY),
    ),
    Story(
        "cap-below-allocation",
        "governance",
        "unit",
        "CAP_BELOW_ALLOCATION",
        (
            usd(1_000),
            GrantCredit(account="alice", spoke="arb", amount=500),
            SetCap(spoke="arb", cap=100),
        ),
        rejected(Error.CAP_BELOW_ALLOCATION),
    ),
    Story(
        "already-paused",
        "governance",
        "unit",
        "ALREADY_PAUSED",
        (PauseSpoke(spoke="arb"), PauseSpoke(spoke="arb")),
        rejected(Error.ALREADY_PAUSED),
    ),
    Story(
        "not-paused",
        "governance",
        "unit",
        "NOT_PAUSED",
        (UnpauseSpoke(spoke="arb"),),
        rejected(Error.NOT_PAUSED),
    ),
    Story(
        "insufficient-margin",
        "risk",
        "unit",
        "INSUFFICIENT_MARGIN on a trade",
        (
            usd(1_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=100),
            *dl(1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),
        ),
        rejected(Error.INSUFFICIENT_MARGIN),
    ),
    Story(
        "flip-is-risk-increasing",
        "risk",
        "unit",
        "a trade flipping a position through zero needs margin like any risk-increasing one",
        (
            usd(2_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=500),
            *dl(1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-3, price=2_000),
        ),
        rejected(Error.INSUFFICIENT_MARGIN),
    ),
    Story(
        "release-below-margin",
        "spokes",
        "unit",
        "INSUFFICIENT_MARGIN on a release",
        (
            usd(3_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=2_000),
            *dl(1),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=2_000),
            ReleaseCredit(spoke="arb", account="alice", amount=1_900),
        ),
        rejected(Error.INSUFFICIENT_MARGIN),
    ),
    Story(
        "insufficient-credit",
        "spokes",
        "unit",
        "INSUFFICIENT_CREDIT",
        (ReleaseCredit(spoke="arb", account="alice", amount=1),),
        rejected(Error.INSUFFICIENT_CREDIT),
    ),
    Story(
        "margin-called",
        "liquidation",
        "unit",
        "MARGIN_CALLED: a spoke that obeyed the call refuses a risk-increasing trade",
        (
            *LIQUIDATING,
            *dl(3),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=1_500),
        ),
        rejected(Error.MARGIN_CALLED),
    ),
    Story(
        "claim-waits-for-prices",
        "liquidation",
        "unit",
        "PRICE_UNAVAILABLE on an answer that may seize collateral: it waits in flight",
        (
            *LEVERED[:-3],
            Deposit(account="alice", asset="ETH", amount=1),
            *eth(1_000),
            Liquidate(account="alice"),
            *dl(3),
            AdvanceTime(seconds=61),
            *dl(6),
        ),
        rejected(Error.PRICE_UNAVAILABLE),
    ),
    Story(
        "unknown-message",
        "messaging",
        "unit",
        "UNKNOWN_MESSAGE",
        dl(7),
        rejected(Error.UNKNOWN_MESSAGE),
    ),
    Story(
        "already-delivered",
        "messaging",
        "unit",
        "ALREADY_DELIVERED: a replay",
        (SendReport(spoke="arb", account="alice"), *dl(1, 1)),
        rejected(Error.ALREADY_DELIVERED),
    ),
    Story(
        "forged-sender",
        "adversary",
        "unit",
        "FORGED_SENDER: a spoke sending a hub message",
        (inject("sol", CreditGrant(account="alice", amount=100, epoch=0), receiver="arb"),),
        rejected(Error.FORGED_SENDER),
    ),
    Story(
        "stale-report",
        "messaging",
        "unit",
        "STALE_REPORT: an older report after a newer one",
        (
            SendReport(spoke="arb", account="alice"),
            SendReport(spoke="arb", account="alice"),
            *dl(2, 1),
        ),
        ignored(Error.STALE_REPORT),
    ),
    Story(
        "malformed-report",
        "adversary",
        "unit",
        "MALFORMED_REPORT: a market listed twice",
        (
            inject(
                "sol",
                ExposureReport(
                    account="alice",
                    seq=1,
                    balance=0,
                    positions=(
                        PositionView(market="ETH-PERP", qty=1, cost=2_000),
                        PositionView(market="ETH-PERP", qty=1, cost=2_000),
                    ),
                ),
            ),
        ),
        ignored(Error.MALFORMED_REPORT),
    ),
    Story(
        "stale-epoch-answer",
        "liquidation",
        "unit",
        "STALE_EPOCH: an answer for another epoch",
        (
            *LIQUIDATING,
            inject(
                "sol",
                LiquidationReport(account="alice", epoch=7, seq=1, released=0, loss=0, balance=0),
            ),
        ),
        ignored(Error.STALE_EPOCH),
    ),
    Story(
        "stale-margin-call",
        "liquidation",
        "unit",
        "STALE_EPOCH: a margin call older than one the spoke has obeyed",
        (
            *LIQUIDATING,
            *dl(3, 4, 6, 7),
            inject(
                "sol",
                LiquidationReport(account="alice", epoch=1, seq=1, released=0, loss=0, balance=0),
            ),
            inject("arb", ExposureReport(account="alice", seq=9, balance=-5_000, positions=())),
            Liquidate(account="alice"),
            *dl(10, 5),
        ),
        ignored(Error.STALE_EPOCH),
    ),
    Story(
        "exceeds-allocation",
        "adversary",
        "unit",
        "EXCEEDS_ALLOCATION: a release above the allocation",
        (inject("sol", CreditRelease(account="alice", amount=100)),),
        ignored(Error.EXCEEDS_ALLOCATION),
    ),
    Story(
        "claim-exceeds-allocation",
        "adversary",
        "unit",
        "EXCEEDS_ALLOCATION: a loss claim above the allocation is ignored",
        (
            usd(1_000),
            GrantCredit(account="alice", spoke="sol", amount=500),
            inject("sol", LossClaim(account="alice", amount=501)),
        ),
        ignored(Error.EXCEEDS_ALLOCATION),
    ),
    Story(
        "not-liquidating",
        "liquidation",
        "unit",
        "NOT_LIQUIDATING",
        (
            inject(
                "sol",
                LiquidationReport(account="alice", epoch=1, seq=1, released=0, loss=0, balance=0),
            ),
        ),
        ignored(Error.NOT_LIQUIDATING),
    ),
    *CALL_AND_PAYOUT,
)

ADVERSARIAL: tuple[Story, ...] = (
    Story(
        "reorder",
        "messaging",
        "adversarial",
        "grants and reports delivered out of order",
        (
            usd(5_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=1_000),  # -> 1
            GrantCredit(account="alice", spoke="arb", amount=1_000),  # -> 2
            *dl(2),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),  # -> 3
            SendReport(spoke="arb", account="alice"),  # -> 4
            *dl(4, 1, 3),
        ),
        ignored(Error.STALE_REPORT),
        story="The network delivers the second grant first, and a newer report before an "
        "older one: the older report is ignored and the line ends at 2000 either way.",
    ),
    Story(
        "replay",
        "messaging",
        "adversarial",
        "every kind of delivered message replayed",
        (
            usd(5_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=2_000),  # -> 1
            *dl(1, 1),
            ReleaseCredit(spoke="arb", account="alice", amount=500),  # -> 2
            *dl(2, 2),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),  # -> 3
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-1, price=1_900),
            *dl(3, 4, 5, 3, 4, 5),
        ),
        rejected(Error.ALREADY_DELIVERED),
        story="Grant, release, report and loss claim are each delivered twice; the second "
        "delivery is rejected and changes nothing.",
    ),
    Story(
        "forge",
        "adversary",
        "adversarial",
        "forged messages on every channel",
        (
            usd(5_000),
            GrantCredit(account="alice", spoke="arb", amount=1_000),
            inject("hub", LossClaim(account="alice", amount=1)),
            inject("base", CreditGrant(account="alice", amount=9_999, epoch=0), receiver="arb"),
            inject("arb", LossClaim(account="alice", amount=1), receiver="base"),
            inject("hub", MarginCall(account="alice", epoch=1), receiver="hub"),
            inject("mallory", CreditRelease(account="alice", amount=1)),
        ),
        rejected(Error.FORGED_SENDER),
        story="The hub never sends what a spoke sends, spokes never talk to each other, and "
        "no one but the hub grants or calls: all rejected FORGED_SENDER, nothing changes.",
    ),
    Story(
        "withhold",
        "messaging",
        "adversarial",
        "a withheld release keeps counting as allocated",
        (
            usd(2_000),
            GrantCredit(account="alice", spoke="arb", amount=1_500),  # -> 1
            *dl(1),
            ReleaseCredit(spoke="arb", account="alice", amount=1_500),  # -> 2, withheld
            Withdraw(account="alice", asset="USD", amount=1_000),
            GrantCredit(account="alice", spoke="base", amount=1_000),
            *dl(2),
            Withdraw(account="alice", asset="USD", amount=1_000),
        ),
        ACCEPTED,
        story="While the release is withheld the credit is on no line yet still allocated: "
        "neither a withdrawal nor a second grant may use it. Once delivered, both may.",
    ),
    Story(
        "compromised-spoke-bounded",
        "adversary",
        "adversarial",
        "a compromised spoke takes at most its allocation",
        (
            usd(3_000),
            usd(3_000, "bob"),
            GrantCredit(account="alice", spoke="sol", amount=1_000),
            GrantCredit(account="bob", spoke="sol", amount=500),
            inject("sol", LossClaim(account="alice", amount=2_000)),
            inject("sol", LossClaim(account="alice", amount=1_000)),
            inject("sol", LossClaim(account="alice", amount=1)),
            inject("sol", CreditRelease(account="bob", amount=500)),
            inject("sol", LossClaim(account="bob", amount=1)),
        ),
        ignored(Error.EXCEEDS_ALLOCATION),
    ),
)

SCENARIO_CHAPTERS: dict[str, Chapter] = {
    "crash": "liquidation",
    "malicious-spoke": "adversary",
    "oracle-outage": "oracle",
    "replay": "messaging",
    "hedged": "risk",
    "netting": "risk",
    "naked-option": "risk",
    "top-up": "liquidation",
    "ordered-channel": "channels",
    "expiry": "risk",
    "silent-spoke": "liveness",
    "delist": "listing",
    "reorg": "finality",
}


def scenario_stories() -> tuple[Story, ...]:
    """The named scenarios of `intermargin scenario`, as vectors."""
    return tuple(
        Story(
            f"scenario-{name}",
            SCENARIO_CHAPTERS[name],
            "scenario",
            s.title,
            s.actions,
            params=s.params,
            story=s.story,
        )
        for name, s in SCENARIOS.items()
    )


def stories() -> tuple[Story, ...]:
    # these build on this module's stories
    from conformance.channel_stories import CHANNEL_STORIES
    from conformance.finality_stories import FINALITY_STORIES
    from conformance.insurance_stories import INSURANCE_STORIES
    from conformance.listing_stories import LISTING_STORIES
    from conformance.liveness_stories import LIVENESS

    return (
        *UNITS,
        *LISTING_STORIES,
        *ADVERSARIAL,
        *LIVENESS,
        *CHANNEL_STORIES,
        *FINALITY_STORIES,
        *INSURANCE_STORIES,
        *scenario_stories(),
    )
