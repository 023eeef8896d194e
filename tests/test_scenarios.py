"""The named stress scenarios: every step keeps every invariant, and each ends where its
story says, to the value unit.  The expected numbers are derived by hand in comments.

Example parameters (spec/examples.py): ETH scan range 15%, extreme move 3 ranges (45%)
at 35% cover, so a perpetual's worst scanned loss is 15.75% of the price; latency-buffer
rates 7 bps (arb), 15 bps (base), 34 bps (sol) of notional; penalty 5% of the
requirement at the call, rounded up; insurance fund 50000 USD.
"""

from dataclasses import replace
from functools import cache

import pytest

from intermargin.scenarios import SCENARIOS, scenario
from intermargin.timeline import Run, health, margins, run
from model.invariants import check_step, quiescent_and_accounted
from model.liquidation import health_prices
from model.margin import margin
from model.risk import capacity
from model.span import scan_margin, scan_scenarios
from model.spoke import local_equity
from model.state import Position, initial_state
from model.step import step
from spec.actions import Liquidate, Withdraw
from spec.errors import Error
from tests.float_span import Lot, risk

E = Error


@cache
def ran(name: str) -> Run:
    return run(SCENARIOS[name])


def not_accepted(result: Run) -> dict[int, tuple[str, Error | None]]:
    """Step number -> (status, error) of every step that was not accepted."""
    return {
        r.number: (r.outcome.status, r.outcome.error)
        for r in result.steps
        if r.outcome.status != "accepted"
    }


def rejected(*errors: Error) -> list[tuple[str, Error | None]]:
    return [("rejected", e) for e in errors]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_step_of_every_scenario_keeps_every_invariant(name: str) -> None:
    """INV-CREDIT-1/2, INV-PART-1/2, INV-ASSET-1, INV-NONNEG-1, INV-SPOKE-1, INV-AMO-1,
    INV-LIQ-1, INV-ATOMIC-1 hold on (pre, action, post) of every step."""
    for r in ran(name).steps:
        assert check_step(r.before, r.action, r.after, r.outcome) == [], (r.number, r.action)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_tells_a_story_in_15_to_40_steps(name: str) -> None:
    """Scenarios are documentation: a title, a story and a readable number of steps."""
    s = scenario(name)
    assert s.name == name and s.title and len(s.story) > 100
    assert 15 <= len(s.actions) <= 40


@pytest.mark.parametrize(
    "name",
    ["netting", "hedged", "crash", "oracle-outage", "replay", "naked-option", "expiry", "delist"],
)
def test_scenarios_with_honest_spokes_end_drained_and_accounted(name: str) -> None:
    """INV-LIQ-2: once the network is drained, no liquidation runs and every spoke holds
    exactly what the hub accounts for."""
    final = ran(name).final
    assert final.network.in_flight == {}
    assert quiescent_and_accounted(final) is None


# --- netting ---------------------------------------------------------------------------


def test_netting_netted_margin_is_far_below_the_sum_of_isolated_margins() -> None:
    """RISK-8, INV-RISK-4, SPAN-1..SPAN-7: alice's long 10 ETH-PERP (arb), short 6 ETH-PERP
    (base) and long 4 ETH-P-1800 puts (sol) at ETH 1900, 30 s after the trades.

    Isolated: a perp's worst is the extreme move ceil(1900 x 45%) = 855 at 35% cover:
    arb ceil(10 x 855 x 35%) = ceil(2992.5) = 2993, base ceil(1795.5) = 1796; sol's long
    puts lose at most their value, recomputed with the float scan of tests/float_span.py.
    Netted: 4 perps net long with the 4 puts, the float scan plus the spread charge of
    the perps' tenor against the puts'.  The model rounds each loss and charge up, so it
    is at most 2 above the float figure (1 per rounding).
    Per-position maintenance 5% of notional: 950 + 570 + 0 = 1520.
    Buffer (RISK-AGE-2, RISK-AGE-5): the reports are 30 s old, so the horizons are
    arb 2 + 30 = 32 s, base 12 + 30 = 42 s, sol 60 + 30 = 90 s, at rates
    isqrt_ceil(ceil(24_000_000^2 H / (10^6 Y))) = isqrt_ceil(585) = 25,
    isqrt_ceil(768) = 28 and isqrt_ceil(1644) = 41 bps: ceil(19000 * 25 bps) = 48,
    ceil(11400 * 28 bps) = 32, and the long puts on their delta: d1 = (ln(1900/1800) +
    0.32 x 0.0822) / (0.8 x sqrt(0.0822)) = 0.350, |delta| = 1 - N(0.350) = 0.363,
    ceil(4 x 0.363 x 1900 x 41 bps) = ceil(11.31) = 12; 92 in all.
    """
    m = margins(ran("netting").final, "alice")
    assert m is not None
    left = 2_592_000 - 30
    puts = risk([Lot("put", 4, 1_800, left)], 1_900, 0.8)
    pair = risk([Lot("perp", 4), Lot("put", 4, 1_800, left)], 1_900, 0.8)
    assert [(s.spoke, s.per_position) for s in m.spokes] == [
        ("arb", 950),
        ("base", 570),
        ("sol", 0),
    ]
    assert [s.isolated for s in m.spokes][:2] == [2_993, 1_796]
    assert puts <= m.spokes[2].isolated <= puts + 2
    assert pair <= m.netted <= pair + 2
    assert m.isolated == 2_993 + 1_796 + m.spokes[2].isolated
    assert (m.saved, m.per_position, m.buffer) == (m.isolated - m.netted, 1520, 92)
    assert m.saved > 4_000


