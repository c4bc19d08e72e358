"""The numeric vote model: marginal vote probabilities plus a Gaussian latent correlation
(a common factor, bloc factors and signed loadings on an alignment axis).

The mathematics is written once, in docs/model.md. This module only holds the model's numbers
and the derived latent thresholds; it does no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from .rules import VotingRule
from .votes import WORDS, Vote

#: Column order of :attr:`VoteModel.probs` (:class:`sim.engine.votes.Vote`).
VOTES = WORDS
YES, ABSTAIN, NO, ABSENT = Vote.YES, Vote.ABSTAIN, Vote.NO, Vote.ABSENT
#: Round-off allowed in ``alignment² + common + cohesion <= 1``.
VARIANCE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class VoteModel:
    """Everything the engine needs to compute outcomes for one vote.

    ``probs`` has one row per member with columns yes, abstain, no, absent (rows sum to 1).
    ``bloc[i]`` indexes ``cohesion`` or is -1 for a member in no bloc. ``permanent``,
    ``threshold`` and ``procedural`` make up the decision :attr:`rule` the engine asks.
    ``alignment[i]`` is member i's signed loading λ_i on the alignment axis A (zeros when not
    given: the model without an axis); ``axis_name`` names the axis for display. The text's
    position on the axis is not a field: it is a per-member shift of λ_i·p of the marginals.
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
    alignment: np.ndarray | None = None
    axis_name: str = ""

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
        object.__setattr__(self, "alignment", self._alignment_array())
        object.__setattr__(self, "axis_name", str(self.axis_name))
        self._check_variance()

    def _alignment_array(self) -> np.ndarray:
        n = len(self.members)
        if self.alignment is None:
            return np.zeros(n)
        lam = np.asarray(self.alignment, dtype=float)
        if lam.shape != (n,):
            raise ValueError(f"alignment needs one loading per member ({n}), got shape {lam.shape}")
        for name, value in zip(self.members, lam.tolist(), strict=True):
            if not (math.isfinite(value) and -1.0 <= value <= 1.0):
                raise ValueError(f"{name}'s alignment loading must be a number in [-1, 1], got {value!r}")
        return lam

    def _check_variance(self) -> None:
        """Every member's latent weights must leave a non-negative idiosyncratic variance."""
        if not self.has_axis:
            return
        assert self.alignment is not None
        total = self.alignment**2 + self.common + self._member_cohesion()
        for name, lam, value in zip(self.members, self.alignment.tolist(), total.tolist(), strict=True):
            if value > 1.0 + VARIANCE_TOLERANCE:
                raise ValueError(f"{name}: alignment² + common + cohesion must be at most 1, got "
                                 f"{lam:g}² + {self.common:g} + {value - lam * lam - self.common:g} = {value:g}")

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

    @property
    def has_axis(self) -> bool:
        """Whether any member loads on the alignment axis (else the model has no axis factor)."""
        assert self.alignment is not None
        return bool(np.any(self.alignment != 0.0))

    def _member_cohesion(self) -> np.ndarray:
        if not self.n_blocs:
            return np.zeros(self.n)
        return np.where(self.bloc >= 0, self.cohesion[np.maximum(self.bloc, 0)], 0.0)

    def loadings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-member latent weights (a on F, b on G_bloc, c on E_i); the weight on the alignment
        axis A is :attr:`alignment`."""
        a = np.full(self.n, np.sqrt(self.common))
        coh = self._member_cohesion()
        b = np.sqrt(coh)
        assert self.alignment is not None
        # with every loading 0 this is 1 - common - coh to the bit (1.0 - 0.0 is exactly 1.0)
        c = np.sqrt(np.clip(1.0 - self.alignment**2 - self.common - coh, 0.0, None))
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
            procedural=self.procedural, bloc_names=self.bloc_names, alignment=self.alignment,
            axis_name=self.axis_name,
        )
