"""Harness steps per second against `intermargin adapter`, and the in-process model's.

Figures, measured in the same run:
- model: the vectors' actions through `model.step` and `observe` in this process (what
  the reference does for every step, with no protocol);
- vectors: the harness replaying every vector against the reference adapter (a child
  process): every reply validated and compared; steps/s and the ratio to the model's;
- campaign: the Hypothesis lockstep campaign against the same adapter;
- full run: `intermargin conform --impl 'intermargin adapter' --steps 0` from the shell,
  start-up included (the target is under 30 s).

Run: `python benchmarks/bench_conform.py [--steps N]`.  Target: >= 2,000 harness steps/s
against the reference adapter.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

from conformance.build import Build
from conformance.harness import run_campaign, run_vectors
from conformance.session import Session
from conformance.vectors import case_files, load_case
from model.observe import observe
from model.state import initial_state
from model.step import step

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "conformance" / "vectors"
ADAPTER = f"{sys.executable} -m intermargin.cli adapter"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2_000, help="campaign steps")
    args = parser.parse_args()
    cases = [(str(p), load_case(p)) for p in case_files(VECTORS)]
    total = sum(len(c.steps) for _, c in cases)

    start = time.perf_counter()
    for _, case in cases:
        state = initial_state(case.params)
        for s in case.steps:
            state, _ = step(state, s.action)
            observe(state)
    model_rate = total / (time.perf_counter() - start)
    print(f"model in process: {model_rate:,.0f} steps/s ({total} vector steps)")

    session = Session(Build(ADAPTER))
    try:
        session.open()
        start = time.perf_counter()
        results = run_vectors(session, cases)
        seconds = time.perf_counter() - start
        passed = sum(1 for r in results if r.status == "pass")
        rate = total / seconds
        print(
            f"vectors against the adapter: {rate:,.0f} steps/s ({passed}/{len(cases)} cases "
            f"passed in {seconds:.2f} s), {rate / model_rate:.2f} x the model in process"
        )
        campaign = run_campaign(session, args.steps, 0)
        print(
            f"campaign against the adapter: {campaign.steps_per_second:,.0f} steps/s "
            f"({campaign.steps} steps in {campaign.examples} runs, {campaign.seconds:.2f} s), "
            f"{campaign.steps_per_second / model_rate:.2f} x the model in process"
        )
    finally:
        session.build.close()

    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "intermargin.cli", "conform", "--impl", ADAPTER, "--steps", "0"],
        capture_output=True,
        text=True,
    )
    print(
        f"full vector run from the shell: {time.perf_counter() - start:.1f} s "
        f"(exit {done.returncode}; target < 30 s)"
    )


if __name__ == "__main__":
    main()
