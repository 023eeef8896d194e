"""Initial and maintenance at the hub (RISK-IM-1..RISK-IM-5, INV-RISK-7): loan-to-value and
liquidation haircuts, the initial requirement of grants and withdrawals, the health factor,
the margin ratio and the liquidation price, and the `intermargin account` view (CLI-12)."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from intermargin.cli import main
from intermargin.scenarios import SCENARIOS
from intermargin.timeline import run as run_scenario
from intermargin.timeline import to_json
from model import State, initial_state
from model.hub import record_report
from model.liquidation import health_prices
from model.risk import (
    capacity,
    collateral_value,
    health_factor,
    initial_health_factor,
    initial_requirement,
    is_healthy,
    liquidation_price,
    loan_value,
    maintenance_requirement,
    margin_ratio,
    meets_initial,
    net_equity,
)
from model.state import Position, Positions
from spec.actions import Withdraw
from spec.bounds import MAX_PRICE
from spec.errors import Error
from spec.examples import example_params
from spec.params import AssetParams, Params
from tests.helpers import credited, funded, priced, refused, run, traded
from tests.test_risk import account_state, balances, holdings, pools, reaches_books, spoke_books

PARAMS = example_params()


# --- RISK-IM-1: two haircuts ------------------------------------------------------------


def test_an_ltv_haircut_below_the_liquidation_haircut_is_invalid() -> None:
    """PAR-1, RISK-IM-1: ltv_haircut_bps must be at least haircut_bps."""
    with pytest.raises(ValidationError, match="ltv_haircut_bps must not be below haircut_bps"):
        AssetParams(
            id="ETH", haircut_bps=1_000, ltv_haircut_bps=999, volatility_bps=0, scan_range_bps=0
        )
    asset = AssetParams(id="X", haircut_bps=300, volatility_bps=0, scan_range_bps=0)
    assert asset.borrowing_haircut_bps == 300


def test_capacity_lends_on_the_ltv_haircut_and_health_counts_the_liquidation_one(
    genesis: State,
) -> None:
    """RISK-IM-1 worked example: 2 ETH at 2000 are worth floor(4000 * 90%) = 3600 for health
    and floor(4000 * 85%) = 3400 for capacity."""
    state = priced(funded(genesis, eth=2))
    prices = {"USD": 1, "ETH": 2_000}
    assert collateral_value(state, "alice", prices) == 3_600
    assert loan_value(state, "alice", prices) == capacity(state, "alice", prices) == 3_400
    assert net_equity(state, "alice", prices) == 3_600


# --- RISK-IM-2: grants and withdrawals at initial ----------------------------------------


def test_a_withdrawal_must_leave_the_initial_requirement_covered(genesis: State) -> None:
    """RISK-IM-2, HUB-WD-3: alice has 4000 USD, a 2000 line on arb and 5 ETH-PERP long at 2000.
    At 3000 her scan margin is the extreme move down, ceil(3000 * 45%) = 1350 a lot, at 35%
    cover: ceil(5 * 1350 * 35%) = ceil(2362.5) = 2363; her initial requirement is
    ceil(2363 * 110%) = ceil(2599.3) = 2600 plus buffer ceil(15000 * 7 bps) = 11: 2611; her
    profit does not count in capacity.  Free capacity is 4000 - 2000 - 11 = 1989, so
    withdrawing 1500 passes that check but leaves capacity 2500 < 2611: refused; 1000
    leaves 3000: accepted."""
    state = traded(
        credited(funded(priced(genesis), usd=4_000), "alice", "arb", 2_000),
        "arb",
        "alice",
        "ETH-PERP",
        5,
        2_000,
    )
    state = priced(state, eth=3_000)
    prices = {"USD": 1, "ETH": 3_000}
    assert initial_requirement(state, "alice", prices) == 2_611
    refused(
        state, Withdraw(account="alice", asset="USD", amount=1_500), Error.INSUFFICIENT_CAPACITY
    )
    after = run(state, Withdraw(account="alice", asset="USD", amount=1_000))
    assert meets_initial(after, "alice", prices)


# --- INV-RISK-7: initial is stricter than maintenance --------------------------------------


def test_initial_is_never_looser_than_maintenance() -> None:
    """INV-RISK-7, RISK-IM-3: loan value <= collateral value, capacity <= net equity, initial
    requirement >= maintenance requirement; healthy at initial implies healthy; with capacity
    >= 0 the initial health factor is at most the health factor.  Over reported books that
    reach the hub's view (RISK-13) and arb pools that back some profit."""
    seen: list[bool] = []

    @settings(max_examples=200, deadline=None)
    @given(holdings, spoke_books, balances, st.integers(1, 100_000), pools)
    def law(
        held: tuple[int, int], reported: dict[str, Positions], balance: int, eth: int, pool: int
    ) -> None:
        state = account_state(PARAMS, held[0], held[1], reported, balance, pool)
        prices = {"USD": 1, "ETH": eth}
        seen.append(reaches_books(state))
        assert loan_value(state, "alice", prices) <= collateral_value(state, "alice", prices)
        assert capacity(state, "alice", prices) <= net_equity(state, "alice", prices)
        assert initial_requirement(state, "alice", prices) >= maintenance_requirement(
            state, "alice", prices
        )
        assert is_healthy(state, "alice", prices) or not meets_initial(state, "alice", prices)
        initial, maintenance = (
            initial_health_factor(state, "alice", prices),
            health_factor(state, "alice", prices),
        )
        if capacity(state, "alice", prices) >= 0 and initial is not None:
            event("both factors finite" if maintenance is not None else "maintenance infinite")
            assert maintenance is None or initial <= maintenance

    law()
    assert len(seen) >= 50 and sum(seen) >= len(seen) // 2


