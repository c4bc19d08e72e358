"""Votes recorded after the shipped parameters' training data (``--history``): the scenario path
(``run``, ``compare``, ``frontier``, ``sim.api.history_calibrator``) reads them as ``predict
--history`` does, a draft sees only the records of earlier calendar years, and bad files are one
line, exit 2.

The later records are real ones: the 2023 rows of the shipped records file, relabelled as 2024
and 2025 (so the tests need ../shared/data and skip without it).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim import api
from sim.calibration.event_forecast import event_probabilities_for
from sim.calibration.prediction import extend_with_records, predict
from sim.cli import main
from sim.io.records import FILES, load_sc_draft_votes
from sim.scenario.calibrated import load_params, match_agenda, match_topic
from sim.scenario.council import council_for_year
from sim.scenario.names import readable_name

SCENARIO = """
[scenario]
name = "A {year} US draft on Ukraine"
[council]
year = {year}
[draft]
sponsor = "United States"
topic = "Ukraine"
date = "{year}-03-02"
"""


def relabel(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """The 2023 records as if they had been cast in ``year`` (new IDs, same days of the year)."""
    out = rows.copy()
    out["Year"] = year
    out["Date"] = out["Date"].astype(str).str.replace("2023", str(year), n=1, regex=False)
    out["ID"] = out["ID"].astype(int) + 100_000 * (year - 2023)
    return out


@pytest.fixture(scope="module")
def records_2023() -> pd.DataFrame:
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / FILES["sc_draft_votes"]
    if not path.is_file():
        pytest.skip("../shared/data is absent")
    df = pd.read_csv(path, low_memory=False)
    return df[df["Year"] == 2023]


@pytest.fixture
def later(records_2023: pd.DataFrame, tmp_path: Path) -> Path:
    """Records of 2024 and 2025, as a CSV."""
    path = tmp_path / "later.csv"
    pd.concat([relabel(records_2023, 2024), relabel(records_2023, 2025)]).to_csv(path, index=False)
    return path


def scenario(tmp_path: Path, year: int) -> Path:
    path = tmp_path / f"draft_{year}.toml"
    path.write_text(SCENARIO.format(year=year))
    return path


def run_json(*args: str) -> dict:
    res = CliRunner().invoke(main, ["run", *args, "--exact", "--format", "json"])
    assert res.exit_code == 0, res.output
    out: dict = json.loads(res.stdout)
    return out


def last_date(path: Path, year: int) -> str:
    df = pd.read_csv(path)
    return str(pd.to_datetime(df.loc[df["Year"] == year, "Date"]).max().date())


def test_run_with_history_moves_a_2026_forecast_and_reports_the_new_date(later: Path, tmp_path: Path) -> None:
    path = scenario(tmp_path, 2026)
    shipped = run_json(str(path))
    extended = run_json(str(path), "--history", str(later))
    assert shipped["calibrated_as_of"] == load_params().as_of
    assert extended["calibrated_as_of"] == last_date(later, 2025)
    assert extended["forecast"] == shipped["forecast"] == "hurdle mixture"
    assert abs(extended["p_adopted"] - shipped["p_adopted"]) > 1e-3
    assert extended["member_votes"] != shipped["member_votes"]
    # the shipped model's cache is not touched by a run with history
    assert run_json(str(path)) == shipped


def test_the_text_report_says_the_date_of_the_history(later: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["run", str(scenario(tmp_path, 2026)), "--exact", "--history", str(later)])
    assert res.exit_code == 0, res.output
    assert f"records through {last_date(later, 2025)}" in res.stdout


def test_records_of_the_drafts_own_year_do_not_change_its_forecast(
    records_2023: pd.DataFrame, tmp_path: Path
) -> None:
    """The model reads the history at the start of the draft's year: votes cast earlier in 2025
    are not read for a 2025 draft, nor are later ones."""
    only_2025 = tmp_path / "votes_2025.csv.gz"
    relabel(records_2023, 2025).to_csv(only_2025, index=False)  # gzipped, by its name
    path = scenario(tmp_path, 2025)
    shipped = run_json(str(path))
    extended = run_json(str(path), "--history", str(only_2025))
    assert extended == shipped  # the same numbers, and the same as-of date: nothing was read
    assert extended["calibrated_as_of"] == load_params().as_of


def test_a_2025_draft_reads_the_2024_records_of_a_longer_history(later: Path, tmp_path: Path) -> None:
    path = scenario(tmp_path, 2025)
    shipped = run_json(str(path))
    extended = run_json(str(path), "--history", str(later))
    assert extended["calibrated_as_of"] == last_date(later, 2024)
    assert extended["p_adopted"] != shipped["p_adopted"]


def drafts_csv(path: Path, year: int) -> Path:
    """The scenario's draft as ``predict`` reads it: the Council of ``year``, the same day,
    sponsor and topic (matched as the scenario path matches it)."""
    prm = load_params()
    topic = match_topic("Ukraine", prm)
    pd.DataFrame({
        "ID": 1, "Date": f"{year}-03-02", "Year": year, "Submitted by": "United States",
        "Topic": topic, "Agenda item": match_agenda("Ukraine", topic, prm),
        "Member State": [readable_name(m) for m in council_for_year(year).members],
    }).to_csv(path, index=False)
    return path


def test_predict_and_the_scenario_path_agree_with_the_same_history(later: Path, tmp_path: Path) -> None:
    path = scenario(tmp_path, 2026)
    drafts = drafts_csv(tmp_path / "drafts.csv", 2026)
    result = sim.simulate(path, method="exact", calibrator=api.history_calibrator(api.read_history(later)))
    # in process, to 1e-9: predict's own steps
    prm = extend_with_records(load_params(), api.read_history(later))
    event = event_probabilities_for(predict(prm, load_sc_draft_votes(drafts, outcomes=False))).iloc[0]
    assert result.p_adopted == pytest.approx(event["p_adopted"], abs=1e-9)
    assert result.p_vetoed == pytest.approx(event["p_vetoed"], abs=1e-9)
    # and the command, whose CSV has 6 decimals
    events = tmp_path / "events.csv"
    res = CliRunner().invoke(main, ["predict", str(drafts), "--out", str(tmp_path / "members.csv"),
                                    "--events-out", str(events), "--history", str(later)])
    assert res.exit_code == 0, res.output
    assert f"through {result.calibrated_as_of}" in res.stdout
    row = pd.read_csv(events).iloc[0]
    assert row["p_adopted"] == pytest.approx(result.p_adopted, abs=5e-7)
    assert row["p_vetoed"] == pytest.approx(result.p_vetoed, abs=5e-7)


def test_compare_takes_the_history(later: Path, tmp_path: Path) -> None:
    path = scenario(tmp_path, 2026)
    res = CliRunner().invoke(main, ["compare", str(path), str(path), "--exact", "--format", "json",
                                    "--history", str(later)])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["calibrated_as_of"] for r in rows] == [last_date(later, 2025)] * 2


def test_frontier_takes_the_history(later: Path, tmp_path: Path) -> None:
    axis = tmp_path / "axis.toml"
    axis.write_text(SCENARIO.format(year=2026) + '[alignment]\nname = "West - Russia"\n'
                    '[alignment.loadings]\n"Russian Federation" = -0.3\n')
    outs = []
    for extra in ([], ["--history", str(later)]):
        res = CliRunner().invoke(main, ["frontier", str(axis), "--draws", "4000", "--steps", "3", "--format", "json",
                                        *extra])
        if "not supported" in res.stderr:
            pytest.skip("the engine does not draw the alignment axis yet")
        assert res.exit_code == 0, res.output
        outs.append([p["p_adopted"] for p in json.loads(res.stdout)["positions"]])
    assert outs[0] != outs[1]


def write_rows(path: Path, rows: pd.DataFrame) -> None:
    rows.to_csv(path, index=False)


def sparse(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        fh.truncate(size)


BAD = {
    "missing": (lambda p, r: None, "file: no such file"),
    "directory": (lambda p, r: p.mkdir(), "file: is a directory, not a file"),
    "scenario": (lambda p, r: p.write_text(SCENARIO.format(year=2026)), "ID: missing column"),
    "no_vote": (lambda p, r: write_rows(p, relabel(r, 2024).drop(columns="Vote")), "Vote: missing column"),
    "bad_vote": (lambda p, r: write_rows(p, relabel(r, 2024).assign(Vote="maybe")), "Vote: unknown vote 'maybe'"),
    "bad_date": (lambda p, r: write_rows(p, relabel(r, 2024).assign(Date="soon")), "Date: unparseable date"),
    "only_fitted_years": (lambda p, r: write_rows(p, r), "Date: no cast vote recorded after 2023"),
    "too_big": (lambda p, r: sparse(p, api.MAX_HISTORY_BYTES + 1),
                f"file: is {api.MAX_HISTORY_BYTES + 1:,} bytes; the limit is {api.MAX_HISTORY_BYTES:,}"),
    "gzip_bomb": (lambda p, r: p.write_bytes(gzip.compress(b"0" * (api.MAX_HISTORY_CSV_BYTES + 1))),
                  "file: is more than"),
    "broken_gzip": (lambda p, r: p.write_bytes(b"\x1f\x8b" + b"not gzip at all" * 10),
                    "file: not a readable gzip file"),
    "binary": (lambda p, r: p.write_bytes(bytes(range(256)) * 4), "file: unreadable"),
}


CASES = [("run", case) for case in sorted(BAD)] + [("compare", "scenario"), ("frontier", "too_big")]


@pytest.mark.parametrize(("command", "case"), CASES)
def test_bad_history_files_exit_2_with_one_line(
    case: str, command: str, records_2023: pd.DataFrame, tmp_path: Path
) -> None:
    make, expected = BAD[case]
    bad = tmp_path / f"{case}.csv"
    make(bad, records_2023)
    path = scenario(tmp_path, 2026)
    args = [str(path)] * (2 if command == "compare" else 1)
    res = CliRunner().invoke(main, [command, *args, "--exact", "--history", str(bad)])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(f"{bad}: {expected}"), res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output


def test_the_history_of_an_upload_is_named_by_its_name(records_2023: pd.DataFrame) -> None:
    with pytest.raises(sim.InputError, match=r"^mine\.csv: Vote: missing column$"):
        api.read_history(relabel(records_2023, 2024).drop(columns="Vote").to_csv(index=False).encode(), "mine.csv")
    big = b"0" * (api.MAX_HISTORY_BYTES + 1)
    with pytest.raises(sim.InputError, match=r"^big\.csv: file: is 8,388,609 bytes; the limit is 8,388,608$"):
        api.read_history(big, "big.csv")
