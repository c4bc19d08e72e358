"""Monte Carlo of an Assembly vote, on the Council's latent draws.

The votes are drawn by :func:`sim.engine.montecarlo.draw_votes` in its fixed chunks, chunk k
from stream (k,) of the seed, and every statistic is an integer count: the totals are the same
whatever the number of workers or the order in which chunks finish. Memory is bounded by one
chunk (193 members x 16,384 draws).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from sim.engine.model import ABSENT, ABSTAIN, NO, YES
from sim.engine.montecarlo import MapPool, Prepared, chunk_rng, chunk_sizes, draw_votes, prepare, summed
from sim.engine.rules import AssemblyRule
from sim.engine.seeding import Seed

from .model import AssemblyModel


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


def _per_draw(rows: np.ndarray) -> np.ndarray:
    """How many members are True in each draw (column): a byte sum, several times faster than
    ``count_nonzero`` along the first axis."""
    return rows.view(np.uint8).sum(axis=0, dtype=np.int64)


def count_chunk(p: Prepared, rule: AssemblyRule, size: int, seed: Seed, index: int) -> AssemblyCounts:
    """The counts of chunk ``index`` of ``size`` draws."""
    votes = draw_votes(p, chunk_rng(seed, index), size)
    n = p.t1.size
    yes, no = votes.yes, votes.no
    y = _per_draw(yes)
    k = _per_draw(no)
    away = votes.absent
    gone = _per_draw(away) if away is not None else np.zeros(size, dtype=np.int64)
    tally = np.bincount(y * (n + 1) + k, minlength=(n + 1) ** 2).reshape(n + 1, n + 1)
    member = np.zeros((n, 4), dtype=np.int64)
    member[:, YES] = np.count_nonzero(yes, axis=1)
    member[:, NO] = np.count_nonzero(no, axis=1)
    if away is not None:
        member[:, ABSENT] = np.count_nonzero(away, axis=1)
    member[:, ABSTAIN] = size - member[:, YES] - member[:, NO] - member[:, ABSENT]
    # Member i decides iff the others' d = yes - w·no lies in the rule's window; its own score is
    # +1 (yes), -w (no) or 0, so for each of the three the draws where it decides are a mask of d.
    w = rule.no_weight
    lo, hi = rule.pivotal_window()
    d = y - w * k
    decides = np.zeros(n, dtype=np.int64)
    for own, mask in ((1, yes), (-w, no)):
        window = (d - own >= lo) & (d - own <= hi)
        decides += np.count_nonzero(mask & window, axis=1)
    idle_window = (d >= lo) & (d <= hi)
    # the draws in which i abstained or was absent: all draws in the window less its yes and no ones
    decides += int(np.count_nonzero(idle_window)) - np.count_nonzero((yes | no) & idle_window, axis=1)
    pivotal = np.where(p.never_casts, 0, decides)
    return AssemblyCounts(size, int(rule.passes(y, k).sum()), tally,
                          np.bincount(gone, minlength=n + 1), np.bincount(n - y - k - gone, minlength=n + 1),
                          member[p.back], pivotal[p.back])


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
