"""Build sim/data/council_membership.csv (year, member, permanent) from the DPPA membership files.

Usage: python tools/build_council_table.py [--data-dir DIR]
DIR defaults to ../shared/data relative to the repository root. The script also writes
sim/data/council_membership.PROVENANCE.md.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sim.names import resolve  # noqa: E402

DPPA = "unsc_membership_1946_2024_dppa.csv"
SUPPLEMENT = "unsc_membership_2025_2027_supplement.csv"
OUT_CSV = REPO / "sim" / "data" / "council_membership.csv"
OUT_PROV = REPO / "sim" / "data" / "council_membership.PROVENANCE.md"
FIRST_YEAR, LAST_YEAR = 1946, 2027
BUILD_DATE = "2026-11-28"

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
# PRC took it in late 1971 (GA res. 2758, 25 Oct 1971; PRC first sat on 23 Nov 1971). We list
# ROC for all of 1971 and CHN from 1972, so Council votes of Nov-Dec 1971 are PRC votes cast
# in a year the table labels ROC. Likewise SUN is listed for all of 1991 (Russia succeeded on
# 24 Dec 1991) and YEM for 1990, although the PDRY held that seat until unification (22 May).
ROC_LAST_YEAR = 1971
SUN_LAST_YEAR = 1991

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
   unification on 22 May 1990; `sim.names.seat_code` maps YMD to YEM for 1990.
"""


def main(argv: list[str] | None = None) -> None:
    """Build and write the table and its provenance note."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args(argv)
    rows = build_rows(args.data_dir)
    OUT_CSV.parent.mkdir(parents=True, exist_ok=True)
    with OUT_CSV.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["year", "member", "permanent"])
        writer.writerows((y, c, str(p)) for y, c, p in rows)
    OUT_PROV.write_text(PROVENANCE.format(date=BUILD_DATE, n=len(rows)), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {OUT_CSV.relative_to(REPO)}")


if __name__ == "__main__":
    main()
