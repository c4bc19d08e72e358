"""Rolling-origin backtest of the Assembly vote model against three baselines (issue 15).

For each test year Y the model's parameters are fitted on the votes of Y-3..Y-1, and every vote
of Y is forecast from records dated before its day. Scores: the member-vote log loss over the
four outcomes, and the coverage of the yes count's central 90% interval. Method and figures:
docs/assembly-backtest.md.

    .venv/bin/python -m sim.assembly.backtest ../shared/data
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, special

from sim.assembly.calibration import (
    CATEGORIES,
    HALF_LIVES,
    NOT_MEMBER,
    ModelParams,
    Precedents,
    SponsorLists,
    VoteTable,
    build_features,
    choice_log_loss,
    find_precedents,
    fit_model,
    forecast,
    load_sponsors,
    load_vote_table,
    onehot,
    yes_count_distribution,
    yes_count_interval,
)
from sim.errors import InputError

__all__ = [
    "IDEAL_POINTS",
    "BacktestResult",
    "base_rate_baseline",
    "fit_common_factor",
    "ideal_point_baseline",
    "last_vote_baseline",
    "load_ideal_points",
    "main",
    "mix_floor",
    "run_backtest",
    "yes_count_scores",
]

IDEAL_POINTS = "voeten_idealpoints_1946_2022.csv.gz"
TRAIN_YEARS = 3
METHODS = ("model", "model+factor", "base rates", "last vote", "ideal point")


def load_ideal_points(data: Path) -> dict[int, dict[str, float]]:
    """Bailey-Strezhnev-Voeten ideal points: session -> {ISO3 code: IdealPointAll}."""
    frame = pd.read_csv(data / IDEAL_POINTS, usecols=["session", "iso3c", "IdealPointAll"]).dropna()
    return {int(s): dict(zip(g["iso3c"], g["IdealPointAll"].astype(float), strict=True))
            for s, g in frame.groupby("session")}


def mix_floor(probs: NDArray[np.float64], floor: float, member: NDArray[np.bool_]) -> NDArray[np.float64]:
    """``floor`` of uniform mixed into each member's probabilities (rows of non-members stay zero)."""
    out = floor / len(CATEGORIES) + (1.0 - floor) * probs
    return np.where(member[..., None], out, 0.0)


def _fit_floor(probs: NDArray[np.float64], choices: NDArray[np.int8]) -> float:
    """The uniform floor that minimizes the log loss of ``probs`` on ``choices``."""
    member = choices != NOT_MEMBER
    res = optimize.minimize_scalar(lambda f: choice_log_loss(mix_floor(probs, f, member), choices),
                                   bounds=(1e-6, 0.5), method="bounded")
    return float(res.x)


def base_rate_baseline(table: VoteTable, targets: NDArray[np.int64], year: int) -> NDArray[np.float64]:
    """Baseline (a): each member's outcome rates over the votes of the TRAIN_YEARS years before
    ``year``, with half a vote added to each outcome (so no rate is zero)."""
    past = (table.years >= year - TRAIN_YEARS) & (table.years < year)
    counts = onehot(table.choices[past]).sum(axis=0) + 0.5
    rates = counts / counts.sum(axis=-1, keepdims=True)
    member = table.choices[targets] != NOT_MEMBER
    return np.where(member[..., None], rates[None], 0.0)


def last_vote_baseline(table: VoteTable, targets: NDArray[np.int64], precedents: Precedents,
                       fallback: NDArray[np.float64]) -> NDArray[np.float64]:
    """Baseline (b), before its floor: the member's outcome the last time the same normalized title
    was voted on; ``fallback`` (the base rates) where there was none or it was not a member then."""
    latest = precedents.exact[targets, 0]
    hot = onehot(table.choices[np.maximum(latest, 0)])
    known = (latest >= 0)[:, None] & (hot.sum(axis=-1) > 0)
    return np.where(known[..., None], hot, fallback)


