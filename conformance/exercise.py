"""Which requirement ids a step exercises, read from what the step did (CONF-10).

A case's `requirements` are not declared by hand: they are collected from its steps by
the tables below, keyed by what happened (the action kind and its outcome, the payload
a delivery handed over, the liquidation phase reached) and by what the decision had to
read in the state before (reported books, stale or outlying quotes, a compromised
spoke).  So a case that stops reaching a rule after a change of the model stops
claiming its id, and the coverage test (`tests/test_vectors.py`) notices.

`EXCLUDED` lists the ids no step can exercise, with the reason.
"""

from model.catalog import catalog
from model.oracle import prices_of
from model.risk import assets_needed, reported_books, reported_pnl
from model.spoke import is_risk_reducing
from model.state import State
from spec.actions import Action, Deliver, ForceSettle, Inject, Trade
from spec.errors import Error
from spec.outcome import Outcome

EVERY_STEP = (
    "STEP-1",
    "OUT-1",
    "ERR-1",
    "NUM-3",
    "OBS-1",
    "OBS-2",
    "OBS-3",
    "OBS-4",
    "INIT-1",
    "INV-CREDIT-1",
    "INV-PART-1",
    "INV-ASSET-1",
    "INV-NONNEG-1",
    "INV-SPOKE-1",
    "INV-AMO-1",
    "INV-CALL-1",
)
"""Every step is compared on the whole observable state, which the reference keeps within
every state invariant, from the initial state on."""

BY_KIND = {
    "Deposit": ("ACT-1", "HUB-DEP-1"),
    "Withdraw": ("ACT-2",),
    "GrantCredit": ("ACT-3",),
    "ReleaseCredit": ("ACT-4",),
    "Trade": ("ACT-5", "SPK-TRADE-1"),
    "SendReport": ("ACT-6",),
    "PublishPrice": ("ACT-7", "ORA-1"),
    "AdvanceTime": ("ACT-8", "TIME-1"),
    "Liquidate": ("ACT-9", "LIQ-1"),
    "SetCap": ("ACT-10", "GOV-1"),
    "PauseSpoke": ("ACT-11", "GOV-2"),
    "UnpauseSpoke": ("ACT-12", "GOV-3"),
    "Deliver": ("ACT-13", "MSG-8", "MSG-10", "MSG-14"),
    "Inject": ("ACT-14", "ADV-1"),
    "ForceSettle": ("ACT-15", "LIVE-2"),
    "ListSpoke": ("ACT-16", "LIST-2"),
    "DelistSpoke": ("ACT-17", "LIST-3"),
    "RemoveSpoke": ("ACT-18", "LIST-4"),
    "ProposeParamChange": ("ACT-21", "GOV-NOTICE-2", "PAR-26"),
    "ApplyParamChange": ("ACT-22", "GOV-NOTICE-3"),
    "Halt": ("ACT-23", "FIN-6", "ADV-5"),
    "Resume": ("ACT-24", "FIN-6", "ADV-5"),
    "Reorg": ("ACT-25", "FIN-5", "ADV-5"),
    "PayOut": ("ACT-19", "FLOW-PAY-1"),
    "PartialLiquidate": ("ACT-20", "FLOW-PART-1", "PAR-24"),
}

ACCEPTED = {
    "Withdraw": ("HUB-WD-3", "INV-CREDIT-2", "RISK-12"),
    "GrantCredit": (
        "HUB-GRANT-2",
        "HUB-GRANT-4",
        "CAP-1",
        "INV-CREDIT-2",
        "RISK-12",
        "RISK-13",
        "MSG-1",
        "MSG-9",
        "STEP-3",
        "OUT-3",
    ),
    "ReleaseCredit": ("SPK-REL-1", "SPK-REL-2", "MSG-3", "MSG-9"),
    "Trade": ("SPK-TRADE-3", "SPK-TRADE-4", "SPK-TRADE-5", "SPK-REP-1", "SPK-4", "MSG-5"),
    "SendReport": ("SPK-REP-1", "MSG-5", "MSG-9"),
    "Liquidate": ("LIQ-2", "MSG-2", "RISK-10", "LIVE-1"),
    "ForceSettle": ("LIVE-3", "LIVE-4", "INV-LIVE-3", "HUB-LOSS-1"),
    "ApplyParamChange": ("GOV-NOTICE-1", "GOV-NOTICE-5", "INV-NOTICE-1", "INV-NOTICE-2"),
    "PayOut": ("FLOW-PAY-2",),
    "PartialLiquidate": (
        "FLOW-PART-2",
        "FLOW-PART-3",
        "FLOW-PART-4",
        "FLOW-PART-5",
        "FLOW-PART-6",
        "SPK-REP-1",
    ),
}

