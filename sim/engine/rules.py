"""The Charter's voting rule (Article 27), in one place: :class:`VotingRule`.

The engine (exact probabilities, Monte Carlo, pivots) and the power indices are handed a rule
and ask it; none of them writes the quota or the veto again. A substantive draft is adopted
iff it has at least ``threshold`` affirmative votes and no permanent member votes no.
Abstention or absence of a permanent member is not a veto. A procedural vote needs only the
affirmative votes; there is no veto.

Outcome words follow UN usage (the Dag Hammarskjöld Library's veto list): a substantive draft is
**vetoed** when it has the required affirmative votes and a permanent member votes no; a draft
short of the votes **failed**, whoever voted no. Adopted, vetoed and short partition the outcomes
of every substantive vote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: The Council had 11 members (7 votes needed) through 1965, 15 (9 votes) since.
FIRST_15_MEMBER_YEAR = 1966


def charter_threshold(year: int) -> int:
    """Affirmative votes the Charter requires in ``year``: 7 of 11 through 1965, 9 of 15 since."""
    return 9 if year >= FIRST_15_MEMBER_YEAR else 7


@dataclass(frozen=True, eq=False)
class VotingRule:
    """Article 27 for one vote: ``threshold`` affirmative votes, and no "no" from a veto holder.

    ``permanent`` flags the members (in model order) who hold a veto on substantive votes; a
    procedural vote has no veto (:attr:`veto` is empty), and only the quota matters. The rule
    reads the tally only through :meth:`passes`, so every caller agrees on what adopts a text.
    """

    threshold: int
    permanent: np.ndarray  # any array-like of flags is accepted and stored as a bool array
    procedural: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", int(self.threshold))
        object.__setattr__(self, "permanent", np.asarray(self.permanent, dtype=bool).reshape(-1))
        object.__setattr__(self, "procedural", bool(self.procedural))

    @property
    def n(self) -> int:
        """Members who vote."""
        return int(self.permanent.size)

    @property
    def veto(self) -> np.ndarray:
        """Who can veto this vote: the permanent members, or nobody on a procedural vote."""
        return np.zeros_like(self.permanent) if self.procedural else self.permanent

    @property
    def has_veto(self) -> bool:
        return bool(self.veto.any())

    def enough(self, yes: npt.ArrayLike) -> np.ndarray:
        """Whether ``yes`` affirmative votes meet the quota."""
        return enough(yes, self.threshold)

    def passes(self, yes: npt.ArrayLike, no: npt.ArrayLike, vetoes: npt.ArrayLike) -> np.ndarray:
        """Adopted, from counts of yes, of no, and of "no" votes cast by veto holders.

        Article 27 does not count the no votes; they are an argument so that a rule that does
        (two thirds of those present and voting) fits the same call.
        """
        del no
        return adopted(yes, vetoes, self.threshold, self.procedural)

    def vetoed(self, yes: npt.ArrayLike, vetoes: npt.ArrayLike) -> np.ndarray:
        """Enough affirmative votes, and a veto holder's "no" (UN usage of "vetoed")."""
        return vetoed(yes, vetoes, self.threshold, self.procedural)

    def pivotal_counts(self, holds_veto: bool) -> np.ndarray:
        """``out[k]``: a member's yes-or-no decides the vote when the others cast ``k`` yes
        and no veto; with a veto among the others, no member's vote decides it.

        ``k`` runs over 0..n, the length of a yes distribution, so the result indexes the
        others' distribution directly (k = n cannot happen: the others are n - 1).
        """
        k = np.arange(self.n + 1)
        zero = np.zeros_like(k)
        with_yes = self.passes(k + 1, zero, zero)
        with_no = self.passes(k, zero + 1, zero + int(holds_veto and self.has_veto))
        return with_yes != with_no

    def event_probabilities(self, yes_dist: np.ndarray, clean_dist: np.ndarray) -> EventProbabilities:
        """Outcome probabilities from P(yes = k) and P(yes = k, no permanent "no")."""
        return event_probabilities(yes_dist, clean_dist, self.threshold, self.procedural)


def enough(yes: npt.ArrayLike, threshold: npt.ArrayLike) -> np.ndarray:
    """Whether each count of affirmative votes meets the quota."""
    return np.asarray(yes) >= threshold


def adopted(yes: npt.ArrayLike, permanent_no: npt.ArrayLike, threshold: npt.ArrayLike, procedural: bool) -> np.ndarray:
    """Vectorized outcome: ``yes`` counts and ``permanent_no`` counts (or flags) per vote."""
    ok = enough(yes, threshold)
    return ok if procedural else ok & (np.asarray(permanent_no) == 0)


def vetoed(yes: npt.ArrayLike, permanent_no: npt.ArrayLike, threshold: npt.ArrayLike, procedural: bool) -> np.ndarray:
    """Vetoed: enough affirmative votes, and at least one permanent "no", on a substantive draft."""
    pn = enough(yes, threshold) & (np.asarray(permanent_no) > 0)
    return np.zeros_like(pn) if procedural else pn


@dataclass(frozen=True)
class EventProbabilities:
    """P(adopted), P(vetoed), P(short of the votes) and P(some permanent member votes no)."""

    adopted: float
    vetoed: float
    short: float
    permanent_no: float


def event_probabilities(
    yes_dist: np.ndarray, clean_dist: np.ndarray, threshold: int, procedural: bool
) -> EventProbabilities:
    """Outcome probabilities from P(yes = k) and P(yes = k, no permanent "no"), k = 0..n."""
    def unit(p: float) -> float:  # round-off of sums of products of probabilities
        return float(min(1.0, max(0.0, p)))

    enough_ = unit(yes_dist[threshold:].sum())
    short = unit(yes_dist[:threshold].sum())
    permanent_no = unit(1.0 - clean_dist.sum())
    if procedural:
        return EventProbabilities(enough_, 0.0, short, permanent_no)
    adopted_ = unit(clean_dist[threshold:].sum())
    return EventProbabilities(adopted_, unit(enough_ - adopted_), short, permanent_no)
