"""The Assembly's rule (Article 18) and engine against brute-force enumeration, and Monte Carlo
against exact on 193 members. Tolerances of Monte Carlo checks are k standard errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.assembly import exact
from sim.assembly import montecarlo as amc
from sim.assembly.model import assembly_model
from sim.engine.model import ABSENT, NO, YES
from sim.engine.rules import AssemblyRule

REGIONS = ("African States", "Asia-Pacific States", "Eastern European States",
           "Latin American and Caribbean States", "Western European and other States")


def article_18(yes: int, no: int, important: bool) -> bool:
    """Article 18 written out plainly: two thirds of those present and voting, or a majority."""
    voting = yes + no
    if important:
        return voting > 0 and 3 * yes >= 2 * voting
    return yes > no


@pytest.mark.parametrize("question", ["important", "simple"])
def test_the_rule_is_article_18_on_every_tally_up_to_60_members(question: str) -> None:
    rule = AssemblyRule(question)
    lo, hi = rule.pivotal_window()
    for yes, no in itertools.product(range(61), repeat=2):
        carried = article_18(yes, no, question == "important")
        assert bool(rule.passes(yes, no)) == carried
        assert bool(rule.spare(yes, no) >= 0) == carried
        assert bool(yes >= rule.line(yes, no)) == carried
        # the window: a yes carries it and a no does not, exactly when d = yes - w no is in it
        d = yes - rule.no_weight * no
        assert (lo <= d <= hi) == (bool(rule.passes(yes + 1, no)) != bool(rule.passes(yes, no + 1)))


def test_abstentions_do_not_count() -> None:
    """10-0-183 carries an important question; 10-6-0 does not (10 < 2 x 6); 93-18-65 does,
    with the two-thirds line at 74 of the 111 present and voting."""
    rule = AssemblyRule("important")
    assert rule.passes(10, 0) and not rule.passes(10, 6)
    assert rule.passes(93, 18) and int(rule.line(93, 18)) == 74 and int(rule.spare(93, 18)) == 57
    assert not rule.passes(0, 0) and not AssemblyRule("simple").passes(0, 0)
    assert AssemblyRule("simple").passes(10, 9) and not AssemblyRule("simple").passes(9, 9)
    with pytest.raises(ValueError, match="question must be one of important, simple"):
        AssemblyRule("veto")


def _small(seed: int, n: int, question: str, **kw: object):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(4), size=n)
    probs[:, ABSENT] *= 0.4
    probs /= probs.sum(axis=1, keepdims=True)
    probs[0] = (0.0, 1.0, 0.0, 0.0)  # a member who only abstains
    regions = [REGIONS[i % 2] for i in range(n)]
    return assembly_model([f"M{i}" for i in range(n)], probs, regions, question, **kw), probs  # type: ignore[arg-type]


@pytest.mark.parametrize(("seed", "question"), list(itertools.product(range(3), ["important", "simple"])))
def test_independent_votes_match_enumeration(seed: int, question: str) -> None:
    n = 6
    model, probs = _small(seed, n, question)
    out = exact.exact_outcomes(model)
    rule = AssemblyRule(question)
    adopted, yes, no, abstain, margin = 0.0, np.zeros(n + 1), np.zeros(n + 1), np.zeros(n + 1), {}
    for profile in itertools.product(range(4), repeat=n):
        p = float(np.prod([probs[i, v] for i, v in enumerate(profile)]))
        y, k, a = profile.count(YES), profile.count(NO), profile.count(1)
        adopted += p * article_18(y, k, question == "important")
        yes[y] += p
        no[k] += p
        abstain[a] += p
        s = int(rule.spare(y, k))
        margin[s] = margin.get(s, 0.0) + p
    assert out.p_adopted == pytest.approx(adopted, abs=1e-12)
    assert exact.p_adopted(model) == pytest.approx(adopted, abs=1e-12)
    np.testing.assert_allclose(out.yes, yes, atol=1e-12)
    np.testing.assert_allclose(out.no, no, atol=1e-12)
    np.testing.assert_allclose(out.abstain, abstain, atol=1e-12)
    got = dict(zip(out.margins.tolist(), out.spare.tolist(), strict=True))
    for s, p in margin.items():
        assert got[s] == pytest.approx(p, abs=1e-12)
    assert sum(got.values()) == pytest.approx(1.0, abs=1e-12)


def test_correlated_votes_match_enumeration_under_an_independent_dense_grid() -> None:
    """Common factor, one regional bloc and the axis: the exact method against enumeration of
    every profile under a dense Gauss-Hermite grid over (A, F, G) written here."""
    from scipy.special import ndtr, roots_hermitenorm

    n = 5
    lam = np.array([0.5, -0.4, 0.3, 0.0, -0.2])
    model, probs = _small(7, n, "important", common=0.2, cohesion={REGIONS[0]: 0.3}, alignment=lam)
    lat = model.latent
    a, b, c = lat.loadings()
    t1, t2 = lat.thresholds()
    x, wx = roots_hermitenorm(40)
    wx = wx / wx.sum()
    present = 1.0 - probs[:, ABSENT]
    profiles = np.array([pr for pr in itertools.product(range(4), repeat=n)
                         if article_18(pr.count(YES), pr.count(NO), True)])
    fa, ff, fg = (g.ravel() for g in np.meshgrid(x, x, x, indexing="ij"))
    weight = np.einsum("i,j,k->ijk", wx, wx, wx).ravel()
    mean = lam * fa[:, None] + a * ff[:, None] + np.where(lat.bloc >= 0, b * fg[:, None], 0.0)  # (nodes, n)
    p_no = ndtr((t1 - mean) / c)
    p_ab = ndtr((t2 - mean) / c) - p_no
    cond = np.stack([present * (1 - p_no - p_ab), present * p_ab, present * p_no,
                     np.broadcast_to(probs[:, ABSENT], p_no.shape)], axis=2)  # (nodes, n, 4)
    adopted = 0.0
    for profile in profiles:
        adopted += float(weight @ np.prod(cond[:, np.arange(n), profile], axis=1))
    assert exact.p_adopted(model) == pytest.approx(adopted, abs=1e-7)


def test_arrears_are_absent_with_certainty_and_must_be_members() -> None:
    model, _ = _small(1, 6, "important", arrears=["M2"])
    assert tuple(model.probs[2]) == (0.0, 0.0, 0.0, 1.0)
    out = exact.exact_outcomes(model)
    counts = amc.run(model, 20_000, seed=0)
    assert counts.member_votes[2, ABSENT] == 20_000 and counts.pivotal[2] == 0
    assert out.p_adopted == pytest.approx(counts.adopted / 20_000, abs=4 * np.sqrt(0.25 / 20_000))
    with pytest.raises(ValueError, match="arrears: XX is not a member"):
        _small(1, 6, "important", arrears=["XX"])


def _assembly_193(seed: int = 1):
    rng = np.random.default_rng(seed)
    n = 193
    regions = [REGIONS[i % 5] for i in range(n)]
    probs = rng.dirichlet([5, 3, 1.5, 0.5], size=n)
    cohesion = dict(zip(REGIONS, (0.3, 0.2, 0.3, 0.25, 0.4), strict=True))
    lam = np.select([np.array(regions) == REGIONS[4], np.array(regions) == REGIONS[2]], [0.4, 0.2], -0.2)
    return assembly_model([f"M{i:03d}" for i in range(n)], probs, regions, "important", common=0.2,
                          cohesion=cohesion, alignment=lam, arrears=["M005", "M017"])


def test_monte_carlo_agrees_with_exact_on_193_members() -> None:
    model = _assembly_193()
    out = exact.exact_outcomes(model)
    draws = 100_000
    counts = amc.run(model, draws, seed=11)
    p = out.p_adopted
    assert abs(counts.adopted / draws - p) <= 4 * np.sqrt(p * (1 - p) / draws)
    yes_mc = counts.tally.sum(axis=1) / draws
    # each cell of the yes distribution within 4 standard errors (plus a floor for empty cells)
    se = np.sqrt(out.yes * (1 - out.yes) / draws) + 1e-6
    assert np.all(np.abs(yes_mc - out.yes) <= 5 * se)
    spare_cells = out.spare > 0
    assert spare_cells.sum() > 50
    member = counts.member_votes / draws
    se_m = np.sqrt(model.probs * (1 - model.probs) / draws) + 1e-9
    assert np.all(np.abs(member - model.probs) <= 5 * se_m)


def test_monte_carlo_is_worker_invariant_and_seeded() -> None:
    from concurrent.futures import ThreadPoolExecutor

    model = _assembly_193(2)
    one = amc.run(model, 40_000, seed=5)
    with ThreadPoolExecutor(3) as pool:
        many = amc.run(model, 40_000, seed=5, pool=pool)
    assert np.array_equal(one.tally, many.tally) and np.array_equal(one.pivotal, many.pivotal)
    other = amc.run(model, 40_000, seed=6)
    assert not np.array_equal(one.tally, other.tally)


def test_pivotal_counts_match_a_direct_recount() -> None:
    """The windowed pivot count against flipping each member's vote in every drawn profile."""
    from sim.engine import montecarlo as mc

    model, _ = _small(3, 9, "important", common=0.3)
    p = mc.prepare(model.latent)
    got = amc.count_chunk(p, model.rule, 3000, 4, 0)
    votes = amc.draw_votes(p, mc.chunk_rng(4, 0), 3000)  # the Assembly's own draws of chunk 0
    yes, no = votes.yes, votes.no
    rule = model.rule
    direct = np.zeros(model.n, dtype=int)
    for r in range(model.n):
        oy = yes.sum(axis=0) - yes[r]
        on = no.sum(axis=0) - no[r]
        direct[p.order[r]] = int((rule.passes(oy + 1, on) != rule.passes(oy, on + 1)).sum())
    direct[0] = 0  # member 0 only abstains: it never casts the deciding vote
    np.testing.assert_array_equal(got.pivotal, direct)
