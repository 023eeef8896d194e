"""The kit catches bugs (CONF-20): every buggy build (the reference with one rule broken
at run time) fails `conform`, at least one per chapter; where the campaign finds the bug
within the test's budget, its shrunk case is a handful of steps.  The caught/total figures
are printed."""

import json
import sys
from pathlib import Path

import pytest

from conformance.bugs import BUGS, bug_named, installed
from conformance.vectors import case_files, load_case, moved
from spec.case import Case
from spec.chapters import CHAPTERS
from tests.conform_helpers import VECTORS, bug, conform

CAMPAIGN: dict[str, tuple[int, tuple[str, ...]]] = {
    "message-not-consumed": (400, ("spokes", "messaging")),
    "any-sender-authentic": (200, ("adversary",)),
    "healthy-only-above": (200, ("liquidation",)),
    "settles-before-the-deadline": (200, ("liveness", "hub", "adversary", "liquidation")),
}
"""The bugs a CI-sized campaign finds (its steps, the chapters it draws from).  The others
need a setup of several moves in one order (a price gone stale before a grant, a pause
before the paused spoke's claim, a levered position reported and then a price drop for
`report-without-positions`, found by about one seed in five at 1,500 steps) that a few
hundred random steps rarely reach; their vectors catch them."""

HANDFUL = 10
"""The most steps a shrunk divergence may keep."""

LONGER_SETUP = {"settles-before-the-deadline": 14}
"""Bugs whose shortest divergence needs more than a handful of steps, and how many at most:
a force-settle can only come early once a liquidation runs (a deposit, a quorum of quotes,
a grant and its delivery, a levered trade, a price drop, `Liquidate`), so its shrunk
case keeps about a dozen steps."""


def run(name: str, tmp_path: Path, *chapters: str, steps: int) -> dict[str, object]:
    report = tmp_path / "report.json"
    args = ["--steps", str(steps), "--per-example", "10", "--json", str(report)]
    args += ["--save", str(tmp_path)]
    for chapter in chapters:
        args += ["--chapter", chapter]
    done = conform(bug(name), *args)
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    data = json.loads(report.read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", [b.name for b in BUGS])
def test_each_buggy_build_is_caught(name: str, tmp_path: Path) -> None:
    """CONF-20: conform fails on the buggy build: a vector diverges, and for the bugs a
    small campaign reaches, the campaign's shrunk case has at most a handful of steps."""
    steps, chapters = CAMPAIGN.get(name, (0, (bug_named(name).chapter,)))
    data = run(name, tmp_path, *chapters, steps=steps)
    counts = data["counts"]
    assert isinstance(counts, dict)
    campaign = data["campaign"]
    if name in CAMPAIGN:
        assert isinstance(campaign, dict) and campaign["status"] == "fail"
        table = campaign["table"]
        assert isinstance(table, list) and 1 <= len(table) <= LONGER_SETUP.get(name, HANDFUL)
        saved = Path(str(campaign["case_file"]))
        assert saved.exists()
    assert counts["fail"] >= 1


def test_every_chapter_has_a_bug() -> None:
    """CONF-20: at least one buggy build per chapter, each naming the rule it breaks."""
    assert {b.chapter for b in BUGS} == set(CHAPTERS)
    from spec.requirements import requirements

    ids = requirements()
    assert all(b.rule in ids and b.story for b in BUGS)


def test_a_bug_is_installed_for_the_block_only() -> None:
    """CONF-20: the substitution is undone after the block, whatever happens."""
    import model.oracle

    original = model.oracle.fresh_quotes
    with pytest.raises(RuntimeError), installed("stale-price-accepted"):
        assert model.oracle.fresh_quotes is not original
        raise RuntimeError
    assert model.oracle.fresh_quotes is original
    with pytest.raises(KeyError, match="known"):
        bug_named("nope")


def test_print_the_caught_figure() -> None:
    """CONF-20: the caught/total figure: every bug installed in this process in turn, the
    shipped vectors replayed through the model (what the adapter would answer); each bug
    must move at least one vector."""
    cases = [load_case(p) for p in case_files(VECTORS)]

    def differs(case: Case) -> bool:
        try:
            return moved(case) is not None
        except Exception:  # the model broke: the adapter would answer an error
            return True

    caught = []
    for b in BUGS:
        with installed(b.name):
            if any(differs(case) for case in cases):
                caught.append(b.name)
    print(
        f"\nbuggy builds caught: {len(caught)}/{len(BUGS)} by the vectors; "
        f"{len(CAMPAIGN)}/{len(BUGS)} also by a campaign of at most 400 steps "
        f"(shrunk to at most {HANDFUL} steps)",
        file=sys.stderr,
    )
    assert caught == [b.name for b in BUGS]


CALL_BUGS = ("call-never-opened", "call-never-closed")
"""OBS-7: the bugs that get a top-up call's lifecycle wrong (FLOW-CALL-1, FLOW-CALL-3)."""


def first_divergence(case: Case) -> tuple[int, str] | None:
    """The first step at which the model (with whatever bug is installed) departs from the
    recorded case, and the first differing field there (CONF-14), or None."""
    from conformance.compare import differing_path
    from conformance.vectors import run_actions

    run = run_actions(case.params, [s.action for s in case.steps])
    for n, (recorded, now) in enumerate(zip(case.steps, run.steps, strict=True), start=1):
        expected = (recorded.outcome, recorded.observation)
        got = (now.outcome, now.observation)
        if expected != got:
            return n, differing_path(expected, got)
    return None


@pytest.mark.parametrize("name", CALL_BUGS)
def test_a_build_that_ignores_the_top_up_window_diverges_where_it_does(name: str) -> None:
    """OBS-7, FLOW-CALL-1, FLOW-CALL-3: a build that never opens (or never closes) a top-up
    call is caught by the shipped vectors at the very step that should open (close) it, on
    the call's own field: the step's outcome is the reference's, only the observed call
    differs.  (Before OBS-7 it passed that step and every vector whose later steps the call
    does not decide.)"""
    cases = [load_case(p) for p in case_files(VECTORS)]
    with installed(name):
        found = {c.id: d for c in cases if (d := first_divergence(c)) is not None}
    assert found, f"{name} passes every shipped vector"
    on_the_call = {
        i: (n, path)
        for i, (n, path) in found.items()
        if path.startswith("observation.hub.status.") and path.endswith(".called")
    }
    assert on_the_call, found
    for i, (n, _) in on_the_call.items():
        case = next(c for c in cases if c.id == i)
        assert case.steps[n - 1].action.type == ("Liquidate" if "opened" in name else "Deposit")
