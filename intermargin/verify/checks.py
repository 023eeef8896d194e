"""The checks `intermargin verify` runs, in order, with the requirement ids each covers."""

from intermargin.verify import Check
from intermargin.verify.inprocess import (
    differential,
    differential_split,
    proofs,
    proofs_split,
    requirements,
    state_machine,
)
from intermargin.verify.subprocesses import contracts, types

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
    Check("state-machine", (*INVARIANTS, "INV-LIQ-2"), state_machine),
    Check(
        "differential",
        ("DIFF-1", "DIFF-2", "DIFF-3", "DIFF-4", "DIFF-5"),
        differential,
        differential_split,
    ),
    Check(
        "contracts",
        ("VER-3", "INV-RISK-1", "INV-RISK-2", "INV-RISK-3", "INV-RISK-4", "NUM-1", "NUM-2"),
        contracts,
    ),
    Check("types", ("VER-4",), types),
    Check("traceability", ("CLI-6",), requirements),
)
"""VER-1: every check of the project."""
