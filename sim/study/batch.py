"""Running studies: every point of a study, on a pool, saved as it finishes, resumable.

:func:`sweep` puts the pieces together, as emcee's sampler does: a pure plan
(:mod:`sim.study.plan`: the points still to do, with their seeds), a pool handed in
(:mod:`sim.study.pools`: anything with ``map``; local processes; Dask in :mod:`sim.study.dask_pool`), a
store (:mod:`sim.study.store`: part files, lock, resume, the final table) and an optional
progress bar (:mod:`sim.study.progress`). The table depends only on the study, the seed, the draws and
the method, never on the pool, the workers, the chunk size or interruptions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.api import DEFAULT_DRAWS, MAX_DRAWS, METHODS, __version__
from sim.errors import InputError

from .files import LoadedStudy, load_study
from .plan import SweepPlan, auto_chunk_size, run_points
from .pools import EXECUTORS, Pool, pool_for, results
from .progress import progress_bar
from .store import (
    OUT_SUFFIXES,
    PARTS_FORMAT,
    SweepStore,
    finished_table,
    parts_dir,
    read_metadata,
    read_parts,
)

if TYPE_CHECKING:
    import pandas as pd

#: The public face of sweeps (``read_metadata`` and ``load_study`` live in the store and the
#: study files, and are documented here).
__all__ = ["LoadedStudy", "SweepInterrupted", "load_study", "read_metadata", "sweep"]

Executor = Literal["local", "dask"]


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped by Ctrl-C; finished points are saved in ``parts`` for ``resume``."""

    def __init__(self, done: int, total: int, parts: Path | None) -> None:
        super().__init__(f"{done} of {total} points done")
        self.done, self.total, self.parts = done, total, parts


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
    pool: Pool | None = None,
) -> pd.DataFrame:
    """Run every point of a study; one tidy row per point, sorted by ``point``.

    ``draws``, ``seed`` and ``method`` default to the study's ``[study]`` values (else 100,000
    draws, the study seed, Monte Carlo). With ``out`` (.parquet or .csv) rows are saved as they
    finish and ``resume=True`` computes only the missing points. Points run on ``pool``
    (anything with ``map``) if given, else on the pool ``executor`` names with ``workers``
    (and ``scheduler``, for Dask). See docs/studies.md.
    """
    started, clock = time.time(), time.perf_counter()
    loaded = study if isinstance(study, LoadedStudy) else load_study(study)
    meta = loaded.study.study
    plan = SweepPlan(
        loaded,
        draws=draws if draws is not None else (meta.draws or DEFAULT_DRAWS),
        seed=seed if seed is not None else meta.seed,
        method=method or meta.method or "monte-carlo",
    )
    out_path = Path(out) if out is not None else None
    _check_args(plan, workers, executor, scheduler, chunk_size, out_path, resume, force)
    manifest = {"format": PARTS_FORMAT, **plan.settings(__version__)}
    if out_path is not None and resume and out_path.exists() and not parts_dir(out_path).exists():
        return finished_table(out_path, manifest, loaded.source, loaded.base_source)
    pool = pool if pool is not None else pool_for(executor, workers, scheduler)
    workers = getattr(pool, "workers", workers)
    check = getattr(pool, "check", None)
    if callable(check):
        check()  # before anything is written: a missing Dask, an unreachable scheduler
    store = SweepStore(out_path, manifest) if out_path is not None else None
    if store is not None:
        store.open(resume)
    done = dict(store.done) if store is not None else {}
    resumed, n = len(done), plan.points
    todo = [i for i in range(n) if i not in done]
    size = chunk_size or auto_chunk_size(len(todo), workers)
    bar = progress_bar(
        progress, total=n, initial=resumed, unit="point", desc="sweep", dynamic_ncols=True, smoothing=0.1
    )
    finished = None
    try:
        finished = results(pool, run_points, plan.batches(todo, size))
        for rows in finished:
            if store is not None:
                store.append(rows)
            for row in rows:
                done[row["point"]] = row
            bar.update(len(rows))
    except KeyboardInterrupt:
        if store is None:
            raise SweepInterrupted(len(done), n, None) from None
        store.close()  # count what is on disk: Ctrl-C may land between saving a batch and counting it
        raise SweepInterrupted(store.saved(), n, store.parts) from None
    except Exception:
        if store is not None and not read_parts(store.parts):
            store.remove()  # nothing was computed: leave nothing that blocks the next run
        raise
    finally:
        close = getattr(finished, "close", None)
        if callable(close):
            close()  # a pool's generator stops its workers
        bar.close()
        if store is not None:
            store.close()
    rows = [done[i] for i in sorted(done)]
    timings = {
        "started": _iso(started),
        "finished": _iso(time.time()),
        "wall_seconds": round(time.perf_counter() - clock, 3),
        "points_computed": n - resumed,
        "points_resumed": resumed,
        "executor": getattr(pool, "name", type(pool).__name__),
        "workers": workers,
        "chunk_size": size,
    }
    if store is not None:
        call = command or _api_command(loaded, plan, workers, executor, store.out)
        store.finish(rows, _metadata(loaded, manifest, timings, call))
    import pandas as pd

    df = pd.DataFrame(rows)
    df.attrs["unsc_sim"] = {**manifest, "variables": list(loaded.design.columns), "timings": timings}
    return df


def _whole(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(name, f"must be a whole number, got {value!r}")


def _check_args(
    plan: SweepPlan,
    workers: int,
    executor: str,
    scheduler: str | None,
    chunk_size: int | None,
    out: Path | None,
    resume: bool,
    force: bool,
) -> None:
    """Check the arguments of :func:`sweep`. Errors name the parameters (the CLI maps them to
    its flags, see :func:`sim.cli.common.cli_message`): ``name=True``, ``name="value"`` and
    ``name=FILE`` in a message refer to parameters."""
    draws, seed, method = plan.draws, plan.seed, plan.method
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


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _api_command(loaded: LoadedStudy, plan: SweepPlan, workers: int, executor: str, out: Path) -> str:
    return (
        f"sim.sweep({loaded.source!r}, draws={plan.draws}, seed={plan.seed}, workers={workers}, "
        f"executor={executor!r}, out={str(out)!r}, method={plan.method!r})"
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
