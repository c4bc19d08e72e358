"""Build sim/data/council_membership.csv (year, member, permanent) from the DPPA membership files.

Usage: python tools/build_council_table.py [--data-dir DIR]
DIR defaults to ../shared/data relative to the repository root. The script also writes
sim/data/council_seat_changes.csv (the seats that changed holder during a year, for
`sim.scenario.council.council_on`) and sim/data/council_membership.PROVENANCE.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sim.scenario.names import resolve  # noqa: E402

DPPA = "unsc_membership_1946_2024_dppa.csv"
SUPPLEMENT = "unsc_membership_2025_2027_supplement.csv"
ADOPTED_VOTES = "unsc_adopted_votes_1946_2021_long.csv.gz"
OUT_CSV = REPO / "sim" / "data" / "council_membership.csv"
OUT_CHANGES = REPO / "sim" / "data" / "council_seat_changes.csv"
OUT_PROV = REPO / "sim" / "data" / "council_membership.PROVENANCE.md"
FIRST_YEAR, LAST_YEAR = 1946, 2027
BUILD_DATE = "2026-12-01"

# Quirk 1: 13 DPPA rows have an empty member name. They are exactly the years in which Turkey or
# Côte d'Ivoire sat on the Council, so the non-ASCII names (Türkiye, Côte d'Ivoire) were lost
# upstream. Filled by row id; the script asserts that each row is blank and in the stated year.
BLANK_ROW_FIXES: dict[int, tuple[int, str]] = {
    796: (1951, "TUR"), 808: (1952, "TUR"), 830: (1954, "TUR"), 841: (1955, "TUR"),
    46: (1961, "TUR"),  # second half of the split 1960-61 term (Poland 1960, Turkey 1961)
    876: (2009, "TUR"), 892: (2010, "TUR"),
    76: (1964, "CIV"), 86: (1965, "CIV"), 458: (1990, "CIV"), 473: (1991, "CIV"),
    1003: (2018, "CIV"), 1018: (2019, "CIV"),
}

# Quirk 2: DPPA writes "China" for every year. The Republic of China held the seat until the
# PRC took it in late 1971 (GA res. 2758, 25 Oct 1971; PRC first sat on 23 Nov 1971). The
# yearly table lists, for a seat that changed holder during a year, the holder for the greater
# part of that year: ROC for 1971, SUN for 1991 (Russia continued the USSR's seat from 24 Dec
# 1991) and YEM for 1990 (the PDRY held the seat until unification on 22 May). The day-level
# changes are in SEAT_CHANGES below.
ROC_LAST_YEAR = 1971
SUN_LAST_YEAR = 1991

# Seats that changed holder during a year: (first day of the new holder, old, new, succession,
# source). `succession`: the new holder continues the old one's membership, so the old name
# still means the seat after the change (not so for the ROC, whose representatives were
# expelled). Each is checked against the yearly table and, where the vote records name the
# two holders apart, against the dates of their votes (check_seat_changes).
SEAT_CHANGES: tuple[tuple[str, str, str, bool, str], ...] = (
    ("1971-10-25", "ROC", "CHN", False,
     "GA res. 2758 (XXVI) of 25 Oct 1971 restored the PRC's rights and expelled the ROC's "
     "representatives from all UN organs; the PRC first sat in the Council on 23 Nov 1971. No "
     "resolution or veto fell in between (S/RES/301 of 20 Oct, S/RES/302 of 24 Nov 1971)."),
    ("1990-05-22", "YMD", "YEM", True,
     "Unification of the PDRY and the Yemen Arab Republic as the Republic of Yemen, 22 May "
     "1990. The vote records list Democratic Yemen to 7 May 1990 and Yemen from 31 May 1990."),
    ("1991-12-24", "SUN", "RUS", True,
     "Letter of 24 Dec 1991 from the President of the Russian Federation to the "
     "Secretary-General: the USSR's membership, in the Security Council and all UN organs, is "
     "continued by the Russian Federation (Repertoire of the Practice of the Security Council "
     "1989-1992). The vote records call the seat USSR to the end of 1991; the one resolution "
     "after 24 Dec 1991 is S/RES/725 of 31 Dec 1991."),
)

# Quirk 3: split two-year terms appear as one member per year. Checked explicitly.
SPLIT_TERMS: dict[int, str] = {
    1956: "YUG", 1957: "PHL",  # 1956-57
    1960: "POL", 1961: "TUR",  # 1960-61
    1962: "ROU", 1963: "PHL",  # 1962-63
    1964: "CSK", 1965: "MYS",  # 1964-65
    2017: "ITA", 2018: "NLD",  # 2017-18
}


def permanent_for(year: int) -> tuple[str, ...]:
    """Return the five permanent-member codes for a year, in canonical order."""
    china = "ROC" if year <= ROC_LAST_YEAR else "CHN"
    russia = "SUN" if year <= SUN_LAST_YEAR else "RUS"
    return (china, "FRA", russia, "GBR", "USA")


def read_dppa(path: Path) -> dict[int, set[str]]:
    """Read the DPPA file, fill the blank rows and map names to codes per year."""
    years: dict[int, set[str]] = {}
    fixed: set[int] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            row_id, year, name = int(row["id"]), int(row["year"]), row["security_council_member"]
            if not name.strip():
                fix_year, code = BLANK_ROW_FIXES[row_id]
                assert fix_year == year, (row_id, year)
                fixed.add(row_id)
            else:
                assert row_id not in BLANK_ROW_FIXES, f"row {row_id} is no longer blank"
                code = resolve(name)
            if code == "CHN" and year <= ROC_LAST_YEAR:
                code = "ROC"
            members = years.setdefault(year, set())
            assert code not in members, (year, code)
            members.add(code)
    assert fixed == set(BLANK_ROW_FIXES), set(BLANK_ROW_FIXES) - fixed
    return years


def read_supplement(path: Path) -> dict[int, set[str]]:
    """Read the 2025-2027 supplement, checking its permanent flags."""
    years: dict[int, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            year, code = int(row["year"]), resolve(row["security_council_member"])
            is_permanent = row["permanent"].strip().lower() == "true"
            assert is_permanent == (code in permanent_for(year)), (year, code)
            members = years.setdefault(year, set())
            assert code not in members, (year, code)
            members.add(code)
    return years


def build_rows(data_dir: Path) -> list[tuple[int, str, bool]]:
    """Return validated (year, member, permanent) rows for FIRST_YEAR..LAST_YEAR."""
    dppa, supplement = read_dppa(data_dir / DPPA), read_supplement(data_dir / SUPPLEMENT)
    assert not set(dppa) & set(supplement), "overlapping years"
    years = dppa | supplement
    assert sorted(years) == list(range(FIRST_YEAR, LAST_YEAR + 1)), sorted(years)
    for year, code in SPLIT_TERMS.items():
        assert code in years[year], (year, code)
    rows: list[tuple[int, str, bool]] = []
    for year in sorted(years):
        members, permanent = years[year], permanent_for(year)
        assert len(members) == (11 if year <= 1965 else 15), (year, len(members))
        assert set(permanent) <= members, (year, sorted(members))
        rows += [(year, code, True) for code in permanent]
        rows += [(year, code, False) for code in sorted(members - set(permanent))]
    return rows


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _vote_days(path: Path) -> dict[str, list[dt.date]]:
    """Dates of the Council votes each member name voted in (votes other than non-voting)."""
    days: dict[str, list[dt.date]] = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["vote"] != "X":
                days.setdefault(row["member_state"], []).append(_day(row["date"]))
    return days


def check_seat_changes(years: dict[int, set[str]], votes_path: Path | None) -> None:
    """Check SEAT_CHANGES against the yearly table and, if available, the vote records."""
    for date, before, after, _succ, _src in SEAT_CHANGES:
        day = _day(date)
        held = years[day.year] & {before, after}
        assert len(held) == 1, (date, held)
        start, end = dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1)
        longer = before if (day - start) > (end - day) else after
        assert held == {longer}, f"{date}: the yearly table should list {longer}, the longer holder"
    if votes_path is None or not votes_path.exists():
        print(f"{ADOPTED_VOTES} not found: seat changes checked against the yearly table only")
        return
    days = _vote_days(votes_path)
    council_days = sorted({d for ds in days.values() for d in ds})
    # Yemen: the records name the two holders apart
    unification = _day("1990-05-22")
    assert max(days["DEMOCRATIC YEMEN"]) < unification, max(days["DEMOCRATIC YEMEN"])
    assert min(d for d in days["YEMEN"] if d.year == 1990) >= unification
    # China: no vote between the change of representation and the PRC's first meeting
    assert not [d for d in council_days if _day("1971-10-25") <= d < _day("1971-11-23")]
    # USSR -> Russia: one vote day after the letter of 24 December 1991
    assert [d for d in council_days if _day("1991-12-24") <= d <= _day("1991-12-31")] == [
        _day("1991-12-31")]


PROVENANCE = """# council_membership.csv: provenance

