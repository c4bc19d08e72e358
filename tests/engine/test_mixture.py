"""Hurdle mixtures (sim/engine/mixture.py, mixture_montecarlo.py) against enumeration, the plain
model, the calibrated forecasts' formula, and each other.

Exact: to 1e-10 against brute-force enumeration of every vote profile (independent votes, and
correlated votes under the same quadrature grid). Monte Carlo: every cell of every statistic
within K = 4 standard errors sqrt(p(1-p)/N) of the exact p (floored at 1/N), the tolerance of
tests/engine/test_montecarlo.py; one cell fails by chance with probability about 6e-5, and the
15-member tally has a few hundred cells with non-negligible mass.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import fields

import numpy as np
import pytest

from sim.engine import exact
from sim.engine.exact import ExactOutcome, event_probabilities_unanimous, profile_probability
from sim.engine.mixture import Hurdle, MixtureModel, exact_mixture
from sim.engine.mixture_montecarlo import run_mixture
from sim.engine.model import VoteModel
from sim.engine.montecarlo import CHUNK, Counts
from tests.conftest import random_model
from tests.engine.test_exact import all_profiles, brute_force, grid_weights, independent_weights

YES, ABSTAIN, NO, ABSENT = range(4)
K = 4.0


def on_council(like: VoteModel, model: VoteModel) -> VoteModel:
    """``model``'s probabilities and correlation on ``like``'s members and rule."""
    return VoteModel(like.members, model.probs, like.permanent, model.bloc, model.cohesion, model.common,
                     like.threshold, like.procedural)


def assert_outcomes_close(a: ExactOutcome, b: ExactOutcome, tol: float) -> None:
    for f in fields(ExactOutcome):
        np.testing.assert_allclose(getattr(a, f.name), getattr(b, f.name), atol=tol, rtol=0, err_msg=f.name)


def small_mixture(seed: int, procedural: bool, common: float = 0.0, cohesion: tuple[float, ...] = ()) -> MixtureModel:
    """Three hurdles on a 5-member Council, with consensus vectors that abstain and are absent.

    Member 4 never casts a yes or a no in component 0's contested model (its consensus there is
    yes), and member 3 casts nothing anywhere: its pivotal probability is 0.
    """
    rng = np.random.default_rng(seed)
    models = [random_model(rng, 5, 2, common=common, cohesion=cohesion, threshold=3, procedural=procedural)
              for _ in range(3)]
    models = [models[0]] + [on_council(models[0], m) for m in models[1:]]
    for h, m in enumerate(models):
        probs = m.probs.copy()
        probs[3] = [0.0, 0.8, 0.0, 0.2]
        if h == 0:
            probs[4] = [0.0, 0.7, 0.0, 0.3]
        models[h] = m.with_probs(probs)
    return MixtureModel((
        Hurdle(0.5, 0.7, models[0], (YES, YES, YES, ABSTAIN, YES)),
        Hurdle(0.3, 0.4, models[1], (YES, ABSTAIN, NO, ABSTAIN, ABSENT)),
        Hurdle(0.2, 1.0, models[2], (NO, NO, NO, ABSENT, NO)),
    ))


def enumerated(mix: MixtureModel, weights_of: object) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every statistic from the mixture's probability of each of the 4^n profiles."""
    profiles = all_profiles(mix.n)
    w = np.zeros(len(profiles))
    for comp in mix.components:
        pm = weights_of(comp.contested, profiles)  # type: ignore[operator]
        is_c = np.all(profiles == comp.votes, axis=1)
        p_c = pm[is_c].sum()
        q = comp.p_contested
        w += comp.weight * ((1 - q) * is_c + q * np.where(is_c, 0.0, pm) / (1 - p_c))
    member = np.stack([w @ (profiles == v) for v in range(4)], axis=1)
    # brute_force reads who never casts a yes or a no from the model's probabilities: the mixture's
    return brute_force(mix.model.with_probs(member), w, profiles), member


def assert_matches_enumeration(o: ExactOutcome, ref: dict[str, np.ndarray], member: np.ndarray) -> None:
    got = {"adopted": o.p_adopted, "vetoed": o.p_vetoed, "short": o.p_short, "permanent_no": o.p_permanent_no,
           "yes": o.yes_distribution, "tally": o.tally, "pivotal": o.pivotal, "veto_by": o.veto_by,
           "pairwise": o.pairwise_agreement}
    for name, value in got.items():
        np.testing.assert_allclose(np.atleast_1d(value), ref[name], atol=1e-10, rtol=0, err_msg=name)
    np.testing.assert_allclose(o.member_votes, member, atol=1e-10, rtol=0)
    assert o.pivotal[3] == 0.0 and o.pivotal[4] > 0.0


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("procedural", [False, True])
def test_exact_mixture_matches_enumeration_of_independent_votes(seed: int, procedural: bool) -> None:
    mix = small_mixture(seed, procedural)
    ref, member = enumerated(mix, lambda m, prof: independent_weights(m.probs, prof))
    assert_matches_enumeration(exact_mixture(mix), ref, member)