def test_netting_requirement_at_the_hub_falls_as_each_hedge_is_reported() -> None:
    """RISK-10, RISK-AGE-5: the hub's requirement nets venues: 3164 with the long alone
    (10 x 900 x 35% = 3150 + buffer 14), 1292 with the short (4 lots net: 1260 + 14 + 18),
    and with the puts the float scan of the 4 perps and 4 puts at 2000 plus the spread
    charge (rounded up, at most 2 more) plus buffers 14 + 18 + 8: the long puts are
    buffered on their delta, d1 = (ln(2000/1800) + 0.32 x 0.0822) / (0.8 x sqrt(0.0822)) =
    0.574, |delta| = 1 - N(0.574) = 0.283, ceil(4 x 0.283 x 2000 x 34 bps) = ceil(7.70) = 8
    (on their notional it was ceil(8000 x 34 bps) = 28).  All at time 0: fresh reports."""
    result = ran("netting")
    requirement = {}
    for r in result.steps:
        h = health(r.after, "alice")
        assert h is not None
        requirement[r.number] = h.requirement
    assert (requirement[12], requirement[14]) == (3164, 1292)
    hedge = risk([Lot("perp", 4), Lot("put", 4, 1_800, 2_592_000)], 2_000, 0.8)
    assert hedge + 40 <= requirement[16] <= hedge + 42


def test_netting_a_spoke_cannot_see_the_hedge_but_the_hub_keeps_alice_healthy() -> None:
    """SPK-TRADE-3 (local margin is per spoke) and LIQ-1 (only unhealthy accounts liquidate):
    base refuses 4 more short lots (10 short lots need ceil(10 x 315 x 110%) = 3465 of
    initial margin, its line is 3000); at 1900 alice's equity 20000 - arb's loss 1000 =
    19000 (the puts, now worth more than the 50 paid, and base's 600 profit count for
    nothing at the hub, RISK-11) covers her requirement."""
    result = ran("netting")
    assert not_accepted(result) == {
        17: ("rejected", E.INSUFFICIENT_MARGIN),
        22: ("rejected", E.ACCOUNT_HEALTHY),
    }
    h = health(result.final, "alice")
    assert h is not None and h.equity == 19_000 and h.backed == 0 and h.requirement < 1_000


# --- hedged ---------------------------------------------------------------------------


