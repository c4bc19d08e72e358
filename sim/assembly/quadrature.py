"""The Assembly's quadrature grid: few nodes on smooth integrands, the Council's grid otherwise.

The Council's grid (:func:`sim.engine.quadrature.grid`) places breakpoints at every member's
thresholds, and with an alignment axis at every crossing of two members' moving thresholds: right
for 15 members whose votes can be steps, but for 193 members whose every transition is wide the
integrand is smooth and those breakpoints only multiply the nodes (3,072 outer nodes and 25,000
nodes per regional bloc on ES-11/7), while the aggregate's own narrowness (the tally's
distribution given F narrows as members are added) is not what they follow. Here, when every
member's idiosyncratic weight is at least :data:`MIN_IDIOSYNCRATIC`, A and F are integrated by
Gauss–Hermite and each bloc's stance by the trapezoidal rule on one uniform set of nodes shared by
every outer node, with node counts from the integrand's widths (:func:`widths`); any other model
(and a small one) gets the Council's grid. Both are the same :class:`~sim.engine.quadrature.Grid`,
so :mod:`sim.assembly.exact` sums either. See docs/model.md ("Assembly quadrature").
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri, roots_hermitenorm

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
#: transition is then at least c / sqrt(1 − c²) = 0.31 wide in every factor's units; tested
#: down to 0.22); else the Council's grid, which puts breakpoints at narrow transitions.
MIN_IDIOSYNCRATIC = 0.3
#: Node counts from the widths of the integrand (see :func:`widths`), for ``m`` nodes per default
#: node (DEFAULT_NODES unless ``nodes`` says): A and F get Gauss–Hermite rules of
#: ``OWN_SCALE · m / w`` nodes for the narrowest member's transition ``w`` in that factor (as the
#: Council's HERMITE_SCALE) and at least ``SUM_SCALE · m / s²`` for the narrowest width ``s`` of
#: the counts' distributions (a narrow bump: a Gauss–Hermite rule of k nodes resolves about
#: 1/sqrt(k)), at least 2·m (a model needing more than MAX_HERMITE at the default nodes gets
#: the Council's grid); a bloc's stance gets the step
#: ``V_SCALE · s · 8 / m`` for its narrowest width ``s`` (the trapezoidal rule's error falls as
#: exp(−2π² s² / h²)), at most ``MAX_STEP · 8 / m``. Calibrated on ES-11/7, ES-11/8, the
#: benchmark's model and an 80-member assembly with no bloc (every statistic within about 1e-11
#: of twice the nodes; docs/model.md).
OWN_SCALE = 3.0
SUM_SCALE = 1.75
V_SCALE = 1.22
MAX_STEP = 0.3
MAX_HERMITE = 2000
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
    """Whether the smooth grid applies: at least MIN_MEMBERS members, every member whose vote
    can vary with idiosyncratic weight at least MIN_IDIOSYNCRATIC, and at most MAX_HERMITE
    nodes in A and in F at the default nodes (else members so many or so tied to the common
    factor that its rule would be too long)."""
    if model.n < MIN_MEMBERS:
        return False
    c = model.loadings()[2]
    if not np.all(c[_varies(model)] >= MIN_IDIOSYNCRATIC):
        return False
    k_a, k_f = _hermite_counts(model, DEFAULT_NODES)
    return max(k_a, k_f) <= MAX_HERMITE


def _varies(model: VoteModel) -> np.ndarray:
    """The members whose vote probabilities depend on the factors (not certain, not absent)."""
    t1, t2 = model.thresholds()
    return (np.isfinite(t1) | np.isfinite(t2)) & (model.probs[:, ABSENT] < 1.0)


def _hermite_rule(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k-point Gauss–Hermite rule for the standard normal density, less its tail nodes of
    total weight below TAIL."""
    x, w = roots_hermitenorm(k)
    w = w / np.sqrt(2.0 * np.pi)
    order = np.argsort(w, kind="stable")
    keep = np.sort(order[np.cumsum(w[order]) >= TAIL])
    return x[keep], w[keep]