PAYLOAD_ACCEPTED = {
    "CreditGrant": ("SPK-GRANT-1", "SPK-GRANT-2", "SPK-1", "MSG-1"),
    "MarginCall": ("SPK-CALL-1", "SPK-CALL-2", "SPK-CALL-3", "SPK-3", "SPK-4", "MSG-2", "MSG-7"),
    "CreditRelease": ("HUB-REL-1", "MSG-3"),
    "LossClaim": ("HUB-CLAIM-3", "HUB-LOSS-1", "HUB-LOSS-2", "HUB-LOSS-5", "MSG-4"),
    "ExposureReport": ("HUB-REP-1", "HUB-REP-4", "MSG-5", "RISK-AGE-1"),
    "LiquidationReport": ("LIQ-3", "LIQ-4", "LIQ-5", "MSG-7"),
}

BY_ERROR: dict[Error, tuple[str, ...]] = {
    Error.UNKNOWN_ACCOUNT: ("STEP-2", "ERR-2", "ID-2"),
    Error.UNKNOWN_SPOKE: ("STEP-2", "ERR-2", "ID-2"),
    Error.UNKNOWN_ASSET: ("STEP-2", "ERR-2", "ID-2"),
    Error.UNKNOWN_MARKET: ("STEP-2", "ERR-2", "ID-2"),
    Error.UNKNOWN_FEED: ("STEP-2", "ERR-2", "ID-2"),
    Error.INVALID_AMOUNT: (),
    Error.INSUFFICIENT_BALANCE: ("HUB-WD-2",),
    Error.INSUFFICIENT_CAPACITY: ("RISK-12",),
    Error.PARTITION_CAP: ("HUB-GRANT-3", "CAP-1", "INV-PART-1"),
    Error.SPOKE_PAUSED: ("GOV-2",),
    Error.ACCOUNT_LIQUIDATING: ("INV-LIQ-1",),
    Error.ACCOUNT_HEALTHY: ("LIQ-1", "RISK-10"),
    Error.CAP_BELOW_ALLOCATION: ("GOV-1",),
    Error.ALREADY_PAUSED: ("GOV-2",),
    Error.NOT_PAUSED: ("GOV-3",),
    Error.REPORT_TOO_OLD: ("RISK-AGE-4",),
    Error.IN_TOP_UP_WINDOW: ("FLOW-CALL-2", "PAR-22"),
    Error.EXCEEDS_OWED: ("FLOW-PAY-2",),
    Error.INSUFFICIENT_MARGIN: ("SPK-2", "RISK-5"),
    Error.INSUFFICIENT_CREDIT: ("SPK-REL-1",),
    Error.MARGIN_CALLED: (),
    Error.PRICE_UNAVAILABLE: ("ORA-7", "ORA-5"),
    Error.UNKNOWN_MESSAGE: ("MSG-10",),
    Error.ALREADY_DELIVERED: ("MSG-10", "INV-AMO-1"),
    Error.FORGED_SENDER: ("MSG-6", "ADV-1"),
    Error.STALE_REPORT: ("HUB-REP-1",),
    Error.MALFORMED_REPORT: ("HUB-REP-4",),
    Error.STALE_EPOCH: (),
    Error.EXCEEDS_ALLOCATION: ("INV-PART-2",),
    Error.DEADLINE_NOT_REACHED: ("LIVE-2", "INV-LIVE-4"),
    Error.SPOKE_SEVERED: ("LIVE-5", "INV-LIVE-2"),
    Error.NOT_LIQUIDATING: (),
    Error.SPOKE_NOT_LISTED: ("LIST-1",),
    Error.ALREADY_LISTED: ("LIST-2",),
    Error.SPOKE_REMOVED: ("LIST-2",),
    Error.NOT_DELISTED: ("LIST-4",),
    Error.SPOKE_NOT_DRAINED: ("LIST-4", "INV-LIST-2"),
    Error.OUT_OF_ORDER: ("CHAN-1", "CHAN-2"),
    Error.RATE_LIMITED: ("RATE-1", "RATE-3", "RATE-6"),
    Error.NOTICE_TOO_SHORT: ("GOV-NOTICE-2", "PAR-25", "INV-NOTICE-2"),
    Error.NO_CHANGE_SCHEDULED: ("GOV-NOTICE-3",),
    Error.CHANGE_NOT_DUE: ("GOV-NOTICE-3", "INV-NOTICE-1"),
    Error.NOT_FINAL: ("FIN-1", "FIN-2"),
    Error.SPOKE_HALTED: ("FIN-6",),
    Error.NOT_HALTED: ("FIN-6",),
    Error.NOT_RESTORABLE: ("FLOW-PART-7",),
}

