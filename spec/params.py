"""System parameters (PAR-1..PAR-9): everything a designer can change.

A `Params` value is validated once at the boundary; the model trusts it after.  The
`json_schema_extra` annotations put into the exported schema the rules of PAR-9 that
JSON Schema can state (PAR-15); the validators below remain the rules themselves.
"""

from typing import Any, ClassVar, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic.config import JsonDict

from spec.bounds import (
    BPS,
    HUB,
    MAX_AMOUNT,
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


class OmitsDefaults(Frozen):
    """A model whose `OMITTED` fields are left out of its JSON while they hold their default
    (RATE-2, CHAN-1): parameter sets that do not use an option dump exactly as before it
    existed, so vectors and traces written before it do not move."""

    OMITTED: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit_defaults(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        for name in self.OMITTED:
            default = type(self).model_fields[name].get_default(call_default_factory=True)
            if getattr(self, name) == default:
                dumped.pop(name, None)
        return dumped


class RateLimitParams(Frozen):
    """PAR-20, RATE-1: a token bucket on the value a spoke's partition can take from the hub
    (accepted loss claims and liquidation losses, socialized debt included): it holds at most
    `capacity` and refills by `refill_per_s` each second of logical time."""

    capacity: int = Field(ge=1, le=MAX_AMOUNT, description="the most the bucket holds")
    refill_per_s: int = Field(ge=0, le=MAX_AMOUNT, description="value added per second")


class SpokeParams(OmitsDefaults):
    """PAR-3: an execution venue: its partition cap and its sync latency; PAR-20: its rate
    limit, if any."""

    OMITTED: ClassVar[tuple[str, ...]] = ("rate_limit", "finality_s")

    id: Id = Field(json_schema_extra={"not": {"const": HUB}})
    cap: Amount
    latency_s: Seconds
    listed: bool = True
    """LIST-1: listed at genesis; a spoke declared unlisted gets nothing until ListSpoke."""
    rate_limit: RateLimitParams | None = Field(
        default=None, description="PAR-20, RATE-1: the partition's token bucket; none: no limit"
    )
    finality_s: int = Field(
        default=0,
        ge=0,
        le=MAX_SECONDS,
        description="PAR-27, FIN-1: seconds after its latest change before the spoke's "
        "state and messages are final; 0: final at once",
    )


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


class Correlation(Frozen):
    """PAR-18, SPAN-8: the declared correlation of the price moves of two underlyings."""

    a: Id
    b: Id
    correlation_bps: int = Field(
        ge=-BPS, le=BPS, description="SPAN-8: the correlation, -10_000 (-1) to 10_000 (+1)"
    )


class InterSpread(Frozen):
    """PAR-18, SPAN-9: an inter-commodity spread: `ratio_a` lots of delta on `a` against
    `ratio_b` on `b` form one spread, each of whose legs is credited `credit_bps` of its scan
    risk."""

    a: Id
    b: Id
    ratio_a: int = Field(ge=1, le=1_000)
    ratio_b: int = Field(ge=1, le=1_000)
    credit_bps: Bps


def pair(a: str, b: str) -> frozenset[str]:
    """SPAN-8: the unordered pair of two underlyings (the table is symmetric)."""
    return frozenset((a, b))


def correlation_table(correlations: tuple[Correlation, ...]) -> dict[frozenset[str], int]:
    """PAR-18: the correlations by unordered pair; a pair listed twice with two values, or an
    underlying paired with itself, is an error."""
    table: dict[frozenset[str], int] = {}
    for c in correlations:
        if c.a == c.b:
            raise ValueError(f"correlation of {c.a} with itself: it is 1 by definition")
        key = pair(c.a, c.b)
        if table.get(key, c.correlation_bps) != c.correlation_bps:
            raise ValueError(
                f"correlation of {c.a} and {c.b} declared as both {table[key]} and "
                f"{c.correlation_bps}: the table must be symmetric"
            )
        table[key] = c.correlation_bps
    return table


class PortfolioParams(Frozen):
    """PAR-6, PAR-18: the SPAN-style scan (RISK-7, SPAN-1..SPAN-9)."""

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
    correlations: tuple[Correlation, ...] = Field(
        default=(), description="PAR-18, SPAN-8: the correlation table of the underlyings"
    )
    inter_spreads: tuple[InterSpread, ...] = Field(
        default=(), description="PAR-18, SPAN-9: inter-commodity spreads, in priority order"
    )

    @model_validator(mode="after")
    def _spreads_within_their_correlations(self) -> Self:
        table = correlation_table(self.correlations)
        for s in self.inter_spreads:
            if s.a == s.b:
                raise ValueError(f"inter spread of {s.a} with itself: two underlyings needed")
            rho = abs(table.get(pair(s.a, s.b), 0))
            if s.credit_bps > rho:
                raise ValueError(
                    f"inter spread {s.a}/{s.b}: credit_bps {s.credit_bps} exceeds the pair's "
                    f"|correlation_bps| {rho}"
                )
        return self

    @model_serializer(mode="wrap")
    def _drop_empty_tables(self, handler: SerializerFunctionWrapHandler) -> Any:
        """PAR-18: without a table the JSON is what it was before tables existed."""
        dumped = handler(self)
        if isinstance(dumped, dict):
            for key in ("correlations", "inter_spreads"):
                if not dumped.get(key):
                    dumped.pop(key, None)
        return dumped


class Params(OmitsDefaults):
    """PAR-9: the whole parameter set of one system."""

    OMITTED: ClassVar[tuple[str, ...]] = ("channel_ordering", "top_up_window_s", "call_floor_bps")

    accounts: tuple[Id, ...] = Field(json_schema_extra={"minItems": 1, "uniqueItems": True})
    assets: tuple[AssetParams, ...] = Field(json_schema_extra={"minItems": 1})
    markets: tuple[MarketParams, ...]
    spokes: tuple[SpokeParams, ...] = Field(json_schema_extra={"minItems": 1})
    oracle: OracleParams
    portfolio: PortfolioParams
    buffer_z_milli: int = Field(ge=0, le=10_000, description="PAR-7: latency buffer z x1000")
    penalty_bps: Bps = Field(description="PAR-8: liquidation penalty on the requirement")
    insurance_fund: tuple[tuple[Id, Amount], ...] = ()
    insurance_structure: Literal["shared", "per_partition", "shared_limited"] = Field(
        default="shared",
        description="PAR-19, INS-1: one fund for all partitions, one per partition, or shared "
        "with a draw limit per partition",
    )
    insurance_limits: tuple[tuple[Id, Amount], ...] = Field(
        default=(),
        description="PAR-19, INS-1: per spoke, its own fund or its share of value (0 if absent)",
    )
    margin_method: Literal["per_position", "portfolio"] = "portfolio"
    max_report_age_s: Seconds = Field(
        default=300,
        description=(
            "PAR-16, RISK-AGE-4: a reported book with positions older than this many seconds"
            " makes grants and withdrawals fail closed"
        ),
    )
    liquidation_deadline_s: Seconds = Field(
        default=3_600,
        description=(
            "PAR-17, LIVE-1: seconds after a margin call at which anyone may force-settle the"
            " liquidation of the spokes that have not answered"
        ),
    )
    channel_ordering: Literal["unordered", "ordered"] = Field(
        default="unordered",
        description=(
            "PAR-21, CHAN-1: unordered (any message in flight may be delivered) or ordered"
            " (per (sender, receiver) channel, only the oldest message in flight)"
        ),
    )
    top_up_window_s: int = Field(
        default=0,
        ge=0,
        le=MAX_SECONDS,
        description=(
            "PAR-22, FLOW-CALL-1: seconds an account under a margin call has to top up before"
            " it may be liquidated; 0 turns the window off (liquidation at once)"
        ),
    )
    call_floor_bps: Bps = Field(
        default=5_000,
        description=(
            "PAR-23, FLOW-CALL-2: an account whose net equity is below this share of its"
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
        tables = (
            ("correlation", self.portfolio.correlations),
            ("inter spread", self.portfolio.inter_spreads),
        )
        for what, entries in tables:
            for entry in entries:
                for x in (entry.a, entry.b):
                    if x not in assets:
                        raise ValueError(f"{what} {entry.a}/{entry.b}: unknown asset {x}")
        for spoke_id, _ in self.insurance_limits:
            if spoke_id not in {s.id for s in self.spokes}:
                raise ValueError(f"insurance limits: unknown spoke {spoke_id}")
        for a in self.assets:
            n = sum(1 for f in self.oracle.feeds if f.asset == a.id)
            if a.fixed_price is None and n < self.oracle.quorum:
                raise ValueError(
                    f"asset {a.id} has {n} feeds, fewer than the quorum {self.oracle.quorum}"
                )
        if not self.accounts or not self.spokes or not self.assets:
            raise ValueError("a system needs at least one account, spoke and asset")
        return self
