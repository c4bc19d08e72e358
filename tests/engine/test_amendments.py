"""Amendments voted before the draft: exact path probabilities against Monte Carlo.

Tolerance: 4 Monte Carlo standard errors sqrt(p(1-p)/N) of the exact value (floored at 1/N).
Scenarios give every member explicit probabilities (calibrator=None), so the model is fixed.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import sim
from sim.api import model_spec
from sim.engine import exact
from sim.engine.amendments import VoteSequence

MEMBERS = ["USA", "GBR", "FRA", "RUS", "CHN", "BRA", "IND", "KEN", "MEX", "NOR", "IRL", "GAB", "GHA", "ALB", "ARE"]


def scenario(amendments: list[dict[str, Any]], common: float = 0.2) -> dict[str, Any]:
    rng = np.random.default_rng(4)
    votes = {}
    for m in MEMBERS:
        p = rng.dirichlet([6, 2, 1])
        votes[m] = {"yes": float(p[0]), "abstain": float(p[1]), "no": 1.0 - float(p[0]) - float(p[1])}
    return {
        "scenario": {"name": "amendments"},
        "council": {"year": 2022},
        "votes": votes,
        "correlation": {"common": common, "blocs": [{"name": "P3", "members": ["USA", "GBR", "FRA"], "cohesion": 0.4}]},
        "amendments": amendments,
    }


TWO = [
    {
        "name": "A1",
        "votes": {"RUS": {"yes": 0.9, "abstain": 0.1}, "USA": {"yes": 0.5, "no": 0.5}},
        "effect": {"RUS": {"yes": 0.7, "abstain": 0.3}, "CHN": {"shift": 1.0}},
    },
    {
        "name": "A2",
        "procedural": True,
        "votes": {"BRA": {"no": 1.0}},
        "effect": {"USA": {"no": 0.6, "abstain": 0.4}},
    },
]


def within(est: float, p: float, n: int, k: float = 4.0) -> bool:
    return abs(est - p) <= k * max(np.sqrt(p * (1 - p) / n), 1.0 / n)


def test_exact_and_monte_carlo_agree_on_every_path() -> None:
    data = scenario(TWO)
    ex = sim.simulate(data, method="exact", calibrator=None)
    draws = 200_000
    mc = sim.simulate(data, draws=draws, seed=5, calibrator=None)
    assert ex.amendments is not None and mc.amendments is not None
    assert sum(ex.amendments.paths.values()) == pytest.approx(1.0, abs=1e-12)
    assert sum(mc.amendments.paths.values()) == pytest.approx(1.0, abs=1e-12)
    assert set(ex.amendments.paths) == set(mc.amendments.paths)
    for path, p in ex.amendments.paths.items():
        assert within(mc.amendments.paths[path], p, draws), path
    for p_ex, p_mc in zip(ex.amendments.p_adopted, mc.amendments.p_adopted, strict=True):
        assert within(p_mc, p_ex, draws)
    assert within(mc.p_adopted, ex.p_adopted, draws)
    assert within(mc.p_vetoed, ex.p_vetoed, draws)
    # conditional on each amendment's outcome: standard error of the conditioning subsample
    for j, (given_ex, given_mc) in enumerate(zip(ex.amendments.p_draft_given, mc.amendments.p_draft_given,
                                                 strict=True)):
        p_amend = ex.amendments.p_adopted[j]
        for k, (a, b) in enumerate(zip(given_ex, given_mc, strict=True)):
            n = int(draws * (p_amend if k == 0 else 1 - p_amend))
            if a is not None and n > 1000:
                assert b is not None and within(b, a, n)
    # the draft's adoption is the path mixture
    draft_adopted = sum(p for path, p in ex.amendments.paths.items() if path.draft)
    assert ex.p_adopted == pytest.approx(draft_adopted, abs=1e-12)


def test_first_amendment_probability_is_its_own_vote() -> None:
    data = scenario(TWO)
    spec = model_spec(data, calibrator=None)
    probs = spec.model.probs.copy()
    rus = spec.model.members.index("RUS")
    usa = spec.model.members.index("USA")
    probs[rus] = [0.9, 0.1, 0.0, 0.0]
    probs[usa] = [0.5, 0.0, 0.5, 0.0]
    expected, _ = exact.event_probabilities(spec.model.with_probs(probs))
    ex = sim.simulate(data, method="exact", calibrator=None)
    assert ex.amendments is not None
    assert ex.amendments.p_adopted[0] == pytest.approx(expected, abs=1e-12)


def test_certain_amendment_applies_its_effect() -> None:
    certain = [{"name": "sure", "votes": {m: {"yes": 1.0} for m in MEMBERS},
                "effect": {"RUS": {"no": 1.0}}}]
    with_amendment = sim.simulate(scenario(certain), method="exact", calibrator=None)
    direct = copy.deepcopy(scenario([]))
    direct["votes"]["RUS"] = {"no": 1.0}
    assert with_amendment.amendments is not None
    assert with_amendment.amendments.p_adopted[0] == pytest.approx(1.0, abs=1e-12)
    assert with_amendment.p_adopted == pytest.approx(0.0, abs=1e-15)  # Russia's certain veto
    assert with_amendment.p_adopted == pytest.approx(sim.simulate(direct, method="exact", calibrator=None).p_adopted)


def test_failed_amendment_leaves_the_draft_alone() -> None:
    vetoed = [{"name": "vetoed", "votes": {"CHN": {"no": 1.0}}, "effect": {"USA": {"no": 1.0}}}]
    with_amendment = sim.simulate(scenario(vetoed), method="exact", calibrator=None)
    plain = sim.simulate(scenario([]), method="exact", calibrator=None)
    assert with_amendment.amendments is not None
    assert with_amendment.amendments.p_adopted[0] == 0.0
    assert with_amendment.p_adopted == pytest.approx(plain.p_adopted, abs=1e-12)
    np.testing.assert_allclose(with_amendment.yes_distribution, plain.yes_distribution, atol=1e-12)


def test_monte_carlo_sequence_is_identical_across_workers() -> None:
    data = scenario(TWO)
    serial = sim.simulate(data, draws=50_000, seed=11, calibrator=None)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parallel = sim.simulate(data, draws=50_000, seed=11, calibrator=None, pool=pool)
    assert serial.to_dict() == parallel.to_dict()


# --- Art. 27(3): a party to the dispute abstains on every substantive vote of the sequence ------

def with_party(amendments: list[dict[str, Any]], procedural_draft: bool = False) -> dict[str, Any]:
    data = scenario(amendments)
    data["council"]["parties_to_dispute"] = ["RUS"]
    data["draft"] = {"procedural": procedural_draft}
    return data


def party_row(model: Any) -> np.ndarray:
    return np.asarray(model.probs[model.members.index("RUS")])


def test_party_abstains_on_a_substantive_amendment_whatever_its_votes_table() -> None:
    amend = [{"name": "A", "votes": {"RUS": {"no": 1.0}}}]
    seq = VoteSequence.from_spec(model_spec(with_party(amend), calibrator=None))
    np.testing.assert_allclose(party_row(seq.amendment_model(0, ())), [0.0, 1.0, 0.0, 0.0])
    p_amend, _ = exact.event_probabilities(seq.amendment_model(0, ()))
    assert p_amend > 0.0  # no veto by the party


def test_party_votes_freely_on_a_procedural_amendment() -> None:
    amend = [{"name": "A", "procedural": True, "votes": {"RUS": {"no": 0.6, "yes": 0.4}}}]
    seq = VoteSequence.from_spec(model_spec(with_party(amend), calibrator=None))
    np.testing.assert_allclose(party_row(seq.amendment_model(0, ())), [0.4, 0.0, 0.6, 0.0])
    np.testing.assert_allclose(party_row(seq.draft_model((False,))), [0.0, 1.0, 0.0, 0.0])


def test_amendment_effect_cannot_make_a_party_veto_the_draft() -> None:
    amend = [{"name": "A", "votes": {m: {"yes": 1.0} for m in MEMBERS}, "effect": {"RUS": {"no": 1.0}}}]
    spec = model_spec(with_party(amend), calibrator=None)
    seq = VoteSequence.from_spec(spec)
    after = seq.draft_model((True,))
    np.testing.assert_allclose(party_row(after), [0.0, 1.0, 0.0, 0.0])
    assert exact.event_probabilities(after)[0] == pytest.approx(exact.event_probabilities(spec.model)[0], abs=1e-12)


def test_substantive_amendment_to_a_procedural_draft_binds_the_party() -> None:
    amend = [{"name": "A", "votes": {"RUS": {"no": 1.0}}, "effect": {"RUS": {"no": 0.5, "yes": 0.5}}}]
    spec = model_spec(with_party(amend, procedural_draft=True), calibrator=None)
    seq = VoteSequence.from_spec(spec)
    assert spec.provenance["RUS"] == "user"
    np.testing.assert_allclose(party_row(seq.amendment_model(0, ())), [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(party_row(seq.draft_model((True,))), [0.5, 0.0, 0.5, 0.0])
    np.testing.assert_allclose(party_row(seq.draft_model((False,))), party_row(spec.model))