def _ordered_logit(x: NDArray[np.float64], y: NDArray[np.int8], ridge: float = 0.05) -> tuple[float, float, float]:
    """(slope, cut1, cut2) of P(y <= k) = expit(cut_k - slope x) for y in yes < abstain < no, by
    penalized maximum likelihood (a small ridge keeps one-sided votes finite)."""
    def nll(theta: NDArray[np.float64]) -> float:
        b, c1, c2 = theta[0], theta[1], theta[1] + np.exp(theta[2])
        f1, f2 = special.expit(c1 - b * x), special.expit(c2 - b * x)
        p = np.choose(y, [f1, f2 - f1, 1.0 - f2])
        return float(-np.log(np.maximum(p, 1e-300)).sum() + ridge * (theta[0] ** 2 + theta[1] ** 2 + theta[2] ** 2))

    res = optimize.minimize(nll, np.array([0.0, 2.0, 0.0]), method="L-BFGS-B")
    return float(res.x[0]), float(res.x[1]), float(res.x[1] + np.exp(res.x[2]))


def ideal_point_baseline(table: VoteTable, targets: NDArray[np.int64], precedents: Precedents,
                         ideal: dict[str, float], base: NDArray[np.float64]) -> NDArray[np.float64]:
    """Baseline (c), before its floor: a one-dimensional ordered logit (yes < abstain < no) on
    the members' ideal points ``ideal``, its slope and cut points fitted on the latest precedent
    (same title, else similar); P(absent) and the votes without precedent from ``base``."""
    codes = table.members
    x = np.array([ideal.get(c, np.nan) for c in codes])
    x = np.where(np.isnan(x), np.nanmean(x), x)
    latest = np.where(precedents.exact[targets, 0] >= 0, precedents.exact[targets, 0], precedents.similar[targets])
    out = base.copy()
    fits: dict[int, tuple[float, float, float]] = {}
    for t, k in enumerate(latest):
        if k < 0:
            continue
        if k not in fits:
            voted = (table.choices[k] >= 0) & (table.choices[k] <= 2)
            fits[int(k)] = _ordered_logit(x[voted], table.choices[k][voted])
        b, c1, c2 = fits[int(k)]
        f1, f2 = special.expit(c1 - b * x), special.expit(c2 - b * x)
        present = 1.0 - base[t, :, 3]
        member = table.choices[targets[t]] != NOT_MEMBER
        out[t] = np.where(member[:, None], np.stack([f1 * present, (f2 - f1) * present, (1.0 - f2) * present,
                                                     base[t, :, 3]], axis=-1), 0.0)
    return out


def fit_common_factor(probs: NDArray[np.float64], yes: NDArray[np.int64]) -> float:
    """The common factor's sigma (yes_count_distribution) that maximizes the likelihood of ``yes``."""
    def nll(sigma: float) -> float:
        return -sum(float(np.log(max(yes_count_distribution(p[:, 0][p.sum(axis=-1) > 0], sigma)[y], 1e-300)))
                    for p, y in zip(probs, yes, strict=True))

    return float(optimize.minimize_scalar(nll, bounds=(0.0, 3.0), method="bounded",
                                          options={"xatol": 0.02}).x)


def yes_count_scores(probs: NDArray[np.float64], yes: NDArray[np.int64], sigma: float = 0.0,
                     level: float = 0.9) -> pd.DataFrame:
    """Per vote: the central ``level`` interval of the yes count, the real count and whether it is in."""
    rows = []
    for p, y in zip(probs, yes, strict=True):
        lo, hi = yes_count_interval(yes_count_distribution(p[:, 0][p.sum(axis=-1) > 0], sigma), level)
        rows.append({"yes_real": int(y), "lo": lo, "hi": hi, "covered": bool(lo <= y <= hi)})
    return pd.DataFrame(rows)