@pytest.mark.parametrize(("common", "cohesion"), [(0.4, ()), (0.3, (0.5,)), (1.0, ())])
def test_exact_mixture_matches_enumeration_on_the_same_grid(common: float, cohesion: tuple[float, ...]) -> None:
    mix = small_mixture(7, False, common, cohesion)
    ref, member = enumerated(mix, lambda m, prof: grid_weights(m, exact.grid(m), prof))
    assert_matches_enumeration(exact_mixture(mix), ref, member)


@pytest.mark.parametrize("can_be_absent", [False, True])
def test_one_contested_component_with_an_impossible_consensus_is_the_plain_model(can_be_absent: bool) -> None:
    """Consensus "all absent": probability 0, or a product of 15 absence probabilities."""
    model = random_model(np.random.default_rng(4), 15, 5, common=0.3, cohesion=(0.3,), absent=can_be_absent)
    consensus = (ABSENT,) * 15
    p_c = profile_probability(model, consensus)
    assert (0 < p_c < 1e-13) if can_be_absent else p_c == 0.0
    mix = MixtureModel((Hurdle(1.0, 1.0, model, consensus),))
    assert_outcomes_close(exact_mixture(mix), exact.exact_outcomes(model), 1e-12)


@pytest.mark.parametrize("q", [0.0, 0.3, 1.0])
def test_p_adopted_is_the_event_forecast_formula(q: float) -> None:
    """sim/calibration/event_forecast.py: (1 - q) + q·max(ca - c15, 0)/(1 - c15), and q·cv/(1 - c15)."""
    model = random_model(np.random.default_rng(5), 15, 5, common=0.4, cohesion=(0.2, 0.3), absent=False)
    ca, cv, c15 = event_probabilities_unanimous(model)
    assert abs(profile_probability(model, (YES,) * 15) - c15) < 1e-15
    o = exact_mixture(MixtureModel((Hurdle(1.0, q, model),)))
    assert abs(o.p_adopted - ((1 - q) + q * max(ca - c15, 0.0) / (1 - c15))) < 1e-12
    assert abs(o.p_vetoed - q * cv / (1 - c15)) < 1e-12


def council_mixture() -> MixtureModel:
    """Three correlated hurdles on a 15-member Council, one with a consensus that abstains and
    is absent, one always contested."""
    base = random_model(np.random.default_rng(1), 15, 5, common=0.3, cohesion=(0.25, 0.4))
    two = on_council(base, random_model(np.random.default_rng(2), 15, 5, common=0.6, cohesion=(0.2,)))
    three = on_council(base, random_model(np.random.default_rng(3), 15, 5, common=0.1))
    consensus = [YES] * 15
    consensus[3], consensus[7] = ABSTAIN, ABSENT
    return MixtureModel((Hurdle(0.5, 0.6, base), Hurdle(0.3, 0.8, two, tuple(consensus)), Hurdle(0.2, 1.0, three)))


def cells(c: Counts, o: ExactOutcome) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each statistic's Monte Carlo estimate and exact value."""
    d = c.draws
    pairs = {
        "p_adopted": (c.adopted, o.p_adopted), "p_vetoed": (c.vetoed, o.p_vetoed), "p_short": (c.short, o.p_short),
        "p_permanent_no": (c.permanent_no, o.p_permanent_no), "yes_distribution": (c.yes_hist, o.yes_distribution),
        "tally": (c.tally, o.tally), "member_votes": (c.member, o.member_votes), "pivotal": (c.pivotal, o.pivotal),
        "pairwise_agreement": (c.agree, o.pairwise_agreement), "veto_by": (c.veto_by, o.veto_by),
    }
    return {k: (np.asarray(n) / d, np.asarray(p, dtype=float)) for k, (n, p) in pairs.items()}


def standard_errors(c: Counts, o: ExactOutcome) -> dict[str, float]:
    """Largest |MC - exact| of each statistic, in standard errors (floored at 1/N)."""
    out = {}
    for name, (est, p) in cells(c, o).items():
        se = np.maximum(np.sqrt(p * (1 - p) / c.draws), 1.0 / c.draws)
        out[name] = float(np.max(np.abs(est - p) / se))
    return out


def test_monte_carlo_agrees_with_exact_for_every_statistic() -> None:
    mix = council_mixture()
    c = run_mixture(mix, 200_000, seed=3)
    assert c.draws == 200_000 and c.adopted + c.vetoed + c.short == c.draws
    worst = standard_errors(c, exact_mixture(mix))
    assert all(z <= K for z in worst.values()), worst


