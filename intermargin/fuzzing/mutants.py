"""Deliberately broken models that the state machine must catch (mutation sanity).

Each mutant is the model as it is with one named guard or helper replaced (a `Patch`,
`proofs.patches`) while one entry of the model's dispatch tables runs
(`model.step.TRANSITIONS`, `model.delivery.AT_HUB` / `AT_SPOKE`): one classic bug of
hub-and-spoke systems, and the invariant that must catch it.  No rule is copied, so a
mutant keeps every other change of the rule it mutates; the invariant checks run
unpatched.  `applied` installs a mutant for the length of a `with` block and restores
the tables after, whatever happens; nothing in `model/` is edited.
"""

from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import model.delivery as delivery
import model.hub as hub
import model.spoke as spoke
from model.outcome import Step
from model.risk import capacity, latency_buffer
from model.state import AccountId, SpokeAccount, SpokeId, State
from model.step import TRANSITIONS
from proofs.patches import Patch, under

Table = MutableMapping[str, Callable[..., Step]]


@dataclass(frozen=True)
class Mutant:
    """One broken variant: the table entries that run patched, the patches, and who must
    catch it."""

    name: str
    bug: str
    expected: str
    rules: tuple[tuple[Table, str], ...]
    patches: tuple[Patch, ...]
    also: tuple[str, ...] = ()
    """Ids that may catch it first in a run on ordered channels (CHAN-1), where a message
    that never leaves flight blocks its channel before it does other harm."""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The action or message kinds whose rules the mutant changes."""
        return tuple(key for _, key in self.rules)


@contextmanager
def applied(mutant: Mutant) -> Iterator[Mutant]:
    """Install the mutant's patched table entries; restore the originals on exit."""
    saved = [(table, key, table[key]) for table, key in mutant.rules]
    try:
        for table, key, rule in saved:
            table[key] = under(mutant.patches, rule)
        yield mutant
    finally:
        for table, key, rule in saved:
            table[key] = rule


# --- the bugs: what replaces the named guard or helper -------------------------------------


def capacity_less_buffer(state: State, account: AccountId, prices: Any) -> int:
    """HUB-GRANT-2 broken: free capacity forgets what is already allocated (in flight too)."""
    return capacity(state, account, prices) - latency_buffer(state, account, prices)


def all_caps(state: State, spoke: SpokeId) -> int:
    """CAP-1 broken: the partition cap is the caps of all spokes together instead of the
    spoke's own (a cap checked against the asset's total)."""
    return sum(state.hub.caps.values())


def line_kept(acct: SpokeAccount, amount: int) -> SpokeAccount:
    """SPK-REL-2 broken: the release is sent but the spoke keeps the line, so the hub is
    credited back without the spoke's debit."""
    return acct


def never_exceeds(state: State, account: AccountId, spoke: SpokeId, amount: int) -> bool:
    """HUB-CLAIM-2 broken: a loss claim is paid in full, whatever the allocation it draws
    on (a loss claim not bounded by the allocation, which goes negative)."""
    return False


def left_in_flight(state: State, message_id: int) -> State:
    """MSG-10 broken: the network does not take a delivered message out of flight (nor
    record it delivered), so it takes effect again when delivered again."""
    return state


def unfrozen(**fields: Any) -> SpokeAccount:
    """SPK-CALL-2 broken: the spoke closes and answers but keeps trading (the account it
    leaves is never frozen)."""
    return replace(SpokeAccount(**fields), frozen=False)


def mutants() -> tuple[Mutant, ...]:
    """Every mutant."""
    transitions: Table = TRANSITIONS
    at_hub: Table = delivery.AT_HUB
    at_spoke: Table = delivery.AT_SPOKE
    return (
        Mutant(
            "grant-ignores-allocation",
            "a grant does not count credit already allocated or in flight",
            "INV-CREDIT-2",
            ((transitions, "GrantCredit"),),
            (Patch(hub, "free_capacity", capacity_less_buffer),),
        ),
        Mutant(
            "release-keeps-line",
            "a release credits the hub while the spoke keeps the line",
            "INV-CREDIT-1",
            ((transitions, "ReleaseCredit"),),
            (Patch(spoke, "debit_line", line_kept),),
        ),
        Mutant(
            "margin-call-ignored",
            "a spoke obeys a margin call but keeps trading (never frozen)",
            "INV-LIQ-1",
            ((at_spoke, "MarginCall"),),
            (Patch(spoke, "SpokeAccount", unfrozen),),
        ),
        Mutant(
            "cap-against-all-caps",
            "the partition cap is checked against the sum of all caps",
            "INV-PART-1",
            ((transitions, "GrantCredit"),),
            (Patch(hub, "partition_cap", all_caps),),
        ),
        Mutant(
            "replay-accepted",
            "a delivered message stays in flight and takes effect again",
            "INV-CREDIT-1",
            ((transitions, "Deliver"),),
            (Patch(delivery, "consume", left_in_flight),),
            also=("INV-LIQ-2", "INV-CHAN-1"),
        ),
        Mutant(
            "claim-beyond-allocation",
            "a loss claim beyond the allocation it draws on is paid in full",
            "INV-NONNEG-1",
            ((at_hub, "LossClaim"),),
            (Patch(hub, "exceeds_allocation", never_exceeds),),
        ),
    )


def by_name(name: str) -> Mutant:
    for mutant in mutants():
        if mutant.name == name:
            return mutant
    raise KeyError(name)