def test_hedged_pair_survives_the_rally_that_liquidates_its_lone_leg() -> None:
    """RISK-NET-1..RISK-NET-3, RISK-NET-6, INV-RISK-5: bob long 5 ETH-PERP on arb and short 5
    on base at 2000 with 4100 USD; carol short 5 on arb alone with 3800 USD.

    At 2400 (30 s after every trade) carol's arb loss is 5 * 400 = 2000: equity
    3800 - 2000 = 1800 < 1920, her requirement: the extreme move ceil(2400 * 45%) = 1080 a
    lot, ceil(5 * 1080 * 35%) = 1890 (above the three-range move, 5 * 360 = 1800), plus
    the buffer over arb's 2 s and her report's 30 s age (RISK-AGE-2): isqrt_ceil(ceil(
    24_000_000^2 x 32 / (10^6 Y))) = isqrt_ceil(585) = 25 bps, ceil(12000 * 25 bps) = 30.
    So she is liquidated; arb closes her short, claims 2000 against her 2000 line, and the
    hub seizes 2000 USD into arb's pool; penalty ceil(1920 * 5%) = 96 leaves her
    3800 - 2000 - 96 = 1704.  At 2900, 60 s after his trades, bob's base loss is 4500 and
    his arb profit 4500, of which arb's pool backs 2000: net equity 4100 - 4500 + 2000 =
    1600 against a netted margin of 0 plus buffers over 62 s on arb (isqrt_ceil(1133) = 34
    bps) and 72 s on base (isqrt_ceil(1316) = 37 bps): ceil(14500 * 34 bps) = 50 and
    ceil(14500 * 37 bps) = 54: 104.
    Isolated, each 5-lot book's worst is the extreme move ceil(2900 * 45%) = 1305 a lot:
    ceil(5 * 1305 * 35%) = ceil(2283.75) = 2284, so 4568 for the two.
    """
    result = ran("hedged")
    assert not_accepted(result) == {33: ("rejected", E.ACCOUNT_HEALTHY)}
    final = result.final
    assert final.hub.owed[("arb", "USD")] == 2_000
    assert final.hub.collateral[("carol", "USD")] == 1_704
    assert final.hub.status["carol"].epoch == 1 and final.hub.status["bob"].epoch == 0
    h = health(final, "bob")
    assert h is not None and (h.equity, h.requirement, h.backed) == (1_600, 104, 2_000)
    m = margins(final, "bob")
    assert m is not None and m.netted == 0 and m.isolated == 4_568


def test_hedged_pair_would_be_liquidated_without_the_pool() -> None:
    """RISK-NET-2: the same end state with arb's pool emptied: bob's profit is backed by
    nothing, his equity is 4100 - 4500 = -400 < 104, and a keeper may liquidate him; this is
    what RISK-11 alone did to a flat account."""
    final = ran("hedged").final
    owed = {**final.hub.owed, ("arb", "USD"): 0}
    emptied = replace(final, hub=replace(final.hub, owed=owed))
    h = health(emptied, "bob")
    assert h is not None and (h.equity, h.requirement, h.backed) == (-400, 104, 0)
    assert not h.healthy
    _, outcome = step(emptied, Liquidate(account="bob"))
    assert outcome.status == "accepted"


def test_hedged_pair_capacity_counts_no_profit() -> None:
    """RISK-NET-4: bob's backed profit counts in health only: his capacity is his collateral
    less the base loss, -400, so he can neither withdraw nor borrow on the strength of it."""
    final = ran("hedged").final
    prices = health_prices(final, "bob")
    assert prices is not None
    assert capacity(final, "bob", prices) == 4_100 - 4_500
    _, outcome = step(final, Withdraw(account="bob", asset="USD", amount=1))
    assert outcome.error is E.INSUFFICIENT_CAPACITY


# --- crash ----------------------------------------------------------------------------


def test_crash_settles_with_penalty_and_every_position_closed() -> None:
    """LIQ-1..LIQ-7, HUB-LOSS-1: alice (11000 USD, 2 ETH) long 10 (arb), 10 (base), 6 (sol)
    ETH-PERP at 2000; ETH to 1700 (median of 1700, 1690, 1720).

    Losses 300 a lot: arb 3000, base 3000, sol 1800, each within its 4000 line, so the
    spokes release 1000, 1000, 2200.  Collateral seized: 7800 USD of 11000 -> 3200.
    Requirement at the call: the extreme move ceil(1700 * 45%) = 765 on 26 lots at 35%
    cover, ceil(6961.5) = 6962 (a full 15% move loses only 26 * 255 = 6630), plus buffers
    over each spoke's latency and the 30 s since its report (RISK-AGE-2): 32 s on arb
    (25 bps), 42 s on base (28 bps), 90 s on sol (41 bps): ceil(17000 * 25 bps) = 43,
    ceil(17000 * 28 bps) = 48, ceil(10200 * 41 bps) = 42: 7095.
    Equity 11000 + 2 ETH * 1700 * 90% - 7800 = 6260 < 7095: unhealthy.
    Penalty ceil(7095 * 5%) = ceil(354.75) = 355 from USD: 3200 - 355 = 2845 left, fund
    50355.
    """
    result = ran("crash")
    assert result.steps[22].after.hub.status["alice"].requirement_at_call == 7095
    final = result.final
    hub = final.hub
    assert (hub.status["alice"].liquidating, hub.status["alice"].epoch) == (False, 1)
    assert hub.insurance["USD"] == 50_355
    assert (hub.collateral[("alice", "USD")], hub.collateral[("alice", "ETH")]) == (2845, 2)
    for spoke, loss in (("arb", 3000), ("base", 3000), ("sol", 1800)):
        acct = final.spokes[(spoke, "alice")]
        assert (acct.positions, acct.line, acct.balance, acct.frozen) == ({}, 0, 0, True)
        assert hub.alloc[("alice", spoke)] == 0
        assert hub.owed[(spoke, "USD")] == loss
        assert hub.socialized[spoke] == 0
    assert hub.tokens["USD"] == 2845 + 50_355 + 7800


