"""System parameters (PAR-1..PAR-9): everything a designer can change.

A `Params` value is validated once at the boundary; the model trusts it after.  The
`json_schema_extra` annotations put into the exported schema the rules of PAR-9 that
JSON Schema can state (PAR-15); the validators below remain the rules themselves.
"""

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from spec.bounds import (
    BPS,
    HUB,
    MAX_SECONDS,
    MAX_VOLATILITY_BPS,
    Amount,
    Bps,
    Id,
    PositivePrice,
    Seconds,
)


class Frozen(BaseModel):
    """Strict, immutable, closed: unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class AssetParams(Frozen):
    """PAR-1: a collateral asset or an underlying."""

    id: Id
    haircut_bps: int = Field(
        ge=0, lt=BPS, description="liquidation haircut: collateral value for health"
    )
    volatility_bps: int = Field(ge=0, le=MAX_VOLATILITY_BPS, description="annualized sigma")
    scan_range_bps: Bps = Field(description="portfolio margin price scan range")
    fixed_price: PositivePrice | None = Field(
        default=None, description="a price that needs no feed (the settlement asset)"
    )
    ltv_haircut_bps: int | None = Field(
        default=None,
        ge=0,
        lt=BPS,
        description="loan-to-value haircut: collateral value for grants and withdrawals; "
        "at least haircut_bps; haircut_bps when absent",
    )

    @model_validator(mode="after")
    def _ltv_haircut_at_least_the_liquidation_haircut(self) -> Self:
        if self.ltv_haircut_bps is not None and self.ltv_haircut_bps < self.haircut_bps:
            raise ValueError(f"asset {self.id}: ltv_haircut_bps must not be below haircut_bps")
        return self

    @property
    def borrowing_haircut_bps(self) -> int:
        """PAR-1, RISK-IM-1: the haircut capacity applies (the LTV haircut, or the liquidation
        haircut when none is declared)."""
        return self.haircut_bps if self.ltv_haircut_bps is None else self.ltv_haircut_bps


OPTION_TERMS: JsonDict = {
    "if": {"properties": {"kind": {"const": "perp"}}},
    "then": {"properties": {"strike": {"type": "null"}, "expiry": {"type": "null"}}},
    "else": {
        "required": ["strike", "expiry"],
        "properties": {"strike": {"type": "integer"}, "expiry": {"type": "integer"}},
    },
}
"""PAR-15: in the schema, a perpetual has no strike or expiry and an option has both."""


class MarketParams(Frozen):
    """PAR-2: a perpetual or a European option on an underlying, traded in lots."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", strict=True, json_schema_extra=OPTION_TERMS
    )

    id: Id
    underlying: Id
    kind: Literal["perp", "call", "put"]
    strike: PositivePrice | None = None
    expiry: int | None = Field(default=None, ge=0, description="seconds since genesis")
    im_bps: int = Field(ge=1, le=BPS)
    mm_bps: int = Field(ge=1, le=BPS)
    volatility_bps: int | None = Field(
        default=None,
        ge=1,
        le=MAX_VOLATILITY_BPS,
        description="PRC-12: an option's implied volatility; default the underlying's",
    )

    @model_validator(mode="after")
    def _options_have_strike_and_mm_below_im(self) -> Self:
        if self.kind != "perp" and (self.strike is None or self.expiry is None):
            raise ValueError(f"option market {self.id} needs a strike and an expiry")
        if self.kind == "perp" and (self.strike is not None or self.expiry is not None):
            raise ValueError(f"perpetual market {self.id} has no strike or expiry")
        if self.kind == "perp" and self.volatility_bps is not None:
            raise ValueError(f"perpetual market {self.id} has no volatility of its own")
        if self.mm_bps > self.im_bps:
            raise ValueError(f"market {self.id}: mm_bps must not exceed im_bps")
        return self


class SpokeParams(Frozen):
    """PAR-3: an execution venue: its partition cap and its sync latency."""

    id: Id = Field(json_schema_extra={"not": {"const": HUB}})
    cap: Amount
    latency_s: Seconds


class FeedParams(Frozen):
    """PAR-4: one price feed for one asset."""

    id: Id
    asset: Id


