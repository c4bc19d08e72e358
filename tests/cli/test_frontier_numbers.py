"""The numbers of :func:`sim.api.frontier` (issue 14): Monte Carlo against exact on a small axis
scenario, the exact curves' monotonicity where theory fixes it, seeding, and the mirror image.

Tolerances: Monte Carlo and exact agree within ``K`` = 4 Monte Carlo standard errors, the
standard error of a probability ``p`` estimated from ``n`` draws being ``sqrt(p(1-p)/n)`` at
the exact ``p``. A stance is ``λ_i·A + ... + λ_i·position`` with ``A`` standard normal, so
flipping the sign of every loading and of the position gives the same distribution of every
vote: the mirrored frontier equals the original exactly (to 1e-9, quadrature rounding)."""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np
import pytest

from sim import api

#: The 2025 Council (15 members): five with votes of their own, the rest calibrated; loadings
#: of both signs, in a bloc of one sign (Russia and China) and in one of mixed signs (A3+), and
#: the file's own [correlation] (so only these loadings apply). Every loading² + common +
#: cohesion stays below 1.
AXIS = """
[scenario]
name = "Frontier numbers"
[council]
year = 2025
[draft]
position = 0.4
[votes."Russian Federation"]
yes = 0.55
abstain = 0.3
no = 0.15
[votes.China]
yes = 0.6
abstain = 0.35
no = 0.05
[votes.France]
yes = 0.5
abstain = 0.45
no = 0.05
[votes.Algeria]
yes = 0.6
abstain = 0.3
absent = 0.1
[votes.Guyana]
yes = 0.7
abstain = 0.3
[correlation]
common = 0.15
[[correlation.blocs]]
name = "Russia and China"
members = ["Russia", "China"]
cohesion = 0.25
[[correlation.blocs]]
name = "A3+"
members = ["Algeria", "Sierra Leone", "Somalia", "Guyana"]
cohesion = 0.2
[alignment]
name = "West – Russia/China"
[alignment.loadings]
"United States" = 0.5
France = 0.6
"United Kingdom" = 0.55
"Russian Federation" = -0.7
China = -0.5
Algeria = -0.3
Guyana = 0.3
"""
#: Loadings by ISO code, as the frontier's members are named.
LOADINGS = {"USA": 0.5, "FRA": 0.6, "GBR": 0.55, "RUS": -0.7, "CHN": -0.5, "DZA": -0.3, "GUY": 0.3}
POSITIONS = np.linspace(-2.0, 2.0, 9)
#: Monte Carlo: a few of the positions, a fixed seed and 40,000 draws at each.
MC_POSITIONS = [-1.0, 0.0, 1.0, 2.0]
DRAWS = 40_000
SEED = 11
K = 4.0


def _data() -> dict[str, Any]:
    return tomllib.loads(AXIS)


def _mirrored() -> dict[str, Any]:
    data = _data()
    data["alignment"]["loadings"] = {m: -v for m, v in data["alignment"]["loadings"].items()}
    data["draft"]["position"] = -data["draft"]["position"]
    return data


@pytest.fixture(scope="module")
def exact() -> api.Frontier:
    return api.frontier(_data(), POSITIONS, method="exact")


def _monte_carlo() -> api.Frontier:
    return api.frontier(_data(), MC_POSITIONS, method="monte-carlo", draws=DRAWS, seed=SEED)


def _within(mc: np.ndarray, ex: np.ndarray, what: str) -> None:
    se = np.sqrt(ex * (1.0 - ex) / DRAWS)
    z = np.abs(mc - ex) / np.maximum(se, 1e-300)
    assert np.all(np.abs(mc - ex) <= K * se), f"{what}: Monte Carlo is {z.max():.2f} standard errors off (k={K:g})"


def test_the_scenario_is_the_one_described(exact: api.Frontier) -> None:
    assert len(exact.members) == 15
    assert exact.loadings == LOADINGS
    assert exact.tabled == pytest.approx(0.4)
    assert exact.method == "exact" and exact.forecast == "marginals"
    np.testing.assert_array_equal(exact.positions, POSITIONS)


def test_monte_carlo_agrees_with_exact_within_k_standard_errors(exact: api.Frontier) -> None:
    mc = _monte_carlo()
    assert mc.draws == DRAWS and mc.seed == SEED
    rows = [int(np.flatnonzero(np.isclose(POSITIONS, x))[0]) for x in MC_POSITIONS]
    assert mc.members == exact.members
    for name in ("p_adopted", "p_vetoed", "p_short"):
        ex = getattr(exact, name)[rows]
        assert np.all((ex > 0.01) & (ex < 0.99)), f"{name} should be interior to test it: {ex}"
        _within(getattr(mc, name), ex, name)
    _within(mc.member_yes, exact.member_yes[rows], "members' P(yes)")
    # the outcomes add up, exactly and in the draws
    for f in (exact, mc):
        np.testing.assert_allclose(f.p_adopted + f.p_vetoed + f.p_short, 1.0, atol=1e-9)


def test_the_exact_curves_move_the_way_the_loadings_say(exact: api.Frontier) -> None:
    yes = exact.member_yes
    step = np.diff(yes, axis=0)  # positions x members, from each position to the next
    for i, m in enumerate(exact.members):
        loading = LOADINGS.get(m, 0.0)
        if loading > 0:
            assert np.all(step[:, i] >= -1e-12), f"{m} (loading {loading:+}): P(yes) falls: {yes[:, i]}"
            assert yes[-1, i] - yes[0, i] > 0.05, f"{m} barely moves: {yes[:, i]}"
        elif loading < 0:
            assert np.all(step[:, i] <= 1e-12), f"{m} (loading {loading:+}): P(yes) rises: {yes[:, i]}"
            assert yes[0, i] - yes[-1, i] > 0.05, f"{m} barely moves: {yes[:, i]}"
        else:  # no loading: the member keeps its numbers at every position
            np.testing.assert_allclose(yes[:, i], yes[0, i], atol=1e-9, err_msg=m)
    # at the origin every member keeps the numbers written for it
    origin = int(np.flatnonzero(np.isclose(POSITIONS, 0.0))[0])
    assert yes[origin, exact.members.index("FRA")] == pytest.approx(0.5, abs=1e-9)
    assert yes[origin, exact.members.index("RUS")] == pytest.approx(0.55, abs=1e-9)


def test_the_same_seed_gives_the_same_monte_carlo_numbers() -> None:
    a, b = _monte_carlo(), _monte_carlo()
    for name in ("p_adopted", "p_adopted_se", "p_vetoed", "p_short", "member_yes"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    other = api.frontier(_data(), MC_POSITIONS, method="monte-carlo", draws=DRAWS, seed=SEED + 1)
    assert not np.array_equal(a.p_adopted, other.p_adopted)


def test_flipping_every_loading_and_position_mirrors_the_frontier(exact: api.Frontier) -> None:
    rows = [0, 2, 4, 7]  # positions -2, -1, 0 and 1.5 (the exact grid is not cheap)
    mirror = api.frontier(_mirrored(), -POSITIONS[rows], method="exact")
    assert mirror.loadings == {m: -v for m, v in LOADINGS.items()}
    assert mirror.tabled == pytest.approx(-exact.tabled)
    assert mirror.members == exact.members
    for name in ("p_adopted", "p_vetoed", "p_short", "member_yes"):
        np.testing.assert_allclose(getattr(mirror, name), getattr(exact, name)[rows], rtol=0, atol=1e-9,
                                   err_msg=name)
