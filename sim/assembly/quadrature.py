"""The Assembly's quadrature grid: few nodes on smooth integrands, the Council's grid otherwise.

The Council's grid (:func:`sim.engine.quadrature.grid`) places breakpoints at every member's
thresholds, and with an alignment axis at every crossing of two members' moving thresholds: right
for 15 members whose votes can be steps, but for 193 members whose every transition is wide the
integrand is smooth and those breakpoints only multiply the nodes (3,072 outer nodes and 25,000
nodes per regional bloc on ES-11/7). Here, when the model has an axis and every member's
idiosyncratic weight is at least :data:`MIN_IDIOSYNCRATIC`, A and F are integrated by
Gauss–Hermite and each bloc's stance by the trapezoidal rule on one uniform set of nodes shared by
every outer node; any other model gets the Council's grid. Both return the same
:class:`~sim.engine.quadrature.Grid`, so :mod:`sim.assembly.exact` sums either. See docs/model.md
("Assembly quadrature").
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

from sim.engine.model import ABSENT, VoteModel
from sim.engine.quadrature import (
    DEFAULT_NODES,
    RUN_NODES,
    Grid,
    Group,
    _conditional,
    _member_groups,
    grid,
)

from .model import AssemblyModel

#: Fewer members than this get the Council's grid (exact to rounding; small assemblies are cheap).
MIN_MEMBERS = 40
#: Every member whose vote can vary must keep at least this weight on its own term E_i (its
#: transition is then at least c / sqrt(1 − c²) = 0.75 wide in every factor's units); else the
#: Council's grid, which puts breakpoints at narrow transitions.
MIN_IDIOSYNCRATIC = 0.6
#: Gauss–Hermite nodes of A and of F, and trapezoidal steps per unit of a bloc's stance, per
#: default node (``nodes`` scales them); a bloc whose narrowest stance transition c/b is below
#: STANCE_WIDTH gets proportionally more.
A_PER_NODE = 2.5
F_PER_NODE = 7.0
V_PER_NODE = 0.375
STANCE_WIDTH = 1.2
#: The Gauss–Hermite nodes of A and F whose weights sum to less than this are left out, and a
#: bloc's stance nodes cover every outer node's normal mass but this (summed over the outer
#: nodes, the mass beyond is put at the infinities): every integrand is a probability, at most 1,
#: so each statistic moves by less than this.
TAIL = 1e-14


def assembly_grid(model: AssemblyModel, nodes: int | None = None) -> Grid:
    """The quadrature grid of an Assembly vote: :func:`smooth_grid` when :func:`smooth` says the
    integrand is smooth, else the Council's adaptive grid with ``nodes`` per piece."""
    return latent_grid(model.latent, nodes)


def latent_grid(model: VoteModel, nodes: int | None = None) -> Grid:
    """:func:`assembly_grid` of the Assembly's latent model."""
    return smooth_grid(model, nodes) if smooth(model) else grid(model, nodes)


def smooth(model: VoteModel) -> bool:
    """Whether the smooth grid applies: an alignment axis (without one the Council's grid is
    already small), at least MIN_MEMBERS members, and every member whose vote can vary with
    idiosyncratic weight at least MIN_IDIOSYNCRATIC."""
    if model.n < MIN_MEMBERS or not model.has_axis:
        return False
    c = model.loadings()[2]
    return bool(np.all(c[_varies(model)] >= MIN_IDIOSYNCRATIC))


def _varies(model: VoteModel) -> np.ndarray:
    """The members whose vote probabilities depend on the factors (not certain, not absent)."""
    t1, t2 = model.thresholds()
    return (np.isfinite(t1) | np.isfinite(t2)) & (model.probs[:, ABSENT] < 1.0)