Built by `python tools/build_council_table.py` on {date}.

- Source 1: `unsc_membership_1946_2024_dppa.csv` (UN DPPA Peace and Security Data Hub,
  "DPPA-SCMembership", via `tanxpyox/io-unsc` `DPPA-SCMEMBERSHIP.csv`, commit
  b1ad63492ac3064c5641223e9aaed2d0daab54ae; last_update up to 2023-06-06), years 1946-2024.
- Source 2: `unsc_membership_2025_2027_supplement.csv` (hand-built from a newer DPPA copy,
  last_update 2026-07-02), years 2025-2027. Its 2026/2027 DR Congo rows were blank in that copy
  and filled by hand; its 2027 rows are as listed there and not independently verified.
- Columns: year, member (ISO 3166 alpha-3; SUN = USSR, ROC = Republic of China seat, YUG,
  CSK, DDR for dissolved states), permanent (True/False). {n} rows; 11 members a year to 1965,
  15 from 1966, always 5 permanent.

Edits to the source, all made in the script:
1. 13 DPPA rows have a blank name; they are Turkey (1951, 1952, 1954, 1955, 1961, 2009, 2010)
   and Côte d'Ivoire (1964, 1965, 1990, 1991, 2018, 2019), whose non-ASCII names were lost.
2. "China" is listed as ROC through 1971 and CHN from 1972 (the PRC sat from 23 Nov 1971).
   The USSR (SUN) is listed through 1991, Russia (RUS) from 1992.