BY_KIND_AND_ERROR: dict[tuple[str, Error], tuple[str, ...]] = {
    ("Deposit", Error.INVALID_AMOUNT): ("BND-1",),
    ("Trade", Error.INVALID_AMOUNT): ("SPK-TRADE-2", "BND-3"),
    ("Withdraw", Error.INSUFFICIENT_CAPACITY): ("HUB-WD-3",),
    ("GrantCredit", Error.INSUFFICIENT_CAPACITY): ("HUB-GRANT-2",),
    ("Withdraw", Error.REPORT_TOO_OLD): ("HUB-WD-3",),
    ("GrantCredit", Error.REPORT_TOO_OLD): ("HUB-GRANT-2",),
    ("GrantCredit", Error.SPOKE_PAUSED): ("HUB-GRANT-1",),
    ("GrantCredit", Error.SPOKE_NOT_LISTED): ("HUB-GRANT-5", "INV-LIST-1"),
    ("DelistSpoke", Error.SPOKE_NOT_LISTED): ("LIST-3",),
    ("GrantCredit", Error.ACCOUNT_LIQUIDATING): ("HUB-GRANT-1",),
    ("Withdraw", Error.ACCOUNT_LIQUIDATING): ("HUB-WD-1",),
    ("Liquidate", Error.ACCOUNT_LIQUIDATING): ("LIQ-1",),
    ("Trade", Error.INSUFFICIENT_MARGIN): ("SPK-TRADE-3",),
    ("Trade", Error.MARGIN_CALLED): ("SPK-TRADE-3", "SPK-3", "INV-LIQ-1"),
    ("Withdraw", Error.MARGIN_CALLED): ("FLOW-CALL-4",),
    ("GrantCredit", Error.MARGIN_CALLED): ("FLOW-CALL-4",),
    ("PayOut", Error.SPOKE_PAUSED): ("FLOW-PAY-3",),
    ("ReleaseCredit", Error.INSUFFICIENT_MARGIN): ("SPK-REL-1",),
    ("Deliver", Error.ALREADY_DELIVERED): ("MSG-11",),
    ("Inject", Error.FORGED_SENDER): ("ADV-1",),
    ("GrantCredit", Error.SPOKE_SEVERED): ("HUB-GRANT-1",),
    ("ForceSettle", Error.PRICE_UNAVAILABLE): ("LIVE-7", "HUB-LOSS-5"),
    ("ForceSettle", Error.RATE_LIMITED): ("LIVE-9",),
    ("PartialLiquidate", Error.ACCOUNT_HEALTHY): ("FLOW-PART-1",),
    ("PartialLiquidate", Error.PRICE_UNAVAILABLE): ("FLOW-PART-1",),
}

BY_PAYLOAD_AND_ERROR: dict[tuple[str, Error], tuple[str, ...]] = {
    ("LossClaim", Error.SPOKE_PAUSED): ("HUB-CLAIM-1", "GOV-2"),
    ("LossClaim", Error.EXCEEDS_ALLOCATION): ("HUB-CLAIM-2",),
    ("CreditRelease", Error.EXCEEDS_ALLOCATION): ("HUB-REL-1",),
    ("LossClaim", Error.PRICE_UNAVAILABLE): ("HUB-LOSS-5",),
    ("LiquidationReport", Error.PRICE_UNAVAILABLE): ("HUB-LOSS-5",),
    ("MarginCall", Error.PRICE_UNAVAILABLE): ("SPK-CALL-1",),
    ("MarginCall", Error.STALE_EPOCH): ("SPK-CALL-1",),
    ("LiquidationReport", Error.STALE_EPOCH): ("LIQ-3",),
    ("LiquidationReport", Error.NOT_LIQUIDATING): ("LIQ-3",),
    ("CreditRelease", Error.NOT_FINAL): ("FIN-3", "INV-FIN-1"),
    ("LossClaim", Error.NOT_FINAL): ("FIN-3", "INV-FIN-1"),
    ("ExposureReport", Error.NOT_FINAL): ("FIN-3",),
    ("CreditGrant", Error.NOT_FINAL): ("FIN-4",),
    ("MarginCall", Error.NOT_FINAL): ("FIN-4",),
}

