"""The Z3 relation asked about one concrete step: the differential check's judge.

- `encode_step(state, action)` (`proofs.concrete_actions`): the action as a kind of the
  encoding, with its ids, parameters, and the inputs the model's risk engine and oracle
  compute on `state`;
- `judge(pre, action, post)`: whether the Z3 relation of that kind accepts the
  concrete (pre, post) (both read through `proofs.abstraction`), and the outcome status
  and error code its guards imply.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import z3

from model.state import State
from model.step import unknown_id
from proofs.abstraction import (
    abstraction,
    ctx_of,
    equals_state,
    symbolic_state,
    universe_key,
    universe_of,
    values,
    z3_value,
)
from proofs.budget import ask
from proofs.checking import DEFAULT_BUDGET
from proofs.concrete_actions import EncodedStep, encode_step
from proofs.grounding import apply_packer, constants, ground, layout, packer, same_application
from proofs.state import Expr, SymState
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import STATUS_NAMES, Result, error_of
from spec.actions import Action
from spec.errors import Error


@dataclass(frozen=True)
class Judgement:
    """What the Z3 relation says about a concrete step."""

    kind: str | None
    accepts: bool
    """The relation holds of (pre, post): the encoded post-state equals the model's."""
    status: str
    error: Error | None
    mismatched: tuple[str, ...] = ()
    """Encoded fields whose implied post value differs from the model's post-state."""
    unbounded: tuple[str, ...] = ()
    """Inputs the model computed outside the range the proofs quantify them over (DIFF-6)."""


def inputs_out_of_bounds(step: EncodedStep) -> tuple[str, ...]:
    """DIFF-6, RISK-NET-4: the inputs of a step that lie outside their kind's declared range.

    The proofs quantify each input only over that range (for instance a capacity's
    reported loss over every value <= 0, so that no reported profit enters it): an input
    outside it is a step the proofs do not cover.
    """
    found = []
    for name, (low, high) in step.kind.ints:
        if name not in step.inputs or (low is None and high is None):
            continue  # not computed for this step, or unbounded
        value = z3.simplify(step.inputs[name]).as_long()
        if (low is not None and value < low) or (high is not None and value > high):
            found.append(f"{name}={value}")
    return tuple(found)


@dataclass(frozen=True)
class Relation:
    """A kind's transition over a symbolic pre-state, symbolic action parameters, inputs
    and prices, with its status, error and post-state packed into one term: built once
    per kind, ids, set of priced assets and mutant, then grounded step after step by one
    substitution."""

    kind: str
    sym: SymState
    result: Result
    packed: Expr
    variables: dict[tuple[str, str], Expr]
    """(`act`, `in` or `price`, name) -> the variable standing for that parameter, input
    or asset's price."""


_RELATIONS: dict[tuple[Any, ...], Relation] = {}


def priced(pre: State) -> dict[str, int]:
    """The assets the oracle prices at `pre`, with their prices."""
    return {a: p for a, p in ctx_of(pre).prices.items() if p is not None}


def relation_of(pre: State, step: EncodedStep, mutant: str | None = None) -> Relation:
    """The relation of the step's kind (a mutant's, if named) for the assets priced at
    `pre`, built once.

    A price is a variable here, grounded with the rest of the step: the transitions use
    a price only as a factor or a divisor of Z3 terms (`proofs.transitions.ledger`,
    `proofs.transitions.risk`), so grounding it gives the very terms a constant price
    gives, and the relation is not rebuilt each time the oracle moves.  Whether an asset
    has a price at all decides guards in Python (HUB-LOSS-5), so that is in the key."""
    fixed = tuple(sorted((k, v) for k, v in step.act.items() if not z3.is_expr(v)))
    prices = ctx_of(pre).prices
    u = universe_of(pre)
    key = (
        step.kind.name,
        fixed,
        tuple(sorted(step.act)),
        tuple(sorted(step.inputs)),
        tuple(sorted(a for a, p in prices.items() if p is not None)),
        mutant,
        universe_key(u),
    )
    hit = _RELATIONS.get(key)
    if hit is not None:
        return hit
    from proofs.mutants import transitions

    variables: dict[tuple[str, str], Expr] = {}

    def symbol(part: str, name: str, sort: z3.SortRef) -> Expr:
        variables[(part, name)] = z3.Const(f"judge.{part}.{name}", sort)
        return variables[(part, name)]

    act = {k: symbol("act", k, v.sort()) if z3.is_expr(v) else v for k, v in step.act.items()}
    inputs = {k: symbol("in", k, v.sort()) for k, v in step.inputs.items()}
    symbolic_prices = {
        a: None if p is None else symbol("price", a, z3.IntSort()) for a, p in prices.items()
    }
    # Typed as constants for the transitions; a variable is one until grounded (above).
    ctx = Ctx(prices=cast(Mapping[str, int | None], symbolic_prices))
    sym = symbolic_state(pre, "pre")
    result = transitions(mutant)[step.kind.name](ctx, sym, act, inputs)
    terms = [result.status, result.error, *(term for _, _, term in result.post.entries())]
    packed = apply_packer(packer(sym), terms)
    if len(_RELATIONS) >= 4096:
        _RELATIONS.clear()
    hit = _RELATIONS[key] = Relation(step.kind.name, sym, result, packed, variables)
    return hit


