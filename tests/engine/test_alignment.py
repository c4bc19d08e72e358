"""Signed loadings on an alignment axis (docs/model.md, "Votes of present members").

Exact: against brute-force enumeration of every vote profile under an independent dense
Gauss–Hermite grid over (A, F, G) written here (to 1e-9), and against nested adaptive quadrature
(``scipy.integrate.quad_vec`` with the breakpoints given) at the constraint
λ² + common + cohesion = 1, where members vote by a step function of the factors (to 1e-9).
Monte Carlo: every statistic within K standard errors sqrt(p(1-p)/N) of the exact value, the
tolerance of tests/engine/test_montecarlo.py (K = 4 per cell; with a few hundred cells per test
a chance failure has probability about 1e-2 per model, so the loops use K = 5, about 1e-4).
"""

from __future__ import annotations

import dataclasses
from dataclasses import fields

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

from sim.engine import exact, montecarlo, quadrature
from sim.engine.exact import ExactOutcome
from sim.engine.mixture import Hurdle, MixtureModel, exact_mixture
from sim.engine.mixture_montecarlo import run_mixture
from sim.engine.model import VoteModel
from sim.scenario.build import shift_probs
from tests.conftest import random_model
from tests.engine.test_exact import _outcomes_given, all_profiles, brute_force

YES, ABSTAIN, NO, ABSENT = range(4)
K = 5.0


def with_axis(model: VoteModel, lam: np.ndarray | list[float]) -> VoteModel:
    return dataclasses.replace(model, alignment=np.asarray(lam, dtype=float), axis_name="West")


def at_constraint(model: VoteModel, lam: np.ndarray) -> np.ndarray:
    """Loadings of ``lam``'s signs with λ² + common + cohesion = 1 (deterministic members)."""
    _, b, _ = model.loadings()
    return np.sign(lam) * np.sqrt(np.clip(1.0 - model.common - b * b, 0.0, None))


# --- an independent reference: a dense Gauss–Hermite grid over A, F and one bloc's G ------------


def hermite_profile_weights(model: VoteModel, profiles: np.ndarray, k: int = 60) -> np.ndarray:
    """P(profile) by a k³ Gauss–Hermite product grid over (A, F, G) (one bloc at most)."""
    x, w = np.polynomial.hermite_e.hermegauss(k)
    w = w / np.sqrt(2 * np.pi)
    a, b, c = model.loadings()
    lam = model.alignment
    t1, t2 = model.thresholds()
    A, F, G = (v.ravel() for v in np.meshgrid(x, x, x, indexing="ij"))
    W = np.einsum("i,j,k->ijk", w, w, w).ravel()
    s = lam * A[:, None] + a * F[:, None] + b * G[:, None]  # (P, n)
    p_no = norm.cdf((t1 - s) / c)
    p_not_yes = norm.cdf((t2 - s) / c)
    present = 1 - model.probs[:, ABSENT]
    probs = np.stack([present * (1 - p_not_yes), present * (p_not_yes - p_no), present * p_no,
                      np.broadcast_to(model.probs[:, ABSENT], s.shape)], axis=2)  # (P, n, 4)
    out = np.zeros(len(profiles))
    for lo in range(0, len(W), 20_000):
        sl = slice(lo, lo + 20_000)
        per = np.prod(probs[sl][:, np.arange(model.n)[None, :], profiles], axis=2)  # (p, profiles)
        out += W[sl] @ per
    return out


def small_model(seed: int, lam: list[float], common: float, cohesion: float) -> VoteModel:
    rng = np.random.default_rng(seed)
    model = random_model(rng, 5, 2, common=common, cohesion=(cohesion,), threshold=3)
    return with_axis(model, lam)


