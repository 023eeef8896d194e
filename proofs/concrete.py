"""Concrete model states as Z3 values, and the Z3 relation asked about one concrete step.

This is the bridge the differential check (tests against the model, step by step)
stands on:

- `values(state)` / `assignment(state)`: the abstraction of a concrete `model.State`:
  every encoded field's value, ghost sums computed from the bag of messages by
  summing what each message carries (`proofs.transitions.network.carries`).
- `encode_step(state, action)` (`proofs.concrete_actions`): the action as a kind of the
  encoding, with its ids, parameters, and the inputs the model's risk engine and oracle
  compute on `state`.
- `judge(pre, action, post)`: whether the Z3 relation of that kind accepts the
  concrete (pre, post), and the outcome status and error code its guards imply.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import z3

from model.insurance import drawn_of, limit_of
from model.listing import listing_of
from model.oracle import price_of
from model.state import State
from model.step import unknown_id
from proofs.concrete_actions import EncodedStep, encode_step
from proofs.grounding import ground, last_seen, layout, pack, same_application
from proofs.state import FIELDS, LISTING_CODE, Expr, SymState, Universe, fresh
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import STATUS_NAMES, Result, error_of
from spec.actions import Action
from spec.bounds import HUB
from spec.errors import Error

Value = int | bool | frozenset[int]


def universe_of(state: State) -> Universe:
    return Universe.of(state.params)


def ctx_of(state: State) -> Ctx:
    """The oracle's price of every asset at this state (None: unavailable)."""
    return Ctx(prices={a.id: price_of(state, a.id) for a in state.params.assets})


def ghost_sums(state: State) -> dict[tuple[str, Any], int]:
    """The in-flight ghost sums of a concrete bag, by (field, key)."""
    u = universe_of(state)
    sums: dict[tuple[str, Any], int] = {}
    for name in ("fl_grant", "fl_release", "fl_claim", "fl_liq", "n_call", "n_liq"):
        for key in u.keys("as"):
            sums[(name, key)] = 0
    for a in u.accounts:
        sums[("hot_grants", a)] = 0
    for env in state.network.in_flight.values():
        msg = env.payload
        a = msg.account
        if msg.type == "CreditGrant":
            sums[("fl_grant", (a, env.receiver))] += msg.amount
            if msg.epoch >= state.hub.status[a].epoch:
                sums[("hot_grants", a)] += 1
        elif msg.type == "MarginCall":
            epoch = state.hub.status[a].epoch
            if msg.epoch == epoch and msg.epoch > state.spokes[(env.receiver, a)].called_epoch:
                sums[("n_call", (a, env.receiver))] += 1
        elif msg.type == "CreditRelease":
            sums[("fl_release", (a, env.sender))] += msg.amount
        elif msg.type == "LossClaim":
            sums[("fl_claim", (a, env.sender))] += msg.amount
        elif msg.type == "LiquidationReport":
            sums[("fl_liq", (a, env.sender))] += msg.released + msg.loss
            sums[("n_liq", (a, env.sender))] += 1
    return sums


