"""The machine's adversary moves on spoke chains: halts, resumes and reorgs (FIN-1..FIN-9).

On the finality variant (`strategies.finality_variant`) every spoke's changes stay
unfinalized for a while: the hub refuses their messages NOT_FINAL and the spoke refuses hub
messages NOT_FINAL until they are final.  The adversary halts and resumes any spoke, reorgs
any spoke within its finality bound (INV-FIN-2: its lines roll back, the hub stays as it
was), and reorgs only its own spoke beyond the bound (FIN-8: that compromises it).  A fair
drain resumes every chain and lets every segment become final first.
"""

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from model.finality import chain_of, finality_of, unfinalized
from spec import actions

DEPTHS = st.sampled_from((1, 5, fz.FUZZ_FINALITY_S, fz.FUZZ_FINALITY_S + 1, 1_000))


class FinalityRules(CheckedMachine):
    """Halts, resumes and reorgs, and the fair drain's view of them."""

    def delayed_spokes(self) -> list[str]:
        """FIN-1: the honest spokes of this run that declare a finality delay."""
        return [s for s in fz.HONEST_SPOKES if finality_of(self.state, s) > 0]

    def has_delayed_spoke(self) -> bool:
        return bool(self.delayed_spokes())

    @rule(spoke=fz.spokes)
    @counted
    def halt_chain(self, spoke: str) -> None:
        """FIN-6: the adversary halts a spoke's chain (SPOKE_HALTED if it is halted already)."""
        self.apply(actions.Halt(spoke=spoke))

    @rule(spoke=fz.spokes)
    @counted
    def resume_chain(self, spoke: str) -> None:
        """FIN-6: a halted chain resumes (NOT_HALTED if it runs)."""
        self.apply(actions.Resume(spoke=spoke))

    @rule(spoke=fz.spokes, depth=DEPTHS)
    @counted
    def reorg_chain(self, spoke: str, depth: int) -> None:
        """FIN-5, FIN-8: a reorg within the spoke's finality bound, or, beyond it, of the
        adversary's own spoke only (a deep reorg compromises the spoke it hits)."""
        if depth > finality_of(self.state, spoke):
            spoke = fz.ADVERSARY
        rolled = unfinalized(self.state, spoke)
        self.apply(actions.Reorg(spoke=spoke, depth=depth))
        hypothesis.event(f"reorg {'beyond' if spoke == fz.ADVERSARY else 'within'}: {rolled}")

    @precondition(has_delayed_spoke)
    @rule(data=st.data(), account=fz.accounts, amount=fz.credit)
    @counted
    def reorg_erases_unfinal_release(self, data: st.DataObject, account: str, amount: int) -> None:
        """FIN-3..FIN-5, INV-FIN-2: a grant is in flight to a spoke that then releases credit
        (or reports): the hub refuses the release NOT_FINAL, the spoke refuses the grant
        NOT_FINAL, and a reorg within the bound rolls the spoke back and erases the release;
        the hub's ledgers are those before, and the grant is still in flight."""
        spoke = data.draw(st.sampled_from(self.delayed_spokes()))
        self.apply(actions.Resume(spoke=spoke))
        granted = self.apply(actions.GrantCredit(account=account, spoke=spoke, amount=amount))
        line = self.state.spokes[(spoke, account)].line
        if line:
            sent = self.apply(actions.ReleaseCredit(spoke=spoke, account=account, amount=line))
        else:
            sent = self.apply(actions.SendReport(spoke=spoke, account=account))
        for mid in (*sent.emitted, *granted.emitted):
            outcome = self.apply(actions.Deliver(message_id=mid))
            hypothesis.event(f"unfinal delivery: {outcome.error}")
        hub = self.state.hub
        self.apply(actions.Reorg(spoke=spoke, depth=fz.FUZZ_FINALITY_S))
        if self.state.hub != hub:
            self.fail((("INV-FIN-2", f"a reorg of {spoke} within its finality moved the hub"),))

    def settle_chains(self) -> None:
        """FIN-7: fair delivery assumes every halted chain resumes and every segment becomes
        final (time passes its finality), then quotes afresh."""
        for spoke in fz.SPOKE_IDS:
            if chain_of(self.state, spoke).halted:
                self.apply(actions.Resume(spoke=spoke))
        waits = [
            chain.segment.changed + finality_of(self.state, s) - self.state.oracle.now
            for s, chain in self.state.chains.items()
            if chain.segment is not None and unfinalized(self.state, s)
        ]
        if waits:
            self.apply(actions.AdvanceTime(seconds=max(waits)))
            self.publish_everywhere(self.level)
