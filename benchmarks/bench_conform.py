"""Harness steps per second against `intermargin adapter`, and the in-process model's.

Figures, measured in the same run:
- model: the vectors' actions through `model.step` and `observe` in this process (what
  the reference does for every step, with no protocol);
- vectors: the harness replaying every vector against the reference adapter (a child
  process): every reply judged; steps/s and the ratio to the model's;
- campaign: the Hypothesis lockstep campaign against the same adapter;
- full run: `intermargin conform --impl 'intermargin adapter' --steps 0` from the shell,
  start-up included (the target is under 30 s).

The machine may be shared, so wall-clock rates understate what the harness can do.  Each
figure also gives the CPU seconds per step of the harness (this process) and of the
adapter (the child, from /proc), and the rate they allow when each has a core of its own
(the harness and the build work at the same time: requests are pipelined, CONF-1).

Run: `python benchmarks/bench_conform.py [--steps N]`.  Target: >= 2,000 harness steps/s
against the reference adapter.
"""

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

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
T = TypeVar("T")


def child_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(pid: int, work: Callable[[], T]) -> tuple[T, float, float, float]:
    """`work()`, its wall seconds, this process's CPU seconds and the child's."""
    wall, cpu, child = time.perf_counter(), time.process_time(), child_cpu(pid)
    result = work()
    return (
        result,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        child_cpu(pid) - child,
    )


def line(what: str, steps: int, wall: float, cpu: float, child: float, model_rate: float) -> str:
    rate = steps / wall
    own_cores = steps / max(cpu, child)
    return (
        f"{what}: {rate:,.0f} steps/s wall ({rate / model_rate:.2f} x the model in process); "
        f"CPU per step: harness {cpu / steps * 1e3:.3f} ms, adapter {child / steps * 1e3:.3f} ms "
        f"-> {own_cores:,.0f} steps/s with a core each, {steps / (cpu + child):,.0f} on one core"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000, help="campaign steps")
    args = parser.parse_args()
    cases = [(str(p), load_case(p)) for p in case_files(VECTORS)]
    total = sum(len(c.steps) for _, c in cases)

    wall, cpu = time.perf_counter(), time.process_time()
    for _, case in cases:
        state = initial_state(case.params)
        for s in case.steps:
            state, _ = step(state, s.action)
            observe(state)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    model_rate = total / wall
    print(
        f"model in process: {model_rate:,.0f} steps/s wall, {total / cpu:,.0f} steps/s of CPU "
        f"({total} vector steps)"
    )

    session = Session(Build(ADAPTER))
    try:
        session.open()
        assert session.build.process is not None
        pid = session.build.process.pid
        results, wall, cpu, child = measured(pid, lambda: run_vectors(session, cases))
        passed = sum(1 for r in results if r.status == "pass")
        print(
            line(
                f"vectors ({passed}/{len(cases)} cases passed)", total, wall, cpu, child, model_rate
            )
        )
        campaign, wall, cpu, child = measured(pid, lambda: run_campaign(session, args.steps, 0))
        what = f"campaign ({campaign.steps} steps in {campaign.examples} runs)"
        print(line(what, campaign.steps, wall, cpu, child, model_rate))
    finally:
        session.build.close()

    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "intermargin.cli", "conform", "--impl", ADAPTER, "--steps", "0"],
        capture_output=True,
        text=True,
    )
    print(
        f"full vector run from the shell: {time.perf_counter() - start:.1f} s wall "
        f"(exit {done.returncode}; target < 30 s)"
    )


if __name__ == "__main__":
    main()
