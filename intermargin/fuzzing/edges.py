"""Rules of the state machine aimed at edges a random grant seldom hits:

- a grant one above the account's free capacity while its credit is moving (HUB-GRANT-2,
  INV-CREDIT-2).  The hub counts credit in flight as allocated, so the grant is refused; a
  hub (or an encoding, DIFF-1) that counted only the credit lines would accept it;
- a grant the account can afford, one above the room left under its spoke's partition cap
  (CAP-1, INV-PART-1), governance lowering the cap first where the room is larger: refused;
  a hub that checked the cap against the sum of all caps would accept it.

Random amounts reach these edges rarely, so the differential corpus (DIFF-5) gets them
here on purpose.
"""

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from model.hub import link, partition_cap, spoke_allocation
from model.oracle import prices_of
from model.risk import assets_needed, free_capacity
from spec import actions


class EdgeMachine(CheckedMachine):
    """Rules aimed at edges of the hub's guards."""

    def moving(self) -> list[str]:
        """Accounts with credit in flight: allocated at the hub beyond their lines."""
        spokes = [s.id for s in self.params.spokes]
        return [
            a
            for a in self.params.accounts
            if sum(self.state.hub.alloc[(a, s)] for s in spokes)
            > sum(self.state.spokes[(s, a)].line for s in spokes)
        ]

    def has_moving(self) -> bool:
        return bool(self.moving())

    @precondition(has_moving)
    @rule(data=st.data())
    @counted
    def grant_past_the_edge_while_moving(self, data: st.DataObject) -> None:
        """HUB-GRANT-2, INV-CREDIT-1: one above free capacity, credit in flight counted."""
        account = data.draw(st.sampled_from(self.moving()))
        spoke = data.draw(fz.spokes)
        view = link(self.state, account, spoke)
        prices = prices_of(view, assets_needed(view, account))
        if prices is None:
            return
        amount = free_capacity(view, account, prices) + 1
        if amount < 1:
            return
        outcome = self.apply(actions.GrantCredit(account=account, spoke=spoke, amount=amount))
        hypothesis.event(f"grant past the edge: {outcome.error or 'accepted'}")

    @rule(data=st.data())
    @counted
    def grant_past_the_partition_cap(self, data: st.DataObject) -> None:
        """CAP-1, INV-PART-1: an affordable grant one above the room under the spoke's cap."""
        account = data.draw(fz.accounts)
        spoke = data.draw(fz.spokes)
        view = link(self.state, account, spoke)
        prices = prices_of(view, assets_needed(view, account))
        if prices is None:
            return
        free = free_capacity(view, account, prices)
        if free < 2:
            return
        if partition_cap(view, spoke) - spoke_allocation(view, spoke) + 1 > free:
            # governance first lowers the cap to leave less room than the account can use
            self.apply(actions.SetCap(spoke=spoke, cap=spoke_allocation(view, spoke) + free // 2))
        amount = partition_cap(self.state, spoke) - spoke_allocation(self.state, spoke) + 1
        if not 1 <= amount <= free:
            return
        outcome = self.apply(actions.GrantCredit(account=account, spoke=spoke, amount=amount))
        hypothesis.event(f"grant past the cap: {outcome.error or 'accepted'}")