class OracleParams(Frozen):
    """PAR-5: aggregation rules (ORA-1..ORA-4)."""

    feeds: tuple[FeedParams, ...]
    quorum: int = Field(ge=1, le=64)
    max_age_s: Seconds
    outlier_bps: Bps


class PortfolioParams(Frozen):
    """PAR-6: the SPAN-style scan (RISK-7, SPAN-1..SPAN-7)."""

    vol_scan_bps: Bps = Field(description="SPAN-2: options repriced at volatility x (1 -/+ this)")
    extreme_multiple: int = Field(ge=1, le=10)
    extreme_cover_bps: Bps
    im_bps: int = Field(ge=BPS, le=10 * BPS, description="initial margin as a share of scan")
    short_option_min_bps: Bps = Field(
        description="SPAN-5: least margin per short option lot, in bps of the underlying price"
    )
    spread_charge_bps: Bps = Field(
        description="SPAN-6: charge per delta spread between expiries, in bps of the price"
    )


class Params(Frozen):
    """PAR-9: the whole parameter set of one system."""

    accounts: tuple[Id, ...] = Field(json_schema_extra={"minItems": 1, "uniqueItems": True})
    assets: tuple[AssetParams, ...] = Field(json_schema_extra={"minItems": 1})
    markets: tuple[MarketParams, ...]
    spokes: tuple[SpokeParams, ...] = Field(json_schema_extra={"minItems": 1})
    oracle: OracleParams
    portfolio: PortfolioParams
    buffer_z_milli: int = Field(ge=0, le=10_000, description="PAR-7: latency buffer z x1000")
    penalty_bps: Bps = Field(description="PAR-8: liquidation penalty on the requirement")
    insurance_fund: tuple[tuple[Id, Amount], ...] = ()
    margin_method: Literal["per_position", "portfolio"] = "portfolio"
    max_report_age_s: Seconds = Field(
        default=300,
        description=(
            "PAR-16, RISK-AGE-4: a reported book with positions older than this many seconds"
            " makes grants and withdrawals fail closed"
        ),
    )
    top_up_window_s: int = Field(
        default=0,
        ge=0,
        le=MAX_SECONDS,
        description=(
            "PAR-17, FLOW-CALL-1: seconds an account under a margin call has to top up before"
            " it may be liquidated; 0 turns the window off (liquidation at once)"
        ),
    )
    call_floor_bps: Bps = Field(
        default=5_000,
        description=(
            "PAR-18, FLOW-CALL-2: an account whose net equity is below this share of its"
            " requirement is liquidated at once, window or not"
        ),
    )

    @model_validator(mode="after")
    def _ids_are_unique_and_resolve(self) -> Self:
        for what, ids in (
            ("account", self.accounts),
            ("asset", tuple(a.id for a in self.assets)),
            ("market", tuple(m.id for m in self.markets)),
            ("spoke", tuple(s.id for s in self.spokes)),
            ("feed", tuple(f.id for f in self.oracle.feeds)),
        ):
            seen = [i for n, i in enumerate(ids) if i in ids[:n]]
            if seen:
                raise ValueError(f"duplicate {what} id: {seen[0]}")
        if any(s.id == HUB for s in self.spokes):
            raise ValueError(f"a spoke may not be called {HUB!r}")
        assets = {a.id: a for a in self.assets}
        for m in self.markets:
            if m.underlying not in assets:
                raise ValueError(f"market {m.id}: unknown underlying {m.underlying}")
        for f in self.oracle.feeds:
            if f.asset not in assets:
                raise ValueError(f"feed {f.id}: unknown asset {f.asset}")
        for asset_id, _ in self.insurance_fund:
            if asset_id not in assets:
                raise ValueError(f"insurance fund: unknown asset {asset_id}")
        for a in self.assets:
            n = sum(1 for f in self.oracle.feeds if f.asset == a.id)
            if a.fixed_price is None and n < self.oracle.quorum:
                raise ValueError(
                    f"asset {a.id} has {n} feeds, fewer than the quorum {self.oracle.quorum}"
                )
        if not self.accounts or not self.spokes or not self.assets:
            raise ValueError("a system needs at least one account, spoke and asset")
        return self
