"""Running studies: points in parallel (processes or Dask), saved as they finish, resumable.

The I/O edge around :mod:`sim.study`. Point ``i`` is simulated with the seed
``point_seed(seed, i)`` whatever runs it, so the table does not depend on the executor, the
number of workers, the chunk size or interruptions. Finished rows are appended to JSON-lines
files in ``<out>.parts/`` (flushed and fsynced); the final table is written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import multiprocessing
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import numpy as np

from .api import DEFAULT_DRAWS, MAX_DRAWS, METHODS, __version__, model_spec, simulate
from .errors import InputError
from .files import result_record
from .inputs import FileRefused, check_regular_file, parse_toml, read_regular_file
from .scenario import FALLBACK_VOTE, resolve_scenario
from .study import (
    Design,
    Study,
    StudyError,
    Value,
    Variable,
    assign,
    check_design,
    design,
    parse_study,
    point_seed,
)

if TYPE_CHECKING:
    import pandas as pd

Executor = Literal["local", "dask"]
EXECUTORS = ("local", "dask")
#: Largest study file accepted, in bytes.
MAX_STUDY_BYTES = 1024 * 1024
#: Suffixes ``out`` may have.
OUT_SUFFIXES = (".parquet", ".csv")
#: Version of the part-file format in ``<out>.parts/manifest.json``.
PARTS_FORMAT = 1


@dataclass(frozen=True)
class BaseDefaults:
    """Effective draft probabilities of the base scenario's members (picklable callable)."""

    probs: Mapping[str, tuple[float, float, float, float]]

    def __call__(self, code: str) -> tuple[float, float, float, float]:
        return self.probs.get(code, FALLBACK_VOTE)


@dataclass(frozen=True)
class LoadedStudy:
    """A study read from disk, with its base scenario, expanded and checked point by point."""

    study: Study
    design: Design
    base: dict[str, Any]
    defaults: BaseDefaults
    source: str
    base_source: str
    study_sha256: str
    base_sha256: str


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped by Ctrl-C; finished points are saved in ``parts`` for ``--resume``."""

    def __init__(self, done: int, total: int, parts: Path | None) -> None:
        super().__init__(f"{done} of {total} points done")
        self.done, self.total, self.parts = done, total, parts


def _read_bytes(path: Path, field_: str, source: str, limit: int) -> bytes:
    try:
        return read_regular_file(path, limit)
    except FileRefused as exc:
        message = str(exc) if field_ == "(file)" else f"{path}: {exc}"
        raise StudyError(field_, message, source) from None


def load_study(path: str | Path) -> LoadedStudy:
    """Read a study file and its base scenario (relative to the study), expand and validate it."""
    p = Path(path)
    source = str(path)
    data = _read_bytes(p, "(file)", source, MAX_STUDY_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyError(
            "(file)", f"is not UTF-8 text ({exc.reason} at byte {exc.start})", source
        ) from None
    raw = parse_toml(text, source, StudyError)
    study = parse_study(raw, source)
    base_path = p.parent / study.study.base
    base_bytes = _read_bytes(base_path, "study.base", source, MAX_STUDY_BYTES)
    return prepare_study(
        study, base_bytes, source, str(base_path), hashlib.sha256(data).hexdigest()
    )


def prepare_study(
    study: Study, base_bytes: bytes, source: str, base_source: str, study_sha256: str
) -> LoadedStudy:
    """Validate the base scenario, expand the study and check every point's scenario."""
    from .files import scenario_from_bytes

    spec = scenario_from_bytes(base_bytes, base_source)
    resolved = resolve_scenario(spec, base_source)
    model = model_spec(resolved).model
    defaults = BaseDefaults(
        {
            m: (float(p[0]), float(p[1]), float(p[2]), float(p[3]))
            for m, p in zip(model.members, model.probs, strict=True)
        }
    )
    base = spec.to_dict()
    des = design(study, source)
    check_design(des, base, defaults, source)
    return LoadedStudy(
        study,
        des,
        base,
        defaults,
        source,
        base_source,
        study_sha256,
        hashlib.sha256(base_bytes).hexdigest(),
    )


# --- workers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointBatch:
    """Points for one worker task: everything needed to rebuild and simulate each of them."""

    base: dict[str, Any]
    defaults: BaseDefaults
    variables: tuple[Variable, ...]
    points: tuple[tuple[int, tuple[Value, ...], int | None], ...]  # (index, values, seed)
    draws: int
    method: str


