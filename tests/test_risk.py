"""The risk engine's laws (INV-RISK-1..4) as Hypothesis properties, the rounding laws of the
ledger arithmetic (NUM-1..NUM-3), and worked examples computed by hand."""

from dataclasses import replace
from fractions import Fraction

from hypothesis import event, given, settings
from hypothesis import strategies as st

from model import State, initial_state
from model.arith import bps_down, bps_up, ceil_div, isqrt_ceil
from model.buffer import buffer_rate_bps, spoke_buffer
from model.hub import record_report
from model.margin import isolated_margin, margin, netted_margin, per_position_margin
from model.pricing import ONE
from model.risk import capacity, equity, free_capacity, is_healthy, net_equity, reported_books
from model.span import scan_margin
from model.state import Position, Positions
from model.valuation import mark_wad
from spec.bounds import BPS, MAX_VOLATILITY_BPS, SECONDS_PER_YEAR
from spec.examples import example_params
from spec.params import AssetParams, MarketParams, Params
from tests.float_greeks import option_greeks, put_price

PARAMS = example_params()
MARKETS = tuple(m.id for m in PARAMS.markets)
SPOKES = tuple(s.id for s in PARAMS.spokes)
CALL = next(m for m in PARAMS.markets if m.kind == "call")

LAWS = settings(max_examples=200, deadline=None)

eth_prices = st.integers(min_value=1, max_value=100_000)
positions = st.builds(
    Position,
    qty=st.integers(min_value=-50, max_value=50).filter(bool),
    cost=st.integers(min_value=-(10**7), max_value=10**7),
)
books = st.dictionaries(st.sampled_from(MARKETS), positions, max_size=3)
spoke_books = st.fixed_dictionaries({s: books for s in SPOKES})
balances = st.integers(min_value=-(10**6), max_value=10**6)
holdings = st.tuples(st.integers(0, 10**6), st.integers(0, 1_000))
pools = st.integers(0, 10**6)


def account_state(
    params: Params,
    usd: int,
    eth: int,
    reported: dict[str, Positions],
    balance: int,
    pool: int = 0,
) -> State:
    """alice holds `usd` and `eth` at the hub, which has `reported` positions from each spoke
    (and the settled `balance` from arb), and arb's clearing pool holds `pool` USD.

    alice uses every spoke that reports for her (RISK-13: `hub.linked`), so that the
    reports count in her view at the hub.
    """
    state = initial_state(params)
    collateral = {**state.hub.collateral, ("alice", "USD"): usd, ("alice", "ETH"): eth}
    owed = {**state.hub.owed, ("arb", "USD"): pool}
    linked = frozenset(("alice", spoke) for spoke in reported)
    state = replace(state, hub=replace(state.hub, collateral=collateral, owed=owed, linked=linked))
    for seq, (spoke, book) in enumerate(sorted(reported.items()), start=1):
        state = record_report(
            state, "alice", spoke, seq, balance if spoke == "arb" else 0, dict(book), 0
        )
    return state


def reaches_books(state: State) -> bool:
    """The generated reports reach the hub's view of the account (RISK-13), and say so to
    Hypothesis's statistics."""
    reached = any(reported_books(state, "alice").values())
    event("reported books reach the hub's view" if reached else "no reported position")
    return reached


def assert_reached(seen: list[bool]) -> None:
    """A property must exercise what it is about: most examples carry reported positions."""
    assert len(seen) >= 50 and sum(seen) >= len(seen) // 2, (sum(seen), len(seen))


def with_eth_haircut(params: Params, haircut_bps: int) -> Params:
    assets = tuple(
        a.model_copy(update={"haircut_bps": haircut_bps}) if a.id == "ETH" else a
        for a in params.assets
    )
    return params.model_copy(update={"assets": assets})


# --- INV-RISK-1: more collateral never lowers health --------------------------------


