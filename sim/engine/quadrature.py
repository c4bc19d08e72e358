"""The quadrature grid of the exact method: where the latent factors are integrated, and each
member's conditional vote probabilities at those points.

F and each bloc's G_b are integrated against the normal density piece by piece: the real line
is cut at the points where a member's conditional vote probability jumps or turns steeply (its
latent thresholds, and a few multiples of its transition width either side), and each piece
gets its own Gauss–Legendre rule. A member whose idiosyncratic weight is 0 votes by a step
function of the factors; the step then falls on a breakpoint and each piece is smooth, so the
rule stays exact to rounding for ``common + cohesion = 1`` too. :mod:`sim.engine.exact` sums the
votes over this grid. See docs/model.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

from .model import ABSENT, ABSTAIN, NO, YES, VoteModel

#: Gauss–Legendre nodes per piece.
DEFAULT_NODES = 8
#: The factors are integrated over [-LIMIT, LIMIT]: the normal mass outside is 2Φ(-8.5) < 2e-17.
LIMIT = 8.5
#: Φ(-9) < 1.2e-19: a member's probability is constant this many transition widths away.
SATURATED = 9.0
#: A bloc whose stance would need more pieces than this is integrated per F node instead.
MAX_BLOC_PIECES = 300
#: Largest piece: the normal density is smooth on pieces this wide.
BASE_STEP = 1.5
#: A transition (a conditional probability Φ((t - x) / w)) narrower than this gets breakpoints
#: of its own at ``t + w·z``, z in TRANSITION_Z; wider ones are smooth on the base pieces.
WIDE = 1.6
#: Breakpoints closer than THIN times their local scale are merged.
THIN = 1.0
TRANSITION_Z = np.array([-8.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 8.0])
#: With an alignment axis, A (and F) are integrated by Gauss–Hermite with this many nodes per
#: default Gauss–Legendre node when every member's transition in that factor is at least SMOOTH
#: wide (the integrand is then smooth on the density's own scale); else piece by piece as above.
HERMITE_PER_NODE = 5
SMOOTH = 1.0
#: Fewer Gauss–Hermite nodes where every transition is wider: ``HERMITE_SCALE · m / w`` for the
#: narrowest conditional width ``w`` (given the other outer factor), between 2·m and
#: HERMITE_PER_NODE·m. A transition Φ((t − x)/w) is then integrated to about 1e-15 (32 nodes at
#: w = 1, 22 at w = 1.5).
HERMITE_SCALE = 4.0
#: Gauss–Hermite nodes whose weights sum to less than this are dropped (every integrand is a
#: probability, at most 1, so each statistic moves by less than this).
HERMITE_DROP = 1e-16
#: With an axis, a transition narrower than this is integrated as a step (see _axis_breaks).
TINY = 1e-6
#: At most this many outer (A, F) nodes: beyond it the crossings of moving thresholds with the
#: least normal density are dropped from A's breakpoints, then A's and F's breakpoints are merged
#: more coarsely (see :func:`_axis_grid` and docs/model.md).
MAX_OUTER_NODES = 100_000
#: The outer nodes are processed in runs of at most this many (bounded memory in every statistic).
RUN_NODES = 4096


@dataclass(frozen=True)
class Group:
    """Members that share a latent factor beyond F (a bloc), or the members in no bloc.

    ``probs[g, j]`` is member ``members[j]``'s (yes, abstain, no, absent) at the group's node
    ``g``. For a bloc the nodes are values of its stance factor ``V = (a·F + b·G) / b``, which
    given F = f is normal with mean ``a·f / b``: ``kernel[f, g]`` integrates V given F's node
    ``f``, so the members' probabilities and their products are computed once, not once per F
    node. For the members in no bloc (``kernel`` None) the nodes are F's own. "Outer node" below
    is an F node, or an (A, F) pair of nodes when the model has an alignment axis.

    ``blocked``: the group's nodes are (outer node, own node) pairs, one block of G_f per outer
    node. ``blocks`` > 1: the outer nodes come in ``blocks`` equal runs (one per A node) and the
    group's nodes in as many equal runs; ``kernel[o, g]`` integrates the run of o's block.
    """

    members: np.ndarray
    probs: np.ndarray  # (G, m, 4)
    kernel: np.ndarray | None  # (F, G), or (F, G_f) when blocked, or (F, G / blocks)
    blocked: bool = False  # nodes are (F node, own node) pairs, F-major, G_f per F node
    blocks: int = 1

    def given_f(self, x: np.ndarray, axis: int = -2) -> np.ndarray:
        """Integrate the node axis ``axis`` of ``x`` over the group's factor, given each outer node."""
        if self.kernel is None:
            return x
        x = np.moveaxis(x, axis, 0)
        if self.blocked:
            f, g = self.kernel.shape
            out = np.einsum("fg,fg...->f...", self.kernel, x.reshape(f, g, *x.shape[1:]))
        elif self.blocks > 1:
            o, g = self.kernel.shape
            k = self.blocks
            out = np.einsum("kjg,kg...->kj...", self.kernel.reshape(k, o // k, g),
                            x.reshape(k, g, *x.shape[1:])).reshape(o, *x.shape[1:])
        else:
            out = np.tensordot(self.kernel, x, axes=(1, 0))
        return np.moveaxis(out, 0, axis)

    def node_weights(self, f_weights: np.ndarray) -> np.ndarray:
        """The weight of each of the group's nodes in the full integral."""
        if self.kernel is None:
            return f_weights
        if self.blocked:
            return (f_weights[:, None] * self.kernel).ravel()
        if self.blocks > 1:
            o, g = self.kernel.shape
            k = self.blocks
            return np.einsum("kj,kjg->kg", f_weights.reshape(k, o // k), self.kernel.reshape(k, o // k, g)).ravel()
        return f_weights @ self.kernel


@dataclass(frozen=True)
class Grid:
    """The quadrature of one model: the outer nodes' weights and each group's conditional vote
    probabilities. With an alignment axis the outer nodes are (A, F) pairs, A-major, ``blocks``
    A nodes with the same number of F nodes each, and ``build(k0, k1)`` makes the grid of A
    nodes k0..k1 alone; a grid of more than RUN_NODES outer nodes is only built in such runs
    (``groups`` is then empty: use :meth:`split`), so its memory is bounded by a run's."""

    weights: np.ndarray  # (F,) or (A · F,)
    groups: tuple[Group, ...]
    blocks: int = 1
    build: Callable[[int, int], Grid] | None = field(default=None, compare=False, repr=False)

    @property
    def size(self) -> int:
        """Number of nodes at which members' probabilities are evaluated (the cost of one pass)."""
        if not self.groups and self.build is not None:
            return sum(part.size for part in self.split(RUN_NODES))
        return sum(grp.probs.shape[0] for grp in self.groups)

    def split(self, max_outer: int) -> Iterator[Grid]:
        """The grid in runs of A nodes with at most ``max_outer`` outer nodes each (at least one
        A node), made one at a time: every statistic is a sum over the outer nodes, so it is the
        sum over the parts."""
        per = self.weights.size // self.blocks
        step = max(1, max_outer // max(per, 1))
        if self.build is None or (step >= self.blocks and self.groups):
            yield self
            return
        for k0 in range(0, self.blocks, step):
            yield self.build(k0, min(k0 + step, self.blocks))


def _phi(x: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _transition_breaks(centers: np.ndarray, widths: np.ndarray, lo: float, hi: float,
                       thin: float = THIN) -> np.ndarray:
    """Breakpoints in (lo, hi) around each narrow transition, thinned to their local scale.

    Around a transition of width ``w`` at ``t`` the points are ``t + w·z``; a point closer to the
    one kept before it than half the smaller of their local scales (``w·max(1, |z|) / 2``) is
    dropped, which bounds the number of pieces by the spread of the thresholds, not the number of
    members. Steps (``w = 0``) are always kept: they are where the integrand jumps.
    """
    narrow = np.isfinite(centers) & (widths < WIDE)
    if not narrow.any():
        return np.empty(0)
    c, w = centers[narrow], widths[narrow]
    pts = (c[:, None] + w[:, None] * TRANSITION_Z[None, :]).ravel()
    scale = (w[:, None] * np.maximum(1.0, np.abs(TRANSITION_Z))[None, :]).ravel()
    keep = (pts > lo) & (pts < hi)
    pts, scale = pts[keep], scale[keep]
    order = np.argsort(pts, kind="stable")
    kept: list[float] = []
    kept_scale: list[float] = []
    for x, s in zip(pts[order].tolist(), scale[order].tolist(), strict=True):
        if kept and (x == kept[-1] or (s > 0 and kept_scale[-1] > 0
                                       and x - kept[-1] <= thin * min(s, kept_scale[-1]))):
            kept_scale[-1] = min(s, kept_scale[-1])
            continue
        kept.append(x)
        kept_scale.append(s)
    return np.asarray(kept)


def _blocked_group(grp: np.ndarray, f: np.ndarray, a0: float, bg: float, cent: np.ndarray, wid: np.ndarray,
                   t1: np.ndarray, t2: np.ndarray, absent: np.ndarray, c: np.ndarray, m: int) -> Group:
    """A weak bloc (its factor's weight small beside F's): G's own nodes for each F node.

    Given F = f a member's vote turns at G = (t − a·f)/b: the pattern of breakpoints around the
    thresholds, shifted by −a·f/b, is cut to [−LIMIT, LIMIT]; points outside give empty pieces.
    """
    pattern = _transition_breaks(cent, wid, -np.inf, np.inf)
    base = np.linspace(-LIMIT, LIMIT, int(np.ceil(2 * LIMIT / BASE_STEP)) + 1)
    rows = np.concatenate([np.broadcast_to(base, (f.size, base.size)),
                           np.clip(pattern[None, :] - (a0 / bg) * f[:, None], -LIMIT, LIMIT)], axis=1)
    g, w = _legendre_on(np.sort(rows, axis=1), m)
    w = w * _phi(g)
    s = a0 * f[:, None, None] + bg * g[:, :, None]  # (F, G_f, 1)
    probs = _conditional(t1[grp], t2[grp], absent[grp], np.broadcast_to(s, (*g.shape, grp.size)), c[grp])
    return Group(grp, probs.reshape(-1, grp.size, 4), w, blocked=True)


def _bloc_range(centers: np.ndarray, widths: np.ndarray, mean: np.ndarray) -> tuple[float, float]:
    """Where a bloc's stance V needs nodes: near its members' transitions and its mass given F.

    Outside ``centers ± SATURATED · widths`` every member's probabilities are constant to 1e-19,
    and outside ``mean ± LIMIT`` the normal mass is below 1e-17.
    """
    ok = np.isfinite(centers)
    if not ok.any():
        return 0.0, 0.0
    lo = max(float((centers[ok] - SATURATED * widths[ok]).min()), float(mean.min()) - LIMIT)
    hi = min(float((centers[ok] + SATURATED * widths[ok]).max()), float(mean.max()) + LIMIT)
    return lo, max(lo, hi)


def _pieces(lo: float, hi: float, extra: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights (no density) on [lo, hi] cut at BASE spacing and ``extra``."""
    base = np.linspace(lo, hi, max(2, int(np.ceil((hi - lo) / BASE_STEP)) + 1))
    return _legendre_on(np.union1d(base, extra), m)


@lru_cache(maxsize=16)
def _gauss_legendre(m: int) -> tuple[np.ndarray, np.ndarray]:
    """The m-point Gauss–Legendre rule on [-1, 1], computed once per m (read-only arrays)."""
    xi, omega = np.polynomial.legendre.leggauss(m)
    xi.setflags(write=False)
    omega.setflags(write=False)
    return xi, omega


def _legendre_on(breaks: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights (no density) on the pieces between sorted ``breaks``
    along the last axis: shape (..., (K - 1) · m)."""
    xi, omega = _gauss_legendre(m)
    lo, hi = breaks[..., :-1, None], breaks[..., 1:, None]
    half = 0.5 * (hi - lo)
    shape = (*breaks.shape[:-1], -1)
    return (0.5 * (lo + hi) + half * xi).reshape(shape), (half * omega).reshape(shape)


def _conditional(t1: np.ndarray, t2: np.ndarray, absent: np.ndarray, s: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(yes, abstain, no, absent) given the factor part ``s`` (..., m) of the stance."""
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_c = np.where(c > 0, c, 1.0)
        p_no = np.where(c > 0, ndtr((t1 - s) / safe_c), (s < t1).astype(float))
        p_not_yes = np.where(c > 0, ndtr((t2 - s) / safe_c), (s < t2).astype(float))
    # a member certain to vote no (t1 = +inf) or yes (t2 = -inf), even at an infinite stance
    p_no = np.where(np.isneginf(t1), 0.0, np.where(np.isposinf(t1), 1.0, p_no))
    p_not_yes = np.where(np.isposinf(t2), 1.0, np.where(np.isneginf(t2), 0.0, p_not_yes))
    present = 1.0 - absent
    out = np.empty(np.broadcast_shapes(s.shape, t1.shape) + (4,))
    out[..., YES] = present * (1.0 - p_not_yes)
    out[..., ABSTAIN] = present * np.clip(p_not_yes - p_no, 0.0, None)
    out[..., NO] = present * p_no
    out[..., ABSENT] = absent
    return out


def _member_groups(model: VoteModel) -> list[tuple[np.ndarray, int]]:
    """Member indices by bloc (bloc index), then the members in no bloc (bloc -1)."""
    groups = [(np.flatnonzero(model.bloc == b), b) for b in range(model.n_blocs)]
    groups = [(grp, b) for grp, b in groups if grp.size]
    free = np.flatnonzero(model.bloc < 0)
    if free.size:
        groups.append((free, -1))
    return groups


def grid(model: VoteModel, nodes: int | None = None) -> Grid:
    """The quadrature grid of ``model`` with ``nodes`` Gauss–Legendre nodes per piece."""
    if model.has_axis:
        return _axis_grid(model, nodes if nodes is not None else DEFAULT_NODES)
    m = nodes if nodes is not None else DEFAULT_NODES
    a, b, c = model.loadings()
    t1, t2 = model.thresholds()
    absent = model.probs[:, ABSENT]
    a0 = float(a[0]) if model.common > 0 else 0.0
    if a0 > 0:
        # Given F, a member's vote probability turns at F = t / a over a width sqrt(b² + c²) / a
        # (its bloc factor and its own term both blur the step).
        width = np.sqrt(b * b + c * c) / a0
        extra = _transition_breaks(np.concatenate([t1, t2]) / a0, np.concatenate([width, width]), -LIMIT, LIMIT)
        f, wf = _pieces(-LIMIT, LIMIT, extra, m)
        wf = wf * _phi(f)
    else:
        f, wf = np.zeros(1), np.ones(1)
    groups = []
    for grp, bloc in _member_groups(model):
        bg = float(b[grp[0]]) if bloc >= 0 else 0.0
        if bg > 0:
            mean = (a0 / bg) * f
            cent = np.concatenate([t1[grp], t2[grp]]) / bg
            wid = np.concatenate([c[grp], c[grp]]) / bg
            lo, hi = _bloc_range(cent, wid, mean)
            if (hi - lo) / BASE_STEP > MAX_BLOC_PIECES:
                groups.append(_blocked_group(grp, f, a0, bg, cent, wid, t1, t2, absent, c, m))
                continue
            v, wv = _pieces(lo, hi, _transition_breaks(cent, wid, lo, hi), m) if hi > lo else (np.empty(0),) * 2
            # Beyond [lo, hi] every member's vote probabilities are constant (or the normal mass
            # is below 1e-17): one node at each infinity carries the kernel's tail mass exactly.
            v = np.concatenate([[-np.inf], v, [np.inf]])
            kernel = np.concatenate([
                ndtr(lo - mean)[:, None],
                wv[None, :] * _phi(v[None, 1:-1] - mean[:, None]),
                ndtr(mean - hi)[:, None],
            ], axis=1)
            s_v = np.broadcast_to(bg * v[:, None], (v.size, grp.size))
            probs = _conditional(t1[grp], t2[grp], absent[grp], s_v, c[grp])
            groups.append(Group(grp, probs, kernel))
        else:
            probs = _conditional(t1[grp], t2[grp], absent[grp], a[grp] * f[:, None], np.sqrt(b[grp] ** 2 + c[grp] ** 2))
            groups.append(Group(grp, probs, None))
    return Grid(wf, tuple(groups))


# --- with an alignment axis: outer nodes (A, F) ----------------------------------------------------


def _pad_breaks(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of sorted breakpoints padded to one length by repeating their last point (the pieces
    added are empty: their nodes have weight 0)."""
    size = max(r.size for r in rows)
    return np.stack([np.concatenate([r, np.full(size - r.size, r[-1])]) for r in rows])


def _axis_breaks(centers: np.ndarray, widths: np.ndarray, lo: float, hi: float, thin: float = THIN) -> np.ndarray:
    """:func:`_transition_breaks` for the axis grid, where a transition narrower than TINY (a
    member at the constraint, up to rounding) is a step: one breakpoint at its centre, off by
    O(w²) instead of nine breakpoints within 1e-5 of each other."""
    return _transition_breaks(centers, np.where(widths < TINY, 0.0, widths), lo, hi, thin)


def _crossings(t: np.ndarray, lam: np.ndarray, width: np.ndarray, scale: float, spread: float,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where two moving thresholds ``t − λ·α`` of narrow transitions (latent ``width``) cross, as
    α, the width there, and the normal density at the crossing point: the integrand over the
    other factors has a kink at each crossing. The thresholds are in a variable ``x · scale``
    of standard deviation ``spread`` given A; crossings beyond LIMIT of it are left out (no
    node sees them)."""
    i, j = np.triu_indices(t.size, 1)
    ok = np.isfinite(t[i]) & np.isfinite(t[j]) & (lam[i] != lam[j])
    i, j = i[ok], j[ok]
    gap = np.abs(lam[i] - lam[j])
    alpha = (t[i] - t[j]) / (lam[i] - lam[j])
    where = (t[i] - lam[i] * alpha) / scale / spread  # the crossing point, in standard deviations
    inside = (np.abs(where) < LIMIT) & (np.abs(alpha) < LIMIT)
    return (alpha[inside], (np.sqrt(width[i] ** 2 + width[j] ** 2) / gap)[inside],
            (_phi(alpha) * _phi(where))[inside])


def _axis_nodes(model: VoteModel, m: int, crossings: int | None = None, thin: float = THIN,
                ) -> tuple[np.ndarray, np.ndarray]:
    """A's nodes and weights. Given A = α, after F, G and E, member i's vote turns at
    α = t / λ_i over a width sqrt(1 − λ_i²) / |λ_i|: breakpoints as for F. Where members' votes
    turn sharply in F (or a bloc's V) at thresholds moving with α, their crossings are
    breakpoints too: all of them, or the ``crossings`` of highest normal density, with
    breakpoints merged at ``thin`` times their local scale (a coarser grid, see _axis_grid)."""
    assert model.alignment is not None
    lam = model.alignment
    a, b, c = model.loadings()
    t1, t2 = model.thresholds()
    on = lam != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.sqrt(np.clip(1.0 - lam[on] ** 2, 0.0, None)) / np.abs(lam[on])
        cent = np.concatenate([t1[on], t2[on]]) / np.concatenate([lam[on], lam[on]])
    cents, widths, density = [], [], []
    a0 = float(a[0]) if model.common > 0 else 0.0
    for grp, bloc in _member_groups(model):
        if bloc >= 0 and b[grp[0]] > 0 and not np.all(lam[grp] == lam[grp[0]]):
            # thresholds in the bloc's V = (a·F + b·G) / b, per A node: V ~ N(0, 1 + (a / b)²)
            w_lat, scale = c[grp], float(b[grp[0]])
            spread = float(np.sqrt(1.0 + (a0 / scale) ** 2))
        elif bloc < 0 and a0 > 0:
            w_lat, scale, spread = np.sqrt(b[grp] ** 2 + c[grp] ** 2), a0, 1.0  # thresholds in F
        else:
            continue
        sharp = w_lat / scale < WIDE
        if sharp.any():
            sel = grp[sharp]
            x, w, d = _crossings(np.concatenate([t1[sel], t2[sel]]), np.concatenate([lam[sel], lam[sel]]),
                                 np.concatenate([w_lat[sharp], w_lat[sharp]]), scale, spread)
            cents.append(x)
            widths.append(w)
            density.append(d)
    if not cents and width.min(initial=np.inf) >= SMOOTH:
        # given F, a member's vote turns in A over sqrt(b² + c²) / |λ| (its bloc's and own terms)
        return _hermite(m, float((np.sqrt(b[on] ** 2 + c[on] ** 2) / np.abs(lam[on])).min()))
    x_cross = np.concatenate(cents) if cents else np.empty(0)
    w_cross = np.concatenate(widths) if cents else np.empty(0)
    if crossings is not None and crossings < x_cross.size:
        top = np.argsort(-np.concatenate(density), kind="stable")[:crossings]
        x_cross, w_cross = x_cross[top], w_cross[top]
    extra = _axis_breaks(np.concatenate([cent, x_cross]), np.concatenate([width, width, w_cross]),
                         -LIMIT, LIMIT, thin)
    x, w = _pieces(-LIMIT, LIMIT, extra, m)
    return x, w * _phi(x)


def _hermite(m: int, width: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Hermite nodes and weights for the standard normal density, enough for transitions
    at least ``width`` wide (see HERMITE_SCALE); the tail nodes of total weight below
    HERMITE_DROP are left out."""
    k = int(np.clip(np.ceil(HERMITE_SCALE * m / max(width, 1e-300)), 2 * m, HERMITE_PER_NODE * m))
    x, w = np.polynomial.hermite_e.hermegauss(k)
    w = w / np.sqrt(2.0 * np.pi)
    order = np.argsort(w, kind="stable")
    drop = order[np.cumsum(w[order]) < HERMITE_DROP]
    keep = np.setdiff1d(np.arange(k), drop)
    return x[keep], w[keep]


def _axis_f_nodes(model: VoteModel, alpha: np.ndarray, a0: float, m: int, thin: float = THIN,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """F's nodes and weights given each A node, (K, J): breakpoints where a member's vote turns
    at F = (t − λ·α) / a, if its width sqrt(b² + c²) / a is narrow (then they move with α),
    merged at ``thin`` times their local scale."""
    if a0 <= 0:
        return np.zeros((alpha.size, 1)), np.ones((alpha.size, 1))
    assert model.alignment is not None
    lam = model.alignment
    _, b, c = model.loadings()
    t1, t2 = model.thresholds()
    width = np.sqrt(b * b + c * c) / a0
    widths = np.concatenate([width, width])
    if width.min() >= SMOOTH:
        x, w = _hermite(m)  # F keeps HERMITE_PER_NODE·m nodes: with fewer the products of members'
        # transitions given A are off by 1e-9 (benchmarks/bench_engine.py's axis Council)
        return np.broadcast_to(x, (alpha.size, x.size)), np.broadcast_to(w, (alpha.size, x.size))
    narrow = width < WIDE
    base = np.linspace(-LIMIT, LIMIT, int(np.ceil(2 * LIMIT / BASE_STEP)) + 1)
    if not (narrow & (lam != 0)).any():
        breaks = [np.union1d(base, _axis_breaks(np.concatenate([t1, t2]) / a0, widths, -LIMIT, LIMIT, thin))]
    else:
        breaks = [np.union1d(base, _axis_breaks(np.concatenate([t1 - lam * x, t2 - lam * x]) / a0,
                                                widths, -LIMIT, LIMIT, thin)) for x in alpha.tolist()]
    f, w = _legendre_on(_pad_breaks(breaks), m)
    f, w = np.broadcast_to(f, (alpha.size, f.shape[-1])), np.broadcast_to(w * _phi(f), (alpha.size, f.shape[-1]))
    return f, w


def _kernel(v: np.ndarray, wv: np.ndarray, lo: float, hi: float, mean: np.ndarray) -> np.ndarray:
    """Integrate V ~ N(mean, 1) over nodes ``[-inf, v, +inf]``: the infinite nodes carry the mass
    beyond [lo, hi], where every member's probabilities are constant."""
    return np.concatenate([ndtr(lo - mean)[:, None], wv[None, :] * _phi(v[None, :] - mean[:, None]),
                           ndtr(mean - hi)[:, None]], axis=1)


def _axis_bloc(grp: np.ndarray, model: VoteModel, alpha: np.ndarray, f: np.ndarray,
               a0: float, bg: float, m: int) -> Group:
    """A bloc given the outer (A, F) nodes, integrated in its stance ``V = (λ·A + a·F + b·G) / b``.

    When the bloc's members share one loading λ, V given (α, f) is normal with mean
    ``(λ·α + a·f) / b`` and the members' thresholds in V are fixed: one kernel, as without an
    axis. Otherwise (or when that range is too wide) V = (a·F + b·G) / b is integrated per A
    node, the members' thresholds ``(t − λ·α) / b`` moving with α.
    """
    assert model.alignment is not None
    lam = model.alignment[grp]
    _, _, c = model.loadings()
    t1, t2 = model.thresholds()
    absent = model.probs[:, ABSENT]
    k, j = f.shape
    wid = np.concatenate([c[grp], c[grp]]) / bg
    if np.all(lam == lam[0]):
        mean = ((lam[0] * alpha[:, None] + a0 * f) / bg).ravel()
        cent = np.concatenate([t1[grp], t2[grp]]) / bg
        lo, hi = _bloc_range(cent, wid, mean)
        if (hi - lo) / BASE_STEP <= MAX_BLOC_PIECES:
            v, wv = _pieces(lo, hi, _axis_breaks(cent, wid, lo, hi), m) if hi > lo else (np.empty(0),) * 2
            s_v = np.broadcast_to(bg * np.concatenate([[-np.inf], v, [np.inf]])[:, None], (v.size + 2, grp.size))
            return Group(grp, _conditional(t1[grp], t2[grp], absent[grp], s_v, c[grp]), _kernel(v, wv, lo, hi, mean))
    kernels, probs = [], []
    for x, fx in zip(alpha.tolist(), f, strict=True):
        mean = (a0 / bg) * fx
        t1x, t2x = t1[grp] - lam * x, t2[grp] - lam * x
        cent = np.concatenate([t1x, t2x]) / bg
        lo, hi = _bloc_range(cent, wid, mean)
        v, wv = _pieces(lo, hi, _axis_breaks(cent, wid, lo, hi), m) if hi > lo else (np.empty(0),) * 2
        kernels.append(_kernel(v, wv, lo, hi, mean))
        s_v = np.broadcast_to(bg * np.concatenate([[-np.inf], v, [np.inf]])[:, None], (v.size + 2, grp.size))
        probs.append(_conditional(t1x, t2x, absent[grp], s_v, c[grp]))
    size = max(kn.shape[1] for kn in kernels)
    kernel = np.concatenate([np.pad(kn, ((0, 0), (0, size - kn.shape[1]))) for kn in kernels])
    node_probs = np.concatenate([np.concatenate([p, np.repeat(p[-1:], size - p.shape[0], axis=0)]) for p in probs])
    assert kernel.shape == (k * j, size)
    return Group(grp, node_probs, kernel, blocks=k)


def _outer_nodes(model: VoteModel, m: int, a0: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A's nodes and weights, and F's given each A node, at most MAX_OUTER_NODES pairs.

    Beyond the cap (members at or near the constraint with loadings of both signs: a breakpoint
    at every crossing of two moving thresholds) the grid is coarsened: first only the crossings
    of highest normal density are kept (a crossing left inside a piece is a kink there, so the
    rule is no longer exact to rounding: 4e-5 on 15 members at the constraint, docs/model.md), then A's and F's
    breakpoints are merged at twice, four times... their local scale. Steps always stay
    breakpoints, so a model whose steps alone exceed the cap is refused (ValueError)."""
    alpha, w_alpha = _axis_nodes(model, m)
    f, wf = _axis_f_nodes(model, alpha, a0, m)
    if alpha.size * f.shape[1] <= MAX_OUTER_NODES:
        return alpha, w_alpha, f, wf
    thin = THIN
    for _ in range(8):
        keep = max(0, MAX_OUTER_NODES // (m * f.shape[1]) - _axis_nodes(model, m, 0, thin)[0].size // m)
        while True:
            alpha, w_alpha = _axis_nodes(model, m, keep, thin)
            f, wf = _axis_f_nodes(model, alpha, a0, m, thin)
            outer = alpha.size * f.shape[1]
            if outer <= MAX_OUTER_NODES:
                return alpha, w_alpha, f, wf
            if keep == 0:
                break
            keep = int(keep * 0.9 * MAX_OUTER_NODES / outer)
        thin *= 2.0
    raise ValueError(f"the exact method would need {outer:,} quadrature nodes, too many quadrature nodes for "
                     f"this model (at most {MAX_OUTER_NODES:,}); use Monte Carlo")


def _axis_grid(model: VoteModel, m: int) -> Grid:
    """The grid of a model with an alignment axis: outer nodes (α, f), A-major, F's nodes given
    each A node; each bloc's stance integrated given the outer node; see docs/model.md."""
    a0 = float(model.loadings()[0][0]) if model.common > 0 else 0.0
    alpha, w_alpha, f, wf = _outer_nodes(model, m, a0)
    weights = (w_alpha[:, None] * wf).ravel()
    per = f.shape[1]

    def build(k0: int, k1: int) -> Grid:
        rows = slice(k0 * per, k1 * per)
        return Grid(weights[rows], _axis_groups(model, m, a0, alpha[k0:k1], f[k0:k1]), k1 - k0, build)

    if weights.size <= RUN_NODES:
        return build(0, alpha.size)
    return Grid(weights, (), alpha.size, build)


def _axis_groups(model: VoteModel, m: int, a0: float, alpha: np.ndarray, f: np.ndarray) -> tuple[Group, ...]:
    """Each group's probabilities at the outer nodes of A nodes ``alpha`` (F's nodes ``f``)."""
    assert model.alignment is not None
    lam = model.alignment
    a, b, c = model.loadings()
    t1, t2 = model.thresholds()
    absent = model.probs[:, ABSENT]
    outer_a = np.repeat(alpha, f.shape[1])
    outer_f = f.ravel()
    groups = []
    for grp, bloc in _member_groups(model):
        bg = float(b[grp[0]]) if bloc >= 0 else 0.0
        if bg > 0:
            groups.append(_axis_bloc(grp, model, alpha, f, a0, bg, m))
        else:
            s = lam[grp] * outer_a[:, None] + a[grp] * outer_f[:, None]
            probs = _conditional(t1[grp], t2[grp], absent[grp], s, np.sqrt(b[grp] ** 2 + c[grp] ** 2))
            groups.append(Group(grp, probs, None))
    return tuple(groups)
