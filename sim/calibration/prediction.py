"""Forecasts of member votes from fitted parameters (pure: context rows in, probabilities
out), and adding votes recorded after the training data to the parameters' history."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .axis import axis_z, blended_z, member_loadings
from .blocs import bloc_names
from .features import SIDE, PenholderHistory
from .hurdle import components, mix, sponsors_vote_yes
from .marginals import linear_predictors
from .parameters import CalibrationParams
from .rows import build_histories, context_rows, event_adoption, model_rows, prepare_rows, vote_codes


@dataclass(frozen=True)
class Prediction:
    """Member-level predictions for a set of events."""

    #: event_id, member, p_yes, p_abstain, p_no, bloc, latent, perm, year, and each member's
    #: loading on the alignment axis for the marginal (lambda) and the contested (c_lambda)
    #: correlation
    rows: pd.DataFrame
    common: float
    cohesion: dict[str, float]
    #: (common, cohesion per bloc) of the contested component of the hurdle mixture
    contested_corr: tuple[float, dict[str, float]]
    #: one row per (event, candidate sponsor class, member): event_id, cand, weight, member,
    #: bloc, p_yes/p_abstain/p_no (marginal), q (P(contested)), c_yes/c_abstain/c_no (given
    #: contested), c_lambda (its contested loading on the alignment axis). An event with a
    #: known sponsor has one candidate of weight 1.
    parts: pd.DataFrame


def expand_imputed(m: pd.DataFrame, min_weight: float = 0.02) -> pd.DataFrame:
    """Rows of events whose sponsor is unknown, once per likely sponsor class.

    The class of such an event was imputed from the topic's penholder history; rather than
    trusting that single guess, prediction averages over the classes' probabilities
    (``cls_dist``; classes under ``min_weight`` are dropped and the rest renormalised).
    Adds ``_row`` (the input row), ``cand`` (a per-candidate event key) and ``cand_w``."""
    m = m.reset_index(drop=True).assign(_row=np.arange(len(m)), cand=m["event_id"].astype(str),
                                        cand_w=1.0)
    soft = np.array([bool(imp) and bool(d) for imp, d in zip(m["imputed"], m["cls_dist"],
                                                                strict=True)], dtype=bool)
    if not soft.any():
        return m
    parts = [m[~soft]]
    s = m[soft]
    dist = [{c: w for c, w in d if w >= min_weight} for d in s["cls_dist"]]
    dist = [{c: w / sum(d.values()) for c, w in d.items()} for d in dist]
    for cls in sorted({c for d in dist for c in d}):
        w = np.array([d.get(cls, 0.0) for d in dist])
        keep = w > 0
        part = s[keep].copy()
        part["cls"] = cls
        part["side"] = SIDE.get(cls, 0.0)
        part["cand_w"] = w[keep]
        part["cand"] = part["event_id"].astype(str) + "#" + cls
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out.assign(event_id=out["cand"])


def predict(params: CalibrationParams, rows: pd.DataFrame) -> Prediction:
    """Member probabilities for context rows (in their order). Outcome columns, if any,
    are dropped first."""
    ctx = context_rows(rows, need_votes=False)
    covs = params.covariate_table()
    pen = PenholderHistory({k: list(v) for k, v in params.penholder.items()})
    m0, _ = prepare_rows(ctx, covs, params.topic_map, pen)
    mx = expand_imputed(m0)
    prep = model_rows(mx.drop(columns=["_row", "cand", "cand_w"]), params.hist_event,
                      params.hist_member, params.priors)
    q, cond = components(prep, linear_predictors(prep, params.coefs), params.coefs.temper)
    cond = sponsors_vote_yes(cond, prep.m["is_sponsor"].to_numpy(bool))
    pr = mix(q, cond)
    # a member's bloc does not depend on the sponsor class: one per input row
    blocs = bloc_names(m0)
    row = mx["_row"].to_numpy()
    w = mx["cand_w"].to_numpy(float)
    parts = pd.DataFrame({
        "event_id": m0["event_id"].to_numpy()[row], "year": m0["year"].to_numpy(int)[row],
        "cand": mx["cand"].to_numpy(), "weight": w, "member": prep.m["member"].to_numpy(),
        "bloc": blocs[row], "p_yes": pr[:, 0], "p_abstain": pr[:, 1], "p_no": pr[:, 2],
        "q": q, "c_yes": cond[:, 0], "c_abstain": cond[:, 1], "c_no": cond[:, 2],
    })
    # loadings on the alignment axis (sim.calibration.axis): by the member's GA position
    names = m0["member"].astype(str).tolist()
    z = blended_z(axis_z(covs, names, m0["year"].astype(int).tolist()), names, params.axis_record)
    c_common, c_cohesion = params.contested_corr
    lam = member_loadings(z, list(blocs), params.axis_kappa[0], params.common, params.cohesion)
    c_lam = member_loadings(z, list(blocs), params.axis_kappa[1], c_common, c_cohesion)
    parts["c_lambda"] = c_lam[row]
    avg = np.zeros((len(m0), 3))
    np.add.at(avg, row, pr * w[:, None])
    out = pd.DataFrame({
        "event_id": m0["event_id"].to_numpy(), "member": m0["member"].to_numpy(),
        "p_yes": avg[:, 0], "p_abstain": avg[:, 1], "p_no": avg[:, 2], "bloc": blocs,
        "perm": m0["perm"].to_numpy() > 0, "year": m0["year"].to_numpy(int),
        "lambda": lam, "c_lambda": c_lam,
    })
    # probit-scale stance, used by the runtime API to apply a user `shift`
    out["latent"] = _ndtri(np.clip(out["p_yes"].to_numpy(), 1e-9, 1 - 1e-9))
    return Prediction(out, params.common, dict(params.cohesion), params.contested_corr, parts)


def _ndtri(p: np.ndarray) -> np.ndarray:
    from scipy.special import ndtri

    return np.asarray(ndtri(p))


def extend_history(params: CalibrationParams, rows: pd.DataFrame) -> CalibrationParams:
    """``params`` whose vote history also holds the records ``rows`` (with ``vote``).

    A forecast reads the history at the start of its year, so ``rows`` may be every record
    known at forecast time: records of the forecast year or later are never used for it.
    """
    adopted = event_adoption(rows)
    rows = context_rows(rows, need_votes=True)
    if rows.empty:
        return params
    covs = params.covariate_table()
    pen = PenholderHistory({k: list(v) for k, v in params.penholder.items()})
    m, _ = prepare_rows(rows, covs, params.topic_map, pen)
    y = vote_codes(rows, m)
    h_ev, h_m, _ = build_histories(m, y, params.hist_event.half_life, adopted=adopted)
    # a new object: quantities cached from the old history do not carry over
    last = pd.to_datetime(rows["date"]).max()
    meta = {**params.meta, "history_through": max(str(params.as_of or ""), last.date().isoformat())}
    return dataclasses.replace(params, hist_event=params.hist_event.extend(h_ev),
                               hist_member=params.hist_member.extend(h_m), meta=meta)


#: The votes that say where a member stands; a record without one adds nothing to the history.
CAST_VOTES = ("yes", "abstain", "no")


def later_records(params: CalibrationParams, rows: pd.DataFrame) -> pd.DataFrame:
    """The records of ``rows`` (with ``vote``) that ``params`` do not know yet: those of years
    after their training data, with a cast vote."""
    return rows[(rows["year"] > params.train_end_year) & rows["vote"].isin(CAST_VOTES)]


def extend_with_records(params: CalibrationParams, rows: pd.DataFrame) -> CalibrationParams:
    """``params`` whose history also holds the :func:`later_records` of ``rows`` (``predict
    --history``, ``run --history`` and the app's upload of later votes all come here)."""
    return extend_history(params, later_records(params, rows))
