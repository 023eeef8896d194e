"""The kit catches bugs (CONF-20): every buggy build (the reference with one rule broken
at run time) fails `conform`, at least one per chapter; where the campaign finds the bug
within the test's budget, its shrunk case is a handful of steps.  The caught/total figures
are printed."""

import json
import sys
from pathlib import Path

import pytest

from conformance.bugs import BUGS, bug_named, installed
from spec.chapters import CHAPTERS
from tests.conform_helpers import bug, conform

CAMPAIGN: dict[str, tuple[int, tuple[str, ...]]] = {
    "message-not-consumed": (300, ("spokes", "messaging")),
    "any-sender-authentic": (300, ("adversary",)),
    "healthy-only-above": (300, ("liquidation",)),
    "claims-ignore-pause": (900, ("governance", "adversary", "hub")),
}
"""The bugs a small campaign finds (the chapters it draws from); the others need a longer
setup than a CI-sized random search reaches, and are caught by their vectors."""

HANDFUL = 10
"""The most steps a shrunk divergence may keep."""

FOUND: dict[str, tuple[bool, int | None]] = {}


def run(name: str, tmp_path: Path, *chapters: str, steps: int) -> dict[str, object]:
    report = tmp_path / "report.json"
    args = ["--steps", str(steps), "--per-example", "20", "--json", str(report)]
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
    steps, chapters = CAMPAIGN.get(name, (0, ()))
    data = run(name, tmp_path, *chapters, steps=steps)
    counts = data["counts"]
    assert isinstance(counts, dict)
    campaign = data["campaign"]
    shrunk = None
    if chapters:
        assert isinstance(campaign, dict) and campaign["status"] == "fail"
        table = campaign["table"]
        assert isinstance(table, list) and 1 <= len(table) <= HANDFUL
        shrunk = len(table)
        saved = Path(str(campaign["case_file"]))
        assert saved.exists()
    else:
        assert counts["fail"] >= 1
    FOUND[name] = (counts["fail"] >= 1, shrunk)


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


def test_zz_print_the_caught_figure() -> None:
    """CONF-20: the caught/total figure (needs the parametrized runs of this module)."""
    if len(FOUND) < len(BUGS):
        pytest.skip("run with the whole module to see the figure")
    by_vectors = sum(1 for v, _ in FOUND.values() if v)
    by_campaign = sum(1 for _, s in FOUND.values() if s is not None)
    print(
        f"\nbuggy builds caught: {by_vectors}/{len(BUGS)} by the vectors, "
        f"{by_campaign}/{len(BUGS)} by a campaign of at most 900 steps, shrunk to "
        f"{max(s for _, s in FOUND.values() if s is not None)} steps at most",
        file=sys.stderr,
    )
    assert by_vectors == len(BUGS)
