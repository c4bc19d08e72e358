"""``unsc-sim frontier``: the draft's chances along the alignment axis, and its errors (one line,
exit code 2). The numbers are the API's (:func:`sim.api.frontier`), tested here against single
runs at each position: identical, since each position is a run with the same seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim import api
from sim.cli import main
from sim.errors import InputError
from tests.conftest import ROOT

AXIS = """
[scenario]
name = "Axis test"
[council]
year = 2025
[draft]
position = 0.5
[votes."Russian Federation"]
yes = 0.6
abstain = 0.3
no = 0.1
[votes.France]
yes = 0.5
abstain = 0.4
no = 0.1
[correlation]
common = 0.1
[[correlation.blocs]]
name = "Russia and China"
members = ["Russia", "China"]
cohesion = 0.3
[alignment]
name = "West – Russia/China"
loadings = { "United States" = 0.7, France = 0.6, "Russian Federation" = -0.7, China = -0.5 }
"""


@pytest.fixture
def axis_file(tmp_path: Path) -> Path:
    path = tmp_path / "axis.toml"
    path.write_text(AXIS)
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "1"], "--steps: must be a whole number between 2 and 1001, got 1"),
        (["--from", "2", "--to", "1"], "--from: must be below the end of the range (1), got 2"),
        (["--from", "1", "--to", "1"], "--from: must be below the end of the range (1), got 1"),
        (["--from", "nan"], "--from: must be a number between -10 and 10, got nan"),
        (["--to", "inf"], "--to: must be a number between -10 and 10, got inf"),
        (["--to", "12"], "--to: must be a number between -10 and 10, got 12.0"),
        (["--steps", "x"], "unsc-sim: Invalid value for '--steps': 'x' is not a valid integer."),
        (["--draws", "0"], "--draws: must be between 1 and 100,000,000, got 0"),
        (["--seed", "-3"], "--seed: must be a non-negative integer, got -3"),
    ],
)
def test_bad_ranges_and_settings_are_one_line_and_exit_2(axis_file: Path, args: list[str], message: str) -> None:
    res = CliRunner().invoke(main, ["frontier", str(axis_file), *args])
    assert res.exit_code == 2
    assert res.output.strip() == message


def test_a_draft_with_no_axis_is_refused_naming_the_file() -> None:
    path = ROOT / "scenarios" / "libya_2011_abstentions.toml"
    res = CliRunner().invoke(main, ["frontier", str(path)])
    assert res.exit_code == 2
    assert res.output.strip().startswith(f"{path}: alignment.loadings: no member loads on the alignment axis")


def test_a_loading_without_room_in_the_files_correlation_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tight.toml"
    path.write_text(AXIS.split("[correlation]")[0]
                    + '[correlation]\ncommon = 0.5\n[alignment]\nloadings = { China = -0.95 }\n')
    res = CliRunner().invoke(main, ["frontier", str(path)])
    assert res.exit_code == 2
    line = res.output.strip()
    assert line.startswith(f"{path}: alignment.loadings.China: loading² + common + cohesion must be at most 1")
    assert "\n" not in line


def test_the_calibrated_correlation_makes_room_for_a_tight_loading(tmp_path: Path) -> None:
    path = tmp_path / "tight.toml"
    path.write_text(AXIS.split("[correlation]")[0] + '[alignment]\nloadings = { China = -0.95 }\n')
    res = CliRunner().invoke(main, ["frontier", str(path), "--exact", "--steps", "3", "--format", "json"])
    assert res.exit_code == 0, res.output


def test_frontier_positions_are_checked_in_the_api() -> None:
    np.testing.assert_array_equal(api.frontier_positions(-1, 1, 5), [-1.0, -0.5, 0.0, 0.5, 1.0])
    with pytest.raises(InputError, match="steps"):
        api.frontier_positions(-1, 1, True)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="positions: give between 2"):
        api.frontier(AXIS_DICT(), [0.0])


def AXIS_DICT() -> dict[str, object]:
    import tomllib

    return tomllib.loads(AXIS)
