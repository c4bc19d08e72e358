"""Tests for sim.scenario.names: name resolution to ISO alpha-3 codes."""

from __future__ import annotations

import ast
import csv
import gzip
from pathlib import Path

import pytest

from sim.scenario import names
from sim.scenario.names import (
    KNOWN_CODES,
    PERMANENT_NOW,
    UnknownMemberError,
    display_name,
    resolve,
    resolve_for_year,
    seat_code,
    try_resolve,
)
from tests.conftest import SHARED_DATA as DATA

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared UN data not available")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # UN short names as in voting records
        ("Russian Federation", "RUS"),
        ("Republic of Korea", "KOR"),
        ("United Kingdom", "GBR"),
        ("United States", "USA"),
        ("Côte d'Ivoire", "CIV"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Venezuela (Bolivarian Republic of)", "VEN"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Syrian Arab Republic", "SYR"),
        ("Viet Nam", "VNM"),
        ("United Republic of Tanzania", "TZA"),
        ("Congo", "COG"),
        ("Democratic Republic of the Congo", "COD"),
        # common English names
        ("Russia", "RUS"),
        ("South Korea", "KOR"),
        ("North Korea", "PRK"),
        ("UK", "GBR"),
        ("USA", "USA"),
        ("US", "USA"),
        ("U.S.", "USA"),
        ("Britain", "GBR"),
        ("Iran", "IRN"),
        ("Syria", "SYR"),
        ("Ivory Coast", "CIV"),
        ("DR Congo", "COD"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("UAE", "ARE"),
        # official long names
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("United States of America", "USA"),
        ("USSR (Union of Soviet Socialist Republics)", "SUN"),
        ("German FR (German Federal Republic)", "DEU"),
        ("German DR (German Democratic Republic)", "DDR"),
        ("Ukrainian SSR (Ukrainian Soviet Socialist Republic)", "UKR"),
        # misspellings and upper-case stripped forms from the vote files
        ("Ethipia", "ETH"),
        ("Cote d' Ivoire", "CIV"),
        ("COTE D’IVOIRE", "CIV"),
        ("GERMANY, FEDERAL REPUBLIC OF", "DEU"),
        ("LIBYAN ARAB JAMAHIRIYA", "LBY"),
        ("CAPE VERDE", "CPV"),
        ("Ukranian Soviet Socialist Republic", "UKR"),
        ("DEMOCRATIC YEMEN", "YMD"),
        ("CHILEs", "CHL"),
        # historical names
        ("USSR", "SUN"),
        ("Soviet Union", "SUN"),
        ("Union of Soviet Socialist Republics", "SUN"),
        ("Republic of China", "ROC"),
        ("China (Taiwan)", "ROC"),
        ("China", "CHN"),
        ("Yugoslavia", "YUG"),
        ("Czechoslovakia", "CSK"),
        ("Zaire", "COD"),
        ("West Germany", "DEU"),
        ("East Germany", "DDR"),
        ("United Arab Republic", "EGY"),
        ("Burma", "MMR"),
        ("Ceylon", "LKA"),
        ("Upper Volta", "BFA"),
        ("Dahomey", "BEN"),
        ("Byelorussian SSR", "BLR"),
        ("Swaziland", "SWZ"),
        ("The former Yugoslav Republic of Macedonia", "MKD"),
    ],
)
def test_resolve_known_names(name: str, code: str) -> None:
    assert resolve(name) == code


@pytest.mark.parametrize(
    "variant",
    ["russian federation", "RUSSIAN FEDERATION", "  Russian   Federation ", "Russian-Federation"],
)
def test_resolve_ignores_case_spacing_and_punctuation(variant: str) -> None:
    assert resolve(variant) == "RUS"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("COTE D'IVOIRE", "CIV"),
        ("Cote dIvoire", "CIV"),
        ("TÜRKİYE", "TUR"),
        ("São Tomé & Príncipe", "STP"),
        ("St. Vincent & Grenadines", "VCT"),
        ("Democratic People's\u202fRepublic of Korea", "PRK"),  # narrow no-break space
        ("Korea, Republic of", "KOR"),  # inverted form
        ("Congo, Democratic Republic of the", "COD"),
        ("Gambia, The", "GMB"),
    ],
)
def test_resolve_normalises_accents_and_inversions(name: str, code: str) -> None:
    assert resolve(name) == code


@pytest.mark.parametrize("code", ["usa", "Gbr", "FRA", "chn", "sun", "ROC", "yug", "ddr"])
def test_resolve_accepts_codes_in_any_case(code: str) -> None:
    assert resolve(code) == code.upper()


def test_every_code_and_alias_round_trips() -> None:
    for code, aliases in names._TABLE.items():
        assert resolve(code) == code
        assert resolve(code.lower()) == code
        assert resolve(display_name(code)) == code
        for alias in aliases:
            assert resolve(alias) == code, alias


def test_code_set_covers_members_and_historical_states() -> None:
    assert {"SUN", "ROC", "YUG", "CSK", "DDR", "YMD"} <= KNOWN_CODES
    assert len(KNOWN_CODES) >= 193 + 2  # all UN members, Holy See/Palestine, dissolved states