@pytest.mark.parametrize(("seed", "lam", "common", "cohesion"), [
    (0, [0.5, -0.5, 0.3, -0.2, 0.0], 0.2, 0.3),
    (1, [0.6, 0.6, -0.6, 0.4, -0.1], 0.1, 0.2),
    (2, [-0.7, 0.2, 0.7, 0.0, 0.5], 0.0, 0.25),
    (3, [0.3, -0.3, 0.3, -0.3, 0.3], 0.4, 0.0),
])
def test_exact_matches_enumeration_under_an_independent_grid(seed: int, lam: list[float], common: float,
                                                              cohesion: float) -> None:
    model = small_model(seed, lam, common, cohesion)
    profiles = all_profiles(model.n)
    ref = brute_force(model, hermite_profile_weights(model, profiles), profiles)
    o = exact.exact_outcomes(model)
    got = {"adopted": [o.p_adopted], "vetoed": [o.p_vetoed], "short": [o.p_short],
           "permanent_no": [o.p_permanent_no], "yes": o.yes_distribution, "tally": o.tally,
           "pivotal": o.pivotal, "pairwise": o.pairwise_agreement, "veto_by": o.veto_by}
    for key, value in got.items():
        np.testing.assert_allclose(value, ref[key], atol=1e-9, rtol=0, err_msg=key)
    assert exact.event_probabilities(model) == pytest.approx((o.p_adopted, o.p_vetoed), abs=1e-12)
    votes = profiles[17]
    assert exact.profile_probability(model, votes) == pytest.approx(
        hermite_profile_weights(model, votes[None, :])[0], abs=1e-9)


# --- at the constraint: nested adaptive quadrature over A and F ----------------------------------


def adaptive_axis_reference(model: VoteModel) -> np.ndarray:
    """(adopted, vetoed, short, permanent no) by adaptive quadrature over A, then F given A
    (members in no bloc), the breakpoints given: where a member's vote turns."""
    a, _, _ = model.loadings()
    lam = model.alignment
    t1, t2 = model.thresholds()
    a0 = float(a[0])

    def quad(fn, points):  # type: ignore[no-untyped-def]
        pts = sorted({float(p) for p in points if np.isfinite(p) and abs(p) < 8.4})
        value, _ = integrate.quad_vec(lambda x: fn(x) * norm.pdf(x), -8.5, 8.5, points=pts or None,
                                      epsabs=1e-13, epsrel=1e-12, limit=4000)
        return np.asarray(value)

    def given_a(x: float) -> np.ndarray:
        if a0 == 0:
            return _outcomes_given(model, lam * x)
        return quad(lambda f: _outcomes_given(model, lam * x + a * f), np.r_[t1 - lam * x, t2 - lam * x] / a0)

    with np.errstate(divide="ignore", invalid="ignore"):
        points = np.r_[t1, t2] / np.r_[lam, lam]
    return quad(given_a, points)


@pytest.mark.parametrize(("seed", "common"), [(0, 0.0), (1, 0.36), (2, 0.8)])
def test_exact_at_the_constraint_agrees_with_adaptive_integration(seed: int, common: float) -> None:
    """λ² + common = 1 for every member (no blocs): each vote is a step in (A, F)."""
    rng = np.random.default_rng(40 + seed)
    model = random_model(rng, 5, 2, common=common, threshold=3)
    lam = np.sqrt(1 - common) * np.array([1, -1, 1, -1, 1]) * np.array([1, 1, 0.5, 1, 1])
    lam[2] = -np.sqrt(1 - common)  # every member at the constraint, signs mixed
    model = with_axis(model, lam)
    o = exact.exact_outcomes(model)
    got = np.array([o.p_adopted, o.p_vetoed, o.p_short, o.p_permanent_no])
    np.testing.assert_allclose(got, adaptive_axis_reference(model), atol=1e-9, rtol=0)