@dataclass
class BacktestResult:
    """Tidy results: ``scores`` (one row per year x method), ``votes`` (per vote x method), the
    fitted parameters and common-factor sigma per test year, and the run time in seconds."""

    scores: pd.DataFrame
    votes: pd.DataFrame
    params: dict[int, ModelParams] = field(default_factory=dict)
    sigma: dict[int, float] = field(default_factory=dict)
    seconds: float = 0.0

    def overall(self) -> pd.DataFrame:
        """Log loss (pooled over member votes) and coverage (over votes) per method, all years."""
        s = self.scores.assign(weighted=self.scores["log_loss"] * self.scores["member_votes"],
                               hits=self.scores["coverage90"] * self.scores["votes"])
        g = s.groupby("method", sort=False)[["votes", "member_votes", "weighted", "hits"]].sum()
        return pd.DataFrame({"votes": g["votes"], "member_votes": g["member_votes"],
                             "log_loss": g["weighted"] / g["member_votes"],
                             "coverage90": g["hits"] / g["votes"]}).reset_index()

    def improvement(self) -> pd.DataFrame:
        """Per year and overall: the best baseline and the model's log-loss improvement over it, in %."""
        rows = []
        frames = [(str(y), g) for y, g in self.scores.groupby("year")] + [("all", self.overall())]
        for label, g in frames:
            ll = dict(zip(g["method"], g["log_loss"], strict=True))
            best = min(("base rates", "last vote", "ideal point"), key=lambda m: ll[m])
            rows.append({"year": label, "best_baseline": best, "baseline_log_loss": ll[best],
                         "model_log_loss": ll["model"], "improvement_pct": 100 * (1 - ll["model"] / ll[best])})
        return pd.DataFrame(rows)


def run_backtest(table: VoteTable, ideal_points: dict[int, dict[str, float]],
                 years: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023), level: float = 0.9,
                 half_lives: tuple[float, ...] = HALF_LIVES,
                 sponsors: SponsorLists | None = None) -> BacktestResult:
    """The rolling-origin backtest: for each year, fit on the TRAIN_YEARS years before, forecast the year.

    ``half_lives`` is the grid of the base rates' half-life (a shorter grid runs faster);
    ``sponsors`` (from :func:`~sim.assembly.calibration.load_sponsors`) the drafts' sponsors,
    unknown for every vote without one (all of them by default: the model without sponsors)."""
    if not years:
        raise InputError("years", "give at least one test year")
    start = time.perf_counter()
    precedents = find_precedents(table)
    rows = np.flatnonzero((table.years >= min(years) - TRAIN_YEARS) & (table.years <= max(years)))
    features = build_features(table, rows, precedents, half_lives,
                              sponsors.by_symbol if sponsors is not None else None)
    pos = {int(r): i for i, r in enumerate(rows)}
    score_rows: list[dict[str, object]] = []
    vote_frames: list[pd.DataFrame] = []
    params: dict[int, ModelParams] = {}
    sigmas: dict[int, float] = {}
    for year in years:
        train = np.flatnonzero((table.years >= year - TRAIN_YEARS) & (table.years < year))
        test = np.flatnonzero(table.years == year)
        if not train.size or not test.size:
            raise InputError("years", f"{year}: no votes to fit on or to forecast")
        ftrain = features.take([pos[int(r)] for r in train])
        ftest = features.take([pos[int(r)] for r in test])
        p = fit_model(ftrain, table.choices[train])
        params[year] = p
        sigma = fit_common_factor(forecast(ftrain, p), table.yes_counts[train])
        sigmas[year] = sigma
        session = year - 1946  # the latest session whose plenary votes fall before this year
        ideal = ideal_points.get(session, {})
        forecasts: dict[str, tuple[NDArray[np.float64], float]] = {"model": (forecast(ftest, p), 0.0)}
        forecasts["model+factor"] = (forecasts["model"][0], sigma)
        for name in ("base rates", "last vote", "ideal point"):
            raw_train = _baseline(name, table, train, precedents, year, ideal)
            floor = _fit_floor(raw_train, table.choices[train])
            member = table.choices[test] != NOT_MEMBER
            forecasts[name] = (mix_floor(_baseline(name, table, test, precedents, year, ideal), floor, member), 0.0)
        for name, (probs, s) in forecasts.items():
            cov = yes_count_scores(probs, table.yes_counts[test], s, level)
            cov = cov.assign(year=year, method=name, vote_id=[table.vote_ids[i] for i in test],
                             date=table.dates[test].astype(str), title=[table.titles[i] for i in test])
            vote_frames.append(cov)
            score_rows.append({"year": year, "method": name, "votes": len(test),
                               "member_votes": int((table.choices[test] != NOT_MEMBER).sum()),
                               "log_loss": choice_log_loss(probs, table.choices[test]),
                               "coverage90": float(cov["covered"].mean())})
    return BacktestResult(pd.DataFrame(score_rows), pd.concat(vote_frames, ignore_index=True), params, sigmas,
                          time.perf_counter() - start)