BY_PHASE = {
    "settled": ("LIQ-6", "LIQ-7", "INV-LIQ-2", "MSG-15", "NUM-2"),
    "bad debt to insurance": ("HUB-LOSS-3", "HUB-LOSS-6", "INS-1", "INS-2", "INV-INS-1"),
    "socialized": ("HUB-LOSS-4",),
    "force-settled": ("INV-LIVE-1", "LIQ-6", "LIQ-7"),
    "reorg rolled back": ("FIN-5", "INV-FIN-1", "INV-FIN-2"),
    "reorg beyond finality": ("FIN-8", "FIN-9", "INV-FIN-3"),
}

BY_STATUS = {
    "rejected": ("INV-ATOMIC-1", "ERR-3"),
    "ignored": ("OUT-2", "ERR-3"),
}

EXCLUDED: dict[str, str] = {
    "CLI": "the command line, not the protocol: tests/test_cli*.py",
    "VER": "the verification run (`intermargin verify`), not a build's behaviour",
    "DIFF": "drift checks between proofs and model, not a build's behaviour",
    "FLOW-CALL-6": "a premise of the propagation BMC (`intermargin prove`), not a build's "
    "behaviour: tests/test_flows.py",
    "PROOF": "the proof runner's budgets (`intermargin prove`), not a build's behaviour",
    "GOV-NOTICE-4": "a law of the risk engine (health monotone in haircuts and latencies), "
    "checked on the model by tests/test_notice.py, not a step a build takes",
    "GOV-NOTICE-6": "what the Z3 encoding holds of the notice chapter, not a build's behaviour",
    "INS-3": "the insurance bound proved for every fund seed and limit, not a build's behaviour",
    "BMC": "what the propagation BMC fixes in its pre-state (`proofs/bmc.py`), not a build's "
    "behaviour",
    "TRC": "the trace file format; vectors have their own format (CONF-8)",
    "CONF": "the conformance kit itself, checked by tests/test_conformance_*.py",
    "PAR": "parameter validation happens before `init`; a vector carries only valid "
    "parameter sets, and their use is exercised through the ids of the rules reading them",
    "ID-1": "the identifier syntax is checked by the JSON Schema before any step",
    "BND-2": "bounds of prices are checked by the schema of actions, never by a step",
    "BND-4": "bounds of seconds are checked by the schema of actions, never by a step",
    "BND-5": "a bound of parameters, checked before `init`",
    "BND-6": "a rule of the parameter set (no spoke called `hub`), checked before `init`",
    "BND-7": "a balance or cost basis passing ±MAX_AMOUNT needs positions of 10**18 of "
    "notional, beyond any margin line the vectors' caps allow; tests/test_step.py checks it",
    "RISK-9": "the Greeks are analytics: no outcome or observable field depends on them",
    "INV-RISK-1": "a law of the risk functions over all inputs, not a step: tests/test_risk.py",
    "INV-RISK-2": "a law of the risk functions over all inputs, not a step: tests/test_risk.py",
    "INV-RISK-3": "a law of the risk functions over all inputs, not a step: tests/test_risk.py",
    "INV-RISK-4": "a law of the risk functions over all inputs, not a step: tests/test_risk.py",
    "INV-RISK-5": "a law over all prices, not a step: tests/test_netting.py",
    "INV-RISK-6": "a law over all reports, not a step: tests/test_netting.py",
    "INV-RISK-7": "a law of the risk functions over all inputs, not a step: "
    "tests/test_hub_margins.py",
    "RISK-NET-5": "the reach of a lying spoke, a law over all reports: tests/test_netting.py",
    "RISK-NET-6": "the hedged-pair law over all prices: tests/test_netting.py",
    "RISK-IM-3": "the health factor is a figure for people (`intermargin account`); no "
    "outcome or observable field depends on it",
    "RISK-IM-4": "the margin ratio is a figure for people; no outcome depends on it",
    "RISK-IM-5": "the liquidation price is a figure for people; no outcome depends on it",
    "RISK-AGE-3": "the coverage target, a statement about the parameters: tests/test_buffer_age.py",
    "RISK-AGE-6": "a law of the example parameters, not a step: tests/test_buffer_age.py",
    "PRC-2": "an approximation bound of exp, checked against mpmath: tests/test_pricing.py",
    "PRC-3": "an approximation bound of ln, checked against mpmath: tests/test_pricing.py",
    "PRC-4": "an approximation bound of N, checked against mpmath: tests/test_pricing.py",
    "PRC-5": "the exactness of sqrt, checked in tests/test_pricing.py",
    "PRC-10": "the price error bound over the whole domain: tests/test_pricing.py",
    "SPAN-9": "the parameter sets of the vectors declare no inter-commodity spread; the credit "
    "is checked against CME's published example and by laws in tests/test_intercommodity.py, "
    "and the vectorized engine against the model on a shape that declares one "
    "(tests/test_vectorized.py)",
    "PRC-15": "an expired option without an expiry price is valued only while its underlying "
    "has no price, when every valuation fails closed (or at genesis for an expiry of 0): "
    "tests/test_expiry.py",
    "PRC-16": "a zero underlying price never reaches a step (prices are 1..MAX_PRICE, BND-2): "
    "tests/test_expiry.py",
    "ITF": "the ITF export of `replay --itf`, not a build's behaviour: tests/test_itf.py",
    "STRESS": "the stress lab (`intermargin stress`) measures the protocol, it is no rule of "
    "it: tests/test_stress*.py, tests/test_cli_stress.py",
    "LIVE-8": "a premise of the proofs' liquidation BMC, not a build's behaviour",
    "RATE-5": "a statement about the parameters (a loss above the capacity never passes; "
    "capacity at least the cap keeps every honest loss claimable): tests/test_channels.py",
    "VEC": "the vectorized engine is a second formulation of the risk rules, checked equal to "
    "the model row by row: tests/test_vectorized.py, `intermargin verify --only vectorized`",
}
"""Ids (or whole families) no vector can exercise, and why (CONF-10)."""


