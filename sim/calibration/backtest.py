"""Rolling-origin backtest: for each year Y, fit on every event before Y and forecast Y.

Scores (overall, and on contested events = events that were not unanimous):
member-vote log loss and Brier (3 categories), event adoption log loss and Brier, for the
model and the three baselines of :mod:`sim.calibration.baselines`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from sim.engine.rules import charter_threshold
from sim.engine.votes import CAST, CAST_WORDS

from . import baselines as B
from . import metrics as X
from .config import FitConfig
from .event_forecast import event_probabilities_for, vote_model
from .fitting import fit
from .pairwise import pairwise_rows
from .prediction import predict


@dataclass(frozen=True)
class FitSummary:
    common: float
    cohesion: dict[str, float]
    #: (common, cohesions) of the contested component of the hurdle mixture (None: not given)
    contested: tuple[float, dict[str, float]] | None = None
    #: kappa of the alignment axis (marginal, contested); None: not given
    kappa: tuple[float, float] | None = None


@dataclass
class BacktestResult:
    members: pd.DataFrame  # year, event_id, member, y (0 yes,1 abstain,2 no), contested, probs
    events: pd.DataFrame  # year, event_id, adopted, contested, p_<forecaster>
    fit_seconds: list[float] = field(default_factory=list)
    fits: dict[int, FitSummary] = field(default_factory=dict)
    #: event_id, p_in_sample: P(adopted) from one fit that has seen the forecast years
    #: (:func:`in_sample_reference`); a yardstick for the report, not a forecaster
    reference: pd.DataFrame | None = None
    #: per (contested event, member pair): the observed and the model's agreement, with and
    #: without the alignment axis (:func:`sim.calibration.pairwise.pairwise_rows`)
    pairs: pd.DataFrame | None = None

    def member_scores(self) -> pd.DataFrame:
        rows = []
        for subset, d in (("all", self.members), ("contested", self.members[
                self.members["contested"]])):
            y = d["y"].to_numpy(int)
            for name in forecasters(self.members):
                p = d[[f"{name}_{v}" for v in CAST_WORDS]].to_numpy(float)
                rows.append((name, subset, len(d), X.member_log_loss(p, y),
                             X.member_brier(p, y)))
        return pd.DataFrame(rows, columns=["forecaster", "subset", "n", "log_loss", "brier"])

    def event_scores(self) -> pd.DataFrame:
        rows = []
        for subset, d in (("all", self.events), ("contested", self.events[
                self.events["contested"]])):
            y = d["adopted"].to_numpy(float)
            for c in [c for c in d.columns if c.startswith("p_")]:
                p = d[c].to_numpy(float)
                rows.append((c[2:], subset, len(d), X.binary_log_loss(p, y),
                             X.binary_brier(p, y)))
        return pd.DataFrame(rows, columns=["forecaster", "subset", "n", "log_loss", "brier"])


def forecasters(members: pd.DataFrame) -> list[str]:
    return [c[: -len("_yes")] for c in members.columns if c.endswith("_yes")]


def run_backtest(rows: pd.DataFrame, covariates: pd.DataFrame, years: Sequence[int],
                 cfg: FitConfig | None = None,
                 progress: Callable[[int], None] | None = None,
                 pairwise: bool = False) -> BacktestResult:
    """``rows`` are cleaned vote rows with outcomes (``vote``, ``adopted``).

    Nothing of year Y is used to forecast it: the model reads the vote history at the
    start of the year, and the baselines are fitted on the years before Y. With ``pairwise``
    the alignment axis is also scored by pairwise agreement on contested drafts
    (:mod:`sim.calibration.pairwise`; slow: two exact computations per contested draft)."""
    from sim.engine.exact import event_probabilities

    cfg = cfg or FitConfig()
    mem_parts, ev_parts, pair_parts, secs = [], [], [], []
    fits: dict[int, FitSummary] = {}
    for year in years:
        train = rows[rows["year"] < year]
        test = rows[rows["year"] == year]
        if test.empty or train.empty:
            if progress:
                progress(year)
            continue
        t0 = time.perf_counter()
        params = fit(train, covariates, cfg)
        secs.append(time.perf_counter() - t0)
        fits[year] = FitSummary(params.common, dict(params.cohesion), params.contested_corr,
                                params.axis_kappa)
        context = test.drop(columns=[c for c in ("vote", "outcome", "adopted")
                                     if c in test.columns])
        pred = predict(params, context)
        pr = pred.rows
        truth = test.set_index(["event_id", "member"])["vote"]
        keys = list(zip(pr["event_id"], pr["member"], strict=True))
        y = truth.reindex(keys).map({v.word: int(v) for v in CAST}).to_numpy(int)
        contested_ev = test.groupby("event_id")["vote"].apply(lambda v: bool((v != "yes").any()))
        mp = pd.DataFrame({"year": year, "event_id": pr["event_id"], "member": pr["member"],
                           "y": y, "contested": pr["event_id"].map(contested_ev).to_numpy(bool),
                           "model_yes": pr["p_yes"], "model_abstain": pr["p_abstain"],
                           "model_no": pr["p_no"]})
        bfit = B.fit_baselines(train)
        ctx_rows = context.set_index(["event_id", "member"]).reindex(keys).reset_index()
        bpred = B.predict_baselines(bfit, ctx_rows)
        for name, p in bpred.items():
            for k, v in enumerate(CAST_WORDS):
                mp[f"{name}_{v}"] = p[:, k]
        mem_parts.append(mp)
        # events
        ev = event_probabilities_for(pred)
        first = test.drop_duplicates("event_id").set_index("event_id")
        ev["year"] = year
        ev["adopted"] = ev["event_id"].map(first["adopted"]).astype(bool)
        ev["contested"] = ev["event_id"].map(contested_ev).astype(bool)
        ev = ev.rename(columns={"p_adopted": "p_model", "p_vetoed": "p_model_veto"})
        ev_ctx = first.loc[ev["event_id"]].reset_index()
        rates = B.event_rates(bfit, ev_ctx)
        ev["p_base_rate"] = rates["overall"]
        ev["p_country_class_rate"] = rates["class"]
        for name in ("base_rate", "country", "country_class"):
            vals = []
            for eid, d in mp.groupby("event_id", sort=False):
                dd = pd.DataFrame({"member": d["member"], "p_yes": d[f"{name}_yes"],
                                   "p_abstain": d[f"{name}_abstain"], "p_no": d[f"{name}_no"],
                                   "bloc": None})
                # common 0, no blocs: independent votes; the quota of that year's Council
                vm = vote_model(dd, 0.0, {}, charter_threshold(year))
                vals.append((eid, event_probabilities(vm)[0]))
            mapping = dict(vals)
            ev[f"p_{name}_indep"] = ev["event_id"].map(mapping)
        if pairwise:
            pair_parts.append(pairwise_rows(pred, test[["event_id", "member", "vote"]]).assign(year=year))
        ev_parts.append(ev.drop(columns=["p_model_veto"]).assign(
            p_veto_model=ev["p_model_veto"]))
        if progress:
            progress(year)
    members = pd.concat(mem_parts, ignore_index=True) if mem_parts else pd.DataFrame()
    events = pd.concat(ev_parts, ignore_index=True) if ev_parts else pd.DataFrame()
    if not events.empty:
        events = events[["year", "event_id", "adopted", "contested", "p_veto_model"]
                        + [c for c in events.columns if c.startswith("p_")
                           and c != "p_veto_model"]]
        events = events.rename(columns={"p_veto_model": "veto_model"})
    pairs = pd.concat(pair_parts, ignore_index=True) if pair_parts else None
    return BacktestResult(members, events, secs, fits, pairs=pairs)


def in_sample_reference(rows: pd.DataFrame, covariates: pd.DataFrame, years: Sequence[int],
                        cfg: FitConfig | None = None) -> pd.DataFrame:
    """P(adopted) of the events of ``years`` from a single fit on every record up to the
    last of those years, so the fit has seen the outcomes it scores. Not a forecast: an
    optimistic yardstick of what the model's features can separate at all, against which
    the rolling forecasts' event error is read (columns ``event_id``, ``p_in_sample``)."""
    if not years:
        return pd.DataFrame({"event_id": [], "p_in_sample": []})
    params = fit(rows[rows["year"] <= max(years)], covariates, cfg or FitConfig())
    # predict drops the outcome columns itself
    ev = event_probabilities_for(predict(params, rows[rows["year"].isin(list(years))]))
    return ev[["event_id", "p_adopted"]].rename(columns={"p_adopted": "p_in_sample"})
