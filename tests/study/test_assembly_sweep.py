"""Sweeps of General Assembly studies: a study whose base has an ``[assembly]`` table.

Each point's row must be what :func:`sim.assembly.api.simulate_assembly` gives on the base
scenario with the point's values written in by hand (exact method: to 1e-12; Monte Carlo: the
same numbers with the point's seed), whatever the number of workers or the executor; bad
paths fail before any work with one line and exit code 2.
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import sim
from sim.assembly.api import simulate_assembly
from sim.assembly.scenario import base_rates
from sim.cli import main
from sim.errors import StudyError
from sim.study import batch, point_scenario, point_seed
from tests.conftest import ROOT

#: An Assembly vote on the alignment axis with no correlation (its exact method takes ~0.1 s).
AXIS_BASE = """
[scenario]
name = "axis test"

[assembly]
date = 2025-02-24
question = "important"

[draft]
position = 0.5

[votes.WEOG]
yes = 0.95
abstain = 0.05

[votes."Russian Federation"]
no = 1.0

[votes."United States"]
no = 0.9
abstain = 0.1

[alignment.loadings]
France = 0.5
Germany = 0.5
"Russian Federation" = -0.5
Brazil = -0.4
India = -0.4
"South Africa" = -0.4
"""

#: The same vote with correlated regional groups and no axis (exact: ~0.1 s).
CORRELATED_BASE = """
[scenario]
name = "correlated test"

[assembly]
date = 2025-02-24
question = "important"

[votes.WEOG]
yes = 0.95
abstain = 0.05

[votes."United States"]
no = 0.9
abstain = 0.1

[correlation]
common = 0.2
regions = { "African States" = 0.3 }
"""

#: The statistics compared between a sweep's row and simulate_assembly.
STATS = ("p_adopted", "yes_mean", "yes_lo", "yes_hi", "no_mean", "no_lo", "no_hi", "abstain_mean",
         "abstain_lo", "abstain_hi", "margin_mean", "margin_lo", "margin_hi")
#: Columns a Council sweep has and an Assembly sweep must not.
COUNCIL_ONLY = ("p_vetoed", "p_vetoed_se", "p_short", "p_short_se", "p_permanent_no", "p_permanent_no_se")


def write_study(tmp_path: Path, base_text: str, vary: str, study: str = "") -> Path:
    base = tmp_path / "base.toml"
    base.write_text(base_text)
    path = tmp_path / "study.toml"
    path.write_text(f'[study]\nname = "assembly test"\nbase = "base.toml"\nseed = 5\n{study}\n{vary}\n')
    return path


def record(result: Any) -> dict[str, float]:
    """The statistics of simulate_assembly's result, read from the result itself."""
    tally, margin = result.tally(), result.margin()
    out = {"p_adopted": result.p_adopted}
    for k in ("yes", "no", "abstain"):
        out.update({f"{k}_mean": tally[k]["mean"], f"{k}_lo": tally[k]["lo"], f"{k}_hi": tally[k]["hi"]})
    out.update({"margin_mean": margin["mean"], "margin_lo": margin["lo"], "margin_hi": margin["hi"]})
    return out


def assert_row_is(row: pd.Series, result: Any, members: tuple[str, ...] = ()) -> None:
    for key, value in record(result).items():
        assert row[key] == pytest.approx(value, abs=1e-12, rel=0), key
    for code in members:
        i = result.members.index(code)
        for j, vote in enumerate(("yes", "abstain", "no", "absent")):
            assert row[f"{code}_{vote}"] == pytest.approx(result.member_votes[i, j], abs=1e-12, rel=0)