def test_contested_draws_are_never_the_consensus() -> None:
    """Always contested, P(unanimous yes) about 0.9: the rejection step leaves no unanimous draw."""
    probs = np.tile([0.995, 0.003, 0.002, 0.0], (15, 1))
    model = VoteModel(tuple(f"M{i:02d}" for i in range(15)), probs, np.arange(15) < 5, -np.ones(15, int),
                      np.zeros(0), 0.5, 9)
    assert 0.85 < profile_probability(model, (YES,) * 15) < 0.999
    mix = MixtureModel((Hurdle(1.0, 1.0, model),))
    c = run_mixture(mix, 2 * CHUNK, seed=1)
    assert c.yes_hist[15] == 0
    assert max(standard_errors(c, exact_mixture(mix)).values()) <= K


def _counts_equal(a: Counts, b: Counts) -> None:
    for f in fields(Counts):
        np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name), err_msg=f.name)


def test_identical_for_any_pool() -> None:
    mix = council_mixture()
    draws = 3 * CHUNK + 77
    done: list[int] = []
    serial = run_mixture(mix, draws, seed=42, progress=done.append)
    assert sum(done) == draws
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = run_mixture(mix, draws, seed=42, pool=pool)
    with ProcessPoolExecutor(max_workers=2) as ppool:
        processes = run_mixture(mix, draws, seed=42, pool=ppool)
    _counts_equal(serial, threaded)
    _counts_equal(serial, processes)
    assert run_mixture(mix, draws, seed=43).tally.tolist() != serial.tally.tolist()


def certain_yes(n: int = 5) -> VoteModel:
    return VoteModel(tuple(f"M{i}" for i in range(n)), np.tile([1.0, 0, 0, 0], (n, 1)), np.arange(n) < 2,
                     -np.ones(n, int), np.zeros(0), 0.2, 3)


def test_a_certain_consensus_cannot_be_conditioned_away() -> None:
    model = certain_yes()
    with pytest.raises(ValueError, match="mixture component 1: its contested model gives the consensus"):
        exact_mixture(MixtureModel((Hurdle(0.5, 0.5, model, (NO,) * 5), Hurdle(0.5, 0.5, model))))
    with pytest.raises(ValueError, match="mixture component 0: its contested model gives the consensus"):
        run_mixture(MixtureModel((Hurdle(1.0, 0.2, model),)), 100, seed=0)
    # never contested: the consensus alone, no conditioning needed
    o = exact_mixture(MixtureModel((Hurdle(1.0, 0.0, model),)))
    assert o.p_adopted == 1.0 and o.yes_distribution[5] == 1.0
    assert run_mixture(MixtureModel((Hurdle(1.0, 0.0, model),)), 100, seed=0).adopted == 100


def test_bad_mixtures_are_refused() -> None:
    model = certain_yes()
    other = VoteModel(tuple(f"X{i}" for i in range(5)), model.probs, model.permanent, model.bloc,
                      model.cohesion, model.common, model.threshold)
    with pytest.raises(ValueError, match="mixture weights must sum to 1"):
        MixtureModel((Hurdle(0.5, 0.5, model), Hurdle(0.4, 0.5, model)))
    with pytest.raises(ValueError, match="mixture component 1 has other members than component 0"):
        MixtureModel((Hurdle(0.5, 0.5, model), Hurdle(0.5, 0.5, other)))
    with pytest.raises(ValueError, match="mixture component 1 has other permanent members"):
        MixtureModel((Hurdle(0.5, 0.5, model), Hurdle(0.5, 0.5, VoteModel(
            model.members, model.probs, np.arange(5) < 1, model.bloc, model.cohesion, model.common, 3))))
    with pytest.raises(ValueError, match="mixture component 1 has another voting rule"):
        MixtureModel((Hurdle(0.5, 0.5, model), Hurdle(0.5, 0.5, VoteModel(
            model.members, model.probs, model.permanent, model.bloc, model.cohesion, model.common, 4))))
    with pytest.raises(ValueError, match="a mixture needs at least one component"):
        MixtureModel(())
    with pytest.raises(ValueError, match=r"p_contested must be in \[0, 1\], got 1.5"):
        Hurdle(1.0, 1.5, model)
    with pytest.raises(ValueError, match=r"weight must be finite and >= 0, got -0\.1"):
        Hurdle(-0.1, 0.5, model)
    with pytest.raises(ValueError, match=r"consensus needs one vote code 0..3 per member \(5\)"):
        Hurdle(1.0, 0.5, model, (YES,) * 4)
    with pytest.raises(ValueError, match=r"consensus needs one vote code 0..3 per member \(5\)"):
        Hurdle(1.0, 0.5, model, (YES, YES, YES, YES, 4))
    with pytest.raises(ValueError, match=r"a vote profile needs one code 0..3 per member \(5\)"):
        profile_probability(model, (YES,) * 6)
