"""The second build in CI through the kit: `intermargin conform` passes the TypeScript
build (examples/ts-build) on every vector of the chapters it declares and on a seeded
lockstep campaign (CONF-5, CONF-12, CONF-17).  Skipped where `node` is absent, except
under CI, where that fails (tests.conform_helpers.program).
"""

import json
from pathlib import Path

from conformance.vectors import case_files, load_case
from tests.conform_helpers import ROOT, VECTORS, conform, program

MAIN = ROOT / "examples" / "ts-build" / "src" / "main.js"


def test_the_typescript_build_passes_conform(tmp_path: Path) -> None:
    """CONF-5, CONF-12, CONF-17: every vector whose chapters the TS build declares passes
    (and only those are sent), the liveness, listing, channels, notice, partial and finality
    chapters among them (LIVE-2, LIST-2, CHAN-2, GOV-NOTICE-2, FLOW-PART-1, FIN-3), and a
    seeded campaign over its chapters finds no divergence."""
    node = program("node")
    report = tmp_path / "ts.json"
    done = conform(f"{node} {MAIN}", "--steps", "200", "--seed", "7", "--json", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(report.read_text())
    declared = set(data["build"]["chapters"])
    expected = {"hub", "messaging", "governance", "liveness", "listing", "channels", "notice"}
    expected |= {"partial", "finality"}
    assert expected <= declared
    allowed = [c for c in map(load_case, case_files(VECTORS)) if set(c.chapters) <= declared]
    assert data["verdict"] == "pass"
    assert data["counts"]["pass"] == len(allowed) > 0
    assert data["counts"]["fail"] == data["counts"]["broken"] == 0
    assert data["counts"]["skip"] == len(data["cases"]) - len(allowed)
    campaign = data["campaign"]
    assert campaign["status"] == "pass" and campaign["steps"] >= 200
    assert data["build"]["restarts"] == 0