def test_marginals_are_reproduced_at_every_loading() -> None:
    rng = np.random.default_rng(3)
    base = random_model(rng, 15, 5, common=0.2, cohesion=(0.3, 0.2))
    small = random_model(rng, 5, 2, common=0.2, cohesion=(0.3,))
    # (at the constraint with mixed signs the grid is large, so built in runs: docs/model.md)
    for model in (with_axis(base, rng.uniform(-0.6, 0.6, 15)),
                  with_axis(small, at_constraint(small, rng.uniform(-1, 1, 5))),
                  with_axis(base, np.r_[np.full(5, 0.6), np.full(10, -0.3)])):
        marg = np.zeros((model.n, 4))
        for q in exact.grid(model).split(quadrature.RUN_NODES):
            for grp in q.groups:
                marg[grp.members] += np.einsum("gmv,g->mv", grp.probs, grp.node_weights(q.weights))
        np.testing.assert_allclose(marg, model.probs, atol=1e-12)
        o = exact.exact_outcomes(model)
        assert o.tally.sum() == pytest.approx(1.0, abs=1e-12)
        assert o.p_adopted + o.p_vetoed + o.p_short == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("cohesion", [(), (0.3, 0.2)])
def test_the_grid_at_the_constraint_with_mixed_signs_is_bounded(cohesion: tuple[float, ...]) -> None:
    """15 members at the constraint, loadings of both signs: every crossing of two moving
    thresholds would be a breakpoint (23 million outer nodes in no bloc, 1.8 million with two
    blocs; the grid reached 16 GB). The grid stays within MAX_OUTER_NODES, is built and summed in
    runs of at most RUN_NODES, and P(adopted) agrees with Monte Carlo."""
    base = random_model(np.random.default_rng(7), 15, 5, common=0.2, cohesion=cohesion)
    model = with_axis(base, at_constraint(base, np.r_[np.ones(8), -np.ones(7)]))
    np.testing.assert_allclose(model.loadings()[2], 0.0, atol=1e-7)
    a0 = float(model.loadings()[0][0])
    alpha, _ = quadrature._axis_nodes(model, quadrature.DEFAULT_NODES)
    full = alpha.size * quadrature._axis_f_nodes(model, alpha, a0, quadrature.DEFAULT_NODES)[0].shape[1]
    assert full > 3 * quadrature.MAX_OUTER_NODES  # the cap is what bounds it
    q = exact.grid(model)
    assert q.weights.size <= quadrature.MAX_OUTER_NODES
    assert not q.groups  # built in runs only
    assert q.weights.sum() == pytest.approx(1.0, abs=1e-12)
    sizes = [part.weights.size for part in q.split(quadrature.RUN_NODES)]
    assert sum(sizes) == q.weights.size and max(sizes) <= quadrature.RUN_NODES
    adopted, vetoed = exact.event_probabilities(model)
    draws = 200_000
    c = montecarlo.run(model, draws, 3)
    for count, p in ((c.adopted, adopted), (c.vetoed, vetoed)):
        assert abs(count / draws - p) <= K * np.sqrt(p * (1 - p) / draws)


# --- Monte Carlo against exact ----------------------------------------------------------------------


