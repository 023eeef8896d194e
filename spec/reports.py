"""The JSON reports the tool writes for CI and for programs (CLI-11): one pydantic model
each, the single source of their format; `python -m spec.schema` exports their JSON
Schema to `spec/schema/*-report.schema.json`.

- `VerifyReport`: `intermargin verify --json FILE` (VER-1);
- `ProofsReport`: `intermargin prove --json FILE`;
- `ReplayReport`: `intermargin replay FILE --json` (CLI-5);
- `TraceabilityReport`: `intermargin trace --json FILE` (CLI-6);
- `ScenarioReport`: `intermargin scenario NAME --json` (CLI-4);
- `StressReport`: `intermargin stress --json` (CLI-STRESS-1).
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from spec.observable import ObservableState
from spec.trace import Trace


class Report(BaseModel):
    """Closed and immutable: a key the model does not know is an error when writing."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- verify ---------------------------------------------------------------------------


class CheckReport(Report):
    """One check of `intermargin verify`: the requirement ids it covers and its verdict."""

    name: str
    covers: list[str]
    status: Literal["passed", "failed"]
    seconds: float = Field(ge=0)
    summary: str
    details: list[str]


class VerifyReport(Report):
    """VER-1: every check, one verdict (`ok` only if every check passed)."""

    format: Literal["intermargin-verify/1"] = "intermargin-verify/1"
    ok: bool
    seconds: float = Field(ge=0)
    checks: list[CheckReport]


# --- prove ----------------------------------------------------------------------------

ProofResult = Literal["proved", "FAILED", "unknown", "vacuous"]
ProofValue = int | bool | list[int]


class CounterexampleReport(Report):
    """A failed obligation's witness: the step, its ids and values, the table people read,
    and the saved trace (`--save-counterexamples`) if any."""

    kind: str | None
    ids: dict[str, str]
    params: dict[str, ProofValue]
    inputs: dict[str, ProofValue]
    prices: dict[str, int | None] = Field(
        default_factory=dict,
        description="the price of each asset the step saw, null if unavailable (PROOF-PRICE-1)",
    )
    status: str | None
    error: str | None
    table: str
    trace: str | None


class ObligationReport(Report):
    """One proof obligation and its verdict."""

    name: str
    invariant: str
    part: Literal["init", "step", "safety"]
    result: ProofResult
    seconds: float = Field(ge=0)
    detail: str
    counterexample: CounterexampleReport | None
    rlimit: int = Field(ge=0, description="the most Z3 resource units one of its queries used")
    exhausted: Literal["rlimit", "wall-clock"] | None = Field(
        default=None,
        description="present only when the result is unknown: which budget ran out",
    )


class BoundAnswer(Report):
    k: int = Field(ge=0)
    answer: str


class BmcReport(Report):
    """The bounded model check of liquidation propagation (INV-LIQ-2)."""

    invariant: Literal["INV-LIQ-2"]
    ok: bool
    spokes: int = Field(ge=1)
    bound: int | None
    tight: bool
    seconds: float = Field(ge=0)
    detail: str
    per_k: list[BoundAnswer]
    rlimit: int = Field(ge=0, description="the most Z3 resource units one query used")
    exhausted: Literal["rlimit", "wall-clock"] | None = Field(
        default=None,
        description="present only when a query ended unknown: which budget ran out",
    )


class ProofCounts(Report):
    proved: int = Field(ge=0)
    FAILED: int = Field(ge=0)
    unknown: int = Field(ge=0)
    vacuous: int = Field(ge=0)


class ProofsReport(Report):
    """Every obligation's verdict and the BMC's (`ok` only if everything was proved)."""

    format: Literal["intermargin-proofs/1"] = "intermargin-proofs/1"
    ok: bool
    timeout_s: float = Field(ge=0)
    rlimit: int = Field(ge=1, description="the resource limit per solver query (PROOF-BUDGET-1)")
    seconds: float = Field(ge=0)
    counts: ProofCounts
    obligations: list[ObligationReport]
    bmc: BmcReport | None


# --- replay, trace, scenario -------------------------------------------------------------


class ReplayReport(Report):
    """CLI-5: what a replay found (divergences, broken invariants) and the end state."""

    file: str
    steps: int = Field(ge=0)
    findings: list[str]
    end_state: ObservableState


