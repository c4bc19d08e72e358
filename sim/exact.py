"""Exact outcome probabilities of the vote model by quadrature and dynamic programming.

Given the latent factors (F and each bloc's G_b), members vote independently, so the count of
yes votes is a product of linear polynomials and the joint tally a product of small 3-D
distributions. F and G_b are integrated by Gauss–Hermite quadrature; blocs are conditionally
independent given F, so the cost grows linearly in the number of blocs. See docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import ndtr

from . import rules
from .model import ABSENT, VoteModel

#: Default number of Gauss–Hermite nodes per latent dimension.
DEFAULT_NODES = 48


@dataclass(frozen=True)
class Quadrature:
    """Nodes and weights for E[h(Z)], Z ~ N(0, 1); weights sum to 1."""

    nodes: np.ndarray
    weights: np.ndarray

    @classmethod
    def gauss_hermite(cls, m: int) -> Quadrature:
        if m <= 1:
            return cls(np.zeros(1), np.ones(1))
        x, w = hermegauss(m)
        return cls(x, w / w.sum())


def default_nodes(model: VoteModel) -> int:
    """More nodes when the idiosyncratic part is small and the integrand is steep."""
    _, _, c = model.loadings()
    c_min = float(c.min()) if c.size else 1.0
    if c_min >= 0.35:
        return DEFAULT_NODES
    if c_min >= 0.15:
        return 2 * DEFAULT_NODES
    return 4 * DEFAULT_NODES


def quadratures(model: VoteModel, nodes: int | None = None) -> tuple[Quadrature, Quadrature]:
    """Quadratures for F and for a bloc factor G (trivial ones when a factor is absent)."""
    m = nodes if nodes is not None else default_nodes(model)
    qf = Quadrature.gauss_hermite(m if model.common > 0 else 1)
    has_bloc = bool(np.any((model.bloc >= 0) & (model.n_blocs > 0)))
    qg = Quadrature.gauss_hermite(m if has_bloc else 1)
    return qf, qg


def vote_probs_on_grid(model: VoteModel, f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """P(vote | F=f, G_own_bloc=g) for every member: shape (len f, len g, n, 4).

    Columns are yes, abstain, no, absent, as in :attr:`VoteModel.probs`. A member in no bloc
    does not depend on ``g``.
    """
    a, b, c = model.loadings()
    t1, t2 = model.thresholds()
    s = a[None, None, :] * f[:, None, None] + b[None, None, :] * g[None, :, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_c = np.where(c > 0, c, 1.0)
        p_no = np.where(c > 0, ndtr((t1 - s) / safe_c), (s < t1).astype(float))
        p_not_yes = np.where(c > 0, ndtr((t2 - s) / safe_c), (s < t2).astype(float))
    p_no = np.where(np.isneginf(t1), 0.0, p_no)
    p_not_yes = np.where(np.isposinf(t2), 1.0, p_not_yes)
    present = 1.0 - model.probs[:, ABSENT]
    out = np.empty(s.shape + (4,))
    out[..., 0] = present * (1.0 - p_not_yes)
    out[..., 1] = present * np.clip(p_not_yes - p_no, 0.0, None)
    out[..., 2] = present * p_no
    out[..., 3] = model.probs[:, ABSENT]
    return out


def _groups(model: VoteModel) -> list[tuple[np.ndarray, bool]]:
    """Member indices grouped by bloc, each with a flag saying whether it depends on G.

    Members in no bloc form one group of their own, which does not depend on G: for it only
    the first G node is evaluated, with weight 1.
    """
    groups = [(np.flatnonzero(model.bloc == b), True) for b in range(model.n_blocs)]
    groups = [(grp, True) for grp, _ in groups if grp.size]
    free = np.flatnonzero(model.bloc < 0)
    if free.size:
        groups.append((free, False))
    return groups


def _group_slice(probs: np.ndarray, grp: np.ndarray, on_g: bool, qg: Quadrature) -> tuple[np.ndarray, np.ndarray]:
    """The group's probabilities on the grid (..., F, G', m, 4) and the G' weights."""
    if on_g:
        return probs[..., grp, :], qg.weights
    return probs[..., :1, grp, :], np.ones(1)


def _linear_product(y: np.ndarray, r: np.ndarray, degree: int) -> np.ndarray:
    """Coefficients of prod_j (r_j + y_j z) over the last axis, padded to ``degree``."""
    out = np.zeros(y.shape[:-1] + (degree + 1,))
    out[..., 0] = 1.0
    for j in range(y.shape[-1]):
        yj = y[..., j, None]
        rj = r[..., j, None]
        shifted = np.zeros_like(out)
        shifted[..., 1:] = out[..., :-1]
        out = out * rj + shifted * yj
    return out


