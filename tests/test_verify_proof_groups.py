"""`intermargin verify` hands the proof obligations to its pool grouped by the step kind they
judge (VER-RUN-4), and a vacuity query shared by obligations is asked once (PROOF-RUN-3)."""

import json
import subprocess
import sys

import proofs.premises
from intermargin.verify import Settings
from intermargin.verify.proof_groups import check_group, groups, kind_of, proofs_split
from proofs import checking
from proofs.bmc import BmcResult
from proofs.catalogue import select
from proofs.checking import DEFAULT_BUDGET, Verdict, regimes
from proofs.mutants import transitions
from proofs.obligations import Obligation
from proofs.universe import proof_universe
from tests.test_proof_isolation import fresh_process

PASSED_BMC = BmcResult(2, 2, True, 0.0, "completes within K=2 rounds", ())


def test_every_obligation_is_in_one_group_of_one_kind() -> None:
    """VER-RUN-4: the groups cover every obligation of the catalogue once, each group judges
    one step kind (or none: the obligations about a state), in catalogue order."""
    names = [o.name for o in select(None)]
    found = groups(names)
    flat = [n for g in found for n in g]
    assert sorted(flat) == sorted(names) and len(flat) == len(set(flat))
    assert all(len({kind_of(n) for n in g}) == 1 for g in found)
    assert len({kind_of(g[0]) for g in found}) == len(found)
    assert all(list(g) == [n for n in names if n in g] for g in found)
    assert kind_of("no-double-spend/safety") == ""
    assert kind_of("channels-safe/step/Withdraw") == "Withdraw"


def test_the_split_builds_no_term_and_its_join_sees_every_obligation() -> None:
    """VER-RUN-4: splitting the proofs check builds no term in this process (the workers build
    them), and its verdict counts every obligation of every group: one failed obligation
    fails the check."""
    before = len(proofs.premises._STEPS), len(proofs.premises._PREMISE)
    split = proofs_split(Settings())
    assert (len(proofs.premises._STEPS), len(proofs.premises._PREMISE)) == before
    names = [o.name for o in select(None)]
    assert split.parts[0].label == "propagation BMC"
    assert sorted(n for p in split.parts[1:] for n in p.args[0]) == sorted(names)

    def verdicts(group: tuple[str, ...], result: str) -> list[Verdict]:
        return [Verdict(n, "INV-X", "step", result, 0.0) for n in group]  # type: ignore[arg-type]

    proved = [verdicts(p.args[0], "proved") for p in split.parts[1:]]
    joined = split.join([PASSED_BMC, *proved], 1.0)
    assert joined.status == "passed"
    assert joined.summary.startswith(f"{len(names)} of {len(names)} obligations proved")
    proved[-1] = verdicts(split.parts[-1].args[0], "FAILED")
    assert split.join([PASSED_BMC, *proved], 1.0).status == "failed"


def test_a_vacuity_query_is_asked_once_and_every_verdict_is_a_fresh_process_s() -> None:
    """PROOF-RUN-3, PROOF-BUDGET-4: obligations of one kind share their vacuity queries, so
    checking three of them asks fewer vacuity queries than they hold, and each gets the
    verdict and count a process that checked nothing else gets."""
    obligations = select(["*/step/Withdraw"])[:3]
    assert len(obligations) == 3
    u, table = proof_universe(), transitions(None)
    asked = sum(len(regimes(o.queries(u, table))) for o in obligations)
    checking._VACUITY.clear()
    here = check_group(tuple(o.name for o in obligations), DEFAULT_BUDGET)
    assert 1 <= len(checking._VACUITY) < asked
    assert all(v.result == "proved" for v in here)
    # The counts are compared in a fresh process, as a pool worker of `verify` runs them: in
    # the test process, after other tests (a CI run under xdist), one count came out at
    # 70062 against a fresh process's 73218 for the same verdict, so something a test
    # leaves behind still moves a count (PROOF-BUDGET-4; not reproduced by checking other
    # groups first, which `verify`'s workers do).
    assert group_in_fresh_process(obligations) == [fresh_process(o.name) for o in obligations]


def group_in_fresh_process(obligations: list[Obligation]) -> list[tuple[str, int]]:
    """The (result, rlimit) of each obligation, checked as one group in a new process."""
    program = (
        "import json, sys; from intermargin.verify.proof_groups import check_group;"
        " from proofs.checking import DEFAULT_BUDGET;"
        " print(json.dumps([[v.result, v.rlimit] for v in"
        " check_group(tuple(sys.argv[1:]), DEFAULT_BUDGET)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, *(o.name for o in obligations)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [(result, rlimit) for result, rlimit in json.loads(done.stdout)]
