"""Exact pivotal probabilities of Assembly members (:func:`sim.assembly.exact.pivotal`) against
enumeration of every vote profile, and against the Monte Carlo's pivot counts on 193 members.

A member is pivotal when its yes-or-no decides the vote, the others' votes as they are: the
oracle here flips each member's vote in every profile (Article 18 written out, not the rule's
window). Monte Carlo tolerances are k = 5 standard errors of a binomial proportion.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from sim.assembly import exact
from sim.assembly import montecarlo as amc
from sim.assembly.model import AssemblyModel, assembly_model
from sim.engine.model import ABSENT, NO, YES
from sim.engine.quadrature import grid
from tests.assembly.test_engine import REGIONS, _small, article_18

PROFILES = {n: np.array(list(itertools.product(range(4), repeat=n))) for n in (5, 6)}


def decides(profiles: np.ndarray, important: bool) -> np.ndarray:
    """(P, n): whether member i's yes and its no give different outcomes, the others as in each profile."""
    yes, no = (profiles == YES).sum(axis=1), (profiles == NO).sum(axis=1)
    out = np.zeros(profiles.shape, dtype=bool)
    for p, (y, k) in enumerate(zip(yes.tolist(), no.tolist(), strict=True)):
        for i, v in enumerate(profiles[p].tolist()):
            oy, ok = y - (v == YES), k - (v == NO)
            out[p, i] = article_18(oy + 1, ok, important) != article_18(oy, ok + 1, important)
    return out


def enumerated(model: AssemblyModel, weight: np.ndarray) -> np.ndarray:
    """Each member's pivotal probability from P(profile) of every profile, 0 if it never casts a vote."""
    profiles = PROFILES[model.n]
    piv = weight @ decides(profiles, model.rule.important)
    return np.where(model.probs[:, YES] + model.probs[:, NO] > 0, piv, 0.0)


def independent_weights(probs: np.ndarray) -> np.ndarray:
    profiles = PROFILES[probs.shape[0]]
    return np.prod(probs[np.arange(probs.shape[0]), profiles], axis=1)


def grid_weights(model: AssemblyModel) -> np.ndarray:
    """P(profile) on the exact method's own grid: each group's product at its nodes, integrated
    given the outer nodes by the grid's ``given_f``, multiplied across groups and summed."""
    profiles = PROFILES[model.n]
    total = np.zeros(len(profiles))
    for part in grid(model.latent).split(4096):
        joint = np.ones((part.weights.size, len(profiles)))
        for grp in part.groups:
            sub, back = np.unique(profiles[:, grp.members], axis=0, return_inverse=True)  # the group's votes
            per_node = np.prod(grp.probs[:, np.arange(grp.members.size)[None, :], sub], axis=2)  # (G, 4^m)
            joint *= grp.given_f(per_node, axis=0)[:, back.ravel()]
        total += part.weights @ joint
    return total


@pytest.mark.parametrize(("seed", "question"), list(itertools.product(range(3), ["important", "simple"])))
def test_independent_members_match_enumeration(seed: int, question: str) -> None:
    model, probs = _small(seed, 6, question)
    piv = exact.pivotal(model)
    np.testing.assert_allclose(piv, enumerated(model, independent_weights(probs)), atol=1e-12, rtol=0)
    assert piv[0] == 0.0 and np.all(piv[1:] > 0.05)  # member 0 only abstains


LAM = np.array([0.5, -0.4, 0.3, 0.0, -0.2, 0.1])
#: (kwargs, the kind of group the grid must contain for the case to test what it says)
CASES = {
    "common": (dict(common=0.3), "free"),
    "two blocs": (dict(common=0.2, cohesion={REGIONS[0]: 0.3, REGIONS[1]: 0.2}), "kernel"),
    "weak bloc, its nodes per F node": (dict(common=0.5, cohesion={REGIONS[0]: 1e-4}), "blocked"),
    "axis, a bloc of mixed loadings": (dict(common=0.3, cohesion={REGIONS[0]: 0.3}, alignment=LAM), "blocks"),
    "axis alone": (dict(alignment=LAM), "free"),
}


