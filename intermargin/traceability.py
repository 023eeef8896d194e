"""Requirement traceability (CLI-6): every id in `spec/`, where it is specified,
implemented, encoded, proved and tested.

- *specified*: the chapter (and line) of `spec/` that defines it;
- *implemented*: the definitions that carry the rule out and cite it.  For the system's
  chapters that is the reference, `model/`, and the typed boundary in `spec/`; for the
  chapters that specify the tools themselves (`TOOL_CHAPTERS`: the CLI, conformance,
  ITF, verification, the stress lab and its vectorized engine) it is the tools' code.
  Never `spec/requirements.py` (which only reads ids) and, for a rule of the system,
  never the fuzz harness or a proof, which check the rule and do not carry it out;
- *encoded*: the functions of the Z3 encoding that cite it (`proofs/transitions/`,
  `proofs/invariants.py`);
- *proved*: the proof obligations that cover it (`proofs.coverage`: its invariant, or a
  step whose encoding runs a function citing it), and the liquidation-propagation BMC
  for the invariant it checks;
- *tested*: the tests that cite it.

A requirement neither proved nor tested is a gap: `intermargin trace` fails on it.
"""

from dataclasses import dataclass
from pathlib import Path

from proofs.coverage import BMC, BMC_COVERS, ENCODING, coverage
from spec.requirements import ROOT, Requirement, citing_definitions, python_files, requirements

SYSTEM_ROOTS = ("model", "spec")
TOOL_ROOTS = ("intermargin", "conformance", "stresslab", "proofs", "spec")
TOOL_CHAPTERS = frozenset({"cli", "conformance", "itf", "verification", "stress", "vectorized"})
NEVER_IMPLEMENTING = (ROOT / "spec" / "requirements.py",)


@dataclass(frozen=True)
class Trace:
    """One requirement and the places that cite it, by role."""

    requirement: Requirement
    implemented_by: tuple[str, ...]
    encoded_by: tuple[str, ...]
    proved_by: tuple[str, ...]
    tested_by: tuple[str, ...]

    @property
    def specified_in(self) -> str:
        """`hub.md:54`: the chapter and line that define the requirement."""
        return f"{self.requirement.chapter}.md:{self.requirement.line}"

    @property
    def verified(self) -> bool:
        return bool(self.proved_by or self.tested_by)


def files_under(roots: tuple[str, ...], *, excluding: tuple[Path, ...]) -> list[Path]:
    """The Python files under `roots`, less those at or under a path in `excluding`."""
    return [
        f
        for f in python_files(ROOT / r for r in roots)
        if not any(f == x or f.is_relative_to(x) for x in excluding)
    ]


def traceability() -> list[Trace]:
    """Every requirement of the spec, in chapter order, with its citations by role."""
    encoding = tuple(ENCODING)
    system = citing_definitions(files_under(SYSTEM_ROOTS, excluding=NEVER_IMPLEMENTING))
    tools = citing_definitions(files_under(TOOL_ROOTS, excluding=(*NEVER_IMPLEMENTING, *encoding)))
    encoded = citing_definitions(encoding)
    tested = citing_definitions([ROOT / "tests"])
    proved = dict(coverage())
    proved[BMC_COVERS] = (*proved.get(BMC_COVERS, ()), BMC)
    return [
        Trace(
            requirement=r,
            implemented_by=(tools if r.chapter in TOOL_CHAPTERS else system).get(rid, ()),
            encoded_by=encoded.get(rid, ()),
            proved_by=proved.get(rid, ()),
            tested_by=tested.get(rid, ()),
        )
        for rid, r in requirements().items()
    ]