def assert_mc_matches(model: VoteModel, draws: int, seed: int) -> None:
    o = exact.exact_outcomes(model)
    c = montecarlo.run(model, draws, seed)
    pairs = [(c.adopted, o.p_adopted), (c.vetoed, o.p_vetoed), (c.short, o.p_short),
             (c.permanent_no, o.p_permanent_no), (c.yes_hist, o.yes_distribution), (c.tally, o.tally),
             (c.member, o.member_votes), (c.pivotal, o.pivotal), (c.agree, o.pairwise_agreement),
             (c.veto_by, o.veto_by)]
    for count, p in pairs:
        p = np.asarray(p, dtype=float)
        se = np.sqrt(np.maximum(p * (1 - p), 1.0 / draws) / draws)
        assert np.all(np.abs(np.asarray(count) / draws - p) <= K * se + 1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_monte_carlo_matches_exact_on_random_models(seed: int) -> None:
    """Random loadings of both signs, up to and at the constraint, with blocs and absences."""
    rng = np.random.default_rng(1000 + seed)
    common = float(rng.uniform(0, 0.5))
    cohesion = tuple(float(x) for x in rng.uniform(0, 1 - common, 2) * rng.uniform(0, 1, 2))
    base = random_model(rng, 8, 3, common=common, cohesion=cohesion, threshold=5)
    room = np.sqrt(np.clip(1 - base.common - base.loadings()[1] ** 2, 0, None))
    lam = room * rng.uniform(-1, 1, base.n)
    if seed % 2:  # some members at the constraint
        at = rng.random(base.n) < 0.5
        lam[at] = np.sign(lam[at]) * room[at]
    assert_mc_matches(with_axis(base, lam), 100_000, seed)


def test_monte_carlo_matches_exact_on_the_benchmark_council() -> None:
    from benchmarks.bench_engine import axis_scenario

    assert_mc_matches(axis_scenario(), 200_000, 11)


# --- properties of the axis --------------------------------------------------------------------------


def test_flipping_every_sign_changes_nothing() -> None:
    """A → −A is a symmetry of the model: the law of the votes is the same."""
    rng = np.random.default_rng(8)
    base = random_model(rng, 9, 3, common=0.25, cohesion=(0.3,), threshold=5)
    lam = np.r_[0.6, -0.6, 0.3, -0.2, 0.0, 0.5, -0.5, 0.1, 0.4]
    o, flipped = exact.exact_outcomes(with_axis(base, lam)), exact.exact_outcomes(with_axis(base, -lam))
    for f in fields(ExactOutcome):
        np.testing.assert_allclose(getattr(o, f.name), getattr(flipped, f.name), atol=1e-12, rtol=0,
                                   err_msg=f.name)
    draws = 100_000
    a, b = montecarlo.run(with_axis(base, lam), draws, 1), montecarlo.run(with_axis(base, -lam), draws, 2)
    p = o.p_adopted
    assert abs(a.adopted - b.adopted) / draws <= K * np.sqrt(2 * p * (1 - p) / draws)


def test_a_position_shift_moves_members_by_the_sign_of_their_loading() -> None:
    """Stance U_i + λ_i·p: as p grows, P(yes) never falls for λ_i > 0 and never rises for λ_i < 0."""
    rng = np.random.default_rng(9)
    base = random_model(rng, 6, 2, common=0.2, threshold=4)
    lam = np.array([0.7, 0.3, 0.0, -0.3, -0.7, 0.5])
    previous = None
    adopted = []
    for pos in np.linspace(-2, 2, 9):
        probs = np.array([shift_probs(row, float(lam[i] * pos)) for i, row in enumerate(base.probs)])
        np.testing.assert_allclose(probs[:, ABSENT], base.probs[:, ABSENT], atol=0)
        if previous is not None:
            assert np.all(probs[lam > 0, YES] >= previous[lam > 0, YES] - 1e-15)
            assert np.all(probs[lam < 0, YES] <= previous[lam < 0, YES] + 1e-15)
            np.testing.assert_allclose(probs[lam == 0], base.probs[lam == 0], atol=1e-12)
        previous = probs
        o = exact.exact_outcomes(with_axis(base.with_probs(probs), lam))
        np.testing.assert_allclose(o.member_votes, probs, atol=1e-12)  # marginals reproduced
        adopted.append(o.p_adopted)
    # moving the text toward the members that load positively (4 of 6 count) changes P(adopted)
    assert max(adopted) - min(adopted) > 0.05


def test_zero_loadings_are_the_model_without_an_axis_to_the_bit() -> None:
    rng = np.random.default_rng(10)
    for common, cohesion in ((0.3, (0.4, 0.2)), (0.95, (0.04,)), (0.0, ())):
        base = random_model(rng, 15, 5, common=common, cohesion=cohesion)
        zero = with_axis(base, np.zeros(15))
        assert not zero.has_axis
        a, b = exact.exact_outcomes(base), exact.exact_outcomes(zero)
        for f in fields(ExactOutcome):
            np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name), err_msg=f.name)
        ca, cb = montecarlo.run(base, 20_000, 5), montecarlo.run(zero, 20_000, 5)
        for f in fields(montecarlo.Counts):
            np.testing.assert_array_equal(getattr(ca, f.name), getattr(cb, f.name), err_msg=f.name)


