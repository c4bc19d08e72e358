"""The four ways a member can vote, in the one column order every array of votes uses.

Every (…, 4) array of vote probabilities or counts in unsc-sim has the columns of :class:`Vote`:
yes, abstain, no, absent. A member who is present casts one of the first three (:data:`CAST`).
Code that needs another order converts at its edge, from these names:

* the latent stance runs the other way, from no through abstain to yes (:data:`STANCE_ORDER`),
  which is the order of the ordered-probit categories in the calibration;
* the UN record files spell votes as the words in :data:`WORDS`.
"""

from __future__ import annotations

from enum import IntEnum


class Vote(IntEnum):
    """A member's vote; the value is its column in every vote array."""

    YES = 0
    ABSTAIN = 1
    NO = 2
    ABSENT = 3

    @property
    def word(self) -> str:
        """The vote as the records and scenario files spell it: "yes", "abstain", "no", "absent"."""
        return self.name.lower()


#: Column names of a vote array, in :class:`Vote` order.
WORDS: tuple[str, ...] = tuple(v.word for v in Vote)

#: The votes a present member casts, in :class:`Vote` order, and their words.
CAST: tuple[Vote, ...] = (Vote.YES, Vote.ABSTAIN, Vote.NO)
CAST_WORDS: tuple[str, ...] = tuple(v.word for v in CAST)

#: Cast votes along the latent stance, lowest first: no < abstain < yes.
STANCE_ORDER: tuple[Vote, ...] = (Vote.NO, Vote.ABSTAIN, Vote.YES)

#: Rank of each cast vote's word on the latent stance (no = 0, abstain = 1, yes = 2).
STANCE_RANK: dict[str, int] = {v.word: rank for rank, v in enumerate(STANCE_ORDER)}
