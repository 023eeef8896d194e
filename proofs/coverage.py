"""Which requirements each proof obligation covers, and `prove --only` by id or action
(CLI-13).

An obligation *covers* a requirement when

- it states it: the requirement is the obligation's invariant id;
- its goal is an invariant of `proofs/invariants.py` whose formula runs an encoding
  function that cites the requirement; or
- it checks a step of an action kind whose symbolic transition (`proofs/transitions/`)
  runs a function that cites the requirement.

An invariant is covered only by the obligations that state it: a transition citing
"Preserves: INV-CREDIT-1" claims what those obligations prove (CLI-13).

What runs is observed, not guessed from imports: each kind's transition is evaluated
once from a fresh symbolic state for every choice of ids the obligations use, and the
functions it enters are recorded.  So `DeliverLiqReport` covers the rules of
`receive_liquidation_report` (LIQ-3..LIQ-5) and not those of the other handlers the
dispatcher could have picked, and `prove --only LIQ-3` runs exactly the obligations
about the steps that apply LIQ-3.  Init and safety obligations run no transition: they
cover their invariant (and what its formula cites); an init obligation also covers
INIT-1, the initial state it starts from.
"""

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from proofs.catalogue import all_obligations, select
from proofs.invariants import INVARIANT_BY_NAME, Invariant
from proofs.obligations import Obligation
from proofs.premises import id_choices, symbolic_action
from proofs.state import fresh
from proofs.transitions import KIND_BY_NAME, Kind
from proofs.universe import PROOF_CTX, proof_universe
from spec.requirements import ROOT, citing_definitions, module_of

ENCODING = (ROOT / "proofs" / "transitions", ROOT / "proofs" / "invariants.py")
INITIAL_STATE = "INIT-1"


