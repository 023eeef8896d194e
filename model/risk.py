"""The risk engine at the hub: an account's collateral, reported PnL, latency buffer, health,
capacity and initial margin (RISK-10..RISK-13, RISK-IM-1..RISK-IM-5), and the profit that
nets across venues through the clearing pools (RISK-NET-1..RISK-NET-5).

Every function is pure and exact.  Values the account owns round down, values it
owes round up (NUM-1, NUM-2).  Prices come in as a map asset -> price; the
callers fetch them from the oracle and fail closed when one is missing.  The parts
it stands on: valuation (`model.valuation`), the scan (`model.span`), margin of books
(`model.margin`), the latency buffer (`model.buffer`).
"""

from collections.abc import Iterable

from model.arith import bps_down, bps_up, ceil_div
from model.buffer import spoke_buffer
from model.catalog import catalog
from model.margin import account_margin, netted_margin, per_position_margin
from model.state import AccountId, AssetId, Positions, SpokeId, State
from model.valuation import NO_FIXINGS, Fixings, Prices, underlyings, unrealized_pnl
from spec.bounds import BPS
from spec.params import Params

# --- the hub's view of an account (RISK-10) ----------------------------------------


def backing_spokes(state: State, account: AccountId) -> list[SpokeId]:
    """RISK-13: the spokes the account uses: those the hub has ever granted it credit on.

    Only their reports count in the hub's view of the account.  A spoke the account
    never used, honest or not, cannot move its health or capacity (ADV-4); a spoke
    it used keeps counting after its credit is used up, so that the hub still
    liquidates an account whose losses there run past its line.
    """
    return [s.id for s in state.params.spokes if (account, s.id) in state.hub.linked]


def reported_books(state: State, account: AccountId) -> dict[SpokeId, Positions]:
    """HUB-REP-2, RISK-13: each backing spoke's positions for the account, as last reported."""
    return {s: state.hub.reports[(account, s)].positions for s in backing_spokes(state, account)}


def assets_needed(state: State, account: AccountId) -> set[AssetId]:
    """Every asset whose price values the account at the hub."""
    held = {x for (a, x), amount in state.hub.collateral.items() if a == account and amount}
    books = reported_books(state, account).values()
    return held | underlyings(state.params, [m for book in books for m in book])


def haircut_value(amount: int, price: int, haircut_bps: int) -> int:
    """RISK-1, NUM-1: what `amount` tokens at `price` count for as collateral, rounded down.

    pre: amount >= 0 and price >= 0 and 0 <= haircut_bps < 10000
    post: 0 <= __return__ <= amount * price
    """
    return bps_down(amount * price, BPS - haircut_bps)


