"""The proofs check as parts of verify's pool: the BMC, and the obligations grouped by the
step kind they judge (VER-RUN-4).

The obligations about one step kind share nearly every term their queries are made of
(the symbolic step of that kind, the premises, the vacuity queries, PROOF-RUN-3), so a
group is checked in one worker, which builds those terms once for the whole group.  No
term is built in verify's own process before the pool starts: the workers build what their
groups need while the other checks run, instead of every core but one waiting for the
parent to build the terms of all the obligations (PROOF-RUN-2 builds them in the parent
for `intermargin prove`, whose pool runs nothing else).  Where a term is built changes no
verdict and no count (PROOF-BUDGET-4).
"""

from collections.abc import Sequence
from typing import Any

from intermargin.verify import CheckResult, Part, Settings, Split
from proofs.bmc import BmcResult, propagation
from proofs.budget import Budget
from proofs.catalogue import select
from proofs.checking import Verdict, check

BMC_COST = 8.0
"""CPU seconds of the propagation BMC, K=1 then K=2, with 2 spokes (2-core machine, VER-RUN-1)."""

OBLIGATION_COST = 0.015
"""CPU seconds of one proof obligation in its group, on average (2-core machine),
building its terms included; only the order of the parts depends on it."""


def kind_of(name: str) -> str:
    """The step kind an obligation judges (`NAME/step/KIND`), or "" for one about a state."""
    parts = name.split("/")
    return parts[-1] if len(parts) > 2 and parts[-2] == "step" else ""


def groups(names: Sequence[str]) -> list[tuple[str, ...]]:
    """VER-RUN-4: the obligations by the step kind they judge, in catalogue order within a
    group; the groups in the order their first obligation comes."""
    by_kind: dict[str, list[str]] = {}
    for name in names:
        by_kind.setdefault(kind_of(name), []).append(name)
    return [tuple(group) for group in by_kind.values()]


def check_group(names: tuple[str, ...], budget: Budget) -> list[Verdict]:
    """A worker's part: every obligation of a group, in order."""
    return [check(name, budget) for name in names]


def proofs_split(settings: Settings) -> Split:
    """VER-RUN-1, VER-RUN-4: the BMC (the longest query) and one part per group."""
    names = [o.name for o in select(None)]
    parts = [Part("propagation BMC", propagation, (2, 4, settings.bmc_budget), BMC_COST)]
    parts += [
        Part(
            kind_of(group[0]) or group[0],
            check_group,
            (group, settings.obligation_budget),
            OBLIGATION_COST * len(group),
        )
        for group in groups(names)
    ]

    def join(results: list[Any], seconds: float) -> CheckResult:
        from intermargin.verify.inprocess import proofs_verdict

        bmc: BmcResult = results[0]
        found = {v.obligation: v for verdicts in results[1:] for v in verdicts}
        return proofs_verdict([bmc, *(found[n] for n in names)], seconds)

    return Split(parts, join)
