"""A population of accounts as arrays: the shape the vectorized risk engine works on.

Axis orders are those of the parameters: assets as in `params.assets`, spokes as in
`params.spokes`, markets as in `params.markets`.  Row `i` of every array is account
`i`.  All amounts are integers (no floats in a ledger decision): token amounts, lots
and value units exactly as in `model/state.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Population:
    """N accounts: collateral at the hub and the books each spoke last reported.

    - `collateral[n, a]`: tokens of asset `a` deposited at the hub (>= 0).
    - `qty[n, s, m]`, `cost[n, s, m]`: the position in market `m` as spoke `s` last
      reported it (`model.state.Position`: lots, long > 0; value paid, negative when
      received).
    - `balance[n, s]`: the settled balance in spoke `s`'s last report.
    - `linked[n, s]`: the hub has granted the account credit on spoke `s` (RISK-13),
      so that spoke's report counts in the hub's view.
    - `alloc[n, s]`: credit allocated to spoke `s` (HUB-GRANT-2).
    - `report_time[n, s]`: the time spoke `s`'s last report carries (RISK-AGE-1); none
      means every report is as fresh as the pass's `now` (age 0, RISK-AGE-2).
    """

    collateral: Ints
    qty: Ints
    cost: Ints
    balance: Ints
    linked: Flags
    alloc: Ints
    report_time: Ints | None = None

    @property
    def size(self) -> int:
        """The number of accounts N."""
        return int(self.collateral.shape[0])