3. Split terms are kept as the source gives them (one holder per year): 1956 YUG / 1957 PHL,
   1960 POL / 1961 TUR, 1962 ROU / 1963 PHL, 1964 CSK / 1965 MYS, 2017 ITA / 2018 NLD.
4. 1990 lists YEM as the source does, although Democratic Yemen (YMD) held the seat until
   unification on 22 May 1990; `sim.scenario.names.seat_code` maps YMD to YEM for 1990.
5. So for a seat that changed holder during a year the table lists the holder for the greater
   part of the year (ROC 1971, YEM 1990, SUN 1991), and `sim.scenario.council.council_for_year` with it.

# council_seat_changes.csv: provenance

Built by the same command on {date}; {n_changes} rows, one per seat that changed holder during
a year. Columns: date (first day of the new holder), before, after (codes as above),
succession (the new holder continues the old one's membership), source. Used by
`sim.scenario.council.council_on(date)`: the Council that sat on a given day.

Sources: the public record named in each row's `source` (GA res. 2758 (XXVI); the Yemeni
unification of 22 May 1990; the letter of 24 December 1991 recorded in the Repertoire of the
Practice of the Security Council 1989-1992). The script checks each row against the yearly
table (it lists the longer holder) and against `unsc_adopted_votes_1946_2021_long.csv.gz`
(Democratic Yemen votes to 7 May 1990, Yemen from 31 May 1990; no resolution between 25 Oct
and 23 Nov 1971; one resolution day, 31 Dec 1991, after 24 Dec 1991). The records call the
China seat "CHINA" and the Soviet seat "USSR" throughout, so those two dates rest on the public
record; within the records they decide S/RES/302-307 and the vetoed drafts of 4, 5, 13 and
30 Dec 1971 (CHN), and S/RES/725 of 31 Dec 1991 (RUS).
No other mid-year change of holder appears in the records: a year with more distinct voters
than seats is 1961 (UNITED ARAB REPUBLIC and EGYPT, one state under two names), 2010 and 2019
(scraping artefacts), besides 1990.
"""


def main(argv: list[str] | None = None) -> None:
    """Build and write the table and its provenance note."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args(argv)
    rows = build_rows(args.data_dir)
    years: dict[int, set[str]] = {}
    for year, code, _perm in rows:
        years.setdefault(year, set()).add(code)
    check_seat_changes(years, args.data_dir / ADOPTED_VOTES)
    OUT_CSV.parent.mkdir(parents=True, exist_ok=True)
    with OUT_CSV.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["year", "member", "permanent"])
        writer.writerows((y, c, str(p)) for y, c, p in rows)
    with OUT_CHANGES.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["date", "before", "after", "succession", "source"])
        writer.writerows(SEAT_CHANGES)
    OUT_PROV.write_text(PROVENANCE.format(date=BUILD_DATE, n=len(rows), n_changes=len(SEAT_CHANGES)),
                        encoding="utf-8")
    print(f"wrote {len(rows)} rows to {OUT_CSV.relative_to(REPO)} and {len(SEAT_CHANGES)} to "
          f"{OUT_CHANGES.relative_to(REPO)}")


if __name__ == "__main__":
    main()
