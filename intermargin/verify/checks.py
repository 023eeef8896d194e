"""The checks `intermargin verify` runs, in order, with the requirement ids each covers."""

from intermargin.verify import Check
from intermargin.verify.inprocess import (
    differential,
    proofs,
    requirements,
    state_machine,
)
from intermargin.verify.laws import risk_laws
from intermargin.verify.proof_groups import proofs_split
from intermargin.verify.shared_run import differential_split, state_machine_split
from intermargin.verify.subprocesses import contracts, types
from intermargin.verify.vectorized import vectorized

INVARIANTS = (
    "INV-CREDIT-1",
    "INV-CREDIT-2",
    "INV-PART-1",
    "INV-PART-2",
    "INV-ASSET-1",
    "INV-NONNEG-1",
    "INV-SPOKE-1",
    "INV-AMO-1",
    "INV-LIQ-1",
    "INV-ATOMIC-1",
)

CHECKS: tuple[Check, ...] = (
    Check("proofs", (*INVARIANTS, "INV-LIQ-2"), proofs, proofs_split),
    Check("state-machine", (*INVARIANTS, "INV-LIQ-2"), state_machine, state_machine_split),
    Check(
        "differential",
        ("DIFF-1", "DIFF-2", "DIFF-3", "DIFF-4", "DIFF-5", "DIFF-6"),
        differential,
        differential_split,
    ),
    Check(
        "risk-laws",
        (
            "VER-5",
            "INV-RISK-1",
            "INV-RISK-2",
            "INV-RISK-3",
            "INV-RISK-4",
            "INV-RISK-5",
            "INV-RISK-6",
            "INV-RISK-7",
            "RISK-7",
        ),
        risk_laws,
        cost=3,
    ),
    Check(
        "contracts",
        (
            "VER-3",
            "INV-RISK-1",
            "INV-RISK-2",
            "INV-RISK-3",
            "INV-RISK-4",
            "INV-RISK-6",
            "INV-RISK-7",
            "NUM-1",
            "NUM-2",
        ),
        contracts,
        cost=11,
    ),
    Check(
        "vectorized",
        ("VER-VEC-1", "VEC-1", "VEC-2", "VEC-3", "VEC-4", "VEC-5", "VEC-6", "VEC-8"),
        vectorized,
        cost=4,
    ),
    Check("types", ("VER-4",), types, cost=13),
    Check("traceability", ("CLI-6",), requirements, cost=2),
)
"""VER-1: every check of the project.  Costs (CPU seconds, measured on the 2-core machine,
VER-RUN-1): CrossHair about 11 (a condition's budget is 60 iterations in a row without
new code, or 3 CPU seconds: crosshair 0.0.113 sets that deadline with `time.process_time`,
so a loaded machine neither shortens nor lengthens its search), mypy 11 to 15 from a cold
cache, risk laws 3, vectorized 2 to 4, traceability 2; the split checks' parts say their own
(the state machine's run is shared with the differential check's corpus, VER-RUN-3)."""