# --- RISK-IM-3, RISK-IM-4: health factor and margin ratio ---------------------------------


def test_health_factor_and_margin_ratio_of_the_hedged_pair() -> None:
    """RISK-IM-3, RISK-IM-4, RISK-AGE-2 worked example: at the end of `hedged` bob's net
    equity is 1600.  His flat pair needs no margin, only its buffer, and his spokes last
    reported 60 s ago: arb's horizon is 2 + 60 = 62 s, rate isqrt_ceil(ceil(24_000_000^2 x 62
    / (10^6 x Y))) = isqrt_ceil(1133) = 34 bps, ceil(5 x 2900 x 34 / 10^4) = 50; base's is
    12 + 60 = 72 s, isqrt_ceil(1316) = 37 bps, ceil(14_500 x 37 / 10^4) = 54: a requirement
    of 104.  Health factor floor(1600 * 10000 / 104) = 153846 bps, margin ratio
    ceil(104 * 10000 / 1600) = 650 bps; his capacity -400 against an initial requirement of
    104 gives an initial health factor of floor(-4000000 / 104) = -38462 bps."""
    state = run_scenario(SCENARIOS["hedged"]).final
    prices = health_prices(state, "bob")
    assert prices is not None
    assert health_factor(state, "bob", prices) == 153_846
    assert margin_ratio(state, "bob", prices) == 650
    assert initial_health_factor(state, "bob", prices) == -38_462


def test_the_ratios_of_an_account_with_nothing_at_risk() -> None:
    """RISK-IM-3, RISK-IM-4: no requirement: an infinite health factor and a margin ratio of 0;
    a requirement with no equity: an infinite margin ratio."""
    state = account_state(PARAMS, 1_000, 0, {}, 0)
    prices = {"USD": 1, "ETH": 2_000}
    assert health_factor(state, "alice", prices) is None
    assert margin_ratio(state, "alice", prices) == 0
    broke = account_state(PARAMS, 0, 0, {"arb": {"ETH-PERP": Position(1, 2_000)}}, 0)
    assert margin_ratio(broke, "alice", prices) is None
    assert health_factor(broke, "alice", prices) == 0


# --- RISK-IM-5: the liquidation price -----------------------------------------------------


def dydx_params() -> Params:
    """The dYdX v4 worked example's setting: per-position margin, MMF 5%, no latency buffer."""
    return PARAMS.model_copy(update={"margin_method": "per_position", "buffer_z_milli": 0})


def one_perp(params: Params, usd: int, qty: int, entry: int) -> State:
    state = initial_state(params)
    hub = state.hub
    state = replace(
        state,
        hub=replace(
            hub,
            collateral={**hub.collateral, ("alice", "USD"): usd},
            linked=frozenset({("alice", "arb")}),
        ),
    )
    return record_report(state, "alice", "arb", 1, 0, {"ETH-PERP": Position(qty, qty * entry)}, 0)