def test_exact_points_equal_simulate_assembly_on_the_overridden_scenario(tmp_path: Path) -> None:
    vary = '[vary.grid]\n"draft.position" = [0.5, -0.5]\n"votes.WEOG.yes" = [0.95, 0.6]'
    path = write_study(tmp_path, AXIS_BASE, vary, 'method = "exact"')
    df = sim.sweep(path, progress=False)
    assert list(df["draft.position"]) == [0.5, 0.5, -0.5, -0.5]
    base = tomllib.loads(AXIS_BASE)
    for _, row in df.iterrows():
        data = copy.deepcopy(base)
        data["draft"]["position"] = row["draft.position"]
        yes = row["votes.WEOG.yes"]  # the rest goes to abstain, the only other key with mass
        data["votes"]["WEOG"] = {"yes": yes, "abstain": 1.0 - yes, "no": 0.0, "absent": 0.0}
        result = simulate_assembly(data, method="exact")
        assert_row_is(row, result, members=("FRA", "BRA", "USA", "RUS"))
        assert row["method"] == "exact" and row["p_adopted_se"] == 0.0
        assert pd.isna(row["seed"]) and pd.isna(row["draws"])
    # the axis does move the loaded members: France's yes falls from +0.5 to -0.5
    assert df.loc[0, "FRA_yes"] > df.loc[2, "FRA_yes"] and df.loc[0, "BRA_yes"] < df.loc[2, "BRA_yes"]


def test_exact_points_of_the_correlation_and_groups_equal_simulate_assembly(tmp_path: Path) -> None:
    vary = ('[vary.grid]\n"correlation.common" = [0.0, 0.4]\n"correlation.regions.GRULAC" = [0.0, 0.5]\n'
            "'votes.\"United States\".no' = [0.5]")
    df = sim.sweep(write_study(tmp_path, CORRELATED_BASE, vary, 'method = "exact"'), progress=False)
    assert len(df) == 4
    base = tomllib.loads(CORRELATED_BASE)
    for _, row in df.iterrows():
        data = copy.deepcopy(base)
        data["correlation"]["common"] = row["correlation.common"]
        data["correlation"]["regions"]["Latin American and Caribbean States"] = row["correlation.regions.GRULAC"]
        data["votes"]["United States"] = {"yes": 0.0, "abstain": 0.5, "no": 0.5, "absent": 0.0}
        assert_row_is(row, simulate_assembly(data, method="exact"), members=("USA",))
    # the correlation widens the tally's interval without moving its mean
    assert df.loc[3, "yes_hi"] - df.loc[3, "yes_lo"] > df.loc[0, "yes_hi"] - df.loc[0, "yes_lo"]
    assert df.loc[3, "yes_mean"] == pytest.approx(df.loc[0, "yes_mean"], abs=1e-9)


def test_monte_carlo_points_are_simulate_assembly_with_the_points_seed(tmp_path: Path) -> None:
    vary = '[vary.grid]\n"draft.position" = [0.5, 0.0, -0.5]'
    path = write_study(tmp_path, AXIS_BASE, vary)
    df = sim.sweep(path, draws=3000, progress=False)
    base = tomllib.loads(AXIS_BASE)
    for i, row in df.iterrows():
        data = copy.deepcopy(base)
        data["draft"]["position"] = row["draft.position"]
        result = simulate_assembly(data, draws=3000, seed=point_seed(5, int(i)))
        assert row["seed"] == point_seed(5, int(i)) and row["draws"] == 3000
        assert row["method"] == "monte-carlo"
        assert_row_is(row, result, members=("FRA",))  # equal numbers: the same draws
        assert row["p_adopted_se"] == result.p_adopted_se


AMENDED_BASE = CORRELATED_BASE.replace("[correlation]\ncommon = 0.2", "[correlation]\ncommon = 0.0") + """
[[amendments]]
name = "names the aggressor"

[amendments.votes.GRULAC]
yes = 0.8
abstain = 0.2

[amendments.votes."African States"]
yes = 0.35
abstain = 0.3
no = 0.35

[amendments.votes."Asia-Pacific States"]
yes = 0.4
abstain = 0.3
no = 0.3

[amendments.effect."United States"]
yes = 1.0
"""


