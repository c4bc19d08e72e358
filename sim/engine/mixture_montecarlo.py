"""Monte Carlo of a hurdle mixture (:mod:`sim.engine.mixture`), chunked and counted like
:mod:`sim.engine.montecarlo`.

Chunk ``k`` of a run with seed ``s`` draws from stream ``(MIXTURE_STREAM, k)`` of ``s``
(:mod:`sim.engine.seeding`), in this order: a uniform per draw choosing its component by weight,
a uniform per draw choosing contested (``u < q``) or consensus, then each component's contested
draws in component order, each a :func:`sim.engine.montecarlo.draw_votes` call followed by its
redraws of the draws equal to the consensus. The chunk's votes are then counted by
:func:`sim.engine.montecarlo.count_chunk`, so the totals are integers and do not depend on the
pool. The draws of a plain :class:`~sim.engine.model.VoteModel` are untouched.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .exact import profile_probability
from .mixture import MixtureModel, casts, check_conditional
from .model import ABSENT, NO, YES
from .montecarlo import (
    CHUNK,
    Counts,
    MapPool,
    Prepared,
    Votes,
    chunk_sizes,
    count_chunk,
    draw_votes,
    empty_counts,
    prepare,
)
from .seeding import MIXTURE_STREAM, Seed, generator

__all__ = ["MAX_ROUNDS", "MC_LIMIT", "run_mixture"]


#: The Monte Carlo method redraws the consensus away while P(consensus) is below this.
MC_LIMIT = 0.999
#: Rounds of redraws before giving up (each round draws enough for all the rejected draws left
#: at the expected acceptance rate, so a few rounds are the rule).
MAX_ROUNDS = 200


@dataclass(frozen=True)
class _Plan:
    """Per-mixture constants of the chunks: cumulative weights, each component's prepared
    contested model, consensus and P(consensus), and a model-order view for counting."""

    cumulative: np.ndarray  # (H,), last exactly 1
    p_contested: np.ndarray  # (H,)
    consensus: np.ndarray  # (H, n) vote codes, model order
    prepared: tuple[Prepared | None, ...]
    p_consensus: tuple[float, ...]
    counting: Prepared
    can_be_absent: bool


def _plan(mix: MixtureModel) -> _Plan:
    n = mix.n
    weights = np.array([c.weight for c in mix.components])
    prepared: list[Prepared | None] = []
    p_cons: list[float] = []
    absent = False
    for h, comp in enumerate(mix.components):
        drawn = comp.weight > 0 and comp.p_contested > 0
        p_c = profile_probability(comp.contested, comp.votes) if drawn else 0.0
        check_conditional(h, p_c, MC_LIMIT)
        prepared.append(prepare(comp.contested) if drawn else None)
        p_cons.append(p_c)
        absent |= bool(comp.weight > 0 and ((comp.p_contested < 1 and (comp.votes == ABSENT).any())
                                            or (drawn and (comp.contested.probs[:, ABSENT] > 0).any())))
    zero = np.zeros(n)
    counting = Prepared(order=np.arange(n), back=np.arange(n), det=np.zeros(n, dtype=bool), t1=zero, t2=zero,
                        absent=zero, never_casts=~casts(mix), groups=(), n_blocs=0, common=False,
                        rule=mix.model.rule)  # for count_chunk only: members in model order
    cumulative = np.cumsum(weights)
    return _Plan(cumulative / cumulative[-1], np.array([c.p_contested for c in mix.components]),
                 np.stack([c.votes for c in mix.components]), tuple(prepared), tuple(p_cons), counting, absent)


def _model_order(p: Prepared, votes: Votes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(yes, no, absent) boolean (n, size) matrices of drawn votes, in model order."""
    away = votes.absent
    away = np.zeros_like(votes.yes) if away is None else away
    return votes.yes[p.back], votes.no[p.back], away[p.back]


def _is(target: np.ndarray, yes: np.ndarray, no: np.ndarray, away: np.ndarray) -> np.ndarray:
    """Which draws (columns) are the vote vector ``target``."""
    col = target[:, None]
    return np.all((yes == (col == YES)) & (no == (col == NO)) & (away == (col == ABSENT)), axis=0)


def _contested(plan: _Plan, h: int, rng: np.random.Generator, m: int) -> tuple[np.ndarray, ...]:
    """``m`` draws of component ``h``'s contested model given not its consensus, by rejection.

    The draws equal to the consensus are replaced, in column order, by the first draws of a new
    batch that are not; a batch holds the rejected count divided by the expected acceptance rate
    (1 − P(consensus)), with a margin, so the result depends on the chunk's generator only.
    """
    p, target, p_c = plan.prepared[h], plan.consensus[h], plan.p_consensus[h]
    assert p is not None
    yes, no, away = _model_order(p, draw_votes(p, rng, m))
    bad = np.flatnonzero(_is(target, yes, no, away))
    for _ in range(MAX_ROUNDS):
        if not bad.size:
            return yes, no, away
        size = min(8 * CHUNK, math.ceil(1.25 * bad.size / (1.0 - p_c)) + 16)
        y, n_, a = _model_order(p, draw_votes(p, rng, size))
        good = np.flatnonzero(~_is(target, y, n_, a))[: bad.size]
        fill, bad = bad[: good.size], bad[good.size:]
        yes[:, fill], no[:, fill], away[:, fill] = y[:, good], n_[:, good], a[:, good]
    raise RuntimeError(f"mixture component {h}: still drawing its consensus after {MAX_ROUNDS} rounds")


def _mixture_chunk(args: tuple[_Plan, Seed, int, int]) -> Counts:
    """One chunk: a component per draw, then consensus or not, then the contested draws of each
    component in order, all from the chunk's stream ``(MIXTURE_STREAM, chunk)``."""
    plan, seed, index, size = args
    rng = generator(seed, MIXTURE_STREAM, index)
    comp = np.searchsorted(plan.cumulative, rng.random(size), side="right")
    contested = rng.random(size) < plan.p_contested[comp]
    n = plan.consensus.shape[1]
    yes, no, away = (np.empty((n, size), dtype=bool) for _ in range(3))
    for h, target in enumerate(plan.consensus):
        fixed = (comp == h) & ~contested
        for rows, vote in ((yes, YES), (no, NO), (away, ABSENT)):
            rows[:, fixed] = (target == vote)[:, None]
        drawn = np.flatnonzero((comp == h) & contested)
        if drawn.size:
            yes[:, drawn], no[:, drawn], away[:, drawn] = _contested(plan, h, rng, drawn.size)
    votes = Votes(yes, no, ~away, np.arange(n)) if plan.can_be_absent else Votes(yes, no)
    return count_chunk(plan.counting, votes)


def run_mixture(
    mix: MixtureModel,
    draws: int,
    seed: Seed,
    pool: MapPool | None = None,
    progress: Callable[[int], None] | None = None,
) -> Counts:
    """Total counts over ``draws`` draws of the mixture, in chunks of :data:`CHUNK` like
    :func:`sim.engine.montecarlo.run`; the totals do not depend on ``pool``."""
    plan = _plan(mix)
    tasks = [(plan, seed, k, size) for k, size in enumerate(chunk_sizes(draws))]
    mapper = map if pool is None else pool.map
    total = empty_counts(mix.n)
    for counts in mapper(_mixture_chunk, tasks):
        total = total + counts
        if progress is not None:
            progress(counts.draws)
    return total
