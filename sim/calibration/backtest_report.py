"""Rendering of the backtest report (Markdown) and calibration plot (PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import metrics as X
from .backtest import BacktestResult
from .pairwise import MIN_EVENTS, pairwise_error

BASELINES = ("base_rate", "country", "country_class")
#: the quality bars (issue 13): relative improvement over the best baseline, and the most
#: member rows whose realized vote had a forecast below TAIL
MEMBER_BAR = 0.30
EVENT_BAR = 0.35
TAIL = 0.02
TAIL_BAR = 0.003
#: a failed draft is a surprise when every forecaster put its P(adopted) at least this high
SURPRISE = 0.8

#: Where the report says how the shipped configuration was chosen.
TUNING_DOC = "docs/calibration-tuning.md"



#: The Assembly's backtest figures (docs/assembly-backtest.md, `python -m sim.assembly.backtest
#: ../shared/data`, data through 2023), copied here so the Council's report shows them beside
#: its own; a test checks them against that page.
ASSEMBLY_FIGURES: tuple[str, ...] = (
    "| score | model | best baseline | bar | status |",
    "|---|---|---|---|---|",
    "| member-vote log loss, 2019-2023 | 0.3731 | 0.5076 (last vote) | 25% better | 26.5% better: met overall; "
    "2019 24.7%, 2022 23.8%, 2023 24.0% |",
    "| 90% interval of the yes count holds the real count | 91.7% of votes | | at least 85% | met |",
)

def _table(df: pd.DataFrame, floatfmt: str = "{:.4f}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in df.itertuples(index=False):
        lines.append("| " + " | ".join(floatfmt.format(v) if isinstance(v, float) else str(v)
                                       for v in r) + " |")
    return "\n".join(lines)


def bars(res: BacktestResult) -> dict[str, float]:
    """Relative improvements over the best baseline (positive = model better)."""
    ms = res.member_scores()
    es = res.event_scores()
    m_all = ms[ms["subset"] == "all"].set_index("forecaster")
    e_all = es[es["subset"] == "all"].set_index("forecaster")
    best_ll = float(m_all.loc[list(BASELINES), "log_loss"].min())
    base_ev = [f for f in e_all.index if f != "model"]
    best_brier = float(e_all.loc[base_ev, "brier"].min())
    return {
        "member_log_loss_model": float(m_all.loc["model", "log_loss"]),
        "member_log_loss_best_baseline": best_ll,
        "member_log_loss_improvement": 1 - float(m_all.loc["model", "log_loss"]) / best_ll,
        "event_brier_model": float(e_all.loc["model", "brier"]),
        "event_brier_best_baseline": best_brier,
        "event_brier_improvement": 1 - float(e_all.loc["model", "brier"]) / best_brier,
    }


def _event_forecasts(res: BacktestResult) -> pd.DataFrame:
    """The events with every forecaster's P(adopted), and the in-sample reference if any."""
    e = res.events
    if res.reference is not None and not res.reference.empty:
        ref = res.reference.set_index(res.reference["event_id"].astype(str))["p_in_sample"]
        e = e.assign(p_in_sample=e["event_id"].astype(str).map(ref).to_numpy(float))
    return e


def event_error_budget(res: BacktestResult, high: float = SURPRISE) -> pd.DataFrame:
    """Where the model's event Brier comes from: the squared error of P(adopted) summed over
    unanimous events, contested but adopted events, and drafts not adopted; last, the drafts
    not adopted that *every* forecaster (the model, each baseline and the in-sample
    reference, when present) put at ``high`` or above."""
    e = _event_forecasts(res)
    y = e["adopted"].to_numpy(bool)
    contested = e["contested"].to_numpy(bool)
    p = e["p_model"].to_numpy(float)
    se = (p - y) ** 2
    cols = [c for c in e.columns if c.startswith("p_")]
    surprise = ~y & (e[cols].min(axis=1).to_numpy(float) >= high)
    kinds = (("unanimous (adopted)", y & ~contested), ("contested, adopted", y & contested),
             ("not adopted", ~y), (f"not adopted, every forecaster >= {high:g}", surprise))
    total = float(se.sum())
    return pd.DataFrame(
        [(k, int(sel.sum()), float(p[sel].mean()) if sel.any() else float("nan"),
          float(se[sel].sum()), float(se[sel].sum()) / total if total else 0.0)
         for k, sel in kinds],
        columns=["events", "n", "mean P(adopted)", "squared error", "share of model error"])