def test_an_amendments_tables_take_groups_and_its_p_adopted_is_a_column(tmp_path: Path) -> None:
    vary = '[vary.grid]\n"amendments[0].votes.GRULAC.no" = [0.0, 0.4]\n"correlation.regions.Africa" = [0.0]'
    df = sim.sweep(write_study(tmp_path, AMENDED_BASE, vary, 'method = "exact"'), progress=False)
    base = tomllib.loads(AMENDED_BASE)
    column = "amendment names the aggressor: p_adopted"
    for _, row in df.iterrows():
        data = copy.deepcopy(base)
        no = row["amendments[0].votes.GRULAC.no"]
        data["amendments"][0]["votes"]["GRULAC"] = {"yes": 0.8 * (1 - no), "abstain": 0.2 * (1 - no), "no": no,
                                                    "absent": 0.0}
        data["correlation"]["regions"]["African States"] = 0.0
        result = simulate_assembly(data, method="exact")
        assert_row_is(row, result)
        assert result.amendments is not None
        assert row[column] == pytest.approx(result.amendments.p_adopted[0], abs=1e-12, rel=0)
    assert df.loc[1, column] < df.loc[0, column]  # Latin America's no costs the amendment votes


@pytest.fixture(scope="module")
def mc_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vary = ('[vary.grid]\n"correlation.common" = [0.0, 0.3]\n"votes.WEOG.no" = [0.0, 0.3]\n'
            '"assembly.question" = ["important", "simple"]')
    return write_study(tmp_path_factory.mktemp("mc"), CORRELATED_BASE, vary)


@pytest.fixture(scope="module")
def serial(mc_study: Path) -> pd.DataFrame:
    return sim.sweep(mc_study, draws=4000, progress=False)


