"""pytest plugin: `pytest --intermargin-impl 'CMD'` runs the conformance kit (CONF-21).

Installed with the package (entry point `pytest11`), it does nothing unless the option is
given.  Then it adds one test per vector (skipped for the chapters the build does not
declare, CONF-5) and one for the lockstep campaign (CONF-17), all sharing one running
build, so an implementer's CI needs only pytest.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.build import Build, BuildBroken
from conformance.compare import describe
from conformance.harness import run_campaign, run_case, save_case
from conformance.session import Session
from conformance.vectors import case_files, load_case
from spec.case import Case

VECTORS = Path(__file__).resolve().parent / "vectors"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("intermargin", "intermargin conformance kit")
    group.addoption("--intermargin-impl", metavar="CMD", help="the build under test")
    group.addoption("--intermargin-vectors", metavar="DIR", default=str(VECTORS))
    group.addoption("--intermargin-chapter", action="append", metavar="C", default=[])
    group.addoption("--intermargin-steps", type=int, default=500, metavar="N")
    group.addoption("--intermargin-seed", type=int, default=0, metavar="S")
    group.addoption("--intermargin-save", default="conformance-failures", metavar="DIR")


class Kit:
    """The one build shared by every test of the run, started on first use."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.session: Session | None = None
        self.broken = ""

    def open(self) -> Session:
        if self.session is None:
            self.session = Session(Build(self.command))
            try:
                self.session.open()
            except BuildBroken as e:
                self.broken = str(e)
        if self.broken:
            pytest.fail(f"build broken: {self.broken}", pytrace=False)
        return self.session

    def close(self) -> None:
        if self.session is not None:
            self.session.build.close()


KIT = pytest.StashKey[Kit]()


class Divergent(Exception):
    """A vector or the campaign diverged; the message is the table."""


class VectorItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        session = self.config.stash[KIT].open()
        missing = [c for c in self.case.chapters if c not in session.chapters]
        if missing:
            pytest.skip(f"needs chapters {', '.join(missing)}")
        try:
            found = run_case(session, self.case)
        except BuildBroken as e:
            session.open()
            pytest.fail(f"build broken: {e}", pytrace=False)
        if found is not None:
            action = "init" if found.action is None else found.action.type
            raise Divergent(
                f"step {found.step} ({action}): expected {found.expected}, got {found.got}; "
                f"first difference {found.path}: {found.expected_value!r} expected, "
                f"{found.got_value!r} got"
            )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, Divergent):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int, str]:
        return str(self.path), 0, self.name


class CampaignItem(pytest.Item):
    def runtest(self) -> None:
        config = self.config
        session = config.stash[KIT].open()
        chosen = config.getoption("intermargin_chapter")
        if chosen:
            session.chapters = tuple(c for c in session.chapters if c in chosen)
        result = run_campaign(
            session, config.getoption("intermargin_steps"), config.getoption("intermargin_seed")
        )
        if result.broken:
            pytest.fail(f"build broken: {result.broken}", pytrace=False)
        if result.divergence is not None and result.case is not None:
            path = save_case(result.case, Path(config.getoption("intermargin_save")))
            steps = "\n".join(
                f"  {n}. {s.action.type}: {describe(s.outcome)}"
                for n, s in enumerate(result.case.steps, start=1)
            )
            raise Divergent(f"{result.case.title}\n{steps}\nsaved to {path}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, Divergent):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int, str]:
        return "intermargin-campaign", 0, self.name


class Kitbag(pytest.Collector):
    """The vectors under `--intermargin-vectors` and the campaign."""

    def collect(self) -> Iterator[pytest.Item]:
        chosen = self.config.getoption("intermargin_chapter")
        for path in case_files(Path(self.config.getoption("intermargin_vectors"))):
            case = load_case(path)
            if chosen and case.chapter not in chosen:
                continue
            yield VectorItem.from_parent(self, name=case.id, case=case, path=path)
        if self.config.getoption("intermargin_steps") > 0:
            yield CampaignItem.from_parent(self, name="campaign")


def pytest_configure(config: pytest.Config) -> None:
    command = config.getoption("intermargin_impl", default=None)
    if command:
        config.stash[KIT] = Kit(command)


def pytest_unconfigure(config: pytest.Config) -> None:
    kit = config.stash.get(KIT, None)
    if kit is not None:
        kit.close()


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if KIT not in config.stash:
        return
    bag = Kitbag.from_parent(session, name="intermargin-conformance")
    items.extend(bag.collect())
