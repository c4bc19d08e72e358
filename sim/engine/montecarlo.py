"""Monte Carlo simulation of the vote model, vectorized in fixed-size chunks.

Chunk ``k`` of a run with seed ``s`` draws from stream ``(k,)`` of ``s`` (:mod:`sim.engine.seeding`) and every
statistic is an integer count, so the totals are identical whatever the number of workers or
the order in which chunks finish. Memory is bounded by the chunk size, not the number of draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar

import numpy as np

from .model import ABSENT, NO, YES, VoteModel
from .rules import VotingRule
from .seeding import Seed, generator

#: Draws per chunk. Fixed: it defines which random numbers make up each draw.
CHUNK = 1 << 14


class MapPool(Protocol):
    """Anything with a ``map`` like the builtin (multiprocessing pools, executors)."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterable[Any]: ...


@dataclass(frozen=True)
class Prepared:
    """Per-member constants for the hot loop, derived once from the model.

    Members are held in *internal order*, sorted by bloc so that each bloc is a contiguous block
    of rows; ``order[r]`` is the model index of internal row ``r``. Counts are returned in model
    order.
    """

    order: np.ndarray
    back: np.ndarray  # model index -> internal row
    det: np.ndarray  # members fully determined by the factors (no idiosyncratic term)
    t1: np.ndarray  # no if W < t1 (scaled by 1/c)
    t2: np.ndarray  # yes if W >= t2
    absent: np.ndarray
    never_casts: np.ndarray  # members who never vote yes or no
    groups: tuple[tuple[int, int, int, float, float], ...]  # (lo, hi, bloc, a/c, b/c)
    n_blocs: int
    common: bool
    rule: VotingRule  # in internal order
    axis: np.ndarray | None = None  # per-member loading on A, scaled by 1/c; None without an axis

    @property
    def permanent(self) -> np.ndarray:
        return self.rule.permanent


def prepare(model: VoteModel) -> Prepared:
    """Latent constants scaled so the idiosyncratic term needs no multiplication."""
    a, b, c = model.loadings()
    t1, t2 = model.thresholds()
    order = np.argsort(np.where(model.bloc < 0, model.n_blocs, model.bloc), kind="stable")
    det = c[order] <= 0
    scale = np.where(det, 1.0, 1.0 / np.where(det, 1.0, c[order]))
    bloc = model.bloc[order]
    groups = []
    lo = 0
    while lo < model.n:
        hi = lo
        # a run shares its factor weights (a/c, b/c): one bloc and one idiosyncratic weight
        while hi < model.n and bloc[hi] == bloc[lo] and det[hi] == det[lo] and scale[hi] == scale[lo]:
            hi += 1
        groups.append((lo, hi, int(bloc[lo]), float(a[order][lo] * scale[lo]), float(b[order][lo] * scale[lo])))
        lo = hi
    return Prepared(
        order=order,
        back=np.argsort(order),
        det=det,
        t1=t1[order] * scale,
        t2=t2[order] * scale,
        absent=model.probs[order, ABSENT],
        never_casts=(model.probs[order, YES] + model.probs[order, NO]) <= 0,
        groups=tuple(groups),
        n_blocs=model.n_blocs,
        common=model.common > 0,
        rule=VotingRule(model.threshold, model.permanent[order], model.procedural),
        axis=_axis_scaled(model, order, scale),
    )


def _axis_scaled(model: VoteModel, order: np.ndarray, scale: np.ndarray) -> np.ndarray | None:
    """Loadings on the alignment axis in internal order, scaled like the thresholds."""
    if not model.has_axis:
        return None
    assert model.alignment is not None
    return model.alignment[order] * scale


