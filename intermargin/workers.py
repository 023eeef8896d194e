"""Campaigns past one process: worker processes with their own seed slices, and the example
database they share (CONF-22, CONF-23, CLI-WORKERS-1, CLI-WORKERS-2).

`--workers N` splits a campaign's steps over N processes; worker `k` searches from the
seed `seed + k * SEED_SLICE`, so no two workers draw the same runs and each worker's part
is reproduced alone by that seed.  `--db URL` gives every worker, and every later run,
one Hypothesis example database: `redis://host:port/db` (Hypothesis's
`RedisExampleDatabase`, shared across machines) or a directory (shared on one machine).
A failure one worker found and saved there is replayed first by every search that
starts after it (Hypothesis's `reuse` phase), by the other workers and by the next run.
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from intermargin.errors import UsageError

R = TypeVar("R")

SEED_SLICE = 1 << 40
"""The distance between two workers' seeds: more than any worker's rounds or batches."""

MAX_WORKERS = 64


def worker_seed(seed: int, worker: int) -> int:
    """CLI-WORKERS-1: the seed worker `worker` searches from."""
    return seed + worker * SEED_SLICE


def worker_steps(steps: int, workers: int, worker: int) -> int:
    """CLI-WORKERS-1: the worker's share of the steps (the first take one more if uneven)."""
    return steps // workers + (1 if worker < steps % workers else 0)


def check_workers(workers: int) -> None:
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be between 1 and {MAX_WORKERS}, not {workers}")


def in_workers(job: Callable[[int, int, int], R], steps: int, seed: int, workers: int) -> list[R]:
    """`job(worker, steps, seed)` for every worker's share, each in its own process (one
    worker: in this process); the results in worker order.  `job` must be picklable (a
    module-level function or a `functools.partial` of one)."""
    shares = [(k, worker_steps(steps, workers, k), worker_seed(seed, k)) for k in range(workers)]
    if workers == 1:
        return [job(*shares[0])]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(job, *share) for share in shares]
        return [f.result() for f in futures]


def example_database(url: str | None) -> ExampleDatabase | None:
    """CLI-WORKERS-2: the database `--db URL` names (None without one); a URL of another
    scheme, or a Redis server that does not answer, is a usage error."""
    if url is None:
        return None
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase

        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
            client.ping()
        except (ValueError, redis.RedisError) as e:
            raise UsageError(f"--db {url}: cannot reach the Redis server: {e}") from None
        return RedisExampleDatabase(client)
    if "://" in url:
        raise UsageError(f"--db {url}: not a redis:// URL or a directory")
    path = Path(url)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--db {url}: not a directory")
    return DirectoryBasedExampleDatabase(str(path))


def first(values: Sequence[R | None]) -> R | None:
    """The first value that is not None (the lowest worker's finding)."""
    return next((v for v in values if v is not None), None)
