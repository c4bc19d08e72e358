"""Exact outcome probabilities of the vote model: piecewise Gauss–Legendre quadrature and
dynamic programming.

Given the latent factors (F and each bloc's G_b), members vote independently, so the count of
yes votes is a product of linear polynomials and the joint tally a product of small 3-D
distributions. F and each G_b are integrated against the normal density piece by piece, on the grid of
:mod:`sim.engine.quadrature`. Blocs are conditionally independent given F, so the cost grows linearly
in the number of blocs. See docs/model.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .model import ABSENT, ABSTAIN, NO, YES, VoteModel
from .quadrature import DEFAULT_NODES, RUN_NODES, Grid, Group, grid

__all__ = ["DEFAULT_NODES", "ExactOutcome", "Grid", "event_probabilities", "event_probabilities_unanimous",
           "exact_outcomes", "grid", "outcomes_and_profile", "profile_probability"]

# --- generating functions of the yes count ------------------------------------------------------


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


def _group_polynomials(grp: Group, permanent: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """One group's (T, N) yes-count polynomials given each F node, shape (F, n + 1).

    T[f, k] = P(k yes in the group), N[f, k] = P(k yes and no permanent "no" in the group).
    """
    y = grp.probs[..., YES]
    t = _linear_product(y, 1.0 - y, n)
    c = _linear_product(y, 1.0 - y - grp.probs[..., NO] * permanent, n)
    return grp.given_f(t), grp.given_f(c)


def _all_group_polynomials(model: VoteModel, q: Grid) -> list[tuple[np.ndarray, np.ndarray]]:
    return [_group_polynomials(grp, model.permanent[grp.members], model.n) for grp in q.groups]


def _summed(parts: Iterable[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """Element-wise sums of the parts' tuples of arrays (one part: its own arrays, unchanged)."""
    out: tuple[np.ndarray, ...] | None = None
    for part in parts:
        out = part if out is None else tuple(x + y for x, y in zip(out, part, strict=True))
    assert out is not None
    return out


def _product(polys: list[np.ndarray]) -> np.ndarray:
    out = polys[0]
    for p in polys[1:]:
        out = _poly_mul(out, p)
    return out


def _yes_polynomials(model: VoteModel, q: Grid, polys: list[tuple[np.ndarray, np.ndarray]] | None = None,
                     ) -> tuple[np.ndarray, np.ndarray]:
    """T[k] = P(yes = k) and N[k] = P(yes = k, no permanent "no"), over all members."""
    polys = _all_group_polynomials(model, q) if polys is None else polys
    total = _product([t for t, _ in polys])
    clean = _product([c for _, c in polys])
    return q.weights @ total, q.weights @ clean


def event_probabilities(model: VoteModel, nodes: int | None = None) -> tuple[float, float]:
    """(P(adopted), P(vetoed)) exactly; the fast path used for live what-ifs and calibration."""
    pa, pv, _ = event_probabilities_unanimous(model, nodes)
    return pa, pv


def event_probabilities_unanimous(model: VoteModel, nodes: int | None = None,
                                  ) -> tuple[float, float, float]:
    """(P(adopted), P(vetoed), P(every member votes yes)) exactly."""
    total, clean = _summed(_yes_polynomials(model, part) for part in grid(model, nodes).split(RUN_NODES))
    ev = model.rule.event_probabilities(total, clean)
    return ev.adopted, ev.vetoed, float(total[model.n])


@dataclass(frozen=True)
class ExactOutcome:
    """Exact outcome probabilities (see :func:`exact_outcomes`)."""

    p_adopted: float
    p_vetoed: float
    p_short: float
    p_permanent_no: float
    yes_distribution: np.ndarray  # (n + 1,)
    tally: np.ndarray  # (n + 1, n + 1, n + 1): P(yes, no, abstain); absent = n - sum
    member_votes: np.ndarray  # (n, 4)
    pivotal: np.ndarray  # (n,)
    veto_by: np.ndarray  # (n,): P(enough yes votes and member i votes no); 0 if not a veto holder
    pairwise_agreement: np.ndarray  # (n, n)


