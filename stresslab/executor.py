"""Where sweeps run: a local process pool, or a Dask distributed cluster (STRESS-12).

Both are `concurrent.futures.Executor`s (Dask's through `Client.get_executor()`), so a
sweep has one code path whatever runs it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

CONNECT_TIMEOUT_S = 10


class SchedulerUnreachable(Exception):
    """The Dask scheduler at the given address did not answer."""


@contextmanager
def executor(scheduler: str | None, workers: int) -> Iterator[Executor]:
    """STRESS-12: a pool of `workers` local processes, or the cluster whose scheduler is at
    `scheduler` (for example tcp://10.0.0.5:8786)."""
    if scheduler is None:
        # Workers start from a fork server, not by forking this process, which may run
        # threads (a progress bar, a Dask client) whose locks a fork would copy held.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield pool
        return
    from distributed import Client

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None
    with client:
        yield client.get_executor()
