"""``unsc-sim frontier``: a draft's chances along the alignment axis (registered by :mod:`sim.cli`).

The computation is :func:`sim.api.frontier`; this command reads the range, shows a progress bar
for Monte Carlo frontiers of many positions, and prints the table or JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from sim.errors import InputError

from .common import Command, EngineDefault, history_calibrator, history_option

#: Monte Carlo frontiers of at least this many positions show a progress bar.
BAR_FROM_STEPS = 5


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--from", "start", type=float, default=EngineDefault("FRONTIER_FROM"), show_default=True,
              help="First position on the axis (standard deviations).")
@click.option("--to", "stop", type=float, default=EngineDefault("FRONTIER_TO"), show_default=True,
              help="Last position on the axis.")
@click.option("--steps", type=int, default=EngineDefault("FRONTIER_STEPS"), show_default=True,
              help="Number of positions, evenly spaced.")
@click.option("--draws", default=EngineDefault("DEFAULT_DRAWS"), show_default=True, type=int,
              help="Monte Carlo draws at each position.")
@click.option("--seed", default=EngineDefault("DEFAULT_SEED"), show_default=True, type=int,
              help="Random seed, the same at every position (recorded).")
@click.option("--exact", is_flag=True, help="Exact probabilities (quadrature) instead of Monte Carlo.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@history_option
def frontier(
    scenario: Path, start: float, stop: float, steps: int, draws: int, seed: int, exact: bool, fmt: str,
    quiet: bool, history_path: Path | None,
) -> None:
    """P(adopted), P(vetoed), P(short) and each member's P(yes) as SCENARIO.toml's draft moves
    along its alignment axis, and the position that maximizes P(adopted) (docs/scenarios.md)."""
    from sim import api
    from sim.render.text import frontier_table
    from sim.study.progress import progress_bar

    method: api.Method = "exact" if exact else "monte-carlo"
    positions = api.frontier_positions(start, stop, steps)  # bad settings fail before any work
    api.check_run(draws, seed, method)
    calibrator = history_calibrator(history_path)
    try:
        spec = api.model_spec(scenario, calibrator)
        api.axis_loadings(spec)
    except InputError as exc:  # about the scenario (its loadings): name the file
        raise exc if exc.source is not None else exc.with_source(str(scenario)) from None
    bar = progress_bar(enabled=not exact and not quiet and steps >= BAR_FROM_STEPS, total=steps,
                       desc="frontier", unit="position")
    try:
        result = api.frontier(spec, positions, method=method, draws=draws, seed=seed,
                              calibrator=calibrator, progress=bar.update)
    finally:
        bar.close()
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(frontier_table(result))