def test_liquidation_price_reproduces_dydx_v4_worked_example() -> None:
    """RISK-IM-5: dYdX v4's documented isolated liquidation price
    p' = (e - s * p) / (|s| * MMF - s), with its example: e = 1000, short s = -3 ETH at
    p = 3000, MMF = 5%: p' = 10000 / 3.15 = 3174.60 (dYdX v4 docs, "Liquidations",
    "Isolated Liquidation Price": https://dydx-documentation-six.vercel.app/concepts/
    trading/liquidations).  The hub, with integers and rounding against the account, finds
    3175: healthy at 3174 (equity 478 >= ceil(476.1) = 477), not at 3175 (475 < 477).
    The long mirror, s = +3: p' = 8000 / 2.85 = 2807.02; the hub finds 2807."""
    params = dydx_params()
    short = one_perp(params, 1_000, -3, 3_000)
    prices = {"USD": 1, "ETH": 3_000}
    assert liquidation_price(short, "alice", prices, MAX_PRICE) == 3_175
    assert is_healthy(short, "alice", {"USD": 1, "ETH": 3_174})
    assert not is_healthy(short, "alice", {"USD": 1, "ETH": 3_175})
    long = one_perp(params, 1_000, 3, 3_000)
    assert liquidation_price(long, "alice", prices, MAX_PRICE) == 2_807
    assert not is_healthy(long, "alice", {"USD": 1, "ETH": 2_807})
    assert is_healthy(long, "alice", {"USD": 1, "ETH": 2_808})


@settings(max_examples=100, deadline=None)
@given(st.integers(-50, 50).filter(bool), st.integers(100, 10_000), st.integers(0, 10**6))
def test_the_liquidation_price_is_the_health_boundary(qty: int, entry: int, usd: int) -> None:
    """RISK-IM-5: for one perpetual under the example parameters, the account is unhealthy at
    its liquidation price and healthy one unit on the safe side of it."""
    state = one_perp(PARAMS, usd, qty, entry)
    prices = {"USD": 1, "ETH": entry}
    price = liquidation_price(state, "alice", prices, MAX_PRICE)
    if price is None:
        event("no liquidation price")
        return
    event("long" if qty > 0 else "short")
    safe = price + 1 if qty > 0 else price - 1
    assert not is_healthy(state, "alice", {**prices, "ETH": price})
    assert is_healthy(state, "alice", {**prices, "ETH": safe})


def test_no_liquidation_price_for_a_flat_or_option_book() -> None:
    """RISK-IM-5: none for a hedged pair (no net size) or a book holding an option."""
    state = run_scenario(SCENARIOS["hedged"]).final
    prices = health_prices(state, "bob")
    assert prices is not None
    assert liquidation_price(state, "bob", prices, MAX_PRICE) is None
    put = account_state(PARAMS, 5_000, 0, {"arb": {"ETH-P-1800": Position(-1, -50)}}, 0)
    assert liquidation_price(put, "alice", {"USD": 1, "ETH": 2_000}, MAX_PRICE) is None


# --- CLI-12: intermargin account ------------------------------------------------------------


def hedged_trace(tmp_path: Path) -> Path:
    path = tmp_path / "hedged.json"
    trace = to_json(run_scenario(SCENARIOS["hedged"]))["trace"]
    path.write_text(json.dumps(trace), encoding="utf-8")
    return path


def test_account_shows_one_account_at_a_step_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-12: bob at the end of `hedged` (step 33; his requirement is the buffer over the 60 s
    his reports have aged, worked out in the test above) and before his trades (step 8)."""
    path = str(hedged_trace(tmp_path))
    assert main(["account", path, "--account", "bob", "--json"]) == 0
    end = json.loads(capsys.readouterr().out)
    assert end["step"] == 33
    assert (end["net_equity"], end["capacity"], end["maintenance_requirement"]) == (
        1_600,
        -400,
        104,
    )
    assert (end["health_factor_bps"], end["margin_ratio_bps"]) == (153_846, 650)
    assert end["spokes"]["arb"]["backed_profit"] == 2_000
    assert main(["account", path, "--account", "bob", "--step", "8", "--json"]) == 0
    early = json.loads(capsys.readouterr().out)
    assert early["step"] == 8 and early["health_factor_bps"] is None
    assert early["spokes"]["arb"] == {"positions": {}, "reported_pnl": 0, "backed_profit": 0}
    assert main(["account", path, "--account", "bob", "--step", "0"]) == 0
    assert "bob after step 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "zed"], "unknown account 'zed'"),
        (["--account", "bob", "--step", "34"], "--step 34 is outside the trace (0..33)"),
        (["--account", "bob", "--step", "-1"], "--step -1 is outside the trace"),
    ],
)
def test_account_rejects_bad_input_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """CLI-12, CLI-2: an unknown account or a step outside the trace: one line, exit 2."""
    assert main(["account", str(hedged_trace(tmp_path)), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_account_rejects_a_file_that_is_not_a_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-12, CLI-2: garbage in the trace file: one line, exit 2."""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["account", str(bad), "--account", "bob"]) == 2
    assert "not JSON" in capsys.readouterr().err
