"""The backtest report's event error budget and headroom section, and topic keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calibration.backtest import BacktestResult, FitSummary
from sim.calibration.backtest_report import (
    event_error_budget,
    no_split_reliability,
    realized_probability,
    render_report,
    tail_table,
    vetoed,
)

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


def test_tail_table_counts_realized_votes_forecast_below_each_cut() -> None:
    res = result()
    p = np.array([[0.98, 0.015, 0.005], [0.5, 0.3, 0.2], [0.9, 0.09, 0.01], [0.2, 0.2, 0.6],
                  [0.3, 0.3, 0.4], [0.001, 0.009, 0.99], [0.995, 0.004, 0.001], [0.004, 0.006, 0.99]])
    for k, v in enumerate(("yes", "abstain", "no")):
        res.members[f"model_{v}"] = p[:, k]
    # realized (y = 0 0 0 2 2 2 2 0): 0.98, 0.5, 0.9, 0.6, 0.4, 0.99, 0.001, 0.004
    np.testing.assert_allclose(realized_probability(res), [0.98, 0.5, 0.9, 0.6, 0.4, 0.99, 0.001, 0.004])
    t = tail_table(res, cuts=(0.005, 0.02)).set_index("forecast of the realized vote")
    assert t.loc["< 0.005", "rows"] == 2 and t.loc["< 0.02", "rows"] == 2
    assert t.loc["< 0.005", "observed share"] == pytest.approx(2 / 8)
    # expected: the forecast mass below the cut, per row
    assert t.loc["< 0.005", "expected share"] == pytest.approx((0.001 + 0.004 + 0.001 + 0.004) / 8)
    assert t.loc["< 0.02", "expected share"] == pytest.approx(
        (0.015 + 0.005 + 0.01 + 0.001 + 0.009 + 0.004 + 0.001 + 0.004 + 0.006) / 8)
    loss = -np.log(realized_probability(res))
    assert t.loc["< 0.02", "share of log loss"] == pytest.approx((loss[6] + loss[7]) / loss.sum())


def test_vetoed_needs_enough_yes_votes_and_a_permanent_no() -> None:
    res = result()
    # 15 members voting on two events: 9 yes and a US no (vetoed); 8 yes and a US no (short)
    members = ["USA", "RUS", "CHN", "FRA", "GBR"] + [f"E{i}" for i in range(10)]
    rows = []
    for eid, n_yes in (("v", 9), ("s", 8)):
        for i, mem in enumerate(members):
            y = 2 if mem == "USA" else (0 if i - 1 < n_yes else 1)
            rows.append({"year": 2020, "event_id": eid, "member": mem, "y": y})
    res.members = pd.DataFrame(rows)
    v = vetoed(res)
    assert bool(v["v"]) and not bool(v["s"])


def test_no_split_reliability_reads_only_the_rows_that_did_not_vote_yes() -> None:
    res = result()
    res.members["model_abstain"] = 0.2
    res.members["model_no"] = 0.6  # P(no | not yes) = 0.75 on every row
    tab = no_split_reliability(res)
    not_yes = res.members[res.members["y"] != 0]
    assert int(tab["n"].sum()) == len(not_yes)
    assert tab["mean_forecast"].iloc[0] == pytest.approx(0.75)
    assert tab["observed"].iloc[0] == pytest.approx(float((not_yes["y"] == 2).mean()))


def test_report_states_the_tail_bar() -> None:
    text = render_report(result(), "plot.png", "unsc-sim backtest")
    assert "Tails: the realized vote had a forecast below 0.02 on" in text
    assert "(bar: at most 0.3%)" in text
    assert "no-versus-abstain split" in text and "Event veto" in text


def test_the_assembly_figures_beside_the_councils_are_the_assembly_reports() -> None:
    """docs/backtest.md carries the Assembly's figures as the generator writes them, and each
    figure is the one docs/assembly-backtest.md reports."""
    from sim.calibration.backtest_report import ASSEMBLY_FIGURES
    from tests.conftest import ROOT

    council = (ROOT / "docs" / "backtest.md").read_text()
    assembly = (ROOT / "docs" / "assembly-backtest.md").read_text()
    assert "\n".join(ASSEMBLY_FIGURES) in council
    for figure in ("0.3731", "0.5076", "26.5%", "24.7%", "23.8%", "24.0%", "91.7%", "85,499"):
        assert figure in assembly, figure