def test_more_collateral_never_lowers_equity_capacity_or_health() -> None:
    """INV-RISK-1, RISK-NET-3: adding collateral never lowers equity, net equity, capacity or
    free capacity, and never turns a healthy account unhealthy; over reported books that
    reach the hub's view and a clearing pool that backs some of the profit."""
    seen: list[bool] = []

    @LAWS
    @given(holdings, holdings, spoke_books, balances, eth_prices, pools)
    def law(
        held: tuple[int, int],
        extra: tuple[int, int],
        reported: dict[str, Positions],
        balance: int,
        eth: int,
        pool: int,
    ) -> None:
        prices = {"USD": 1, "ETH": eth}
        before = account_state(PARAMS, held[0], held[1], reported, balance, pool)
        after = account_state(
            PARAMS, held[0] + extra[0], held[1] + extra[1], reported, balance, pool
        )
        seen.append(reaches_books(before))
        assert equity(after, "alice", prices) >= equity(before, "alice", prices)
        assert net_equity(after, "alice", prices) >= net_equity(before, "alice", prices)
        assert capacity(after, "alice", prices) >= capacity(before, "alice", prices)
        assert free_capacity(after, "alice", prices) >= free_capacity(before, "alice", prices)
        assert is_healthy(after, "alice", prices) or not is_healthy(before, "alice", prices)

    law()
    assert_reached(seen)


# --- INV-RISK-2: a larger haircut never raises capacity -----------------------------


def test_a_larger_haircut_never_raises_capacity() -> None:
    """INV-RISK-2: with the ETH haircut raised from min(h1,h2) to max(h1,h2), the same holdings
    and reports give no more capacity, free capacity or equity; over reported books that
    reach the hub's view."""
    seen: list[bool] = []

    @LAWS
    @given(
        st.integers(0, BPS - 1),
        st.integers(0, BPS - 1),
        holdings,
        spoke_books,
        balances,
        eth_prices,
    )
    def law(
        h1: int,
        h2: int,
        held: tuple[int, int],
        reported: dict[str, Positions],
        balance: int,
        eth: int,
    ) -> None:
        low, high = sorted((h1, h2))
        prices = {"USD": 1, "ETH": eth}
        lenient = account_state(with_eth_haircut(PARAMS, low), *held, reported, balance)
        strict = account_state(with_eth_haircut(PARAMS, high), *held, reported, balance)
        seen.append(reaches_books(strict))
        assert capacity(strict, "alice", prices) <= capacity(lenient, "alice", prices)
        assert free_capacity(strict, "alice", prices) <= free_capacity(lenient, "alice", prices)
        assert equity(strict, "alice", prices) <= equity(lenient, "alice", prices)

    law()
    assert_reached(seen)


# --- INV-RISK-3: the latency buffer ---------------------------------------------------

z_millis = st.integers(0, 10_000)
vols = st.integers(0, MAX_VOLATILITY_BPS)
latencies = st.integers(1, 10**6)


def exact_rate_squared(z_milli: int, vol_bps: int, latency_s: int) -> Fraction:
    """(z sigma sqrt(L / year))^2 in bps^2, exactly."""
    return Fraction(z_milli * vol_bps, 1000) ** 2 * Fraction(latency_s, SECONDS_PER_YEAR)


@LAWS
@given(z_millis, vols, latencies)
def test_the_buffer_rate_is_the_exact_ceiling(z_milli: int, vol: int, latency: int) -> None:
    """INV-RISK-3, RISK-6: r = ceil(z sigma sqrt(L/Y)) exactly: (r-1)^2 < target <= r^2,
    and r = 0 only when the target is 0."""
    r = buffer_rate_bps(z_milli, vol, latency)
    target = exact_rate_squared(z_milli, vol, latency)
    assert r >= 0
    assert target <= r * r
    assert r == 0 or (r - 1) ** 2 < target


