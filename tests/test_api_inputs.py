"""The Python API's bad inputs (issue 11): clear errors that name the parameter, paths accepted."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.errors import InputError
from sim.scenario.council import council_for_year
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
    with pytest.raises(InputError, match=rf"^{field}: must be a whole number") as info:
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


STUDY = ROOT / "studies" / "ukraine_2026_china_common.toml"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"draws": 0}, "draws: must be between 1 and 100,000,000, got 0"),
    ({"draws": 2.5}, "draws: must be a whole number, got 2.5"),
    ({"seed": -1}, "seed: must be a non-negative integer, got -1"),
    ({"seed": "1"}, "seed: must be a whole number, got '1'"),
    ({"workers": 0}, "workers: must be between 1 and 1024, got 0"),
    ({"chunk_size": 0}, "chunk_size: must be at least 1, got 0"),
    ({"executor": "spark"}, "executor: must be one of local, dask, got 'spark'"),
    ({"scheduler": "tcp://x:1"}, 'scheduler: needs executor="dask"'),
    ({"resume": True}, "resume: needs out=FILE"),
    ({"force": True}, "force: needs out=FILE"),
    ({"resume": True, "force": True}, "resume: give resume=True or force=True, not both"),
    ({"out": "r.xlsx"}, "out: r.xlsx: use a .parquet or .csv file name"),
])
def test_sweep_errors_name_parameters_not_flags(kwargs: dict[str, object], message: str) -> None:
    """Before: the library said --draws, --workers, --chunk-size, "pass --force"."""
    with pytest.raises(InputError, match=re.escape(message)) as info:
        sim.sweep(STUDY, progress=False, **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert "--" not in str(info.value)


def test_sweep_output_errors_name_parameters_not_flags(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    out.write_bytes(b"")
    with pytest.raises(InputError, match=re.escape(f"out: {out} exists; pass force=True to overwrite it")) as info:
        sim.sweep(STUDY, progress=False, out=out)
    assert str(info.value) == f"out: {out} exists; pass force=True to overwrite it (or resume=True to reuse it)"
    with pytest.raises(InputError, match=r"r\.txt: use a \.json, \.csv or \.parquet file name") as info:
        sim.files.write_table([], tmp_path / "r.txt", {})
    assert info.value.field == "path" and "--" not in str(info.value)


def test_the_cli_names_its_flags_for_the_same_errors(tmp_path: Path) -> None:
    """The command line's error boundary maps parameters to flags (sim.cli.common.cli_message)."""
    from click.testing import CliRunner

    from sim.cli import main

    def err(*args: str) -> str:
        res = CliRunner().invoke(main, ["sweep", str(STUDY), "--quiet", *args])
        assert res.exit_code == 2
        return res.stderr

    assert err("--chunk-size", "0") == "--chunk-size: must be at least 1, got 0\n"
    assert err("--resume") == "--resume: needs --out FILE\n"
    assert err("--resume", "--force", "--out", "r.parquet") == "--resume: give --resume or --force, not both\n"
    assert err("--executor", "local", "--scheduler", "tcp://x:1") == "--scheduler: needs --executor dask\n"
    out = tmp_path / "r.parquet"
    out.write_bytes(b"")
    assert err("--out", str(out)) == f"--out: {out} exists; pass --force to overwrite it (or --resume to reuse it)\n"
    res = CliRunner().invoke(main, ["run", str(SCENARIO), "--draws", "0"])
    assert res.stderr == "--draws: must be between 1 and 100,000,000, got 0\n"
