"""Actions (ACT-1..ACT-19, ACT-23..ACT-25): every step the world can take, user, keeper,
governance, network or adversary.  The model's `step` accepts exactly these."""

from typing import Annotated, Literal

from pydantic import Field

from spec.bounds import MAX_QTY, Amount, Counter, Id, PositiveAmount, PositivePrice, Price, Seconds
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
    | Halt
    | Resume
    | Reorg,
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
    Halt,
    Resume,
    Reorg,
)