def run_points(batch: PointBatch) -> list[dict[str, Any]]:
    """Simulate a batch of points; one tidy row each (as it will be stored: JSON round-tripped)."""
    rows = []
    columns = [v.path for v in batch.variables]
    for index, values, seed in batch.points:
        data = assign(batch.base, batch.variables, values, batch.defaults)
        method: Any = batch.method
        result = simulate(data, draws=batch.draws, seed=seed, method=method)
        row = {"point": index, **dict(zip(columns, values, strict=True))}
        row.update(result_record(result))
        rows.append(json.loads(json.dumps(row)))
    return rows


#: File descriptors a forked worker must not keep: the sweep's lock and part file. A lock held
#: by a worker's inherited copy would outlive a killed parent ("being written by another sweep").
_PARENT_ONLY_FDS: set[int] = set()


def _drop_parent_only_fds() -> None:
    """In a forked child: let go of the parent's lock and part file (``os.register_at_fork``).

    Each descriptor is pointed at /dev/null rather than closed, so its number stays taken and
    the inherited file objects never close someone else's file. The parent's lock is kept: a
    ``flock`` belongs to the open file, and the parent still holds it.
    """
    if not _PARENT_ONLY_FDS:
        return
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in _PARENT_ONLY_FDS:
        with contextlib.suppress(OSError):
            os.dup2(devnull, fd)
    os.close(devnull)
    _PARENT_ONLY_FDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_parent_only_fds)

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
    """Workers ignore Ctrl-C and SIGTERM (the parent stops them and keeps what has finished)
    and die with their parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent(parent)


Sink = Callable[[list[dict[str, Any]]], None]


def _run_local(batches: Sequence[PointBatch], workers: int, sink: Sink) -> None:
    if workers == 1:
        for batch in batches:
            sink(run_points(batch))
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # fork where it is safe (Linux): no re-import of __main__, so stdin and unguarded scripts work
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    ctx = multiprocessing.get_context(method)
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
    )
    futures = [pool.submit(run_points, b) for b in batches]
    pending = set(futures)
    try:
        for fut in as_completed(futures):
            pending.discard(fut)
            sink(fut.result())
    except KeyboardInterrupt:
        # keep what the workers finish while the queue is cancelled
        for fut in pending:
            fut.cancel()
        for fut in pending:
            if not fut.cancelled() and fut.exception() is None:
                sink(fut.result())
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: Seconds allowed to reach a Dask scheduler and hear from it.
CONNECT_SECONDS = 3.0


def _check_dask(scheduler: str | None) -> None:
    """Before anything is written: Dask is installed and the scheduler, if any, answers."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(
            "executor", "dask is not installed; install the extra: pip install 'unsc-sim[dask]'"
        ) from None
    if scheduler:
        problem = _scheduler_problem(scheduler, CONNECT_SECONDS)
        if problem:
            raise InputError("scheduler", f"cannot connect to {scheduler}: {problem}")


def _scheduler_problem(address: str, timeout: float) -> str | None:
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


def _run_dask(
    batches: Sequence[PointBatch], workers: int, scheduler: str | None, sink: Sink
) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{CONNECT_SECONDS:g}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError("scheduler", f"cannot connect to {scheduler}: {exc}") from None
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    futures: list[Any] = []
    try:
        futures = client.map(run_points, list(batches), pure=False)
        for fut in as_completed(futures):
            sink(fut.result())
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --- results on disk -----------------------------------------------------------------------------


