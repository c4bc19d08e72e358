"""The one-line verdict: every clause's number is the result's own figure (issue 16)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.assembly.api import simulate_assembly
from sim.engine import exact
from sim.engine.model import VoteModel
from sim.io.files import read_scenario
from sim.verdict import LIKELY, UNLIKELY, assembly_verdict, council_verdict, expected_yes, percent
from tests.conftest import ROOT, SCENARIOS

ASSEMBLY = sorted((ROOT / "scenarios" / "assembly").glob("*.toml"))


def _word(p: float) -> str:
    return "Likely passes" if p >= LIKELY else "Likely fails" if p <= UNLIKELY else "Could go either way"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_clause_of_a_council_verdict_is_the_results_figure(path: Path) -> None:
    result = sim.simulate(read_scenario(path), method="exact")
    v = council_verdict(result)
    f = v.figures
    assert v.text.startswith(f"{_word(result.p_adopted)} (P adopted {percent(result.p_adopted)}):")
    assert f["p_adopted"] == result.p_adopted and f["threshold"] == result.threshold
    assert f["expected_yes"] == pytest.approx(float(np.arange(result.n + 1) @ result.yes_distribution))
    if "vetoer" in f:
        m = f["vetoer"]
        assert f["p_veto"] == max(result.p_veto_by.values()) == result.p_veto_by[m]
        assert f"vetoes in {percent(f['p_veto'])} of runs" in v.text
        no = result.p_no_by[m]
        assert f["p_adopted_without_no"] == pytest.approx(result.p_adopted / (1 - no))
        assert f"it passes {percent(f['p_adopted_without_no'])} of the time" in v.text
    elif "swing" in f:
        i = result.members.index(f["swing"])
        assert f["p_decisive"] == result.pivotal[i] and f"({percent(f['p_decisive'])} of runs)" in v.text
        assert f"in {percent(result.p_short)} of runs ({f['expected_yes']:.1f} expected)" in v.text
    elif "risk" in f:
        assert f["p_no"] == max(result.p_no_by.values())
        assert f"({percent(f['p_no'])})." in v.text and f"{f['expected_yes']:.1f} yes votes expected" in v.text
    assert result.to_dict()["verdict"] == v.text


def test_without_a_no_is_the_conditional_probability_by_enumeration() -> None:
    """P(adopted | m does not vote no) = P(adopted) / (1 - P(m no)), checked by enumerating every
    profile of a five-member Council (threshold 3, two permanent members), independent votes."""
    rng = np.random.default_rng(4)
    probs = rng.dirichlet([3, 1, 1.5, 0.3], size=5)
    perm = np.array([True, True, False, False, False])
    model = VoteModel(tuple("ABCDE"), probs, perm, -np.ones(5, dtype=int), np.array([]), 0.0, 3)
    p_adopted = exact.exact_outcomes(model).p_adopted
    for m in (0, 1):
        joint = not_no = 0.0
        for profile in itertools.product(range(4), repeat=5):
            p = float(np.prod([probs[i, v] for i, v in enumerate(profile)]))
            if profile[m] == 2:
                continue
            not_no += p
            yes = profile.count(0)
            veto = any(profile[i] == 2 for i in (0, 1))
            joint += p * (yes >= 3 and not veto)
        assert joint / not_no == pytest.approx(p_adopted / (1 - probs[m, 2]), abs=1e-12)


def test_a_monte_carlo_verdict_reads_its_own_run() -> None:
    path = ROOT / "scenarios" / "ukraine_2022_russia_veto.toml"
    result = sim.simulate(read_scenario(path), draws=20_000, seed=3)
    v = council_verdict(result)
    assert v.figures["p_adopted"] == result.p_adopted
    assert expected_yes(result) == pytest.approx(v.figures["expected_yes"])


@pytest.mark.parametrize("path", ASSEMBLY, ids=lambda p: p.name)
def test_an_assembly_verdict_is_the_results_tally(path: Path) -> None:
    result = simulate_assembly(path, method="exact")
    v = assembly_verdict(result)
    t, m = result.tally(), result.margin()
    assert v.text.startswith(f"{_word(result.p_adopted)} (P adopted {percent(result.p_adopted)}):")
    assert f"{t['yes']['mean']:.0f} yes and {t['no']['mean']:.0f} no expected" in v.text
    voting = round(t["yes"]["mean"] + t["no"]["mean"])
    line = max(1, math.ceil(2 * voting / 3))  # Art. 18(2), rounded up: no question here is simple
    assert f"two thirds of those voting ({line})" in v.text
    assert f"from {m['lo']:+d} to {m['hi']:+d} yes votes (90%)" in v.text
    assert result.to_dict()["verdict"] == v.text
