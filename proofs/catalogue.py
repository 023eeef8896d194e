"""The catalogue: every named proof obligation, three-part as Apalache and Certora report them.

For every invariant in `proofs.invariants` (each tagged with its spec id):

- `NAME/init`: the initial state satisfies it (INIT-1 => Inv);
- `NAME/step/KIND`: for every action kind, the conjunction of all invariants, the
  declared bounds and what can be in flight imply it after the step
  (Inv /\\ T_kind => Inv', one sub-obligation per kind);

and the safety properties the invariants are strengthenings of, or that are
about a single step:

- `no-double-spend/safety` (INV-CREDIT-1), `capacity-at-commit/step/*` (INV-CREDIT-2),
  `partition-caps/safety` (INV-PART-1), `partition-bound/safety` and
  `partition-isolation/step/Inject*` (INV-PART-2: whatever a compromised spoke sends
  moves at most its own partition), `hub-solvent/safety` (INV-ASSET-1),
  `frozen-means-frozen/step/*` (INV-LIQ-1), `at-most-once/safety/Deliver*` (INV-AMO-1:
  a delivered id delivered again is rejected), `atomic-rejection/step/*` (INV-ATOMIC-1).

Every obligation is checked as "premises /\\ not goal" (unsat = proved), then for
vacuity as "premises /\\ the step is accepted" (unsat = vacuous, a failure);
`unknown` (the resource limit or the wall-clock safety net reached) is a failure,
never a pass.  Each query is bounded by Z3's resource limit, not by time, so the
verdict is the same on a quiet or a loaded machine (PROOF-BUDGET-1..3, `proofs.budget`).
"""

from fnmatch import fnmatchcase
from functools import cache

from proofs.channel_obligations import channel_obligations
from proofs.finality import finality_obligations
from proofs.flows import flow_obligations
from proofs.invariants import INVARIANTS
from proofs.liveness import liveness_obligations
from proofs.obligations import (
    Obligation,
    atomic_rejection,
    capacity_at_commit,
    drained_not_fed,
    frozen_means_frozen,
    hub_solvent,
    invariant_init,
    invariant_step,
    kinds_named,
    no_double_spend,
    price_independence,
    replay_rejected,
    safety,
)
from proofs.partition_obligations import (
    PAYING_KINDS,
    STRUCTURES_WITH_LIMITS,
    insurance_bound,
    insurance_bound_init,
    lines_within_cap,
    paid_within_net_grants,
    partition_isolation,
)
from proofs.transitions import KINDS
from spec.messages import HUB_KINDS


@cache
def all_obligations() -> tuple[Obligation, ...]:
    """Every obligation, in report order."""
    obligations: list[Obligation] = []
    for inv in INVARIANTS:
        if inv.id == "INV-FIN-1":
            continue  # true by construction here: proved on the finality universe
        obligations.append(invariant_init(inv))
        obligations += [invariant_step(inv, k) for k in KINDS]
    obligations += [capacity_at_commit(k) for k in kinds_named("GrantCredit", "Withdraw")]
    obligations += [frozen_means_frozen(k) for k in kinds_named("GrantCredit", "Withdraw", "Trade")]
    obligations += [
        partition_isolation(k) for k in KINDS if k.action == "Inject" and k.message not in HUB_KINDS
    ]
    obligations += [replay_rejected(k) for k in KINDS if k.action == "Deliver"]
    obligations += [drained_not_fed(k) for k in KINDS]
    for structure in STRUCTURES_WITH_LIMITS:
        obligations.append(insurance_bound_init(structure))
        obligations += [insurance_bound(k, structure) for k in kinds_named(*PAYING_KINDS)]
    obligations += [atomic_rejection(k) for k in KINDS]
    obligations += flow_obligations()
    obligations += liveness_obligations()
    obligations += [
        price_independence(k) for k in KINDS if k.action == "Deliver" or k.name == "Liquidate"
    ]
    obligations += [
        safety("no-double-spend", "INV-CREDIT-1", no_double_spend, ("line", "alloc")),
        safety("partition-caps", "INV-PART-1", lines_within_cap, ("line", "cap")),
        safety("partition-bound", "INV-PART-2", paid_within_net_grants, ("paid", "granted")),
        safety("hub-solvent", "INV-ASSET-1", hub_solvent, ("tokens", "owed", "insurance")),
    ]
    obligations += channel_obligations()
    obligations += finality_obligations()
    return tuple(obligations)


def obligation(name: str) -> Obligation:
    for o in all_obligations():
        if o.name == name:
            return o
    raise KeyError(name)


def select(patterns: list[str] | None) -> list[Obligation]:
    """Obligations whose name or invariant id matches any glob pattern (or a substring)."""
    every = list(all_obligations())
    if not patterns:
        return every

    def matches(o: Obligation, p: str) -> bool:
        return fnmatchcase(o.name, p) or fnmatchcase(o.invariant, p) or p in o.name

    return [o for o in every if any(matches(o, p) for p in patterns)]
