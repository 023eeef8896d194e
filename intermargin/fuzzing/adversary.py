"""The machine's adversaries: a forger on any channel, and one spoke (`ADVERSARY`) that may turn
malicious and send arbitrary well-formed payloads on its own channel.

A mixin of `intermargin.fuzzing.machine.MarginMachine` (MSG-6, ADV-2, INV-PART-2,
LIQ-3..LIQ-5): whatever it sends is a model step through `apply` and its checks, so the
bounds on what a compromised spoke can take are checked on every run.
"""

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from spec import actions
from spec.bounds import HUB
from spec.messages import LiquidationReport, LossClaim, Message


class AdversaryRules(CheckedMachine):
    """Forged messages, and the malicious spoke's claims and answers."""

    @rule(injection=fz.forged_injections())
    @counted
    def forge(self, injection: tuple[str, str, Message]) -> None:
        """A message with the wrong sender for its channel (MSG-6)."""
        sender, receiver, payload = injection
        self.apply(actions.Inject(sender=sender, receiver=receiver, payload=payload))

    @rule(payload=fz.spoke_payloads)
    @counted
    def malicious_spoke(self, payload: Message) -> None:
        """The adversary's spoke sends whatever it likes on its own channel (ADV-2)."""
        self.apply(actions.Inject(sender=fz.ADVERSARY, receiver=HUB, payload=payload))

    def adversary_allocated(self) -> list[str]:
        return [a for a in self.params.accounts if self.state.hub.alloc[(a, fz.ADVERSARY)]]

    def adversary_has_allocation(self) -> bool:
        return bool(self.adversary_allocated())

    @precondition(adversary_has_allocation)
    @rule(data=st.data(), extra=st.sampled_from((0, 1)))
    @counted
    def adversary_claims_allocation(self, data: st.DataObject, extra: int) -> None:
        """The adversary's spoke claims a loss of all it was allocated for an account (or one
        more): the most a compromised spoke may take (INV-PART-2)."""
        account = data.draw(st.sampled_from(self.adversary_allocated()))
        amount = self.state.hub.alloc[(account, fz.ADVERSARY)] + extra
        claim = LossClaim(account=account, amount=amount)
        self.apply(actions.Inject(sender=fz.ADVERSARY, receiver=HUB, payload=claim))

    def liquidating(self) -> list[str]:
        return [a for a, s in self.state.hub.status.items() if s.liquidating]

    def has_liquidating(self) -> bool:
        return bool(self.liquidating())

    @precondition(has_liquidating)
    @rule(
        data=st.data(),
        shift=st.sampled_from((0, -1, 1)),
        released=st.sampled_from((0, 100)),
        loss=st.sampled_from((0, 1_000)),
    )
    @counted
    def adversary_answers_call(
        self, data: st.DataObject, shift: int, released: int, loss: int
    ) -> None:
        """The adversary's spoke answers a margin call its own way: for the current epoch,
        a past or a future one, releasing and claiming what it likes (LIQ-3..LIQ-5)."""
        account = data.draw(st.sampled_from(self.liquidating()))
        epoch = max(self.state.hub.status[account].epoch + shift, 0)
        answer = LiquidationReport(
            account=account, epoch=epoch, seq=0, released=released, loss=loss, balance=0
        )
        self.apply(actions.Inject(sender=fz.ADVERSARY, receiver=HUB, payload=answer))
