"""The backtest report's event error budget and headroom section, and topic keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calibration.backtest import BacktestResult, FitSummary
from sim.calibration.backtest_report import event_error_budget, render_report

FORECASTERS = ("model", "base_rate", "country", "country_class")


def result(reference: pd.DataFrame | None = None) -> BacktestResult:
    """Four events: unanimous, contested but adopted, and two drafts that failed."""
    events = pd.DataFrame({
        "year": 2020, "event_id": ["a", "b", "c", "d"],
        "adopted": [True, True, False, False], "contested": [False, True, True, True],
        "veto_model": [0.0, 0.1, 0.0, 0.5],
        "p_model": [0.9, 0.6, 0.95, 0.3],
        "p_base_rate": [0.95, 0.95, 0.95, 0.95],
        "p_country_class_rate": [0.9, 0.9, 0.85, 0.7],
    })
    rng = np.random.default_rng(0)
    members = pd.DataFrame({"year": 2020, "event_id": np.repeat(events["event_id"], 2),
                            "member": ["USA", "RUS"] * 4, "y": [0, 0, 0, 2, 2, 2, 2, 0],
                            "contested": np.repeat(events["contested"], 2)})
    for f in FORECASTERS:
        p = rng.dirichlet(np.ones(3), len(members))
        for k, v in enumerate(("yes", "abstain", "no")):
            members[f"{f}_{v}"] = p[:, k]
    return BacktestResult(members.reset_index(drop=True), events, [1.0],
                          {2020: FitSummary(0.5, {"western": 0.2})}, reference)


def test_error_budget_sums_the_squared_errors_by_kind() -> None:
    b = event_error_budget(result()).set_index("events")
    assert b.loc["unanimous (adopted)", "squared error"] == pytest.approx(0.1 ** 2)
    assert b.loc["contested, adopted", "squared error"] == pytest.approx(0.4 ** 2)
    assert b.loc["not adopted", "squared error"] == pytest.approx(0.95 ** 2 + 0.3 ** 2)
    assert b.iloc[:3]["share of model error"].sum() == pytest.approx(1.0)
    # only draft c was put at 0.8 or more by every forecaster (country_class gives d 0.7)
    surprise = b.iloc[3]
    assert surprise["n"] == 1 and surprise["squared error"] == pytest.approx(0.95 ** 2)


def test_in_sample_reference_counts_as_a_forecaster_of_surprises() -> None:
    ref = pd.DataFrame({"event_id": ["a", "b", "c", "d"], "p_in_sample": [1.0, 0.9, 0.5, 0.1]})
    b = event_error_budget(result(ref))
    assert b.iloc[3]["n"] == 0  # the in-sample fit saw draft c coming


def test_report_shows_the_budget_and_the_in_sample_yardstick() -> None:
    ref = pd.DataFrame({"event_id": ["a", "b", "c", "d"], "p_in_sample": [1.0, 0.9, 0.5, 0.1]})
    text = render_report(result(ref), "x.png", "unsc-sim backtest")
    assert "## Where the event error comes from" in text
    # Brier of the in-sample reference: (0 + 0.01 + 0.25 + 0.01) / 4
    assert "Brier score of 0.0675" in text
    assert "In-sample reference" not in render_report(result(), "x.png", "unsc-sim backtest")


def test_topic_spellings_share_one_key() -> None:
    """The records spell some agenda items two ways; both must read the same topic history."""
    from sim.calibration.features import norm_key

    assert (norm_key("The situation in the Middle East, including the Palestinian question")
            == norm_key("Middle East incl. Palestinian question"))
    assert (norm_key("Non-proliferation of weapons of mass destruction")
            == norm_key("Non-proliferation weapons of mass destruction"))
    assert norm_key("Sudan and South Sudan") != norm_key("Sudan")
    assert norm_key("  ") is None