@LAWS
@given(z_millis, vols, latencies, latencies)
def test_the_buffer_rate_grows_with_latency(z_milli: int, vol: int, l1: int, l2: int) -> None:
    """INV-RISK-3: a slower spoke never gets a smaller buffer."""
    short, long = sorted((l1, l2))
    assert buffer_rate_bps(z_milli, vol, short) <= buffer_rate_bps(z_milli, vol, long)


@LAWS
@given(z_millis, vols, vols, latencies)
def test_the_buffer_rate_grows_with_volatility(
    z_milli: int, v1: int, v2: int, latency: int
) -> None:
    """INV-RISK-3: a more volatile underlying never gets a smaller buffer."""
    calm, wild = sorted((v1, v2))
    assert buffer_rate_bps(z_milli, calm, latency) <= buffer_rate_bps(z_milli, wild, latency)


@LAWS
@given(z_millis, vols, st.integers(1, 10**5))
def test_four_times_the_latency_doubles_the_buffer_rate(
    z_milli: int, vol: int, latency: int
) -> None:
    """RISK-6: square-root-of-time scaling, exact up to the one bps of rounding: with
    x = z sigma sqrt(L/Y), r(4L) = ceil(2x) and 2 ceil(x) - 1 <= ceil(2x) <= 2 ceil(x)."""
    r = buffer_rate_bps(z_milli, vol, latency)
    r4 = buffer_rate_bps(z_milli, vol, 4 * latency)
    assert 2 * r - 1 <= r4 <= 2 * r


def test_square_root_of_time_worked_example() -> None:
    """RISK-6 worked example: z = 3, sigma = 80%.  At 2 s: 3 x 8000 bps x sqrt(2/31 536 000)
    = 24 000 x 2.5183e-4 = 6.04 bps, rounded up to 7.  At 8 s: 12.09 bps, rounded up to 13 =
    2 x 7 - 1 (the doubling, less the rounding of the first)."""
    assert buffer_rate_bps(3_000, 8_000, 2) == 7
    assert buffer_rate_bps(3_000, 8_000, 8) == 13


def test_the_buffer_on_a_spoke_is_its_rate_on_the_notional() -> None:
    """RISK-6: 2 perps at 1700 on arb (2 s, 7 bps): 2.38 of 3400, rounded up to 3; on sol
    (60 s: 24 000 x sqrt(60/31 536 000) = 33.1 bps, up to 34): 11.56, rounded up to 12."""
    book = {"ETH-PERP": Position(2, 4_000)}
    prices = {"ETH": 1_700}
    assert spoke_buffer(PARAMS, "arb", book, prices, now=0, age=0) == 3
    assert buffer_rate_bps(3_000, 8_000, 60) == 34
    assert spoke_buffer(PARAMS, "sol", book, prices, now=0, age=0) == 12


# --- INV-RISK-4: netting across venues ------------------------------------------------


@LAWS
@given(spoke_books, eth_prices)
def test_netted_margin_never_exceeds_isolated_margin(
    reported: dict[str, Positions], eth: int
) -> None:
    """INV-RISK-4, RISK-8: netted (all venues together) <= isolated (each venue on its own) <=
    each position on its own, all by the scan method."""
    prices = {"ETH": eth}
    venues = list(reported.values())
    per_position = sum(
        scan_margin(PARAMS, {market: pos}, prices, 0)
        for book in venues
        for market, pos in book.items()
    )
    netted = netted_margin(PARAMS, venues, prices, 0)
    isolated = isolated_margin(PARAMS, venues, prices, 0)
    assert 0 <= netted <= isolated <= per_position


