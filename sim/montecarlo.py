"""Monte Carlo simulation of the vote model, vectorized in fixed-size chunks.

Chunk ``k`` of a run with seed ``s`` draws from ``SeedSequence(s, spawn_key=(k,))`` and every
statistic is an integer count, so the totals are identical whatever the number of workers or
the order in which chunks finish. Memory is bounded by the chunk size, not the number of draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .model import ABSENT, VoteModel

#: Draws per chunk. Fixed: it defines which random numbers make up each draw.
CHUNK = 1 << 13


class MapPool(Protocol):
    """Anything with a ``map`` like the builtin (multiprocessing pools, executors)."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterable[Any]: ...


@dataclass(frozen=True)
class Prepared:
    """Per-member constants for the hot loop, derived once from the model."""

    inv_c: np.ndarray  # 1/c, or 0 for members fully determined by the factors
    kf: np.ndarray  # a / c (or a)
    kg: np.ndarray  # b / c (or b)
    t1: np.ndarray  # no if W < t1
    t2: np.ndarray  # yes if W >= t2
    absent: np.ndarray
    bloc: np.ndarray
    permanent: np.ndarray
    n_blocs: int
    common: bool
    threshold: int
    procedural: bool


def prepare(model: VoteModel) -> Prepared:
    """Latent constants scaled so the idiosyncratic term needs no multiplication."""
    a, b, c = model.loadings()
    t1, t2 = model.thresholds()
    det = c <= 0
    scale = np.where(det, 1.0, 1.0 / np.where(det, 1.0, c))
    return Prepared(
        inv_c=np.where(det, 0.0, 1.0),
        kf=a * scale,
        kg=b * scale,
        t1=t1 * scale,
        t2=t2 * scale,
        absent=model.probs[:, ABSENT].copy(),
        bloc=model.bloc.copy(),
        permanent=model.permanent.copy(),
        n_blocs=model.n_blocs,
        common=model.common > 0,
        threshold=model.threshold,
        procedural=model.procedural,
    )


@dataclass
class Counts:
    """Integer tallies over a set of draws; adding two Counts merges them exactly."""

    draws: int
    adopted: int
    vetoed: int
    short: int
    yes_hist: np.ndarray  # (n + 1,)
    tally: np.ndarray  # ((n + 1) ** 3,) index (yes * (n+1) + no) * (n+1) + abstain
    member: np.ndarray  # (n, 4) yes, abstain, no, absent
    pivotal: np.ndarray  # (n,)
    agree: np.ndarray  # (n, n)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.draws + other.draws,
            self.adopted + other.adopted,
            self.vetoed + other.vetoed,
            self.short + other.short,
            self.yes_hist + other.yes_hist,
            self.tally + other.tally,
            self.member + other.member,
            self.pivotal + other.pivotal,
            self.agree + other.agree,
        )


