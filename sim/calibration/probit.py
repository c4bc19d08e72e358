"""Penalised (ridge / Gaussian-prior) binary probit on a sparse design, fitted by L-BFGS."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import log_ndtr, ndtr


def _mills(eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d/deta log Phi(eta) and d/deta log Phi(-eta), stably."""
    lp = log_ndtr(eta)
    lq = log_ndtr(-eta)
    logphi = -0.5 * eta * eta - 0.5 * np.log(2 * np.pi)
    return np.exp(logphi - lp), -np.exp(logphi - lq)


def fit_probit(
    design: pd.DataFrame,
    y: np.ndarray,
    weight: np.ndarray,
    penalties: Mapping[str, float],
    *,
    max_iter: int = 500,
) -> dict[str, float]:
    """Maximise sum w*loglik - 0.5 * sum lambda_block * beta^2 over keys; return key -> beta.

    ``design`` is long (row, key, value, block); ``penalties`` maps block -> precision.
    Keys of blocks not listed get precision 1.
    """
    keys, col = np.unique(design["key"].to_numpy().astype(str), return_inverse=True)
    n = len(y)
    x = sparse.csr_matrix((design["value"].to_numpy(float), (design["row"].to_numpy(), col)),
                          shape=(n, len(keys)))
    block_of = pd.Series(design["block"].to_numpy(), index=col).groupby(level=0).first()
    lam = np.array([penalties.get(str(block_of[j]), 1.0) for j in range(len(keys))])
    lam = np.maximum(lam, 1e-6)
    xt = x.T.tocsr()
    yb = y.astype(bool)
    w = weight.astype(float)

    def f(beta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = x @ beta
        ll = np.where(yb, log_ndtr(eta), log_ndtr(-eta))
        gp, gq = _mills(eta)
        g = np.where(yb, gp, gq) * w
        val = -(w @ ll) + 0.5 * float(lam @ (beta * beta))
        grad = -(xt @ g) + lam * beta
        return float(val), grad

    beta0 = np.zeros(len(keys))
    # start the intercept at the weighted base rate
    if "1" in set(keys):
        j = int(np.flatnonzero(keys == "1")[0])
        p = float(np.clip((w * yb).sum() / max(w.sum(), 1e-12), 1e-3, 1 - 1e-3))
        from scipy.special import ndtri

        beta0[j] = float(ndtri(p))
    from scipy import optimize  # fitting only: predicting does not pay for importing it

    res = optimize.minimize(f, beta0, jac=True, method="L-BFGS-B",
                            options={"maxiter": max_iter, "gtol": 1e-6})
    return {str(k): float(b) for k, b in zip(keys, res.x, strict=True)}


def predict_eta(design: pd.DataFrame, n: int, coef: Mapping[str, float]) -> np.ndarray:
    """Linear predictor; keys without a coefficient (unseen levels) contribute 0 (the prior)."""
    b = design["key"].map(coef).fillna(0.0).to_numpy(float)
    eta = np.zeros(n)
    np.add.at(eta, design["row"].to_numpy(), b * design["value"].to_numpy(float))
    return eta


def probit_prob(eta: np.ndarray) -> np.ndarray:
    return np.asarray(ndtr(eta))
