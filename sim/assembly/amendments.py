"""Amendments in the General Assembly: the Council's vote sequence on the Assembly's models.

The order, the effects and the positions are the Council's (:mod:`sim.engine.amendments`): its
:class:`~sim.engine.amendments.VoteSequence` runs on the Assembly's latent model (no parties to
the dispute, no veto), and each vote it gives is an :class:`AssemblyModel` under the scenario's
question: an amendment is adopted by the same majority as the draft (Art. 18). Each vote has its
own latent draw, so votes are independent given the path so far.

:func:`walk` goes down the tree of paths: each amendment vote is computed once for every prefix
of outcomes that can happen (probability > 0), and the draft once for every such path. The
exact method computes each vote exactly; Monte Carlo runs each vote on its own stream of the
seed (:func:`vote_seed`), all with the same number of draws.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from sim.engine.amendments import Path, VoteSequence
from sim.engine.model import ABSENT, VoteModel
from sim.engine.seeding import Seed, stream

from .model import AssemblyModel
from .scenario import AssemblyModelSpec

#: First spawn key word of an Assembly sequence's votes: ``(ASSEMBLY_SEQUENCE_STREAM, stage,
#: *outcomes)``, to which each run appends its chunk. 2**32 + 2 is two 32-bit words, so every
#: such key is at least four words long, unlike any key of :mod:`sim.engine.seeding`'s table.
ASSEMBLY_SEQUENCE_STREAM = 2**32 + 2

T = TypeVar("T")


@dataclass(frozen=True)
class AssemblySequence:
    """An Assembly scenario's draft (``base``) and its amendments (``votes``, the Council's
    sequence on the latent model), each vote an :class:`AssemblyModel` under ``base``'s rule."""

    base: AssemblyModel
    votes: VoteSequence

    @classmethod
    def from_spec(cls, built: AssemblyModelSpec) -> AssemblySequence:
        latent = built.model.latent
        return cls(built.model, VoteSequence(latent, built.amendments, free=dict(built.free) or None,
                                             loadings=dict(built.loadings), position=built.position))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.votes.amendments)

    @property
    def k(self) -> int:
        return len(self.votes.amendments)

    def _vote(self, latent: VoteModel) -> AssemblyModel:
        """The Assembly's vote on ``latent``: members in arrears stay absent with certainty, whatever
        an amendment's tables say (Art. 19)."""
        if not self.base.arrears:
            return dataclasses.replace(self.base, latent=latent)
        probs = latent.probs.copy()
        rows = [latent.members.index(m) for m in self.base.arrears]
        probs[rows] = 0.0
        probs[rows, ABSENT] = 1.0
        return dataclasses.replace(self.base, latent=latent.with_probs(probs))

    def amendment_model(self, j: int, prefix: Path) -> AssemblyModel:
        """The vote on amendment ``j`` after the earlier outcomes ``prefix``."""
        return self._vote(self.votes.amendment_model(j, prefix))

    def draft_model(self, path: Path) -> AssemblyModel:
        """The final vote on the draft after the amendments' outcomes ``path``."""
        return self._vote(self.votes.draft_model(path))


def walk(
    seq: AssemblySequence,
    p_adopted: Callable[[int, Path, AssemblyModel], float],
    draft: Callable[[Path, AssemblyModel], T],
) -> tuple[dict[Path, float], dict[Path, T]]:
    """Every path's probability (the product of its amendment votes' outcomes), and ``draft`` of
    the final vote on each path of probability > 0. ``p_adopted(j, prefix, model)`` is the
    probability that amendment ``j`` is adopted after ``prefix``; a prefix of probability 0 is
    not asked, and its paths have probability 0."""
    reach: dict[Path, float] = {(): 1.0}
    for j in range(seq.k):
        nxt: dict[Path, float] = {}
        for prefix, p in reach.items():
            a = p_adopted(j, prefix, seq.amendment_model(j, prefix)) if p > 0.0 else 0.0
            nxt[(*prefix, True)] = p * a
            nxt[(*prefix, False)] = p * (1.0 - a)
        reach = nxt
    outcomes = {path: draft(path, seq.draft_model(path)) for path, p in reach.items() if p > 0.0}
    return reach, outcomes


def vote_seed(seed: Seed, stage: int, outcomes: Path) -> np.random.SeedSequence:
    """The stream of one vote of a sequence: ``stage`` j + 1 for amendment j after ``outcomes``,
    0 for the draft after the amendments' ``outcomes``."""
    return stream(seed, ASSEMBLY_SEQUENCE_STREAM, stage, *(int(b) for b in outcomes))
