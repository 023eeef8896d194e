"""The state machine's governance of listings (LIST-1..LIST-4): list, delist and remove a
spoke at random, and the drain told as one story: governance delists a spoke, the spoke
gives back every line, the network carries the releases home, and governance removes it.

`MarginMachine` inherits these rules; kept apart so that one idea stays in one place.
"""

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from model.listing import listing_of
from spec import actions
from spec.actions import DelistSpoke, ListSpoke, RemoveSpoke
from spec.bounds import HUB

LISTING_ACTIONS: dict[str, type[ListSpoke | DelistSpoke | RemoveSpoke]] = {
    "ListSpoke": ListSpoke,
    "DelistSpoke": DelistSpoke,
    "RemoveSpoke": RemoveSpoke,
}


class ListingMachine(CheckedMachine):
    """Rules of governance over the whitelist of spokes."""

    @rule(kind=st.sampled_from(("ListSpoke", "DelistSpoke", "RemoveSpoke")), spoke=fz.spokes)
    @counted
    def govern_listing(self, kind: str, spoke: str) -> None:
        """LIST-2..LIST-4: governance lists, delists or removes a spoke (one rule for the
        three, so that the whitelist changes about as often as a cap or a pause)."""
        self.apply(LISTING_ACTIONS[kind](spoke=spoke))

    def delisted(self) -> list[str]:
        return [s for s in fz.SPOKE_IDS if listing_of(self.state, s) == "delisted"]

    def has_delisted(self) -> bool:
        return bool(self.delisted())

    @precondition(has_delisted)
    @rule(data=st.data(), grant=st.booleans())
    @counted
    def drain_and_remove(self, data: st.DataObject, grant: bool) -> None:
        """LIST-3, LIST-4, INV-LIST-1: a grant to the delisted spoke is refused; the spoke
        gives back every line and the hub receives the releases; governance then removes
        it (refused SPOKE_NOT_DRAINED while anything stays allocated or awaited)."""
        spoke = data.draw(st.sampled_from(self.delisted()))
        if grant:
            account = data.draw(fz.accounts)
            outcome = self.apply(actions.GrantCredit(account=account, spoke=spoke, amount=1))
            hypothesis.event(f"grant to a delisted spoke: {outcome.error or 'accepted'}")
        for account in self.params.accounts:
            line = self.state.spokes[(spoke, account)].line
            if line > 0:
                self.apply(actions.ReleaseCredit(spoke=spoke, account=account, amount=line))
        home = [
            mid
            for mid, env in sorted(self.state.network.in_flight.items())
            if env.sender == spoke and env.receiver == HUB
        ]
        for mid in home:
            self.apply(actions.Deliver(message_id=mid))
        outcome = self.apply(actions.RemoveSpoke(spoke=spoke))
        hypothesis.event(f"remove after the drain: {outcome.error or 'accepted'}")