def chunk_rng(seed: int, chunk: int) -> np.random.Generator:
    """The generator for one chunk: ``SeedSequence(seed, spawn_key=(chunk,))``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(chunk,))))


def _latent(p: Prepared, rng: np.random.Generator, size: int) -> np.ndarray:
    """Scaled latent stances W (n, size); a member votes no if W < t1 and yes if W >= t2.

    Random numbers are drawn in a fixed order: E (n x size), F, then each bloc's G.
    """
    n = p.t1.size
    w = rng.standard_normal((n, size))
    f = rng.standard_normal(size) if p.common else None
    g = rng.standard_normal((p.n_blocs, size)) if p.n_blocs else None
    det = np.flatnonzero(p.inv_c == 0.0)
    if det.size:
        w[det] = 0.0
    # Members of one bloc (and all members in no bloc) share the same factor shift.
    for b in np.unique(p.bloc):
        grp = np.flatnonzero(p.bloc == b)
        shift = None
        kf = p.kf[grp[0]]
        kg = p.kg[grp[0]]
        if f is not None and kf != 0.0:
            shift = kf * f
        if g is not None and b >= 0 and kg != 0.0:
            shift = kg * g[b] if shift is None else shift + kg * g[b]
        if shift is None:
            continue
        if grp.size == n:
            w += shift
        elif grp.size == grp[-1] - grp[0] + 1:
            w[grp[0] : grp[-1] + 1] += shift
        else:
            w[grp] += shift
    return w


def draw_votes(p: Prepared, rng: np.random.Generator, size: int) -> np.ndarray:
    """Votes of ``size`` draws as a float32 0/1 matrix stacking yes (n rows), no, absent, ones.

    The layout lets one matrix product give every count the statistics need.
    """
    n = p.t1.size
    w = _latent(p, rng, size)
    s = np.empty((3 * n + 1, size), dtype=np.float32)
    np.greater_equal(w, p.t2[:, None], out=s[:n])
    np.less(w, p.t1[:, None], out=s[n : 2 * n])
    s[3 * n] = 1.0
    miss = np.flatnonzero(p.absent > 0)
    s[2 * n : 3 * n] = 0.0
    if miss.size:
        u = rng.random((miss.size, size))
        away = u < p.absent[miss, None]
        s[2 * n + miss] = away
        keep = ~away
        s[miss] *= keep
        s[n + miss] *= keep
    return s


def count_chunk(p: Prepared, s: np.ndarray) -> Counts:
    """Integer statistics of one chunk of drawn votes (see :func:`draw_votes` for ``s``)."""
    n = p.t1.size
    size = s.shape[1]
    thr = p.threshold
    # Row sums per draw: yes, no, absent and permanent "no" counts.
    weights = np.zeros((4, 3 * n + 1), dtype=np.float32)
    weights[0, :n] = 1.0
    weights[1, n : 2 * n] = 1.0
    weights[2, 2 * n : 3 * n] = 1.0
    if not p.procedural:
        weights[3, n : 2 * n] = p.permanent
    sums = np.rint(weights @ s).astype(np.int64)
    n_yes, n_no, n_absent, vetoes = sums
    n_abstain = n - n_yes - n_no - n_absent
    clean0 = vetoes == 0
    adopted = (n_yes >= thr) & clean0

    # Pivotal: member i's vote flips the outcome, the others' votes as drawn (docs/model.md).
    # Elected (or procedural): flips iff the others give thr-1 yes and no veto;
    # permanent: iff the others give >= thr-1 yes and no veto.
    at = (n_yes == thr) & clean0
    below = (n_yes == thr - 1) & clean0
    c1 = (n_yes >= thr) & clean0
    c2 = (n_yes >= thr - 1) & (vetoes == 1)
    c3 = (n_yes >= thr - 1) & clean0
    cond = np.stack([at.astype(np.float32) - below, c1.astype(np.float32) - c3,
                     c2.astype(np.float32) - c3], axis=1).astype(np.float32)
    proj = s[: 2 * n] @ cond  # (2n, 3)
    piv = proj[:n, 0] + below.sum()
    if not p.procedural:
        perm = p.permanent
        piv[perm] = proj[:n, 1][perm] + proj[n:, 2][perm] + c3.sum()

    # Pairwise agreement from two small Gram matrices: with v = yes - no and m = yes + no,
    # yes_i yes_j + no_i no_j = (v_i v_j + m_i m_j) / 2, and abstentions follow from m + absent.
    yes, no, away = s[:n], s[n : 2 * n], s[2 * n : 3 * n]
    v = yes - no
    m = yes + no
    mm = m @ m.T
    both = 0.5 * (v @ v.T + mm)
    rows = s[: 3 * n] @ np.ones(size, dtype=np.float32)
    r_yes, r_no, r_away = rows[:n], rows[n : 2 * n], rows[2 * n :]
    if r_away.any():
        m += away
        mm = m @ m.T
    r_m = r_yes + r_no + r_away
    agree = both + (size - r_m[:, None] - r_m[None, :] + mm)
    member = np.stack([r_yes, size - r_m, r_no, r_away], axis=1)
    tally_idx = (n_yes * (n + 1) + n_no) * (n + 1) + n_abstain
    return Counts(
        draws=size,
        adopted=int(adopted.sum()),
        vetoed=int((vetoes > 0).sum()),
        short=int((n_yes < thr).sum()),
        yes_hist=np.bincount(n_yes, minlength=n + 1).astype(np.int64),
        tally=np.bincount(tally_idx, minlength=(n + 1) ** 3).astype(np.int64),
        member=np.rint(member).astype(np.int64),
        pivotal=np.rint(piv).astype(np.int64),
        agree=np.rint(agree).astype(np.int64),
    )


def chunk_sizes(draws: int, chunk: int = CHUNK) -> list[int]:
    """Sizes of the fixed chunks that make up ``draws`` draws."""
    full, rest = divmod(draws, chunk)
    return [chunk] * full + ([rest] if rest else [])


def _run_chunk(args: tuple[Prepared, int, int, int]) -> Counts:
    p, seed, index, size = args
    return count_chunk(p, draw_votes(p, chunk_rng(seed, index), size))


def iter_chunks(
    model: VoteModel, draws: int, seed: int, pool: MapPool | None = None
) -> Iterator[Counts]:
    """Counts of each chunk, in chunk order; ``pool.map`` spreads chunks over workers."""
    p = prepare(model)
    tasks = [(p, seed, k, size) for k, size in enumerate(chunk_sizes(draws))]
    mapper = map if pool is None else pool.map
    yield from mapper(_run_chunk, tasks)


def run(
    model: VoteModel,
    draws: int,
    seed: int,
    pool: MapPool | None = None,
    progress: Callable[[int], None] | None = None,
) -> Counts:
    """Total counts over ``draws`` draws; ``progress(k)`` is called with draws done per chunk."""
    total: Counts | None = None
    for counts in iter_chunks(model, draws, seed, pool):
        total = counts if total is None else total + counts
        if progress is not None:
            progress(counts.draws)
    assert total is not None
    return total


def adopted_votes(p: Prepared, s: np.ndarray) -> np.ndarray:
    """Whether each drawn vote (see :func:`draw_votes`) adopts the text."""
    n = p.t1.size
    n_yes = np.rint(s[:n].sum(axis=0))
    vetoes = 0.0 if p.procedural else np.rint(s[n : 2 * n][p.permanent].sum(axis=0))
    return np.asarray((n_yes >= p.threshold) & (vetoes == 0))


def empty_counts(n: int) -> Counts:
    """Counts of zero draws of an ``n``-member Council."""
    z = np.zeros
    return Counts(0, 0, 0, 0, z(n + 1, np.int64), z((n + 1) ** 3, np.int64), z((n, 4), np.int64),
                  z(n, np.int64), z((n, n), np.int64))


def _run_sequence_chunk(args: tuple[Any, int, int, int]) -> dict[tuple[bool, ...], Counts]:
    """One chunk of an amendment sequence: each stage has its own stream (chunk, stage)."""
    seq, seed, index, size = args
    k = len(seq.amendments)
    outcome = np.zeros((size, k), dtype=bool)
    paths = seq.paths()

    def members_of(prefix: tuple[bool, ...]) -> np.ndarray:
        j = len(prefix)
        return np.all(outcome[:, :j] == np.array(prefix, dtype=bool), axis=1)

    for j in range(k):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index, j + 1))))
        for prefix in dict.fromkeys(path[:j] for path in paths):
            mask = members_of(prefix)
            m = int(mask.sum())
            if m:
                p = prepare(seq.amendment_model(j, prefix))
                outcome[mask, j] = adopted_votes(p, draw_votes(p, rng, m))
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index, 0))))
    out: dict[tuple[bool, ...], Counts] = {}
    for path in paths:
        mask = members_of(path)
        m = int(mask.sum())
        if m:
            p = prepare(seq.draft_model(path))
            out[path] = count_chunk(p, draw_votes(p, rng, m))
        else:
            out[path] = empty_counts(seq.draft.n)
    return out


def run_sequence(
    seq: Any,
    draws: int,
    seed: int,
    pool: MapPool | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[tuple[bool, ...], Counts]:
    """Counts of the final draft vote per amendment path (see :mod:`sim.amendments`)."""
    tasks = [(seq, seed, k, size) for k, size in enumerate(chunk_sizes(draws))]
    mapper = map if pool is None else pool.map
    total: dict[tuple[bool, ...], Counts] = {}
    for part in mapper(_run_sequence_chunk, tasks):
        for path, counts in part.items():
            total[path] = total[path] + counts if path in total else counts
        if progress is not None:
            progress(sum(c.draws for c in part.values()))
    return total