class RequirementReport(Report):
    """CLI-6: one requirement, where it is specified, and what implements, encodes, proves
    and tests it."""

    id: str = Field(pattern=r"^[A-Z]{2,}(-[A-Z]+)*-[0-9]+$")
    chapter: str
    specified_in: str = Field(
        pattern=r"^[a-zA-Z0-9_-]+\.md:[0-9]+$",
        description="the chapter file and line that define the requirement",
    )
    text: str
    implemented_by: list[str] = Field(
        description="definitions that carry the rule out: model/ and the spec's boundary, "
        "or the tools' code for the tools' chapters"
    )
    encoded_by: list[str] = Field(
        description="functions of the Z3 encoding (proofs/transitions, proofs/invariants) "
        "that cite it"
    )
    proved_by: list[str] = Field(
        description="proof obligations (as `intermargin prove` names them) that cover it"
    )
    tested_by: list[str] = Field(description="tests that cite it")
    verified: bool = Field(description="proved or tested")


class TraceabilityReport(RootModel[list[RequirementReport]]):
    """CLI-6: every requirement, in the order the chapters define them."""

    model_config = ConfigDict(frozen=True)


class ScenarioReport(Report):
    """CLI-4: a scenario run as a replayable trace and the observable end state."""

    scenario: str
    title: str
    trace: Trace
    end_state: ObservableState


# --- stress ------------------------------------------------------------------------------


class StressInterval(Report):
    """STRESS-6: a figure's mean over paths and its 95% confidence interval (normal
    approximation, mean +/- 1.96 standard errors; the mean alone from one path)."""

    mean: float
    low: float
    high: float
    paths: int = Field(ge=0, description="the paths the figure is measured on")


class StressMetrics(Report):
    """STRESS-6: what the protocol cost over the paths of one setting (value units, counts,
    seconds)."""

    bad_debt: StressInterval = Field(description="loss claims the account could not pay")
    insurance_draw: StressInterval = Field(description="value the insurance fund paid")
    socialized: dict[str, StressInterval] = Field(description="per spoke partition")
    liquidations: StressInterval
    time_to_settle_s: StressInterval | None = Field(
        description="seconds from declaration to settlement; null when nothing settled"
    )
    unsettled: StressInterval = Field(description="liquidations still running at the end")
    penalties: StressInterval = Field(description="penalties paid into the insurance fund")
    spoke_shortfall: StressInterval = Field(
        description="losses beyond the credit line, left as negative balances on spokes"
    )


class StressPoint(Report):
    """STRESS-8: one setting of the swept parameters and its figures."""

    setting: dict[str, int | float]
    accounts: int = Field(ge=0, description="accounts opened within the partition caps")
    metrics: StressMetrics


class CoveragePoint(Report):
    """STRESS-9: the latency buffer's measured coverage at one latency and volatility."""

    latency_s: int = Field(ge=1)
    vol_pct: float = Field(gt=0, description="the paths' volatility, % a year")
    declared_vol_pct: float = Field(ge=0, description="the volatility the buffer is sized on")
    z: float = Field(ge=0)
    buffer_bps: int = Field(ge=0)
    target: float = Field(ge=0, le=1, description="2 Phi(z) - 1")
    measured: StressInterval
    windows: int = Field(ge=1, description="latency windows per path")


class EfficiencyRow(Report):
    """STRESS-10: collateral needed by one portfolio family, unified vs siloed margin."""

    family: str
    accounts: int = Field(ge=0)
    unified: int = Field(ge=0, description="netted initial margin plus buffer, summed")
    siloed: int = Field(ge=0, description="each venue's initial margin plus buffer, summed")
    saving: float = Field(description="1 - unified / siloed")


class StressReport(Report):
    """CLI-STRESS-1: `intermargin stress --json`: the run's inputs and every figure."""

    format: Literal["intermargin-stress/1"] = "intermargin-stress/1"
    seed: int
    accounts: int = Field(ge=1)
    steps: int = Field(ge=1)
    dt_s: int = Field(ge=1)
    paths: int = Field(ge=1)
    staleness_s: int = Field(ge=0)
    vol_pct: float = Field(gt=0)
    crash_pct: float = Field(ge=0)
    families: list[str]
    engine: str
    sweeps: dict[str, list[int | float]]
    points: list[StressPoint]
    coverage: list[CoveragePoint]
    efficiency: list[EfficiencyRow]