@dataclass
class Counts:
    """Integer tallies over a set of draws; adding two Counts merges them exactly."""

    draws: int
    adopted: int
    vetoed: int  # enough yes votes and a permanent "no" (substantive drafts)
    short: int
    permanent_no: int  # some permanent member voted no, whatever the yes count
    yes_hist: np.ndarray  # (n + 1,)
    tally: np.ndarray  # (n + 1, n + 1, n + 1): counts of (yes, no, abstain); absent = n - sum
    member: np.ndarray  # (n, 4) yes, abstain, no, absent
    pivotal: np.ndarray  # (n,)
    agree: np.ndarray  # (n, n)
    veto_by: np.ndarray  # (n,): enough yes votes and member i (a veto holder) voted no

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.draws + other.draws,
            self.adopted + other.adopted,
            self.vetoed + other.vetoed,
            self.short + other.short,
            self.permanent_no + other.permanent_no,
            self.yes_hist + other.yes_hist,
            self.tally + other.tally,
            self.member + other.member,
            self.pivotal + other.pivotal,
            self.agree + other.agree,
            self.veto_by + other.veto_by,
        )


def chunk_rng(seed: Seed, chunk: int) -> np.random.Generator:
    """The generator for one chunk: stream ``(chunk,)`` of ``seed``."""
    return generator(seed, chunk)


def _latent(p: Prepared, rng: np.random.Generator, size: int) -> np.ndarray:
    """Scaled latent stances W (n, size) in internal order: no if W < t1, yes if W >= t2.

    Random numbers are drawn in a fixed order: E (n x size), F, then each bloc's G, then (only
    with an alignment axis) A.
    """
    n = p.t1.size
    w = rng.standard_normal((n, size))
    f = rng.standard_normal(size) if p.common else None
    g = rng.standard_normal((p.n_blocs, size)) if p.n_blocs else None
    for lo, hi, b, kf, kg in p.groups:
        if p.det[lo]:
            w[lo:hi] = 0.0
        shift = None
        if f is not None and kf != 0.0:
            shift = kf * f
        if g is not None and b >= 0 and kg != 0.0:
            shift = kg * g[b] if shift is None else shift + kg * g[b]
        if shift is not None:
            w[lo:hi] += shift
    if p.axis is not None:
        axis = rng.standard_normal(size)
        for r in np.flatnonzero(p.axis).tolist():
            w[r] += p.axis[r] * axis
    return w


class Votes:
    """Boolean (n, size) matrices of one chunk of draws, in internal member order.

    Absences are kept as the drawn ``present`` rows of the members who can be absent (``miss``);
    the full ``absent`` matrix is built only when a statistic asks for it.
    """

    __slots__ = ("_miss", "_present", "no", "yes")

    def __init__(self, yes: np.ndarray, no: np.ndarray, present: np.ndarray | None = None,
                 miss: np.ndarray | None = None) -> None:
        self.yes, self.no, self._present, self._miss = yes, no, present, miss

    @property
    def size(self) -> int:
        return int(self.yes.shape[1])

    @property
    def absent(self) -> np.ndarray | None:
        """Who was absent in each draw, (n, size); None when no member can be absent."""
        if self._present is None or self._miss is None:
            return None
        away_rows = ~self._present
        if self._miss.size == self.yes.shape[0]:
            return away_rows
        away = np.zeros_like(self.yes)
        away[self._miss] = away_rows
        return away


def draw_votes(p: Prepared, rng: np.random.Generator, size: int) -> Votes:
    """Votes of ``size`` draws: latent stances against each member's thresholds, then absences."""
    w = _latent(p, rng, size)
    yes = w >= p.t2[:, None]
    no = w < p.t1[:, None]
    miss = np.flatnonzero(p.absent > 0)
    if not miss.size:
        return Votes(yes, no, None)
    present = rng.random((miss.size, size)) >= p.absent[miss, None]  # absent iff u < P(absent)
    if miss[-1] - miss[0] + 1 == miss.size:  # one run of rows (often all): in place, no copies
        rows = slice(int(miss[0]), int(miss[-1]) + 1)
        yes[rows] &= present
        no[rows] &= present
    else:
        yes[miss] &= present
        no[miss] &= present
    return Votes(yes, no, present, miss)