def test_opposite_loadings_disagree_more_than_independent_members() -> None:
    probs = np.tile([0.5, 0.2, 0.3, 0.0], (2, 1))
    base = VoteModel(("W", "E"), probs, np.zeros(2, bool), -np.ones(2, int), np.array([]), 0.0, 1)
    independent = float(np.sum(probs[0, :3] ** 2))
    assert exact.exact_outcomes(base).pairwise_agreement[0, 1] == pytest.approx(independent, abs=1e-12)
    opposite = exact.exact_outcomes(with_axis(base, [0.7, -0.7])).pairwise_agreement[0, 1]
    same = exact.exact_outcomes(with_axis(base, [0.7, 0.7])).pairwise_agreement[0, 1]
    assert opposite < independent - 0.05 < same - 0.1


def test_mixtures_with_a_contested_model_on_the_axis() -> None:
    """Exact hurdle mixtures and their Monte Carlo agree when the contested models load on A."""
    rng = np.random.default_rng(12)
    first = with_axis(random_model(rng, 6, 2, common=0.2, cohesion=(0.3,), threshold=4),
                      [0.6, -0.6, 0.3, -0.3, 0.0, 0.5])
    second = with_axis(first.with_probs(rng.dirichlet([3, 1, 1, 0.4], size=6)), [-0.7, 0.2, 0.0, 0.4, -0.4, 0.1])
    mix = MixtureModel((Hurdle(0.6, 0.7, first, (YES,) * 6),
                        Hurdle(0.4, 0.9, second, (YES, YES, ABSTAIN, YES, YES, YES))))
    o = exact_mixture(mix)
    draws = 100_000
    c = run_mixture(mix, draws, 4)
    for count, p in ((c.adopted, o.p_adopted), (c.vetoed, o.p_vetoed), (c.yes_hist, o.yes_distribution),
                     (c.member, o.member_votes), (c.agree, o.pairwise_agreement), (c.pivotal, o.pivotal)):
        p = np.asarray(p, dtype=float)
        se = np.sqrt(np.maximum(p * (1 - p), 1.0 / draws) / draws)
        assert np.all(np.abs(np.asarray(count) / draws - p) <= K * se + 1e-12)


# --- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lam", "match"), [
    ([1.2, 0, 0, 0], r"M00's alignment loading must be a number in \[-1, 1\], got 1.2"),
    ([0, -1.01, 0, 0], r"M01's alignment loading"),
    ([0, 0, float("nan"), 0], r"M02's alignment loading must be a number in \[-1, 1\], got nan"),
    ([0, 0, 0, float("inf")], r"M03's alignment loading"),
    ([0.1, 0.2, 0.3], r"alignment needs one loading per member \(4\), got shape \(3,\)"),
    ([0, 0, 0, 0.8], r"M03: alignment² \+ common \+ cohesion must be at most 1"),
])
def test_bad_loadings_are_refused(lam: list[float], match: str) -> None:
    base = random_model(np.random.default_rng(0), 4, 1, common=0.5)
    with pytest.raises(ValueError, match=match):
        with_axis(base, lam)


def test_loadings_at_the_constraint_are_accepted_with_round_off() -> None:
    base = random_model(np.random.default_rng(0), 4, 1, common=0.3, cohesion=(0.2,))
    lam = at_constraint(base, np.ones(4)) * (1 + 1e-12)
    model = with_axis(base, lam)
    assert model.has_axis and model.axis_name == "West"
    np.testing.assert_array_equal(model.loadings()[2], 0.0)
    kept = model.with_probs(model.probs)
    np.testing.assert_array_equal(kept.alignment, model.alignment)
    assert kept.axis_name == "West"
