"""Declared bounds of every quantity (BND-1..BND-6), validated at the boundary.

All money is an integer count of *value units*; all fractions are basis points
(1 bps = 1/10_000); all times are whole seconds.  No floats reach the ledger.
"""

from typing import Annotated

from pydantic import Field, StringConstraints

BPS = 10_000
"""One whole, in basis points."""

SECONDS_PER_YEAR = 31_536_000
"""The year used to scale annualized volatility (365 days)."""

MAX_AMOUNT = 10**18
"""BND-1: largest token amount, credit amount, cap or balance."""

MAX_PRICE = 10**12
"""BND-2: largest price, in value units per unit of asset or lot."""

MAX_QTY = 10**6
"""BND-3: largest position size, in lots (so |qty| * price <= MAX_AMOUNT)."""

MAX_SECONDS = 10**9
"""BND-4: largest latency, age or time step."""

MAX_VOLATILITY_BPS = 100_000
"""BND-5: largest annualized volatility (1000%)."""

HUB = "hub"
"""The hub's name on the wire; no spoke may be called this (BND-6)."""

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,31}$")]
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT)]
PositiveAmount = Annotated[int, Field(ge=1, le=MAX_AMOUNT)]
SignedAmount = Annotated[int, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
Balance = Annotated[int, Field(ge=-4 * MAX_AMOUNT, le=4 * MAX_AMOUNT)]
"""BND-7: a settled balance on a spoke: a trade keeps it within MAX_AMOUNT, and closing
positions at a margin call adds at most 2 * MAX_AMOUNT more (so it stays below 2**63)."""
Price = Annotated[int, Field(ge=0, le=MAX_PRICE)]
PositivePrice = Annotated[int, Field(ge=1, le=MAX_PRICE)]
Qty = Annotated[int, Field(ge=-MAX_QTY, le=MAX_QTY)]
Bps = Annotated[int, Field(ge=0, le=BPS)]
Seconds = Annotated[int, Field(ge=1, le=MAX_SECONDS)]
Counter = Annotated[int, Field(ge=0)]