def collateral_value(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-1, NUM-1: sum over assets of amount * price cut by the haircut, rounded down."""
    assets = catalog(state.params).assets
    total = 0
    for (a, asset), amount in state.hub.collateral.items():
        if a == account and amount:
            total += haircut_value(amount, prices[asset], assets[asset].haircut_bps)
    return total


def loan_value(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-IM-1, NUM-1: what the collateral lends on: sum over assets of amount * price cut by
    the asset's LTV haircut (at least its liquidation haircut), each rounded down."""
    assets = catalog(state.params).assets
    total = 0
    for (a, asset), amount in state.hub.collateral.items():
        if a == account and amount:
            total += haircut_value(amount, prices[asset], assets[asset].borrowing_haircut_bps)
    return total


def reported_pnl(state: State, account: AccountId, spoke: SpokeId, prices: Prices) -> int:
    """HUB-REP-3: a spoke's settled balance plus unrealized PnL, per its latest report."""
    report = state.hub.reports[(account, spoke)]
    oracle = state.oracle
    return report.balance + unrealized_pnl(
        state.params, report.positions, prices, oracle.now, oracle.expiry_prices
    )


def reported_losses(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-11, RISK-13: the sum over backing spokes of each one's reported PnL where it
    is a loss.

    A spoke's profit is the venue's debt to the account and stays on the spoke
    (SPK-PNL-1): the hub cannot seize it, so it backs nothing at the hub; and a
    spoke that lies about a profit cannot make an account look healthy.  A
    spoke's profit never offsets another spoke's loss at the hub.
    """
    backing = backing_spokes(state, account)
    return sum(min(0, reported_pnl(state, account, s, prices)) for s in backing)


def report_age(state: State, account: AccountId, spoke: SpokeId) -> int:
    """RISK-AGE-2: how old the hub's last report from the spoke is: now less the time it
    carries (RISK-AGE-1), never below 0."""
    return max(0, state.oracle.now - state.hub.reports[(account, spoke)].time)


def latency_buffer(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-6, RISK-AGE-2: the sum of every spoke's buffer on its reported positions, over the
    spoke's latency plus the age of its report."""
    now = state.oracle.now
    return sum(
        spoke_buffer(
            state.params,
            spoke,
            book,
            prices,
            now=now,
            age=report_age(state, account, spoke),
            fixings=state.oracle.expiry_prices,
        )
        for spoke, book in reported_books(state, account).items()
    )


def stale_books(state: State, account: AccountId) -> list[SpokeId]:
    """RISK-AGE-4: the spokes the account uses whose reported book holds positions and is
    older than the declared bound (PAR-16); while there is one, every risk-increasing hub
    action on the account fails closed."""
    bound = state.params.max_report_age_s
    return [
        spoke
        for spoke, book in reported_books(state, account).items()
        if book and report_age(state, account, spoke) > bound
    ]


def maintenance_requirement(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-10: maintenance margin of all reported positions, netted across spokes if the
    declared method is the portfolio one, plus the latency buffer."""
    books = reported_books(state, account).values()
    oracle = state.oracle
    margin_now = account_margin(state.params, books, prices, oracle.now, oracle.expiry_prices)
    return margin_now + latency_buffer(state, account, prices)


def equity(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-10: collateral value after haircuts less the losses reported by spokes (RISK-11)."""
    return collateral_value(state, account, prices) + reported_losses(state, account, prices)


def is_healthy(state: State, account: AccountId, prices: Prices) -> bool:
    """RISK-10, RISK-NET-3: net equity (with the profits the clearing pools back) covers
    maintenance margin plus latency buffer."""
    return net_equity(state, account, prices) >= maintenance_requirement(state, account, prices)


def total_allocation(state: State, account: AccountId) -> int:
    """HUB-GRANT-2: credit allocated to every spoke, in flight included."""
    return sum(state.hub.alloc[(account, s.id)] for s in state.params.spokes)


def capacity(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-12, RISK-IM-1: what the account can back with credit: collateral after its LTV
    haircuts less reported losses (reported profits add nothing, RISK-11, RISK-NET-4)."""
    return loan_value(state, account, prices) + reported_losses(state, account, prices)


def free_of(capacity: int, allocated: int, buffer: int) -> int:
    """HUB-GRANT-2: what of a capacity allocations and the latency buffer do not speak for."""
    return capacity - allocated - buffer


def free_capacity(state: State, account: AccountId, prices: Prices) -> int:
    """HUB-GRANT-2: capacity not yet spoken for by allocations or the latency buffer."""
    return free_of(
        capacity(state, account, prices),
        total_allocation(state, account),
        latency_buffer(state, account, prices),
    )


# --- profit that nets across venues: the clearing pool (RISK-NET-1..RISK-NET-5) -----------


def pool_value(state: State, spoke: SpokeId, prices: Prices) -> int:
    """RISK-NET-1: what a spoke's clearing pool stands behind: the tokens owed to its
    partition at the hub (HUB-LOSS-1), each asset after its haircut and rounded down.

    An asset without a price in `prices` counts for nothing (against the account).
    """
    assets = catalog(state.params).assets
    total = 0
    for (owner, asset), amount in state.hub.owed.items():
        if owner == spoke and amount and asset in prices:
            total += haircut_value(amount, prices[asset], assets[asset].haircut_bps)
    return total


def pool_assets(state: State, account: AccountId) -> set[AssetId]:
    """RISK-NET-1: the assets in the clearing pools of the spokes the account uses."""
    backing = set(backing_spokes(state, account))
    return {x for (s, x), amount in state.hub.owed.items() if s in backing and amount}


def backed_share(pnl: int, pool: int) -> int:
    """RISK-NET-2: of a reported PnL, the profit a pool of value `pool` stands behind.

    pre: pool >= 0
    post: 0 <= __return__ <= pool
    post: __return__ <= max(0, pnl)
    """
    return min(max(0, pnl), pool)


def backed_profit(state: State, account: AccountId, spoke: SpokeId, prices: Prices) -> int:
    """RISK-NET-2: the part of a spoke's reported profit for the account that the spoke's
    own clearing pool at the hub stands behind: min(max(0, pnl), pool value)."""
    pnl = reported_pnl(state, account, spoke, prices)
    return backed_share(pnl, pool_value(state, spoke, prices))


def backed_profits(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-NET-2, RISK-13: the backed profit of every spoke the account uses, summed."""
    return sum(backed_profit(state, account, s, prices) for s in backing_spokes(state, account))


def net_equity(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-NET-3: what health is judged on: equity (collateral after haircuts less reported
    losses) plus the profits the spokes' clearing pools stand behind.

    Only health reads it.  Capacity, which judges every grant and withdrawal, counts
    no reported profit (RISK-NET-4), so a report, honest or fake, never lets value out.
    """
    return equity(state, account, prices) + backed_profits(state, account, prices)


# --- initial and maintenance at the hub (RISK-IM-1..RISK-IM-5) -----------------------------


def account_initial_margin(
    params: Params,
    books: Iterable[Positions],
    prices: Prices,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-IM-2: the initial margin of an account's books on all spokes: the netted scan
    margin grossed up by the portfolio's initial rate, or every book's per-position initial
    margin."""
    if params.margin_method == "per_position":
        return sum(
            per_position_margin(params, b, prices, initial=True, now=now, fixings=fixings)
            for b in books
        )
    return bps_up(netted_margin(params, books, prices, now, fixings), params.portfolio.im_bps)


def initial_requirement(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-IM-2: initial margin of all reported positions plus the latency buffer."""
    books = reported_books(state, account).values()
    oracle = state.oracle
    initial = account_initial_margin(state.params, books, prices, oracle.now, oracle.expiry_prices)
    return initial + latency_buffer(state, account, prices)


def meets_initial(state: State, account: AccountId, prices: Prices) -> bool:
    """RISK-IM-2: capacity (loan value less reported losses) covers the initial requirement."""
    return capacity(state, account, prices) >= initial_requirement(state, account, prices)


def ratio_bps(numerator: int, denominator: int) -> int | None:
    """RISK-IM-3: floor(numerator * 10_000 / denominator), none when the denominator is 0.

    pre: denominator >= 0
    post: __return__ is None or __return__ * denominator <= numerator * 10000
    """
    if denominator == 0:
        return None
    return numerator * BPS // denominator


def health_factor(state: State, account: AccountId, prices: Prices) -> int | None:
    """RISK-IM-3: net equity over the maintenance requirement, in bps, rounded down; none
    (infinite) when nothing is required."""
    return ratio_bps(
        net_equity(state, account, prices), maintenance_requirement(state, account, prices)
    )


def initial_health_factor(state: State, account: AccountId, prices: Prices) -> int | None:
    """RISK-IM-3: capacity over the initial requirement, in bps, rounded down; none when
    nothing is required."""
    return ratio_bps(capacity(state, account, prices), initial_requirement(state, account, prices))


def margin_ratio(state: State, account: AccountId, prices: Prices) -> int | None:
    """RISK-IM-4: the maintenance requirement as a share of net equity, in bps, rounded up
    (against the account); 0 when nothing is required, none (infinite) when something is and
    net equity is not positive."""
    requirement = maintenance_requirement(state, account, prices)
    equity_now = net_equity(state, account, prices)
    if requirement == 0:
        return 0
    if equity_now <= 0:
        return None
    return ceil_div(requirement * BPS, equity_now)


def liquidation_price(
    state: State, account: AccountId, prices: Prices, max_price: int
) -> int | None:
    """RISK-IM-5: for an account whose reported positions are perpetuals on one underlying,
    the price of it, all else fixed, at which the account is first unhealthy moving against
    it (down for a net long, up to `max_price` for a net short); none otherwise.

    Bisection between the current price (healthy) and the far end (unhealthy): exact
    where health is monotone in the price on that side, as for perpetual books whose
    collateral does not move with the underlying.
    """
    markets = catalog(state.params).markets
    books = list(reported_books(state, account).values())
    held = {m for book in books for m in book}
    if not held or any(markets[m].kind != "perp" for m in held):
        return None
    assets = underlyings(state.params, held)
    if len(assets) != 1:
        return None
    (asset,) = assets
    net_qty = sum(pos.qty for book in books for pos in book.values())
    if net_qty == 0 or not is_healthy(state, account, prices):
        return None

    def unhealthy_at(price: int) -> bool:
        return not is_healthy(state, account, {**prices, asset: price})

    safe, far = prices[asset], (0 if net_qty > 0 else max_price)
    if not unhealthy_at(far):
        return None
    while abs(far - safe) > 1:
        middle = (safe + far) // 2
        if unhealthy_at(middle):
            far = middle
        else:
            safe = middle
    return far
