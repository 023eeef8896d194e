"""The one seam between the stress simulation and the risk engine (STRESS-2).

The simulation asks for the hub's view of every account through a `RiskPassFn`:
`risk_pass(params, population, prices, now, pools, *, fixings) -> RiskView`, one row per
account.
`RISK_PASS` is the engine the simulation uses unless it is given another one: the
vectorized engine (`stresslab.engine.risk_pass`, equal to the model row by row, VEC-6);
`stresslab.scalar_pass.risk_pass` computes the same figures with the model per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from model.valuation import NO_FIXINGS, Fixings
from spec.params import Params
from stresslab.engine import risk_pass as RISK_PASS  # the seam; stand-in: scalar_pass
from stresslab.population import Flags, Ints, Population

Prices = Mapping[str, int]
Pools = Mapping[str, int] | None


class RiskView(Protocol):
    """The hub's view of N accounts as arrays (RISK-1, RISK-10..RISK-12, RISK-NET-3,
    RISK-IM-2): what the simulation reads of a risk pass."""

    @property
    def collateral_value(self) -> Ints: ...
    @property
    def equity(self) -> Ints: ...
    @property
    def net_equity(self) -> Ints: ...
    @property
    def maintenance(self) -> Ints: ...
    @property
    def initial(self) -> Ints: ...
    @property
    def healthy(self) -> Flags: ...
    @property
    def meets_initial(self) -> Flags: ...
    @property
    def capacity(self) -> Ints: ...


class RiskPassFn(Protocol):
    """`risk_pass(params, population, prices, now, pools=None, *, fixings)`: the risk rules of
    `model/risk.py` evaluated for every row of a population, at the expiry prices fixed so
    far (PRC-14)."""

    def __call__(
        self,
        params: Params,
        population: Population,
        prices: Prices,
        now: int,
        pools: Pools = None,
        *,
        fixings: Fixings = NO_FIXINGS,
    ) -> RiskView: ...


__all__ = ["RISK_PASS", "Pools", "Prices", "RiskPassFn", "RiskView"]
