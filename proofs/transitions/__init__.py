"""One symbolic transition per action kind, with the model's guards in the model's order.

`KINDS` lists every action kind the proofs quantify over: the model's actions,
with `Deliver` and `Inject` split by the kind of message they carry (one
sub-obligation each).  A kind declares its id roles (which account, spoke, asset,
sender, receiver: concrete names of the universe), its numeric parameters (with
the declared bounds of spec/bounds.py) and its inputs (what the risk engine or
the oracle decides from fields the encoding does not hold).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from proofs.state import Expr, SymState
from proofs.transitions.context import Ctx
from proofs.transitions.delivery import deliver, inject
from proofs.transitions.finality import halt, reorg, resume
from proofs.transitions.force_settle import force_settle
from proofs.transitions.governance import (
    advance_time,
    delist_spoke,
    list_spoke,
    pause_spoke,
    publish_price,
    remove_spoke,
    set_cap,
    unpause_spoke,
)
from proofs.transitions.hub import deposit, grant_credit, withdraw
from proofs.transitions.liquidation import liquidate
from proofs.transitions.outcome import Result
from proofs.transitions.payout import pay_out
from proofs.transitions.spoke import release_credit, send_report, trade
from spec.bounds import MAX_AMOUNT, MAX_QTY, MAX_SECONDS
from spec.messages import HUB_KINDS

Transition = Callable[[Ctx, SymState, Mapping[str, Any], Mapping[str, Expr]], Result]
Role = Literal["account", "spoke", "asset", "sender", "receiver"]
Bound = tuple[int | None, int | None]

AMOUNT: Bound = (1, MAX_AMOUNT)
NONNEG_AMOUNT: Bound = (0, MAX_AMOUNT)
SIGNED: Bound = (-MAX_AMOUNT, MAX_AMOUNT)
COUNTER: Bound = (0, None)
ANY: Bound = (None, None)


@dataclass(frozen=True)
class Kind:
    """An action kind: its transition, ids, parameters and inputs."""

    name: str
    action: str
    fn: Transition
    roles: tuple[Role, ...]
    params: tuple[tuple[str, Bound], ...] = ()
    ints: tuple[tuple[str, Bound], ...] = ()
    bools: tuple[str, ...] = ()
    message: str | None = None
    takes_effect: bool = True
    """False for a kind every instance of which the rules reject (a hub message injected by
    the adversary is forged, ADV-2): its vacuity check asks only that premises hold."""


CAPACITY_INPUTS: tuple[tuple[str, Bound], ...] = (
    ("reported_loss", (None, 0)),
    ("buffer", (0, None)),
    ("initial_margin", (0, None)),
)
MESSAGE_PARAMS: dict[str, tuple[tuple[str, Bound], ...]] = {
    "CreditGrant": (("amount", AMOUNT), ("epoch", COUNTER)),
    "MarginCall": (("epoch", COUNTER),),
    "CreditRelease": (("amount", AMOUNT),),
    "LossClaim": (("amount", AMOUNT),),
    "ExposureReport": (("seq", COUNTER), ("balance", SIGNED)),
    "LiquidationReport": (
        ("epoch", COUNTER),
        ("seq", COUNTER),
        ("released", NONNEG_AMOUNT),
        ("loss", NONNEG_AMOUNT),
        ("balance", SIGNED),
    ),
}
MESSAGE_INTS: dict[str, tuple[tuple[str, Bound], ...]] = {"MarginCall": (("upnl", ANY),)}
MESSAGE_BOOLS: dict[str, tuple[str, ...]] = {
    "MarginCall": ("live",),
    "ExposureReport": ("well_formed",),
}
SHORT = {
    "CreditGrant": "Grant",
    "MarginCall": "Call",
    "CreditRelease": "Release",
    "LossClaim": "Claim",
    "ExposureReport": "Report",
    "LiquidationReport": "LiqReport",
}


def message_kinds() -> list[Kind]:
    kinds = []
    for message, short in SHORT.items():
        common = {
            "ints": MESSAGE_INTS.get(message, ()),
            "bools": MESSAGE_BOOLS.get(message, ()),
            "message": message,
        }
        kinds.append(
            Kind(
                f"Deliver{short}",
                "Deliver",
                deliver,
                ("account", "spoke"),
                (("id", COUNTER), *MESSAGE_PARAMS[message]),
                **(common | {"bools": (*MESSAGE_BOOLS.get(message, ()), "head")}),  # type: ignore[arg-type]
            )
        )
        kinds.append(
            Kind(
                f"Inject{short}",
                "Inject",
                inject,
                ("sender", "receiver", "account"),
                MESSAGE_PARAMS[message],
                takes_effect=message not in HUB_KINDS,
                **common,  # type: ignore[arg-type]
            )
        )
    return kinds


KINDS: tuple[Kind, ...] = (
    Kind(
        "Deposit",
        "Deposit",
        deposit,
        ("account", "asset"),
        (("amount", AMOUNT),),
        (),
        ("live", "healthy"),
    ),
    Kind(
        "Withdraw",
        "Withdraw",
        withdraw,
        ("account", "asset"),
        (("amount", AMOUNT),),
        CAPACITY_INPUTS,
        ("live", "recent"),
    ),
    Kind(
        "GrantCredit",
        "GrantCredit",
        grant_credit,
        ("account", "spoke"),
        (("amount", AMOUNT),),
        CAPACITY_INPUTS,
        ("live", "recent"),
    ),
    Kind(
        "ReleaseCredit",
        "ReleaseCredit",
        release_credit,
        ("spoke", "account"),
        (("amount", AMOUNT),),
        (),
        ("live", "margin_ok"),
    ),
    Kind(
        "Trade",
        "Trade",
        trade,
        ("spoke", "account"),
        (("qty", (-MAX_QTY, MAX_QTY)),),
        (("realized", ANY),),
        ("bound_ok", "reducing", "live", "margin_ok"),
    ),
    Kind("SendReport", "SendReport", send_report, ("spoke", "account")),
    Kind("PublishPrice", "PublishPrice", publish_price, ()),
    Kind("AdvanceTime", "AdvanceTime", advance_time, (), (("seconds", (1, MAX_SECONDS)),)),
    Kind(
        "Liquidate",
        "Liquidate",
        liquidate,
        ("account",),
        (),
        (("requirement", (0, None)),),
        ("live", "healthy", "deep"),
    ),
    Kind("SetCap", "SetCap", set_cap, ("spoke",), (("cap", NONNEG_AMOUNT),)),
    Kind("PauseSpoke", "PauseSpoke", pause_spoke, ("spoke",)),
    Kind("UnpauseSpoke", "UnpauseSpoke", unpause_spoke, ("spoke",)),
    Kind("ListSpoke", "ListSpoke", list_spoke, ("spoke",)),
    Kind("DelistSpoke", "DelistSpoke", delist_spoke, ("spoke",)),
    Kind("RemoveSpoke", "RemoveSpoke", remove_spoke, ("spoke",)),
    Kind("PayOut", "PayOut", pay_out, ("spoke", "asset"), (("amount", AMOUNT),)),
    *message_kinds(),
    Kind("ForceSettle", "ForceSettle", force_settle, ("account",)),
    Kind("Halt", "Halt", halt, ("spoke",)),
    Kind("Resume", "Resume", resume, ("spoke",)),
    Kind("Reorg", "Reorg", reorg, ("spoke",), (("depth", (1, MAX_SECONDS)),)),
)
KIND_BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
