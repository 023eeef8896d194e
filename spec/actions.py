"""Actions (ACT-1..ACT-25): every step the world can take, user, keeper, governance,
network or adversary.  The model's `step` accepts exactly these."""

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from spec.bounds import (
    BPS,
    MAX_QTY,
    MAX_SECONDS,
    Amount,
    Counter,
    Id,
    PositiveAmount,
    PositivePrice,
    Price,
    Seconds,
)
from spec.messages import Message
from spec.params import Frozen


class Deposit(Frozen):
    """ACT-1 (HUB-DEP-1): tokens into the hub, credited to the account."""

    type: Literal["Deposit"] = "Deposit"
    account: Id
    asset: Id
    amount: PositiveAmount


class Withdraw(Frozen):
    """ACT-2 (HUB-WD-1..3): tokens out of the hub, if capacity still covers allocations."""

    type: Literal["Withdraw"] = "Withdraw"
    account: Id
    asset: Id
    amount: PositiveAmount


class GrantCredit(Frozen):
    """ACT-3 (HUB-GRANT-1..4): allocate capacity to a spoke and send the grant."""

    type: Literal["GrantCredit"] = "GrantCredit"
    account: Id
    spoke: Id
    amount: PositiveAmount


class ReleaseCredit(Frozen):
    """ACT-4 (SPK-REL-1..2): the spoke debits the line, then sends the release."""

    type: Literal["ReleaseCredit"] = "ReleaseCredit"
    spoke: Id
    account: Id
    amount: PositiveAmount


class Trade(Frozen):
    """ACT-5 (SPK-TRADE-1..5): change a position by `qty` lots at execution `price`."""

    type: Literal["Trade"] = "Trade"
    spoke: Id
    account: Id
    market: Id
    qty: int = Field(ge=-MAX_QTY, le=MAX_QTY)
    price: Price


class SendReport(Frozen):
    """ACT-6 (SPK-REP-1): the spoke sends a fresh exposure report for the account."""

    type: Literal["SendReport"] = "SendReport"
    spoke: Id
    account: Id


class PublishPrice(Frozen):
    """ACT-7 (ORA-1): a feed publishes a price, stamped with the current time."""

    type: Literal["PublishPrice"] = "PublishPrice"
    feed: Id
    price: PositivePrice


class AdvanceTime(Frozen):
    """ACT-8: logical time moves forward (prices age)."""

    type: Literal["AdvanceTime"] = "AdvanceTime"
    seconds: Seconds


class Liquidate(Frozen):
    """ACT-9 (LIQ-1..2): anyone may start the liquidation of an unhealthy account."""

    type: Literal["Liquidate"] = "Liquidate"
    account: Id


class ForceSettle(Frozen):
    """ACT-15 (LIVE-2..4): after the deadline of its liquidation, anyone may settle an account
    without the answers of the spokes that stayed silent."""

    type: Literal["ForceSettle"] = "ForceSettle"
    account: Id


class SetCap(Frozen):
    """ACT-10 (GOV-1): governance sets a spoke's partition cap."""

    type: Literal["SetCap"] = "SetCap"
    spoke: Id
    cap: Amount


class PauseSpoke(Frozen):
    """ACT-11 (GOV-2): circuit breaker on."""

    type: Literal["PauseSpoke"] = "PauseSpoke"
    spoke: Id


class UnpauseSpoke(Frozen):
    """ACT-12 (GOV-3): circuit breaker off."""

    type: Literal["UnpauseSpoke"] = "UnpauseSpoke"
    spoke: Id


class ListSpoke(Frozen):
    """ACT-16 (LIST-2): governance lists a spoke (whitelisting), or calls off its drain."""

    type: Literal["ListSpoke"] = "ListSpoke"
    spoke: Id


class DelistSpoke(Frozen):
    """ACT-17 (LIST-3): governance delists a spoke: it is drained, granted nothing more."""

    type: Literal["DelistSpoke"] = "DelistSpoke"
    spoke: Id


class RemoveSpoke(Frozen):
    """ACT-18 (LIST-4): governance removes a drained spoke for good."""

    type: Literal["RemoveSpoke"] = "RemoveSpoke"
    spoke: Id


RiskParam = Literal["haircut_bps", "latency_s"]
"""PAR-26: the risk parameters governance changes through a notice (GOV-NOTICE-1): an asset's
liquidation haircut and a spoke's sync latency. A higher value is a tightening for both."""

