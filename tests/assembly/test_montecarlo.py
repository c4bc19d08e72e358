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
