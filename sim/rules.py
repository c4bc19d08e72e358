"""The Charter's voting rule (Article 27), in one place.

A substantive draft is adopted iff it has at least ``threshold`` affirmative votes and no
permanent member votes no. Abstention or absence of a permanent member is not a veto.
A procedural vote needs only the affirmative votes; there is no veto.
"""

from __future__ import annotations

import numpy as np

#: The Council had 11 members (7 votes needed) through 1965, 15 (9 votes) since.
FIRST_15_MEMBER_YEAR = 1966


def adopted(yes: np.ndarray, permanent_no: np.ndarray, threshold: int, procedural: bool) -> np.ndarray:
    """Vectorized outcome: ``yes`` counts and ``permanent_no`` counts (or flags) per vote."""
    enough = np.asarray(yes) >= threshold
    if procedural:
        return enough
    return enough & (np.asarray(permanent_no) == 0)


def vetoed(permanent_no: np.ndarray, procedural: bool) -> np.ndarray:
    """At least one permanent member voted no on a substantive draft."""
    pn = np.asarray(permanent_no) > 0
    return np.zeros_like(pn) if procedural else pn


def adoption_probabilities(
    yes_dist: np.ndarray, clean_dist: np.ndarray, threshold: int, procedural: bool
) -> tuple[float, float]:
    """(P(adopted), P(vetoed)) from P(yes = k) and P(yes = k, no permanent "no"), k = 0..n."""
    if procedural:
        return float(yes_dist[threshold:].sum()), 0.0
    return float(clean_dist[threshold:].sum()), float(max(0.0, 1.0 - clean_dist.sum()))
