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
from collections.abc import Iterator

import pytest
import z3

import proofs.premises
from proofs.catalogue import select
from proofs.checking import check
from proofs.mutants import MUTANTS
from proofs.runner import prebuild, run, run_with_bmc

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


@pytest.fixture
def global_seed() -> Iterator[None]:
    """Another library's (or test's) global Z3 random seed, put back afterwards."""
    z3.set_param("smt.random_seed", 7)
    try:
        yield
    finally:
        z3.set_param("smt.random_seed", 0)


def test_a_verdict_and_its_count_do_not_depend_on_what_the_process_did_before(
    global_seed: None,
) -> None:
    """PROOF-BUDGET-4: after proving other obligations in this process, refuting a mutant's
    (its counterexample's model translated into the main context), building main-context
    terms of the same names, and under a global random seed, the suspect obligation gets the
    verdict and the resource count it gets in a process of its own."""
    alone = fresh_process(SUSPECT)
    assert alone[0] == "proved" and alone[1] > 0
    others = [o.name for o in select(None) if o.name != SUSPECT][:: len(select(None)) // 12]
    assert all(check(name).result == "proved" for name in others)
    mutant = MUTANTS[0]
    refuted = [check(name, mutant=mutant.name) for name in mutant.breaks]
    assert any(v.counterexample is not None for v in refuted)
    noise = [z3.Int(f"pre.balance[{i}]") + i for i in range(2_000)]
    assert len(noise) == 2_000
    verdict = check(SUSPECT)
    assert (verdict.result, verdict.rlimit) == alone


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


def test_terms_built_before_the_pool_forks_give_the_counts_of_a_fresh_process() -> None:
    """PROOF-RUN-2: with the queries built in this process before the pool forks (the
    workers inherit the memoized terms), every verdict and count is the one a process that
    built its own terms gets."""
    obligations = select(["*/step/Withdraw"])[:3]
    assert len(obligations) == 3
    prebuild(obligations)
    assert proofs.premises._STEPS, "prebuild memoized no step terms"
    pooled = run(obligations, jobs=2)
    assert [(v.result, v.rlimit) for v in pooled] == [fresh_process(o.name) for o in obligations]


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
