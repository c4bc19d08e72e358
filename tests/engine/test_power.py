"""Tests for sim.engine.power: exact Shapley-Shubik and Banzhaf indices of the Council game."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from itertools import combinations
from math import factorial

import pytest

from sim.engine.power import PowerIndices, voting_power
from sim.scenario.council import Council, council_for_year, explicit_council


def make_council(n_perm: int, n_elected: int, threshold: int) -> Council:
    """A synthetic council with codes P0.., E0.. (bypasses name resolution)."""
    perm = tuple(f"P{i}" for i in range(n_perm))
    elected = tuple(f"E{i:02d}" for i in range(n_elected))
    return Council(members=perm + elected, permanent=frozenset(perm), threshold=threshold)


def brute_force(council: Council, procedural: bool = False) -> PowerIndices:
    """Reference indices by enumerating every coalition (fine up to 15 members)."""
    members = council.members
    n = len(members)

    def wins(coalition: frozenset[str]) -> bool:
        vetoed = not procedural and not council.permanent <= coalition
        return len(coalition) >= council.threshold and not vetoed

    ss: dict[str, Fraction] = {}
    swings: dict[str, int] = {}
    for player in members:
        others = [m for m in members if m != player]
        ss[player], swings[player] = Fraction(0), 0
        for k in range(n):
            for subset in combinations(others, k):
                s = frozenset(subset)
                if wins(s | {player}) and not wins(s):
                    swings[player] += 1
                    ss[player] += Fraction(factorial(k) * factorial(n - k - 1), factorial(n))
    total = sum(swings.values())
    return PowerIndices(
        shapley_shubik=ss,
        banzhaf={m: Fraction(swings[m], total) for m in members},
        banzhaf_absolute={m: Fraction(swings[m], 2 ** (n - 1)) for m in members},
    )


def test_fifteen_members_exact() -> None:
    council = council_for_year(2022)
    power = voting_power(council)
    for p in council.permanent:
        assert power.shapley_shubik[p] == Fraction(421, 2145)
        assert power.banzhaf[p] == Fraction(106, 635)
    for e in council.elected:
        assert power.shapley_shubik[e] == Fraction(4, 2145)
        assert power.banzhaf[e] == Fraction(21, 1270)


def test_eleven_members_exact() -> None:
    council = council_for_year(1950)
    power = voting_power(council)
    for p in council.permanent:
        assert power.shapley_shubik[p] == Fraction(76, 385)
        assert power.banzhaf[p] == Fraction(19, 105)
    for e in council.elected:
        assert power.shapley_shubik[e] == Fraction(1, 462)
        assert power.banzhaf[e] == Fraction(1, 63)


def test_absolute_banzhaf_fifteen() -> None:
    # permanent: the other 4 P5 plus >= 4 of 10 elected, sum C(10, b) for b >= 4 = 848 swings;
    # elected: all P5 plus exactly 3 of the other 9 elected, C(9, 3) = 84; out of 2**14 coalitions
    power = voting_power(council_for_year(2022))
    assert power.banzhaf_absolute["USA"] == Fraction(848, 2**14)
    assert power.banzhaf_absolute["IND"] == Fraction(84, 2**14)


@pytest.mark.parametrize("year", [1946, 1950, 1965, 1966, 1972, 1992, 2022, 2027])
@pytest.mark.parametrize("procedural", [False, True])
def test_sums_to_one_and_keys(year: int, procedural: bool) -> None:
    council = council_for_year(year)
    power = voting_power(council, procedural=procedural)
    assert sum(power.shapley_shubik.values()) == 1
    assert sum(power.banzhaf.values()) == 1
    for index in (power.shapley_shubik, power.banzhaf, power.banzhaf_absolute):
        assert list(index) == list(council.members)
        assert all(isinstance(v, Fraction) and v > 0 for v in index.values())


@pytest.mark.parametrize("year", [1950, 2022])
def test_symmetry_and_veto_advantage(year: int) -> None:
    council = council_for_year(year)
    power = voting_power(council)
    for index in (power.shapley_shubik, power.banzhaf, power.banzhaf_absolute):
        perm = {index[m] for m in council.permanent}
        elected = {index[m] for m in council.elected}
        assert len(perm) == 1 and len(elected) == 1
        assert perm.pop() > elected.pop()


@pytest.mark.parametrize("year", [1950, 2022])
def test_procedural_is_uniform(year: int) -> None:
    council = council_for_year(year)
    power = voting_power(council, procedural=True)
    assert set(power.shapley_shubik.values()) == {Fraction(1, council.size)}
    assert set(power.banzhaf.values()) == {Fraction(1, council.size)}


@pytest.mark.parametrize(
    ("n_perm", "n_elected", "threshold"),
    [(5, 10, 9), (5, 6, 7), (0, 7, 4), (2, 3, 3), (1, 4, 5), (3, 3, 1), (4, 0, 2), (5, 4, 6)],
)
@pytest.mark.parametrize("procedural", [False, True])
def test_matches_brute_force(n_perm: int, n_elected: int, threshold: int, procedural: bool) -> None:
    council = make_council(n_perm, n_elected, threshold)
    assert voting_power(council, procedural) == brute_force(council, procedural)


def test_explicit_council_power() -> None:
    council = explicit_council(["France", "Kenya", "Ghana", "Gabon", "Mexico"], ["France"])
    power = voting_power(council)  # threshold 3: France plus any two of four
    assert power.shapley_shubik["FRA"] > power.shapley_shubik["KEN"]
    assert power == brute_force(council)


# --- oracle: the powerindex package on a weighted representation -----------------------------


def weighted_rule(weight: int, quota: int) -> Callable[[int, int], bool]:
    """Weighted game: permanent weight `weight`, elected weight 1, win iff total >= quota."""
    return lambda perms, elected: perms * weight + elected >= quota


@pytest.mark.parametrize(
    ("n_perm", "n_elected", "threshold", "weight", "quota"),
    [(5, 10, 9, 7, 39), (5, 6, 7, 5, 27)],
)
def test_weighted_representation_equals_rule(
    n_perm: int, n_elected: int, threshold: int, weight: int, quota: int
) -> None:
    """Check over all 2**n coalitions that the weighted game is the veto-plus-quota rule."""
    rule = weighted_rule(weight, quota)
    n = n_perm + n_elected
    checked = 0
    for mask in range(2**n):
        perms = bin(mask & ((1 << n_perm) - 1)).count("1")
        elected = bin(mask >> n_perm).count("1")
        unsc = perms == n_perm and perms + elected >= threshold
        assert rule(perms, elected) == unsc, (perms, elected)
        checked += 1
    assert checked == 2**n


@pytest.mark.parametrize(
    ("year", "weight", "quota"), [(2022, 7, 39), (1950, 5, 27)]
)
def test_against_powerindex(year: int, weight: int, quota: int) -> None:
    powerindex = pytest.importorskip("powerindex")
    council = council_for_year(year)
    weights = [weight if m in council.permanent else 1 for m in council.members]
    game = powerindex.Game(quota=quota, weights=weights)
    game.calc()
    power = voting_power(council)
    for i, member in enumerate(council.members):
        ss, bz = game.shapley_shubik[i], game.banzhaf[i]
        assert float(power.shapley_shubik[member]) == pytest.approx(ss, abs=1e-12)
        assert float(power.banzhaf[member]) == pytest.approx(bz, abs=1e-12)