def _pack(rows: np.ndarray) -> np.ndarray:
    """Pack boolean rows into uint64 words (zero padding) for popcounts."""
    packed = np.packbits(rows, axis=-1)
    pad = (-packed.shape[-1]) % 8
    if pad:
        packed = np.concatenate([packed, np.zeros((*packed.shape[:-1], pad), dtype=np.uint8)], axis=-1)
    return packed.view(np.uint64)


@lru_cache(maxsize=8)
def _triu(n: int) -> tuple[np.ndarray, np.ndarray]:
    iu, ju = np.triu_indices(n, 1)
    return iu, ju


def _row_sums(rows: np.ndarray) -> np.ndarray:
    """Per-draw count of True over members (columns of a boolean (n, size) matrix)."""
    return np.add.reduce(rows.view(np.uint8), axis=0, dtype=np.uint8).astype(np.int64)


def _popcount(words: np.ndarray) -> np.ndarray:
    return np.bitwise_count(words).sum(axis=-1, dtype=np.int64)


def _vetoes(rule: VotingRule, no: np.ndarray) -> np.ndarray:
    """Per draw, the "no" votes cast by members who hold a veto on this vote."""
    veto = rule.veto
    return _row_sums(no[veto]) if veto.any() else np.zeros(no.shape[1], dtype=np.int64)


