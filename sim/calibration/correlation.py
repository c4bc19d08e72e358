"""Estimate the engine's latent correlation (common loading, bloc cohesions) from co-voting.

Given each member's marginal (yes, abstain, no) probabilities for each past event (predicted
out-of-fold, so they carry no in-sample optimism), the joint probability of the observed votes
under the engine's latent model

    U_i = sqrt(common) F + sqrt(cohesion_b) G_b + sqrt(1 - common - cohesion_b) E_i

is an integral over F and the G_b; given F the blocs are independent. It is computed by
Gauss-Hermite quadrature, and the weighted sum of log joint probabilities over events is
maximised over (common, cohesions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import optimize
from scipy.special import log_ndtr, logsumexp, ndtri

MAX_TOTAL = 0.97  # common + cohesion stays below this (keeps the idiosyncratic part > 0)


@dataclass(frozen=True)
class EventBatch:
    """Padded arrays for E events with at most M members each."""

    t1: np.ndarray  # (E, M) lower cut (no below)
    t2: np.ndarray  # (E, M) upper cut (yes above)
    vote: np.ndarray  # (E, M) 0=no, 1=abstain, 2=yes, -1 = padding
    bloc: np.ndarray  # (E, M) bloc index, -1 = no bloc
    weight: np.ndarray  # (E,)
    #: (E, M) each member's position on the alignment axis (its loading is kappa * z), or None
    z: np.ndarray | None = None


def make_batch(
    probs: Sequence[np.ndarray], votes: Sequence[np.ndarray], blocs: Sequence[np.ndarray],
    weight: np.ndarray, z: Sequence[np.ndarray] | None = None,
) -> EventBatch:
    """``probs[e]`` is (n_e, 3) yes/abstain/no; ``votes[e]`` codes 0=no, 1=abstain, 2=yes;
    ``z[e]`` the members' axis covariate (see :func:`axis_loadings`)."""
    e_n = len(probs)
    m = max((len(p) for p in probs), default=1)
    t1 = np.full((e_n, m), -np.inf)
    t2 = np.full((e_n, m), np.inf)
    v = np.full((e_n, m), -1, dtype=int)
    b = np.full((e_n, m), -1, dtype=int)
    zz = np.zeros((e_n, m)) if z is not None else None
    for e, (p, vv, bb) in enumerate(zip(probs, votes, blocs, strict=True)):
        p = np.clip(np.asarray(p, float), 1e-9, 1.0)
        p = p / p.sum(axis=1, keepdims=True)
        k = len(p)
        t1[e, :k] = ndtri(np.clip(p[:, 2], 1e-12, 1 - 1e-12))
        t2[e, :k] = ndtri(np.clip(p[:, 2] + p[:, 1], 1e-12, 1 - 1e-12))
        v[e, :k] = vv
        b[e, :k] = bb
        if zz is not None and z is not None:
            zz[e, :k] = z[e]
    return EventBatch(t1, t2, v, b, np.asarray(weight, float), zz)


def axis_loadings(z: np.ndarray, kappa: float, room: np.ndarray) -> np.ndarray:
    """Loadings ``kappa * z`` on the alignment axis, each held inside the variance its member
    has left (``lambda**2 <= room``, ``room = MAX_TOTAL - common - cohesion``)."""
    cap = np.sqrt(np.clip(room, 0.0, None))
    return np.clip(kappa * np.asarray(z, float), -cap, cap)


def _log_cond(batch: EventBatch, s: np.ndarray, c: np.ndarray) -> np.ndarray:
    """log P(observed vote | shift s); s is (F, G, E, M), c is (E, M)."""
    v = batch.vote
    out = log_ndtr((s - batch.t2) / c)  # yes, computed everywhere (most votes are yes)
    ei, mi = np.nonzero((v == 0) | (v == 1))
    if ei.size:
        ss = s[..., ei, mi]
        cc = c[ei, mi]
        z1 = (batch.t1[ei, mi] - ss) / cc
        z2 = (batch.t2[ei, mi] - ss) / cc
        lno = log_ndtr(z1)
        l2 = log_ndtr(z2)
        with np.errstate(divide="ignore", invalid="ignore"):
            lab = l2 + np.log1p(-np.exp(np.minimum(lno - l2, -1e-12)))
        out[..., ei, mi] = np.where(v[ei, mi] == 0, lno, lab)
    out = np.maximum(out, -50.0)
    out[..., v < 0] = 0.0
    return out


