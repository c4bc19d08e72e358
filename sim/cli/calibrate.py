"""CLI commands of the calibration layer: ``fit``, ``predict`` and ``backtest``.

They are plain :func:`click.command` functions; :mod:`sim.cli` registers them in the main
``unsc-sim`` group, whose error boundary (:class:`sim.cli.common.CommandLine`) ends bad input
with a one-line ``FILE: field: problem`` message on stderr and exit code 2. The calibration
(pandas, SciPy's optimizers) is imported when a command runs.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sim.errors import InputError
from sim.study.progress import progress_bar

from .common import Command

if TYPE_CHECKING:
    import pandas as pd


def _check_output(path: Path, force: bool, flag: str) -> None:
    """Refuse to overwrite an output without ``--force``, or to write into a missing directory.

    Checked before any work, so a long fit never ends in a refusal; no directory is created.
    """
    if path.exists() and not force:
        raise InputError(flag, "exists; pass --force to overwrite it", str(path))
    if not path.parent.is_dir():
        raise InputError(flag, f"directory {path.parent} does not exist", str(path))


FORCE = click.option("--force", is_flag=True, help="Overwrite the output files if they exist.")


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("unsc-sim")
    except Exception:  # not installed (running from a checkout)
        return "unknown"


def load_training_data(data: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Vote rows (misaligned events removed, outcomes reconciled with the tally and the
    resolution number), GA covariates and input hashes."""
    from sim.calibration.clean import misaligned_events, reconcile_outcomes
    from sim.io import records

    votes, cov, hashes = records.load_calibration_inputs(data)
    mpath = Path(data) / records.FILES["membership"]
    membership = records.load_membership(mpath)
    hashes[mpath.name] = records.file_sha256(mpath)
    bad = misaligned_events(votes, membership)
    votes, _fixes = reconcile_outcomes(votes[~votes["event_id"].isin(bad)])
    return votes, cov, hashes


def fit_params(data: Path, seed: int, until: int | None, command: str) -> dict[str, Any]:
    """Fit on the records in ``data`` (years <= ``until``) and return the params dict."""
    from sim.calibration.config import FitConfig
    from sim.calibration.fitting import fit, fit_steps
    from sim.io import records

    votes, cov, hashes = load_training_data(data)
    if until is not None:
        voted = votes["vote"].isin(["yes", "abstain", "no"])
        if not (voted & (votes["year"] <= until)).any():
            first = int(votes.loc[voted, "year"].min()) if voted.any() else None
            since = f" (they start in {first}; use --until {first} or later)" if first is not None else ""
            raise InputError(
                "--until", f"no votes recorded in {until} or earlier to fit on{since}",
                str(Path(data) / records.FILES["sc_draft_votes"]))
        votes = votes[votes["year"] <= until]
    cfg = FitConfig(seed=seed)
    bar = progress_bar(total=fit_steps(cfg), desc="fit", unit="step", leave=False)

    def say(_msg: str) -> None:
        bar.set_postfix_str(_msg)
        bar.update(1)

    t0 = _dt.datetime.now(_dt.UTC)
    try:
        params = fit(votes, cov, cfg, progress=say)
    finally:  # an error is printed on a line of its own, not after the bar
        bar.close()
    d = params.to_dict()
    d["meta"]["provenance"] = {
        "data_cutoff": str(max(votes["date"])),
        "train_years": [int(votes["year"].min()), int(votes["year"].max())],
        "command": command,
        "package_version": _package_version(),
        "inputs_sha256": hashes,
        "fitted_at": t0.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "fit_seconds": round((_dt.datetime.now(_dt.UTC) - t0).total_seconds(), 1),
        "seed": seed,
    }
    return d


@click.command("fit", cls=Command)
@click.option("--data", "data", required=True, type=click.Path(path_type=Path),
              help="Directory with the UN voting record files (see SOURCES.md).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Where to write the fitted parameters (JSON).")
@click.option("--seed", default=0, show_default=True, help="Seed of the fold split.")
@click.option("--until", type=int, default=None, help="Last year of records to use.")
@FORCE
def fit_command(data: Path, out: Path, seed: int, until: int | None, force: bool) -> None:
    """Fit the calibrated vote model on real UN voting records."""
    _check_output(out, force, "--out")
    cmd = f"unsc-sim fit --data {data} --out {out} --seed {seed}" + (
        f" --until {until}" if until is not None else "")
    d = fit_params(data, seed, until, cmd)
    out.write_text(json.dumps(d, separators=(",", ":")) + "\n")
    click.echo(f"wrote {out}: common={d['common']:.3f}, "
               f"{d['meta']['n_events']} events, {d['meta']['provenance']['fit_seconds']} s")


