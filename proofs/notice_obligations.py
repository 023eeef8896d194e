"""The obligations of risk-parameter changes with notice (INV-NOTICE-1, GOV-NOTICE-5).

- `announced-before-raised/step/KIND` (INV-NOTICE-1, position-free part): for every action
  kind, no step raises a risk parameter in force (PAR-26) unless a change of it was
  announced at least `notice_s` before the step.  With INV-NOTICE-2 among the premises (an
  announced tightening is due no sooner than `notice_s` after its announcement) and
  `ApplyParamChange`'s guard (not before the change is due), it holds for the applying
  kinds; every other kind leaves the parameters in force alone.  The vacuity witness of
  the applying kinds is a raise itself (accepted, and some parameter higher after), so the
  proof is not about steps that never tighten anything.
- INV-NOTICE-2 (`tightenings-carry-notice/init`, `/step/KIND`) is proved with every other
  invariant of `proofs.invariants`.

That the raise is the only way a parameter change can make a healthy account unhealthy
(health does not fall when a haircut or latency falls, GOV-NOTICE-4) is a law of the risk
engine on positions, which the encoding does not hold: it is checked on the model
(`tests/test_notice.py`), and INV-NOTICE-1 in full on every state-machine step.
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import z3

from proofs.obligations import Obligation
from proofs.premises import Query, step_queries
from proofs.state import Expr, SymState, Universe
from proofs.transitions import KINDS, Kind, Transition
from proofs.transitions.outcome import Result


def raised(pre: SymState, post: SymState) -> list[tuple[tuple[str, str], Expr]]:
    """Per (parameter, target): the step raised the value in force."""
    return [(t, post.risk[t] > pre.risk[t]) for t in pre.u.keys("t")]


def announced_before_raised(kind: Kind) -> Obligation:
    """INV-NOTICE-1: a risk parameter is raised only after `notice_s` of notice."""

    def goal(pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]) -> Expr:
        now = pre.now[()]
        return z3.And(
            [
                z3.Implies(up, z3.And(pre.sched[t], pre.sched_said[t] + pre.u.notice_s <= now))
                for t, up in raised(pre, res.post)
            ]
        )

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        out = step_queries(u, table, kind, goal)
        if kind.action != "ApplyParamChange":
            return out
        witnessed = []
        for q in out:
            assert q.pre is not None and q.post is not None
            some_raise = z3.Or([up for _, up in raised(q.pre, q.post)])
            witnessed.append(replace(q, witness=z3.And(q.witness, some_raise)))
        return witnessed

    return Obligation(
        f"announced-before-raised/step/{kind.name}",
        "INV-NOTICE-1",
        "step",
        queries,
        ("risk", "sched", "sched_said", "sched_due", "now"),
    )


def notice_obligations() -> list[Obligation]:
    """Every obligation of this module, in report order."""
    return [announced_before_raised(k) for k in KINDS]
