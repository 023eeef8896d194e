"""Cross-chain messages (MSG-1..MSG-8) and the envelope that carries them.

Hub-to-spoke payloads may only come from the hub; spoke-to-hub payloads only
from the spoke whose channel they travel on (MSG-6).  The envelope's `sender`
is the authenticated origin of the channel, not a claim inside the payload.
"""

from typing import Annotated, Literal

from pydantic import Field

from spec.bounds import Amount, Balance, Counter, Id, PositiveAmount, Qty, SignedAmount
from spec.params import Frozen


class PositionView(Frozen):
    """A position as a spoke reports it: size in lots and cost basis in value units."""

    market: Id
    qty: Qty
    cost: SignedAmount


class CreditGrant(Frozen):
    """MSG-1, hub -> spoke: extend the account's credit line (sent under hub epoch `epoch`)."""

    type: Literal["CreditGrant"] = "CreditGrant"
    account: Id
    amount: PositiveAmount
    epoch: Counter


class MarginCall(Frozen):
    """MSG-2, hub -> spoke: the account is liquidating in epoch `epoch`."""

    type: Literal["MarginCall"] = "MarginCall"
    account: Id
    epoch: Counter


class CreditRelease(Frozen):
    """MSG-3, spoke -> hub: credit already debited from the line, returned to the hub."""

    type: Literal["CreditRelease"] = "CreditRelease"
    account: Id
    amount: PositiveAmount


class LossClaim(Frozen):
    """MSG-4, spoke -> hub: a realized loss, claimed against the account's allocation."""

    type: Literal["LossClaim"] = "LossClaim"
    account: Id
    amount: PositiveAmount


class ExposureReport(Frozen):
    """MSG-5, spoke -> hub: the account's positions and settled balance, numbered `seq`."""

    type: Literal["ExposureReport"] = "ExposureReport"
    account: Id
    seq: Counter
    balance: Balance
    positions: tuple[PositionView, ...]
    time: Counter = 0
    """RISK-AGE-1: the spoke's clock (logical time) when it sent the report."""


class LiquidationReport(Frozen):
    """MSG-7, spoke -> hub: the answer to a margin call of epoch `epoch`.

    Positions are closed; `released` credit and the `loss` claim were debited
    from the line before sending; `balance` is what remains settled on the spoke.
    """

    type: Literal["LiquidationReport"] = "LiquidationReport"
    account: Id
    epoch: Counter
    seq: Counter
    released: Amount
    loss: Amount
    balance: Balance


HubMessage = Annotated[CreditGrant | MarginCall, Field(discriminator="type")]
SpokeMessage = Annotated[
    CreditRelease | LossClaim | ExposureReport | LiquidationReport,
    Field(discriminator="type"),
]
Message = Annotated[
    CreditGrant | MarginCall | CreditRelease | LossClaim | ExposureReport | LiquidationReport,
    Field(discriminator="type"),
]
HUB_KINDS = frozenset({"CreditGrant", "MarginCall"})
SPOKE_KINDS = frozenset({"CreditRelease", "LossClaim", "ExposureReport", "LiquidationReport"})


class Envelope(Frozen):
    """A message on the wire: a unique id (its nonce), authenticated sender, receiver."""

    id: Counter
    sender: Id
    receiver: Id
    payload: Message