def _poly_mul(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Product of polynomials along the last axis, truncated to the same degree."""
    d = p.shape[-1]
    out = np.zeros(np.broadcast_shapes(p.shape, q.shape))
    for k in range(d):
        out[..., k:] += p[..., k, None] * q[..., : d - k]
    return out


def _group_polynomials(
    model: VoteModel | _SubModel, probs: np.ndarray, grp: np.ndarray, on_g: bool, qg: Quadrature
) -> tuple[np.ndarray, np.ndarray]:
    """One group's (T, N) yes-count polynomials given F, integrated over the group's own G.

    T[..., k] = P(k yes in the group), N[..., k] = P(k yes and no permanent "no" in the group).
    ``probs`` has shape (..., F, G, n, 4); leading axes are carried through.
    """
    n = model.n
    pg, wg = _group_slice(probs, grp, on_g, qg)
    y = pg[..., 0]
    t = _linear_product(y, 1.0 - y, n)
    c = _linear_product(y, 1.0 - y - pg[..., 2] * model.permanent[grp], n)
    return np.einsum("...gk,g->...k", t, wg), np.einsum("...gk,g->...k", c, wg)


def _yes_polynomials(
    model: VoteModel, probs: np.ndarray, qf: Quadrature, qg: Quadrature
) -> tuple[np.ndarray, np.ndarray]:
    """T[k] = P(yes = k) and N[k] = P(yes = k, no permanent "no"), over all members."""
    total = None
    clean = None
    for grp, on_g in _groups(model):
        t, c = _group_polynomials(model, probs, grp, on_g, qg)
        total = t if total is None else _poly_mul(total, t)
        clean = c if clean is None else _poly_mul(clean, c)
    assert total is not None and clean is not None
    return np.einsum("...fk,f->...k", total, qf.weights), np.einsum("...fk,f->...k", clean, qf.weights)


def event_probabilities(model: VoteModel, nodes: int | None = None) -> tuple[float, float]:
    """(P(adopted), P(vetoed)) exactly; the fast path used for live what-ifs and calibration."""
    pa, pv, _ = event_probabilities_unanimous(model, nodes)
    return pa, pv


def event_probabilities_unanimous(model: VoteModel, nodes: int | None = None,
                                  ) -> tuple[float, float, float]:
    """(P(adopted), P(vetoed), P(every member votes yes)) exactly."""
    qf, qg = quadratures(model, nodes)
    probs = vote_probs_on_grid(model, qf.nodes, qg.nodes)
    total, clean = _yes_polynomials(model, probs, qf, qg)
    pa, pv = rules.adoption_probabilities(total, clean, model.threshold, model.procedural)
    return pa, pv, float(total[model.n])


@dataclass(frozen=True)
class ExactOutcome:
    """Exact outcome probabilities (see :func:`exact_outcomes`)."""

    p_adopted: float
    p_vetoed: float
    p_short: float
    yes_distribution: np.ndarray  # (n + 1,)
    tally: np.ndarray  # (n + 1, n + 1, n + 1): P(yes, no, abstain); absent = n - sum
    member_votes: np.ndarray  # (n, 4)
    pivotal: np.ndarray  # (n,)
    pairwise_agreement: np.ndarray  # (n, n)


def _pivotal(model: VoteModel, probs: np.ndarray, qf: Quadrature, qg: Quadrature) -> np.ndarray:
    """P(outcome differs between member i voting yes and no), the others' votes as drawn.

    Member i's own vote given the latent factors is independent of the others', so the others'
    distribution is obtained by making member i abstain with certainty. Only member i's group
    changes; the other groups' polynomials are reused.
    """
    n = model.n
    groups = _groups(model)
    polys = [_group_polynomials(model, probs, grp, on_g, qg) for grp, on_g in groups]
    total = np.zeros((n, n + 1))
    clean = np.zeros((n, n + 1))
    neutral = np.array([0.0, 1.0, 0.0, 0.0])
    for g, (grp, on_g) in enumerate(groups):
        rest_t = np.zeros_like(polys[g][0])
        rest_t[..., 0] = 1.0
        rest_c = rest_t.copy()
        for h, (t, c) in enumerate(polys):
            if h != g:
                rest_t, rest_c = _poly_mul(rest_t, t), _poly_mul(rest_c, c)
        sub = probs[..., grp, :]
        variants = np.repeat(sub[None], grp.size, axis=0)  # (m, F, G, m, 4)
        variants[np.arange(grp.size), ..., np.arange(grp.size), :] = neutral
        local = np.arange(grp.size)
        sub_model = _SubModel(model.permanent[grp], n)
        t_var, c_var = _group_polynomials(sub_model, variants, local, on_g, qg)  # (m, F, n+1)
        total[grp] = np.einsum("mfk,f->mk", _poly_mul(t_var, rest_t[None]), qf.weights)
        clean[grp] = np.einsum("mfk,f->mk", _poly_mul(c_var, rest_c[None]), qf.weights)
    thr = model.threshold
    if model.procedural:
        return total[:, thr - 1]
    return np.where(model.permanent, clean[:, thr - 1 :].sum(axis=1), clean[:, thr - 1])


@dataclass(frozen=True)
class _SubModel:
    """The two attributes :func:`_group_polynomials` reads, for a group's own members."""

    permanent: np.ndarray
    n: int


def _pairwise(model: VoteModel, probs: np.ndarray, qf: Quadrature, qg: Quadrature) -> np.ndarray:
    """P(two members cast the same vote: both yes, both abstain or both no)."""
    cast = probs[..., :3]  # (F, G, n, 3)
    marg = np.einsum("fgnc,g->fnc", cast, qg.weights)
    agree = np.einsum("fic,fjc,f->ij", marg, marg, qf.weights)
    same_bloc = (model.bloc[:, None] == model.bloc[None, :]) & (model.bloc[:, None] >= 0)
    if same_bloc.any():
        joint = np.einsum("fgic,fgjc,f,g->ij", cast, cast, qf.weights, qg.weights)
        agree = np.where(same_bloc, joint, agree)
    np.fill_diagonal(agree, 1.0 - model.probs[:, ABSENT])
    return agree


def _tally(model: VoteModel, probs: np.ndarray, qf: Quadrature, qg: Quadrature) -> np.ndarray:
    """Joint distribution of (yes, no, abstain) counts; absent = n - yes - no - abstain."""
    n = model.n
    size = (n + 1, n + 1, n + 1)
    spectrum = None
    for grp, on_g in _groups(model):
        m = grp.size
        pg, wg = _group_slice(probs, grp, on_g, qg)
        dist = np.zeros(pg.shape[:2] + (m + 1, m + 1, m + 1))
        dist[..., 0, 0, 0] = 1.0
        for j in range(m):
            p = pg[..., j, :]
            new = dist * p[..., 3, None, None, None]
            new[..., 1:, :, :] += dist[..., :-1, :, :] * p[..., 0, None, None, None]
            new[..., :, 1:, :] += dist[..., :, :-1, :] * p[..., 2, None, None, None]
            new[..., :, :, 1:] += dist[..., :, :, :-1] * p[..., 1, None, None, None]
            dist = new
        dist = np.einsum("fgabc,g->fabc", dist, wg)
        spec = np.fft.rfftn(dist, s=size, axes=(1, 2, 3))
        spectrum = spec if spectrum is None else spectrum * spec
    assert spectrum is not None
    spectrum = np.einsum("fabc,f->abc", spectrum, qf.weights)
    tally = np.fft.irfftn(spectrum, s=size, axes=(0, 1, 2))
    yes, no, ab = np.indices(size)
    tally[yes + no + ab > n] = 0.0
    return np.clip(tally, 0.0, None)


def exact_outcomes(model: VoteModel, nodes: int | None = None) -> ExactOutcome:
    """All outcome probabilities of the model, computed exactly up to quadrature."""
    qf, qg = quadratures(model, nodes)
    probs = vote_probs_on_grid(model, qf.nodes, qg.nodes)
    total, clean = _yes_polynomials(model, probs, qf, qg)
    thr = model.threshold
    p_adopted, p_vetoed = rules.adoption_probabilities(total, clean, thr, model.procedural)
    return ExactOutcome(
        p_adopted=p_adopted,
        p_vetoed=p_vetoed,
        p_short=float(total[:thr].sum()),
        yes_distribution=np.clip(total, 0.0, None),
        tally=_tally(model, probs, qf, qg),
        member_votes=model.probs.copy(),
        pivotal=_pivotal(model, probs, qf, qg),
        pairwise_agreement=_pairwise(model, probs, qf, qg),
    )