def excluded(requirement_id: str) -> str | None:
    """Why no vector exercises this id, or None if vectors must."""
    family = requirement_id.split("-")[0]
    return EXCLUDED.get(requirement_id) or EXCLUDED.get(family)


def payload_of(pre: State, action: Action) -> str | None:
    if isinstance(action, Inject):
        return action.payload.type
    if isinstance(action, Deliver):
        envelope = pre.network.in_flight.get(action.message_id)
        return None if envelope is None else envelope.payload.type
    return None


def risk_read(pre: State, account: str) -> set[str]:
    """The risk rules a hub decision about `account` read in `pre` (RISK-*, HUB-REP-2..3)."""
    found: set[str] = set()
    books = {s: b for s, b in reported_books(pre, account).items() if b}
    if pre.hub.collateral.get((account, "ETH"), 0) > 0:
        found |= {"NUM-1", "ORA-3"}
    if any(
        pre.hub.collateral.get((account, a.id), 0) > 0 and a.fixed_price for a in pre.params.assets
    ):
        found.add("ORA-6")
    if not books:
        return found
    found |= {"HUB-REP-2", "HUB-REP-3", "RISK-2", "RISK-3", "RISK-6", "RISK-10"}
    found |= {"RISK-AGE-2", "RISK-AGE-5"}  # the buffer over latency + report age, by weight
    found.add("RISK-7" if pre.params.margin_method == "portfolio" else "RISK-4")
    if len(books) > 1:
        found.add("RISK-8")
    markets = catalog(pre.params).markets
    if any(markets[m].kind != "perp" for b in books.values() for m in b):
        found.add("RISK-1")
    prices = prices_of(pre, assets_needed(pre, account))
    if prices is not None and any(reported_pnl(pre, account, s, prices) > 0 for s in books):
        found |= {"RISK-11", "RISK-NET-1", "RISK-NET-2", "RISK-NET-3"}
    return found


