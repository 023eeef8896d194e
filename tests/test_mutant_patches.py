"""Mutants are patches of the current code, not copies: each still differs from the rule it
mutates, its patch names a target the code has, and a patch is undone after its block
(PROOF mutants of `proofs.mutants`; the model's are checked in tests/test_mutants.py)."""

import pytest
import z3

import proofs.transitions.hub as hub
from proofs.mutants import MUTANTS, Mutant
from proofs.patches import Patch, Witness, patched, under
from proofs.premises import id_choices, symbolic_action
from proofs.state import Universe, equal, fresh
from proofs.transitions import KIND_BY_NAME, Transition
from proofs.universe import PROOF_CTX, params_of, proof_universe


def differs(kind_name: str, mutated: Transition, u: Universe | None = None) -> bool:
    """Some pre-state and step (within the declared bounds) on which the mutated
    transition's status, error or post-state is not the rule's (in universe `u`, by default
    the proof universe)."""
    u = u if u is not None else proof_universe()
    kind = KIND_BY_NAME[kind_name]
    for ids in id_choices(u, kind):
        pre = fresh(u, "pre")
        act, inp, bounds = symbolic_action(kind, ids)
        rule = kind.fn(PROOF_CTX, pre, act, inp)
        other = mutated(PROOF_CTX, pre, act, inp)
        solver = z3.Solver()
        solver.add(bounds)
        solver.add(
            z3.Or(
                rule.status != other.status,
                rule.error != other.error,
                z3.Not(equal(rule.post, other.post)),
            )
        )
        verdict = solver.check()
        assert verdict != z3.unknown, f"{kind_name}: {solver.reason_unknown()}"
        if verdict == z3.sat:
            return True
    return False


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_every_encoding_mutant_still_differs_from_the_rule_it_mutates(mutant: Mutant) -> None:
    """Each kind a mutant names has a step on which the patched transition and the rule
    disagree: a mutant whose patch no longer touches the rule would be caught here."""
    u = Universe.of(params_of(mutant.breaks[0]))  # the universe its obligations run in
    for kind_name, mutated in mutant.replaces.items():
        assert differs(kind_name, mutated, u), f"{mutant.name} no longer changes {kind_name}"


def test_a_patch_that_changes_nothing_is_found_equal() -> None:
    """The check above can fail: a 'mutant' replacing the partition cap by itself agrees
    with the rule on every step."""
    same = (Patch(hub, "partition_cap", hub.partition_cap),)
    assert not differs("GrantCredit", under(same, KIND_BY_NAME["GrantCredit"].fn))


def test_a_patch_is_undone_after_its_block_and_needs_a_real_target() -> None:
    """A patch applies only inside its block, and one naming what the code no longer has
    fails loudly instead of mutating nothing."""
    original = hub.partition_cap
    with patched((Patch(hub, "partition_cap", hub.frozen_for_credit),)):
        assert hub.partition_cap is hub.frozen_for_credit
    assert hub.partition_cap is original
    with (
        pytest.raises(KeyError, match="has no partition_cap_of"),
        patched((Patch(hub, "partition_cap_of", original),)),
    ):
        pass  # pragma: no cover
    assert hub.partition_cap is original


def test_a_witness_counts_the_calls_its_replacement_answers_otherwise() -> None:
    """The evidence tests/test_mutants.py asks of a model mutant: calls where the patched
    helper and the original disagree."""
    table = {"f": abs}
    witness = Witness(Patch(table, "f", lambda x: x))
    with patched((witness.patch_recording(),)):
        assert [table["f"](x) for x in (3, -3, 0)] == [3, -3, 0]
    assert (witness.calls, witness.differed) == (3, 1)
    assert table["f"] is abs
