"""Where a sweep's tasks run: a pool is anything with ``map(fn, items)`` (as in emcee).

The sweep hands :func:`sim.study.plan.run_points` and its batches to a pool and saves the
results as the pool yields them, in any order (each row carries its point). The pools here:

* :class:`SerialPool`: in this process, one task after the other;
* :class:`ProcessPool`: local worker processes that yield results as they finish, die with
  the main process, and on Ctrl-C hand over what has finished before they stop;
* :class:`sim.study.dask_pool.DaskPool`: a Dask cluster, local or at a scheduler's address.

Any other pool may be handed to :func:`sim.sweep` (``multiprocessing.Pool``, an executor of
``concurrent.futures``, a schwimmbad pool); if it has ``imap_unordered``, that is used, so that
results are saved as they finish. This module imports only the standard library at the top.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: The pools the command line and ``sim.sweep(executor=...)`` name.
EXECUTORS = ("local", "dask")


class Pool(Protocol):
    """Anything that maps a function over items, in parallel or not."""

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], /) -> Iterable[Any]: ...


def pool_for(executor: str, workers: int, scheduler: str | None = None) -> Pool:
    """The pool an executor name stands for: ``local`` (in this process for one worker) or
    ``dask`` (a local cluster of ``workers``, or the cluster at ``scheduler``)."""
    if executor == "dask":
        from .dask_pool import DaskPool

        return DaskPool(workers, scheduler)
    return SerialPool() if workers == 1 else ProcessPool(workers)


def results(pool: Pool, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """``fn`` over ``items`` on ``pool``, as the results arrive (finished first where it can)."""
    imap = getattr(pool, "imap_unordered", None)
    return iter(imap(fn, items) if callable(imap) else pool.map(fn, items))


class SerialPool:
    """Tasks in this process, in order."""

    name = "local"
    workers = 1

    def map(self, fn: Callable[[T], R], items: Sequence[T], /) -> Iterator[R]:
        return (fn(item) for item in items)


class ProcessPool:
    """Local worker processes (forked on Linux, so stdin and unguarded scripts work).

    ``map`` yields results as they finish. On Ctrl-C (or SIGTERM turned into it) while it waits,
    the tasks not started are cancelled, the ones that finish meanwhile are still yielded, and the
    interrupt is raised again. Workers ignore Ctrl-C and SIGTERM (the main process stops them and
    keeps what has finished) and die with the main process, however it dies.
    """

    name = "local"

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def map(self, fn: Callable[[T], R], items: Sequence[T], /) -> Iterator[R]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        method = "fork" if sys.platform.startswith("linux") else "spawn"
        executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        futures = [executor.submit(fn, item) for item in items]
        pending = set(futures)
        try:
            for fut in as_completed(futures):
                pending.discard(fut)
                yield fut.result()
        except KeyboardInterrupt:
            for fut in pending:
                fut.cancel()
            for fut in pending:
                if not fut.cancelled() and fut.exception() is None:
                    yield fut.result()
            raise
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


#: How often a worker without PR_SET_PDEATHSIG checks that its parent is alive, in seconds.
PARENT_POLL_SECONDS = 0.2


def _die_with_parent(parent: int) -> None:
    """End this worker as soon as ``parent`` dies, however it dies (SIGKILL included).

    On Linux the kernel does it (``prctl(PR_SET_PDEATHSIG, SIGKILL)``); elsewhere a daemon
    thread polls the parent's pid. Either way a killed sweep leaves no worker holding its
    stdout or its part files.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # died before the prctl took effect
                    os._exit(1)
                return
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="unsc-sim-parent-watch", daemon=True).start()


def _worker_init(parent: int) -> None:
    """Workers ignore Ctrl-C and SIGTERM and die with their parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent(parent)
