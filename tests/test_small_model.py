"""The small-model argument (PROOF-SMALL-1..5, spec/verification.md), backed: steps are
local, the proofs do not depend on which account and spoke represent the others, and a
representative set of obligations re-proves on 3 accounts x 3 spokes."""

import z3

from proofs.catalogue import select
from proofs.checking import check_obligation
from proofs.mutants import transitions
from proofs.premises import id_choices, symbolic_action
from proofs.small_model import REPRESENTATIVE, main, reprove
from proofs.state import Universe, fresh
from proofs.transitions import KINDS
from proofs.universe import PROOF_CTX, price_contexts, proof_params, proof_universe

TABLE = transitions(None)


def test_every_step_writes_only_entries_of_the_ids_it_names() -> None:
    """PROOF-SMALL-3: on 3 x 3, no step of any kind changes an entry keyed only by accounts
    and spokes it does not name (per-account, per-spoke and per-pair entries of the
    others); only entries keyed by its own ids, by assets, or global ones move."""
    u = proof_universe(3, 3)
    ctx = price_contexts(u)[0]
    pre = fresh(u, "pre")
    checked = 0
    for kind in KINDS:
        for ids in id_choices(u, kind):
            act, inp, bounds = symbolic_action(kind, ids)
            post = TABLE[kind.name](ctx, pre, act, inp).post
            named = set(ids.values())
            if kind.name == "ForceSettle":  # PROOF-SMALL-3: it settles with every spoke alike
                named |= set(u.spokes)
            frame = [
                before == after
                for (_, key, before), (_, _, after) in zip(
                    pre.entries(), post.entries(), strict=True
                )
                if untouched(u, key, named)
            ]
            s = z3.Solver()
            s.add(bounds, z3.Not(z3.And(frame)))
            assert s.check() == z3.unsat, (kind.name, ids)
            checked += 1
    assert checked >= len(KINDS)


def untouched(u: Universe, key: object, named: set[str]) -> bool:
    """The entry is keyed by some account or spoke, none of them one the step names."""
    parts = key if isinstance(key, tuple) else (key,)
    ids = {k for k in parts if k in u.accounts or k in u.spokes}
    return bool(ids) and not ids & named


def test_the_proofs_do_not_depend_on_which_account_and_spoke_represent_the_rest() -> None:
    """PROOF-SMALL-1: with the accounts and spokes declared in reverse order the
    representative step is another account's on another spoke, and the obligations about
    the riskiest steps still prove."""
    params = proof_params()
    flipped = Universe.of(
        params.model_copy(update={"accounts": params.accounts[::-1], "spokes": params.spokes[::-1]})
    )
    assert (flipped.accounts[0], flipped.spokes[0]) != (
        proof_universe().accounts[0],
        proof_universe().spokes[0],
    )
    for ob in select(["*/step/GrantCredit", "*/step/DeliverLiqReport"]):
        assert check_obligation(ob, universe=flipped).result == "proved", ob.name


def test_a_representative_set_of_obligations_proves_on_three_accounts_and_three_spokes() -> None:
    """PROOF-SMALL-2, PROOF-SMALL-4, PROOF-SMALL-5: every init and safety obligation and every
    obligation about the steps that read sums or settlement's conjunction proves on 3 x 3,
    none vacuous, none unknown (where the reduction to 2 x 2 stops, this checks directly)."""
    u = proof_universe(3, 3)
    assert (len(u.accounts), len(u.spokes)) == (3, 3)
    verdicts = reprove(REPRESENTATIVE, accounts=3, spokes=3, jobs=2)
    assert len(verdicts) == len(select(list(REPRESENTATIVE)))
    assert {v.invariant for v in verdicts} >= {"INV-CREDIT-1", "INV-PART-1", "INV-ASSET-1"}
    assert [f"{v.obligation}: {v.result}" for v in verdicts if v.result != "proved"] == []


def test_the_script_refuses_a_universe_the_parameters_do_not_have(capsys) -> None:  # type: ignore[no-untyped-def]
    """PROOF-SMALL-5: `python -m proofs.small_model` says what it cannot do, exit 2."""
    assert main(["--accounts", "9"]) == 2
    assert "3 accounts" in capsys.readouterr().err
    assert main(["--spokes", "0"]) == 2
    assert PROOF_CTX.prices  # the 2 x 2 context the script's obligations start from