def test_crash_reordered_stale_and_replayed_messages_are_refused_where_they_arrive() -> None:
    """HUB-REP-1 (stale report), INV-LIQ-1 (no trade after the call, no grant while
    liquidating), INV-AMO-1 (replayed answer)."""
    result = ran("crash")
    assert not_accepted(result) == {
        26: ("ignored", E.STALE_REPORT),
        29: ("rejected", E.MARGIN_CALLED),
        30: ("rejected", E.ACCOUNT_LIQUIDATING),
        33: ("rejected", E.ALREADY_DELIVERED),
    }
    assert result.steps[22].outcome.emitted == (8, 9, 10)  # Liquidate calls all three
    liquidating = [r.number for r in result.steps if r.after.hub.status["alice"].liquidating]
    assert liquidating == list(range(23, 32))  # settled by the last answer, step 32


# --- malicious-spoke ------------------------------------------------------------------


def test_malicious_spoke_takes_no_more_than_was_allocated_to_it() -> None:
    """INV-PART-2: sol extracted alice's 4000 and bob's 3000, exactly their allocations;
    paid <= claimed <= granted = 8000 = its cap when granted; its claim above alice's
    allocation and its second claim of it were ignored."""
    final = ran("malicious-spoke").final
    ghost, hub = final.ghost, final.hub
    assert ghost.compromised == frozenset({"sol"})
    assert (ghost.granted["sol"], ghost.claimed["sol"], ghost.paid["sol"]) == (8000, 7000, 7000)
    assert hub.owed[("sol", "USD")] == 7000
    assert hub.collateral[("alice", "USD")] == 20_000 - 4000
    assert hub.collateral[("bob", "USD")] == 10_000 - 3000
    assert hub.collateral[("carol", "USD")] == 5000  # her honest claim is still waiting
    assert (hub.alloc[("alice", "sol")], hub.alloc[("bob", "sol")]) == (0, 0)
    assert hub.alloc[("carol", "sol")] == 1000
    assert (hub.caps["sol"], "sol" in hub.paused) == (1000, True)


def test_malicious_spoke_leaves_the_other_partitions_untouched() -> None:
    """INV-PART-2 (contagion isolation): arb and base are exactly as honest grants left them."""
    final = ran("malicious-spoke").final
    for spoke, granted in (("arb", 5000), ("base", 0)):
        assert final.ghost.granted[spoke] == granted
        assert (final.ghost.claimed[spoke], final.ghost.paid[spoke]) == (0, 0)
        assert final.hub.owed[(spoke, "USD")] == 0
    assert final.hub.alloc[("alice", "arb")] == final.spokes[("arb", "alice")].line == 5000
    assert final.spokes[("arb", "alice")].called_epoch == 0  # the forged call did nothing


def test_malicious_spoke_is_refused_at_each_step_it_oversteps() -> None:
    """CAP-1, HUB-CLAIM-2/3, MSG-6, GOV-1..2: the codes, step by step; the honest claim
    sent before the pause waits in flight."""
    result = ran("malicious-spoke")
    assert not_accepted(result) == {
        12: ("rejected", E.PARTITION_CAP),
        21: ("ignored", E.EXCEEDS_ALLOCATION),
        23: ("ignored", E.EXCEEDS_ALLOCATION),
        25: ("rejected", E.FORGED_SENDER),
        30: ("rejected", E.SPOKE_PAUSED),
        31: ("rejected", E.SPOKE_PAUSED),
        32: ("rejected", E.SPOKE_PAUSED),
        34: ("rejected", E.CAP_BELOW_ALLOCATION),
    }
    waiting = result.final.network.in_flight
    assert list(waiting) == [7] and waiting[7].payload.type == "LossClaim"