@LAWS
@given(st.integers(1, 50), st.integers(-(10**6), 10**6), eth_prices)
def test_a_long_call_never_needs_more_than_its_mark(qty: int, cost: int, eth: int) -> None:
    """RISK-4, RISK-7, SPAN-3: a long option can lose at most its current mark (its value
    is never negative in any scenario): its scan margin is at most qty x mark, rounded up;
    the per-position method asks nothing of it.  A short call needs at least as much."""
    prices = {"ETH": eth}
    long = {CALL.id: Position(qty, cost)}
    short = {CALL.id: Position(-qty, -cost)}
    value = ceil_div(qty * mark_wad(PARAMS, CALL, eth, 0), ONE)
    assert 0 <= scan_margin(PARAMS, long, prices, 0) <= value
    assert per_position_margin(PARAMS, long, prices, initial=True, now=0) == 0
    assert scan_margin(PARAMS, short, prices, 0) >= scan_margin(PARAMS, long, prices, 0)


def test_span_scan_worked_example_for_perpetuals() -> None:
    """RISK-7, RISK-8, SPAN-1, SPAN-3 worked example, ETH at 2000, scan range 15%, extreme
    3x covered at 35%, portfolio IM 110%.

    Scenario moves: 1/3, 2/3, 3/3 of 300 (100, 200, 300) under either volatility (a
    perpetual does not see volatility, SPAN-2); extreme moves of 45% (900), of which 35%
    counts.  Long 1 ETH-PERP: worst full-cover loss 300 (2000 -> 1700), extreme
    900 x 35% = 315: the scan is 315.  Opposite perps on two venues net to nothing; held
    isolated they need 315 each.  Initial margin of the long: ceil(315 x 110%) = 347.
    """
    prices = {"ETH": 2_000}
    perp = {"ETH-PERP": Position(1, 2_000)}
    assert scan_margin(PARAMS, perp, prices, 0) == 315
    assert margin(PARAMS, perp, prices, initial=True, now=0) == 347
    books: list[Positions] = [{"ETH-PERP": Position(1, 2_000)}, {"ETH-PERP": Position(-1, -2_010)}]
    assert netted_margin(PARAMS, books, prices, 0) == 0
    assert isolated_margin(PARAMS, books, prices, 0) == 630


def test_a_protective_put_lowers_the_scan_of_a_perpetual() -> None:
    """RISK-7, RISK-8, SPAN-2, SPAN-4: long 1 perp and long 1 ETH-P-1800 (30 days, 80%).
    The scan of the pair is recomputed here scenario by scenario with the float
    Black-Scholes of tests/float_greeks.py (the put repriced at 80% x 1.2 and x 0.8), plus
    the spread charge (SPAN-6) of the perpetual's tenor against the put's (2% of the price
    per spread of delta): the model is above it by less than its two roundings up (the
    loss, the charge), and the put cuts the perp's 315 because its gain offsets the
    perp's loss on the way down.  Netted across venues the pair needs
    the same; isolated it needs the perp's 315 plus the put's own scan."""
    prices = {"ETH": 2_000}
    perp = {"ETH-PERP": Position(1, 2_000)}
    put = {"ETH-P-1800": Position(1, 0)}
    t = 2_592_000 / SECONDS_PER_YEAR
    put_delta = option_greeks("put", 2_000, 1_800, 0.8, t).delta
    spread = min(1.0, -put_delta) * 2_000 * 0.02  # SPAN-6: the perp's tenor against the put's
    expected = float_scan([(None, 1), (1_800, 1)], 2_000, vol=0.8, t=t) + spread
    pair = scan_margin(PARAMS, {**perp, **put}, prices, 0)
    assert expected - 1e-6 <= pair < expected + 2  # two roundings up: the loss, the charge
    assert pair < 315
    assert netted_margin(PARAMS, [perp, put], prices, 0) == pair
    assert isolated_margin(PARAMS, [perp, put], prices, 0) == 315 + scan_margin(
        PARAMS, put, prices, 0
    )