def options_priced(pre: State, books: list[dict[str, int]]) -> set[str]:
    """PRC-*, SPAN-*: a margin decision over a book holding options priced them, repriced
    them in every scan scenario, and (with two expiries) charged the spread."""
    markets = catalog(pre.params).markets
    options = [markets[m] for b in books for m, q in b.items() if q and markets[m].kind != "perp"]
    if not options:
        return set()
    found = {"PRC-1", "PRC-6", "PRC-7", "PRC-8", "PRC-9", "PRC-12", "PRC-13"}
    found |= {"SPAN-1", "SPAN-2", "SPAN-3", "SPAN-4", "SPAN-7", "SPAN-8"}
    if any(markets[m].kind != "perp" and q < 0 for b in books for m, q in b.items()):
        found.add("SPAN-5")
    if len({m.expiry for m in options}) > 1 or len(options) < sum(len(b) for b in books):
        found |= {"SPAN-6", "PRC-11"}
    return found


def oracle_read(pre: State) -> set[str]:
    """ORA-2 and ORA-4 when a price-reading step met a stale or an outlying quote."""
    found: set[str] = set()
    oracle = pre.params.oracle
    fresh = [p for p, t in pre.oracle.quotes.values() if pre.oracle.now - t <= oracle.max_age_s]
    if len(fresh) < len(pre.oracle.quotes):
        found.add("ORA-2")
    if len(fresh) >= 2:
        median = sorted(fresh)[(len(fresh) - 1) // 2]
        if any(abs(p - median) * 10_000 > oracle.outlier_bps * median for p in fresh):
            found.add("ORA-4")
    return found


PRICE_READERS = {
    "ForceSettle",
    "Withdraw",
    "GrantCredit",
    "ReleaseCredit",
    "Trade",
    "Liquidate",
    "Deliver",
    "Inject",
}


def exercised(
    pre: State, action: Action, post: State, outcome: Outcome, phases: list[str]
) -> set[str]:
    """CONF-10: the requirement ids this step exercised."""
    kind = action.type
    ids = set(EVERY_STEP) | set(BY_KIND[kind]) | set(BY_STATUS.get(outcome.status, ()))
    payload = payload_of(pre, action)
    if outcome.accepted:
        ids |= set(ACCEPTED.get(kind, ()))
        if payload is not None:
            ids |= set(PAYLOAD_ACCEPTED[payload])
        if isinstance(action, Inject):
            ids |= {"ADV-2", "ADV-3", "INV-PART-2", "MSG-6"}
            if payload == "ExposureReport":
                ids.add("ADV-4")
    if outcome.error is not None:
        ids |= set(BY_ERROR[outcome.error])
        ids |= set(BY_KIND_AND_ERROR.get((kind, outcome.error), ()))
        if payload is not None:
            ids |= set(BY_PAYLOAD_AND_ERROR.get((payload, outcome.error), ()))
        if outcome.status == "ignored" and outcome.error is Error.UNKNOWN_ACCOUNT:
            ids.add("MSG-13")
        if kind == "Deliver" and outcome.status == "ignored":
            ids.add("MSG-12")
        if kind == "Deliver" and outcome.status == "rejected":
            ids.add("MSG-11")
    for phase in phases:
        ids |= set(BY_PHASE.get(phase, ()))
    severed_accounts = {a for a, _ in pre.hub.severed}
    if (
        kind == "Liquidate"
        and outcome.accepted
        and getattr(action, "account", None) in severed_accounts
    ):
        ids.add("LIVE-6")
    account = getattr(action, "account", None)
    if kind in PRICE_READERS:
        ids |= oracle_read(pre)
        if isinstance(account, str) and account in pre.params.accounts:
            ids |= risk_read(pre, account)
    if isinstance(action, Trade) and outcome.accepted:
        acct = pre.spokes[(action.spoke, action.account)]
        old = acct.positions.get(action.market)
        if not is_risk_reducing(0 if old is None else old.qty, action.qty):
            ids |= {"SPK-2", "RISK-5", "NUM-2"}
            kind_of = catalog(pre.params).markets[action.market].kind
            ids.add("RISK-1" if kind_of != "perp" else "RISK-3")
            ids.add("RISK-7" if pre.params.margin_method == "portfolio" else "RISK-4")
            after = post.spokes[(action.spoke, action.account)].positions
            ids |= options_priced(pre, [{m: p.qty for m, p in after.items()}])
    if kind in ("GrantCredit", "Withdraw") and (
        outcome.accepted or outcome.error is Error.INSUFFICIENT_CAPACITY
    ):
        ids |= {"RISK-IM-1", "RISK-IM-2", "RISK-NET-4"}
    ids |= spoke_effects(pre, post) | channel_effects(pre, action, post, outcome)
    ids |= finality_effects(pre, action, post, outcome)
    ids |= call_effects(pre, action, post)
    if post.oracle.expiry_prices != pre.oracle.expiry_prices:
        ids |= {"PRC-14", "OBS-6"}
    return ids


def call_effects(pre: State, action: Action, post: State) -> set[str]:
    """FLOW-CALL-1, FLOW-CALL-2, FLOW-CALL-3, FLOW-CALL-5: a top-up call opened, waited out
    (or bypassed below the floor), met by a deposit, or closed by the liquidation; OBS-7:
    the call's opening or closing is observed."""
    account = getattr(action, "account", None)
    if not isinstance(account, str) or account not in pre.params.accounts:
        return set()
    before, after = pre.hub.status[account], post.hub.status[account]
    found: set[str] = set()
    if after.called and not before.called:
        found |= {"FLOW-CALL-1", "PAR-22"}
    if before.called and not after.called:
        found.add("FLOW-CALL-5" if after.liquidating else "FLOW-CALL-3")
    if before.called != after.called:
        found.add("OBS-7")
    if pre.params.top_up_window_s and after.liquidating and not before.liquidating:
        found |= {"FLOW-CALL-2", "PAR-23"}
    return found


REFUSALS = (Error.PRICE_UNAVAILABLE, Error.SPOKE_PAUSED, Error.RATE_LIMITED)


def channel_effects(pre: State, action: Action, post: State, outcome: Outcome) -> set[str]:
    """CHAN-*, RATE-*: ordered channels and rate limits at work in this step."""
    found: set[str] = set()
    if pre.params.channel_ordering == "ordered":
        found.add("CHAN-1")
        if isinstance(action, Deliver) and outcome.status != "rejected":
            found |= {"CHAN-2", "INV-CHAN-1"}
            if outcome.status == "ignored" and outcome.error in REFUSALS:
                found |= {"CHAN-3", "CHAN-5"}
        if isinstance(action, Inject) and post.network == pre.network:
            found.add("CHAN-4")
    if pre.hub.buckets:
        found |= {"RATE-1", "RATE-2", "INV-RATE-1", "INV-RATE-2"}
        if post.hub.buckets != pre.hub.buckets:
            found.add("RATE-4" if action.type == "AdvanceTime" else "RATE-3")
            if action.type == "ForceSettle":
                found.add("LIVE-9")
    return found


def finality_effects(pre: State, action: Action, post: State, outcome: Outcome) -> set[str]:
    """FIN-*: segments opened and closed, and a halted spoke left silent by a force-settle."""
    found: set[str] = {"FIN-10"} if post.chains else set()
    opened = {s for s, c in post.chains.items() if c.segment is not None}
    before = {s for s, c in pre.chains.items() if c.segment is not None}
    if opened - before or any(
        post.chains[s].segment != pre.chains[s].segment for s in opened & before
    ):
        found |= {"FIN-1", "INV-FIN-1"}
    if isinstance(action, Deliver) and outcome.status != "rejected" and before - opened:
        found.add("FIN-4")
    halted = {s for s, c in pre.chains.items() if c.halted}
    settled = isinstance(action, ForceSettle) and outcome.accepted
    if settled and halted & pre.hub.status[getattr(action, "account", "")].pending:
        found.add("FIN-7")
    return found


def spoke_effects(pre: State, post: State) -> set[str]:
    """SPK-CLAIM-1, SPK-GRANT-3, SPK-PNL-1: losses claimed and profits kept on spokes."""
    found: set[str] = set()
    sent = [e for i, e in post.network.in_flight.items() if i >= pre.network.next_id]
    if any(e.payload.type == "LossClaim" for e in sent):
        found.add("SPK-CLAIM-1")
        if any(e.payload.type == "CreditGrant" for e in pre.network.in_flight.values()) and not any(
            e.payload.type == "CreditGrant" for e in post.network.in_flight.values()
        ):
            found.add("SPK-GRANT-3")
    for key, acct in post.spokes.items():
        if acct.balance > 0 and acct.balance != pre.spokes[key].balance:
            found.add("SPK-PNL-1")
    return found