def _pivot_masks(
    rule: VotingRule, n_yes: np.ndarray, n_no: np.ndarray, vetoes: np.ndarray, holds_veto: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draws in which a member's yes-or-no decides the vote, given its drawn vote was yes, no,
    or neither: the others' tally is the drawn one less the member's own vote."""
    own_veto = int(holds_veto)

    def decides(o_yes: np.ndarray, o_no: np.ndarray, o_veto: np.ndarray) -> np.ndarray:
        with_yes = rule.passes(o_yes + 1, o_no, o_veto)
        with_no = rule.passes(o_yes, o_no + 1, o_veto + own_veto)
        return with_yes != with_no

    return (
        decides(n_yes - 1, n_no, vetoes),
        decides(n_yes, n_no - 1, vetoes - own_veto),
        decides(n_yes, n_no, vetoes),
    )


def count_chunk(p: Prepared, votes: Votes) -> Counts:
    """Integer statistics of one chunk of drawn votes, from row sums and popcounts of bit rows."""
    yes, no, away = votes.yes, votes.no, votes.absent
    n, size = yes.shape
    rule = p.rule
    n_yes = _row_sums(yes)
    n_no = _row_sums(no)
    n_absent = np.zeros(size, dtype=np.int64) if away is None else _row_sums(away)
    permanent_no = _row_sums(no[p.permanent]) if p.permanent.any() else np.zeros(size, dtype=np.int64)
    # the veto holders are usually the permanent members: reuse their count
    vetoes = permanent_no if np.array_equal(rule.veto, p.permanent) else _vetoes(rule, no)
    n_abstain = n - n_yes - n_no - n_absent
    adopted = rule.passes(n_yes, n_no, vetoes)

    py, pn = _pack(yes), _pack(no)
    valid = _pack(np.ones((1, size), dtype=bool))[0]
    pa = np.zeros_like(py) if away is None else _pack(away)
    pab = ~(py | pn | pa) & valid  # abstentions
    # Pivotal: member i's yes-or-no flips the outcome, the others' votes as drawn (docs/model.md).
    # The rule says in which draws that happens, by whether i holds a veto and what i drew.
    piv = np.zeros(n, dtype=np.int64)
    veto = rule.veto
    for holds in (False, True):
        rows = veto == holds
        if not rows.any():
            continue
        on_yes, on_no, on_other = _pack(np.stack(_pivot_masks(rule, n_yes, n_no, vetoes, holds)))
        y, m = py[rows], pn[rows]
        piv[rows] = (_popcount(y & on_yes) + _popcount(m & on_no) + _popcount(on_other)
                     - _popcount(y & on_other) - _popcount(m & on_other))
    # A member who never casts yes or no (obliged to abstain, or certain to be absent) is never
    # pivotal: only its yes-or-no can change the outcome.
    piv[p.never_casts] = 0
    veto_by = np.zeros(n, dtype=np.int64)
    if veto.any():
        veto_by[veto] = _popcount(pn[veto] & _pack(rule.enough(n_yes)[None])[0])
    # Pairwise agreement: both yes, both no or both abstain, over the upper triangle.
    iu, ju = _triu(n)
    same = (_popcount(py[iu] & py[ju]) + _popcount(pn[iu] & pn[ju]) + _popcount(pab[iu] & pab[ju]))
    agree = np.zeros((n, n), dtype=np.int64)
    agree[iu, ju] = same
    agree[ju, iu] = same
    r_yes, r_no, r_away, r_ab = _popcount(py), _popcount(pn), _popcount(pa), _popcount(pab)
    agree[np.arange(n), np.arange(n)] = size - r_away
    member = np.stack([r_yes, r_ab, r_no, r_away], axis=1)
    tally_idx = (n_yes * (n + 1) + n_no) * (n + 1) + n_abstain
    back = p.back  # internal order -> model order
    return Counts(
        draws=size,
        adopted=int(adopted.sum()),
        vetoed=int(rule.vetoed(n_yes, vetoes).sum()),
        short=int((~rule.enough(n_yes)).sum()),
        permanent_no=int((permanent_no > 0).sum()),
        yes_hist=np.bincount(n_yes, minlength=n + 1).astype(np.int64),
        tally=np.bincount(tally_idx, minlength=(n + 1) ** 3).astype(np.int64).reshape((n + 1,) * 3),
        member=member[back],
        pivotal=piv[back],
        agree=agree[np.ix_(back, back)],
        veto_by=veto_by[back],
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
    return summed(iter_chunks(model, draws, seed, pool), progress)


class ChunkCounts(Protocol):
    """Integer counts of one chunk that add up (the Council's and the Assembly's)."""

    @property
    def draws(self) -> int: ...

    def __add__(self, other: Any) -> Any: ...


C = TypeVar("C", bound=ChunkCounts)


def summed(chunks: Iterable[C], progress: Callable[[int], None] | None = None) -> C:
    """The sum of chunks' counts, in chunk order; ``progress(k)`` gets each chunk's draws."""
    total: C | None = None
    for counts in chunks:
        total = counts if total is None else total + counts
        if progress is not None:
            progress(counts.draws)
    assert total is not None
    return total


def adopted_votes(p: Prepared, votes: Votes) -> np.ndarray:
    """Whether each drawn vote (see :func:`draw_votes`) adopts the text."""
    return p.rule.passes(_row_sums(votes.yes), _row_sums(votes.no), _vetoes(p.rule, votes.no))


def empty_counts(n: int) -> Counts:
    """Counts of zero draws of an ``n``-member Council."""
    z = np.zeros
    return Counts(0, 0, 0, 0, 0, z(n + 1, np.int64), z((n + 1,) * 3, np.int64), z((n, 4), np.int64),
                  z(n, np.int64), z((n, n), np.int64), z(n, np.int64))


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
        rng = generator(seed, index, j + 1)
        for prefix in dict.fromkeys(path[:j] for path in paths):
            mask = members_of(prefix)
            m = int(mask.sum())
            if m:
                p = prepare(seq.amendment_model(j, prefix))
                outcome[mask, j] = adopted_votes(p, draw_votes(p, rng, m))
    rng = generator(seed, index, 0)
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
    """Counts of the final draft vote per amendment path (see :mod:`sim.engine.amendments`)."""
    tasks = [(seq, seed, k, size) for k, size in enumerate(chunk_sizes(draws))]
    mapper = map if pool is None else pool.map
    total: dict[tuple[bool, ...], Counts] = {}
    for part in mapper(_run_sequence_chunk, tasks):
        for path, counts in part.items():
            total[path] = total[path] + counts if path in total else counts
        if progress is not None:
            progress(sum(c.draws for c in part.values()))
    return total
