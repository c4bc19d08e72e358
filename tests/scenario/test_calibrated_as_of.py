"""Every calibrated number says how old it is: the date of the last vote record behind it (issue 13)."""

from __future__ import annotations

import dataclasses
import json

import pytest

import sim
from sim.render.text import result_table
from sim.scenario.calibrated import load_params
from tests.conftest import ROOT, SHARED_DATA

CALIBRATED = {"scenario": {"name": "as of"}, "council": {"year": 2025},
              "draft": {"sponsor": "France", "topic": "Mali"}}


def test_shipped_parameters_know_their_cut_off() -> None:
    provenance = load_params().meta["provenance"]
    assert load_params().as_of == provenance["data_cutoff"]
    assert load_params().as_of.startswith("2023-12")  # the records stop at the end of 2023


def test_a_calibrated_result_carries_the_date_in_json_and_text() -> None:
    result = sim.simulate(CALIBRATED, method="exact")
    assert set(result.provenance.values()) == {"calibrated"}
    assert result.calibrated_as_of == load_params().as_of
    assert json.loads(json.dumps(result.to_dict()))["calibrated_as_of"] == load_params().as_of
    assert f"UN vote records through {load_params().as_of}" in result_table(result)


def test_a_result_without_calibrated_numbers_has_no_date() -> None:
    result = sim.simulate(ROOT / "scenarios" / "jerusalem_2017_us_veto.toml", method="exact")
    assert "calibrated" not in set(result.provenance.values())
    assert result.calibrated_as_of is None
    assert "UN vote records through" not in result_table(result)


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="shared UN data not available")
def test_history_added_after_the_cut_off_moves_the_date() -> None:
    from sim.calibration.prediction import extend_history
    from sim.io import records

    rows = records.load_sc_draft_votes(SHARED_DATA / "unsc_draft_votes_1994_2023_oliverunv.csv.gz", outcomes=True)
    params = load_params()
    # pretend the fit stopped at the end of 2022: the 2023 records are news to it
    old = dataclasses.replace(params, meta={"provenance": {"data_cutoff": "2022-12-31"}})
    later = rows[rows["year"] == 2023]
    newer = extend_history(old, later)
    assert newer.as_of == max(later["date"]).isoformat()
    assert old.as_of == "2022-12-31"  # the original is unchanged
