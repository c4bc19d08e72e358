"""Monte Carlo against the exact method, reproducibility across workers, and invariants.

Tolerance: 4 Monte Carlo standard errors sqrt(p(1-p)/N) of the exact p (floored at 1/N), so a
correct sampler fails a single check with probability about 6e-5.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine import exact, montecarlo
from sim.engine.model import NO, VoteModel
from tests.conftest import random_model

K = 4.0


def within_k_se(estimate: float, p: float, draws: int) -> bool:
    se = max(np.sqrt(p * (1 - p) / draws), 1.0 / draws)
    return abs(estimate - p) <= K * se


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(3, 15),
    common=st.floats(0.0, 1.0),
    n_blocs=st.integers(0, 2),
    cohesion=st.floats(0.0, 1.0),
    procedural=st.booleans(),
)
def test_monte_carlo_agrees_with_exact(
    seed: int, n: int, common: float, n_blocs: int, cohesion: float, procedural: bool
) -> None:
    rng = np.random.default_rng(seed)
    cohesion = min(cohesion, 1.0 - common)
    model = random_model(rng, n, n_perm=min(5, n - 1), common=common, cohesion=(cohesion,) * n_blocs,
                         threshold=int(rng.integers(1, n + 1)), procedural=procedural)
    draws = 20_000
    counts = montecarlo.run(model, draws, seed)
    ex = exact.exact_outcomes(model)
    assert counts.draws == draws
    assert within_k_se(counts.adopted / draws, ex.p_adopted, draws)
    assert within_k_se(counts.vetoed / draws, ex.p_vetoed, draws)
    assert within_k_se(counts.short / draws, ex.p_short, draws)
    assert within_k_se(counts.permanent_no / draws, ex.p_permanent_no, draws)
    worst = int(np.argmax(np.abs(counts.pivotal / draws - ex.pivotal)))
    assert within_k_se(counts.pivotal[worst] / draws, ex.pivotal[worst], draws)
    worst = int(np.argmax(np.abs(counts.veto_by / draws - ex.veto_by)))
    assert within_k_se(counts.veto_by[worst] / draws, ex.veto_by[worst], draws)
    # adopted, vetoed and short partition every outcome of a substantive vote
    assert counts.adopted + counts.vetoed + counts.short == draws


@pytest.mark.parametrize(("common", "cohesion"), [
    (1.0, ()), (0.999, ()), (0.95, ()), (0.0, (1.0,)), (0.3, (0.7, 0.7)), (0.9, (0.1,)), (0.5, (0.5, 0.2)),
    (0.05, (0.95, 0.0)),
])
def test_monte_carlo_agrees_with_exact_at_the_extremes(common: float, cohesion: tuple[float, ...]) -> None:
    """common -> 1 and common + cohesion = 1, where members vote by a step function of the factors."""
    rng = np.random.default_rng(int(1000 * common) + len(cohesion))
    model = random_model(rng, 15, 5, common=common, cohesion=cohesion)
    draws = 100_000
    c = montecarlo.run(model, draws, seed=7)
    ex = exact.exact_outcomes(model)
    for est, p in (
        (c.adopted, ex.p_adopted), (c.vetoed, ex.p_vetoed), (c.short, ex.p_short),
        (c.permanent_no, ex.p_permanent_no),
    ):
        assert within_k_se(est / draws, p, draws), (est / draws, p)
    for est, p in ((c.yes_hist, ex.yes_distribution), (c.pivotal, ex.pivotal), (c.veto_by, ex.veto_by)):
        se = np.maximum(np.sqrt(p * (1 - p) / draws), 1.0 / draws)
        assert np.all(np.abs(est / draws - p) <= K * se + 1e-12)


def test_all_statistics_agree_with_exact_on_a_15_member_council() -> None:
    rng = np.random.default_rng(11)
    model = random_model(rng, 15, 5, common=0.25, cohesion=(0.4, 0.3))
    draws = 200_000
    c = montecarlo.run(model, draws, seed=3)
    ex = exact.exact_outcomes(model)
    # every cell within 4 of its own standard error
    for est, p in (
        (c.yes_hist / draws, ex.yes_distribution),
        (c.member / draws, ex.member_votes),
        (c.pivotal / draws, ex.pivotal),
        (c.agree / draws, ex.pairwise_agreement),
        (c.tally / draws, ex.tally),
    ):
        se = np.maximum(np.sqrt(p * (1 - p) / draws), 1.0 / draws)
        assert np.all(np.abs(est - p) <= K * se + 1e-12)


def _counts_equal(a: montecarlo.Counts, b: montecarlo.Counts) -> None:
    assert (a.draws, a.adopted, a.vetoed, a.short) == (b.draws, b.adopted, b.vetoed, b.short)
    for name in ("yes_hist", "tally", "member", "pivotal", "agree"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_identical_for_any_number_of_workers() -> None:
    model = random_model(np.random.default_rng(2), 15, 5, common=0.2, cohesion=(0.5,))
    draws = 5 * montecarlo.CHUNK + 123
    serial = montecarlo.run(model, draws, seed=42)
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = montecarlo.run(model, draws, seed=42, pool=pool)
    with ProcessPoolExecutor(max_workers=2) as ppool:
        processes = montecarlo.run(model, draws, seed=42, pool=ppool)
    _counts_equal(serial, threaded)
    _counts_equal(serial, processes)


def test_chunks_are_seeded_by_index() -> None:
    """Draws 0..CHUNK-1 of any run are chunk 0 of SeedSequence(seed, spawn_key=(0,))."""
    model = random_model(np.random.default_rng(5), 9, 3, common=0.3)
    p = montecarlo.prepare(model)
    chunk0 = montecarlo.count_chunk(p, montecarlo.draw_votes(p, montecarlo.chunk_rng(9, 0), montecarlo.CHUNK))
    one = montecarlo.run(model, montecarlo.CHUNK, seed=9)
    two = montecarlo.run(model, 2 * montecarlo.CHUNK, seed=9)
    _counts_equal(chunk0, one)
    assert two.adopted != 2 * one.adopted or two.yes_hist.tolist() != (2 * one.yes_hist).tolist()
    other_seed = montecarlo.run(model, montecarlo.CHUNK, seed=10)
    assert other_seed.tally.tolist() != one.tally.tolist()


def test_bounded_chunks() -> None:
    assert montecarlo.chunk_sizes(2 * montecarlo.CHUNK + 5) == [montecarlo.CHUNK, montecarlo.CHUNK, 5]
    assert sum(montecarlo.chunk_sizes(10_000_000)) == 10_000_000
    assert max(montecarlo.chunk_sizes(10_000_000)) == montecarlo.CHUNK


@pytest.mark.parametrize("seed", range(5))
def test_permanent_no_never_adopts_a_substantive_draft(seed: int) -> None:
    rng = np.random.default_rng(seed)
    model = random_model(rng, 15, 5, common=0.3, cohesion=(0.3,))
    p = montecarlo.prepare(model)
    votes = montecarlo.draw_votes(p, montecarlo.chunk_rng(seed, 0), 20_000)
    adopted = montecarlo.adopted_votes(p, votes)
    perm_no = votes.no[p.permanent].any(axis=0)
    assert perm_no.any() and adopted.any()
    assert not np.any(adopted & perm_no)
    # and a certain permanent "no" gives exactly zero, by both methods
    probs = model.probs.copy()
    i = int(np.flatnonzero(model.permanent)[0])
    probs[i] = [0.0, 0.0, 1.0, 0.0]
    vetoing = model.with_probs(probs)
    assert montecarlo.run(vetoing, 50_000, seed).adopted == 0
    assert exact.event_probabilities(vetoing)[0] == 0.0


@pytest.mark.parametrize("source", [NO, 1])
@pytest.mark.parametrize("seed", range(4))
def test_raising_yes_never_lowers_adoption_under_common_random_numbers(seed: int, source: int) -> None:
    rng = np.random.default_rng(seed)
    model = random_model(rng, 15, 5, common=0.2, cohesion=(0.4,))
    base = montecarlo.run(model, 30_000, seed=seed)
    p_base = exact.event_probabilities(model)[0]
    i = int(rng.integers(15))
    for step in (0.02, 0.1, 0.3):
        probs = model.probs.copy()
        moved = min(step, probs[i, source])
        probs[i, source] -= moved
        probs[i, 0] += moved
        raised = model.with_probs(probs)
        more = montecarlo.run(raised, 30_000, seed=seed)
        assert more.adopted >= base.adopted
        assert exact.event_probabilities(raised)[0] >= p_base - 1e-12


def test_relabelling_elected_members_changes_nothing() -> None:
    rng = np.random.default_rng(8)
    n = 15
    probs = rng.dirichlet([3, 1, 1, 0.3], size=n)
    perm = np.zeros(n, dtype=bool)
    perm[:5] = True
    bloc = np.array([0, 0, -1, 1, 1] + [-1, 0, 1, -1, -1, -1, 0, -1, 1, -1])
    model = VoteModel(tuple(f"M{i}" for i in range(n)), probs, perm, bloc, np.array([0.3, 0.2]), 0.2, 9)
    order = np.r_[np.arange(5), 5 + rng.permutation(10)]
    shuffled = VoteModel(tuple(model.members[k] for k in order), probs[order], perm[order], bloc[order],
                         model.cohesion, 0.2, 9)
    a, b = exact.exact_outcomes(model), exact.exact_outcomes(shuffled)
    assert a.p_adopted == pytest.approx(b.p_adopted, abs=1e-13)
    np.testing.assert_allclose(a.tally, b.tally, atol=1e-13)
    np.testing.assert_allclose(a.pivotal[order], b.pivotal, atol=1e-13)
    np.testing.assert_allclose(a.pairwise_agreement[np.ix_(order, order)], b.pairwise_agreement, atol=1e-13)
    # Monte Carlo: renaming members (same order) gives identical counts
    renamed = VoteModel(tuple(f"X{i}" for i in range(n)), probs, perm, bloc, model.cohesion, 0.2, 9)
    _counts_equal(montecarlo.run(model, 20_000, 1), montecarlo.run(renamed, 20_000, 1))


def test_fully_determined_members_follow_their_factors() -> None:
    """common = 1: every present member votes by the same F, so members with equal
    thresholds always agree."""
    probs = np.tile([0.6, 0.2, 0.2, 0.0], (4, 1))
    model = VoteModel(("A", "B", "C", "D"), probs, np.zeros(4, bool), -np.ones(4, int), np.array([]), 1.0, 3)
    c = montecarlo.run(model, 10_000, 0)
    assert set(np.flatnonzero(c.yes_hist)) <= {0, 4}
    assert np.all(c.agree == 10_000)
