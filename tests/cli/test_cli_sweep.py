"""``unsc-sim sweep``: one line and exit code 2 on bad input, files written on success."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main
from tests.conftest import ROOT

UKRAINE = ROOT / "scenarios" / "ukraine_2022_russia_veto.toml"


def write_study(tmp_path: Path, vary: str, base: Path | str = UKRAINE) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(f'[study]\nname = "cli"\nbase = "{base}"\n\n{vary}\n')
    return path


def sweep(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["sweep", *args])
    return result.exit_code, result.stdout, result.stderr


GOOD = '[vary.grid]\n"votes.CHN.no" = [0.1, 0.5]\n'


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ('[vary.grid]\n"votes.XYZ.no" = [0.1]', "study.toml: vary.grid.votes.XYZ.no: unknown member 'XYZ'"),
        ('[vary.grid]\n"correlation.commn" = [0.1]', "study.toml: vary.grid.correlation.commn: unknown scenario field"),
        ('[vary.grid]\n"correlation.common" = ["high"]',
         "study.toml: vary.grid.correlation.common: correlation.common: Input should be a valid number"),
        ('[vary.grid]\n"votes.CHN.no" = [2]', "study.toml: vary.grid.votes.CHN.no: must be a probability"),
        ('[vary.range]\n"council.year" = { start = 2020 }', "study.toml: vary.range.council.year.stop: required key"),
        ('[vary.grid]\n"votes.CHN.no" = [0.1', "study.toml: (toml): not valid TOML"),
        ("[vary]\nlhs = 3", "study.toml: vary.lhs: "),
    ],
)
def test_bad_study_is_one_line_exit_2(tmp_path: Path, vary: str, message: str) -> None:
    study = write_study(tmp_path, vary)
    code, out, err = sweep(str(study), "--draws", "100", "--quiet")
    assert code == 2
    assert err.count("\n") == 1 and err.endswith("\n")
    assert err.startswith(str(tmp_path / message.split(":")[0]) + ":" + message.split(":", 1)[1])
    assert out == ""


def test_bad_base_scenario_names_its_file(tmp_path: Path) -> None:
    code, _, err = sweep(str(write_study(tmp_path, GOOD, base="nope.toml")), "--quiet")
    assert code == 2 and err.count("\n") == 1
    assert "study.toml: study.base: " in err and "nope.toml: no such file" in err
    broken = tmp_path / "broken.toml"
    broken.write_text('[scenario]\nname = "b"\n[council]\nyear = 2022\n[votes.Chna]\nyes = 1.0\n')
    code, _, err = sweep(str(write_study(tmp_path, GOOD, base=broken)), "--quiet")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"{broken}: votes.Chna: unknown UN member name 'Chna'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "abc"], "sweep: Invalid value for '--workers': 'abc' is not a valid integer"),
        (["--workers", "0"], "--workers: must be between 1 and 1024, got 0"),
        (["--draws", "0"], "--draws: must be between 1 and 100,000,000, got 0"),
        (["--seed", "-1"], "--seed: must be a non-negative integer"),
        (["--executor", "spark"], "sweep: Invalid value for '--executor'"),
        (["--executor", "local", "--scheduler", "tcp://x:1"], "--scheduler: needs --executor dask"),
        (["--out", "r.xlsx"], "--out: r.xlsx: use a .parquet or .csv file name"),
        (["--resume"], "--resume: needs --out"),
    ],
)
def test_bad_options_are_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = sweep(str(write_study(tmp_path, GOOD)), "--quiet", *args)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(message)


def test_missing_study_file(tmp_path: Path) -> None:
    code, _, err = sweep(str(tmp_path / "none.toml"))
    assert code == 2 and err == f"{tmp_path / 'none.toml'}: (file): no such file\n"


def test_writes_output_and_refuses_to_overwrite(tmp_path: Path) -> None:
    study = write_study(tmp_path, GOOD)
    out = tmp_path / "r.parquet"
    code, stdout, _ = sweep(str(study), "--out", str(out), "--draws", "500", "--quiet")
    assert code == 0 and stdout == f"2 points written to {out}\n"
    first = pd.read_parquet(out)
    assert list(first["votes.CHN.no"]) == [0.1, 0.5]
    code, _, err = sweep(str(study), "--out", str(out), "--draws", "500", "--quiet")
    assert code == 2 and err == f"--out: {out} exists; pass --force to overwrite it (or --resume to reuse it)\n"
    code, _, _ = sweep(str(study), "--out", str(out), "--draws", "500", "--seed", "3", "--force", "--quiet")
    assert code == 0
    assert not pd.read_parquet(out)["p_adopted"].equals(first["p_adopted"])


def test_preview_without_out_and_exact(tmp_path: Path) -> None:
    code, stdout, _ = sweep(str(write_study(tmp_path, GOOD)), "--exact", "--quiet")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].split() == ["point", "votes.CHN.no", "p_adopted", "p_adopted_se"]
    assert len(lines) == 3
    assert lines[1].split()[-1] == "0.0"  # exact: no standard error
