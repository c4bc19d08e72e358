"""Exact outcome probabilities of an Assembly vote.

Given the latent factors, members vote independently (docs/model.md). Article 18 reads the
tally only through ``yes - w·no`` (w = 2 on an important question, 1 on a simple one) and
whether anyone cast a vote at all, so P(adopted) needs only one-dimensional distributions of
sums of per-member scores: each a product of small polynomials, built member by member within
each group at the group's nodes, then multiplied across groups at each outer node in the Fourier
domain and integrated before the one inverse transform. The counts of yes, no and abstentions
are the same programs with other scores. The quadrature is :func:`sim.assembly.quadrature.assembly_grid`:
the Council's adaptive grid on small or step-like assemblies, else Gauss-Hermite outer nodes and
a shared trapezoidal stance grid per bloc.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft

from sim.engine.model import ABSENT, ABSTAIN, NO, YES
from sim.engine.quadrature import RUN_NODES, Grid, Group

from .model import AssemblyModel
from .quadrature import assembly_grid


@dataclass(frozen=True)
class AssemblyOutcome:
    """Exact outcome probabilities of one Assembly vote (see :func:`exact_outcomes`).

    ``yes``, ``no`` and ``abstain`` are the distributions of the counts (index = count, 0..n);
    ``spare[k]`` is P(margin = k - offset), the margin being :meth:`AssemblyRule.spare`
    (adopted iff it is >= 0).
    """

    p_adopted: float
    yes: np.ndarray
    no: np.ndarray
    abstain: np.ndarray
    spare: np.ndarray
    member_votes: np.ndarray  # (n, 4)
    offset: int

    @property
    def margins(self) -> np.ndarray:
        """The margin that each ``spare[k]`` is the probability of."""
        return np.arange(self.spare.size) - self.offset


def _scored(probs: np.ndarray, scores: tuple[int, int, int, int]) -> np.ndarray:
    """P(sum of the members' scores = k) at each node, (G, k): ``probs`` is (G, m, 4) and
    ``scores[v]`` the non-negative score of vote v. Votes of equal score are merged first."""
    top = max(scores)
    merged = {s: probs[..., [v for v in range(4) if scores[v] == s]].sum(axis=-1) for s in sorted(set(scores))}
    dist = np.zeros((probs.shape[0], top * probs.shape[1] + 1))
    dist[:, 0] = 1.0
    reach = 0
    for j in range(probs.shape[1]):
        new = np.zeros_like(dist[:, : reach + top + 1])
        for s, p in merged.items():
            new[:, s : s + reach + 1] += dist[:, : reach + 1] * p[:, j, None]
        dist[:, : reach + top + 1] = new
        reach += top
    return dist


def _integrated(q: Grid, scores: tuple[int, int, int, int], length: int,
                change: tuple[int, float] | None = None) -> np.ndarray:
    """P(sum of all members' scores = k), k < ``length``, over the grid ``q``.

    ``change`` = (vote, 0.0) sets that vote's conditional probability to 0 (an unnormalized
    distribution of the profiles without that vote)."""
    size = scipy.fft.next_fast_len(length, real=True)
    spectrum = None
    for grp in q.groups:
        probs = grp.probs
        if change is not None:
            probs = probs.copy()
            probs[..., change[0]] = change[1]
        dist = grp.given_f(_scored(probs, scores), axis=0)
        s = scipy.fft.rfft(dist, n=size, axis=1)
        spectrum = s if spectrum is None else spectrum * s
    assert spectrum is not None
    total = scipy.fft.irfft(q.weights @ spectrum, n=size)[:length]
    return np.asarray(total)


#: One distribution to integrate: the scores of (yes, abstain, no, absent), its length, and
#: optionally a vote whose probability is set to 0 (see :func:`_integrated`).
Request = tuple[tuple[int, int, int, int], int, tuple[int, float] | None]


def _sums(model: AssemblyModel, requests: list[Request], nodes: int | None) -> tuple[list[np.ndarray], float]:
    """Every requested distribution, and P(nobody casts a yes or a no), over one pass of the
    grid's runs of outer nodes."""
    totals = [np.zeros(length) for _, length, _ in requests]
    nobody = 0.0
    for part in assembly_grid(model, nodes).split(RUN_NODES):
        for total, (scores, length, change) in zip(totals, requests, strict=True):
            total += _integrated(part, scores, length, change)
        nobody += _nobody(part)
    return totals, max(0.0, nobody)


def _nobody(q: Grid) -> float:
    """P(every member abstains or is absent) on the grid ``q``: a product, not a sum."""
    given = np.ones_like(q.weights)
    for grp in q.groups:
        idle = grp.probs[..., ABSTAIN] + grp.probs[..., ABSENT]
        given = given * grp.given_f(np.prod(idle, axis=1), axis=0)
    return float(q.weights @ given)


def _scores(model: AssemblyModel) -> tuple[int, int, int, int]:
    """Scores whose sum is ``yes - w·no + w·n``: yes w + 1, abstain and absent w, no 0."""
    w = model.rule.no_weight
    out = [0, 0, 0, 0]
    out[YES], out[ABSTAIN], out[NO], out[ABSENT] = w + 1, w, 0, w
    return out[0], out[1], out[2], out[3]


def _counting(vote: int, n: int) -> Request:
    scores = [0, 0, 0, 0]
    scores[vote] = 1
    return (scores[0], scores[1], scores[2], scores[3]), n + 1, None


def _difference(model: AssemblyModel) -> Request:
    """P(yes - w·no = d), index d + w·n."""
    return _scores(model), (model.rule.no_weight + 1) * model.n + 1, None


def p_adopted(model: AssemblyModel, nodes: int | None = None) -> float:
    """P(adopted) exactly: the fast path for live what-ifs."""
    (diff,), nobody = _sums(model, [_difference(model)], nodes)
    return _adopted(model, diff, nobody)


def _adopted(model: AssemblyModel, diff: np.ndarray, nobody: float) -> float:
    """P(adopted) from the distribution of ``yes - w·no`` and P(nobody casts a yes or a no)."""
    w, n = model.rule.no_weight, model.n
    if model.rule.important:  # yes >= 2 no, and at least one yes
        value = diff[w * n :].sum() - nobody
    else:
        value = diff[w * n + 1 :].sum()
    return float(min(1.0, max(0.0, value)))


def exact_outcomes(model: AssemblyModel, nodes: int | None = None) -> AssemblyOutcome:
    """Every exact statistic of the vote: P(adopted), the count distributions and the margin's."""
    w, n = model.rule.no_weight, model.n
    difference = _difference(model)
    without_no = (difference[0], difference[1], (NO, 0.0))
    counts = [_counting(v, n) for v in (YES, NO, ABSTAIN)]
    (diff, no_free, yes, no, abstain), nobody = _sums(model, [difference, without_no, *counts], nodes)
    spare = diff.copy()
    if model.rule.important:
        # the margin is yes - 2 no, except with nobody voting no: then yes - 1
        spare -= no_free
        spare[:-1] += no_free[1:]
    # index k of ``spare`` is the margin k - w·n on an important question (d), and k - w·n - 1 on
    # a simple one (d - 1)
    return AssemblyOutcome(
        p_adopted=_adopted(model, diff, nobody),
        yes=np.clip(yes, 0.0, None),
        no=np.clip(no, 0.0, None),
        abstain=np.clip(abstain, 0.0, None),
        spare=np.clip(spare, 0.0, None),
        member_votes=model.probs.copy(),
        offset=w * n + int(not model.rule.important),
    )


# --- pivotal members ------------------------------------------------------------------------------

#: Members left out one at a time together in :func:`pivotal`: a group is cut into blocks of at
#: most this many, each handled in a Fourier domain of its own length (the result does not
#: depend on it).
PIVOT_BLOCK = 40
#: Bytes of complex arrays held at once per slice of a group's nodes in :func:`pivotal`.
PIVOT_BYTES = 32 * 2**20


def pivotal(model: AssemblyModel, nodes: int | None = None) -> np.ndarray:
    """P(member i's yes-or-no decides the vote), members in model order: the probability that
    the others' ``yes - w·no`` lies in :meth:`AssemblyRule.pivotal_window`, exactly what
    :func:`sim.assembly.montecarlo.count_chunk` counts per draw; 0 for a member who never casts a
    yes or a no (obliged to abstain, or in arrears).

    Given the latent factors the others' votes are independent of i's, so the window's mass is
    the sum, over the nodes of i's group, of the others in i's group's distribution times a
    weight: the window, the other groups' spectra and the quadrature weights carried to the
    group's nodes (the adjoint of :meth:`Group.given_f`) and back to the coefficients of i's
    block. Within a block the members are left out one at a time by prefix and suffix products
    of their characteristic functions (no division), read by Parseval against that weight: no
    inverse transform per member.
    """
    w, n = model.rule.no_weight, model.n
    lo, hi = model.rule.pivotal_window()
    size = scipy.fft.next_fast_len((w + 1) * (n - 1) + 1, real=True)
    k = np.arange(size // 2 + 1)
    # index s of the others' score sum (:func:`_scores`) is d = s - w (n - 1); the window, within reach
    window = np.arange(max(0, lo + w * (n - 1)), min((w + 1) * (n - 1), hi + w * (n - 1)) + 1)
    read = _half(k, size) * np.exp(2j * np.pi * np.outer(k, window) / size).sum(axis=1)
    out = np.zeros(n)
    for part in assembly_grid(model, nodes).split(RUN_NODES):
        out += _pivot_part(part, _scores(model), size, read)
    casts = model.probs[:, YES] + model.probs[:, NO] > 0
    return np.where(casts, np.clip(out, 0.0, 1.0), 0.0)


def _half(k: np.ndarray, size: int) -> np.ndarray:
    """Parseval on a half spectrum: ``sum(x * y) == Re sum(rfft(x) * conj(rfft(y)) * _half)``
    for real x and y of ``size`` points."""
    return np.where((k == 0) | (2 * k == size), 1.0, 2.0) / size


def _pivot_part(q: Grid, scores: tuple[int, int, int, int], size: int, read: np.ndarray) -> np.ndarray:
    """Each member's window mass over one run of outer nodes (unmasked, model order); ``read``
    weighs a half spectrum of ``size`` points to give the window's mass."""
    out = np.zeros(sum(grp.members.size for grp in q.groups))
    spectra = [_given_f(grp, scipy.fft.rfft(_scored(grp.probs, scores), n=size, axis=1)) for grp in q.groups]
    for grp, rest in zip(q.groups, _all_but_one(spectra), strict=True):
        weight = _adjoint(grp, q.weights[:, None] * read * rest)  # (G, K)
        m = grp.members.size
        blocks = np.array_split(np.arange(m), -(-m // PIVOT_BLOCK))
        per = max(1, PIVOT_BYTES // (16 * read.size * (len(blocks) + 2)))
        for a in range(0, weight.shape[0], per):
            probs = grp.probs[a : a + per]
            if len(blocks) > 1:
                inner = [scipy.fft.rfft(_scored(probs[:, blk], scores), n=size, axis=1) for blk in blocks]
                weights = [weight[a : a + per] * r for r in _all_but_one(inner)]
            else:
                weights = [weight[a : a + per]]
            for blk, wb in zip(blocks, weights, strict=True):
                out[grp.members[blk]] += _block_pivots(probs[:, blk], scores, size, wb)
    return out


def _block_pivots(probs: np.ndarray, scores: tuple[int, int, int, int], size: int, weight: np.ndarray) -> np.ndarray:
    """For each member j of a block, ``Re sum(weight · spectrum of the others in the block)``
    over the nodes: ``probs`` (C, m, 4), ``weight`` (C, K) on the half spectrum of ``size``.

    The others' scores sum to less than ``length``, so only that many coefficients of the weight
    matter: it is taken back to them and on to the block's own, shorter, Fourier domain."""
    m = probs.shape[1]
    length = max(scores) * (m - 1) + 1
    coef = scipy.fft.fft(weight, n=size, axis=1)[:, :length].real  # (C, length)
    small = scipy.fft.next_fast_len(length, real=True)
    k = np.arange(small // 2 + 1)
    after = np.conj(scipy.fft.rfft(coef, n=small, axis=1)) * _half(k, small)
    basis = np.exp(-2j * np.pi * np.outer(scores, k) / small)
    phi = np.einsum("cmv,vk->mck", probs, basis)  # each member's characteristic function
    before = np.empty_like(phi)  # before[j]: the product of members 0..j-1
    before[0] = 1.0
    for j in range(1, m):
        np.multiply(before[j - 1], phi[j - 1], out=before[j])
    piv = np.zeros(m)
    for j in range(m - 1, -1, -1):  # after: the weight times the product of members j+1..m-1
        piv[j] = np.einsum("ck,ck->", before[j], after).real
        if j:
            after *= phi[j]
    return piv


def _all_but_one(factors: list[np.ndarray]) -> list[np.ndarray]:
    """For each factor, the product of all the others (prefix and suffix products)."""
    out = [np.ones_like(factors[0])]
    for f in factors[:-1]:
        out.append(out[-1] * f)
    suffix = np.ones_like(factors[0])
    for i in range(len(factors) - 1, -1, -1):
        out[i] = out[i] * suffix
        suffix = suffix * factors[i]
    return out


def _given_f(grp: Group, x: np.ndarray) -> np.ndarray:
    """``grp.given_f`` on axis 0 of a complex (G, K) array, as a real one (the kernel is real)."""
    real = grp.given_f(np.ascontiguousarray(x).view(float), axis=0)
    return np.ascontiguousarray(real).view(complex)


def _adjoint(grp: Group, y: np.ndarray) -> np.ndarray:
    """The transpose of ``grp.given_f`` on axis 0 for a complex (O, K) ``y`` at the outer nodes:
    ``sum(given_f(x) * y) == sum(x * _adjoint(y))`` for every x at the group's nodes."""
    kernel = grp.kernel
    if kernel is None:
        return y
    yr = np.ascontiguousarray(y).view(float)
    if grp.blocked:
        out = (kernel[:, :, None] * yr[:, None, :]).reshape(-1, yr.shape[1])
    elif grp.blocks > 1:
        o, g = kernel.shape
        b = grp.blocks
        out = np.einsum("bjg,bjk->bgk", kernel.reshape(b, o // b, g), yr.reshape(b, o // b, -1)).reshape(b * g, -1)
    else:
        out = kernel.T @ yr
    return np.ascontiguousarray(out).view(complex)