def _kind(model: AssemblyModel) -> set[str]:
    kinds = set()
    for part in grid(model.latent).split(4096):
        for g in part.groups:
            kernel = "blocked" if g.blocked else "blocks" if g.blocks > 1 else "kernel"
            kinds.add("free" if g.kernel is None else kernel)
    return kinds


@pytest.mark.parametrize(("case", "question"), list(itertools.product(CASES, ["important", "simple"])))
def test_correlated_members_match_enumeration_on_the_same_grid(case: str, question: str) -> None:
    """The Fourier leave-one-out, the blocks and the adjoint of each kind of group kernel
    against summing every profile's probability node by node on the grid."""
    kw, kind = CASES[case]
    model, _ = _small(4, 6, question, **kw)  # type: ignore[arg-type]
    assert kind in _kind(model)
    piv = exact.pivotal(model)
    np.testing.assert_allclose(piv, enumerated(model, grid_weights(model)), atol=1e-12, rtol=0)
    assert piv[0] == 0.0


def test_the_two_questions_differ() -> None:
    """Six members: the windows [-1, 1] of yes - 2 no and [0, 1] of yes - no pick different tallies."""
    a, _ = _small(4, 6, "important", common=0.3)
    b, _ = _small(4, 6, "simple", common=0.3)
    assert np.abs(exact.pivotal(a) - exact.pivotal(b)).max() > 0.01


def test_correlated_members_match_an_independent_dense_grid() -> None:
    """Common factor, one bloc and the axis: enumeration under a dense Gauss-Hermite grid over
    (A, F, G) written here (as in test_engine), so the quadrature is checked too."""
    from scipy.special import ndtr, roots_hermitenorm

    n = 5
    model, probs = _small(7, n, "important", common=0.2, cohesion={REGIONS[0]: 0.3}, alignment=LAM[:n])
    lat = model.latent
    a, b, c = lat.loadings()
    t1, t2 = lat.thresholds()
    x, wx = roots_hermitenorm(40)
    wx = wx / wx.sum()
    fa, ff, fg = (g.ravel() for g in np.meshgrid(x, x, x, indexing="ij"))
    weight = np.einsum("i,j,k->ijk", wx, wx, wx).ravel()
    mean = LAM[:n] * fa[:, None] + a * ff[:, None] + np.where(lat.bloc >= 0, b * fg[:, None], 0.0)
    present = 1.0 - probs[:, ABSENT]
    p_no = ndtr((t1 - mean) / c)
    p_ab = ndtr((t2 - mean) / c) - p_no
    cond = np.stack([present * (1 - p_no - p_ab), present * p_ab, present * p_no,
                     np.broadcast_to(probs[:, ABSENT], p_no.shape)], axis=2)  # (nodes, n, 4)
    # P(profile) = sum over nodes of weight x the members' conditional probabilities, as a tensor
    # over the five members' votes in itertools.product order
    p = np.einsum("x,xa,xb,xc,xd,xe->abcde", weight, *(cond[:, i] for i in range(n)), optimize=True).ravel()
    np.testing.assert_allclose(exact.pivotal(model), enumerated(model, p), atol=1e-7, rtol=0)


def _assembly(question: str, seed: int = 1, blocs: bool = True) -> AssemblyModel:
    """193 members in five regional groups, common 0.2, the axis, two members in arrears."""
    rng = np.random.default_rng(seed)
    n = 193
    regions = [REGIONS[i % 5] for i in range(n)]
    probs = rng.dirichlet([5, 3, 1.5, 0.5], size=n)
    probs[3] = (0.0, 0.7, 0.0, 0.3)  # abstains or is away, never votes
    cohesion = dict(zip(REGIONS, (0.3, 0.2, 0.3, 0.25, 0.4), strict=True)) if blocs else None
    lam = np.select([np.array(regions) == REGIONS[4], np.array(regions) == REGIONS[2]], [0.4, 0.2], -0.2)
    return assembly_model([f"M{i:03d}" for i in range(n)], probs, regions, question, common=0.2,
                          cohesion=cohesion, alignment=lam, arrears=["M005", "M017"])


