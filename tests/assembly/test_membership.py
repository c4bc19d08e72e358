"""Tests for sim.assembly.membership: the UN's member states by date, and their regional groups."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections import Counter
from types import ModuleType

import pytest

from sim.assembly.membership import (
    FIRST_DAY,
    REGIONAL_GROUPS,
    is_member,
    member_count,
    members_on,
    memberships,
    regional_group,
)
from sim.errors import InputError
from sim.scenario.names import display_name, resolve
from tests.conftest import ROOT as REPO
from tests.conftest import SHARED_DATA as DATA
from tests.conftest import load_tool

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared UN data not available")
TODAY = dt.date(2026, 12, 2)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("day", "count"),
    [
        ("1945-10-24", 51),  # the original members
        ("2011-07-13", 192),
        ("2011-07-14", 193),  # South Sudan
        ("2022-03-02", 193),
        ("2025-02-24", 193),
        ("2006-06-27", 191),
        ("2006-06-28", 192),  # Montenegro
    ],
)
def test_counts_on_known_days(day: str, count: int) -> None:
    assert member_count(_day(day)) == count
    assert len(members_on(_day(day))) == count


# Members at the end of each year, from the UN's "Growth in United Nations membership" table.
UN_YEAR_END = {
    1946: 55, 1950: 60, 1955: 76, 1958: 82, 1960: 99, 1964: 115, 1965: 117, 1966: 122, 1970: 127,
    1971: 132, 1973: 135, 1980: 154, 1984: 159, 1990: 159, 1991: 166, 2000: 189, 2002: 191,
    2006: 192, 2011: 193,
}


@pytest.mark.parametrize(("year", "count"), sorted(UN_YEAR_END.items()))
def test_year_end_counts_match_the_un_table(year: int, count: int) -> None:
    assert member_count(dt.date(year, 12, 31)) == count


@pytest.mark.parametrize(("year", "un_count"), [(1992, 179), (1993, 184), (1994, 185), (1999, 188)])
def test_1992_to_2000_one_fewer_than_the_un_table(year: int, un_count: int) -> None:
    """The table leaves Yugoslavia out from GA res. 47/1 (22 Sep 1992) to the FRY's admission
    (1 Nov 2000), when it took no part in the Assembly; the UN's table still counts its seat."""
    day = dt.date(year, 12, 31)
    assert member_count(day) == un_count - 1
    assert "YUG" not in members_on(day) and "SCG" not in members_on(day)


def test_members_are_sorted_unique_and_stable_after_the_last_change() -> None:
    for day in (FIRST_DAY, _day("1971-10-25"), _day("1991-12-24"), TODAY):
        members = members_on(day)
        assert list(members) == sorted(set(members))
    assert members_on(dt.date(2100, 1, 1)) == members_on(_day("2011-07-14")) == members_on(TODAY)


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("SUN", "RUS", "1991-12-24"),
        ("ROC", "CHN", "1971-10-25"),
        ("SCG", "SRB", "2006-06-03"),
    ],
)
def test_seat_successions(before: str, after: str, change: str) -> None:
    day = _day(change)
    eve = day - dt.timedelta(days=1)
    assert is_member(before, eve) and not is_member(after, eve)
    assert is_member(after, day) and not is_member(before, day)
    assert member_count(eve) == member_count(day)


def test_soviet_and_chinese_seats_over_the_whole_history() -> None:
    for year in range(1946, 2027):
        members = members_on(dt.date(year, 6, 30))
        assert ("SUN" in members) == (year <= 1991) and ("RUS" in members) == (year >= 1992)
        assert ("ROC" in members) == (year <= 1971) and ("CHN" in members) == (year >= 1972)


def test_observer_states_never_members() -> None:
    codes = {m.code for m in memberships()}
    assert "VAT" not in codes and "PSE" not in codes
    for code in ("VAT", "PSE"):
        with pytest.raises(InputError, match="never been a UN member state"):
            regional_group(code)


@pytest.mark.parametrize(
    ("code", "spells"),
    [
        ("YUG", [("1945-10-24", "1992-09-22")]),
        ("SCG", [("2000-11-01", "2006-06-03")]),
        ("SRB", [("2006-06-03", None)]),
        ("CSK", [("1945-10-24", "1993-01-01")]),
        ("CZE", [("1993-01-19", None)]),
        ("SVK", [("1993-01-19", None)]),
        ("DDR", [("1973-09-18", "1990-10-03")]),
        ("DEU", [("1973-09-18", None)]),
        ("YEM", [("1947-09-30", None)]),
        ("YMD", [("1967-12-14", "1990-05-22")]),
        ("ZAN", [("1963-12-16", "1964-04-26")]),
        ("TZA", [("1961-12-14", None)]),
        ("EGY", [("1945-10-24", None)]),
        ("SYR", [("1945-10-24", "1958-02-21"), ("1961-10-13", None)]),
        ("IDN", [("1950-09-28", "1965-01-20"), ("1966-09-28", None)]),
        ("SSD", [("2011-07-14", None)]),
    ],
)
def test_historical_spells(code: str, spells: list[tuple[str, str | None]]) -> None:
    got = [(m.admitted, m.left) for m in memberships() if m.code == code]
    assert got == [(_day(a), _day(b) if b else None) for a, b in spells]
    for admitted, left in got:
        assert is_member(code, admitted)
        assert admitted == FIRST_DAY or not is_member(code, admitted - dt.timedelta(days=1))
        if left is not None:
            assert not is_member(code, left) and is_member(code, left - dt.timedelta(days=1))


