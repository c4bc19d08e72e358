"""The Python API's bad inputs (issue 11): clear errors that name the parameter, paths accepted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.council import council_for_year
from sim.errors import InputError
from tests.conftest import ROOT

SCENARIO = ROOT / "scenarios" / "iran_2015_jcpoa_unanimous.toml"


@pytest.mark.parametrize("path", [SCENARIO, str(SCENARIO)])
def test_simulate_accepts_a_scenario_path(path: str | Path) -> None:
    """Before: sim.simulate("file.toml") raised AttributeError."""
    by_path = sim.simulate(path, method="exact")
    by_data = sim.simulate(sim.files.read_scenario(SCENARIO), method="exact")
    assert by_path.p_adopted == by_data.p_adopted


def test_simulate_reports_a_missing_file() -> None:
    with pytest.raises(InputError, match="no such file"):
        sim.simulate("no_such_scenario.toml")


def test_simulate_says_what_to_pass() -> None:
    with pytest.raises(TypeError, match="pass a scenario file path, a dict"):
        sim.simulate(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"draws": 2.5}, "draws"), ({"draws": "100"}, "draws"), ({"draws": True}, "draws"),
    ({"seed": 1.5}, "seed"), ({"seed": "1"}, "seed"),
])
def test_draws_and_seed_of_the_wrong_type_name_the_parameter(kwargs: dict[str, object], field: str) -> None:
    """Before: bare TypeErrors from deep inside numpy."""
    with pytest.raises(InputError) as info:
        sim.simulate(SCENARIO, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert "whole number" in str(info.value)


def test_numpy_integers_are_whole_numbers() -> None:
    r = sim.simulate(SCENARIO, draws=np.int64(1000), seed=np.int64(3))
    assert r.draws == 1000 and r.seed == 3


def test_a_year_without_a_council_is_an_input_error() -> None:
    """Before: council_for_year(2030) raised a plain ValueError."""
    with pytest.raises(InputError, match="no built-in Council composition for 2030") as info:
        council_for_year(2030)
    assert info.value.field == "year"