@pytest.mark.parametrize("question", ["important", "simple"])
def test_monte_carlo_counts_the_exact_pivots_on_193_members(question: str) -> None:
    model = _assembly(question)
    piv = exact.pivotal(model)
    draws = 100_000
    counts = amc.run(model, draws, seed=23)
    se = np.sqrt(piv * (1 - piv) / draws)
    assert np.all(np.abs(counts.pivotal / draws - piv) <= 5 * se + 1e-12)
    never = [3, 5, 17]  # M003 never votes; M005 and M017 are in arrears
    assert np.all(piv[never] == 0.0) and np.all(counts.pivotal[never] == 0)
    assert np.all(np.delete(piv, never) > 0.001)


def test_others_distribution_at_scale() -> None:
    """On 193 members, member i's pivot is the window's mass of yes - w·no in the same model
    with i made to abstain (its own vote then adds nothing): the Assembly's distribution of
    :func:`exact.exact_outcomes`, computed by another program on another grid."""
    model = _assembly("important")
    piv = exact.pivotal(model)
    w, n = model.rule.no_weight, model.n
    for i in (0, 96, 192):
        probs = model.probs.copy()
        probs[i] = (0.0, 1.0, 0.0, 0.0)
        idle = AssemblyModel(dataclasses.replace(model.latent, probs=probs), model.rule, model.regions, model.arrears)
        out = exact.exact_outcomes(idle)
        # important: spare[k] is P(margin = k - w n), the margin being d except when nobody votes no
        (diff,), _ = exact._sums(idle, [exact._difference(idle)], None)
        assert out.p_adopted == pytest.approx(diff[w * n :].sum(), abs=1e-9)
        assert piv[i] == pytest.approx(diff[w * n - 1 : w * n + 2].sum(), abs=1e-12)


@pytest.mark.parametrize("blocs", [True, False])
def test_blocks_and_slices_do_not_change_the_pivots(blocs: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups of 39 (and one of 193 with no blocs) cut into blocks, the nodes into slices, or not."""
    model = _assembly("important", blocs=blocs)
    piv = exact.pivotal(model)
    monkeypatch.setattr(exact, "PIVOT_BLOCK", 1000)
    whole = exact.pivotal(model)
    monkeypatch.setattr(exact, "PIVOT_BLOCK", 7)
    monkeypatch.setattr(exact, "PIVOT_BYTES", 2**20)
    small = exact.pivotal(model)
    np.testing.assert_allclose(whole, piv, atol=1e-13, rtol=0)
    np.testing.assert_allclose(small, piv, atol=1e-13, rtol=0)


def test_members_who_cannot_vote_are_never_pivotal() -> None:
    """An abstainer, a member certain to be absent and one in arrears get 0; a member who almost
    never votes still gets its others' window mass."""
    n = 6
    probs = np.full((n, 4), 0.25)
    probs[1] = (0.0, 0.0, 0.0, 1.0)
    probs[2] = (0.0, 0.6, 0.0, 0.4)
    probs[3] = (1e-9, 1.0 - 1e-9, 0.0, 0.0)
    model = assembly_model([f"M{i}" for i in range(n)], probs, [REGIONS[i % 2] for i in range(n)], "important",
                           arrears=["M4"], common=0.3, cohesion={REGIONS[0]: 0.2})
    piv = exact.pivotal(model)
    assert np.all(piv[[1, 2, 4]] == 0.0)
    assert piv[3] > 0.1 and piv[0] > 0.1
    np.testing.assert_allclose(piv, enumerated(model, grid_weights(model)), atol=1e-12, rtol=0)


@pytest.mark.parametrize("question", ["important", "simple"])
def test_one_and_two_members(question: str) -> None:
    """Alone, a member's vote always decides; of two, it decides unless the other votes no
    (whatever the common factor, each decides with the other's marginal probability)."""
    probs = np.array([[0.3, 0.3, 0.3, 0.1], [0.5, 0.2, 0.2, 0.1]])
    one = assembly_model(["A"], probs[:1], ["X"], question, common=0.4)
    two = assembly_model(["A", "B"], probs, ["X", "Y"], question, common=0.4)
    assert exact.pivotal(one) == pytest.approx([1.0], abs=1e-14)
    assert exact.pivotal(two) == pytest.approx([0.8, 0.7], abs=1e-13)