def test_the_brief_gaps() -> None:
    assert not is_member("SYR", _day("1960-01-01")) and is_member("EGY", _day("1960-01-01"))
    assert not is_member("IDN", _day("1966-01-01"))
    assert not {"CSK", "CZE", "SVK"} & set(members_on(_day("1993-01-10")))
    assert {"DEU", "DDR"} <= set(members_on(_day("1990-10-02")))
    assert "DDR" not in members_on(_day("1990-10-03")) and "YMD" not in members_on(_day("1990-05-22"))


def test_every_code_has_a_name_and_a_group() -> None:
    for spell in memberships():
        assert display_name(spell.code) and spell.name == display_name(spell.code)
        assert regional_group(spell.code) in REGIONAL_GROUPS
    for day in (FIRST_DAY, _day("1970-01-01"), _day("1991-01-01"), TODAY):
        for code in members_on(day):
            assert regional_group(code) in REGIONAL_GROUPS


def test_group_sizes_today() -> None:
    """Türkiye counts in WEOG only, Kiribati in Asia-Pacific, the USA and Israel in WEOG."""
    sizes = Counter(regional_group(code) for code in members_on(TODAY))
    assert sizes == {
        "African States": 54,
        "Asia-Pacific States": 54,
        "Eastern European States": 23,
        "Latin American and Caribbean States": 33,
        "Western European and other States": 29,
    }
    assert sum(sizes.values()) == 193
    assert regional_group("TUR") == regional_group("USA") == regional_group("ISR") == REGIONAL_GROUPS[4]
    assert regional_group("KIR") == "Asia-Pacific States"


@pytest.mark.parametrize(
    ("code", "group"),
    [("SUN", 2), ("YUG", 2), ("CSK", 2), ("DDR", 2), ("SCG", 2), ("ROC", 1), ("YMD", 1), ("ZAN", 0),
     ("chn", 1), ("BRA", 3)],
)
def test_regional_group_of_former_members(code: str, group: int) -> None:
    assert regional_group(code) == REGIONAL_GROUPS[group]


def test_bad_inputs_raise_one_line() -> None:
    with pytest.raises(InputError, match="before the United Nations existed") as err:
        members_on(dt.date(1945, 10, 23))
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match=r"must be a datetime\.date"):
        member_count("2020-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'XXX' has never been a UN member state") as err:
        regional_group("XXX")
    assert "\n" not in str(err.value)
    assert members_on(dt.datetime(2011, 7, 14, 12)) == members_on(_day("2011-07-14"))


def test_runtime_reads_only_the_packaged_table() -> None:
    source = (REPO / "sim" / "assembly" / "membership.py").read_text(encoding="utf-8")
    assert "shared" not in source and "data/assembly_admissions.csv" in source


def _load_builder() -> ModuleType:
    return load_tool("build_assembly_membership")


@needs_data
def test_committed_table_matches_builder() -> None:
    rows = _load_builder().build_rows(DATA)
    with (REPO / "sim" / "data" / "assembly_admissions.csv").open(encoding="utf-8", newline="") as fh:
        committed = [tuple(r) for r in csv.reader(fh)][1:]
    assert committed == [tuple(r) for r in rows]


@needs_data
def test_regional_groups_file_agrees() -> None:
    """Every country in the 2024 file is a member today, in the file's group (Türkiye: WEOG)."""
    seen: dict[str, set[str]] = {}
    with (DATA / "un_regional_groups_2024.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            group = row["UN_regional_group"].strip().replace("African states", "African States")
            seen.setdefault(resolve(row["country"].strip()), set()).add(group)
    assert set(seen) == set(members_on(TODAY))
    assert seen["TUR"] == {"Asia-Pacific States", "Western European and other States"}
    for code, groups in seen.items():
        assert regional_group(code) in groups


# Sessions in which Voeten's file codes a state as a member (8, absent) while the table does
# not: the table follows the brief's documented simplifications (PROVENANCE, "Disagreements").
VOETEN_EXCEPTIONS = {("IDN", 19), ("IDN", 20), ("SYR", 13), ("SYR", 14), ("SYR", 15)}


@needs_data
@pytest.mark.slow
def test_voeten_sessions_1_to_70() -> None:
    """Every state coded other than 9 (not a member) in a session of Voeten's file is a member
    at some time in that session (the file's days are unreliable before the late 1990s, so a
    session runs from the month of its first roll call to the month of its last); and every
    member during a session has a row other than 9 in it. Not "on the session's first vote
    date": states admitted during a session (Japan, 18 Dec 1956) vote in it."""
    counts, spans, _months = _load_builder().read_voeten(DATA)
    assert sorted(spans) == list(range(1, 71))
    for (session, code), votes in counts.items():
        first, last = spans[session]
        during = any(m.admitted <= last and (m.left is None or first < m.left)
                     for m in memberships() if m.code == code)
        voting = any(v != 9 for v in votes)
        if (code, session) in VOETEN_EXCEPTIONS:
            assert not during and set(votes) == {8}, (code, session, votes)
        elif voting:
            assert during, (code, session, dict(votes))
    for session, (first, last) in spans.items():
        members = {m.code for m in memberships() if m.admitted <= last and (m.left is None or first < m.left)}
        coded = {code for (s, code), votes in counts.items() if s == session and any(v != 9 for v in votes)}
        assert members <= coded, (session, sorted(members - coded))


@needs_data
def test_unxml_recorded_votes_2019_2023() -> None:
    """Every state in a recorded vote of 2019-2023 is a member that day, and all 193 vote."""
    voters: set[str] = set()
    with gzip.open(DATA / "unxml_ga_recorded_votes_2019_2023_long.csv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = resolve(row["member_state"])
            assert is_member(code, _day(row["date"])), (code, row["symbol"])
            voters.add(code)
    assert voters == set(members_on(TODAY))
