"""The proofs hold for every price (PROOF-PRICE-1..5): symbolic prices within their bound,
every availability regime, prices that move between steps, the BMC's one price vector
justified step by step, and counterexamples replayed at the prices they were found at."""

from dataclasses import replace

import z3

from model import initial_state, step
from model.invariants import STATE_INVARIANTS
from model.observe import restore
from model.oracle import price_of
from proofs.budget import check_assuming
from proofs.catalogue import select
from proofs.checking import check
from proofs.concretize import quotes_for, trace_of
from proofs.invariants import all_invariants
from proofs.mutants import transitions
from proofs.premises import id_choices, in_bag, invariant_premise, step_contexts, symbolic_action
from proofs.prices import independence_queries, moved
from proofs.transitions import KIND_BY_NAME, KINDS
from proofs.transitions.outcome import ACCEPTED
from proofs.universe import price_bounds, price_contexts, proof_params, proof_universe
from spec.bounds import MAX_PRICE
from spec.trace import Trace

U = proof_universe()
TABLE = transitions(None)


def floating(ctx_prices: dict[str, object]) -> list[str]:
    return [x for x, p in ctx_prices.items() if z3.is_expr(p)]


def test_every_non_fixed_price_is_a_bounded_variable_and_every_regime_is_asked() -> None:
    """PROOF-PRICE-1, PROOF-PRICE-2: the first regime prices every asset, the non-fixed ones
    as variables within 1..MAX_PRICE; the others leave each non-empty set of them unpriced;
    a kind that reads a price is proved under all regimes, one that reads none under one."""
    regimes = price_contexts(U)
    fixed = {x for x, p in U.fixed_price.items() if p is not None}
    assert floating(dict(regimes[0].prices)) == [x for x in U.assets if x not in fixed]
    assert len(regimes) == 2 ** len(floating(dict(regimes[0].prices)))
    assert all(regimes[0].prices[x] == U.fixed_price[x] for x in fixed)
    s = z3.Solver()
    s.add(price_bounds(regimes[0]))
    for x in floating(dict(regimes[0].prices)):
        for value, verdict in ((0, z3.unsat), (1, z3.sat), (MAX_PRICE, z3.sat)):
            assert check_assuming(s, regimes[0].prices[x] == value) == verdict
    reading = {k.name for k in KINDS if len(step_contexts(U, TABLE, k)) > 1}
    assert {"GrantCredit", "Withdraw", "DeliverClaim", "DeliverLiqReport"} <= reading
    assert "Deposit" not in reading and "PublishPrice" not in reading
    assert all(len(step_contexts(U, TABLE, KIND_BY_NAME[k])) == len(regimes) for k in reading)


def test_each_regime_admits_an_accepted_step_at_both_ends_of_the_price_bound() -> None:
    """PROOF-PRICE-1, PROOF-PRICE-2 (vacuity of the new premises): for every kind that reads a
    price, each regime's premises admit an accepted step, at the least and the greatest
    price."""
    pre, invariants = invariant_premise(U)
    for kind in KINDS:
        regimes = step_contexts(U, TABLE, kind)
        if len(regimes) == 1 or not kind.takes_effect:
            continue
        ids = next(
            c
            for c in id_choices(U, kind)
            if c.get("sender") != "hub"
            and c.get("receiver", "hub") == "hub"
            and c.get("asset") in (None, *floating(dict(regimes[0].prices)))
        )
        for ctx in regimes:
            act, inp, bounds = symbolic_action(kind, ids)
            res = TABLE[kind.name](ctx, pre, act, inp)
            s = z3.Solver()
            s.add(invariants, bounds, price_bounds(ctx), in_bag(pre, kind, act))
            s.add(res.status == ACCEPTED)
            for x in floating(dict(ctx.prices)):
                for value in (1, MAX_PRICE):
                    at_end = check_assuming(s, ctx.prices[x] == value)
                    assert at_end == z3.sat, (kind.name, x, value)
            assert s.check() == z3.sat, (kind.name, ctx)


