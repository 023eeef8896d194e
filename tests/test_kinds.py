"""The registries by action and message kind: complete, strict, and the decoding of a
counterexample's step the inverse of the encoding of a concrete one (ACT-1..ACT-19,
MSG-1..MSG-8)."""

from dataclasses import replace
from typing import Any

import pytest
import z3

from intermargin.describe import ACTION_TEXT, MESSAGE_TEXT
from model import initial_state
from model.state import Network, State
from proofs.checking import Counterexample
from proofs.concrete_actions import ENCODE, MESSAGE_INPUTS, encode_step
from proofs.concretize import action_of, message_of
from proofs.universe import PRICES, proof_params
from spec import actions, messages
from spec.actions import Action
from spec.bounds import HUB
from spec.kinds import ACTION_KINDS, MESSAGE_KINDS, Registry
from spec.messages import Envelope, Message

REGISTRIES: list[Registry[Any]] = [ACTION_TEXT, MESSAGE_TEXT, ENCODE, MESSAGE_INPUTS]


@pytest.mark.parametrize("registry", REGISTRIES, ids=lambda r: r.purpose)
def test_every_registry_has_one_entry_for_each_kind(registry: Registry[Any]) -> None:
    """A registry is keyed by exactly the kinds of actions (or of messages)."""
    assert registry.kinds in (ACTION_KINDS, MESSAGE_KINDS)
    assert registry.missing() == ()
    assert set(registry.entries) == set(registry.kinds)


def test_the_kinds_are_the_types_of_the_spec() -> None:
    """ACT-1..ACT-19, MSG-1..MSG-8: one action kind per action type (force-settle, the
    listing actions and the payout among them), one message kind per message type."""
    assert len(ACTION_KINDS) == len(actions.ACTION_TYPES)
    kinds = {"Inject", "ForceSettle", "ListSpoke", "DelistSpoke", "RemoveSpoke", "PayOut"}
    assert kinds <= set(ACTION_KINDS)
    assert set(MESSAGE_KINDS) == messages.HUB_KINDS | messages.SPOKE_KINDS


def test_a_registry_names_the_kind_it_lacks_and_refuses_strangers_and_twins() -> None:
    """A forgotten kind is an error at import (`complete`), as is a misspelt or doubled one."""
    registry: Registry[int] = Registry("test", ("A", "B"))
    registry("A")(1)
    with pytest.raises(ValueError, match="no entry for B"):
        registry.complete()
    with pytest.raises(ValueError, match="'C' is not a kind"):
        registry("C")(2)
    with pytest.raises(ValueError, match="A registered twice"):
        registry("A")(3)
    registry("B")(4)
    assert registry.complete()["B"] == 4


A, S = proof_params().accounts[0], proof_params().spokes[0].id
ETH = int(PRICES["ETH"] or 0)

PAYLOADS: list[Message] = [
    messages.CreditGrant(account=A, amount=7, epoch=1),
    messages.MarginCall(account=A, epoch=2),
    messages.CreditRelease(account=A, amount=3),
    messages.LossClaim(account=A, amount=4),
    messages.ExposureReport(account=A, seq=5, balance=-6, positions=()),
    messages.LiquidationReport(account=A, epoch=1, seq=2, released=3, loss=4, balance=5),
]
ENVELOPES = {
    i: Envelope(
        id=i,
        sender=HUB if p.type in messages.HUB_KINDS else S,
        receiver=S if p.type in messages.HUB_KINDS else HUB,
        payload=p,
    )
    for i, p in enumerate(PAYLOADS, start=1)
}
STEPS: list[Action] = [
    actions.Deposit(account=A, asset="ETH", amount=5),
    actions.Withdraw(account=A, asset="USD", amount=6),
    actions.GrantCredit(account=A, spoke=S, amount=7),
    actions.ReleaseCredit(spoke=S, account=A, amount=8),
    actions.Trade(spoke=S, account=A, market="ETH-PERP", qty=-2, price=ETH),
    actions.SendReport(spoke=S, account=A),
    actions.PublishPrice(feed="chainlink", price=ETH),
    actions.AdvanceTime(seconds=9),
    actions.Liquidate(account=A),
    actions.SetCap(spoke=S, cap=10),
    actions.PauseSpoke(spoke=S),
    actions.UnpauseSpoke(spoke=S),
    actions.ForceSettle(account=A),
    actions.ListSpoke(spoke=S),
    actions.DelistSpoke(spoke=S),
    actions.RemoveSpoke(spoke=S),
    actions.Halt(spoke=S),
    actions.Resume(spoke=S),
    actions.Reorg(spoke=S, depth=5),
    actions.PayOut(spoke=S, asset="USD", amount=11),
    *(actions.Deliver(message_id=i) for i in ENVELOPES),
    *(actions.Inject(sender=S, receiver=HUB, payload=p) for p in PAYLOADS),
]
"""A step of every action kind, delivering and injecting every message kind, with the
fields the encoding does not hold at the values the proofs fix."""


def state_with_every_message_in_flight() -> State:
    state = initial_state(proof_params())
    network = Network(in_flight=ENVELOPES, delivered=frozenset(), next_id=len(ENVELOPES) + 1)
    return replace(state, network=network)


def as_counterexample(state: State, action: Action) -> Counterexample:
    """The encoded step as a failed obligation would report it (`proofs.checking`)."""
    step = encode_step(state, action)
    assert step is not None
    numbers = {k: z3.simplify(v).as_long() for k, v in step.act.items() if z3.is_expr(v)}
    ids = {k: v for k, v in step.act.items() if isinstance(v, str) and k != "kind"}
    return Counterexample("o", "INV-X", step.kind.name, ids, numbers, {}, None, None, (), ())


def test_the_steps_reach_every_kind() -> None:
    """The law below is stated on every action kind and every message kind, both ways."""
    assert {a.type for a in STEPS} == set(ACTION_KINDS)
    state = state_with_every_message_in_flight()
    kinds = {encode_step(state, a).kind.name for a in STEPS}  # type: ignore[union-attr]
    assert {k for k in kinds if k.startswith("Deliver")} == {
        "Deliver" + s for s in ("Grant", "Call", "Release", "Claim", "Report", "LiqReport")
    }
    assert len({k for k in kinds if k.startswith("Inject")}) == len(MESSAGE_KINDS)


@pytest.mark.parametrize("action", STEPS, ids=lambda a: ACTION_TEXT[a.type](a, None))
def test_decoding_a_counterexample_inverts_encoding_the_step(action: Action) -> None:
    """TRC-3: the step of a counterexample, decoded from the encoding's ids and parameters,
    is the concrete step that was encoded; a delivery's message is the one in flight."""
    state = state_with_every_message_in_flight()
    cex = as_counterexample(state, action)
    assert action_of(cex) == action
    if isinstance(action, actions.Deliver):
        env = ENVELOPES[action.message_id]
        assert message_of(cex) == (env.sender, env.receiver, env.payload)