def judge(pre: State, action: Action, post: State, mutant: str | None = None) -> Judgement:
    """Does the Z3 relation of the action's kind (a mutant's, if named) accept the model's
    (pre, post)?  Which outcome and error code do its guards imply on `pre`?

    The relation is a function of the pre-state and the action, so its post-state, status
    and error are evaluated by substituting their values and simplifying; a field whose
    value does not simplify to a constant is decided by the solver (is it other than the
    model's value, given the pre-state and the action?), as every field was before."""
    error = unknown_id(pre, action)
    step = encode_step(pre, action)
    if step is None:
        return Judgement(None, pre == post, "rejected" if error else "ignored", error)
    rel = relation_of(pre, step, mutant)
    given = (
        {("act", k): v for k, v in step.act.items()}
        | {("in", k): v for k, v in step.inputs.items()}
        | {("price", a): z3.IntVal(p) for a, p in priced(pre).items()}
    )
    tied = [(var, given[key]) for key, var in rel.variables.items()]
    where = layout(rel.sym, tuple(rel.variables.values()))
    state_names = where.names
    simplified = z3.simplify(
        ground(rel.packed, where, abstraction(pre, state_names) + [v for _, v in tied])
    )
    head = [simplified.arg(0), simplified.arg(1)]
    if all(z3.is_int_value(h) for h in head) and same_application(
        simplified, head, abstraction(post, state_names)
    ):  # every field is the model's: the comparison below, in one step
        status, code = (h.as_long() for h in head)
        return Judgement(
            rel.kind, True, STATUS_NAMES[status], error_of(code), (), inputs_out_of_bounds(step)
        )
    status, code, *implied = constants(simplified)
    vals = values(post)
    mismatched = []
    unsettled: list[tuple[str, Any, Expr]] = []
    for (name, key, term), got in zip(rel.result.post.entries(), implied, strict=True):
        if got is None:
            unsettled.append((name, key, term))
        elif got != vals[(name, key)]:
            mismatched.append(shown(name, key))
    if unsettled or not isinstance(status, int) or not isinstance(code, int):
        known = [equals_state(rel.sym, pre), *[var == value for var, value in tied]]
        # Each a ground question in a context of its own (PROOF-BUDGET-4), bound by an
        # obligation's resource limit, not the clock; `unknown` counts as a mismatch.
        for name, key, term in unsettled:
            differs = ask([*known, term != z3_value(vals[(name, key)])], DEFAULT_BUDGET)
            if differs.result != z3.unsat:
                mismatched.append(shown(name, key))
        if not isinstance(status, int) or not isinstance(code, int):
            raise RuntimeError(f"{rel.kind}: the relation's outcome is not determined by the step")
    return Judgement(
        rel.kind,
        not mismatched,
        STATUS_NAMES[status],
        error_of(code),
        tuple(mismatched),
        inputs_out_of_bounds(step),
    )


def shown(name: str, key: Any) -> str:
    """A field entry as a mismatch names it: `alloc['alice', 's1']`."""
    return f"{name}{list(key) if isinstance(key, tuple) else [key]}"


__all__ = ["Judgement", "judge"]