# --- oracle-outage --------------------------------------------------------------------


def test_oracle_outage_fails_closed_exactly_where_a_price_is_needed() -> None:
    """ORA-2..ORA-5, HUB-GRANT-1, HUB-WD-2, SPK-TRADE-2, LIQ-1, SPK-CALL-2: stale feeds,
    one fresh feed (below quorum) and two disagreeing feeds (one an outlier) all mean no
    price; a risk-reducing trade (17) and sol's call, with nothing to price (28), go on."""
    result = ran("oracle-outage")
    assert not_accepted(result) == {
        14: ("rejected", E.PRICE_UNAVAILABLE),  # grant
        15: ("rejected", E.PRICE_UNAVAILABLE),  # withdrawal
        16: ("rejected", E.PRICE_UNAVAILABLE),  # risk-increasing trade
        21: ("rejected", E.PRICE_UNAVAILABLE),  # liquidation, one feed
        23: ("rejected", E.PRICE_UNAVAILABLE),  # liquidation, 1900 an outlier
        27: ("rejected", E.PRICE_UNAVAILABLE),  # margin call to arb: stays in flight
    }
    assert result.steps[16].outcome.emitted == (5, 6)  # the reducing trade's claim and report
    assert 7 in result.steps[26].after.network.in_flight


def test_oracle_outage_liquidation_completes_once_prices_return() -> None:
    """LIQ-6: alice deposited 9500.  At 1600 (median 1600, 1610 after dropping 1900), 10 + 5
    lots long: arb loses 4000 (its whole line), base 5 * 400 = 2000 and releases
    3970 - 2000 = 1970.  Requirement at the call: the extreme move ceil(1600 * 45%) = 720
    on 15 lots at 35% cover = 3780 (a full 15% move loses 15 * 240 = 3600), plus the
    buffers at t = 61 (RISK-AGE-2): arb last reported at 0, horizon 2 + 61 = 63 s,
    isqrt_ceil(ceil(24_000_000^2 x 63 / (10^6 Y))) = isqrt_ceil(1151) = 34 bps,
    ceil(16000 * 34 bps) = 55; base reported its reducing trade at 61, horizon 12 s,
    15 bps, ceil(8000 * 15 bps) = 12: 3847; equity 9500 - 30 - 6000 = 3470 is below it.
    Penalty ceil(3847 * 5%) = ceil(192.35) = 193.  Collateral
    9500 - 30 - 4000 - 2000 - 193 = 3277, then 1000 withdrawn: 2277."""
    result = ran("oracle-outage")
    assert result.steps[24].after.hub.status["alice"].requirement_at_call == 3847
    final = result.final
    hub = final.hub
    assert (hub.status["alice"].liquidating, hub.status["alice"].epoch) == (False, 1)
    assert hub.collateral[("alice", "USD")] == 2277
    assert hub.insurance["USD"] == 50_193
    assert (hub.owed[("arb", "USD")], hub.owed[("base", "USD")]) == (4000, 2030)
    assert all(hub.alloc[("alice", s)] == 0 for s in ("arb", "base", "sol"))
    assert all(final.spokes[(s, "alice")].positions == {} for s in ("arb", "base", "sol"))


# --- naked-option -------------------------------------------------------------------


def test_naked_option_refuses_the_oversized_writes_and_accepts_the_covered_ones() -> None:
    """SPAN-5, SPK-TRADE-3, LIQ-1: carol (no line) and bob (a 1000 line) writing 100 000
    ETH-C-3000 are refused, and so is alice's 100 000 on top of her covered 10; bob's 10
    and alice's 10 covered calls go through; after ETH rises to 2400 both writers are
    healthy, so Liquidate is refused."""
    assert not_accepted(ran("naked-option")) == {
        10: ("rejected", E.INSUFFICIENT_MARGIN),
        11: ("rejected", E.INSUFFICIENT_MARGIN),
        15: ("rejected", E.INSUFFICIENT_MARGIN),
        23: ("rejected", E.ACCOUNT_HEALTHY),
        24: ("rejected", E.ACCOUNT_HEALTHY),
    }


