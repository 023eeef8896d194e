"""The state machine's liveness rules: keepers force-settling, and a spoke that stays silent
through a liquidation's deadline (LIVE-1..LIVE-6, INV-LIVE-1..INV-LIVE-4).

A mixin of `intermargin.fuzzing.machine.MarginMachine`: each rule is one part of the story
of a silent spoke, every model step going through `apply` and its checks.
"""

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from spec import actions
from spec.bounds import HUB


class LivenessRules(CheckedMachine):
    """Force-settle from every angle: too early, after the deadline, and what a severed spoke
    can still try."""

    def liquidating_accounts(self) -> list[str]:
        return [a for a, s in self.state.hub.status.items() if s.liquidating]

    def has_liquidating_account(self) -> bool:
        return bool(self.liquidating_accounts())

    def severed_pairs(self) -> list[tuple[str, str]]:
        return sorted(self.state.hub.severed)

    def has_severed_pair(self) -> bool:
        return bool(self.severed_pairs())

    @rule(account=fz.accounts)
    @counted
    def force_settle(self, account: str) -> None:
        """LIVE-2: a keeper tries to force-settle whenever it likes (mostly refused:
        NOT_LIQUIDATING or DEADLINE_NOT_REACHED)."""
        outcome = self.apply(actions.ForceSettle(account=account))
        hypothesis.event(f"force-settle: {outcome.error or 'accepted'}")

    @precondition(has_liquidating_account)
    @rule(data=st.data(), silent=fz.spokes, stale=st.booleans())
    @counted
    def spoke_silent_past_deadline(self, data: st.DataObject, silent: str, stale: bool) -> None:
        """LIVE-1..LIVE-3: a spoke falls silent during a liquidation; the keeper is refused
        before the deadline, then time passes it and the keeper force-settles (refused
        PRICE_UNAVAILABLE first if the quotes went stale meanwhile)."""
        account = data.draw(st.sampled_from(self.liquidating_accounts()))
        self.withheld = self.withheld | {silent}
        self.apply(actions.ForceSettle(account=account))
        status = self.state.hub.status[account]
        wait = max(status.deadline - self.state.oracle.now, 1)
        self.apply(actions.AdvanceTime(seconds=wait))
        if stale:
            self.apply(actions.ForceSettle(account=account))
        self.publish_everywhere(self.level)
        outcome = self.apply(actions.ForceSettle(account=account))
        hypothesis.event(f"force-settle after the deadline: {outcome.error or 'accepted'}")

    @precondition(has_severed_pair)
    @rule(data=st.data(), amount=fz.credit)
    @counted
    def severed_spoke_speaks_late(self, data: st.DataObject, amount: int) -> None:
        """LIVE-5: the severed spoke comes back: its margin call arrives, it answers, and the
        hub ignores the answer SPOKE_SEVERED; a grant to the pair is refused SPOKE_SEVERED."""
        account, spoke = data.draw(st.sampled_from(self.severed_pairs()))
        self.withheld = self.withheld - {spoke}
        for mid, env in sorted(self.state.network.in_flight.items()):
            if env.payload.account != account or spoke not in (env.sender, env.receiver):
                continue
            if mid not in self.state.network.in_flight:
                continue
            outcome = self.apply(actions.Deliver(message_id=mid))
            for sent in outcome.emitted:
                if self.state.network.in_flight[sent].receiver == HUB:
                    late = self.apply(actions.Deliver(message_id=sent))
                    hypothesis.event(f"late answer: {late.error or 'accepted'}")
        self.apply(actions.GrantCredit(account=account, spoke=spoke, amount=amount))
