"""The risk engine's laws, each stated as a checkable contract (INV-RISK-1..INV-RISK-4).

Each function computes both sides of one law on plain integers with the risk
engine's own kernels and returns whether the law holds; its postcondition says
it always does.  CrossHair searches for inputs that break a postcondition
(VER-3); tests/test_risk.py states the same laws over whole books as Hypothesis
properties.
"""

from collections.abc import Sequence

from model.risk import buffer_rate_bps, haircut_value, worst_covered_loss


def more_collateral_never_lowers_health(
    amount: int, extra: int, price: int, haircut_bps: int, pnl: int, requirement: int
) -> bool:
    """INV-RISK-1: adding collateral never turns a healthy account unhealthy, and never
    lowers its equity.

    pre: amount >= 0 and extra >= 0 and price >= 0 and 0 <= haircut_bps < 10000
    post: __return__
    """
    before = haircut_value(amount, price, haircut_bps) + pnl
    after = haircut_value(amount + extra, price, haircut_bps) + pnl
    return after >= before and (before < requirement or after >= requirement)


def larger_haircut_never_raises_capacity(
    amount: int, price: int, haircut_bps: int, larger_bps: int
) -> bool:
    """INV-RISK-2: a larger haircut never raises what collateral counts for.

    pre: amount >= 0 and price >= 0 and 0 <= haircut_bps <= larger_bps < 10000
    post: __return__
    """
    return haircut_value(amount, price, larger_bps) <= haircut_value(amount, price, haircut_bps)


def buffer_grows_with_latency_and_volatility(
    z_milli: int, volatility_bps: int, latency_s: int, more_vol: int, more_latency: int
) -> bool:
    """INV-RISK-3: the latency buffer rate is non-negative and never shrinks when the sync
    latency or the volatility grows.

    pre: 0 <= z_milli <= 10000 and 0 <= volatility_bps <= 100000 and 0 <= latency_s <= 10**6
    pre: more_vol >= 0 and more_latency >= 0
    post: __return__
    """
    rate = buffer_rate_bps(z_milli, volatility_bps, latency_s)
    return (
        rate >= 0
        and buffer_rate_bps(z_milli, volatility_bps, latency_s + more_latency) >= rate
        and buffer_rate_bps(z_milli, volatility_bps + more_vol, latency_s) >= rate
    )


def netted_margin_within_isolated(
    losses_a: Sequence[int], losses_b: Sequence[int], covers: Sequence[int]
) -> bool:
    """INV-RISK-4: over the same scenarios, the worst loss of two books together never
    exceeds the sum of their worst losses apart (netting across venues never costs margin).

    pre: len(losses_a) == len(losses_b) == len(covers)
    pre: all(0 <= c <= 10000 for c in covers)
    post: __return__
    """
    together = [a + b for a, b in zip(losses_a, losses_b, strict=True)]
    return worst_covered_loss(together, covers) <= worst_covered_loss(
        losses_a, covers
    ) + worst_covered_loss(losses_b, covers)
