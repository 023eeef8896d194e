"""Float Black-Scholes, a test-only cross-check of the integer pricer (PRC-10, PRC-11).

No ledger decision reads this module: it lives under tests/ and checks that
`model/pricing.py` and `model/greeks.py` agree with the textbook formulas in
floating point.  European options without dividends, rate `r` (default 0).
Delta in units of the underlying, gamma per value unit of price move.
"""

from dataclasses import dataclass
from math import erf, exp, log, pi, sqrt


@dataclass(frozen=True, slots=True)
class Greeks:
    """Sensitivities of a position or a portfolio to its underlying's price."""

    delta: float
    gamma: float

    def __add__(self, other: "Greeks") -> "Greeks":
        return Greeks(self.delta + other.delta, self.gamma + other.gamma)

    def scaled(self, qty: int) -> "Greeks":
        """The Greeks of `qty` lots of a one-lot position."""
        return Greeks(qty * self.delta, qty * self.gamma)


FLAT = Greeks(0.0, 0.0)


def norm_cdf(x: float) -> float:
    """The standard normal distribution function N(x)."""
    return 0.5 * (1.0 + erf(x / sqrt(2.0)))


def norm_pdf(x: float) -> float:
    """The standard normal density N'(x)."""
    return exp(-0.5 * x * x) / sqrt(2.0 * pi)


def d1_d2(spot: float, strike: float, vol: float, t: float, r: float) -> tuple[float, float]:
    """Black-Scholes d1 and d2 (spot, strike, vol, t > 0)."""
    root = vol * sqrt(t)
    d1 = (log(spot / strike) + (r + 0.5 * vol * vol) * t) / root
    return d1, d1 - root


def call_price(spot: float, strike: float, vol: float, t: float, r: float = 0.0) -> float:
    """Black-Scholes price of a European call: S N(d1) - K e^(-rT) N(d2)."""
    if t <= 0 or vol <= 0:
        return max(spot - strike * exp(-r * max(t, 0.0)), 0.0)
    d1, d2 = d1_d2(spot, strike, vol, t, r)
    return spot * norm_cdf(d1) - strike * exp(-r * t) * norm_cdf(d2)


def put_price(spot: float, strike: float, vol: float, t: float, r: float = 0.0) -> float:
    """Black-Scholes price of a European put: K e^(-rT) N(-d2) - S N(-d1)."""
    if t <= 0 or vol <= 0:
        return max(strike * exp(-r * max(t, 0.0)) - spot, 0.0)
    d1, d2 = d1_d2(spot, strike, vol, t, r)
    return strike * exp(-r * t) * norm_cdf(-d2) - spot * norm_cdf(-d1)


def option_greeks(
    kind: str, spot: float, strike: float, vol: float, t: float, r: float = 0.0
) -> Greeks:
    """Delta and gamma of one European call or put (`kind` "call" or "put").

    Call delta N(d1), put delta N(d1) - 1, gamma N'(d1) / (S sigma sqrt(T)) for
    both.  With no time or no volatility left the option is its (discounted)
    intrinsic value: delta is the step, gamma 0.
    """
    if t <= 0 or vol <= 0:
        forward_strike = strike * exp(-r * max(t, 0.0))
        if kind == "call":
            return Greeks(1.0 if spot > forward_strike else 0.0, 0.0)
        return Greeks(-1.0 if spot < forward_strike else 0.0, 0.0)
    d1, _ = d1_d2(spot, strike, vol, t, r)
    gamma = norm_pdf(d1) / (spot * vol * sqrt(t))
    delta = norm_cdf(d1) if kind == "call" else norm_cdf(d1) - 1.0
    return Greeks(delta, gamma)


def vega_theta(
    kind: str, spot: float, strike: float, vol: float, t: float, r: float = 0.0
) -> tuple[float, float]:
    """Vega S N'(d1) sqrt(T) (per 1.00 of volatility) and theta per year:
    -S N'(d1) sigma / (2 sqrt T) - r K e^(-rT) N(d2) for a call, + r K e^(-rT) N(-d2) for a put."""
    d1, d2 = d1_d2(spot, strike, vol, t, r)
    vega = spot * norm_pdf(d1) * sqrt(t)
    decay = -spot * norm_pdf(d1) * vol / (2 * sqrt(t))
    if kind == "call":
        return vega, decay - r * strike * exp(-r * t) * norm_cdf(d2)
    return vega, decay + r * strike * exp(-r * t) * norm_cdf(-d2)