def test_unknown_name_raises_with_suggestion() -> None:
    with pytest.raises(UnknownMemberError, match="Frnace") as info:
        resolve("Frnace")
    message = str(info.value)
    assert "Frnace" in message
    assert "France" in message
    assert isinstance(info.value, ValueError)


def test_unknown_name_without_close_match() -> None:
    with pytest.raises(UnknownMemberError, match="Qwzxv"):
        resolve("Qwzxv")


def test_try_resolve() -> None:
    assert try_resolve("Atlantis") is None
    assert try_resolve("") is None
    assert try_resolve("Soviet Union") == "SUN"


@pytest.mark.parametrize(
    ("code", "display"),
    [
        ("RUS", "Russia"),
        ("USA", "United States"),
        ("GBR", "United Kingdom"),
        ("SUN", "USSR"),
        ("ROC", "Republic of China"),
        ("CHN", "China"),
        ("KOR", "South Korea"),
        ("civ", "Côte d'Ivoire"),
    ],
)
def test_display_name(code: str, display: str) -> None:
    assert display_name(code) == display


def test_display_name_unknown_code() -> None:
    with pytest.raises(UnknownMemberError, match="unknown member code 'XXX'"):
        display_name("XXX")


def test_permanent_now() -> None:
    assert PERMANENT_NOW == ("CHN", "FRA", "RUS", "GBR", "USA")
    assert [display_name(c) for c in PERMANENT_NOW] == [
        "China", "France", "Russia", "United Kingdom", "United States"
    ]


@pytest.mark.parametrize(
    ("name", "year", "code"),
    [
        ("China", 1950, "ROC"),
        ("China", 1971, "ROC"),
        ("China", 1972, "CHN"),
        ("Russian Federation", 1947, "SUN"),
        ("Russian Federation", 1992, "RUS"),
        ("USSR", 1960, "SUN"),
        ("Democratic Yemen", 1990, "YEM"),
        ("Democratic Yemen", 1985, "YMD"),
        ("France", 1950, "FRA"),
    ],
)
def test_resolve_for_year(name: str, year: int, code: str) -> None:
    assert resolve_for_year(name, year) == code


def test_seat_code_leaves_others_alone() -> None:
    assert seat_code("GBR", 1950) == "GBR"
    assert seat_code("CHN", 2000) == "CHN"


# ---------------------------------------------------------------------------------------------
# Real data: every member name in the Security Council vote files resolves.

SCRAPE_ARTEFACTS = {"DONOTKNOW"}  # a column of the UN DL scrape that names no state


def _column(path: Path, column: str, encoding: str = "utf-8") -> set[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding=encoding, newline="") as fh:
        return {row[column] for row in csv.DictReader(fh) if row[column].strip()}


def _assert_all_resolve(found: set[str]) -> None:
    assert found, "no names read"
    unresolved = sorted(n for n in found - SCRAPE_ARTEFACTS if try_resolve(n) is None)
    assert unresolved == []


@needs_data
def test_adopted_votes_names_resolve() -> None:
    found = _column(DATA / "unsc_adopted_votes_1946_2021_long.csv.gz", "member_state")
    assert "DONOTKNOW" in found  # the known artefact is still there, so the skip list is needed
    _assert_all_resolve(found)


@needs_data
def test_draft_votes_names_resolve() -> None:
    found = _column(DATA / "unsc_draft_votes_1994_2023_oliverunv.csv.gz", "Member State")
    assert "Ethipia" in found
    _assert_all_resolve(found)


@needs_data
def test_membership_names_resolve() -> None:
    found = _column(DATA / "unsc_membership_1946_2024_dppa.csv", "security_council_member")
    found |= _column(DATA / "unsc_membership_2025_2027_supplement.csv", "security_council_member")
    _assert_all_resolve(found)


@needs_data
def test_failed_drafts_and_veto_names_resolve() -> None:
    found: set[str] = set()
    path = DATA / "unsc_failed_drafts_sample_1947_2022_emilytong.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for column in ("In Favor", "Abstain", "Against", "Members"):
                if row[column].strip():
                    found.update(ast.literal_eval(row[column]))
    for column in ("member_veto1", "member_veto2", "member_veto3"):
        found |= _column(DATA / "unsc_vetoes_1946_2022.csv", column, encoding="latin-1")
    _assert_all_resolve(found)


@needs_data
def test_wide_undl_columns_resolve() -> None:
    path = DATA / "undl_votes_wide_ga_sc_1946_2021.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    _assert_all_resolve(set(header[header.index("token") + 1 :]))


@needs_data
def test_all_current_un_members_resolve_to_distinct_codes() -> None:
    path = DATA / "un_regional_groups_2024.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        countries = {row["country"].strip() for row in csv.DictReader(fh)}
    codes = {resolve(c) for c in countries}
    assert len(countries) == 193
    assert len(codes) == 193


@needs_data
def test_general_assembly_names_resolve() -> None:
    found = _column(DATA / "unvotes_un_votes.csv.gz", "country")
    found |= _column(DATA / "unxml_ga_recorded_votes_2019_2023_long.csv.gz", "member_state")
    assert {"Taiwan", "Zanzibar", "Yemen People's Republic"} <= found
    _assert_all_resolve(found)
