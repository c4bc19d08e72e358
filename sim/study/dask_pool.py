"""A Dask cluster as a sweep's pool: a local cluster of worker processes, or a running scheduler.

:meth:`DaskPool.check` runs before anything is written: Dask is installed and the scheduler, if
any, answers within :data:`CONNECT_SECONDS` (Dask's own client retries for 10 s, or waits
forever on a server that never answers). Distributed is imported only when a Dask pool is used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sim.errors import InputError

T = TypeVar("T")
R = TypeVar("R")

#: Seconds allowed to reach a Dask scheduler and hear from it.
CONNECT_SECONDS = 3.0


class DaskPool:
    """Tasks on a Dask cluster: a ``LocalCluster`` of ``workers`` processes, or the one at
    ``scheduler`` (``tcp://host:8786``). ``map`` yields results as they finish; on any error or
    interrupt the remaining tasks are cancelled and the client (and local cluster) closed."""

    name = "dask"

    def __init__(self, workers: int = 1, scheduler: str | None = None) -> None:
        self.workers = workers
        self.scheduler = scheduler

    def check(self) -> None:
        """Before anything is written: Dask is installed and the scheduler, if any, answers."""
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise InputError(
                "executor", "dask is not installed; install the extra: pip install 'unsc-sim[dask]'"
            ) from None
        if self.scheduler:
            problem = scheduler_problem(self.scheduler, CONNECT_SECONDS)
            if problem:
                raise InputError("scheduler", f"cannot connect to {self.scheduler}: {problem}")

    def map(self, fn: Callable[[T], R], items: Sequence[T], /) -> Iterator[R]:
        from distributed import Client, LocalCluster

        cluster = None
        if self.scheduler:
            try:
                client = Client(self.scheduler, timeout=f"{CONNECT_SECONDS:g}s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError("scheduler", f"cannot connect to {self.scheduler}: {exc}") from None
        else:
            cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # the scheduler's HTTP server (health, metrics) on a free local port: on the
                # default 8787, a second sweep running at the same time printed a port warning
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        futures: list[Any] = []
        stopped = False
        try:
            futures = client.map(fn, list(items), pure=False)
            for fut in _finished(futures):
                yield fut.result()
        except BaseException:
            stopped = True
            with _quiet(stopped):
                client.cancel(futures)
            raise
        finally:
            with _quiet(stopped):
                client.close()
                if cluster is not None:
                    cluster.close()


def _finished(futures: list[Any], poll: float = 0.05) -> Iterator[Any]:
    """The futures as they finish. The wait is a sleep in this module, not in Distributed's
    blocking calls, so a Ctrl-C (or SIGTERM turned into it) lands here and not half-way
    through Distributed's own synchronisation with its event loop."""
    import time

    pending = list(futures)
    while pending:
        done = [f for f in pending if f.done()]
        if not done:
            time.sleep(poll)
            continue
        finished = {id(f) for f in done}
        pending = [f for f in pending if id(f) not in finished]
        yield from done


@contextmanager
def _quiet(stopped: bool) -> Iterator[None]:
    """After an interrupt, Distributed's and Tornado's shutdown logs (tasks cancelled, comms
    closed mid-message) are not the user's business: the sweep says what was saved.

    They stay silenced once the sweep was interrupted: Distributed's event-loop thread can
    still run a callback of the interrupted synchronisation after the pool has closed
    (``distributed.utils.sync``'s ``cancel``, which then fails with a NameError and logs it
    through ``tornado.application``), and the process is about to exit anyway."""
    if not stopped:
        yield
        return
    for n in ("distributed", "tornado", "asyncio"):
        logging.getLogger(n).setLevel(logging.CRITICAL + 1)
    yield


def scheduler_problem(address: str, timeout: float) -> str | None:
    """Why a Dask scheduler at ``address`` cannot be used, or None: within about ``timeout`` s.

    A refused TCP connection fails at once (Dask itself retries until its timeout), and a
    server that accepts but never answers is given up on (Dask's Client would wait forever).
    The probe runs in its own thread and event loop, so it works inside a running loop too.
    """
    import asyncio
    import socket
    import threading

    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port
    from distributed.core import rpc

    try:
        scheme, location = parse_address(address)
        if scheme == "tcp":
            host, port = parse_host_port(location)
            socket.create_connection((host, port), timeout=timeout).close()
    except ConnectionRefusedError:
        return "connection refused"
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except socket.gaierror as exc:
        return f"unknown host ({exc.strerror})"
    except (OSError, ValueError, TypeError) as exc:
        return str(exc) or type(exc).__name__

    async def identity() -> Any:
        r = rpc(address, timeout=timeout)
        try:
            return await r.identity()
        finally:
            await r.close_rpc()

    outcome: list[str | None] = []

    def probe() -> None:
        try:
            info = asyncio.run(asyncio.wait_for(identity(), timeout))
            kind = info.get("type") if isinstance(info, dict) else None
            outcome.append(None if kind == "Scheduler" else "not a Dask scheduler")
        except TimeoutError:
            outcome.append(f"no answer within {timeout:g} s")
        except Exception as exc:
            outcome.append(str(exc) or type(exc).__name__)

    thread = threading.Thread(target=probe, name="unsc-sim-scheduler-probe", daemon=True)
    thread.start()
    thread.join(2 * timeout)
    return outcome[0] if outcome else f"no answer within {timeout:g} s"