def test_monte_carlo_table_does_not_depend_on_the_workers(mc_study: Path, serial: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    two = sim.sweep(mc_study, draws=4000, workers=2, chunk_size=1, out=out, progress=False)
    pd.testing.assert_frame_equal(two, serial)
    pd.testing.assert_frame_equal(pd.read_parquet(out), serial)
    assert len(serial) == 8 and serial["p_adopted"].between(0, 1).all()


def test_dask_gives_the_local_table(mc_study: Path, serial: pd.DataFrame) -> None:
    pytest.importorskip("distributed")
    df = sim.sweep(mc_study, draws=4000, executor="dask", workers=2, chunk_size=3, progress=False)
    pd.testing.assert_frame_equal(df, serial)


def test_the_table_has_the_assemblys_columns_and_no_councils(mc_study: Path, serial: pd.DataFrame,
                                                             tmp_path: Path) -> None:
    cols = set(serial.columns)
    wanted = {"point", "correlation.common", "votes.WEOG.no", "assembly.question", "seed", "method", "draws",
              "body", "p_adopted_se", *STATS}
    assert wanted <= cols
    assert not cols & set(COUNCIL_ONLY)
    assert not [c for c in cols if c.endswith(("_veto", "_pivotal"))]
    assert {"USA_yes", "NGA_absent"} <= cols and len([c for c in cols if c.endswith("_yes")]) == 193
    assert (serial["body"] == "assembly").all()
    assert list(serial["seed"]) == [point_seed(5, i) for i in range(8)]
    se = (serial["p_adopted"] * (1 - serial["p_adopted"]) / 4000) ** 0.5
    assert serial["p_adopted_se"].to_numpy() == pytest.approx(se.to_numpy(), abs=1e-15)
    out = tmp_path / "m.parquet"
    sim.sweep(mc_study, draws=4000, out=out, progress=False)
    meta = batch.read_metadata(out)
    assert meta["unsc_sim.seed"] == "5" and meta["unsc_sim.method"] == "monte-carlo"
    assert meta["unsc_sim.draws"] == "4000" and meta["unsc_sim.points"] == "8"
    assert meta["unsc_sim.command"].startswith(f"sim.sweep({str(mc_study)!r}, draws=4000, seed=5")
    assert meta["unsc_sim.base"].endswith("base.toml") and len(meta["unsc_sim.base_sha256"]) == 64
    pd.testing.assert_frame_equal(pq.read_table(out).to_pandas(), serial)


def test_resume_of_an_assembly_sweep(mc_study: Path, serial: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    sim.sweep(mc_study, draws=4000, out=out, progress=False)
    again = sim.sweep(mc_study, draws=4000, out=out, resume=True, progress=False)
    pd.testing.assert_frame_equal(again, serial)


def test_renormalization_starts_from_the_members_numbers_before_the_position(tmp_path: Path) -> None:
    path = write_study(tmp_path, AXIS_BASE, '[vary.grid]\n"votes.France.no" = [0.5]\n"votes.Brazil.yes" = [0.5]\n'
                                            '"votes.GRULAC.no" = [0.1]')
    loaded = batch.load_study(path)
    spec = point_scenario(loaded.design, loaded.base, 0, loaded.defaults)
    # France takes the WEOG table (0.95, 0.05): half goes to no, the rest in proportion
    assert spec.votes["France"].as_tuple() == pytest.approx((0.475, 0.025, 0.5, 0.0))
    # Brazil is loaded on the axis, but starts from its base rate, not from where +0.5 moves it
    assert loaded.defaults("BRA") == base_rates()["BRA"]
    b = base_rates()["BRA"]
    rest = (1 - 0.5) / (b[1] + b[2] + b[3])
    assert spec.votes["Brazil"].as_tuple() == pytest.approx((0.5, b[1] * rest, b[2] * rest, b[3] * rest))
    # a group with no table starts from its members' average
    grulac = loaded.defaults("Latin American and Caribbean States")
    table = spec.votes["GRULAC"].as_tuple()
    assert table[2] == 0.1 and table[0] == pytest.approx(grulac[0] * 0.9 / (1 - grulac[2]))


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ('"votes.WEOGX.yes" = [0.5]', "vary.grid.votes.WEOGX.yes: unknown member or regional group 'WEOGX'"),
        ('"correlation.regions.France" = [0.1]',
         "vary.grid.correlation.regions.France: unknown regional group 'France'; use one of African States"),
        ('"alignment.loadings.WEOG" = [0.1]',
         "vary.grid.alignment.loadings.WEOG: 'WEOG' is a regional group (Western European and other States); "
         "this table takes members"),
        ('"council.year" = [2020]', "vary.grid.council.year: unknown scenario field 'council'; a scenario has "
                                    "scenario, assembly, draft, votes, correlation, alignment, "),
        ('"assembly.question" = ["simple", "maybe"]',
         "vary.grid.assembly.question: assembly.question: Input should be 'important' or 'simple' "
         "(point 1: assembly.question = 'maybe')"),
        ('"correlation.regions.africa" = [1.5]',
         "vary.grid.correlation.regions.africa: correlation: "),
        ('"votes.WEOG.yes" = [0.5]\n"votes.\\"Western European and other States\\".yes" = [0.1]',
         'the same field is already varied by vary.grid.votes.WEOG.yes'),
    ],
)
def test_bad_assembly_overrides_are_one_line_and_exit_2(tmp_path: Path, vary: str, message: str) -> None:
    path = write_study(tmp_path, CORRELATED_BASE, f"[vary.grid]\n{vary}")
    res = CliRunner().invoke(main, ["sweep", str(path), "--quiet", "--draws", "100"])
    assert res.exit_code == 2, res.output
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: ") and message in lines[0], res.stderr
    assert res.stdout == ""
    with pytest.raises(StudyError, match="^" + re.escape(f"{path}: ")):
        batch.load_study(path)


def test_the_ukraine_assembly_study_runs(tmp_path: Path) -> None:
    study = ROOT / "studies" / "ukraine_2025_assembly_axis.toml"
    df = sim.sweep(study, draws=1000, progress=False)  # the study's 33 points, few draws
    assert len(df) == 33
    positions = [round(0.5 - 0.1 * i, 1) for i in range(11)]
    assert list(df["draft.position"]) == positions * 3
    assert list(df["correlation.common"]) == [0.0] * 11 + [0.2] * 11 + [0.4] * 11
    assert (df["yes_lo"] <= df["yes_mean"]).all() and (df["yes_mean"] <= df["yes_hi"]).all()
    assert (df["yes_hi"] <= 193).all() and df["p_adopted"].between(0, 1).all()
    assert (df["seed"] == 2025).all()  # common random numbers: the study's seed at every point
    # the loaded members move along the axis: Ukraine's friends lose yes toward Russia
    first, last = df.iloc[0], df.iloc[10]
    assert first["FRA_yes"] > last["FRA_yes"] and first["BLR_no"] > last["BLR_no"]