def _headroom_lines(res: BacktestResult, b: dict[str, float], budget: pd.DataFrame,
                    ) -> list[str]:
    e = _event_forecasts(res)
    n = len(e)
    allowed = (1 - EVENT_BAR) * b["event_brier_best_baseline"]
    surprise = budget.iloc[-1]
    lines = [
        f"The event bar asks for a Brier score of at most {1 - EVENT_BAR:g} x "
        f"{b['event_brier_best_baseline']:.4f} = {allowed:.4f}, a total squared error of "
        f"{allowed * n:.1f} over {n} events; the model's total is {b['event_brier_model'] * n:.1f}. "
        f"The {surprise['n']} drafts not adopted that every forecaster put at {SURPRISE:g} "
        f"or more "
        f"account for {surprise['squared error']:.1f} of it.",
    ]
    if "p_in_sample" in e.columns:
        y = e["adopted"].to_numpy(float)
        ref = X.binary_brier(e["p_in_sample"].to_numpy(float), y)
        last = int(e["year"].max())
        lines += [
            "",
            f"*In-sample reference* (not a forecast): the same model fitted once on every "
            f"record through {last}, so it has seen the outcomes it is scored on, gives a "
            f"Brier score of {ref:.4f}, {100 * (1 - ref / b['event_brier_best_baseline']):.1f}% "
            f"better than the best baseline. The rolling forecasts' gap to it is the cost of "
            f"forecasting years the fit has not seen.",
        ]
    return lines


def member_reliability(res: BacktestResult) -> pd.DataFrame:
    m = res.members
    p = np.concatenate([m["model_yes"], m["model_abstain"], m["model_no"]])
    y = np.concatenate([(m["y"] == k).to_numpy(float) for k in range(3)])
    return X.reliability(p, y)


def event_reliability(res: BacktestResult) -> pd.DataFrame:
    e = res.events
    return X.reliability(e["p_model"].to_numpy(float), e["adopted"].to_numpy(float))


def realized_probability(res: BacktestResult, forecaster: str = "model") -> np.ndarray:
    """Each member row's forecast probability of the vote that was cast."""
    m = res.members
    p = m[[f"{forecaster}_{v}" for v in ("yes", "abstain", "no")]].to_numpy(float)
    return p[np.arange(len(m)), m["y"].to_numpy(int)]


def tail_table(res: BacktestResult, cuts: tuple[float, ...] = (0.005, 0.01, TAIL, 0.05)) -> pd.DataFrame:
    """Honest tails: for each cut, the share of member rows whose realized vote had a forecast
    below it, beside the share the forecasts themselves expect (the sum, over rows, of the
    probabilities they put on categories below the cut), and the log loss those rows carry."""
    m = res.members
    p = m[["model_yes", "model_abstain", "model_no"]].to_numpy(float)
    real = realized_probability(res)
    loss = -np.log(np.clip(real, 1e-15, 1.0))
    rows = []
    for cut in cuts:
        low = real < cut
        rows.append((f"< {cut:g}", int(low.sum()), float(low.mean()), float(np.where(p < cut, p, 0.0).sum() / len(m)),
                     float(loss[low].sum() / loss.sum()) if loss.sum() else 0.0))
    return pd.DataFrame(rows, columns=["forecast of the realized vote", "rows", "observed share",
                                       "expected share", "share of log loss"])


def no_split_reliability(res: BacktestResult) -> pd.DataFrame:
    """The no-versus-abstain split: on the rows where the member did not vote yes, the
    forecast P(no | not yes) against the share that voted no."""
    m = res.members[res.members["y"] != 0]
    p = (m["model_no"] / (m["model_no"] + m["model_abstain"]).clip(lower=1e-300)).to_numpy(float)
    return X.reliability(p, (m["y"] == 2).to_numpy(float))


def vetoed(res: BacktestResult) -> pd.Series:
    """Whether each event was vetoed: enough yes votes and a permanent member's no (UN usage)."""
    from sim.engine.rules import charter_threshold
    from sim.scenario.names import PERMANENT_SEATS

    m = res.members
    yes = (m["y"] == 0).groupby(m["event_id"]).sum()
    pno = ((m["y"] == 2) & m["member"].isin(PERMANENT_SEATS)).groupby(m["event_id"]).any()
    year = m.groupby("event_id")["year"].first()
    quota = year.map(charter_threshold)
    return (pno & (yes >= quota)).rename("vetoed")


def veto_reliability(res: BacktestResult) -> pd.DataFrame:
    """The model's P(vetoed) against the events that were vetoed."""
    e = res.events
    v = e["event_id"].map(vetoed(res)).fillna(False).to_numpy(bool)
    return X.reliability(e["veto_model"].to_numpy(float), v.astype(float))