def _others(model: VoteModel, q: Grid, polys: list[tuple[np.ndarray, np.ndarray]],
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per member i, the others' (T, N) yes polynomials, and T weighted by i's own P(no).

    Member i's own vote given the latent factors is independent of the others', so the others'
    distribution is the product with i's factor replaced by 1. Only i's group changes; the other
    groups' polynomials are reused.
    """
    n = model.n
    total = np.zeros((n, n + 1))
    clean = np.zeros((n, n + 1))
    total_if_no = np.zeros((n, n + 1))
    for g, grp in enumerate(q.groups):
        one = np.ones_like(polys[g][0][:, :1]) * _unit(n)
        rest_t = _product([one] + [t for h, (t, _) in enumerate(polys) if h != g])
        rest_c = _product([one] + [c for h, (_, c) in enumerate(polys) if h != g])
        size = grp.members.size
        local = np.arange(size)
        perm = model.permanent[grp.members]
        y = np.repeat(grp.probs[None, ..., YES], size, axis=0)  # (m, G, m)
        r_t = 1.0 - y
        r_c = 1.0 - y - grp.probs[None, ..., NO] * perm
        y[local, :, local] = 0.0
        r_t[local, :, local] = 1.0
        r_c[local, :, local] = 1.0
        t_var = grp.given_f(_linear_product(y, r_t, n))  # (m, F, n + 1)
        c_var = grp.given_f(_linear_product(y, r_c, n))
        total[grp.members] = np.einsum("mfk,f->mk", _poly_mul(t_var, rest_t[None]), q.weights)
        clean[grp.members] = np.einsum("mfk,f->mk", _poly_mul(c_var, rest_c[None]), q.weights)
        vetoers = np.flatnonzero(perm)
        if vetoers.size:
            k = np.arange(vetoers.size)
            r_n = r_t[vetoers].copy()
            r_n[k, :, vetoers] = grp.probs[:, vetoers, NO].T
            n_var = grp.given_f(_linear_product(y[vetoers], r_n, n))
            total_if_no[grp.members[vetoers]] = np.einsum("mfk,f->mk", _poly_mul(n_var, rest_t[None]), q.weights)
    return total, clean, total_if_no


def _unit(n: int) -> np.ndarray:
    """The polynomial 1, padded to degree n."""
    out = np.zeros(n + 1)
    out[0] = 1.0
    return out


def _pivotal(model: VoteModel, decisive: np.ndarray) -> np.ndarray:
    """P(outcome differs between member i voting yes and no), the others' votes as drawn.

    A member who never casts a yes or a no (obliged to abstain, or certain to be absent) cannot
    change the outcome by its vote, so its pivotal probability is 0.
    """
    casts = model.probs[:, YES] + model.probs[:, NO] > 0
    return np.where(casts, decisive, 0.0)


def _decisive(model: VoteModel, total: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """P(the others' votes are such that member i's yes-or-no decides the outcome), for every
    member, whether or not i ever casts a yes or a no."""
    rule = model.rule
    others = clean if rule.has_veto else total  # P(the others cast k yes and no veto)
    piv = np.zeros(model.n)
    for holds in (False, True):
        rows = rule.veto == holds
        if rows.any():
            decisive = np.flatnonzero(rule.pivotal_counts(holds))
            piv[rows] = others[np.ix_(rows, decisive)].sum(axis=1)
    return piv


def _agreement(model: VoteModel, q: Grid) -> np.ndarray:
    """P(two members cast the same vote: both yes, both abstain or both no) on the grid ``q``,
    but for the diagonal (see :func:`_outcomes`)."""
    n = model.n
    marg = np.zeros((q.weights.size, n, 3))
    for grp in q.groups:
        marg[:, grp.members] = grp.given_f(grp.probs[..., :3], axis=0)
    agree = np.einsum("fic,fjc,f->ij", marg, marg, q.weights)
    for grp in q.groups:
        if grp.kernel is not None:  # members of a bloc also share their bloc factor
            cast = grp.probs[..., :3]
            joint = np.einsum("gic,gjc,g->ij", cast, cast, grp.node_weights(q.weights))
            agree[np.ix_(grp.members, grp.members)] = joint
    return agree


def _count_distribution(probs: np.ndarray, can_be_absent: np.ndarray) -> np.ndarray:
    """P(yes, no, absent counts) of independent members at each node: (G, Y, N, A).

    ``probs`` is (G, m, 4). The absent axis only grows for members who can be absent, so a
    Council without absences has a 2-D distribution (abstain = the rest).
    """
    dist = np.ones((probs.shape[0], 1, 1, 1))
    for j in range(probs.shape[1]):
        p = probs[:, j, :, None, None, None]
        y, n_, a = dist.shape[1:]
        extra = int(can_be_absent[j])
        new = np.zeros((dist.shape[0], y + 1, n_ + 1, a + extra))
        new[:, :y, :n_, :a] = dist * p[:, ABSTAIN]
        new[:, 1:, :n_, :a] += dist * p[:, YES]
        new[:, :y, 1:, :a] += dist * p[:, NO]
        if extra:
            new[:, :y, :n_, 1:] += dist * p[:, ABSENT]
        dist = new
    return dist


def _convolve(big: np.ndarray, small: np.ndarray) -> np.ndarray:
    """Distribution of the sum of independent counts, per F node: (F, Y, N, A) arrays."""
    shape = tuple(b + s - 1 for b, s in zip(big.shape[1:], small.shape[1:], strict=True))
    out = np.zeros((big.shape[0], *shape))
    yb, nb, ab = big.shape[1:]
    for i, j, k in zip(*np.nonzero(np.any(small != 0.0, axis=0)), strict=True):
        out[:, i : i + yb, j : j + nb, k : k + ab] += big * small[:, i, j, k, None, None, None]
    return out


#: The statistics are summed over runs of at most this many (outer node, tally cell) pairs, to
#: bound memory (and of at most RUN_NODES outer nodes).
TALLY_CELLS = 1 << 22


def _run_nodes(model: VoteModel) -> int:
    """Outer nodes per run of :func:`_outcomes`."""
    cells = (model.n + 1) ** 2 * (int((model.probs[:, ABSENT] > 0).sum()) + 1)
    return max(1, min(RUN_NODES, TALLY_CELLS // cells))


def _tally(model: VoteModel, counts: np.ndarray) -> np.ndarray:
    """Joint distribution of (yes, no, abstain) counts from :func:`_count_totals`' P(yes, no,
    absent counts); absent = n - yes - no - abstain."""
    n = model.n
    tally = np.zeros((n + 1, n + 1, n + 1))
    idx = np.indices(counts.shape)
    yes, no = idx[0], idx[1]
    abstain = n - yes - no - idx[2]
    ok = abstain >= 0
    tally[yes[ok], no[ok], abstain[ok]] = counts[ok]
    return np.clip(tally, 0.0, None)


def _count_totals(q: Grid, can_be_absent: np.ndarray) -> np.ndarray:
    """P(yes, no, absent counts) over the grid ``q``.

    The groups other than the largest are convolved node by node; the largest is then paired
    with them inside the integral over the nodes (:func:`_paired_total`), which never forms the
    joint distribution at each node.
    """
    dists = sorted(
        (grp.given_f(_count_distribution(grp.probs, can_be_absent[grp.members]), axis=0) for grp in q.groups),
        key=lambda d: -d[0].size,
    )
    if len(dists) == 1:
        return np.tensordot(q.weights, dists[0], axes=(0, 0))  # (yes, no, absent)
    rest = dists[1]
    for d in dists[2:]:
        rest = _convolve(rest, d)
    return _paired_total(q.weights, dists[0], rest)


def _paired_total(weights: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum_f weights[f] * (a[f] convolved with b[f]) for (F, Y, N, A) count distributions.

    The integral of the product of cell pairs is one matrix product over the nodes,
    M[i, j] = sum_f w_f a[f, i] b[f, j], restricted to the cells either side can reach; each
    M[i, j] then lands in the cell i + j.
    """
    nodes = weights.size
    cells_a = np.flatnonzero(np.any(a != 0.0, axis=0))
    cells_b = np.flatnonzero(np.any(b != 0.0, axis=0))
    pairs = (a.reshape(nodes, -1)[:, cells_a] * weights[:, None]).T @ b.reshape(nodes, -1)[:, cells_b]
    shape = tuple(x + y - 1 for x, y in zip(a.shape[1:], b.shape[1:], strict=True))
    at = np.unravel_index(cells_a, a.shape[1:])
    bt = np.unravel_index(cells_b, b.shape[1:])
    target = np.ravel_multi_index(tuple(i[:, None] + j[None, :] for i, j in zip(at, bt, strict=True)), shape)
    return np.bincount(target.ravel(), weights=pairs.ravel(), minlength=int(np.prod(shape))).reshape(shape)


