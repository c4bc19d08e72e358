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

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Group:
    """Members that share a latent factor beyond F (a bloc), or the members in no bloc.

    ``probs[g, j]`` is member ``members[j]``'s (yes, abstain, no, absent) at the group's node
    ``g``. For a bloc the nodes are values of its stance factor ``V = (a·F + b·G) / b``, which
    given F = f is normal with mean ``a·f / b``: ``kernel[f, g]`` integrates V given F's node
    ``f``, so the members' probabilities and their products are computed once, not once per F
    node. For the members in no bloc (``kernel`` None) the nodes are F's own.
    """

    members: np.ndarray
    probs: np.ndarray  # (G, m, 4)
    kernel: np.ndarray | None  # (F, G), or (F, G_f) when blocked
    blocked: bool = False  # nodes are (F node, own node) pairs, F-major, G_f per F node

    def given_f(self, x: np.ndarray, axis: int = -2) -> np.ndarray:
        """Integrate the node axis ``axis`` of ``x`` over the group's factor, given each F node."""
        if self.kernel is None:
            return x
        x = np.moveaxis(x, axis, 0)
        if self.blocked:
            f, g = self.kernel.shape
            out = np.einsum("fg,fg...->f...", self.kernel, x.reshape(f, g, *x.shape[1:]))
        else:
            out = np.tensordot(self.kernel, x, axes=(1, 0))
        return np.moveaxis(out, 0, axis)

    def node_weights(self, f_weights: np.ndarray) -> np.ndarray:
        """The weight of each of the group's nodes in the full integral."""
        if self.kernel is None:
            return f_weights
        if self.blocked:
            return (f_weights[:, None] * self.kernel).ravel()
        return f_weights @ self.kernel


@dataclass(frozen=True)
class Grid:
    """The quadrature of one model: F's weights and each group's conditional vote probabilities."""

    weights: np.ndarray  # (F,)
    groups: tuple[Group, ...]

    @property
    def size(self) -> int:
        """Number of nodes at which members' probabilities are evaluated (the cost of one pass)."""
        return sum(grp.probs.shape[0] for grp in self.groups)


def _phi(x: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _transition_breaks(centers: np.ndarray, widths: np.ndarray, lo: float, hi: float) -> np.ndarray:
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
                                       and x - kept[-1] <= THIN * min(s, kept_scale[-1]))):
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


def _legendre_on(breaks: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights (no density) on the pieces between sorted ``breaks``
    along the last axis: shape (..., (K - 1) · m)."""
    xi, omega = np.polynomial.legendre.leggauss(m)
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
        raise ValueError("signed alignment loadings are not supported by the exact method yet")
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