def _hermite_rule(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k-point Gauss–Hermite rule for the standard normal density, less its tail nodes of
    total weight below TAIL."""
    x, w = np.polynomial.hermite_e.hermegauss(k)
    w = w / np.sqrt(2.0 * np.pi)
    order = np.argsort(w, kind="stable")
    keep = np.sort(order[np.cumsum(w[order]) >= TAIL])
    return x[keep], w[keep]


def _counts(nodes: int | None) -> tuple[int, int, float]:
    """(A's nodes, F's nodes, a bloc stance's step) for ``nodes`` per default node."""
    m = DEFAULT_NODES if nodes is None else nodes
    return int(np.ceil(A_PER_NODE * m)), int(np.ceil(F_PER_NODE * m)), 1.0 / (V_PER_NODE * m)


def smooth_grid(model: VoteModel, nodes: int | None = None) -> Grid:
    """Outer nodes (α, f), A-major: Gauss–Hermite in A and in F (tails of weight below
    TAIL left out). A bloc is integrated in its stance V given the outer node, on one set
    of uniform nodes: when its members share one loading λ, V = (λ·A + a·F + b·G)/b, one kernel;
    else V = (a·F + b·G)/b per A node, its members' thresholds moving with α."""
    assert model.alignment is not None
    k_a, k_f, step = _counts(nodes)
    alpha, w_alpha = _hermite_rule(k_a)
    a0 = float(model.loadings()[0][0]) if model.common > 0 else 0.0
    f, w_f = _hermite_rule(k_f) if a0 > 0 else (np.zeros(1), np.ones(1))
    weights = (w_alpha[:, None] * w_f[None, :]).ravel()
    per = f.size
    stances = _stance_nodes(model, alpha, f, weights, a0, step)

    def build(k0: int, k1: int) -> Grid:
        rows = slice(k0 * per, k1 * per)
        return Grid(weights[rows], _groups(model, alpha[k0:k1], f, a0, stances), k1 - k0, build)

    if weights.size <= RUN_NODES:
        return build(0, alpha.size)
    return Grid(weights, (), alpha.size, build)


def _means(model: VoteModel, grp: np.ndarray, alpha: np.ndarray, f: np.ndarray, a0: float) -> tuple[np.ndarray, bool]:
    """The mean of a bloc's stance V given each outer node (A-major), and whether its members
    share one loading (then V includes λ·A)."""
    assert model.alignment is not None
    lam = model.alignment[grp]
    bg = float(model.loadings()[1][grp[0]])
    shared = bool(np.all(lam == lam[0]))
    mean = ((float(lam[0]) if shared else 0.0) * alpha[:, None] + a0 * f[None, :]) / bg
    return mean.ravel(), shared


def _stance_nodes(model: VoteModel, alpha: np.ndarray, f: np.ndarray, weights: np.ndarray, a0: float,
                  step: float) -> dict[int, np.ndarray]:
    """Each bloc's uniform stance nodes: spacing ``step`` (less when the bloc's narrowest
    transition c/b is below STANCE_WIDTH), covering every outer node's normal
    mass but TAIL in all (outer node o needs ``mean_o ± L_o`` with ``w_o·2Φ(−L_o)`` below
    TAIL / the number of nodes). The nodes are the same for every run of A nodes."""
    out = {}
    _, b, c = model.loadings()
    varies = _varies(model)
    for grp, bloc in _member_groups(model):
        if bloc < 0 or b[grp[0]] <= 0:
            continue
        mean, _ = _means(model, grp, alpha, f, a0)
        ok = weights > 0
        reach = -ndtri(np.minimum(0.5, TAIL / (2.0 * weights[ok] * weights.size)))
        lo, hi = float((mean[ok] - reach).min()), float((mean[ok] + reach).max())
        width = float(c[grp][varies[grp]].min(initial=np.inf)) / float(b[grp[0]])
        h = step * min(1.0, width / STANCE_WIDTH)
        k = int(np.ceil((hi - lo) / h))
        centre = 0.5 * (lo + hi)
        out[bloc] = centre + h * (np.arange(k + 1) - 0.5 * k)
    return out


def _groups(model: VoteModel, alpha: np.ndarray, f: np.ndarray, a0: float,
            stances: dict[int, np.ndarray]) -> tuple[Group, ...]:
    """Each group's probabilities at the outer nodes of A nodes ``alpha`` (F's nodes ``f``)."""
    assert model.alignment is not None
    lam = model.alignment
    a, b, c = model.loadings()
    t1, t2 = model.thresholds()
    absent = model.probs[:, ABSENT]
    outer_a = np.repeat(alpha, f.size)
    outer_f = np.tile(f, alpha.size)
    groups = []
    for grp, bloc in _member_groups(model):
        if bloc < 0 or b[grp[0]] <= 0:
            s = lam[grp] * outer_a[:, None] + a[grp] * outer_f[:, None]
            probs = _conditional(t1[grp], t2[grp], absent[grp], s, np.sqrt(b[grp] ** 2 + c[grp] ** 2))
            groups.append(Group(grp, probs, None))
            continue
        bg = float(b[grp[0]])
        v = stances[bloc]
        mean, shared = _means(model, grp, alpha, f, a0)
        step = float(v[1] - v[0]) if v.size > 1 else 1.0
        # the trapezoidal rule on uniform nodes; the mass beyond them (below TAIL) on the infinities
        kernel = np.concatenate([
            ndtr(v[0] - mean)[:, None],
            step * np.exp(-0.5 * (v[None, :] - mean[:, None]) ** 2) / np.sqrt(2.0 * np.pi),
            ndtr(mean - v[-1])[:, None],
        ], axis=1)
        nodes = np.concatenate([[-np.inf], v, [np.inf]])
        if shared:
            s_v = np.broadcast_to(bg * nodes[:, None], (nodes.size, grp.size))
            probs = _conditional(t1[grp], t2[grp], absent[grp], s_v, c[grp])
            groups.append(Group(grp, probs, kernel))
        else:
            # per A node: the stance b·V plus each member's λ·α (infinite nodes stay infinite)
            s_v = bg * nodes[None, :, None] + np.where(np.isfinite(nodes)[None, :, None],
                                                       lam[grp][None, None, :] * alpha[:, None, None], 0.0)
            probs = _conditional(t1[grp], t2[grp], absent[grp], s_v, c[grp]).reshape(-1, grp.size, 4)
            groups.append(Group(grp, probs, kernel, blocks=alpha.size))
    return tuple(groups)