def float_scan(book: list[tuple[int | None, int]], spot: int, vol: float, t: float) -> float:
    """The SPAN scan of SPAN-1..SPAN-3 in floats, for a book of (put strike or None for a
    perpetual, qty): the check's independent recomputation (no rounding rules)."""

    def value(strike: int | None, price: float, sigma: float) -> float:
        return price if strike is None else put_price(price, strike, sigma, t)

    worst = 0.0
    for k in (0, 1, -1, 2, -2, 3, -3):
        price = spot * (1 + 0.15 * k / 3)
        for sigma in (vol * 1.2, vol * 0.8):
            loss = -sum(q * (value(s, price, sigma) - value(s, spot, vol)) for s, q in book)
            worst = max(worst, loss)
    for price in (spot * 1.45, spot * 0.55):
        loss = -sum(q * (value(s, price, vol) - value(s, spot, vol)) for s, q in book)
        worst = max(worst, 0.35 * loss)
    return worst


def test_underlyings_do_not_offset_each_other() -> None:
    """RISK-7, SPAN-8: the scan is per underlying and the worst losses add up.  With a second
    underlying BTC (scan range 10%: extreme 3 x 3000 = 9000 at 30 000, 35% of it 3150), a
    long ETH perp (315) and a short BTC perp (3150) need 3465: neither's gain covers the
    other."""
    btc = AssetParams(id="BTC", haircut_bps=1_000, volatility_bps=6_000, scan_range_bps=1_000)
    btc_perp = MarketParams(id="BTC-PERP", underlying="BTC", kind="perp", im_bps=1_000, mm_bps=500)
    params = PARAMS.model_copy(
        update={"assets": (*PARAMS.assets, btc), "markets": (*PARAMS.markets, btc_perp)}
    )
    prices = {"ETH": 2_000, "BTC": 30_000}
    book = {"ETH-PERP": Position(1, 2_000), "BTC-PERP": Position(-1, -30_000)}
    assert scan_margin(params, {"BTC-PERP": book["BTC-PERP"]}, prices, 0) == 3_150
    assert scan_margin(params, book, prices, 0) == 315 + 3_150


# --- rounding (NUM-1..NUM-3) -----------------------------------------------------------

amounts = st.integers(0, 10**18)
shares = st.integers(0, BPS)


@LAWS
@given(amounts, shares)
def test_bps_down_is_the_floor_of_the_exact_share(amount: int, bps: int) -> None:
    """NUM-1: what the account owns rounds down, by less than one unit, and never above it."""
    exact = Fraction(amount * bps, BPS)
    assert bps_down(amount, bps) <= exact < bps_down(amount, bps) + 1
    assert 0 <= bps_down(amount, bps) <= amount


@LAWS
@given(amounts, st.integers(0, 10 * BPS))
def test_bps_up_is_the_ceiling_of_the_exact_share(amount: int, bps: int) -> None:
    """NUM-2: what the account owes rounds up, by less than one unit."""
    exact = Fraction(amount * bps, BPS)
    assert bps_up(amount, bps) - 1 < exact <= bps_up(amount, bps)


@LAWS
@given(amounts, shares)
def test_a_share_owned_and_the_rest_owed_add_up_to_the_whole(amount: int, bps: int) -> None:
    """NUM-1, NUM-2: floor(a b) + ceil(a (1 - b)) = a: no unit is created or lost."""
    assert bps_down(amount, bps) + bps_up(amount, BPS - bps) == amount


@LAWS
@given(st.integers(-(10**24), 10**24), st.integers(1, 10**12))
def test_ceil_div_is_the_least_integer_above_the_quotient(n: int, d: int) -> None:
    """NUM-3: ceil_div(n, d) * d >= n > (ceil_div(n, d) - 1) * d, for negative n too."""
    q = ceil_div(n, d)
    assert q * d >= n > (q - 1) * d


@LAWS
@given(st.integers(0, 10**40))
def test_isqrt_ceil_is_the_least_root_above(n: int) -> None:
    """NUM-3: the least r >= 0 with r^2 >= n."""
    r = isqrt_ceil(n)
    assert r * r >= n
    assert r == 0 or (r - 1) * (r - 1) < n