def test_naked_option_the_old_intrinsic_rule_asked_nothing_the_new_one_asks_millions() -> None:
    """RISK-1, SPAN-1, SPAN-5: every scenario price at ETH 2000 is at most 2900, below the
    3000 strike, so at intrinsic value the write lost nothing in any scenario and needed
    no margin (what main accepts).  Now 100 000 lots need at least the short option
    minimum 100 000 x 1% x 2000 = 2 000 000, 2 200 000 at 110% initial; bob's local
    equity (his 1000 line, the 800 000 premium less the calls' Black-Scholes value) is
    far below it."""
    result = ran("naked-option")
    params = result.final.params
    assert all(sc.price < 3_000 for sc in scan_scenarios(params, "ETH", 2_000))
    write = {"ETH-C-3000": Position(-100_000, -800_000)}
    required = margin(params, write, {"ETH": 2_000}, initial=True, now=0)
    assert required >= 2_200_000
    bob = result.steps[10].before.spokes[("arb", "bob")]
    after = replace(bob, positions=write)
    assert local_equity(result.steps[10].before, after, {"ETH": 2_000}) < 1_000 < required


def test_naked_option_a_covered_call_needs_less_than_the_perpetual_and_call_apart() -> None:
    """SPAN-4, SPAN-7: alice's 10 perps and 10 short ETH-C-3000 on base: the calls gain what
    the perps lose on the way down, so the pair needs less than the perps alone plus the
    calls alone; bob's 10 naked calls need at least 10 x 20 = 200."""
    final = ran("naked-option").steps[17].after
    prices = {"ETH": 2_000}
    perps = {"ETH-PERP": Position(10, 20_000)}
    calls = {"ETH-C-3000": Position(-10, -80)}
    pair = scan_margin(final.params, {**perps, **calls}, prices, final.oracle.now)
    apart = scan_margin(final.params, perps, prices, final.oracle.now) + scan_margin(
        final.params, calls, prices, final.oracle.now
    )
    assert pair < apart
    assert scan_margin(final.params, calls, prices, final.oracle.now) >= 200


# --- replay ---------------------------------------------------------------------------


def test_replayed_stale_and_forged_messages_are_refused() -> None:
    """INV-AMO-1, HUB-REP-1, MSG-6: every duplicate, stale report and forgery, by step."""
    assert not_accepted(ran("replay")) == {
        7: ("rejected", E.ALREADY_DELIVERED),
        11: ("ignored", E.STALE_REPORT),
        12: ("rejected", E.ALREADY_DELIVERED),
        15: ("rejected", E.ALREADY_DELIVERED),
        19: ("rejected", E.ALREADY_DELIVERED),
        20: ("rejected", E.FORGED_SENDER),
        21: ("rejected", E.FORGED_SENDER),
        22: ("rejected", E.FORGED_SENDER),
        23: ("rejected", E.FORGED_SENDER),
        24: ("rejected", E.UNKNOWN_MESSAGE),
    }


def test_replay_a_stale_report_changes_nothing_but_consumes_the_message() -> None:
    """HUB-REP-1: the hub keeps the newer report (seq 2) when seq 1 arrives after it."""
    stale = ran("replay").steps[10]
    assert stale.after.hub == stale.before.hub
    assert stale.after.hub.reports[("alice", "arb")].seq == 2
    assert 2 in stale.after.network.delivered


def test_replay_each_credit_message_took_effect_once() -> None:
    """INV-AMO-1: grant 5000, loss claim 500, release 2000, each once: allocation 2500,
    collateral 9500, and the spoke's line agrees (INV-CREDIT-1)."""
    final = ran("replay").final
    assert final.hub.alloc[("alice", "arb")] == final.spokes[("arb", "alice")].line == 2500
    assert final.hub.collateral[("alice", "USD")] == 9500
    assert final.hub.owed[("arb", "USD")] == 500
    assert final.ghost.compromised == frozenset()


# --- delist ----------------------------------------------------------------------------


