"""``unsc-sim sweep``: run a study file (registered by :mod:`sim.cli`).

The sweep machinery (:mod:`sim.study.batch`, pandas, the pools) is imported when the command runs.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import click

from sim.study.pools import EXECUTORS

from .common import Command, command_line

#: Rows printed when no --out is given.
PREVIEW_ROWS = 20


class _Stop:
    """SIGTERM handler that stops a sweep as Ctrl-C does, remembering that it was SIGTERM."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.signal = signum
        raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_as_ctrl_c() -> Iterator[_Stop]:
    """While the sweep runs, ``kill PID`` saves the finished points and exits, like Ctrl-C."""
    stop = _Stop()
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command(cls=Command)
@click.argument("study", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Write FILE.parquet or FILE.csv.")
@click.option("--draws", type=int, default=None, help="Draws per point [study's, else 100000].")
@click.option("--seed", type=int, default=None, help="Random seed of the sweep [the study's seed].")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes.")
@click.option(
    "--executor",
    type=click.Choice(EXECUTORS),
    default=None,
    help="Where points run: local processes or a Dask cluster [local; dask with --scheduler].",
)
@click.option("--scheduler", default=None, help="Address of a running Dask scheduler (tcp://host:8786).")
@click.option("--chunk-size", type=int, default=None, help="Points per task [automatic].")
@click.option("--resume", is_flag=True, help="Compute only the points missing from --out.")
@click.option("--force", is_flag=True, help="Overwrite --out and discard unfinished parts.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--exact", is_flag=True, help="Exact probabilities instead of Monte Carlo.")
def sweep(
    study: Path,
    out: Path | None,
    draws: int | None,
    seed: int | None,
    workers: int,
    executor: str | None,
    scheduler: str | None,
    chunk_size: int | None,
    resume: bool,
    force: bool,
    quiet: bool,
    exact: bool,
) -> None:
    """Run every point of a STUDY.toml file, on a Council or an Assembly scenario (see
    docs/studies.md)."""
    from sim.study import batch

    ex: Any = executor or ("dask" if scheduler else "local")
    with _sigterm_as_ctrl_c() as stop:
        try:
            df = batch.sweep(
                study,
                draws=draws,
                seed=seed,
                workers=workers,
                executor=ex,
                scheduler=scheduler,
                out=out,
                resume=resume,
                force=force,
                progress=not quiet,
                chunk_size=chunk_size,
                method="exact" if exact else None,
                command=command_line(),
            )
        except batch.SweepInterrupted as exc:
            where = f"; saved in {exc.parts}, run again with --resume to finish" if exc.parts else ""
            how = "stopped by SIGTERM" if stop.signal == signal.SIGTERM else "interrupted"
            click.echo(f"sweep {how}: {exc.done} of {exc.total} points done{where}", err=True)
            sys.exit(128 + (stop.signal or signal.SIGINT))
    if out is not None:
        click.echo(f"{len(df)} points written to {out}")
        return
    variables = df.attrs.get("unsc_sim", {}).get("variables", [])
    # an Assembly study's preview adds the expected tally (its table has no Council columns)
    tally = [c for c in ("yes_mean", "no_mean", "abstain_mean") if c in df.columns]
    cols = ["point", *variables, "p_adopted", "p_adopted_se", *tally]
    click.echo(df[cols].head(PREVIEW_ROWS).to_string(index=False))
    if len(df) > PREVIEW_ROWS:
        click.echo(f"... {len(df) - PREVIEW_ROWS} more points; --out FILE.parquet saves them all")