@click.command("predict", cls=Command)
@click.argument("drafts", type=click.Path(path_type=Path))
@click.option("--body", type=click.Choice(["council", "assembly"]), default="council", show_default=True,
              help="The Security Council (DRAFTS in the oliverunv format) or the General Assembly "
                   "(rows of the UNxml long file: date, symbol, member_state, title).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Member probabilities CSV (Council: ID, Member State, p_yes, p_abstain, p_no; "
                   "Assembly: symbol, member_state, p_yes, p_abstain, p_no, p_absent).")
@click.option("--events-out", "events_out", type=click.Path(path_type=Path), default=None,
              help="Event probabilities CSV (Council: ID, p_adopted, p_vetoed; Assembly: symbol, "
                   "p_adopted, yes_mean, yes_lo, yes_hi).")
@click.option("--params", "params_path", type=click.Path(path_type=Path), default=None,
              help="Fitted parameters (default: the ones shipped with the package). Council only.")
@click.option("--data", "data", type=click.Path(path_type=Path), default=None,
              help="Assembly only: directory with the UN voting record files the model is fitted "
                   "on (default: ../shared/data).")
@click.option("--history", "history_path", type=click.Path(path_type=Path), default=None,
              help="Votes recorded after the parameters' training data (same format, with "
                   "Vote). Each draft is forecast from the votes recorded before it (with the "
                   "shipped yearly clock, those of earlier calendar years). Rows of years "
                   "already in the parameters are ignored. Assembly: later records in the "
                   "UNxml format (with vote); those dated before each vote are used for it.")
@click.option("--question", "question", type=click.Choice(["auto", "important", "simple"]), default=None,
              help="Assembly only: the majority of Article 18 for every vote. auto (the default) "
                   "reads it off each vote: emergency special sessions, budgetary questions, "
                   "admission and elections are important (two thirds), the rest simple.")
@FORCE
def predict_command(drafts: Path, body: str, out: Path, events_out: Path | None,
                    params_path: Path | None, data: Path | None, history_path: Path | None,
                    question: str | None, force: bool) -> None:
    """Forecast member votes and event outcomes for drafts (outcome columns are ignored)."""
    if body == "assembly":
        if params_path is not None:
            raise InputError("--params", "only with --body council (the Assembly's model is fitted "
                             "on --data)")
        _predict_assembly(drafts, out, events_out, data if data is not None else DEFAULT_DATA,
                          history_path, None if question in (None, "auto") else question, force)
        return
    if data is not None:
        raise InputError("--data", "only with --body assembly (the Council's predict uses --params)")
    if question is not None:
        raise InputError("--question", "only with --body assembly (the Council's rule is Art. 27)")
    _check_output(out, force, "--out")
    if events_out is not None:
        _check_output(events_out, force, "--events-out")
    from sim.calibration.event_forecast import event_probabilities_for
    from sim.calibration.prediction import extend_with_records, predict
    from sim.io import records
    from sim.scenario.calibrated import load_params

    rows = records.load_sc_draft_votes(drafts, outcomes=False)
    params = load_params(params_path)
    if history_path is not None:
        params = extend_with_records(params, records.load_sc_draft_votes(history_path, outcomes=True))
    import pandas as pd

    pred = predict(params, rows)
    pr = pred.rows  # aligned with the input rows (same order)
    members = pd.DataFrame({"ID": rows["event_id"].to_numpy(),
                            "Member State": rows["member_name"].to_numpy(),
                            "p_yes": pr["p_yes"].round(6).to_numpy(),
                            "p_abstain": pr["p_abstain"].round(6).to_numpy(),
                            "p_no": pr["p_no"].round(6).to_numpy()})
    members.to_csv(out, index=False)
    if events_out is not None:
        ev = event_probabilities_for(pred)
        ev = ev.rename(columns={"event_id": "ID"})
        ev[["p_adopted", "p_vetoed"]] = ev[["p_adopted", "p_vetoed"]].round(6)
        ev.to_csv(events_out, index=False)
    click.echo(f"wrote {out} ({len(members)} rows)"
               + (f" and {events_out}" if events_out is not None else "")
               + (f"; calibrated on UN vote records through {params.as_of}" if params.as_of else ""))


#: Where ``predict --body assembly`` finds the records to fit on without ``--data`` (as
#: ``python -m sim.assembly.backtest``): the shared data directory beside the checkout.
DEFAULT_DATA = Path("../shared/data")


