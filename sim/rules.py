"""The Charter's voting rule (Article 27), in one place.

A substantive draft is adopted iff it has at least ``threshold`` affirmative votes and no
permanent member votes no. Abstention or absence of a permanent member is not a veto.
A procedural vote needs only the affirmative votes; there is no veto.

Outcome words follow UN usage (the Dag Hammarskjöld Library's veto list): a substantive draft is
**vetoed** when it has the required affirmative votes and a permanent member votes no; a draft
short of the votes **failed**, whoever voted no. Adopted, vetoed and short partition the outcomes
of every substantive vote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The Council had 11 members (7 votes needed) through 1965, 15 (9 votes) since.
FIRST_15_MEMBER_YEAR = 1966


def adopted(yes: np.ndarray, permanent_no: np.ndarray, threshold: int, procedural: bool) -> np.ndarray:
    """Vectorized outcome: ``yes`` counts and ``permanent_no`` counts (or flags) per vote."""
    enough = np.asarray(yes) >= threshold
    if procedural:
        return enough
    return enough & (np.asarray(permanent_no) == 0)


def vetoed(yes: np.ndarray, permanent_no: np.ndarray, threshold: int, procedural: bool) -> np.ndarray:
    """Vetoed: enough affirmative votes, and at least one permanent "no", on a substantive draft."""
    pn = (np.asarray(yes) >= threshold) & (np.asarray(permanent_no) > 0)
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

    enough = unit(yes_dist[threshold:].sum())
    short = unit(yes_dist[:threshold].sum())
    permanent_no = unit(1.0 - clean_dist.sum())
    if procedural:
        return EventProbabilities(enough, 0.0, short, permanent_no)
    adopted_ = unit(clean_dist[threshold:].sum())
    return EventProbabilities(adopted_, unit(enough - adopted_), short, permanent_no)
