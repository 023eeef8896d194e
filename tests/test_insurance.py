"""Insurance that respects the partitions (INS-1..INS-3, HUB-LOSS-6, INV-INS-1, PAR-19):
the model's draws under each structure, the encoding agreeing with it step by step, and
the kinds that cannot move a draw."""

from dataclasses import replace

import pytest
import z3

from model import State, initial_state
from model.invariants import draws_within_limits
from model.step import step
from proofs.concrete import judge
from proofs.concretize import insured
from proofs.partition_obligations import PAYING_KINDS
from proofs.premises import symbolic_action
from proofs.state import fresh
from proofs.transitions import KINDS
from proofs.universe import PROOF_CTX, proof_params, proof_universe
from spec.actions import Action, Deposit, GrantCredit, Inject, PublishPrice
from spec.examples import example_params
from spec.messages import LossClaim
from spec.params import Params

FEEDS = ("chainlink", "pyth", "redstone")


def params_with(structure: str, limits: tuple[tuple[str, int], ...] = ()) -> Params:
    return example_params().model_copy(
        update={"insurance_structure": structure, "insurance_limits": limits}
    )


def crash_and_claim(claims: int) -> tuple[Action, ...]:
    """alice backs 1500 of credit on arb with 1 ETH at 2000; ETH falls to 500; arb (turned
    malicious) claims 1500 for her, `claims` times at most: each time the 1 ETH covers 500
    at most and the rest (1000) is bad debt."""
    return (
        Deposit(account="alice", asset="ETH", amount=1),
        *(PublishPrice(feed=f, price=2_000) for f in FEEDS),
        GrantCredit(account="alice", spoke="arb", amount=1_500),
        *(PublishPrice(feed=f, price=500) for f in FEEDS),
        *(
            Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=n))
            for n in (1_500, 0)[:claims]
            if n
        ),
    )


def run_judged(params: Params, actions: tuple[Action, ...]) -> State:
    """Run the actions; on every step the encoding's relation agrees with the model (DIFF-1,
    DIFF-2) and INV-INS-1 holds."""
    state = initial_state(params)
    for action in actions:
        after, outcome = step(state, action)
        verdict = judge(state, action, after)
        assert verdict.accepts and verdict.status == outcome.status, (action, verdict)
        assert draws_within_limits(after) is None
        state = after
    return state


def test_a_shared_fund_covers_the_whole_shortfall() -> None:
    """INS-1, INS-2: `shared` (the default) draws without limit and keeps no record."""
    state = run_judged(params_with("shared"), crash_and_claim(1))
    assert state.hub.drawn == {} and state.hub.socialized["arb"] == 0
    assert state.hub.insurance["USD"] == example_params().insurance_fund[0][1] - 1_000


@pytest.mark.parametrize("structure", ["shared_limited", "per_partition"])
def test_a_partition_draws_at_most_its_limit_and_the_rest_is_socialized(structure: str) -> None:
    """INS-2, HUB-LOSS-6, INV-INS-1: with a limit of 300 for arb, the fund covers 300 of the
    1000 shortfall; 700 is socialized to arb's partition; base's limit is untouched."""
    params = params_with(structure, (("arb", 300), ("base", 5_000)))
    state = run_judged(params, crash_and_claim(1))
    assert state.hub.drawn == {"arb": 300} and state.hub.socialized["arb"] == 700
    assert state.ghost.paid["arb"] == 500 + 300


def test_a_spoke_without_a_declared_limit_draws_nothing() -> None:
    """INS-1: a spoke not in `insurance_limits` has limit 0: all its bad debt is socialized."""
    state = run_judged(params_with("shared_limited"), crash_and_claim(1))
    assert state.hub.drawn == {} and state.hub.socialized["arb"] == 1_000


def test_the_python_invariant_names_a_partition_above_its_limit() -> None:
    """INV-INS-1: the predicate fails on a draw above the limit (and only with limits)."""
    state = initial_state(params_with("per_partition", (("arb", 10),)))
    over = replace(state, hub=replace(state.hub, drawn={"arb": 11}))
    assert (
        draws_within_limits(over)
        == "arb's partition has drawn 11 from the insurance fund, above 10"
    )
    shared = replace(over, params=params_with("shared", (("arb", 10),)))
    assert draws_within_limits(shared) is None


def test_insurance_limits_must_name_declared_spokes() -> None:
    """PAR-19: a limit for an undeclared spoke is refused with the spoke's name."""
    with pytest.raises(ValueError, match="insurance limits: unknown spoke moon"):
        Params.model_validate(example_params().model_dump() | {"insurance_limits": (("moon", 1),)})


def test_only_the_paying_kinds_move_a_draw_or_a_limit() -> None:
    """INS-3: every kind but those of PAYING_KINDS leaves `drawn` and `ins_limit` as the very
    terms of the pre-state (so INV-INS-1's per-structure obligations need only those)."""
    u = replace(proof_universe(), insurance="shared_limited")
    pre = fresh(u, "frame")
    role_ids: dict[str, str] = {
        "account": u.accounts[0],
        "spoke": u.spokes[0],
        "asset": u.assets[0],
        "sender": u.spokes[0],
        "receiver": "hub",
    }
    moving = set()
    for kind in KINDS:
        ids: dict[str, str] = {r: role_ids[r] for r in kind.roles}
        act, inp, _ = symbolic_action(kind, ids)
        post = kind.fn(PROOF_CTX, pre, act, inp).post
        for name in ("drawn", "ins_limit"):
            for s in u.spokes:
                if not z3.eq(z3.simplify(post.get(name)[s]), pre.get(name)[s]):
                    moving.add(kind.name)
    assert moving == set(PAYING_KINDS)


def test_a_counterexample_of_a_structure_replays_under_that_structure() -> None:
    """INS-3, TRC-3: a trace concretized from an insurance-bound obligation carries its
    structure and the counterexample's limits (clamped to the declared bounds)."""
    base = proof_params()
    params = insured(base, "insurance-bound-shared_limited/step/DeliverClaim", lambda n, s: 7)
    assert params.insurance_structure == "shared_limited"
    assert params.insurance_limits == tuple((s.id, 7) for s in base.spokes)
    assert insured(base, "draws-within-limits/step/DeliverClaim", lambda n, s: 7) == base
