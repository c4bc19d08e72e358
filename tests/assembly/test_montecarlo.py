"""The Assembly's own Monte Carlo draws (sim/assembly/montecarlo.py): absences at the exact
probability, and counts against direct sums of the drawn votes. Tolerances are k standard errors."""

from __future__ import annotations

import numpy as np
import pytest

from sim.assembly import montecarlo as amc
from sim.engine import montecarlo as mc
from sim.engine.model import ABSENT, ABSTAIN, NO, YES

from .test_engine import _assembly_193


@pytest.mark.parametrize("levels", [0.4, 1.6, 2.5, 1000.5])
def test_absence_is_drawn_at_its_probability_not_rounded_to_16_bits(levels: float) -> None:
    """P(absent) = levels / 65536 for 193 members: 0.4 would round to 0 (never absent) and 1.6
    to 1/65536 if only the 16-bit uniform decided; the tie draw makes it exact."""
    p = np.full(193, levels / amc.LEVELS)
    rng = np.random.default_rng(12)
    trials, absent = 0, 0
    for _ in range(4):
        present = amc._presence(p, rng, mc.CHUNK)
        absent += int(present.size - np.count_nonzero(present))
        trials += present.size
    mean = trials * p[0]
    assert abs(absent - mean) <= 4 * np.sqrt(mean * (1 - p[0]))


@pytest.mark.parametrize("size", [1, 577, 1024, 3000, mc.CHUNK])
def test_counts_are_the_sums_of_the_drawn_votes(size: int) -> None:
    model = _assembly_193(3)
    p = mc.prepare(model.latent)
    votes = amc.draw_votes(p, mc.chunk_rng(9, 0), size)
    got = amc.count_chunk(p, model.rule, size, 9, 0)
    yes, no, away = votes.yes, votes.no, votes.absent
    assert not (yes & no).any() and not ((yes | no) & away).any()
    member = np.zeros((model.n, 4), dtype=int)
    member[:, YES], member[:, NO], member[:, ABSENT] = yes.sum(axis=1), no.sum(axis=1), away.sum(axis=1)
    member[:, ABSTAIN] = size - member.sum(axis=1)
    np.testing.assert_array_equal(got.member_votes, member[p.back])
    y, k, gone = yes.sum(axis=0), no.sum(axis=0), away.sum(axis=0)
    tally = np.zeros((model.n + 1, model.n + 1), dtype=int)
    np.add.at(tally, (y, k), 1)
    np.testing.assert_array_equal(got.tally, tally)
    np.testing.assert_array_equal(got.absent, np.bincount(gone, minlength=model.n + 1))
    assert got.adopted == int(model.rule.passes(y, k).sum())
    assert got.member_votes[model.members.index("M005"), ABSENT] == size  # in arrears



def _axis_models():
    from sim.assembly.model import assembly_model

    base = _assembly_193(4)
    rng = np.random.default_rng(4)
    cohesion = dict(zip(sorted(set(base.regions)), (0.3, 0.2, 0.3, 0.25, 0.4), strict=True))
    own = rng.uniform(-0.5, 0.5, base.n)  # every member its own scale, so its own group
    signs = np.where(rng.random(base.n) < 0.5, 0.3, -0.3)  # one scale, loadings differing in a group
    return {"regional": base, **{name: assembly_model(base.members, base.probs, base.regions, "important",
                                                      common=0.2, cohesion=cohesion, alignment=lam)
                                 for name, lam in (("own", own), ("signs", signs))}}


@pytest.mark.parametrize("name", ["regional", "own", "signs"])
def test_the_draws_are_the_documented_streams(name: str) -> None:
    """The votes are W = E + a/c F + b/c G + λ/c A against the thresholds and the absences are the
    16-bit rule, on the random numbers in the order the module documents: rebuilt here member by
    member from the same generator, they are the same votes (shared and own shifts alike)."""
    model = _axis_models()[name]
    p = mc.prepare(model.latent)
    shared = [run.shared for run in amc._runs(p)]
    assert all(shared) if name == "regional" else not any(shared)
    size = 3000
    votes = amc.draw_votes(p, mc.chunk_rng(2, 7), size)
    rng = mc.chunk_rng(2, 7)
    lat = model.latent
    f, g, a = rng.standard_normal(size), rng.standard_normal((lat.n_blocs, size)), rng.standard_normal(size)
    e = rng.standard_normal((lat.n, size))
    load_f, load_g, c = lat.loadings()
    t1, t2 = lat.thresholds()
    assert lat.alignment is not None
    yes, no = np.zeros((lat.n, size), dtype=bool), np.zeros((lat.n, size), dtype=bool)
    for r, i in enumerate(p.order):  # internal row r is member i
        bloc = load_g[i] * g[lat.bloc[i]] if lat.bloc[i] >= 0 else 0.0
        w = c[i] * e[r] + load_f[i] * f + bloc + lat.alignment[i] * a
        yes[r], no[r] = w >= t2[i], w < t1[i]
    maybe = np.flatnonzero((p.absent > 0) & (p.absent < 1))
    u = rng.bit_generator.random_raw(maybe.size * size // 4).view("<u2").reshape(maybe.size, size)
    cut = np.floor(p.absent[maybe] * 65536)
    present = u > cut[:, None]
    tie_rows, tie_cols = np.nonzero(u == cut[:, None])
    present[tie_rows, tie_cols] = rng.random(tie_rows.size) >= p.absent[maybe][tie_rows] * 65536 - cut[tie_rows]
    away = np.ones((lat.n, size), dtype=bool)
    away[maybe] = ~present
    away[p.absent <= 0] = False
    np.testing.assert_array_equal(votes.absent, away)
    # the two computations of W round differently: a vote may differ only at a threshold, never here
    np.testing.assert_array_equal(votes.yes, yes & ~away)
    np.testing.assert_array_equal(votes.no, no & ~away)
