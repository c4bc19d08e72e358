"""Monte Carlo of an Assembly vote: the Council's latent model, drawn on the Assembly's own path.

Chunk k of a run draws from stream (k,) of the seed and every statistic is an integer count, so
the totals are the same whatever the number of workers or the order in which chunks finish.
Memory is bounded by one chunk (193 members x 16,384 draws).

The draws are the Council's model (:mod:`sim.engine.montecarlo`) but not its random streams,
which stay as they are for the Council's recorded results. Per chunk, in this order:

1. the factors: F (``size``, with a common factor), each bloc's G, then A (with the axis);
2. the idiosyncratic terms E, ``n x size`` row-major, taken ``ROWS`` members at a time so that
   each block of stances is thresholded while it is in cache;
3. absences of the members with 0 < P(absent) < 1: one 16-bit uniform u per member and draw, four
   from each 64-bit word of the generator (``random_raw``, little-endian halves); with
   ``s = P(absent)·65536``, the member is absent if ``u < floor(s)``, and where ``u == floor(s)``
   a float64 uniform v (drawn in row-major order of those ties) decides: absent if
   ``v < s - floor(s)``. So P(absent) = (floor(s) + s - floor(s)) / 65536 = P(absent) exactly:
   the 16 bits set the cost, not the resolution. Members absent with certainty draw nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from sim.engine.model import ABSENT, ABSTAIN, NO, YES
from sim.engine.montecarlo import MapPool, Prepared, chunk_rng, chunk_sizes, prepare, summed
from sim.engine.rules import AssemblyRule
from sim.engine.seeding import Seed

from .model import AssemblyModel

#: Members whose stances are drawn and thresholded at a time (8 x 16,384 float64 is 1 MiB). Not
#: part of the streams (E is row-major whatever the block): only the speed depends on it.
ROWS = 8

#: Absence uniforms are 16-bit: 2**16 levels, refined at ties to the exact probability.
LEVELS = 1 << 16

#: A uint64 word holds 8 byte lanes; summing at most this many words keeps each lane below 256.
_LANE_WORDS = 128


@dataclass(frozen=True)
class AssemblyCounts:
    """Integer counts over ``draws`` simulated votes, members in model order.

    ``tally[y, n]`` counts draws with y yes and n no votes (abstentions and absences are the
    rest; ``absent`` is their own distribution). ``pivotal[i]`` counts draws in which member i's
    yes-or-no decides the outcome, the others' votes as drawn.
    """

    draws: int
    adopted: int
    tally: np.ndarray  # (n + 1, n + 1)
    absent: np.ndarray  # (n + 1,)
    abstain: np.ndarray  # (n + 1,)
    member_votes: np.ndarray  # (n, 4)
    pivotal: np.ndarray  # (n,)

    def __add__(self, other: AssemblyCounts) -> AssemblyCounts:
        return AssemblyCounts(self.draws + other.draws, self.adopted + other.adopted, self.tally + other.tally,
                              self.absent + other.absent, self.abstain + other.abstain,
                              self.member_votes + other.member_votes,
                              self.pivotal + other.pivotal)


@dataclass(frozen=True)
class Drawn:
    """One chunk of drawn votes, (n, size) boolean rows in internal member order.

    ``present`` holds the drawn rows of the members who may be absent (``maybe``); the members in
    ``sure`` are absent in every draw.
    """

    yes: np.ndarray
    no: np.ndarray
    present: np.ndarray  # (maybe.size, size)
    maybe: np.ndarray
    sure: np.ndarray

    @property
    def absent(self) -> np.ndarray:
        """Who was absent in each draw, (n, size)."""
        away = np.zeros_like(self.yes)
        away[self.maybe] = ~self.present
        away[self.sure] = True
        return away


def _rows(rows: np.ndarray) -> slice | np.ndarray:
    """Row indices as a slice when they are one run (no copies when indexing), else as they are."""
    if rows.size and rows[-1] - rows[0] + 1 == rows.size:
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


@dataclass(frozen=True)
class _Run:
    """Consecutive members of one bloc whose factor terms are added together: with one shared
    vector of loadings (``loads`` one row), or each its own (``loads`` a row per member)."""

    lo: int
    hi: int
    bloc: int
    det: bool
    loads: np.ndarray  # (1 or hi - lo, factors): on F, the bloc's G, A (those the model has)

    @property
    def shared(self) -> bool:
        return self.loads.shape[0] == 1


def _runs(p: Prepared) -> list[_Run]:
    """The members in runs: a group of two or more members with one loading on each factor
    shares one shift of W per chunk; the others (own loadings: a member-specific axis makes
    every member its own group) are gathered into runs whose shifts are one small product."""
    runs: list[_Run] = []
    pending: list[tuple[int, int, int, bool, np.ndarray]] = []

    def flush() -> None:
        if pending:
            loads = np.concatenate([rows for *_, rows in pending])
            runs.append(_Run(pending[0][0], pending[-1][1], pending[0][2], pending[0][3], loads))
            pending.clear()

    for lo, hi, b, kf, kg in p.groups:
        cols = ([np.full(hi - lo, kf)] if p.common else []) + ([np.full(hi - lo, kg)] if b >= 0 and p.n_blocs else [])
        if p.axis is not None:
            cols.append(p.axis[lo:hi])
        loads = np.stack(cols, axis=1) if cols else np.zeros((hi - lo, 0))
        det = bool(p.det[lo])
        if hi - lo >= 2 and bool((loads == loads[0]).all()):
            flush()
            runs.append(_Run(lo, hi, b, det, loads[:1]))
            continue
        if pending and (pending[-1][2], pending[-1][3]) != (b, det):
            flush()
        pending.append((lo, hi, b, det, loads))
    flush()
    return runs


def _factors(p: Prepared, rng: np.random.Generator, size: int) -> dict[int, np.ndarray]:
    """Draw the factors (F, each bloc's G, then A): per bloc (-1: none), the stacked vectors its
    members load on, in the order of :class:`_Run`'s loadings."""
    f = rng.standard_normal(size) if p.common else None
    g = rng.standard_normal((p.n_blocs, size)) if p.n_blocs else None
    a = rng.standard_normal(size) if p.axis is not None else None
    out: dict[int, np.ndarray] = {}
    for b in range(-1, p.n_blocs):
        vecs = [v for v in (f, g[b] if g is not None and b >= 0 else None, a) if v is not None]
        out[b] = np.stack(vecs) if vecs else np.zeros((0, size))
    return out


def _stances(p: Prepared, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Yes and no before absences: the latent W = E + the factor terms against the thresholds,
    ``ROWS`` members at a time."""
    n = p.t1.size
    factors = _factors(p, rng, size)
    runs = _runs(p)
    shifts = [(r.loads[0] @ factors[r.bloc] if r.loads.size else None) if r.shared else None for r in runs]
    yes = np.empty((n, size), dtype=bool)
    no = np.empty((n, size), dtype=bool)
    buf = np.empty((min(ROWS, n), size))
    tmp = np.empty_like(buf)
    first = 0  # the first run that reaches the block
    for start in range(0, n, ROWS):
        stop = min(n, start + ROWS)
        w = buf[: stop - start]
        rng.standard_normal(out=w)
        while runs[first].hi <= start:
            first += 1
        for run, shift in zip(runs[first:], shifts[first:], strict=True):
            if run.lo >= stop:
                break
            lo, hi = max(run.lo, start), min(run.hi, stop)
            seg = w[lo - start:hi - start]
            if run.det:
                seg[...] = 0.0
            if shift is not None:
                seg += shift
            elif not run.shared and run.loads.size:
                t = tmp[: hi - lo]
                np.matmul(run.loads[lo - run.lo:hi - run.lo], factors[run.bloc], out=t)
                seg += t
        np.greater_equal(w, p.t2[start:stop, None], out=yes[start:stop])
        np.less(w, p.t1[start:stop, None], out=no[start:stop])
    return yes, no


def _presence(absent: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """Who is present, (m, size), for m members with 0 < P(absent) < 1 (see the module's note)."""
    m = absent.size
    scaled = absent * LEVELS
    cut = np.floor(scaled)
    rest = scaled - cut
    words = -(-m * size // 4)
    u = rng.bit_generator.random_raw(words).astype("<u8", copy=False).view("<u2")[: m * size].reshape(m, size)
    cut16 = cut.astype(np.uint16)[:, None]
    present = u > cut16
    ties = np.flatnonzero(u == cut16)  # row-major; one-dimensional nonzero is the fast one
    if ties.size:
        present.reshape(-1)[ties] = rng.random(ties.size) >= rest[ties // size]
    return present


def draw_votes(p: Prepared, rng: np.random.Generator, size: int) -> Drawn:
    """Votes of ``size`` draws on the Assembly's streams (the module's note gives their order)."""
    yes, no = _stances(p, rng, size)
    sure = np.flatnonzero(p.absent >= 1.0)
    maybe = np.flatnonzero((p.absent > 0.0) & (p.absent < 1.0))
    present = _presence(p.absent[maybe], rng, size) if maybe.size else np.ones((0, size), dtype=bool)
    if maybe.size:
        rows = _rows(maybe)
        if isinstance(rows, slice):  # in place
            yes[rows] &= present
            no[rows] &= present
        else:
            yes[rows] = yes[rows] & present
            no[rows] = no[rows] & present
    yes[sure] = False
    no[sure] = False
    return Drawn(yes, no, present, maybe, sure)


def _per_draw(rows: np.ndarray) -> np.ndarray:
    """How many rows are True in each draw (column): a byte sum, exact in uint8 up to 255 rows."""
    acc = np.uint8 if rows.shape[0] < 256 else np.int64
    return np.add.reduce(rows.view(np.uint8), axis=0, dtype=acc).astype(np.int64)


def _per_row(rows: np.ndarray) -> np.ndarray:
    """How many draws are True in each row: the bytes summed eight at a time as uint64 words,
    in runs of ``_LANE_WORDS`` words so that no byte lane carries into the next."""
    r, size = rows.shape
    run = 8 * _LANE_WORDS
    full = size // run * run
    out = np.count_nonzero(rows[:, full:], axis=1).astype(np.int64)
    if full and r:
        words = np.ascontiguousarray(rows[:, :full]).view(np.uint64).reshape(r, -1, _LANE_WORDS)
        out += np.add.reduce(words, axis=2).view(np.uint8).reshape(r, -1).sum(axis=1, dtype=np.int64)
    return out


def count_votes(p: Prepared, rule: AssemblyRule, votes: Drawn) -> AssemblyCounts:
    """The counts of one chunk of drawn votes."""
    yes, no, present = votes.yes, votes.no, votes.present
    n, size = yes.shape
    y = _per_draw(yes)
    k = _per_draw(no)
    gone = votes.maybe.size - _per_draw(present) + votes.sure.size
    tally = np.bincount(y * (n + 1) + k, minlength=(n + 1) ** 2).reshape(n + 1, n + 1)
    member = np.zeros((n, 4), dtype=np.int64)
    member[:, YES] = _per_row(yes)
    member[:, NO] = _per_row(no)
    member[votes.maybe, ABSENT] = size - _per_row(present)
    member[votes.sure, ABSENT] = size
    member[:, ABSTAIN] = size - member[:, YES] - member[:, NO] - member[:, ABSENT]
    # Member i decides iff the others' d = yes - w·no lies in the rule's window [lo, hi]; its own
    # score is +1 (yes), -w (no) or 0, so it decides in the draws of window w1 (d - 1 in it) if it
    # drew yes, w2 (d + w in it) if no, w0 (d in it) otherwise:
    # w0 + yes·(w1 - w0) + no·(w2 - w0), each difference split into its +1 and -1 draws.
    w = rule.no_weight
    lo, hi = rule.pivotal_window()
    d = y - w * k
    w0 = (d >= lo) & (d <= hi)
    w1 = (d - 1 >= lo) & (d - 1 <= hi)
    w2 = (d + w >= lo) & (d + w <= hi)
    decides = np.full(n, int(np.count_nonzero(w0)), dtype=np.int64)
    for rows, own in ((yes, w1), (no, w2)):
        for mask, sign in ((own & ~w0, 1), (w0 & ~own, -1)):
            if mask.any():
                decides += sign * _per_row(rows & mask)
    pivotal = np.where(p.never_casts, 0, decides)
    return AssemblyCounts(size, int(rule.passes(y, k).sum()), tally,
                          np.bincount(gone, minlength=n + 1), np.bincount(n - y - k - gone, minlength=n + 1),
                          member[p.back], pivotal[p.back])


def count_chunk(p: Prepared, rule: AssemblyRule, size: int, seed: Seed, index: int) -> AssemblyCounts:
    """The counts of chunk ``index`` of ``size`` draws."""
    return count_votes(p, rule, draw_votes(p, chunk_rng(seed, index), size))


def iter_chunks(model: AssemblyModel, draws: int, seed: Seed, pool: MapPool | None = None,
                ) -> Iterator[AssemblyCounts]:
    """Counts of each chunk, in chunk order; ``pool.map`` spreads chunks over workers."""
    p = prepare(model.latent)
    tasks = [(p, model.rule, size, seed, k) for k, size in enumerate(chunk_sizes(draws))]
    mapper = map if pool is None else pool.map
    yield from mapper(_run_chunk, tasks)


def _run_chunk(args: tuple[Prepared, AssemblyRule, int, Seed, int]) -> AssemblyCounts:
    return count_chunk(*args)


def run(model: AssemblyModel, draws: int, seed: Seed, pool: MapPool | None = None,
        progress: Callable[[int], None] | None = None) -> AssemblyCounts:
    """Total counts over ``draws`` draws; ``progress(k)`` is called with the draws of each chunk."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    return summed(iter_chunks(model, draws, seed, pool), progress)