def exact_outcomes(model: VoteModel, nodes: int | None = None) -> ExactOutcome:
    """All outcome probabilities of the model, computed exactly up to quadrature rounding."""
    return _outcomes(model, grid(model, nodes))[0]


def _profile_sum(model: VoteModel, q: Grid, votes: np.ndarray) -> np.ndarray:
    """P(member i votes ``votes[i]`` for every i) on the grid, unclipped: the product of the
    members' conditional probabilities of their votes, integrated over F and each bloc's factor."""
    given_f = np.ones_like(q.weights)
    for grp in q.groups:
        own = grp.probs[:, np.arange(grp.members.size), votes[grp.members]]  # (G, m)
        given_f = given_f * grp.given_f(np.prod(own, axis=1), axis=0)
    return np.asarray(q.weights @ given_f)


def _probability(value: np.ndarray) -> float:
    return min(1.0, max(0.0, float(value)))


def _vote_codes(model: VoteModel, votes: object) -> np.ndarray:
    codes = np.asarray(votes, dtype=int).reshape(-1)
    if codes.size != model.n or codes.min(initial=0) < YES or codes.max(initial=0) > ABSENT:
        raise ValueError(f"a vote profile needs one code 0..3 per member ({model.n}), got {votes!r}")
    return codes


def profile_probability(model: VoteModel, votes: object, nodes: int | None = None) -> float:
    """P(every member i votes ``votes[i]``), a :class:`sim.engine.votes.Vote` code per member,
    exactly on the grid of :func:`exact_outcomes`. With every member voting yes it is the third
    number of :func:`event_probabilities_unanimous`."""
    codes = _vote_codes(model, votes)
    return _probability(_summed((_profile_sum(model, part, codes),) for part in grid(model, nodes).split(RUN_NODES))[0])


