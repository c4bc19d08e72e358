"""The exact method against brute-force enumeration of every vote profile.

Independent votes: exact to 1e-12. Correlated votes: the dynamic program must equal brute-force
enumeration under the same Gauss–Hermite quadrature (product grid over every bloc factor) to 1e-9.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim import exact
from sim.model import VoteModel
from tests.conftest import random_model

YES, ABSTAIN, NO, ABSENT = range(4)


def charter_adopted(votes: tuple[int, ...], perm: np.ndarray, threshold: int, procedural: bool) -> bool:
    """Article 27, written out plainly as an independent oracle."""
    yes = sum(v == YES for v in votes)
    veto = any(v == NO and p for v, p in zip(votes, perm, strict=True))
    return yes >= threshold and (procedural or not veto)


def brute_force(model: VoteModel, node_probs: list[tuple[float, np.ndarray]]) -> dict[str, np.ndarray]:
    """Enumerate all 4^n profiles; under each latent node (weight, (n, 4) conditional probs)
    the profile probability is the product of the members' probabilities."""
    n = model.n
    thr = model.threshold
    profiles = np.array(list(itertools.product(range(4), repeat=n)), dtype=int)
    rule = {}
    for votes in map(tuple, profiles):
        yes = sum(v == YES for v in votes)
        flips = []
        for i in range(n):
            with_yes = votes[:i] + (YES,) + votes[i + 1 :]
            with_no = votes[:i] + (NO,) + votes[i + 1 :]
            flips.append(charter_adopted(with_yes, model.permanent, thr, model.procedural)
                         != charter_adopted(with_no, model.permanent, thr, model.procedural))
        rule[votes] = (
            charter_adopted(votes, model.permanent, thr, model.procedural),
            not model.procedural and any(v == NO and q for v, q in zip(votes, model.permanent, strict=True)),
            yes < thr,
            flips,
        )
    adopted = np.array([rule[tuple(v)][0] for v in profiles], dtype=float)
    vetoed = np.array([rule[tuple(v)][1] for v in profiles], dtype=float)
    short = np.array([rule[tuple(v)][2] for v in profiles], dtype=float)
    flips = np.array([rule[tuple(v)][3] for v in profiles], dtype=float)
    same = np.array([[[a == b and a != ABSENT for b in v] for a in v] for v in profiles], dtype=float)
    yes = (profiles == YES).sum(1)
    no = (profiles == NO).sum(1)
    ab = (profiles == ABSTAIN).sum(1)
    weight = np.zeros(len(profiles))
    for w, probs in node_probs:
        weight += w * np.prod(probs[np.arange(n)[None, :], profiles], axis=1)
    tally = np.zeros((n + 1,) * 3)
    np.add.at(tally, (yes, no, ab), weight)
    return {
        "adopted": np.array([weight @ adopted]), "vetoed": np.array([weight @ vetoed]),
        "short": np.array([weight @ short]), "yes": np.bincount(yes, weights=weight, minlength=n + 1),
        "tally": tally, "pivotal": weight @ flips, "pairwise": np.einsum("p,pij->ij", weight, same),
    }


def assert_matches(model: VoteModel, ref: dict[str, np.ndarray], tol: float, nodes: int | None = None) -> None:
    o = exact.exact_outcomes(model, nodes=nodes)
    ev = exact.event_probabilities(model, nodes=nodes)
    np.testing.assert_allclose(o.p_adopted, ref["adopted"][0], atol=tol, rtol=0)
    np.testing.assert_allclose(ev[0], ref["adopted"][0], atol=tol, rtol=0)
    np.testing.assert_allclose(o.p_vetoed, ref["vetoed"][0], atol=tol, rtol=0)
    np.testing.assert_allclose(ev[1], ref["vetoed"][0], atol=tol, rtol=0)
    np.testing.assert_allclose(o.p_short, ref["short"][0], atol=tol, rtol=0)
    np.testing.assert_allclose(o.yes_distribution, ref["yes"], atol=tol, rtol=0)
    np.testing.assert_allclose(o.tally, ref["tally"], atol=tol, rtol=0)
    np.testing.assert_allclose(o.pivotal, ref["pivotal"], atol=tol, rtol=0)
    np.testing.assert_allclose(o.pairwise_agreement, ref["pairwise"], atol=tol, rtol=0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("procedural", [False, True])
def test_independent_votes_match_enumeration(seed: int, procedural: bool) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 7))
    model = random_model(rng, n, n_perm=int(rng.integers(0, n)), threshold=int(rng.integers(1, n + 1)),
                         procedural=procedural)
    ref = brute_force(model, [(1.0, model.probs)])
    assert_matches(model, ref, tol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_correlated_votes_match_quadrature_enumeration(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = 5
    model = random_model(rng, n, n_perm=2, common=0.3, cohesion=(0.4, 0.2), threshold=3)
    nodes = 12
    q = exact.Quadrature.gauss_hermite(nodes)
    node_probs = []
    for f, wf in zip(q.nodes, q.weights, strict=True):
        for g in itertools.product(range(nodes), repeat=model.n_blocs):
            w = wf * np.prod([q.weights[k] for k in g])
            probs = np.empty((n, 4))
            for i in range(n):
                b = model.bloc[i]
                gi = q.nodes[g[b]] if b >= 0 else 0.0
                probs[i] = exact.vote_probs_on_grid(model, np.array([f]), np.array([gi]))[0, 0, i]
            node_probs.append((w, probs))
    ref = brute_force(model, node_probs)
    assert_matches(model, ref, tol=1e-9, nodes=nodes)


def test_marginals_are_reproduced_by_the_quadrature() -> None:
    """Integrating the conditional vote probabilities over the factors gives the inputs back."""
    rng = np.random.default_rng(7)
    model = random_model(rng, 15, 5, common=0.3, cohesion=(0.4, 0.3))
    qf, qg = exact.quadratures(model)
    probs = exact.vote_probs_on_grid(model, qf.nodes, qg.nodes)
    marg = np.einsum("fgnv,f,g->nv", probs, qf.weights, qg.weights)
    np.testing.assert_allclose(marg, model.probs, atol=1e-9)


def test_independent_product_of_two_members() -> None:
    """Two members, threshold 2: adoption needs both yes, no veto possible from yes voters."""
    probs = np.array([[0.7, 0.1, 0.2, 0.0], [0.5, 0.3, 0.1, 0.1]])
    model = VoteModel(("A", "B"), probs, np.array([True, False]), np.array([-1, -1]), np.array([]), 0.0, 2)
    o = exact.exact_outcomes(model)
    assert o.p_adopted == pytest.approx(0.7 * 0.5, abs=1e-15)
    assert o.p_vetoed == pytest.approx(0.2, abs=1e-15)
    # A is pivotal iff B votes yes (then A decides): P = 0.5; B iff A votes yes: 0.7
    np.testing.assert_allclose(o.pivotal, [0.5, 0.7], atol=1e-15)
