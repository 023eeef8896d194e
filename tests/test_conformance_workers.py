"""Campaigns past one process (CONF-22, CONF-23, CLI-WORKERS-1, CLI-WORKERS-2): worker
processes with their own seed slices, and a Hypothesis example database in a local
`redis-server` through which a divergence one worker found replays first on another
worker and in the next run.  The server listens on loopback on a free port and is
stopped after each test; without `redis-server` these tests skip, except under CI, where
they fail (`.ci/run` installs it).
"""

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.build import Build
from conformance.harness import CampaignResult, run_campaign
from conformance.session import Session
from intermargin.workers import example_database, worker_seed, worker_steps
from tests.conform_helpers import ROOT, bug, conform, program

BUG = "message-not-consumed"
"""A bug the campaign finds in a few hundred steps but never in one."""
CHAPTERS = ("spokes", "messaging")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A fresh `redis-server` on 127.0.0.1 (no persistence); its URL, database 0."""
    import redis

    server = program("redis-server")
    port = free_port()
    loopback_only = ["--port", str(port), "--bind", "127.0.0.1"]
    no_files = ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    process = subprocess.Popen(
        [server, *loopback_only, *no_files],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("redis-server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def campaign(url: str | None, worker: int, steps: int) -> CampaignResult:
    """Worker `worker`'s campaign (its seed slice of seed 0) against the buggy build."""
    session = Session(Build(bug(BUG)))
    try:
        session.open()
        session.chapters = CHAPTERS
        return run_campaign(
            session, steps, worker_seed(0, worker), per_example=6, database=example_database(url)
        )
    finally:
        session.build.close()


def test_a_divergence_one_worker_found_replays_first_on_another(redis_url: str) -> None:
    """CONF-23: worker 0 finds the bug and saves it in Redis; worker 1, with a budget of one
    step, finds nothing against an empty database but replays worker 0's divergence, the
    same shrunk run, from the shared one."""
    found = campaign(redis_url, 0, 400)
    assert found.mismatch is not None and found.case is not None
    alone = campaign(redis_url.replace("/0", "/1"), 1, 1)
    assert alone.mismatch is None and alone.steps <= 6 * 4
    replayed = campaign(redis_url, 1, 1)
    assert replayed.mismatch is not None and replayed.case is not None
    assert [s.action for s in replayed.case.steps] == [s.action for s in found.case.steps]


def report(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    campaign = data["campaign"]
    assert isinstance(campaign, dict)
    return campaign


def test_conform_workers_share_the_database_with_the_next_run(
    redis_url: str, tmp_path: Path
) -> None:
    """CONF-22, CONF-23, CLI-WORKERS-2: `conform --workers 2 --db redis://...` finds the bug
    and leaves it in Redis; the next run, two workers of one step each, replays it, where
    the same run against an empty database passes."""
    import redis

    empty = tmp_path / "no-vectors"
    empty.mkdir()
    args = ["--vectors", str(empty), "--per-example", "6", "--save", str(tmp_path)]
    args += [a for c in CHAPTERS for a in ("--chapter", c)]
    first = conform(bug(BUG), *args, "--workers", "2", "--steps", "600", "--db", redis_url,
                    "--json", str(tmp_path / "1.json"))  # fmt: skip
    assert first.returncode == 1, first.stdout + first.stderr
    assert "2 workers" in first.stdout and report(tmp_path / "1.json")["status"] == "fail"
    assert redis.Redis.from_url(redis_url).keys("hypothesis-example:*")
    again = ["--workers", "2", "--steps", "2", "--seed", "9"]
    control = conform(bug(BUG), *args, *again, "--db", redis_url.replace("/0", "/2"))
    assert control.returncode == 0, control.stdout + control.stderr
    replay = conform(bug(BUG), *args, *again, "--db", redis_url, "--json", str(tmp_path / "2.json"))
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert report(tmp_path / "2.json")["status"] == "fail"


def test_workers_split_the_steps_into_seed_slices() -> None:
    """CLI-WORKERS-1: the shares add up to the steps, differ by at most one, and every
    worker searches from its own seed."""
    for steps, workers in ((10, 3), (2, 2), (1_000, 7)):
        shares = [worker_steps(steps, workers, k) for k in range(workers)]
        assert sum(shares) == steps and max(shares) - min(shares) <= 1
        assert len({worker_seed(5, k) for k in range(workers)}) == workers


def test_fuzz_runs_on_workers() -> None:
    """CLI-WORKERS-1: `fuzz --workers 2` runs both workers' shares (all their model steps
    counted) and passes on the reference model."""
    fuzz = ["fuzz", "--steps", "400", "--seed", "3", "--workers", "2", "--quiet"]
    done = subprocess.run(
        [sys.executable, "-m", "intermargin.cli", *fuzz],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "on 2 workers" in done.stdout
    steps = int(done.stdout.split(" model steps in ")[0].split()[-1])
    assert steps >= 400


@pytest.mark.parametrize(
    "flags",
    [
        ("--workers", "0"),
        ("--db", "ftp://example.org/x"),
        ("--db", f"redis://127.0.0.1:{free_port()}/0"),
    ],
)
def test_bad_worker_flags_are_usage_errors(flags: tuple[str, str]) -> None:
    """CLI-WORKERS-1, CLI-WORKERS-2: no workers, a database URL of another scheme, or a
    Redis server that does not answer: one line on stderr, exit 2, for both commands."""
    for command in (["conform", "--impl", bug(BUG)], ["fuzz", "--steps", "10"]):
        done = subprocess.run(
            [sys.executable, "-m", "intermargin.cli", *command, *flags],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