@last_seen(4)
def values(state: State) -> dict[tuple[str, Any], Value]:
    """Every encoded field of a concrete state, by (field, key).  Remembered for the last few
    states (a step's post-state is judged again as the next pre-state): do not mutate."""
    hub, g = state.hub, state.ghost
    out: dict[tuple[str, Any], Value] = {}
    u = universe_of(state)
    for (a, x), v in hub.collateral.items():
        out[("collateral", (a, x))] = v
    for (a, s), v in hub.alloc.items():
        out[("alloc", (a, s))] = v
        out[("pending", (a, s))] = s in hub.status[a].pending
        out[("rep_seq", (a, s))] = hub.reports[(a, s)].seq
        out[("severed", (a, s))] = (a, s) in hub.severed
    for a, st in hub.status.items():
        out[("liquidating", a)] = st.liquidating
        out[("epoch", a)] = st.epoch
        out[("req_at_call", a)] = st.requirement_at_call
        out[("called", a)] = st.called
        out[("called_at", a)] = st.called_at
        out[("deadline", a)] = st.deadline
    for s in u.spokes:
        out[("cap", s)] = hub.caps[s]
        out[("paused", s)] = s in hub.paused
        out[("listing", s)] = LISTING_CODE[listing_of(state, s)]
        out[("socialized", s)] = hub.socialized[s]
        out[("drawn", s)] = drawn_of(state, s)
        out[("ins_limit", s)] = limit_of(state.params, s)
        out[("bucket", s)] = hub.buckets.get(s, 0)
        for name in ("granted", "released", "claimed", "paid"):
            out[(name, s)] = getattr(g, name)[s]
        out[("compromised", s)] = s in g.compromised
    for x in u.assets:
        out[("insurance", x)] = hub.insurance[x]
        out[("tokens", x)] = hub.tokens[x]
    for (s, x), v in hub.owed.items():
        out[("owed", (s, x))] = v
    for (s, a), acct in state.spokes.items():
        for name in ("line", "balance", "seq", "called_epoch", "frozen"):
            out[(name, (s, a))] = getattr(acct, name)
    out[("inflight", ())] = frozenset(state.network.in_flight)
    out[("delivered", ())] = frozenset(state.network.delivered)
    out[("next_id", ())] = state.network.next_id
    out[("now", ())] = state.oracle.now
    out[("hub_compromised", ())] = HUB in g.compromised
    out |= ghost_sums(state)
    return out


@cache
def z3_value(value: Value) -> Expr:
    """A concrete value as a Z3 constant (built once per value: judging asks for the same
    small numbers and id sets over and over)."""
    if isinstance(value, bool):
        return z3.BoolVal(value)
    if isinstance(value, int):
        return z3.IntVal(value)
    array = z3.K(z3.IntSort(), z3.BoolVal(False))
    for i in sorted(value):
        array = z3.Store(array, i, True)
    return array


def universe_key(u: Universe) -> tuple[Any, ...]:
    """A hashable stand-in for a universe: everything `fresh` and the rules read from it."""
    return (
        u.accounts,
        u.spokes,
        u.assets,
        tuple(sorted(u.haircut_bps.items())),
        u.penalty_bps,
        u.deadline_s,
        u.insurance,
        u.ordered,
        tuple(sorted(u.rate.items())),
        u.top_up_window_s,
        u.partial_target_bps,
        u.partial_penalty_bps,
    )


def symbolic_state(state: State, prefix: str) -> SymState:
    """The symbolic state of `state`'s universe named `prefix`, built once."""
    u = universe_of(state)
    return _symbolic(universe_key(u), prefix, u)


_SYMBOLIC: dict[tuple[Any, str], SymState] = {}


def _symbolic(key: tuple[Any, ...], prefix: str, u: Universe) -> SymState:
    hit = _SYMBOLIC.get((key, prefix))
    if hit is None:
        hit = _SYMBOLIC[(key, prefix)] = fresh(u, prefix)
    return hit


def assignment(state: State, prefix: str = "pre") -> dict[Any, Any]:
    """The abstraction of a concrete state: each Z3 variable of `fresh(u, prefix)` -> value."""
    sym = symbolic_state(state, prefix)
    vals = values(state)
    return {term: z3_value(vals[(name, key)]) for name, key, term in sym.entries()}


def abstraction(state: State, names: tuple[tuple[str, Any], ...]) -> list[Expr]:
    """The abstraction's values of `state`, in the order of `names` (a `Layout`'s)."""
    vals = values(state)
    return [z3_value(vals[name]) for name in names]


def equals_state(sym: SymState, state: State) -> Expr:
    """The symbolic state's fields equal the concrete state's values."""
    vals = values(state)
    return z3.And([term == z3_value(vals[(name, key)]) for name, key, term in sym.entries()])


# --- one concrete step, judged by the relation -----------------------------------------


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