def _phi(x: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _spread(model: VoteModel, single: np.ndarray, blocs: list[tuple[np.ndarray, np.ndarray]], load: np.ndarray,
            sigma: np.ndarray, x: np.ndarray) -> float:
    """The narrowest width, over the factor's values ``x``, of the distributions of the yes and
    of the no count as functions of one factor on which member i loads ``load[i]`` with residual
    standard deviation ``sigma[i]``: one over the square root of their information about the
    factor, summed over groups independent given the factor, each group's a count's slope² over
    its variance. The groups are the members ``single``, one by one, and ``blocs`` (members, and
    their loadings on the bloc's factor left inside, whose covariance is added to first order)."""
    t1, t2 = model.thresholds()
    present = 1.0 - model.probs[:, ABSENT]
    s = x[:, None] * load[None, :]
    info = np.zeros((2, x.size))
    for row, (t, upper) in enumerate(((t2, True), (t1, False))):
        ok = np.isfinite(t)
        z = np.where(ok, (np.where(ok, t, 0.0) - s) / sigma, 0.0)
        cdf = np.where(ok, ndtr(z), (t > 0).astype(float))
        p = present * (1.0 - cdf if upper else cdf)
        dens = np.where(ok, present * _phi(z) / sigma, 0.0)
        slope, var = dens * load, p * (1.0 - p)
        info[row] += np.divide(slope[:, single] ** 2, var[:, single], out=np.zeros((x.size, single.size)),
                               where=var[:, single] > 0).sum(axis=1)
        for grp, inside in blocs:
            g = dens[:, grp] * inside
            total = var[:, grp].sum(axis=1) + g.sum(axis=1) ** 2 - (g * g).sum(axis=1)
            info[row] += np.divide(slope[:, grp].sum(axis=1) ** 2, total, out=np.zeros(x.size), where=total > 0)
    top = float(info.max())
    return 1.0 / np.sqrt(top) if top > 0 else np.inf


def widths(model: VoteModel) -> tuple[tuple[float, float], tuple[float, float], dict[int, float]]:
    """The integrand's narrowest widths: in A and in F (given the other at 0) the narrowest
    varying member's transition (sqrt(b² + c²)/|λ|, sqrt(b² + c²)/a) and the narrowest of the yes
    and no counts' distributions (:func:`_spread`), which narrow as the members grow in number
    (0.32 in F on ES-11/7, 0.30 with 80 members and no bloc); in each bloc's stance the narrower
    of its members' c/b and its counts' spread given the stance."""
    assert model.alignment is not None
    lam = model.alignment
    a, b, c = model.loadings()
    varies = _varies(model)
    sigma = np.sqrt(b * b + c * c)
    groups = [(grp, bloc) for grp, bloc in _member_groups(model) if bloc >= 0 and b[grp[0]] > 0]
    # given the outer factors the groups are independent: a bloc keeps its factor's covariance,
    # the members in no bloc (or in a bloc of cohesion 0) are each a group of one
    blocs = [(grp, b[grp]) for grp, _ in groups]
    single = np.setdiff1d(np.arange(model.n), np.concatenate([grp for grp, _ in groups] + [np.empty(0, dtype=int)]))
    x = np.linspace(-4.0, 4.0, 33)
    with np.errstate(divide="ignore"):
        own_a = float((sigma / np.abs(lam))[varies].min(initial=np.inf))
        own_f = float((sigma / a)[varies].min(initial=np.inf))
    w_a = own_a, _spread(model, single, blocs, lam, sigma, x)
    w_f = (own_f, _spread(model, single, blocs, a, sigma, x)) if model.common > 0 else (np.inf, np.inf)
    w_v = {}
    residual = np.where(c > 0, c, 1.0)
    for grp, bloc in groups:
        # given the stance V (and the outer node) the bloc's members are independent
        own_v = float((c[grp] / b[grp])[varies[grp]].min(initial=np.inf))
        w_v[bloc] = min(own_v, _spread(model, grp, [], b, residual, 2.0 * x))
    return w_a, w_f, w_v


def _hermite_counts(model: VoteModel, m: int,
                    w: tuple[tuple[float, float], tuple[float, float], dict[int, float]] | None = None,
                    ) -> tuple[int, int]:
    """A's and F's Gauss–Hermite nodes for ``m`` per default node (widths ``w`` if known)."""
    w_a, w_f, _ = widths(model) if w is None else w

    def hermite(own: float, spread: float) -> int:
        k = max(OWN_SCALE * m / max(own, 1e-300), SUM_SCALE * m / max(spread, 1e-300) ** 2)
        return int(np.clip(np.ceil(k), 2 * m, 1e9))

    return hermite(*w_a), hermite(*w_f)


def _counts(model: VoteModel, nodes: int | None) -> tuple[int, int, dict[int, float]]:
    """(A's nodes, F's nodes, each bloc's stance step) for ``nodes`` per default node."""
    m = DEFAULT_NODES if nodes is None else nodes
    w = widths(model)
    steps = {bloc: min(MAX_STEP, V_SCALE * width) * DEFAULT_NODES / m for bloc, width in w[2].items()}
    return (*_hermite_counts(model, m, w), steps)


def smooth_grid(model: VoteModel, nodes: int | None = None) -> Grid:
    """Outer nodes (α, f), A-major: Gauss–Hermite in A (one node at 0 without an axis) and in F
    (tails of weight below TAIL left out), counts from :func:`_counts`. A bloc is integrated in
    its stance V given the outer node, on one set of uniform nodes: when its members share one
    loading λ, V = (λ·A + a·F + b·G)/b, one kernel; else V = (a·F + b·G)/b per A node, its
    members' thresholds moving with α."""
    assert model.alignment is not None
    k_a, k_f, steps = _counts(model, nodes)
    alpha, w_alpha = _hermite_rule(k_a) if model.has_axis else (np.zeros(1), np.ones(1))
    a0 = float(model.loadings()[0][0]) if model.common > 0 else 0.0
    f, w_f = _hermite_rule(k_f) if a0 > 0 else (np.zeros(1), np.ones(1))
    weights = (w_alpha[:, None] * w_f[None, :]).ravel()
    per = f.size
    stances = _stance_nodes(model, alpha, f, weights, a0, steps)

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
                  steps: dict[int, float]) -> dict[int, np.ndarray]:
    """Each bloc's uniform stance nodes: spacing ``steps[bloc]``, covering every outer node's normal
    mass but TAIL in all (outer node o needs ``mean_o ± L_o`` with ``w_o·2Φ(−L_o)`` below
    TAIL / the number of nodes). The nodes are the same for every run of A nodes."""
    out = {}
    b = model.loadings()[1]
    for grp, bloc in _member_groups(model):
        if bloc < 0 or b[grp[0]] <= 0:
            continue
        mean, _ = _means(model, grp, alpha, f, a0)
        ok = weights > 0
        reach = -ndtri(np.minimum(0.5, TAIL / (2.0 * weights[ok] * weights.size)))
        lo, hi = float((mean[ok] - reach).min()), float((mean[ok] + reach).max())
        h = steps[bloc]
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
