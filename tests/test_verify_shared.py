"""`intermargin verify` does work two checks need once (VER-RUN-3): a shared part runs once
in the pool, and the state-machine check's `ci` run is the differential check's corpus."""

import multiprocessing
from typing import Any

from intermargin.verify import Check, CheckResult, Part, Settings, Split
from intermargin.verify.checks import CHECKS
from intermargin.verify.schedule import run_checks, split_of
from intermargin.verify.shared_run import SHARED
from tests.test_verify import Heard, summed


def counted(runs: Any, value: int) -> int:
    """A part that records that it ran."""
    runs.append(value)
    return value


def test_a_shared_part_runs_once_and_answers_every_check_that_has_it() -> None:
    """VER-RUN-3: two checks with a part of the same shared key: the pool runs it once, and
    each check's verdict joins its result; a part of another key still runs."""
    with multiprocessing.Manager() as manager:
        runs = manager.list()
        one = Check(
            "one",
            ("VER-RUN-3",),
            lambda s: CheckResult("failed", 0, "not run whole"),
            lambda s: Split([Part("machine", counted, (runs, 5), shared="m")], summed),
        )
        two = Check(
            "two",
            ("VER-RUN-3",),
            lambda s: CheckResult("failed", 0, "not run whole"),
            lambda s: Split(
                [Part("own", counted, (runs, 1)), Part("machine", counted, (runs, 5), shared="m")],
                summed,
            ),
        )
        heard = Heard()
        results = run_checks([one, two], Settings(), 2, heard)
        ran = sorted(runs)
    assert ran == [1, 5]
    assert results["one"].summary == "sum 5"
    assert results["two"].summary == "sum 6"
    assert ("part", "one", "1/1") in heard.said and ("part", "two", "2/2") in heard.said


def test_the_state_machine_and_the_differential_corpus_share_one_ci_run() -> None:
    """VER-RUN-3, DIFF-5: of verify's checks, exactly the state machine and the differential
    check hold the shared `ci` run, and it is the costliest part (the pool starts it
    first, VER-RUN-1)."""
    settings = Settings()
    holders = {c.name: p for c in CHECKS for p in split_of(c, settings).parts if p.shared == SHARED}
    assert sorted(holders) == ["differential", "state-machine"]
    costliest = max((p for c in CHECKS for p in split_of(c, settings).parts), key=lambda p: p.cost)
    assert costliest.shared == SHARED