def _baseline(name: str, table: VoteTable, rows: NDArray[np.int64], precedents: Precedents, year: int,
              ideal: dict[str, float]) -> NDArray[np.float64]:
    """A baseline's forecast (before its floor) of the votes at ``rows``, knowing the years before ``year``."""
    base = base_rate_baseline(table, rows, year)
    if name == "base rates":
        return base
    if name == "last vote":
        return last_vote_baseline(table, rows, precedents, base)
    return ideal_point_baseline(table, rows, precedents, ideal, base)


def markdown(frame: pd.DataFrame, index: bool = True) -> str:
    """A DataFrame as a Markdown table (pandas' to_markdown needs tabulate, which is not a dependency)."""
    body = frame.reset_index() if index else frame
    head = [str(c) for c in body.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in body.itertuples(index=False)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the backtest on a data directory and print its tables as Markdown."""
    args = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in args):
        print(__doc__.strip() + "\n\nArguments: [DATA] (default ../shared/data) [--no-sponsors] "
              "[--years Y1,Y2,...] (default 2019-2023)")
        return 0
    no_sponsors = "--no-sponsors" in args
    years: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023)
    if "--years" in args:
        k = args.index("--years")
        years = tuple(int(y) for y in args[k + 1].split(","))
        args = args[:k] + args[k + 2 :]
    args = [a for a in args if a != "--no-sponsors"]
    data = Path(args[0]) if args else Path("../shared/data")
    table = load_vote_table(data)
    sponsors = None if no_sponsors else load_sponsors(data)
    if sponsors is not None:
        known = {s for s in table.vote_ids if s in sponsors.by_symbol}
        bad = [name for s, name in sponsors.unresolved if s in known]
        print(f"Sponsors known for {len(known)} of {len(table.vote_ids)} votes "
              f"({sum(len(sponsors.by_symbol[s]) for s in known)} sponsorships); {len(bad)} names in their "
              f"lists resolve to no state: {sorted(set(bad))}\n")
    result = run_backtest(table, load_ideal_points(data), years=years, sponsors=sponsors)
    table = result.scores.pivot(index="year", columns="method", values="log_loss")[list(METHODS)]
    print("Member-vote log loss (4 outcomes) per test year\n")
    print(markdown(table.round(4)))
    print("\nYes-count central 90% interval coverage per test year\n")
    print(markdown(result.scores.pivot(index="year", columns="method", values="coverage90")[list(METHODS)].round(3)))
    print("\nOverall\n")
    print(markdown(result.overall().round(4), index=False))
    print("\nImprovement over the best baseline\n")
    print(markdown(result.improvement().round(4), index=False))
    print("\nFitted parameters per test year (common-factor sigma last)\n")
    print(markdown(pd.DataFrame({y: {**p.to_dict(), "sigma": result.sigma[y]} for y, p in result.params.items()})
                   .round(3)))
    print(f"\n{len(table)} test years in {result.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
