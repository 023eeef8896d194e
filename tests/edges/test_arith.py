"""The roundings of `model/arith.py`, each in its exact direction (NUM-1..NUM-3, RISK-6)."""

from hypothesis import event, example, given
from hypothesis import strategies as st

from model.arith import bps_down, bps_up, ceil_div, isqrt_ceil


@example(n=0)
@example(n=1)
@example(n=4)
@example(n=5)
@example(n=10**12)
@example(n=10**12 + 1)
@given(n=st.integers(min_value=0, max_value=10**30))
def test_isqrt_ceil_is_the_least_root_at_or_above(n: int) -> None:
    """NUM-3, RISK-6: the integer square root rounds up, exactly: the least r >= 0 with
    r * r >= n (a perfect square gives its root, anything else the next integer)."""
    r = isqrt_ceil(n)
    event("perfect square" if r * r == n else "rounded up")
    assert r >= 0 and r * r >= n
    assert r == 0 or (r - 1) * (r - 1) < n


def test_isqrt_ceil_on_squares_and_their_neighbours() -> None:
    """NUM-3, RISK-6: k*k gives k; k*k + 1 .. (k+1)^2 give k + 1."""
    for k in range(0, 50):
        assert isqrt_ceil(k * k) == k
        for n in range(k * k + 1, (k + 1) * (k + 1) + 1):
            assert isqrt_ceil(n) == k + 1


@given(n=st.integers(min_value=-(10**9), max_value=10**9), d=st.integers(1, 10**5))
def test_ceil_div_is_the_least_quotient_at_or_above(n: int, d: int) -> None:
    """NUM-2: ceil_div(n, d) = -((-n) // d): the least q with q * d >= n, for any sign of n."""
    q = ceil_div(n, d)
    event("exact" if q * d == n else "rounded up")
    assert q * d >= n > (q - 1) * d


@given(v=st.integers(0, 10**12), x=st.integers(0, 10_000))
def test_bps_down_and_up_bracket_the_exact_share(v: int, x: int) -> None:
    """NUM-1, NUM-2: bps_down is floor(v * x / 10_000), bps_up its ceiling; they differ by
    one exactly when the share is not whole."""
    down, up = bps_down(v, x), bps_up(v, x)
    event("whole" if v * x % 10_000 == 0 else "fraction")
    assert down * 10_000 <= v * x < (down + 1) * 10_000
    assert (up - 1) * 10_000 < v * x <= up * 10_000
    assert up - down == (0 if v * x % 10_000 == 0 else 1)
