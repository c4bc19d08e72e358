"""Penalised (ridge / Gaussian-prior) binary probit on a sparse design, fitted by L-BFGS."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import optimize, sparse
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


def _design_matrix(design: pd.DataFrame, n: int, penalties: Mapping[str, float],
                   min_count: int = 1) -> tuple[np.ndarray, sparse.csr_matrix, np.ndarray]:
    counts = design["key"].value_counts()
    keep = design["key"].map(counts) >= min_count
    d = design[keep]
    keys, col = np.unique(d["key"].to_numpy().astype(str), return_inverse=True)
    x = sparse.csr_matrix((d["value"].to_numpy(float), (d["row"].to_numpy(), col)),
                          shape=(n, len(keys)))
    block_of = pd.Series(d["block"].to_numpy(), index=col).groupby(level=0).first()
    lam = np.array([penalties.get(str(block_of[j]), 1.0) for j in range(len(keys))])
    return keys, x, np.maximum(lam, 1e-6)


def fit_probit_re(
    design: pd.DataFrame,
    y: np.ndarray,
    event: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    weight: np.ndarray,
    penalties: Mapping[str, float],
    *,
    nodes: int = 21,
    max_iter: int = 300,
    log_sigma0: float = 0.3,
    sigma_prior_sd: float = 1.0,
) -> tuple[dict[str, float], np.ndarray]:
    """Probit with a draft-level random effect: P(y_i | F_j) = Phi(eta_i + sigma_g F_j).

    ``event`` (n,) indexes events 0..E-1, ``group`` (E,) the group of each event whose
    ``sigma`` is used, ``weight`` (E,) event weights. Returns (key -> beta, sigma per group).
    The marginal probability of y=1 is Phi(eta / sqrt(1 + sigma^2)).
    """
    from numpy.polynomial.hermite_e import hermegauss
    from scipy.special import logsumexp

    n = len(y)
    keys, x, lam = _design_matrix(design, n, penalties)
    xt = x.T.tocsr()
    n_ev = int(event.max()) + 1 if n else 0
    ev_mat = sparse.csr_matrix((np.ones(n), (event, np.arange(n))), shape=(n_ev, n))
    xq, wq = hermegauss(nodes)
    lwq = np.log(wq / wq.sum())
    sgn = np.where(y.astype(bool), 1.0, -1.0)
    p = len(keys)
    gr_row = group[event]
    w_ev = weight.astype(float)

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        beta, ls = theta[:p], theta[p:]
        sig = np.exp(ls)
        eta = x @ beta
        z = sgn[:, None] * (eta[:, None] + sig[gr_row][:, None] * xq[None, :])  # (n, Q)
        lz = log_ndtr(z)
        lev = ev_mat @ lz + lwq[None, :]  # (E, Q)
        ll = logsumexp(lev, axis=1)  # (E,)
        post = np.exp(lev - ll[:, None])  # (E, Q)
        gp, _ = _mills(z)
        g = sgn[:, None] * gp  # d log Phi(z) / d eta, per node
        wpost = post * w_ev[:, None]
        d_eta = (wpost[event] * g).sum(axis=1)
        d_sig_ev = (ev_mat @ (g * xq[None, :]) * wpost).sum(axis=1)  # (E,)
        d_sig = np.bincount(group, weights=d_sig_ev, minlength=n_groups)
        val = -float(w_ev @ ll) + 0.5 * float(lam @ (beta * beta)) \
            + 0.5 * float(((ls - log_sigma0) / sigma_prior_sd) @ ((ls - log_sigma0)
                                                                 / sigma_prior_sd))
        grad = np.concatenate([-(xt @ d_eta) + lam * beta,
                               -d_sig * sig + (ls - log_sigma0) / sigma_prior_sd ** 2])
        return val, grad

    theta0 = np.zeros(p + n_groups)
    theta0[p:] = log_sigma0
    if "1" in set(keys):
        j = int(np.flatnonzero(keys == "1")[0])
        theta0[j] = 2.0
    res = optimize.minimize(f, theta0, jac=True, method="L-BFGS-B",
                            options={"maxiter": max_iter, "gtol": 1e-5, "ftol": 1e-9})
    coef = {str(k): float(b) for k, b in zip(keys, res.x[:p], strict=True)}
    return coef, np.exp(res.x[p:])
