"""A priori voting power (Shapley-Shubik and Banzhaf) of Council members, in exact fractions.

The Council is a simple game: a coalition (its members vote yes, the rest no) wins iff the
voting rule (:class:`sim.engine.rules.VotingRule`) adopts the text. Members with the same role are
symmetric, so swings are counted by the number of permanent and elected members in a coalition.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb, factorial
from typing import TYPE_CHECKING

import numpy as np

from sim.scenario.council import Council

if TYPE_CHECKING:
    from sim.engine.rules import VotingRule

__all__ = ["PowerIndices", "voting_power"]


@dataclass(frozen=True)
class PowerIndices:
    """Power indices per member code; Shapley-Shubik and normalised Banzhaf each sum to 1."""

    shapley_shubik: dict[str, Fraction]
    banzhaf: dict[str, Fraction]
    banzhaf_absolute: dict[str, Fraction]


@dataclass(frozen=True)
class _RoleCounts:
    """Pivot and swing counts for one member of a given role."""

    shapley_shubik: Fraction
    swings: int


def _role_counts(n_perm: int, n_elected: int, is_perm: bool, rule: VotingRule) -> _RoleCounts:
    """Count a member's Shapley-Shubik pivot share and Banzhaf swings by coalition make-up."""
    n = n_perm + n_elected
    other_perm = n_perm - 1 if is_perm else n_perm
    other_elected = n_elected if is_perm else n_elected - 1

    def wins(perm_in: int, size: int) -> bool:
        return bool(rule.passes(np.int64(size), np.int64(n - size), np.int64(n_perm - perm_in)))

    ss = Fraction(0)
    swings = 0
    for a in range(other_perm + 1):
        for b in range(other_elected + 1):
            size = a + b
            if wins(a, size) or not wins(a + int(is_perm), size + 1):
                continue
            count = comb(other_perm, a) * comb(other_elected, b)
            swings += count
            ss += Fraction(count * factorial(size) * factorial(n - size - 1), factorial(n))
    return _RoleCounts(shapley_shubik=ss, swings=swings)


def voting_power(council: Council, procedural: bool = False) -> PowerIndices:
    """Return exact power indices; `procedural` drops the veto so only the quota matters."""
    n_perm = len(council.permanent)
    n_elected = council.size - n_perm
    rule = council.rule(procedural)
    by_role = {
        role: _role_counts(n_perm, n_elected, role, rule)
        for role in (True, False)
        if (n_perm if role else n_elected) > 0
    }
    role_of = {m: m in council.permanent for m in council.members}
    total_swings = sum(by_role[role_of[m]].swings for m in council.members)
    half_space = 2 ** (council.size - 1)
    return PowerIndices(
        shapley_shubik={m: by_role[role_of[m]].shapley_shubik for m in council.members},
        banzhaf={
            m: Fraction(by_role[role_of[m]].swings, total_swings) for m in council.members
        },
        banzhaf_absolute={
            m: Fraction(by_role[role_of[m]].swings, half_space) for m in council.members
        },
    )
