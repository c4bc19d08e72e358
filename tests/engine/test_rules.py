"""The Charter's rule (Article 27) as the engine applies it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import rules


def test_substantive_needs_nine_and_no_permanent_no() -> None:
    yes = np.array([9, 9, 8, 15, 9])
    vetoes = np.array([0, 1, 0, 0, 2])
    np.testing.assert_array_equal(rules.adopted(yes, vetoes, 9, False), [True, False, False, True, False])
    np.testing.assert_array_equal(rules.vetoed(yes, vetoes, 9, False), [False, True, False, False, True])


def test_a_permanent_no_on_a_draft_short_of_votes_is_not_a_veto() -> None:
    """UN usage: Palestine 2014 (8-2-5, a US no) failed; it was not vetoed."""
    yes = np.array([8, 2, 9])
    vetoes = np.array([1, 1, 1])
    np.testing.assert_array_equal(rules.vetoed(yes, vetoes, 9, False), [False, False, True])
    np.testing.assert_array_equal(rules.adopted(yes, vetoes, 9, False), [False, False, False])


def test_procedural_has_no_veto() -> None:
    yes = np.array([9, 9, 8])
    vetoes = np.array([0, 2, 0])
    np.testing.assert_array_equal(rules.adopted(yes, vetoes, 9, True), [True, True, False])
    assert not rules.vetoed(yes, vetoes, 9, True).any()


def test_eleven_member_council_needs_seven() -> None:
    assert rules.adopted(np.array([7, 6]), np.array([0, 0]), 7, False).tolist() == [True, False]


def test_adoption_probabilities_from_yes_distributions() -> None:
    total = np.array([0.1, 0.2, 0.7])  # P(yes = 0, 1, 2)
    clean = np.array([0.05, 0.15, 0.5])  # and no permanent "no"
    sub = rules.event_probabilities(total, clean, 2, False)
    # adopted: 2 yes and no permanent no; vetoed: 2 yes and a permanent no; short: fewer than 2
    assert (sub.adopted, sub.vetoed, sub.short) == pytest.approx((0.5, 0.2, 0.3))
    assert sub.adopted + sub.vetoed + sub.short == pytest.approx(1.0)
    assert sub.permanent_no == pytest.approx(1 - 0.7)
    proc = rules.event_probabilities(total, clean, 2, True)
    assert (proc.adopted, proc.vetoed, proc.short) == pytest.approx((0.7, 0.0, 0.3))