def parts_dir(out: Path) -> Path:
    """Where a sweep writing ``out`` keeps finished points until it is done."""
    return out.with_name(out.name + ".parts")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_json_atomic(path: Path, payload: Mapping[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w") as f:
        json.dump(payload, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def read_parts(parts: Path) -> dict[int, dict[str, Any]]:
    """Finished rows from the part files, by point; a torn last line (killed writer) is ignored."""
    done: dict[int, dict[str, Any]] = {}
    for part in sorted(parts.glob("part-*.jsonl")):
        with part.open("rb") as f:
            for line in f:
                if not line.endswith(b"\n"):
                    break  # written by a process killed mid-line
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(row, dict) and isinstance(row.get("point"), int):
                    done.setdefault(row["point"], row)
    return done


@dataclass
class _Store:
    """Part files of one sweep: a manifest, a lock, and one append-only file per session."""

    out: Path
    manifest: dict[str, Any]
    done: dict[int, dict[str, Any]] = field(default_factory=dict)
    _lock: IO[str] | None = None
    _part: IO[bytes] | None = None

    @property
    def parts(self) -> Path:
        return parts_dir(self.out)

    def open(self, resume: bool) -> None:
        """Create ``<out>.parts`` or, to resume, check it belongs to this run and load its rows."""
        parts = self.parts
        parts.mkdir(parents=True, exist_ok=True)
        self._lock = (parts / "lock").open("w")
        _PARENT_ONLY_FDS.add(self._lock.fileno())
        try:
            import fcntl

            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        except OSError:
            self.close()
            raise InputError("out", f"{self.out} is being written by another sweep") from None
        manifest_path = parts / "manifest.json"
        if resume and manifest_path.exists():
            try:
                old = json.loads(manifest_path.read_text())
            except (OSError, json.JSONDecodeError):
                old = {}
            if not isinstance(old, dict):
                old = {}
            for key, value in self.manifest.items():
                if old.get(key) != value:
                    raise InputError(
                        "resume",
                        f"{parts} was written by a different run ({key}: {old.get(key)!r}, "
                        f"now {value!r}); pass force=True to start over",
                    )
            self.done = {
                i: r for i, r in read_parts(parts).items() if 0 <= i < self.manifest["points"]
            }
        else:
            for old_part in parts.glob("part-*.jsonl"):
                old_part.unlink()
            _write_json_atomic(manifest_path, self.manifest)
        n = len(list(parts.glob("part-*.jsonl")))
        self._part = (parts / f"part-{n:05d}-{os.getpid()}.jsonl").open("ab")
        _PARENT_ONLY_FDS.add(self._part.fileno())

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append finished rows and make them durable before counting them as done."""
        assert self._part is not None
        self._part.write(b"".join(json.dumps(r).encode() + b"\n" for r in rows))
        self._part.flush()
        os.fsync(self._part.fileno())

    def close(self) -> None:
        for f in (self._part, self._lock):
            if f is not None:
                _PARENT_ONLY_FDS.discard(f.fileno())
                f.close()
        self._part = self._lock = None

    def remove(self) -> None:
        self.close()
        shutil.rmtree(self.parts, ignore_errors=True)


def write_frame(df: pd.DataFrame, path: Path, metadata: Mapping[str, str]) -> None:
    """Write the table atomically (temporary file, fsync, rename); Parquet keeps ``metadata``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if path.suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            meta = {
                **(table.schema.metadata or {}),
                **{k.encode(): v.encode() for k, v in metadata.items()},
            }
            pq.write_table(table.replace_schema_metadata(meta), tmp)
        else:
            df.to_csv(tmp, index=False)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def read_metadata(path: str | Path) -> dict[str, str]:
    """The ``unsc_sim.*`` metadata of a sweep's Parquet file ({} if it has none).

    A path that is not a readable Parquet file is an :class:`InputError` naming it.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        check_regular_file(path, sys.maxsize)
    except FileRefused as exc:
        raise InputError("(file)", str(exc), str(path)) from None
    try:
        meta = pq.read_schema(path).metadata or {}
    except pa.ArrowInvalid:
        raise InputError("(file)", "is not a Parquet file, or is damaged", str(path)) from None
    except OSError as exc:
        raise InputError("(file)", f"cannot be read: {exc.strerror or exc}", str(path)) from None
    return {k.decode(): v.decode() for k, v in meta.items() if k.startswith(b"unsc_sim.")}


# --- the sweep -----------------------------------------------------------------------------------


def _frame(rows: Mapping[int, Mapping[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([rows[i] for i in sorted(rows)])


def _auto_chunk(points: int, workers: int) -> int:
    """Points per task: enough tasks per worker to balance load, few enough to save often."""
    return max(1, min(16, math.ceil(points / (workers * 32))))


def _whole(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(name, f"must be a whole number, got {value!r}")


def _check_args(
    draws: int,
    seed: int,
    workers: int,
    executor: str,
    scheduler: str | None,
    method: str,
    chunk_size: int | None,
    out: Path | None,
    resume: bool,
    force: bool,
) -> None:
    """Check the arguments of :func:`sweep`. Errors name the parameters (the CLI maps them to
    its flags, see :func:`sim.cli_common.cli_message`): ``name=True``, ``name="value"`` and
    ``name=FILE`` in a message refer to parameters."""
    for name, value in (("draws", draws), ("seed", seed), ("workers", workers)):
        _whole(name, value)
    if chunk_size is not None:
        _whole("chunk_size", chunk_size)
    if method not in METHODS:
        raise InputError("method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    if method == "monte-carlo" and not 1 <= draws <= MAX_DRAWS:
        raise InputError("draws", f"must be between 1 and {MAX_DRAWS:,}, got {draws}")
    if seed < 0:
        raise InputError("seed", f"must be a non-negative integer, got {seed}")
    if not 1 <= workers <= 1024:
        raise InputError("workers", f"must be between 1 and 1024, got {workers}")
    if executor not in EXECUTORS:
        raise InputError("executor", f"must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if scheduler and executor != "dask":
        raise InputError("scheduler", 'needs executor="dask"')
    if chunk_size is not None and chunk_size < 1:
        raise InputError("chunk_size", f"must be at least 1, got {chunk_size}")
    if resume and force:
        raise InputError("resume", "give resume=True or force=True, not both")
    if out is None:
        if resume or force:
            raise InputError("resume" if resume else "force", "needs out=FILE")
        return
    if out.suffix not in OUT_SUFFIXES:
        raise InputError("out", f"{out}: use a .parquet or .csv file name")
    if out.is_dir():
        raise InputError("out", f"{out} is a directory")
    if not out.parent.exists():
        raise InputError("out", f"{out}: no such directory {out.parent}")
    parts = parts_dir(out)
    if not (resume or force):
        if parts.exists():
            raise InputError(
                "out",
                f"{parts} holds an interrupted sweep; "
                "pass resume=True to finish it or force=True to start over",
            )
        if out.exists():
            raise InputError(
                "out", f"{out} exists; pass force=True to overwrite it (or resume=True to reuse it)"
            )


def sweep(
    study: str | Path | LoadedStudy,
    draws: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = True,
    chunk_size: int | None = None,
    method: str | None = None,
    command: str | None = None,
) -> pd.DataFrame:
    """Run every point of a study; one tidy row per point, sorted by ``point``.

    ``draws``, ``seed`` and ``method`` default to the study's ``[study]`` values (else 100,000
    draws, the study seed, Monte Carlo). With ``out`` (.parquet or .csv) rows are saved as they
    finish and ``resume=True`` computes only the missing points. See docs/studies.md.
    """
    started = time.time()
    clock = time.perf_counter()
    loaded = study if isinstance(study, LoadedStudy) else load_study(study)
    meta = loaded.study.study
    draws = draws if draws is not None else (meta.draws or DEFAULT_DRAWS)
    seed = seed if seed is not None else meta.seed
    method = method or meta.method or "monte-carlo"
    out_path = Path(out) if out is not None else None
    _check_args(
        draws, seed, workers, executor, scheduler, method, chunk_size, out_path, resume, force
    )
    n = len(loaded.design)
    crn = meta.common_random_numbers
    manifest = {
        "format": PARTS_FORMAT,
        "version": __version__,
        "study_sha256": loaded.study_sha256,
        "base_sha256": loaded.base_sha256,
        "seed": seed,
        "draws": draws if method == "monte-carlo" else 0,
        "method": method,
        "points": n,
        "common_random_numbers": crn,
    }
    if out_path is not None and resume and out_path.exists() and not parts_dir(out_path).exists():
        return _already_done(out_path, manifest, loaded)

    if executor == "dask":
        _check_dask(scheduler)
    store = _Store(out_path, manifest) if out_path is not None else None
    if store is not None:
        store.open(resume)
    done: dict[int, dict[str, Any]] = dict(store.done) if store is not None else {}
    resumed = len(done)
    todo = [i for i in range(n) if i not in done]
    size = chunk_size or _auto_chunk(len(todo), workers)
    variables = loaded.design.variables

    def seed_of(i: int) -> int | None:
        if method == "exact":
            return None
        return seed if crn else point_seed(seed, i)

    batches = [
        PointBatch(
            loaded.base,
            loaded.defaults,
            variables,
            tuple((i, loaded.design.values[i], seed_of(i)) for i in todo[k : k + size]),
            draws,
            method,
        )
        for k in range(0, len(todo), size)
    ]
    from tqdm import tqdm

    bar = tqdm(
        total=n,
        initial=resumed,
        unit="point",
        desc="sweep",
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )

    def sink(rows: list[dict[str, Any]]) -> None:
        if store is not None:
            store.append(rows)
        for row in rows:
            done[row["point"]] = row
        bar.update(len(rows))

    try:
        if executor == "dask":
            _run_dask(batches, workers, scheduler, sink)
        else:
            _run_local(batches, workers, sink)
    except KeyboardInterrupt:
        if store is None:
            raise SweepInterrupted(len(done), n, None) from None
        # count what is on disk: Ctrl-C may land between saving a batch and counting it
        store.close()
        saved = sum(1 for i in read_parts(store.parts) if 0 <= i < n)
        raise SweepInterrupted(saved, n, store.parts) from None
    except Exception:
        if store is not None and not read_parts(store.parts):
            store.remove()  # nothing was computed: leave nothing that blocks the next run
        raise
    finally:
        bar.close()
        if store is not None:
            store.close()
    df = _frame(done)
    timings = {
        "started": _iso(started),
        "finished": _iso(time.time()),
        "wall_seconds": round(time.perf_counter() - clock, 3),
        "points_computed": n - resumed,
        "points_resumed": resumed,
        "executor": executor,
        "workers": workers,
        "chunk_size": size,
    }
    columns = list(loaded.design.columns)
    df.attrs["unsc_sim"] = {**manifest, "variables": columns, "timings": timings}
    if out_path is not None and store is not None:
        write_frame(
            df,
            out_path,
            _metadata(
                loaded,
                manifest,
                timings,
                command or _api_command(loaded, draws, seed, workers, executor, out_path, method),
            ),
        )
        store.remove()
    return df


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _api_command(
    loaded: LoadedStudy, draws: int, seed: int, workers: int, executor: str, out: Path, method: str
) -> str:
    return (
        f"sim.sweep({loaded.source!r}, draws={draws}, seed={seed}, workers={workers}, "
        f"executor={executor!r}, out={str(out)!r}, method={method!r})"
    )


def _metadata(
    loaded: LoadedStudy, manifest: Mapping[str, Any], timings: Mapping[str, Any], command: str
) -> dict[str, str]:
    seeding = (
        "common: every point uses the seed"
        if manifest["common_random_numbers"]
        else "per point: SeedSequence(seed, spawn_key=(point,)), 63 bits"
    )
    return {
        "unsc_sim.version": __version__,
        "unsc_sim.seed": str(manifest["seed"]),
        "unsc_sim.seeding": seeding,
        "unsc_sim.draws": str(manifest["draws"]),
        "unsc_sim.method": str(manifest["method"]),
        "unsc_sim.points": str(manifest["points"]),
        "unsc_sim.study": loaded.source,
        "unsc_sim.study_sha256": loaded.study_sha256,
        "unsc_sim.base": loaded.base_source,
        "unsc_sim.base_sha256": loaded.base_sha256,
        "unsc_sim.command": command,
        "unsc_sim.timings": json.dumps(timings, sort_keys=True),
        "unsc_sim.run": json.dumps(manifest, sort_keys=True),
    }


#: How the settings that ``--resume`` checks are named in messages.
_SETTING_NAMES = {"common_random_numbers": "common random numbers", "format": "part-file format"}


def _already_done(out: Path, manifest: Mapping[str, Any], loaded: LoadedStudy) -> pd.DataFrame:
    """``--resume`` on a finished sweep: return its table if it is this run's, else say why not."""
    import pandas as pd

    force = "pass force=True to overwrite it"
    if out.suffix != ".parquet":
        raise InputError(
            "resume",
            f"{out} is a finished table, and a CSV file keeps no record of the run that made it, "
            f"so it cannot be checked against this one; {force} (Parquet output can be resumed)",
        )
    meta = read_metadata(out)
    run = meta.get("unsc_sim.run")
    try:
        old = json.loads(run) if run is not None else None
    except json.JSONDecodeError:
        old = None
    if not isinstance(old, dict):
        raise InputError("resume", f"{out} is not the output of a sweep (no unsc_sim.run metadata); {force}")
    if old == dict(manifest):
        return pd.read_parquet(out)
    raise InputError(
        "resume", f"{out} is a finished run of {_how_it_differs(old, manifest, meta, loaded)}; {force}"
    )


def _how_it_differs(
    old: Mapping[str, Any], new: Mapping[str, Any], meta: Mapping[str, str], loaded: LoadedStudy
) -> str:
    """``this study with draws = 2000, not 5000`` and the like: what another run did otherwise."""
    if old.get("study_sha256") != new["study_sha256"]:
        source = meta.get("unsc_sim.study")
        if source and Path(source) != Path(loaded.source):
            return f"{source}, not {loaded.source}"
        return f"{loaded.source} as it was before it was changed"
    if old.get("base_sha256") != new["base_sha256"]:
        return f"this study on {loaded.base_source} as it was before it was changed"
    if old.get("version") != new["version"]:
        return f"this study made by unsc-sim {old.get('version')}, not {new['version']}"
    skip = {"draws"} if old.get("method") != new["method"] else set()  # exact runs have no draws
    diffs = [
        f"{_SETTING_NAMES.get(key, key)} = {_setting(old.get(key))}, not {_setting(value)}"
        for key, value in new.items()
        if old.get(key) != value and key not in skip
    ]
    diffs += [f"{key} = {_setting(value)}" for key, value in old.items() if key not in new]
    return "this study with " + (", and ".join(diffs) or "other settings")


def _setting(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        return value
    return json.dumps(value)
