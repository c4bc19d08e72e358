"""Fitting the calibrated vote model: vote rows and GA covariates in, parameters out (pure).

The steps: features and vote histories (:mod:`sim.calibration.rows`), the three probits
(:mod:`sim.calibration.marginals`), the out-of-time recalibration
(:mod:`sim.calibration.recalibration`), then the engine's correlation, fitted given
out-of-fold marginals, once on all events and once on the contested ones
(:mod:`sim.calibration.correlation`). The model is written down in docs/calibration.md.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.engine.seeding import generator
from sim.errors import InputError

from .axis import axis_z, blended_z, council_record, fit_kappa
from .blocs import BLOCS, bloc_index
from .config import FitConfig
from .correlation import fit_correlation, make_batch
from .design import learn_topic_map
from .features import CovariateTable, PenholderHistory
from .hurdle import components, mix
from .marginals import LinearPredictors, contested_events, fit_marginals, linear_predictors, recency
from .parameters import CalibrationParams
from .recalibration import fit_recent_temper
from .rows import ModelRows, build_histories, context_rows, event_adoption, model_rows, prepare_rows, vote_codes


def fit_steps(cfg: FitConfig) -> int:
    """How many times :func:`fit` reports progress with this configuration."""
    return 4 + max(cfg.folds, 2) + int(cfg.recent_temper > 0)


def fit(rows: pd.DataFrame, covariates: pd.DataFrame, cfg: FitConfig | None = None,
        progress: Callable[[str], None] | None = None) -> CalibrationParams:
    """Fit the model on vote rows (``vote`` in yes/abstain/no) and GA covariates."""
    cfg = cfg or FitConfig()
    say = progress or (lambda _s: None)
    adopted = event_adoption(rows)
    rows = context_rows(rows, need_votes=True)
    if rows.empty:
        raise InputError("rows", "no vote rows to fit on", "votes")
    covs = CovariateTable.build(covariates)
    topic_map = learn_topic_map(rows)
    say("features")
    m, pen = prepare_rows(rows, covs, topic_map, PenholderHistory.empty())
    y = vote_codes(rows, m)
    end_year = int(m["year"].max())
    h_ev, h_m, priors = build_histories(m, y, cfg.hist_half_life, cfg.hist_strength,
                                        adopted=adopted)
    prep = model_rows(m, h_ev, h_m, priors)
    say("marginals")
    coefs = fit_marginals(prep, y, cfg, end_year + 1)
    say("correlation")
    oof_eta = out_of_fold(prep, y, cfg, end_year + 1, say)
    if cfg.recent_temper > 0:
        say("recalibration")
        coefs.temper = fit_recent_temper(prep, y, cfg, end_year)
    # the correlation is fitted given the out-of-fold marginals of past events, not
    # recalibrated for drift, which corrects forecasts of later years, not the events the
    # correlation is read from
    q, cond = components(prep, oof_eta, {})
    z = None
    if cfg.axis:  # the members' positions on the alignment axis, once for both fits
        record = council_record(prep.m["member"].to_numpy(), prep.m["event_id"].to_numpy(),
                                prep.m["year"].to_numpy(int), y,
                                contested_events(prep, y)[prep.row_event], end_year)
        members = prep.m["member"].astype(str).tolist()
        z = blended_z(axis_z(covs, members, prep.m["year"].astype(int).tolist()), members, record)
    else:
        record = {}
    common, coh, kappa = fit_corr(prep, y, mix(q, cond), cfg, end_year + 1, z=z)
    say("contested correlation")
    c_common, c_coh, c_kappa = fit_corr(prep, y, cond, cfg, end_year + 1, contested_only=True, z=z)
    contested_corr = (c_common, c_coh)
    return CalibrationParams(
        coefs=coefs, common=common, cohesion=coh, topic_map=topic_map,
        penholder=pen.recent, hist_event=h_ev, hist_member=h_m, priors=priors,
        covariates=_slim_covariates(covariates), train_end_year=end_year,
        contested_corr=contested_corr, axis_kappa=(kappa, c_kappa), axis_record=record,
        meta={"config": cfg.as_dict(), "n_events": len(prep.ev), "n_rows": len(m)},
    )


def out_of_fold(prep: ModelRows, y: np.ndarray, cfg: FitConfig, ref_year: float,
                say: Callable[[str], None] | None = None) -> LinearPredictors:
    """Linear predictors of each event (and its member rows) from a fit that did not see
    it (event folds)."""
    rng = generator(cfg.seed)  # stream () of the seed: numpy.random.default_rng(seed) (sim/seeding.py)
    ne = len(prep.ev)
    fold_ev = rng.permutation(ne) % max(cfg.folds, 2)
    fold_row = fold_ev[prep.row_event]
    ea, eb, ec = np.zeros(ne), np.zeros(len(prep.m)), np.zeros(len(prep.m))
    for k in range(max(cfg.folds, 2)):
        if say:
            say(f"fold {k + 1}/{max(cfg.folds, 2)}")
        c = fit_marginals(prep, y, cfg, ref_year, np.flatnonzero(fold_row != k))
        a, b, cc = linear_predictors(prep, c)
        ea[fold_ev == k] = a[fold_ev == k]
        test = fold_row == k
        eb[test] = b[test]
        ec[test] = cc[test]
    return ea, eb, ec


def fit_corr(prep: ModelRows, y: np.ndarray, probs: np.ndarray, cfg: FitConfig,
             ref_year: float, contested_only: bool = False, z: np.ndarray | None = None,
             ) -> tuple[float, dict[str, float], float]:
    """(common, cohesion per bloc, kappa of the alignment axis) by maximum likelihood of the
    joint votes of the latest events (only the contested ones, with a likelihood truncated to
    non-unanimous votes, when ``contested_only``). ``kappa`` is fitted given the others
    (:func:`sim.calibration.axis.fit_kappa`) from the member rows' axis positions ``z``; 0
    without them."""
    blocs = bloc_index(prep.m)
    groups = pd.Series(np.arange(len(prep.m))).groupby(prep.row_event).indices
    order = np.argsort(prep.ev["date"].astype(str).to_numpy(), kind="stable")
    if contested_only:
        order = order[contested_events(prep, y)[order]]
    chosen = order[-cfg.max_corr_events:]
    batch = make_batch([probs[groups[e]] for e in chosen], [y[groups[e]] for e in chosen],
                       [blocs[groups[e]] for e in chosen],
                       recency(prep.ev["year"].to_numpy()[chosen], ref_year, cfg.half_life),
                       None if z is None else [z[groups[e]] for e in chosen])
    common, coh, _ll = fit_correlation(batch, len(BLOCS), truncated=contested_only)
    kappa = 0.0 if z is None else fit_kappa(batch, common, coh, truncated=contested_only)[0]
    return common, {b: float(c) for b, c in zip(BLOCS, coh, strict=True)}, kappa


def _slim_covariates(cov: pd.DataFrame) -> pd.DataFrame:
    """Keep the covariate rows prediction can use (recent sessions)."""
    c = cov.dropna(subset=["member", "year"]).copy()
    c["year"] = c["year"].astype(int)
    return c[c["year"] >= 1990].reset_index(drop=True)
