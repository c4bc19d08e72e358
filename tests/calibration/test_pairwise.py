"""Pairwise agreement on contested drafts: the alignment axis's check in the backtest."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.calibration.pairwise import pairwise_error


def test_the_error_is_per_pair_over_pairs_with_enough_drafts() -> None:
    rows = pd.DataFrame(
        [(f"e{k}", "FRA", "GBR", 1.0, 0.9, 0.7) for k in range(6)]  # always agreed
        + [(f"e{k}", "RUS", "USA", float(k == 0), 0.2, 0.5) for k in range(5)]  # once in 5
        + [(f"e{k}", "CHN", "USA", 0.0, 0.5, 0.5) for k in range(4)],  # too few drafts
        columns=["event_id", "a", "b", "observed", "with_axis", "without_axis"])
    err = pairwise_error(rows, min_events=5)
    assert err["pairs"] == 2
    assert err["with_axis"] == pytest.approx((abs(0.9 - 1.0) + abs(0.2 - 0.2)) / 2)
    assert err["without_axis"] == pytest.approx((abs(0.7 - 1.0) + abs(0.5 - 0.2)) / 2)


def test_no_contested_drafts_no_score() -> None:
    empty = pd.DataFrame(columns=["event_id", "a", "b", "observed", "with_axis", "without_axis"])
    assert pairwise_error(empty)["pairs"] == 0
