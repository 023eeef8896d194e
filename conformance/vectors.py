"""Generating and checking the versioned test vectors (CONF-8..CONF-11).

`generate(seed)` runs every story (`conformance.stories`) and a few seeded random traces
per chapter through the reference model and gives the tree
`v<SPEC_VERSION>/<chapter>/<case>.json` as text, deterministic from the seed: the
same seed gives byte-identical files.  `check(directory)` replays a tree through the
model and names every case whose recorded steps the model no longer gives.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from conformance.exercise import exercised
from conformance.moves import moves_for, one_step
from conformance.stories import Story, stories
from intermargin.fuzzing.coverage import phases_reached
from intermargin.fuzzing.strategies import PARAMS, channel_variant, finality_variant
from model.observe import observe
from model.state import State, initial_state
from model.step import step
from spec.actions import Action
from spec.case import Case, CaseStep
from spec.chapters import CHAPTERS, Chapter, required_chapters
from spec.params import Params
from spec.version import SPEC_VERSION

DEFAULT_SEED = 20_261_130

RANDOM_CHAPTERS: dict[Chapter, tuple[Chapter, ...]] = {
    "hub": ("hub",),
    "governance": ("hub", "governance"),
    "listing": ("hub", "spokes", "messaging", "governance", "listing"),
    "messaging": ("hub", "messaging", "governance"),
    "spokes": ("hub", "spokes", "messaging"),
    "oracle": ("hub", "oracle"),
    "risk": ("hub", "spokes", "messaging", "oracle", "risk"),
    "liquidation": ("hub", "spokes", "messaging", "oracle", "risk", "liquidation"),
    "adversary": tuple(c for c in CHAPTERS if c not in ("liveness", "channels", "finality")),
    "liveness": tuple(c for c in CHAPTERS if c not in ("channels", "finality")),
    "channels": ("hub", "spokes", "messaging", "oracle", "risk", "liquidation", "governance"),
    "finality": ("hub", "spokes", "messaging", "oracle", "risk", "finality"),
}
"""The chapters the random traces filed under each chapter draw their moves from: each
chapter with what it needs to reach anything, so a build declaring a few chapters still
gets random traces it can run."""

CHANNEL_VARIANT = channel_variant(ordered=True, rated=True)
"""The parameters of the `channels` chapter's random traces (CHAN-1, RATE-1)."""

FINALITY_VARIANT = finality_variant()
"""The parameters of the `finality` chapter's random traces (FIN-1)."""

RANDOM_PARAMS: dict[Chapter, Params] = {"channels": CHANNEL_VARIANT, "finality": FINALITY_VARIANT}

RANDOM_PER_CHAPTER = 2
RANDOM_STEPS = 30


class StoryBroken(Exception):
    """A story's last step no longer gives what the story is about."""


@dataclass
class Run:
    """A run of the model: the initial observation, each step, the ids exercised."""

    params: Params
    initial: State
    steps: list[CaseStep] = field(default_factory=list)
    requirements: set[str] = field(default_factory=set)


def run_actions(params: Params, actions: tuple[Action, ...] | list[Action]) -> Run:
    """Every action through `model.step`, observed after each (CONF-9)."""
    state = initial_state(params)
    run = Run(params, state)
    for action in actions:
        post, outcome = step(state, action)
        phases = phases_reached(state, action, post, outcome)
        run.requirements |= exercised(state, action, post, outcome, phases)
        run.steps.append(CaseStep(action=action, outcome=outcome, observation=observe(post)))
        state = post
    return run


def case_of_run(
    run: Run, *, chapter: Chapter, name: str, kind: str, title: str, story: str, seed: int | None
) -> Case:
    kinds = [s.action.type for s in run.steps]
    return Case.model_validate(
        {
            "spec_version": SPEC_VERSION,
            "id": f"{chapter}/{name}",
            "chapter": chapter,
            "kind": kind,
            "title": title,
            "story": story,
            "chapters": required_chapters(kinds, run.params),
            "requirements": tuple(sorted(run.requirements)),
            "seed": seed,
            "params": run.params,
            "initial": observe(run.initial),
            "steps": tuple(run.steps),
        },
        strict=False,
    )