def test_delist_refuses_grants_and_removal_until_the_spoke_is_drained() -> None:
    """LIST-3, LIST-4, HUB-GRANT-5: after the delisting, a grant to arb is refused; removal
    is refused twice (credit on the lines, then in flight home), then accepted; a removed
    spoke is not listed again."""
    assert list(not_accepted(ran("delist")).values()) == rejected(
        E.SPOKE_NOT_LISTED, E.SPOKE_NOT_DRAINED, E.SPOKE_NOT_DRAINED, E.SPOKE_REMOVED
    )


def test_delist_ends_with_arb_removed_and_holding_nothing() -> None:
    """LIST-4, INV-LIST-1, INV-LIST-2: arb is removed with no allocation, no line and nothing
    in flight; what it was granted came back in full; base kept its grants."""
    final = ran("delist").final
    accounts = final.params.accounts
    assert final.hub.listing == {"arb": "removed"}
    assert all(final.hub.alloc[(a, "arb")] == 0 for a in accounts)
    assert all(final.spokes[("arb", a)].line == 0 for a in accounts)
    assert final.ghost.granted["arb"] == final.ghost.released["arb"] == 5_000
    assert final.hub.alloc[("alice", "base")] == 1_000 and final.hub.alloc[("bob", "base")] == 500


def test_delist_never_grows_an_allocation_to_arb_after_the_delisting() -> None:
    """INV-LIST-1: from the delisting on, arb's allocation only falls (bob's grant in flight
    lands on his line without moving it)."""
    steps = ran("delist").steps
    start = next(r.number for r in steps if r.action.type == "DelistSpoke")
    held = [sum(r.after.hub.alloc[(a, "arb")] for a in r.after.params.accounts) for r in steps]
    after = held[start - 1 :]
    assert after == sorted(after, reverse=True) and after[0] == 5_000 and after[-1] == 0


# --- reorg -----------------------------------------------------------------------------


def test_reorg_refuses_what_is_not_final_and_what_the_rollback_erased() -> None:
    """FIN-3, FIN-4, FIN-5, FIN-6: the unfinal release and the grant wait NOT_FINAL, the
    erased release is UNKNOWN_MESSAGE, a release on the halted chain is SPOKE_HALTED."""
    assert list(not_accepted(ran("reorg")).values()) == [
        *rejected(E.NOT_FINAL, E.NOT_FINAL, E.UNKNOWN_MESSAGE, E.SPOKE_HALTED),
        ("ignored", E.EXCEEDS_ALLOCATION),
    ]


def test_reorg_within_finality_leaves_the_hub_conserved() -> None:
    """INV-FIN-2, INV-CREDIT-1: across the reorg within finality the hub and the ghost
    counters do not move, and alloc 3500 = arb's restored line 3000 + the grant of 500 in
    flight: the erased release of 2000 was never counted."""
    steps = ran("reorg").steps
    r = next(r for r in steps if r.action.type == "Reorg")
    assert r.after.hub == r.before.hub and r.after.ghost == r.before.ghost
    assert r.before.spokes[("arb", "alice")].line == 1_000
    assert r.after.spokes[("arb", "alice")].line == 3_000
    assert r.after.hub.alloc[("alice", "arb")] == 3_500
    assert [e.payload.type for e in r.after.network.in_flight.values()] == ["CreditGrant"]


def test_reorg_ends_with_arb_compromised_and_paid_at_most_its_allocation() -> None:
    """FIN-8, FIN-9, INV-FIN-3: granted 3500, released 1000 (the final release), the deep
    reorg compromises arb, its claim of 2500 (its whole allocation) is paid from Alice's
    collateral into arb's partition: paid + allocated = 2500 <= granted - released = 2500.
    Arb's line of 2500 is the venue's own deficit: the hub allocates nothing there now."""
    final = ran("reorg").final
    g = final.ghost
    assert g.compromised == frozenset({"arb"})
    assert (g.granted["arb"], g.released["arb"], g.claimed["arb"], g.paid["arb"]) == (
        3_500,
        1_000,
        2_500,
        2_500,
    )
    assert final.hub.alloc[("alice", "arb")] == 0
    assert final.hub.collateral[("alice", "USD")] == 2_500
    assert final.hub.owed[("arb", "USD")] == 2_500
    assert final.hub.insurance == initial_state(final.params).hub.insurance  # not charged
    assert final.spokes[("arb", "alice")].line == 2_500
    assert final.chains == {"arb": final.chains["arb"]} and not final.chains["arb"].halted