def test_the_invariants_survive_a_crash_between_a_grant_and_the_seizures() -> None:
    """PROOF-PRICE-3: a grant at one price, then (any PublishPrice later) a loss claim of the
    same account and a liquidation answer of another, each seized at its own, unrelated
    price: the invariants hold after every step, and such a run exists with the price
    halved in between."""
    pre, invariants = invariant_premise(U)
    first = price_contexts(U)[0]
    crash, later = moved(first, "crash"), moved(first, "later")
    alice = {"account": U.accounts[0], "spoke": U.spokes[0]}
    bob = {"account": U.accounts[1], "spoke": U.spokes[0]}
    state, premises, accepted = pre, [invariants, price_bounds(first)], []
    chain = (
        ("GrantCredit", first, alice),
        ("DeliverClaim", crash, alice),
        ("DeliverLiqReport", later, bob),
    )
    for name, ctx, ids in chain:
        kind = KIND_BY_NAME[name]
        act, inp, bounds = symbolic_action(kind, ids, prefix=name)
        res = TABLE[name](ctx, state, act, inp)
        premises += [bounds, price_bounds(ctx), in_bag(state, kind, act)]
        accepted.append(res.status == ACCEPTED)
        state = res.post
        s = z3.Solver()
        s.add(*premises, z3.Not(all_invariants(state)))
        assert s.check() == z3.unsat, name
    eth = [c.prices["ETH"] for c in (first, crash, later)]
    s = z3.Solver()
    s.add(*premises, *accepted, eth[1] * 2 <= eth[0], eth[2] == eth[1])
    assert s.check() == z3.sat


def test_the_bmc_may_fix_its_prices_because_no_step_it_takes_reads_their_level() -> None:
    """PROOF-PRICE-4: every price-independence obligation proves (the liquidation and every
    delivery kind), and a rule that lets the price level decide whether a claim waits
    breaks it with a counterexample."""
    obligations = select(["price-independence/*"])
    assert {o.name.rsplit("/", 1)[1] for o in obligations} >= {
        k.name for k in KINDS if k.action == "Deliver"
    }
    assert all(check(o.name).result == "proved" for o in obligations)
    broken = check("price-independence/step/DeliverClaim", mutant="claim-waits-in-a-crash")
    assert broken.result == "FAILED" and broken.counterexample is not None
    assert broken.counterexample.kind == "DeliverClaim"
    assert set(broken.counterexample.prices) == set(U.assets)
    ids = {"account": U.accounts[0], "spoke": U.spokes[0]}
    query = independence_queries(U, TABLE, KIND_BY_NAME["DeliverClaim"], ids)[0]
    s = z3.Solver()
    s.add(query.premises, query.witness)
    assert s.check() == z3.sat


def test_a_counterexample_at_symbolic_prices_replays_at_those_prices() -> None:
    """PROOF-PRICE-5: the counterexample of a capacity mutant names the ETH price its step saw;
    its trace validates, starts from a state meeting the model's invariants whose oracle
    gives exactly that price, and its step runs through the model."""
    verdict = check("capacity-at-commit/step/GrantCredit", mutant="grant-ignores-in-flight")
    cex = verdict.counterexample
    assert cex is not None and set(cex.prices) == set(U.assets)
    trace = Trace.model_validate_json(trace_of(cex).model_dump_json())
    assert trace.initial is not None
    state = restore(trace.params, trace.initial)
    assert {i: f(state) for i, f in STATE_INVARIANTS.items() if f(state)} == {}
    assert {x: price_of(state, x) for x in U.assets} == dict(cex.prices)
    _, outcome = step(state, trace.steps[0].action)
    assert outcome.status in ("accepted", "rejected")


def test_quotes_give_the_oracle_exactly_the_prices_asked_or_none() -> None:
    """PROOF-PRICE-5: a quorum of fresh equal quotes yields the price; an unpriced asset gets
    no quote, so the oracle has none for it; the fixed-price asset keeps its constant."""
    params = proof_params()
    base = initial_state(params)
    for eth in (1, 1_234, MAX_PRICE, None):
        quotes = quotes_for(params, {"ETH": eth, "USD": 1}, 7)
        state = replace(base, oracle=replace(base.oracle, now=7, quotes=quotes))
        assert price_of(state, "ETH") == eth
        assert price_of(state, "USD") == 1
