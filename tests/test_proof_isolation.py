"""PROOF-BUDGET-4: an obligation's verdict and its resource count do not depend on what the
process did before.

One CI run saw severed-means-settled/step/Withdraw not proved when checked in the test
process after other tests; `intermargin prove` on a loaded machine once ran
channels-safe/step/Withdraw's vacuity check out of its 7M.  The cause: every query was
built and solved in Z3's main context, whose search depends on the ids of the terms it
holds, so the same query used more or less of its limit depending on what the process had
built, solved and translated before (checking every third obligation forwards and
backwards, 193 of 198 counts differed, 60 by more than a fifth; now none).  Each
obligation is now solved in a context of its own, a model comes back to the main context
only for a counterexample, and the solver's random seed is its own.
"""

import json
import subprocess
import sys
from typing import Any

import z3

import proofs.premises
from proofs.budget import check_assuming
from proofs.catalogue import select
from proofs.checking import check
from proofs.mutants import MUTANTS
from proofs.runner import prebuild, run, run_with_bmc
from spec.requirements import ROOT

SUSPECT = "severed-means-settled/step/Withdraw"


def fresh_process(name: str) -> tuple[str, int]:
    """The obligation's (result, rlimit) in a process that checked nothing before it."""
    program = (
        "import json, sys; from proofs.checking import check;"
        " v = check(sys.argv[1]); print(json.dumps([v.result, v.rlimit]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, name], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result, rlimit = json.loads(done.stdout)
    return result, rlimit


def suspect_after_other_work() -> tuple[str, int]:
    """In this process: prove other obligations, refute a mutant's (its counterexample's
    model translated into the main context), build main-context terms of the same names,
    set a global random seed; then the suspect obligation's (result, rlimit)."""
    z3.set_param("smt.random_seed", 7)
    others = [o.name for o in select(None) if o.name != SUSPECT][:: len(select(None)) // 12]
    assert all(check(name).result == "proved" for name in others)
    mutant = MUTANTS[0]
    refuted = [check(name, mutant=mutant.name) for name in mutant.breaks]
    assert any(v.counterexample is not None for v in refuted)
    noise = [z3.Int(f"pre.balance[{i}]") + i for i in range(2_000)]
    assert len(noise) == 2_000
    verdict = check(SUSPECT)
    return verdict.result, verdict.rlimit


def in_own_process(function: str) -> Any:
    """A function of this module run in a process of its own, its result through JSON: the
    pytest worker has run other tests, and a solve in Z3's main context (which tests do,
    the project's proofs never) moves later counts (PROOF-BUDGET-4)."""
    program = (
        f"import json; from tests.test_proof_isolation import {function};"
        f" print(json.dumps({function}()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_verdict_and_its_count_do_not_depend_on_what_the_process_did_before() -> None:
    """PROOF-BUDGET-4: after the work of `suspect_after_other_work`, the suspect obligation
    gets the verdict and the resource count it gets in a process of its own."""
    alone = fresh_process(SUSPECT)
    assert alone[0] == "proved" and alone[1] > 0
    assert tuple(in_own_process("suspect_after_other_work")) == alone


def test_a_solve_in_the_main_context_moves_a_later_count_but_never_a_verdict() -> None:
    """PROOF-BUDGET-4, the limit of the isolation: a check in Z3's main context with an
    assumption (a test's, not the proofs') changes the resource count of a query the process
    asks afterwards in a context of its own, but not its verdict; `check_assuming`, a pushed
    scope, changes neither."""
    alone = fresh_process(SUSPECT)
    assert tuple(in_own_process("suspect_after_a_pushed_scope")) == alone
    moved = in_own_process("suspect_after_a_main_context_assumption")
    assert moved[0] == alone[0] == "proved"


def suspect_after_a_main_context_assumption() -> tuple[str, int]:
    x = z3.Int("q")
    solver = z3.Solver()
    solver.add(x > 3, x < 10)
    assert solver.check(x == 5) == z3.sat
    verdict = check(SUSPECT)
    return verdict.result, verdict.rlimit


def suspect_after_a_pushed_scope() -> tuple[str, int]:
    x = z3.Int("q")
    solver = z3.Solver()
    solver.add(x > 3, x < 10)
    assert check_assuming(solver, x == 5) == z3.sat
    verdict = check(SUSPECT)
    return verdict.result, verdict.rlimit


def test_the_bmc_beside_the_obligations_gives_what_a_sequential_run_gives() -> None:
    """PROOF-RUN-1, PROOF-BUDGET-4: the BMC started first in the pool, beside the obligations,
    gives the same verdicts, counts and bound as everything run one after the other in this
    process."""
    obligations = select(["*/step/DeliverLiqReport"])[:4]
    assert len(obligations) == 4
    alone, alone_bmc = run_with_bmc(obligations, jobs=1, bmc_spokes=1)
    pooled, pooled_bmc = run_with_bmc(obligations, jobs=2, bmc_spokes=1)
    assert [(v.obligation, v.result, v.rlimit) for v in alone] == [
        (v.obligation, v.result, v.rlimit) for v in pooled
    ]
    assert alone_bmc is not None and pooled_bmc is not None and alone_bmc.ok
    assert (alone_bmc.bound, alone_bmc.per_k, alone_bmc.rlimit) == (
        pooled_bmc.bound,
        pooled_bmc.per_k,
        pooled_bmc.rlimit,
    )


def prebuilt_then_pooled() -> list[tuple[str, int]]:
    """The first three Withdraw obligations' (result, rlimit), their queries built in this
    process before a pool of two forks."""
    obligations = select(["*/step/Withdraw"])[:3]
    assert len(obligations) == 3
    prebuild(obligations)
    assert proofs.premises._STEPS, "prebuild memoized no step terms"
    return [(v.result, v.rlimit) for v in run(obligations, jobs=2)]


def test_terms_built_before_the_pool_forks_give_the_counts_of_a_fresh_process() -> None:
    """PROOF-RUN-2: with the queries built in the parent before the pool forks (the workers
    inherit the memoized terms), every verdict and count is the one a process that built its
    own terms gets."""
    pooled = in_own_process("prebuilt_then_pooled")
    names = [o.name for o in select(["*/step/Withdraw"])[:3]]
    assert [tuple(p) for p in pooled] == [fresh_process(name) for name in names]


def test_without_z3_s_argument_assertions_the_verdicts_and_counts_are_the_same() -> None:
    """PROOF-RUN-4: a lean worker (z3's argument assertions off, the collector scanning less
    often) builds the same terms: an obligation gets the verdict and count a process with
    the assertions gets, and the test process keeps them (a misuse still fails here with
    z3's message)."""
    program = (
        "import gc, json, sys; from proofs.lean import YOUNG_OBJECTS, lean_worker;"
        " lean_worker(); import z3; assert not z3.z3_debug();"
        " assert gc.get_threshold()[0] == YOUNG_OBJECTS;"
        " from proofs.checking import check;"
        " v = check(sys.argv[1]); print(json.dumps([v.result, v.rlimit]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, SUSPECT], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert tuple(json.loads(done.stdout)) == fresh_process(SUSPECT)
    assert z3.z3_debug()
