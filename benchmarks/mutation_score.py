"""The mutation score of the reference model: mutmut over `model/` against the tests a user
runs, with the surviving mutants listed.

    python benchmarks/mutation_score.py [MODULE ...] [--children N] [--survivors] [--report-only]

MODULE is a module of `model/` (`arith`, `hub`, `risk`, ...); without one, every module.
A named module's mutants are all run again; without a module, a run takes up the mutants
not yet checked (a function that changed has its mutants reset), so it continues where
the last stopped.  `--survivors` runs again only the mutants of the selected modules that
the last results do not count as killed and that `tests/mutation/equivalent.md` does not
argue equivalent (after adding a law that should kill them).
mutmut (configured in pyproject.toml, `[tool.mutmut]`) writes each mutant into a copy of
`model/` under `mutants/`, records once which tests run which function, and then runs each
mutant against only the tests that run the function it changes, in forked workers, so a
module takes minutes, not hours.  The tests are the model-driving part of the suite (the
unit tests, the scenarios, the rounding and risk laws, and `verify`'s risk-laws check);
not the CI-profile state machine, whose cost under mutmut's call tracing is minutes of CPU
per surviving mutant (see `[tool.mutmut]` in pyproject.toml).
Results are kept in `mutants/` between runs: a second run re-runs only mutants of
functions that changed, and `--report-only` just reports.

Prints, per module, killed / total; then the total, the mutants listed as equivalent in
`tests/mutation/equivalent.md` (each with the argument why no test can kill it), the score
killed / (total - equivalent) and the CPU seconds (user + sys of mutmut and its workers).
A mutant mutmut could not reach with any test ("no tests"), a suspicious one, or one not
run counts as not killed; a timeout counts as killed.  Exit 0 when every survivor is
listed as equivalent and the score is at least 95%, else 1.
"""

import argparse
import json
import re
import resource
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tests" / "mutation" / "equivalent.md"
TARGET = 0.95
KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout"}
STATUS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", None: "not checked"}
LISTED = re.compile(r"^- `(?P<name>model\.[\w.]+__mutmut_\d+)`")


@dataclass(frozen=True)
class Mutant:
    name: str
    status: str

    @property
    def module(self) -> str:
        return self.name.split(".")[1]

    @property
    def killed(self) -> bool:
        return self.status in ("killed", "timeout")


def modules() -> list[str]:
    return sorted(p.stem for p in (ROOT / "model").glob("*.py") if p.stem != "__init__")


def run_mutmut(names: list[str], children: int) -> float:
    """Run mutmut on the named mutants or patterns (none: every mutant not yet checked); the
    CPU seconds it and its workers took."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(children), *names]
    subprocess.run(command, cwd=ROOT, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def results(selected: list[str]) -> list[Mutant]:
    """Every mutant of the selected modules and its last result (`mutants/model/*.meta`)."""
    found: list[Mutant] = []
    for module in selected:
        meta = ROOT / "mutants" / "model" / f"{module}.py.meta"
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for name, code in sorted(codes.items()):
            status = KILLED.get(code) or STATUS.get(code, "suspicious")
            found.append(Mutant(name, status))
    return found


def listed_equivalent() -> set[str]:
    """The mutant names `tests/mutation/equivalent.md` argues are equivalent."""
    if not EQUIVALENT.exists():
        return set()
    lines = EQUIVALENT.read_text(encoding="utf-8").splitlines()
    return {m.group("name") for line in lines if (m := LISTED.match(line))}


def report(mutants: list[Mutant], cpu: float | None) -> bool:
    by_module: dict[str, Counter[str]] = {}
    for m in mutants:
        by_module.setdefault(m.module, Counter())[m.status] += 1
    for module, counts in sorted(by_module.items()):
        total = sum(counts.values())
        killed = counts["killed"] + counts["timeout"]
        rest = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s != "killed")
        line = f"  model/{module}.py: {killed}/{total} killed"
        print(line + (f" ({rest}; a timeout counts as killed)" if rest else ""))
    equivalent = listed_equivalent()
    survivors = [m for m in mutants if not m.killed]
    unexplained = [m for m in survivors if m.name not in equivalent]
    killed = len(mutants) - len(survivors)
    total = len(mutants)
    counted = total - sum(1 for m in survivors if m.name in equivalent)
    ratio = killed / total if total else 0.0
    score = killed / counted if counted else 0.0
    print(f"killed {killed}/{total} = {ratio:.1%}")
    print(f"equivalent (listed in tests/mutation/equivalent.md): {total - counted}")
    print(f"mutation score: killed / (total - equivalent) = {killed}/{counted} = {score:.1%}")
    if cpu is not None:
        print(f"CPU seconds (mutmut and its workers, user + sys): {cpu:.0f}")
    if unexplained:
        print(
            f"surviving mutants not listed as equivalent ({len(unexplained)}; `mutmut show NAME`):"
        )
        for m in unexplained:
            print(f"  {m.name}: {m.status}")
    return total > 0 and not unexplained and score >= TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help="modules of model/")
    parser.add_argument("--children", type=int, default=2, help="mutmut workers (default 2)")
    parser.add_argument(
        "--survivors", action="store_true", help="run again only the mutants not killed"
    )
    parser.add_argument("--report-only", action="store_true", help="report the last results")
    args = parser.parse_args()
    known = modules()
    unknown = [m for m in args.modules if m not in known]
    if unknown:
        print(f"unknown module {unknown[0]!r}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    selected = args.modules or known
    if args.survivors:
        argued = listed_equivalent()
        names = [m.name for m in results(selected) if not m.killed and m.name not in argued]
    else:
        names = [f"model.{m}.*" for m in args.modules]
    cpu = None
    if not args.report_only and (names or not args.survivors):
        cpu = run_mutmut(names, args.children)
    return 0 if report(results(selected), cpu) else 1


if __name__ == "__main__":
    sys.exit(main())
