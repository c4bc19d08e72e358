"""Out-of-time recalibration: a shift and a scale of a probit's linear predictor, fitted on
the last training years as forecast by a fit on the years before them
(docs/calibration.md, "Recalibration out of time")."""

from __future__ import annotations

import numpy as np

from .config import FitConfig
from .marginals import contested_events, fit_marginals, linear_predictors
from .rows import NO, YES, ModelRows


def fit_shift_scale(eta: np.ndarray, target: np.ndarray, w: np.ndarray,
                    prior: float = 1.0) -> tuple[float, float]:
    """(shift, scale) maximising the weighted probit likelihood of Phi(shift + scale*eta),
    with a Gaussian prior of precision ``prior`` toward (0, 1)."""
    from scipy import optimize
    from scipy.special import log_ndtr

    if len(eta) < 20 or target.all() or not target.any():
        return 0.0, 1.0

    def f(th: np.ndarray) -> float:
        z = th[0] + th[1] * eta
        ll = np.where(target, log_ndtr(z), log_ndtr(-z))
        return float(-(w @ ll) + 0.5 * prior * (th[0] ** 2 + (th[1] - 1.0) ** 2))

    r = optimize.minimize(f, np.array([0.0, 1.0]), method="Nelder-Mead",
                          options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 400})
    a, b = float(r.x[0]), float(np.clip(r.x[1], 0.3, 1.5))
    return a, b


def fit_recent_temper(p: ModelRows, y: np.ndarray, cfg: FitConfig, end_year: int,
                      ) -> dict[str, tuple[float, float]]:
    """Shift and scale of each probit of ``cfg.temper_stages`` from an out-of-time
    forecast: fit on the years up to ``end_year - recent_temper``, forecast the years
    after. Corrects the drift and the over-confidence that a forecast of a later year
    shows (a random event split does not)."""
    cut = end_year - cfg.recent_temper
    train = np.flatnonzero(p.m["year"].to_numpy() <= cut)
    hold_ev = p.ev["year"].to_numpy() > cut
    if not train.size or not hold_ev.any():
        return {}
    c = fit_marginals(p, y, cfg, cut + 1, train)
    ea, eb, ec = linear_predictors(p, c)
    contested = contested_events(p, y)
    hold = hold_ev[p.row_event]
    cond = hold & contested[p.row_event]
    notyes = cond & (y != YES)
    wanted = set(cfg.temper_stages)
    perm = p.m["perm"].to_numpy(float) > 0
    samples = {"event": (ea[hold_ev], contested[hold_ev]),
               "yes": (eb[cond], y[cond] == YES),
               "no": (ec[notyes], y[notyes] == NO)}
    if "yes:split" in wanted:  # permanent and elected members apart
        wanted |= {"yes:perm", "yes:elected"}
        samples["yes:perm"] = (eb[cond & perm], y[cond & perm] == YES)
        samples["yes:elected"] = (eb[cond & ~perm], y[cond & ~perm] == YES)
    return {k: fit_shift_scale(x, t, np.ones(len(x)), cfg.temper_prior)
            for k, (x, t) in samples.items() if k in wanted}