RISK_PARAM_BOUNDS: dict[str, tuple[int, int]] = {
    "haircut_bps": (0, BPS - 1),
    "latency_s": (1, MAX_SECONDS),
}
"""PAR-26: the bounds of each risk parameter's value (those of PAR-1 and PAR-3)."""


class ParamChange(Frozen):
    """PAR-26: one risk parameter of one asset (`haircut_bps`) or spoke (`latency_s`) to a
    value within the parameter's declared bounds."""

    param: RiskParam
    target: Id
    value: int = Field(ge=0, le=MAX_SECONDS)

    @model_validator(mode="after")
    def _value_within_the_parameter_bounds(self) -> Self:
        low, high = RISK_PARAM_BOUNDS[self.param]
        if not low <= self.value <= high:
            raise ValueError(f"{self.param} must be in {low}..{high}, not {self.value}")
        return self


class ProposeParamChange(ParamChange):
    """ACT-21 (GOV-NOTICE-2): governance announces a change of a risk parameter that takes
    effect at `effective_at`; a tightening needs `effective_at >= now + notice_s`."""

    type: Literal["ProposeParamChange"] = "ProposeParamChange"
    effective_at: Counter


class ApplyParamChange(Frozen):
    """ACT-22 (GOV-NOTICE-3): anyone applies the change announced for a risk parameter once
    its effective time has come."""

    type: Literal["ApplyParamChange"] = "ApplyParamChange"
    param: RiskParam
    target: Id


class Halt(Frozen):
    """ACT-23 (FIN-6): the adversary halts a spoke's chain: it executes nothing until resumed."""

    type: Literal["Halt"] = "Halt"
    spoke: Id


class Resume(Frozen):
    """ACT-24 (FIN-6): a halted spoke's chain produces blocks again."""

    type: Literal["Resume"] = "Resume"
    spoke: Id


class Reorg(Frozen):
    """ACT-25 (FIN-5, FIN-8): the adversary reorganizes a spoke's chain `depth` seconds deep;
    within the spoke's finality (PAR-27) it rolls back only what the hub has not counted."""

    type: Literal["Reorg"] = "Reorg"
    spoke: Id
    depth: Seconds


class PayOut(Frozen):
    """ACT-19 (FLOW-PAY-1..3): the hub pays tokens it owes a spoke's partition to the spoke's
    venue."""

    type: Literal["PayOut"] = "PayOut"
    spoke: Id
    asset: Id
    amount: PositiveAmount


class PartialLiquidate(Frozen):
    """ACT-20 (FLOW-PART-1..6): a keeper on a spoke closes the least of an account's
    perpetuals, in declared order, that restores its local health."""

    type: Literal["PartialLiquidate"] = "PartialLiquidate"
    spoke: Id
    account: Id


class Deliver(Frozen):
    """ACT-13 (MSG-9..10): the network delivers message `message_id` (any order; again = replay)."""

    type: Literal["Deliver"] = "Deliver"
    message_id: Counter


class Inject(Frozen):
    """ACT-14 (ADV-1..2): the adversary puts `payload` on the wire from `sender` to `receiver`.

    It is delivered at once.  If the channel does not authenticate `sender` for
    this payload it is forged and rejected; if it does, the sender is a spoke
    and that spoke is compromised: it sent something its own rules need not allow.
    """

    type: Literal["Inject"] = "Inject"
    sender: Id
    receiver: Id
    payload: Message


Action = Annotated[
    Deposit
    | Withdraw
    | GrantCredit
    | ReleaseCredit
    | Trade
    | SendReport
    | PublishPrice
    | AdvanceTime
    | Liquidate
    | SetCap
    | PauseSpoke
    | UnpauseSpoke
    | Deliver
    | Inject
    | ForceSettle
    | ListSpoke
    | DelistSpoke
    | RemoveSpoke
    | PayOut
    | ProposeParamChange
    | ApplyParamChange
    | Halt
    | Resume
    | Reorg
    | PartialLiquidate,
    Field(discriminator="type"),
]
ACTION_TYPES = (
    Deposit,
    Withdraw,
    GrantCredit,
    ReleaseCredit,
    Trade,
    SendReport,
    PublishPrice,
    AdvanceTime,
    Liquidate,
    SetCap,
    PauseSpoke,
    UnpauseSpoke,
    Deliver,
    Inject,
    ForceSettle,
    ListSpoke,
    DelistSpoke,
    RemoveSpoke,
    PayOut,
    ProposeParamChange,
    ApplyParamChange,
    Halt,
    Resume,
    Reorg,
    PartialLiquidate,
)
