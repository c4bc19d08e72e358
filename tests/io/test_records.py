"""Loaders of the UN voting record formats (sim.io.records)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.errors import InputError
from sim.io import records
from tests.conftest import SHARED_DATA as DATA

needs_data = pytest.mark.skipif(not (DATA / records.FILES["sc_draft_votes"]).exists(),
                                reason="shared data directory not present")

SC_HEADER = ["Year", "Date", "Resolution", "Meeting", "Draft", "Agenda item", "Category",
             "Region", "Submitted by", "Outcome results", "Vote", "Member State", "ID",
             "Membership_Status", "Topic"]


def write_sc(path: Path, rows: list[list[object]]) -> Path:
    df = pd.DataFrame(rows, columns=SC_HEADER)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        df.to_csv(fh, index=False)
    return path


def sc_row(eid: int, member: str, vote: str, outcome: str = "Adopted unanimously",
           sponsor: object = "United Kingdom") -> list[object]:
    return [2022, "2022-02-25", "2623 (2022)", "S/PV.8980", "S/2022/155", "Ukraine",
            "Country-specific", "Europe", sponsor, outcome, vote, member, eid, "Other",
            "Ukraine"]


def test_sc_draft_votes_small(tmp_path: Path) -> None:
    p = write_sc(tmp_path / "sc.csv.gz", [
        sc_row(1, "Russian Federation", "No", "Not adopted - veto"),
        sc_row(1, "United States", "Yes", "Not adopted - veto"),
        sc_row(1, "Ethipia", "Abstain", "Not adopted - veto"),
        sc_row(2, "China", "Yes"),
        sc_row(2, "China", "Abstain"),  # duplicated (event, member): the last row is kept
    ])
    df = records.load_sc_draft_votes(p)
    assert list(df["member"]) == ["RUS", "USA", "ETH", "CHN"]
    assert list(df["vote"]) == ["no", "yes", "abstain", "abstain"]
    assert list(df["adopted"]) == [False, False, False, True]
    assert df["event_id"].tolist() == ["1", "1", "1", "2"]
    assert df["year"].tolist() == [2022] * 4
    assert df["resolution"].tolist() == ["2623 (2022)"] * 4
    ctx = records.load_sc_draft_votes(p, outcomes=False)
    assert not {"vote", "outcome", "adopted", "resolution"} & set(ctx.columns)
    assert len(ctx) == 5  # forecasting keeps every input row


def test_sc_draft_votes_resolution_number(tmp_path: Path) -> None:
    """The resolution number as recorded; blank and 'Missing' are no number."""
    rows = [sc_row(i, "China", "Yes") for i in range(4)]
    for row, res in zip(rows, ["1093 (1997)", None, "Missing", "2541 (2020"], strict=True):
        row[2] = res
    df = records.load_sc_draft_votes(write_sc(tmp_path / "sc.csv.gz", rows))
    assert df["resolution"].tolist() == ["1093 (1997)", None, None, "2541 (2020"]


def test_sc_draft_votes_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        records.load_sc_draft_votes(tmp_path / "missing.csv.gz")
    p = tmp_path / "nocol.csv"
    pd.DataFrame({"ID": [1], "Date": ["2022-01-01"]}).to_csv(p, index=False)
    with pytest.raises(InputError, match=re.escape(f"{p}: Member State: missing column")) as e:
        records.load_sc_draft_votes(p)
    assert str(e.value) == f"{p}: Member State: missing column"
    bad = write_sc(tmp_path / "bad.csv.gz", [sc_row(1, "Atlantis", "Yes")])
    with pytest.raises(InputError, match="Member State: unknown member"):
        records.load_sc_draft_votes(bad)
    badv = write_sc(tmp_path / "badv.csv.gz", [sc_row(1, "China", "Maybe")])
    with pytest.raises(InputError, match="Vote: unknown vote"):
        records.load_sc_draft_votes(badv)
    notgz = tmp_path / "x.csv.gz"
    notgz.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(InputError, match="file: unreadable"):
        records.load_sc_draft_votes(notgz)


def test_adopted_long(tmp_path: Path) -> None:
    p = tmp_path / "a.csv.gz"
    df = pd.DataFrame({"date": ["1946-01-25", "1946-01-25"], "resolution": ["S/RES/1(1946)"] * 2,
                       "undl_id": [1, 1], "member_state": ["AUSTRALIA", "USSR"],
                       "vote": ["Y", "X"], "total_yes": [11, 11], "total_no": [0, 0],
                       "total_abstain": [0, 0], "total_non_voting": [0, 0],
                       "total_members": [11, 11], "title": ["t", "t"]})
    with gzip.open(p, "wt") as fh:
        df.to_csv(fh, index=False)
    out = records.load_sc_adopted_votes(p)
    assert out["member"].tolist() == ["AUS", "SUN"]
    assert out["vote"].tolist() == ["yes", "non_voting"]


def test_vetoes_latin1(tmp_path: Path) -> None:
    p = tmp_path / "v.csv"
    text = ("year,date,month,draft,meeting_record,agenda_item,crisis_topic,region,member_veto1,"
            "member_veto2,member_veto3\n"
            "2014,3/15/2014,3,S/2014/189,S/PV.7138,Ukraine \xe9,Ukraine,Europe,Russia,,\n"
            "2017,12/18/2017,12,S/2017/1060,S/PV.8139,Middle East,Jerusalem,Middle East,USA,,\n")
    p.write_bytes(text.encode("latin-1"))
    out = records.load_vetoes(p)
    assert out["member"].tolist() == ["RUS", "USA"]
    assert str(out["date"].iloc[0]) == "2014-03-15"


def test_ga_votes(tmp_path: Path) -> None:
    v, rc = tmp_path / "v.csv.gz", tmp_path / "rc.csv.gz"
    with gzip.open(v, "wt") as fh:
        pd.DataFrame({"rcid": [3, 3], "country": ["United States", "Canada"],
                      "country_code": ["US", "CA"], "vote": ["yes", "no"]}).to_csv(fh, index=False)
    with gzip.open(rc, "wt") as fh:
        pd.DataFrame({"rcid": [3], "session": [1], "importantvote": [0],
                      "date": ["1946-01-01"], "unres": ["R/1/66"], "amend": [1], "para": [0],
                      "short": ["x"], "descr": ["y"]}).to_csv(fh, index=False)
    out = records.load_ga_votes(v, rc)
    assert out["member"].tolist() == ["USA", "CAN"]
    assert out["session"].tolist() == [1, 1]


def test_ga_recorded_votes(tmp_path: Path) -> None:
    p = tmp_path / "g.csv.gz"
    with gzip.open(p, "wt") as fh:
        pd.DataFrame({"date": ["2019-11-07"] * 2, "symbol": ["A/RES/74/7"] * 2,
                      "session_file": [74, 74], "draft": ["A/74/L.6"] * 2,
                      "member_state": ["AFGHANISTAN", "UNITED STATES"], "vote": ["Y", "N"],
                      "yes_count": [187, 187], "no_count": [3.0, 3.0],
                      "abstain_count": [2.0, 2.0], "title": ["t", "t"]}).to_csv(fh, index=False)
    out = records.load_ga_recorded_votes(p)
    assert out["member"].tolist() == ["AFG", "USA"]
    assert out["vote"].tolist() == ["yes", "no"]


def test_ideal_points_groups_membership(tmp_path: Path) -> None:
    ip = tmp_path / "ip.csv.gz"
    with gzip.open(ip, "wt") as fh:
        pd.DataFrame({"Unnamed: 0": [1, 2], "ccode": [2, 365], "session": [77, 77],
                      "NVotesAll": [60, 60], "IdealPointAll": [2.5, -0.9],
                      "iso3c": ["USA", "RUS"], "Countryname": ["United States", "Russia"],
                      "USAgree": [1.0, 0.2], "RUSSAgree": [0.2, 1.0], "BrazilAgree": [0.5, 0.6],
                      "ChinaAgree": [0.2, 0.9], "IndiaAgree": [0.3, 0.8],
                      "IsraelAgree": [0.9, 0.1]}).to_csv(fh, index=False)
    out = records.load_ideal_points(ip)
    assert out["member"].tolist() == ["USA", "RUS"]
    assert out["year"].tolist() == [2022, 2022]
    rg = tmp_path / "rg.csv"
    rg.write_text("\ufeffcountry,UN_regional_group\nAlgeria ,African states\n"
                  "Türkiye ,Asia-Pacific States\nTürkiye ,Western European and other States\n",
                  encoding="utf-8")
    g = records.load_regional_groups(rg)
    assert dict(zip(g["member"], g["group"], strict=True)) == {
        "DZA": "AFR", "TUR": "WEOG", "USA": "WEOG"}
    cov = records.member_covariates(out, g)
    assert set(cov.columns) >= {"member", "year", "ideal", "us_agree", "group"}
    mem = tmp_path / "m.csv"
    mem.write_text("id,year,security_council_member,last_update\n1,2024,Japan,x\n"
                   "2,2024,,x\n3,2024,China,x\n")
    m = records.load_membership(mem)
    assert m["member"].tolist() == ["CHN", "JPN"]
    assert m["permanent"].tolist() == [True, False]
    bad = tmp_path / "bad_m.csv"
    bad.write_text("id,year,security_council_member,last_update\n1,abc,Japan,x\n")
    with pytest.raises(InputError, match=re.escape(f"{bad}: year: not a year: 'abc'")) as e:
        records.load_membership(bad)
    assert str(e.value) == f"{bad}: year: not a year: 'abc'"


def test_data_dir_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory not found"):
        records.data_dir_inputs(tmp_path / "nope")
    with pytest.raises(InputError, match="not found in data directory"):
        records.data_dir_inputs(tmp_path)


@needs_data
def test_real_sc_draft_votes() -> None:
    df = records.load_sc_draft_votes(DATA / records.FILES["sc_draft_votes"])
    assert df["event_id"].nunique() == 1917
    assert df["member"].str.len().eq(3).all()
    assert set(df["vote"]) == {"yes", "abstain", "no"}
    assert df["date"].max().year == 2023
    assert {"RUS", "USA", "CHN", "GBR", "FRA", "ETH"} <= set(df["member"])


@needs_data
def test_real_other_files() -> None:
    ip = records.load_ideal_points(DATA / records.FILES["ideal_points"])
    assert ip["session"].max() >= 77 and ip["member"].notna().all()
    g = records.load_regional_groups(DATA / records.FILES["regional_groups"])
    assert len(g) >= 193 and set(g["group"]) == {"AFR", "APG", "EEG", "GRULAC", "WEOG"}
    m = records.load_membership(DATA / records.FILES["membership"],
                                DATA / records.FILES["membership_supplement"])
    assert (m.groupby("year").size().loc[1966:2024] >= 14).all()
    v = records.load_vetoes(DATA / records.FILES["vetoes"])
    assert len(v) >= 200 and v["member"].notna().all()
    a = records.load_sc_adopted_votes(DATA / records.FILES["sc_adopted_votes"])
    assert len(a) > 30000
    gr = records.load_ga_recorded_votes(DATA / records.FILES["ga_recorded_votes"])
    assert gr["member"].notna().mean() > 0.99
