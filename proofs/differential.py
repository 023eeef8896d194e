"""The encoding and the model, checked against each other on concrete steps (DIFF-1..DIFF-3).

A Z3 encoding that drifts from the reference proves the wrong system.  These checks
run after every step of the state machine (the hooks of `intermargin.fuzzing.checked.Run`):

- DIFF-1: the Z3 transition relation of the action's kind accepts the model's
  (pre, post), and the post-state it implies is the model's, field by field;
- DIFF-2: the outcome and error code the relation's guards imply on the pre-state
  are the model's;
- DIFF-3: each Z3 invariant formula, evaluated on the abstraction of the concrete
  state, agrees with the model's Python predicate of the same id.

Each check returns None when the two sides agree, else one line with both sides.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from model.invariants import STATE_INVARIANTS
from model.state import State
from proofs.abstraction import abstraction, symbolic_state, universe_key
from proofs.budget import ask, describe
from proofs.checking import DEFAULT_BUDGET
from proofs.concrete import judge
from proofs.grounding import ground, layout
from proofs.invariants import INVARIANTS
from proofs.state import Universe, fresh
from spec.actions import Action
from spec.outcome import Outcome
from spec.params import Params

STATE_FORMULAS = tuple(inv for inv in INVARIANTS if inv.id in STATE_INVARIANTS)
"""The Z3 formulas that have a Python predicate of the same id (a strengthening such as
the liquidation bookkeeping is held to the same id's predicate: it must hold wherever
the predicate does on a reachable state)."""


Judged = tuple[bool, str | None]
"""(whether the step was judged, what disagreed or None)."""


def relation_check(
    pre: State, action: Action, post: State, outcome: Outcome, mutant: str | None = None
) -> Judged:
    """DIFF-1, DIFF-2, DIFF-6: the relation accepts the model's step, with the model's
    outcome, and the model's inputs lie in the range the proofs quantify them over.

    A step the encoding's universe cannot express (an unknown id, a message about an
    undeclared account) has no kind and is not judged.
    """
    verdict = judge(pre, action, post, mutant)
    if verdict.kind is None:
        return False, None
    problems = []
    if verdict.status != outcome.status or verdict.error != outcome.error:
        problems.append(
            f"Z3 guards say {verdict.status} {verdict.error or ''}".rstrip()
            + f", the model {outcome.status} {outcome.error or ''}".rstrip()
        )
    if verdict.unbounded:
        problems.append(f"inputs outside the proofs' range: {', '.join(verdict.unbounded)}")
    if not verdict.accepts:
        shown = ", ".join(verdict.mismatched[:6])
        more = f" and {len(verdict.mismatched) - 6} more" if len(verdict.mismatched) > 6 else ""
        problems.append(f"Z3 implies another post-state on {shown}{more}")
    if not problems:
        return True, None
    return True, f"{action.type} ({verdict.kind}): " + "; ".join(problems)


def relation_disagreement(
    pre: State, action: Action, post: State, outcome: Outcome, mutant: str | None = None
) -> str | None:
    """DIFF-1, DIFF-2: what disagrees on a step, or None (also for a step not judged)."""
    return relation_check(pre, action, post, outcome, mutant)[1]


_DECIDED: dict[int, tuple[z3.BoolRef, bool]] = {}


def formula_holds(formula: z3.BoolRef) -> bool:
    """Decide a ground formula: most simplify to a constant; a quantified one (over the
    delivered set) goes to the solver.  Decided once per formula: a step that leaves a
    field alone leaves its formula's ground term alone (hash-consed: the same term has the
    same id while it lives, and the memo keeps it alive); about three in four are repeats."""
    hit = _DECIDED.get(formula.get_id())
    if hit is not None and hit[0].eq(formula):
        return hit[1]
    if len(_DECIDED) >= 4096:
        _DECIDED.clear()
    holds = _decide(formula)
    _DECIDED[formula.get_id()] = (formula, holds)
    return holds


def _decide(formula: z3.BoolRef) -> bool:
    value = z3.simplify(formula)
    if z3.is_true(value) or z3.is_false(value):
        return bool(z3.is_true(value))
    answer = ask([z3.Not(value)], DEFAULT_BUDGET)  # in a context of its own (PROOF-BUDGET-4)
    if answer.result == z3.unknown:
        why = describe(answer.exhausted, DEFAULT_BUDGET, answer.reason)
        raise RuntimeError(f"Z3 could not evaluate a ground formula: {why}")
    return bool(answer.result == z3.unsat)


_OBS_FORMULAS: dict[tuple[Any, ...], z3.BoolRef] = {}


def formulas_over_obs(params: Params) -> z3.BoolRef:
    """The state formulas over the variables `obs.*` of this parameter set's universe, as
    one conjunction (built once: substituting into one term is far cheaper than into nine).
    Kept by universe, not by parameter set: the formulas read the symbolic state alone, and
    a machine draws a new parameter set for every run, most of them of the same universe."""
    u = Universe.of(params)
    key = universe_key(u)
    hit = _OBS_FORMULAS.get(key)
    if hit is None:
        sym = fresh(u, "obs")
        hit = _OBS_FORMULAS[key] = z3.And([inv.formula(sym) for inv in STATE_FORMULAS])
    return hit


def invariant_disagreement(state: State) -> str | None:
    """DIFF-3: every Z3 formula, on the abstraction of `state`, agrees with the model's
    predicate of the same id."""
    together = formulas_over_obs(state.params)
    where = layout(symbolic_state(state, "obs"))
    conjunction = ground(together, where, abstraction(state, where.names))
    grounded = conjunction.children()
    if len(grounded) != len(STATE_FORMULAS):
        raise RuntimeError("the conjunction of invariant formulas lost its shape")
    python = [STATE_INVARIANTS[inv.id](state) for inv in STATE_FORMULAS]
    if all(p is None for p in python) and z3.is_true(z3.simplify(conjunction)):
        return None  # every predicate holds and every formula simplifies to true
    for inv, formula, broken in zip(STATE_FORMULAS, grounded, python, strict=True):
        z3_says = formula_holds(formula)
        if z3_says != (broken is None):
            model_says = "holds" if broken is None else f"is broken ({broken})"
            return (
                f"{inv.id} {inv.name}: Z3 formula says {'holds' if z3_says else 'broken'},"
                f" the model's predicate {model_says}"
            )
    return None


def invariant_check(state: State) -> Judged:
    """DIFF-3 on a reached state: every state is judged."""
    return True, invariant_disagreement(state)


@dataclass
class DriftCheck:
    """An after-step check for the state machine (its failures carry `invariant_id`),
    counting the steps it judged and those outside the encoding."""

    invariant_id: str
    check: Callable[[State, Action, State, Outcome], Judged]
    judged: int = 0
    outside: int = 0

    @property
    def __name__(self) -> str:
        return self.invariant_id

    def __call__(self, pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
        judged, problem = self.check(pre, action, post, outcome)
        if judged:
            self.judged += 1
        else:
            self.outside += 1
        return problem


def differential_hooks(mutant: str | None = None) -> list[DriftCheck]:
    """The drift checks as state-machine hooks, against the encoding (or one of its
    mutants, to show the checks catch drift)."""
    return [
        DriftCheck(
            "DIFF-1",
            lambda pre, action, post, outcome: relation_check(pre, action, post, outcome, mutant),
        ),
        DriftCheck(
            "DIFF-3", lambda pre, action, post, outcome: (True, invariant_disagreement(post))
        ),
    ]