def outcomes_and_profile(model: VoteModel, votes: object, nodes: int | None = None,
                         ) -> tuple[ExactOutcome, np.ndarray, float]:
    """:func:`exact_outcomes`, each member's decisive probability before the mask of members who
    never cast a yes or a no (the pivotal probability of a member who did), and
    :func:`profile_probability` of ``votes``, on one grid (what a mixture of models needs)."""
    codes = _vote_codes(model, votes)
    outcome, decisive, profile = _outcomes(model, grid(model, nodes), codes)
    return outcome, decisive, _probability(profile)


def _part_outcomes(model: VoteModel, q: Grid, votes: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """The sums over one run of outer nodes that :func:`_outcomes` adds up."""
    polys = _all_group_polynomials(model, q)  # each group's, once: for the totals and the pivots
    total, clean = _yes_polynomials(model, q, polys)
    others = _others(model, q, polys)
    counts = _count_totals(q, model.probs[:, ABSENT] > 0)
    profile = _profile_sum(model, q, votes) if votes is not None else np.zeros(())
    return total, clean, *others, counts, _agreement(model, q), profile


def _outcomes(model: VoteModel, q: Grid, votes: np.ndarray | None = None,
              ) -> tuple[ExactOutcome, np.ndarray, np.ndarray]:
    """The outcomes on grid ``q``, the unmasked decisive probabilities (see :func:`_decisive`)
    and the unclipped probability of the profile ``votes``, summed over runs of outer nodes."""
    parts = (_part_outcomes(model, part, votes) for part in q.split(_run_nodes(model)))
    total, clean, others_t, others_c, if_no, counts, agree, profile = _summed(parts)
    np.fill_diagonal(agree, 1.0 - model.probs[:, ABSENT])
    rule = model.rule
    ev = rule.event_probabilities(total, clean)
    veto_by = np.zeros(model.n)
    if rule.has_veto:
        enough = rule.enough(np.arange(model.n + 1))
        veto_by = np.where(rule.veto, if_no[:, enough].sum(axis=1), 0.0)
    decisive = _decisive(model, others_t, others_c)
    return ExactOutcome(
        p_adopted=ev.adopted,
        p_vetoed=ev.vetoed,
        p_short=ev.short,
        p_permanent_no=ev.permanent_no,
        yes_distribution=np.clip(total, 0.0, None),
        tally=_tally(model, counts),
        member_votes=model.probs.copy(),
        pivotal=_pivotal(model, decisive),
        veto_by=np.clip(veto_by, 0.0, None),
        pairwise_agreement=agree,
    ), decisive, profile