def story_case(story: Story) -> Case:
    """A story as a vector; StoryBroken if its last step no longer gives `story.expect`."""
    run = run_actions(story.params, story.actions)
    if story.expect is not None:
        last = run.steps[-1].outcome
        got = (last.status, last.error)
        if got != story.expect:
            raise StoryBroken(
                f"{story.chapter}/{story.name}: its last step gives {got[0]} {got[1]}, "
                f"the story expects {story.expect[0]} {story.expect[1]}"
            )
    return case_of_run(
        run,
        chapter=story.chapter,
        name=story.name,
        kind=story.kind,
        title=story.title,
        story=story.story,
        seed=None,
    )


def random_actions(
    chapters: tuple[Chapter, ...], case_seed: int, count: int, params: Params = PARAMS
) -> list[Action]:
    """A seeded random run of `count` moves of these chapters, drawn by Hypothesis from
    the fuzzer's strategies (the second example of a seeded search: the first is
    Hypothesis's simplest, all-zero one)."""
    moves = moves_for(chapters)
    runs: list[list[Action]] = []

    @seed(case_seed)
    @settings(
        max_examples=2,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def trace(data: st.DataObject) -> None:
        state = initial_state(params)
        actions = []
        for _ in range(count):
            for action in data.draw(one_step(state, moves)):
                state, _ = step(state, action)
                actions.append(action)
        runs.append(actions)

    trace()
    return runs[-1]


def random_cases(base_seed: int) -> Iterator[Case]:
    for n, (chapter, chapters) in enumerate(RANDOM_CHAPTERS.items()):
        for i in range(RANDOM_PER_CHAPTER):
            case_seed = base_seed + 100 * n + i
            params = RANDOM_PARAMS.get(chapter, PARAMS)
            actions = random_actions(chapters, case_seed, RANDOM_STEPS, params)
            yield case_of_run(
                run_actions(params, actions),
                chapter=chapter,
                name=f"random-{i + 1}",
                kind="random",
                title=f"a seeded random run of {', '.join(chapters)} moves",
                story="",
                seed=case_seed,
            )


def render(case: Case) -> str:
    """Deterministic text: sorted keys, no spaces, one step per line (CONF-11)."""
    doc: dict[str, Any] = case.model_dump(mode="json")
    steps = doc.pop("steps")
    head = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    lines = [json.dumps(s, sort_keys=True, separators=(",", ":")) for s in steps]
    return head[:-1] + ',"steps":[\n' + ",\n".join(lines) + "\n]}\n"


def case_path(case: Case) -> str:
    return f"v{case.spec_version}/{case.id}.json"


def generate(base_seed: int = DEFAULT_SEED) -> dict[str, str]:
    """Relative path -> text, for every vector."""
    cases = [story_case(s) for s in stories()] + list(random_cases(base_seed))
    return {case_path(c): render(c) for c in cases}


def write(out: Path, base_seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the tree below `out` (stale files of this version removed first)."""
    files = generate(base_seed)
    version_dir = out / f"v{SPEC_VERSION}"
    if version_dir.exists():
        for old in version_dir.rglob("*.json"):
            old.unlink()
    written = []
    for relative, text in sorted(files.items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def case_files(directory: Path) -> list[Path]:
    """Every case file below `directory`, sorted."""
    return sorted(p for p in directory.rglob("*.json") if p.is_file())


def load_case(path: Path) -> Case:
    return Case.model_validate_json(path.read_text(encoding="utf-8"))


def moved(case: Case) -> str | None:
    """How the model now differs from the recorded case, or None if it still matches."""
    run = run_actions(case.params, [s.action for s in case.steps])
    if observe(run.initial) != case.initial:
        return "the initial state moved"
    for n, (recorded, now) in enumerate(zip(case.steps, run.steps, strict=True), start=1):
        if recorded.outcome != now.outcome:
            return f"step {n}: outcome moved"
        if recorded.observation != now.observation:
            return f"step {n}: observation moved"
    if tuple(sorted(run.requirements)) != case.requirements:
        return "the requirement ids it exercises moved"
    return None
