"""The numeric vote model: marginal vote probabilities plus a Gaussian latent correlation.

The mathematics is written once, in docs/model.md. This module only holds the model's numbers
and the derived latent thresholds; it does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from .rules import VotingRule
from .votes import WORDS, Vote

#: Column order of :attr:`VoteModel.probs` (:class:`sim.engine.votes.Vote`).
VOTES = WORDS
YES, ABSTAIN, NO, ABSENT = Vote.YES, Vote.ABSTAIN, Vote.NO, Vote.ABSENT


@dataclass(frozen=True)
class VoteModel:
    """Everything the engine needs to compute outcomes for one vote.

    ``probs`` has one row per member with columns yes, abstain, no, absent (rows sum to 1).
    ``bloc[i]`` indexes ``cohesion`` or is -1 for a member in no bloc. ``permanent``,
    ``threshold`` and ``procedural`` make up the decision :attr:`rule` the engine asks.
    """

    members: tuple[str, ...]
    probs: np.ndarray
    permanent: np.ndarray
    bloc: np.ndarray
    cohesion: np.ndarray
    common: float
    threshold: int
    procedural: bool = False
    bloc_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.members)
        probs = np.asarray(self.probs, dtype=float).reshape(n, 4)
        object.__setattr__(self, "probs", probs)
        object.__setattr__(self, "permanent", np.asarray(self.permanent, dtype=bool).reshape(n))
        object.__setattr__(self, "bloc", np.asarray(self.bloc, dtype=int).reshape(n))
        object.__setattr__(self, "cohesion", np.asarray(self.cohesion, dtype=float).reshape(-1))
        object.__setattr__(self, "common", float(self.common))
        object.__setattr__(self, "threshold", int(self.threshold))
        if not self.bloc_names:
            names = tuple(f"bloc {b + 1}" for b in range(len(self.cohesion)))
            object.__setattr__(self, "bloc_names", names)

    @property
    def n(self) -> int:
        return len(self.members)

    @property
    def rule(self) -> VotingRule:
        """The decision rule of this vote: quota, veto holders, procedural or not."""
        return VotingRule(self.threshold, self.permanent, self.procedural)

    @property
    def n_blocs(self) -> int:
        return len(self.cohesion)

    def loadings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-member latent weights (a on F, b on G_bloc, c on E_i)."""
        a = np.full(self.n, np.sqrt(self.common))
        coh = np.zeros(self.n)
        if self.n_blocs:
            coh = np.where(self.bloc >= 0, self.cohesion[np.maximum(self.bloc, 0)], 0.0)
        b = np.sqrt(coh)
        c = np.sqrt(np.clip(1.0 - self.common - coh, 0.0, None))
        return a, b, c

    def conditional_probs(self) -> np.ndarray:
        """(n, 3) probabilities of yes, abstain, no (:data:`sim.engine.votes.CAST`) given presence."""
        present = 1.0 - self.probs[:, ABSENT]
        cond = np.zeros((self.n, 3))
        ok = present > 0
        for v in (YES, ABSTAIN, NO):
            cond[ok, v] = self.probs[ok, v] / present[ok]
        cond[~ok, ABSTAIN] = 1.0  # never present: irrelevant, keep finite
        return cond

    def thresholds(self) -> tuple[np.ndarray, np.ndarray]:
        """Latent cut points t1 <= t2: U < t1 is no, t1 <= U < t2 abstain, U >= t2 yes."""
        cond = self.conditional_probs()
        c1 = np.clip(cond[:, NO], 0.0, 1.0)
        c2 = np.clip(cond[:, NO] + cond[:, ABSTAIN], 0.0, 1.0)
        t1 = ndtri(c1)
        t2 = ndtri(c2)
        # Round-off: a member with P(yes)=0 must have t2=+inf exactly, and P(no)=0 gives -inf.
        t2 = np.where(cond[:, YES] <= 0.0, np.inf, t2)
        t1 = np.where(cond[:, NO] <= 0.0, -np.inf, t1)
        return t1, np.maximum(t1, t2)

    def with_probs(self, probs: np.ndarray) -> VoteModel:
        """The same model with other marginal probabilities."""
        return VoteModel(
            members=self.members, probs=probs, permanent=self.permanent, bloc=self.bloc,
            cohesion=self.cohesion, common=self.common, threshold=self.threshold,
            procedural=self.procedural, bloc_names=self.bloc_names,
        )