def apply_packer(function: z3.FuncDeclRef, terms: list[Expr]) -> Expr:
    """`function(*terms)` in one call of Z3's C API (the Python call checks and casts each
    of several hundred arguments; the sorts match by construction, and a Python constant
    is cast to its argument's sort as the Python call would)."""
    ctx = function.ctx
    args = [t if z3.is_expr(t) else function.domain(i).cast(t) for i, t in enumerate(terms)]
    built = z3.Z3_mk_app(ctx.ref(), function.ast, len(args), pack(args))
    return z3.z3._to_expr_ref(built, ctx)


def substitute(term: Expr, pairs: list[tuple[Any, Any]]) -> Expr:
    """`z3.substitute(term, *pairs)` without the Python-side sort checks (the pairs are the
    abstraction's variables and values, of matching sorts by construction)."""
    n = len(pairs)
    sources, targets = (z3.Ast * n)(), (z3.Ast * n)()
    for i, (source, target) in enumerate(pairs):
        sources[i], targets[i] = source.as_ast(), target.as_ast()
    ctx = term.ctx
    return z3.z3._to_expr_ref(z3.Z3_substitute(ctx.ref(), term.as_ast(), n, sources, targets), ctx)


_PACKS: dict[int, tuple[SymState, Any]] = {}


def packer(sym: SymState) -> Any:
    """An uninterpreted function of (status, error, every field of a state like `sym`), to
    carry a whole transition result through one substitution (built once per `sym`)."""
    hit = _PACKS.get(id(sym))
    if hit is None or hit[0] is not sym:
        sorts = [z3.IntSort(), z3.IntSort(), *(term.sort() for _, _, term in sym.entries())]
        hit = _PACKS[id(sym)] = (
            sym,
            z3.Function(f"judge.pack.{len(_PACKS)}", *sorts, z3.BoolSort()),
        )
    return hit[1]


def members(term: Expr) -> frozenset[int] | None:
    """The ids a ground id-set term holds (a chain of stores over a constant array), or
    None if it is not in that shape."""
    stored: dict[int, bool] = {}
    while z3.is_store(term):
        index, value = term.arg(1), term.arg(2)
        if not z3.is_int_value(index) or not (z3.is_true(value) or z3.is_false(value)):
            return None
        stored.setdefault(index.as_long(), z3.is_true(value))
        term = term.arg(0)
    if not (z3.is_const_array(term) and z3.is_false(term.arg(0))):
        return None
    return frozenset(i for i, inside in stored.items() if inside)


def constants(term: Expr) -> list[Value | None]:
    """The Python value (int, bool or id set) of each argument of a ground application, or
    None for an argument that is not a constant.  Reads the arguments through Z3's C API:
    wrapping each in a Python object costs more than the rest of judging a step."""
    ctx = term.ctx
    ref, app = ctx.ref(), term.as_ast()
    out: list[Value | None] = []
    for i in range(z3.Z3_get_app_num_args(ref, app)):
        arg = z3.Z3_get_app_arg(ref, app, i)
        if z3.Z3_get_ast_kind(ref, arg) == z3.Z3_NUMERAL_AST:
            out.append(int(z3.Z3_get_numeral_string(ref, arg)))
            continue
        truth = z3.Z3_get_bool_value(ref, arg)
        if truth == z3.Z3_L_TRUE or truth == z3.Z3_L_FALSE:
            out.append(truth == z3.Z3_L_TRUE)
            continue
        wrapped = z3.z3._to_expr_ref(arg, ctx)
        out.append(members(wrapped) if z3.is_array(wrapped) else None)
    return out


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
        s = z3.Solver()
        s.set("timeout", 10_000)
        s.add(equals_state(rel.sym, pre), *[var == value for var, value in tied])
        for name, key, term in unsettled:
            if s.check(term != z3_value(vals[(name, key)])) != z3.unsat:
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


__all__ = ["FIELDS", "Judgement", "assignment", "judge", "values"]
