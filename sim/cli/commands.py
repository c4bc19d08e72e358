"""The ``unsc-sim`` command line: a thin layer over the Python API.

Every bad input ends with one line ``FILE: field: problem`` on stderr and exit code 2 (the one
boundary is :class:`sim.cli.common.CommandLine`). Commands import what they use when they run,
so ``unsc-sim --help`` loads no engine and ``run`` loads no sweep machinery.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sim.errors import InputError
from sim.scenario.council import FIRST_YEAR, LAST_YEAR

from .calibrate import backtest_command, fit_command, predict_command
from .common import CommandLine, EngineDefault, command_line, history_calibrator, history_option
from .frontier import frontier
from .sweep import sweep

if TYPE_CHECKING:
    from sim.api import Method


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from sim.api import __version__

    click.echo(f"unsc-sim, version {__version__}")
    ctx.exit()


@click.group(cls=CommandLine, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
def main() -> None:
    """Simulate UN Security Council and General Assembly votes: would this draft pass, and why?"""


def _check_out(out: Path | None, force: bool) -> None:
    if out is None:
        return
    if out.suffix not in {".json", ".csv", ".parquet"}:
        raise InputError("--out", f"{out}: use a .json, .csv or .parquet file name")
    if out.exists() and not force:
        raise InputError("--out", f"{out} exists; pass --force to overwrite it")


DRAWS = EngineDefault("DEFAULT_DRAWS")
SEED = EngineDefault("DEFAULT_SEED")


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--draws", default=DRAWS, show_default=True, type=int, help="Monte Carlo draws.")
@click.option("--seed", default=SEED, show_default=True, type=int, help="Random seed (recorded).")
@click.option("--exact", is_flag=True, help="Exact probabilities (quadrature) instead of Monte Carlo.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Also write results to FILE.json, .csv or .parquet.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@history_option
def run(
    scenarios: tuple[Path, ...], draws: int, seed: int, exact: bool, fmt: str, out: Path | None, force: bool,
    history_path: Path | None,
) -> None:
    """Simulate one or more SCENARIO.toml files: Council ([council]) or General Assembly ([assembly]) votes."""
    from sim.api import check_run, simulate
    from sim.assembly.api import simulate_assembly
    from sim.assembly.scenario import AssemblyScenario
    from sim.io.files import read_any_scenario, write_results
    from sim.render.assembly import assembly_table
    from sim.render.text import result_table

    _check_out(out, force)
    specs = [read_any_scenario(p) for p in scenarios]  # validate every file before any work
    if history_path is not None and all(isinstance(s, AssemblyScenario) for s in specs):
        raise InputError("--history", "extends the Council's calibration with Council vote records; an "
                                      "Assembly scenario's unlisted members take their 2019-2023 base rates "
                                      "(to forecast Assembly roll calls from records: unsc-sim predict --body "
                                      "assembly --history)")
    calibrator = history_calibrator(history_path)
    method: Method = "exact" if exact else "monte-carlo"
    check_run(draws, seed, method)
    results: list[Any] = []
    tables = []
    for s in specs:
        if isinstance(s, AssemblyScenario):
            body = simulate_assembly(s, draws=draws, seed=seed, method=method)
            tables.append(assembly_table(body, s.reference))
            results.append(body)
        else:
            council = simulate(s, draws=draws, seed=seed, method=method, calibrator=calibrator)
            tables.append(result_table(council, reference=s.reference))
            results.append(council)
    if fmt == "json":
        payload = [r.to_dict() for r in results]
        click.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2))
    else:
        click.echo("\n\n".join(tables))
    if out is not None:
        write_results(results, out, command_line())


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--target", default=0.9, show_default=True, type=float, help="The P(adopted) to reach.")
@click.option("--max-moves", default=3, show_default=True, type=int, help="The most members a plan may move.")
@click.option("--max-evaluations", type=int, default=None,
              help="Stop after this many exact computations (the plans found may then not be minimal).")
@click.option("--exact", is_flag=True, help="Accepted for symmetry: the plan search is always exact.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def lobby(scenario: Path, target: float, max_moves: int, max_evaluations: int | None, exact: bool, fmt: str) -> None:
    """What would it take: the fewest members to move, and how far, to reach --target."""
    from sim.io.files import read_scenario
    from sim.lobbying import lobby as search
    from sim.render.text import lobby_table

    del exact
    spec = read_scenario(scenario)
    if max_evaluations is not None and max_evaluations < 1:
        raise InputError("--max-evaluations", f"must be at least 1, got {max_evaluations}")
    result = search(spec, target=target, max_moves=max_moves, max_evaluations=max_evaluations)
    click.echo(json.dumps(result.to_dict(), indent=2) if fmt == "json" else lobby_table(result))


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--draws", default=DRAWS, show_default=True, type=int)
@click.option("--seed", default=SEED, show_default=True, type=int)
@click.option("--exact", is_flag=True, help="Exact probabilities instead of Monte Carlo.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@history_option
def compare(scenarios: tuple[Path, ...], draws: int, seed: int, exact: bool, fmt: str,
            history_path: Path | None) -> None:
    """Compare scenarios side by side (same seed: common random numbers)."""
    from sim.api import simulate
    from sim.io.files import read_scenario
    from sim.render.text import compare_table

    if len(scenarios) < 2:
        raise InputError("SCENARIOS", "give at least two scenario files to compare")
    specs = [read_scenario(p) for p in scenarios]
    calibrator = history_calibrator(history_path)
    method: Method = "exact" if exact else "monte-carlo"
    results = [simulate(s, draws=draws, seed=seed, method=method, calibrator=calibrator) for s in specs]
    if fmt == "json":
        # a list, in the order given: the same file may be compared with itself
        payload = [{"file": str(p), **r.to_dict()} for p, r in zip(scenarios, results, strict=True)]
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(compare_table(results, [p.stem for p in scenarios]))


@main.command()
@click.option(
    "--year", type=int, default=None, help=f"Council of a year, {FIRST_YEAR}-{LAST_YEAR} (default: the latest)."
)
@click.option("--procedural", is_flag=True, help="Procedural vote: no veto.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def power(year: int | None, procedural: bool, fmt: str) -> None:
    """A priori voting power (Shapley–Shubik and Banzhaf) of each member."""
    from sim.engine.power import voting_power
    from sim.render.text import power_table
    from sim.scenario.council import council_for_year

    y = LAST_YEAR if year is None else year
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise InputError("--year", f"must be between {FIRST_YEAR} and {LAST_YEAR}, got {y}")
    council = council_for_year(y)
    pw = voting_power(council, procedural=procedural)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "year": y,
                    "threshold": council.threshold,
                    "procedural": procedural,
                    "shapley_shubik": {m: float(v) for m, v in pw.shapley_shubik.items()},
                    "banzhaf": {m: float(v) for m, v in pw.banzhaf.items()},
                    "banzhaf_absolute": {m: float(v) for m, v in pw.banzhaf_absolute.items()},
                    "fractions": {
                        k: {m: str(v) for m, v in getattr(pw, k).items()}
                        for k in ("shapley_shubik", "banzhaf", "banzhaf_absolute")
                    },
                },
                indent=2,
            )
        )
    else:
        click.echo(f"A priori voting power, {y} Council ({council.size} members, {council.threshold} votes needed"
                   f"{', procedural' if procedural else ''})")
        click.echo(power_table(pw))


for _name, _cmd in (("sweep", sweep), ("fit", fit_command), ("predict", predict_command),
                   ("backtest", backtest_command), ("frontier", frontier)):
    main.add_command(_cmd, _name)

