"""The machine's network: it delivers any message in flight in any order, replays a delivered
one, names an id never issued, or withholds a spoke's messages for a while (a halted chain).

A mixin of `intermargin.fuzzing.machine.MarginMachine` (MSG-10, INV-AMO-1): every delivery
is a model step through `apply` and its checks.  On ordered channels only channel heads
are deliverable (CHAN-2; `intermargin.fuzzing.channel_rules` tries the others).
"""

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from model.channels import channel_heads
from spec import actions


class NetworkRules(CheckedMachine):
    """Deliveries, replays, unknown ids and withholding."""

    def deliverable(self) -> list[int]:
        """Messages in flight the network is not withholding (on ordered channels, the
        channel heads only, CHAN-2)."""
        in_flight = self.state.network.in_flight
        return [
            mid
            for mid in channel_heads(self.state)
            if in_flight[mid].sender not in self.withheld
            and in_flight[mid].receiver not in self.withheld
        ]

    def has_deliverable(self) -> bool:
        return bool(self.deliverable())

    def has_delivered(self) -> bool:
        return bool(self.state.network.delivered)

    @precondition(has_deliverable)
    @rule(data=st.data())
    @counted
    def deliver(self, data: st.DataObject) -> None:
        """Any message in flight and not withheld, in any order (MSG-10)."""
        self.apply(actions.Deliver(message_id=data.draw(st.sampled_from(self.deliverable()))))

    @precondition(has_delivered)
    @rule(data=st.data())
    @counted
    def replay(self, data: st.DataObject) -> None:
        """A delivered message delivered again (INV-AMO-1)."""
        delivered = sorted(self.state.network.delivered)
        self.apply(actions.Deliver(message_id=data.draw(st.sampled_from(delivered))))

    @rule(offset=st.integers(min_value=0, max_value=2))
    @counted
    def deliver_unknown(self, offset: int) -> None:
        """An id never issued."""
        self.apply(actions.Deliver(message_id=self.state.network.next_id + offset))

    @rule(spoke=fz.spokes)
    @counted
    def toggle_withholding(self, spoke: str) -> None:
        """Start or stop withholding every message to or from a spoke (a halted chain)."""
        self.withheld = self.withheld ^ {spoke}
