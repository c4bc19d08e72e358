"""The three ridge probits of the hurdle (event contested, member yes, member no): fitting
on model rows and their linear predictors (docs/calibration.md, "Marginals")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import FitConfig
from .parameters import Coefs
from .probit import fit_probit, predict_eta
from .rows import NO, YES, ModelRows

#: linear predictors: event probit (per event), yes and no probits (per member row)
LinearPredictors = tuple[np.ndarray, np.ndarray, np.ndarray]


def recency(years: np.ndarray, ref: float, half_life: float) -> np.ndarray:
    """Weight 0.5^((ref - year) / half_life) of each row."""
    return np.power(0.5, (ref - years.astype(float)) / half_life)


def _sub(keys: pd.DataFrame, sel: np.ndarray, n: int) -> pd.DataFrame:
    """The design keys of rows ``sel`` (of ``n``), renumbered 0..len(sel)-1."""
    remap = np.full(n, -1)
    remap[sel] = np.arange(len(sel))
    d = keys[remap[keys["row"].to_numpy()] >= 0].copy()
    d["row"] = remap[d["row"].to_numpy()]
    return d


def fit_marginals(p: ModelRows, y: np.ndarray, cfg: FitConfig, ref_year: float,
                  rows: np.ndarray | None = None) -> Coefs:
    """Fit the three probits on member rows ``rows`` (all when None)."""
    n = len(p.m)
    sel = np.arange(n) if rows is None else np.asarray(rows)
    w = recency(p.m["year"].to_numpy(), ref_year, cfg.half_life)
    ne = len(p.ev)
    contested_ev = np.zeros(ne, dtype=bool)
    np.logical_or.at(contested_ev, p.row_event[sel], y[sel] != YES)
    evs = np.unique(p.row_event[sel])
    w_ev = recency(p.ev["year"].to_numpy(), ref_year, cfg.half_life)
    ev_coef = fit_probit(_sub(p.ek, evs, ne), contested_ev[evs], w_ev[evs],
                         cfg.event_penalties)
    cond = sel[contested_ev[p.row_event[sel]]]
    yes_coef = fit_probit(_sub(p.yk, cond, n), y[cond] == YES, w[cond], cfg.yes_penalties)
    notyes = cond[y[cond] != YES]
    no_coef = fit_probit(_sub(p.nk, notyes, n), y[notyes] == NO, w[notyes], cfg.no_penalties)
    return Coefs(ev_coef, yes_coef, no_coef)


def linear_predictors(p: ModelRows, c: Coefs) -> LinearPredictors:
    """Linear predictors before recalibration: event (per event), yes and no (per member
    row)."""
    n = len(p.m)
    return (predict_eta(p.ek, len(p.ev), c.event), predict_eta(p.yk, n, c.yes),
            predict_eta(p.nk, n, c.no))


def contested_events(p: ModelRows, y: np.ndarray) -> np.ndarray:
    """Whether each event of ``p`` had a recorded vote other than yes."""
    contested = np.zeros(len(p.ev), dtype=bool)
    np.logical_or.at(contested, p.row_event, y != YES)
    return contested
