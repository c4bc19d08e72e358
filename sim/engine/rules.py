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


# --- the General Assembly (Article 18) ------------------------------------------------------------

#: The two kinds of Assembly decision (Art. 18(2) and 18(3)).
QUESTIONS: tuple[str, ...] = ("important", "simple")


@dataclass(frozen=True)
class AssemblyRule:
    """Article 18 for one vote of the General Assembly.

    An **important question** (Art. 18(2): recommendations on peace and security, elections to
    the councils, admission, suspension and expulsion, budgetary questions) needs two thirds of
    the members present and voting: ``yes >= 2 * no``, with at least one yes. Other questions
    need a simple majority: ``yes > no`` (Art. 18(3)). "Present and voting" means casting yes or
    no (Rule 86 of the rules of procedure): abstentions and absences count for nothing. There is
    no veto and no permanent member.
    """

    question: str = "important"

    def __post_init__(self) -> None:
        if self.question not in QUESTIONS:
            raise ValueError(f"question must be one of {', '.join(QUESTIONS)}, got {self.question!r}")

    @property
    def important(self) -> bool:
        return self.question == "important"

    @property
    def no_weight(self) -> int:
        """How many yes votes one no outweighs: 2 on an important question, 1 on a simple one."""
        return 2 if self.important else 1

    def passes(self, yes: npt.ArrayLike, no: npt.ArrayLike) -> np.ndarray:
        """Adopted, from the counts of yes and no votes (abstentions and absences do not count)."""
        y, n = np.asarray(yes), np.asarray(no)
        if self.important:
            return (y >= 2 * n) & (y >= 1)
        return y > n

    def spare(self, yes: npt.ArrayLike, no: npt.ArrayLike) -> np.ndarray:
        """The margin: how many yes votes could turn to abstentions with the question still
        carried (negative: how many more yes votes it needs, the others unchanged).

        Important: ``yes - max(2 no, 1)``; simple: ``yes - no - 1``. Adopted iff it is >= 0.
        """
        y, n = np.asarray(yes), np.asarray(no)
        return y - np.maximum(2 * n, 1) if self.important else y - n - 1

    def pivotal_window(self) -> tuple[int, int]:
        """(lo, hi): a member's yes-or-no decides the vote iff the others' ``yes - w·no`` lies in
        [lo, hi]. Important: [-1, 1] (with the member's yes, d + 1 >= 0; with its no, d - 2 < 0,
        and a no is cast, so "at least one yes" never decides); simple: [0, 1]."""
        return (-1, 1) if self.important else (0, 1)

    def line(self, yes: npt.ArrayLike, no: npt.ArrayLike) -> np.ndarray:
        """The majority required of the members present and voting (``yes + no``): two thirds,
        rounded up, on an important question; more than half on a simple one; at least 1.
        The question is carried iff ``yes`` reaches it (93 yes, 18 no: the line is 74)."""
        y, n = np.asarray(yes), np.asarray(no)
        voting = y + n
        if self.important:
            return np.maximum(1, -(-2 * voting // 3))
        return voting // 2 + 1