def _predict_assembly(rows_path: Path, out: Path, events_out: Path | None, data: Path,
                      history_path: Path | None, question: str | None, force: bool) -> None:
    """``predict --body assembly``: fit on ``data`` (and ``history``) before each vote, forecast
    the rows' members and votes (sim.assembly.predict)."""
    _check_output(out, force, "--out")
    if events_out is not None:
        _check_output(events_out, force, "--events-out")
    from sim.assembly import predict as ga
    from sim.assembly.calibration import load_sponsors, load_vote_table

    rows = ga.load_rows(rows_path)
    history = ga.load_records(history_path) if history_path is not None else None
    ga.check_data_dir(data)
    table = load_vote_table(data)
    sponsors = load_sponsors(data).by_symbol
    years = sorted(set(rows["date"].dt.year))
    bar = progress_bar(total=len(years) + 1, desc="fit", unit="year", leave=False)

    def say(msg: str) -> None:
        bar.set_postfix_str(msg)
        bar.update(1)

    try:
        result = ga.predict_votes(table, rows, history, question=question, progress=say, sponsors=sponsors)
    except InputError as exc:  # about the rows' dates: name their file
        raise exc.with_source(str(rows_path)) if exc.source is None else exc from None
    finally:  # an error is printed on a line of its own, not after the bar
        bar.close()
    probs = ["p_yes", "p_abstain", "p_no", "p_absent"]
    members = result.members.assign(**{c: result.members[c].round(6) for c in probs})
    members.to_csv(out, index=False)
    if events_out is not None:
        result.events.assign(p_adopted=result.events["p_adopted"].round(6),
                             yes_mean=result.events["yes_mean"].round(2)).to_csv(events_out, index=False)
    spans = ", ".join(f"{y} on {o.train_years[0]}-{o.train_years[1]}" for y, o in result.origins.items())
    click.echo(f"wrote {out} ({len(members)} rows)"
               + (f" and {events_out} ({len(result.events)} votes)" if events_out is not None else "")
               + f"; fitted on the UN records in {data} (votes of {spans}); "
               + (f"{question} question" if question is not None else _questions(result.events)))


def _questions(events: Any) -> str:
    """How many votes were read as important and simple questions, in words."""
    counts = events["question"].value_counts()
    return ", ".join(f"{int(counts.get(q, 0))} {q}" for q in ("important", "simple")) + " questions"


@click.command("backtest", cls=Command)
@click.option("--data", "data", required=True, type=click.Path(path_type=Path),
              help="Directory with the UN voting record files.")
@click.option("--from", "year_from", default=2016, show_default=True)
@click.option("--to", "year_to", default=2023, show_default=True)
@click.option("--report", "report", type=click.Path(path_type=Path),
              default=Path("docs/backtest.md"), show_default=True)
@click.option("--seed", default=0, show_default=True)
@FORCE
def backtest_command(data: Path, year_from: int, year_to: int, report: Path, seed: int, force: bool) -> None:
    """Rolling-origin backtest: for each year Y fit on all records before Y, forecast Y."""
    from sim.calibration.backtest import in_sample_reference, run_backtest
    from sim.calibration.backtest_report import render_report, save_calibration_plot
    from sim.calibration.config import FitConfig

    if year_to < year_from:
        raise InputError("year", "must not be before --from", "--to")
    votes, cov, _hashes = load_training_data(data)
    png = report.with_name(report.stem + "_calibration.png")
    _check_output(report, force, "--report")  # before the fits, after the cheap checks of the data
    _check_output(png, force, "--report")
    first = int(votes["year"].min())
    if year_from <= first:
        raise InputError(
            "year",
            f"{year_from}: there is no earlier year to fit on (the records start in {first}); "
            f"use --from {first + 1} or later", "--from")
    years = list(range(year_from, year_to + 1))
    cfg = FitConfig(seed=seed)
    # one fit per year, then one in-sample reference fit for the report
    bar = progress_bar(total=len(years) + 1, desc="backtest", unit="fit")
    res = run_backtest(votes, cov, years, cfg, progress=lambda _y: bar.update(1))
    if res.members.empty:
        bar.close()
        raise InputError("years", f"no records in {year_from}-{year_to}", str(data))
    res.reference = in_sample_reference(votes, cov, years, cfg)
    bar.update(1)
    bar.close()
    save_calibration_plot(res, png)
    cmd = f"unsc-sim backtest --data {data} --from {year_from} --to {year_to} --report {report}"
    report.write_text(render_report(res, png.name, cmd))
    click.echo(f"wrote {report} and {png}")