def save_calibration_plot(res: BacktestResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for ax, tab, title in ((axes[0], member_reliability(res),
                            "Member votes (yes/abstain/no pooled)"),
                           (axes[1], event_reliability(res), "Event adoption")):
        ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--")
        sizes = 20 + 200 * np.sqrt(tab["n"] / tab["n"].max())
        ax.scatter(tab["mean_forecast"], tab["observed"], s=sizes, zorder=3)
        ax.plot(tab["mean_forecast"], tab["observed"], lw=1)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("forecast probability")
        ax.set_ylabel("observed frequency")
        ax.set_title(title)
    years = sorted(res.members["year"].unique())
    fig.suptitle(f"Rolling-origin backtest {years[0]}-{years[-1]} (marker area ~ count)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pairwise_lines(res: BacktestResult) -> list[str]:
    """The alignment axis's check: pairwise agreement on contested drafts, with and without it."""
    if res.pairs is None or res.pairs.empty:
        return []
    err = pairwise_error(res.pairs)
    by_year = pd.DataFrame([(int(y), *pairwise_error(d).values()) for y, d in res.pairs.groupby("year")],
                           columns=["year", "pairs", "MAE with axis", "MAE without axis"])
    kappa = pd.DataFrame([(y, *f.kappa) for y, f in sorted(res.fits.items()) if f.kappa is not None],
                         columns=["year", "kappa (marginal)", "kappa (contested)"])
    return [
        "## Pairwise agreement on contested drafts (the alignment axis)",
        "",
        "For every pair of members on every contested draft of the forecast years: the model's "
        "P(they cast the same vote | contested), from the forecast's contested component with "
        "the members' loadings on the alignment axis and with the loadings set to 0, against "
        "whether they did. Per pair (sitting together on at least "
        f"{MIN_EVENTS} contested drafts), the mean absolute error of the model's mean agreement "
        "against the observed share:",
        "",
        f"- with the axis: **{err['with_axis']:.4f}**; without it: **{err['without_axis']:.4f}** "
        f"({err['pairs']} pairs).",
        "",
        "By year (pairs with at least 5 drafts that year):",
        "",
        _table(by_year),
        "",
        "Fitted axis scale by origin year (docs/calibration.md, \"The alignment axis\"):",
        "",
        _table(kappa),
        "",
    ]


def render_report(res: BacktestResult, png_name: str, command: str) -> str:
    ms = res.member_scores()
    es = res.event_scores()
    b = bars(res)
    years = sorted(res.members["year"].unique())
    ok_m = b["member_log_loss_improvement"] >= MEMBER_BAR
    ok_e = b["event_brier_improvement"] >= EVENT_BAR
    tails = tail_table(res)
    tail_share = float(tails.loc[tails["forecast of the realized vote"] == f"< {TAIL:g}", "observed share"].iloc[0])
    ok_t = tail_share <= TAIL_BAR
    budget = event_error_budget(res)
    per_year = []
    for y in years:
        mm = res.members[res.members["year"] == y]
        ee = res.events[res.events["year"] == y]
        yy = mm["y"].to_numpy(int)
        row: list[float] = [int(y), len(ee), int(ee["contested"].sum()),
                            int((~ee["adopted"]).sum())]
        for f in ("model", "base_rate", "country", "country_class"):
            p = mm[[f"{f}_yes", f"{f}_abstain", f"{f}_no"]].to_numpy(float)
            row.append(X.member_log_loss(p, yy))
        row.append(X.binary_brier(ee["p_model"].to_numpy(float),
                                  ee["adopted"].to_numpy(float)))
        row.append(X.binary_brier(ee["p_base_rate"].to_numpy(float),
                                  ee["adopted"].to_numpy(float)))
        per_year.append(row)
    py = pd.DataFrame(per_year, columns=["year", "events", "contested", "not adopted",
                                         "LL model", "LL base", "LL country",
                                         "LL country×class", "Brier model", "Brier base"])
    coh_names = list(next(iter(res.fits.values())).cohesion) if res.fits else []
    fits = pd.DataFrame([(y, "marginal", f.common, *(f.cohesion[b] for b in coh_names))
                         for y, f in sorted(res.fits.items())]
                        + [(y, "contested", f.contested[0],
                            *(f.contested[1].get(b, 0.0) for b in coh_names))
                           for y, f in sorted(res.fits.items()) if f.contested is not None],
                        columns=["year", "component", "common", *coh_names])
    fits = fits.sort_values(["year", "component"], kind="stable")
    secs = res.fit_seconds
    lines = [
        "# Backtest of the calibrated vote model",
        "",
        f"Generated by `{command}`.",
        "",
        "Rolling origin: for each year Y the model (and each baseline) is fitted on every "
        "Security Council vote event before Y and forecasts every event of Y. The model "
        "reads the vote history by calendar year, so "
        "nothing of year Y is used, not even its earlier votes; the baselines are the "
        "issue's fixed definitions, fitted on the years before Y. "
        "Member-vote scores are over "
        "(event, member) rows (3 categories: yes, abstain, no; Brier summed over categories); "
        "event scores are on adoption. *Contested* = events where some member did not vote "
        "yes. Events whose vote rows belong to another year's Council (data errors in the "
        "source, see docs/calibration.md) are excluded.",
        "",
        "## Quality bars",
        "",
        f"- Member-vote log loss: model {b['member_log_loss_model']:.4f}, best baseline "
        f"{b['member_log_loss_best_baseline']:.4f}: improvement "
        f"**{100 * b['member_log_loss_improvement']:.1f}%** (bar: {MEMBER_BAR:.0%}) - "
        f"{'met' if ok_m else '**not met**'}.",
        f"- Event adoption Brier: model {b['event_brier_model']:.4f}, best baseline "
        f"{b['event_brier_best_baseline']:.4f}: improvement "
        f"**{100 * b['event_brier_improvement']:.1f}%** (bar: {EVENT_BAR:.0%}) - "
        f"{'met' if ok_e else '**not met**'}.",
        f"- Tails: the realized vote had a forecast below {TAIL:g} on **{100 * tail_share:.2f}%** of "
        f"member rows (bar: at most {100 * TAIL_BAR:.1f}%) - {'met' if ok_t else '**not met**'}.",
        "",
        "## Member votes",
        "",
        _table(ms),
        "",
        "## Event adoption",
        "",
        "Baselines: `base_rate` = training adoption rate; `country_class_rate` = training "
        "adoption rate of the sponsor class (Western P3 / Russia-China / other); `*_indep` = "
        "the baseline's member probabilities combined by the engine with independent votes. "
        "`model` = the hurdle mixture: unanimous (adopted) with probability 1 - P(contested), "
        "otherwise the members' votes given a contested draft, combined by the engine's exact "
        "method with the correlation fitted on contested events (and conditioned on not being "
        "unanimous); a draft with no recorded sponsor is averaged over its likely sponsor "
        "classes.",
        "",
        _table(es),
        "",
        "## Where the event error comes from",
        "",
        "Squared error of the model's P(adopted), summed by kind of event:",
        "",
        _table(budget),
        "",
        *_headroom_lines(res, b, budget),
        "",
        "## By year",
        "",
        _table(py),
        "",
        "## Fitted correlation by origin year",
        "",
        _table(fits),
        "",
        *_pairwise_lines(res),
        "## Reliability",
        "",
        f"![calibration plot]({png_name})",
        "",
        "Member votes (the three categories pooled):",
        "",
        _table(member_reliability(res)),
        "",
        "Event adoption:",
        "",
        _table(event_reliability(res)),
        "",
        "Event veto (the model's P(vetoed); vetoed = enough yes votes and a permanent no):",
        "",
        _table(veto_reliability(res)),
        "",
        "The no-versus-abstain split (rows where the member did not vote yes: forecast "
        "P(no | not yes) against the share that voted no):",
        "",
        _table(no_split_reliability(res)),
        "",
        "Tails (honest tails: the observed share close to the expected one):",
        "",
        _table(tails),
        "",
        f"Fit time per origin year: mean {np.mean(secs):.1f} s, max {np.max(secs):.1f} s "
        f"({len(secs)} fits).",
        "",
        "## What was tuned, and how",
        "",
        f"The variants tried, their validation scores and the choice made are in "
        f"[{TUNING_DOC}]({Path(TUNING_DOC).name}).",
        "",
        "## The General Assembly",
        "",
        "The Assembly's model of member votes has its own rolling backtest over 2019-2023, against "
        "per-country base rates, each member's last vote on the same title and a 1-D ideal-point model: "
        "[docs/assembly-backtest.md](assembly-backtest.md) "
        "(`python -m sim.assembly.backtest ../shared/data`). Its figures, beside the Council's above "
        "(member-vote log loss, pooled over 443 votes and 85,499 member votes):",
        "",
        *ASSEMBLY_FIGURES,
        "",
    ]
    return "\n".join(lines)