def log_likelihood(batch: EventBatch, common: float, cohesion: np.ndarray,
                   nodes_f: int = 12, nodes_g: int = 8, kappa: float = 0.0,
                   nodes_a: int = 6) -> np.ndarray:
    """Per-event log joint probability of the observed votes; with ``kappa`` != 0 the
    members also load ``kappa * z`` on the alignment axis A (docs/model.md)."""
    xf, wf = hermegauss(nodes_f)
    wf = wf / wf.sum()
    xg, wg = hermegauss(nodes_g)
    wg = wg / wg.sum()
    n_blocs = len(cohesion)
    coh = np.where(batch.bloc >= 0, np.asarray(cohesion)[np.maximum(batch.bloc, 0)], 0.0) \
        if n_blocs else np.zeros(batch.bloc.shape)
    if kappa != 0.0 and batch.z is not None:
        lam = axis_loadings(batch.z, kappa, MAX_TOTAL - common - coh)
        xa, wa = hermegauss(nodes_a)
        per_a = [_given_axis(batch, common, n_blocs, coh, coh + lam * lam, xf, wf, xg, wg, lam * x) for x in xa]
        return np.asarray(logsumexp(np.stack(per_a) + np.log(wa / wa.sum())[:, None], axis=0))
    return _given_axis(batch, common, n_blocs, coh, coh, xf, wf, xg, wg, None)


def _given_axis(batch: EventBatch, common: float, n_blocs: int, coh: np.ndarray, shared: np.ndarray,
                xf: np.ndarray, wf: np.ndarray, xg: np.ndarray, wg: np.ndarray,
                shift: np.ndarray | None) -> np.ndarray:
    """Per-event log joint probability given the axis part ``shift`` (E, M) of the stances;
    ``coh`` (E, M) is each member's bloc cohesion and ``shared`` its variance outside F: its
    cohesion, plus its loading squared when there is an axis."""
    c = np.sqrt(np.clip(1.0 - common - shared, 1e-6, None))
    a = np.sqrt(common)
    bl = np.sqrt(coh)
    # (F, G, E, M)
    s = a * xf[:, None, None, None] + bl[None, None] * xg[None, :, None, None]
    if shift is not None:
        s = s + shift[None, None]
    lc = _log_cond(batch, np.broadcast_to(s, (len(xf), len(xg)) + batch.t1.shape), c)
    # members outside blocs form group n_blocs, whose G loading is 0 (constant in G)
    grp = np.where(batch.bloc >= 0, batch.bloc, n_blocs)
    onehot = np.zeros(batch.bloc.shape + (n_blocs + 1,))
    np.put_along_axis(onehot, grp[..., None], 1.0, axis=-1)
    onehot[batch.vote < 0] = 0.0
    part = np.einsum("fgem,emb->fgeb", lc, onehot, optimize=True)  # (F, G, E, B+1)
    lwg = np.log(wg)[None, :, None, None]
    per_bloc = logsumexp(part + lwg, axis=1)  # (F, E, B+1); the free group is constant in G
    total = per_bloc.sum(axis=2)
    return np.asarray(logsumexp(total + np.log(wf)[:, None], axis=0))


def _unpack(theta: np.ndarray, n_blocs: int) -> tuple[float, np.ndarray]:
    common = MAX_TOTAL / (1.0 + np.exp(-theta[0]))
    room = MAX_TOTAL - common
    coh = room / (1.0 + np.exp(-theta[1:1 + n_blocs]))
    return float(common), coh


def unanimous(batch: EventBatch) -> EventBatch:
    """The same events with every member voting yes."""
    return EventBatch(batch.t1, batch.t2, np.where(batch.vote >= 0, 2, -1), batch.bloc,
                      batch.weight, batch.z)


def fit_correlation(batch: EventBatch, n_blocs: int, *, start_common: float = 0.5,
                    start_cohesion: float = 0.1, truncated: bool = False,
                    ) -> tuple[float, np.ndarray, float]:
    """Maximum (weighted) likelihood (common, cohesions, loglik) of the joint votes.

    With ``truncated`` the events are known not to be unanimous: each event's likelihood is
    divided by P(not every member votes yes) under the same model."""
    def logit(p: float) -> float:
        return float(np.log(p / (1.0 - p)))

    c0 = logit(start_common / MAX_TOTAL)
    h0 = logit(start_cohesion / (MAX_TOTAL - start_common))
    theta0 = np.array([c0] + [h0] * n_blocs)
    prior_sd = 3.0  # weak prior on the logit scale keeps empty blocs finite
    all_yes = unanimous(batch)

    def neg(theta: np.ndarray) -> float:
        common, coh = _unpack(theta, n_blocs)
        ll = log_likelihood(batch, common, coh)
        if truncated:
            l0 = np.minimum(log_likelihood(all_yes, common, coh), -1e-9)
            ll = ll - np.log(-np.expm1(l0))
        pen = 0.5 * float(((theta - theta0) / prior_sd) @ ((theta - theta0) / prior_sd))
        return -float(batch.weight @ ll) + pen

    res = optimize.minimize(neg, theta0, method="L-BFGS-B",
                            options={"maxiter": 60, "eps": 1e-4})
    common, coh = _unpack(res.x, n_blocs)
    return common, coh, -float(res.fun)