def functions_entered(run: Callable[[], Any]) -> frozenset[str]:
    """The qualified names (`proofs.transitions.hub.grant_credit`) of the encoding's
    functions that `run()` enters."""
    codes: set[CodeType] = set()

    def record(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            codes.add(frame.f_code)

    previous = sys.getprofile()
    sys.setprofile(record)
    try:
        run()
    finally:
        sys.setprofile(previous)
    names = set()
    for code in codes:
        path = Path(code.co_filename).resolve()
        if any(path == root or path.is_relative_to(root) for root in ENCODING):
            module = module_of(str(path.relative_to(ROOT)))
            names.add(f"{module}.{code.co_qualname.replace('.<locals>', '')}")
    return frozenset(names)


@cache
def run_by_kind(kind_name: str) -> frozenset[str]:
    """The encoding functions the kind's transition runs, over every id choice."""
    kind: Kind = KIND_BY_NAME[kind_name]
    u = proof_universe()
    pre = fresh(u, "pre")

    def transitions() -> None:
        for ids in id_choices(u, kind):
            act, inp, _ = symbolic_action(kind, ids)
            kind.fn(PROOF_CTX, pre, act, inp)

    return functions_entered(transitions)


@cache
def run_by_invariant(name: str) -> frozenset[str]:
    """The encoding functions an invariant's formula runs."""
    invariant: Invariant = INVARIANT_BY_NAME[name]
    state = fresh(proof_universe(), "pre")
    return functions_entered(lambda: invariant.formula(state))


@cache
def encoding_citations() -> dict[str, frozenset[str]]:
    """For every encoding function or module, the requirement ids it cites."""
    cited: dict[str, set[str]] = {}
    for rid, names in citing_definitions(ENCODING).items():
        for name in names:
            cited.setdefault(name, set()).add(rid)
    return {name: frozenset(ids) for name, ids in cited.items()}


def cited_by(functions: Iterable[str]) -> set[str]:
    """The ids the functions cite (a module's docstring sums up every function in it, so
    it is not a citation of any one of them)."""
    citations = encoding_citations()
    return {rid for function in functions for rid in citations.get(function, ())}


def kind_of(obligation: Obligation) -> Kind | None:
    """The action kind whose step an obligation checks (its name's last part), if any."""
    return KIND_BY_NAME.get(obligation.name.rsplit("/", 1)[-1])


def invariant_of(obligation: Obligation) -> Invariant | None:
    """The invariant an obligation proves inductive (its name's first part), if any."""
    return INVARIANT_BY_NAME.get(obligation.name.split("/", 1)[0])


def covers(obligation: Obligation) -> frozenset[str]:
    """Every requirement id the obligation covers (see the module docstring)."""
    return _covers(obligation.name)


@cache
def _covers(name: str) -> frozenset[str]:
    obligation = next(o for o in all_obligations() if o.name == name)
    invariant, kind = invariant_of(obligation), kind_of(obligation)
    rules: set[str] = set()
    if invariant is not None:
        rules |= cited_by(run_by_invariant(invariant.name))
    if kind is not None:
        rules |= cited_by(run_by_kind(kind.name))
    if obligation.part == "init":
        rules.add(INITIAL_STATE)
    return frozenset({obligation.invariant} | (rules - stated()))


@cache
def stated() -> frozenset[str]:
    """The ids obligations state (the invariants).  A transition that cites one says it
    preserves it, which is what the obligations stating it prove, so such a citation
    makes no other obligation cover it."""
    return frozenset(o.invariant for o in all_obligations())


@cache
def coverage() -> dict[str, tuple[str, ...]]:
    """For every requirement id, the obligations covering it, in report order."""
    found: dict[str, list[str]] = {}
    for o in all_obligations():
        for rid in sorted(covers(o)):
            found.setdefault(rid, []).append(o.name)
    return {rid: tuple(names) for rid, names in sorted(found.items())}


def action_names(kind: Kind) -> tuple[str, ...]:
    """The names a kind answers to: its short name (`DeliverLiqReport`) and its full
    action name (`Deliver` of a `LiquidationReport`: `DeliverLiquidationReport`)."""
    full = f"{kind.action}{kind.message}" if kind.message else kind.action
    return tuple(dict.fromkeys((kind.name, full)))


def matching(pattern: str) -> list[Obligation]:
    """The obligations a `--only` pattern selects, in report order: by obligation name or
    invariant id (glob or substring, `proofs.catalogue.select`), by the requirement
    ids they cover (glob), or by the action kind they step (short or full name, glob)."""
    by_name = {o.name for o in select([pattern])}

    def matches(o: Obligation) -> bool:
        if o.name in by_name or any(fnmatchcase(rid, pattern) for rid in covers(o)):
            return True
        kind = kind_of(o)
        return kind is not None and any(fnmatchcase(n, pattern) for n in action_names(kind))

    return [o for o in all_obligations() if matches(o)]


BMC = "liquidation-propagation/bmc"
BMC_COVERS = "INV-LIQ-2"
"""The bounded model check of `proofs.bmc`, which `prove` runs beside the obligations."""


@dataclass(frozen=True)
class Selection:
    """What `prove --only` runs: obligations in report order, and whether the BMC."""

    obligations: list[Obligation]
    bmc: bool


def selects_bmc(pattern: str) -> bool:
    """A pattern selects the BMC by its name (glob or substring) or by the id it checks."""
    return fnmatchcase(BMC, pattern) or pattern in BMC or fnmatchcase(BMC_COVERS, pattern)


def chosen(patterns: list[str] | None) -> Selection:
    """Everything any pattern selects (everything without patterns).  A pattern that
    selects nothing is an error naming it (`ValueError`)."""
    if not patterns:
        return Selection(list(all_obligations()), bmc=True)
    picked: set[str] = set()
    for pattern in patterns:
        found = {o.name for o in matching(pattern)}
        if not found and not selects_bmc(pattern):
            raise ValueError(
                f"--only {pattern}: matches no obligation name, invariant, requirement id or action"
            )
        picked |= found
    return Selection(
        [o for o in all_obligations() if o.name in picked],
        bmc=any(selects_bmc(p) for p in patterns),
    )
