"""CLI commands fit / predict / backtest (sim.cli.calibrate)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli.calibrate import backtest_command, fit_command, predict_command
from tests.conftest import SHARED_DATA as DATA

SC = DATA / "unsc_draft_votes_1994_2023_oliverunv.csv.gz"

COUNCIL_2023 = ["Albania", "Brazil", "China", "Ecuador", "France", "Gabon", "Ghana", "Japan",
                "Malta", "Mozambique", "Russian Federation", "Switzerland",
                "United Arab Emirates", "United Kingdom", "United States"]


def drafts_csv(path: Path, with_outcomes: bool) -> Path:
    rows = []
    ukraine = ("Letter dated 28 February 2014 from the Permanent Representative of Ukraine to "
               "the United Nations addressed to the President of the Security Council "
               "(S/2014/136)")
    for eid, sponsor, agenda, topic in (
            (901, "United States, Albania", ukraine, "2014 Letter from Ukraine (Ukraine)"),
            (902, "President", "The situation in Somalia", "Somalia"),
            (903, "Russian Federation", "The situation in the Middle East",
             "Middle East (Syria)")):
        for m in COUNCIL_2023:
            r = {"Year": 2024, "Date": "2024-03-01", "Draft": f"S/2024/{eid}",
                 "Agenda item": agenda, "Category": "Country-specific", "Region": "Europe",
                 "Submitted by": sponsor, "Member State": m, "ID": eid,
                 "Membership_Status": "Other", "Topic": topic}
            if with_outcomes:
                r |= {"Vote": "Yes", "Outcome results": "Adopted unanimously",
                      "Resolution": "1 (2024)", "Meeting": "S/PV.1"}
            rows.append(r)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_predict_writes_members_and_events(tmp_path: Path) -> None:
    src = drafts_csv(tmp_path / "drafts.csv", with_outcomes=True)
    out, ev = tmp_path / "members.csv", tmp_path / "events.csv"
    res = CliRunner().invoke(predict_command, [str(src), "--out", str(out),
                                               "--events-out", str(ev)])
    assert res.exit_code == 0, res.output
    m = pd.read_csv(out)
    assert list(m.columns) == ["ID", "Member State", "p_yes", "p_abstain", "p_no"]
    assert len(m) == 45 and m["Member State"].tolist()[:15] == COUNCIL_2023
    assert ((m[["p_yes", "p_abstain", "p_no"]].sum(axis=1) - 1).abs() < 1e-5).all()
    e = pd.read_csv(ev)
    assert list(e.columns) == ["ID", "p_adopted", "p_vetoed"]
    e = e.set_index("ID")
    assert e.loc[902, "p_adopted"] > 0.9  # a presidential text
    assert e.loc[901, "p_vetoed"] > 0.5  # Western draft on Ukraine: Russian veto likely


def test_predict_ignores_outcome_columns(tmp_path: Path) -> None:
    """Removing or changing Vote / Outcome results / Resolution / Meeting changes nothing."""
    a = drafts_csv(tmp_path / "a.csv", with_outcomes=True)
    b = drafts_csv(tmp_path / "b.csv", with_outcomes=False)
    c = tmp_path / "c.csv"
    df = pd.read_csv(a)
    df["Vote"] = ["No", "Abstain", "Yes"] * 15
    df["Outcome results"] = "Not adopted - veto"
    df["Resolution"] = None
    df.sample(frac=1.0, random_state=1, axis=1).to_csv(c, index=False)  # shuffled columns too
    outs = []
    for src in (a, b, c):
        out, ev = tmp_path / f"{src.stem}_m.csv", tmp_path / f"{src.stem}_e.csv"
        res = CliRunner().invoke(predict_command, [str(src), "--out", str(out),
                                                   "--events-out", str(ev)])
        assert res.exit_code == 0, res.output
        outs.append((out.read_text(), ev.read_text()))
    assert outs[0] == outs[1] == outs[2]


@pytest.mark.parametrize("make, field", [
    (lambda p: None, "file: not found"),
    (lambda p: pd.DataFrame({"ID": [1], "Date": ["2024-01-01"]}).to_csv(p, index=False),
     "Member State: missing column"),
    (lambda p: pd.DataFrame({"ID": [1], "Date": ["someday"], "Member State": ["China"]})
     .to_csv(p, index=False), "Date: unparseable date"),
    (lambda p: pd.DataFrame({"ID": [1], "Date": ["2024-01-01"], "Member State": ["Atlantis"]})
     .to_csv(p, index=False), "Member State: unknown member"),
])
def test_predict_bad_input_exit_2(tmp_path: Path, make: object, field: str) -> None:
    p = tmp_path / "in.csv"
    make(p)  # type: ignore[operator]
    res = CliRunner().invoke(predict_command, [str(p), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert res.stderr.strip() == f"{p}: {field}" or res.stderr.strip().startswith(f"{p}: {field}")
    assert "Traceback" not in res.output and len(res.stderr.strip().splitlines()) == 1


def test_predict_bad_params_exit_2(tmp_path: Path) -> None:
    src = drafts_csv(tmp_path / "d.csv", with_outcomes=False)
    bad = tmp_path / "params.json"
    bad.write_text("{not json")
    res = CliRunner().invoke(predict_command, [str(src), "--out", str(tmp_path / "o.csv"),
                                               "--params", str(bad)])
    assert res.exit_code == 2
    assert res.stderr.strip() == f"{bad.resolve()}: file: not valid JSON"


def test_fit_and_backtest_bad_data_dir_exit_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(fit_command, ["--data", str(tmp_path / "nope"),
                                           "--out", str(tmp_path / "p.json")])
    assert res.exit_code == 2
    assert res.stderr.strip() == f"{tmp_path / 'nope'}: data: directory not found"
    res = CliRunner().invoke(backtest_command, ["--data", str(tmp_path)])
    assert res.exit_code == 2
    assert "not found in data directory" in res.stderr
    # a data dir whose SC file lacks a column
    (tmp_path / "d").mkdir()
    for name in ("voeten_idealpoints_1946_2022.csv.gz", "un_regional_groups_2024.csv",
                 "unsc_membership_1946_2024_dppa.csv"):
        (tmp_path / "d" / name).write_text("x\n1\n")
    with gzip.open(tmp_path / "d" / SC.name, "wt") as fh:
        fh.write("ID,Date\n1,2020-01-01\n")
    res = CliRunner().invoke(fit_command, ["--data", str(tmp_path / "d"),
                                           "--out", str(tmp_path / "p.json")])
    assert res.exit_code == 2
    assert res.stderr.strip().endswith(": Member State: missing column")


def test_backtest_bad_years_exit_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(backtest_command, ["--data", str(tmp_path), "--from", "2020",
                                                "--to", "2019"])
    assert res.exit_code == 2
    assert res.stderr.strip() == "--to: year: must not be before --from"


def test_predict_with_history_uses_earlier_votes_only(tmp_path: Path) -> None:
    """`--history` adds recorded votes after the training data: a draft is forecast from
    earlier votes only (the shipped model reads the history of earlier calendar years);
    votes of the same day change nothing."""
    src = tmp_path / "drafts.csv"
    pd.read_csv(drafts_csv(tmp_path / "d0.csv", with_outcomes=False)).assign(
        Date="2025-03-01", Year=2025).to_csv(src, index=False)
    hist = pd.read_csv(drafts_csv(tmp_path / "h.csv", with_outcomes=True))
    hist["ID"] = hist["ID"] + 1000
    hist.loc[hist["Member State"] == "Russian Federation", "Vote"] = "No"
    earlier, later = tmp_path / "early.csv", tmp_path / "late.csv"
    hist.assign(Date="2024-02-20").to_csv(earlier, index=False)
    hist.assign(Date="2025-03-01", Year=2025).to_csv(later, index=False)  # same day
    outs = []
    for h in (None, later, earlier):
        out = tmp_path / f"m_{h.stem if h else 'none'}.csv"
        args = [str(src), "--out", str(out)] + (["--history", str(h)] if h else [])
        res = CliRunner().invoke(predict_command, args)
        assert res.exit_code == 0, res.output
        outs.append(out.read_text())
    assert outs[0] == outs[1]
    assert outs[0] != outs[2]


def test_outputs_are_not_overwritten_without_force(tmp_path: Path) -> None:
    """Issue 11: fit --out, predict --out and backtest --report overwrote silently."""
    if not SC.exists():
        pytest.skip("../shared/data is absent")
    src = drafts_csv(tmp_path / "d.csv", with_outcomes=False)
    out = tmp_path / "o.csv"
    out.write_text("mine\n")
    res = CliRunner().invoke(predict_command, [str(src), "--out", str(out)])
    assert res.exit_code == 2
    assert res.output.strip() == f"{out}: --out: exists; pass --force to overwrite it"
    assert out.read_text() == "mine\n"  # nothing the user made is lost
    res = CliRunner().invoke(predict_command, [str(src), "--out", str(out), "--force"])
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("ID,")
    params = tmp_path / "p.json"
    params.write_text("{}")
    res = CliRunner().invoke(fit_command, ["--data", str(DATA), "--out", str(params)])
    assert res.exit_code == 2 and "exists; pass --force" in res.output
    report = tmp_path / "r.md"
    report.write_text("mine")
    res = CliRunner().invoke(backtest_command, ["--data", str(DATA), "--report", str(report)])
    assert res.exit_code == 2 and "exists; pass --force" in res.output
    assert report.read_text() == "mine"


def test_no_directory_is_created_for_an_output(tmp_path: Path) -> None:
    """Issue 11: backtest --report /nonexist/r.md created /nonexist."""
    if not SC.exists():
        pytest.skip("../shared/data is absent")
    missing = tmp_path / "nonexist"
    for cmd, args in ((backtest_command, ["--data", str(DATA), "--report", str(missing / "r.md")]),
                      (fit_command, ["--data", str(tmp_path), "--out", str(missing / "p.json")]),
                      (predict_command, [str(tmp_path / "d.csv"), "--out", str(missing / "o.csv")])):
        res = CliRunner().invoke(cmd, args)
        assert res.exit_code == 2
        assert "does not exist" in res.output and len(res.output.strip().splitlines()) == 1
        assert not missing.exists()


def test_backtest_of_the_first_record_year_says_there_is_nothing_to_fit_on(tmp_path: Path) -> None:
    """Issue 11: `backtest --from 1994 --to 1994` said "no records in 1994-1994"."""
    if not SC.exists():
        pytest.skip("../shared/data is absent")
    res = CliRunner().invoke(backtest_command, ["--data", str(DATA), "--from", "1994", "--to", "1994",
                                                "--report", str(tmp_path / "r.md")])
    assert res.exit_code == 2
    assert res.output.strip() == ("--from: year: 1994: there is no earlier year to fit on (the records "
                                  "start in 1994); use --from 1995 or later")


def test_fit_until_before_the_records_names_the_file_and_the_flag(tmp_path: Path) -> None:
    """Issue 11: `fit --until 1990` printed "votes: rows: no vote rows to fit on", with no file
    name, after the progress bar on the same line."""
    if not SC.exists():
        pytest.skip("../shared/data is absent")
    out = tmp_path / "p.json"
    res = CliRunner().invoke(fit_command, ["--data", str(DATA), "--until", "1990", "--out", str(out)])
    assert res.exit_code == 2
    assert res.stderr == (f"{SC}: --until: no votes recorded in 1990 or earlier to fit on "
                          "(they start in 1994; use --until 1994 or later)\n")  # no bar before it
    assert not out.exists()


def test_an_error_during_fit_is_printed_after_the_bar_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The progress bar is closed (and, with leave=False, erased) before the error is printed."""
    if not SC.exists():
        pytest.skip("../shared/data is absent")
    from sim.calibration import fitting
    from sim.errors import InputError

    def failing(*_args: object, **_kw: object) -> None:
        raise InputError("rows", "broken", "votes")

    monkeypatch.setattr(fitting, "fit", failing)
    res = CliRunner().invoke(fit_command, ["--data", str(DATA), "--until", "2000", "--out", str(tmp_path / "p.json")])
    assert res.exit_code == 2
    assert res.stderr.endswith("\rvotes: rows: broken\n")  # the erased bar ends with a carriage return
