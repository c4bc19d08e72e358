"""Build sim/data/assembly_admissions.csv (the UN's member states by date, with regional groups)
and cross-check it against the General Assembly's voting records.

Usage: python tools/build_assembly_membership.py [--data-dir DIR] [--check-only]
DIR defaults to ../shared/data relative to the repository root. The admission dates below are
facts of the public record (the UN's "Member States" list, un.org/en/about-us/member-states,
and the resolutions named in the notes); the regional groups come from
``un_regional_groups_2024.csv``. The script prints every disagreement between the table and the
voting records (Voeten's sessions 1-70 and the UNxml recorded votes 2019-2023); the resolved
ones are explained in sim/data/assembly_membership.PROVENANCE.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sim.scenario.names import KNOWN_CODES, display_name, resolve  # noqa: E402

GROUPS_FILE = "un_regional_groups_2024.csv"
VOETEN_FILE = "voeten_unvotes_published_2016_with_absences.csv.gz"
IDEAL_POINTS_FILE = "voeten_idealpoints_1946_2022.csv.gz"
UNXML_FILE = "unxml_ga_recorded_votes_2019_2023_long.csv.gz"
OUT_CSV = REPO / "sim" / "data" / "assembly_admissions.csv"
COLUMNS = ("code", "name", "regional_group", "admitted", "left", "note")

CHARTER = "1945-10-24"  # the Charter's entry into force: every original member is dated from it

# One row per spell of membership: code, first day as a member, first day no longer a member
# (empty while a member), note. A state that left and came back has two rows (Syria, Indonesia).
# A seat taken over by a successor ends on the day the successor's spell begins.
SPELLS_TEXT = """
ARG 1945-10-24 - original member
AUS 1945-10-24 - original member
BLR 1945-10-24 - original member (as the Byelorussian SSR)
BEL 1945-10-24 - original member
BOL 1945-10-24 - original member
BRA 1945-10-24 - original member
CAN 1945-10-24 - original member
CHL 1945-10-24 - original member
ROC 1945-10-24 1971-10-25 original member; held China's seat until GA res. 2758 (XXVI) of 25 Oct 1971
COL 1945-10-24 - original member
CRI 1945-10-24 - original member
CUB 1945-10-24 - original member
CSK 1945-10-24 1993-01-01 original member; dissolved 31 Dec 1992
DNK 1945-10-24 - original member
DOM 1945-10-24 - original member
ECU 1945-10-24 - original member
EGY 1945-10-24 - original member; the United Arab Republic (with Syria) 21 Feb 1958 to 28 Sep 1961 held Egypt's seat
SLV 1945-10-24 - original member
ETH 1945-10-24 - original member
FRA 1945-10-24 - original member
GRC 1945-10-24 - original member
GTM 1945-10-24 - original member
HTI 1945-10-24 - original member
HND 1945-10-24 - original member
IND 1945-10-24 - original member
IRN 1945-10-24 - original member
IRQ 1945-10-24 - original member
LBN 1945-10-24 - original member
LBR 1945-10-24 - original member
LUX 1945-10-24 - original member
MEX 1945-10-24 - original member
NLD 1945-10-24 - original member
NZL 1945-10-24 - original member
NIC 1945-10-24 - original member
NOR 1945-10-24 - original member
PAN 1945-10-24 - original member
PRY 1945-10-24 - original member
PER 1945-10-24 - original member
PHL 1945-10-24 - original member
POL 1945-10-24 - original member
SAU 1945-10-24 - original member
ZAF 1945-10-24 - original member; barred from taking part in the Assembly 1974-1994 but a member throughout
SYR 1945-10-24 1958-02-21 original member; joined Egypt in the United Arab Republic on 21 Feb 1958
TUR 1945-10-24 - original member
UKR 1945-10-24 - original member (as the Ukrainian SSR)
SUN 1945-10-24 1991-12-24 original member; seat continued by the Russian Federation (letter of 24 Dec 1991)
GBR 1945-10-24 - original member
USA 1945-10-24 - original member
URY 1945-10-24 - original member
VEN 1945-10-24 - original member
YUG 1945-10-24 1992-09-22 original member; GA res. 47/1 of 22 Sep 1992: the FRY shall not take part in the Assembly
AFG 1946-11-19 - admitted
ISL 1946-11-19 - admitted
SWE 1946-11-19 - admitted
THA 1946-12-16 - admitted (as Siam)
PAK 1947-09-30 - admitted
YEM 1947-09-30 - admitted; the Yemen Arab Republic merged with Democratic Yemen on 22 May 1990 as the Republic of Yemen
MMR 1948-04-19 - admitted (as Burma)
ISR 1949-05-11 - admitted
IDN 1950-09-28 1965-01-20 admitted; withdrew by letter of 20 Jan 1965
ALB 1955-12-14 - admitted
AUT 1955-12-14 - admitted
BGR 1955-12-14 - admitted
KHM 1955-12-14 - admitted
FIN 1955-12-14 - admitted
HUN 1955-12-14 - admitted
IRL 1955-12-14 - admitted
ITA 1955-12-14 - admitted
JOR 1955-12-14 - admitted
LAO 1955-12-14 - admitted
LBY 1955-12-14 - admitted
NPL 1955-12-14 - admitted
PRT 1955-12-14 - admitted
ROU 1955-12-14 - admitted
ESP 1955-12-14 - admitted
LKA 1955-12-14 - admitted (as Ceylon)
MAR 1956-11-12 - admitted
SDN 1956-11-12 - admitted
TUN 1956-11-12 - admitted
JPN 1956-12-18 - admitted
GHA 1957-03-08 - admitted
MYS 1957-09-17 - admitted (as the Federation of Malaya; Malaysia from 16 Sep 1963)
GIN 1958-12-12 - admitted
CMR 1960-09-20 - admitted
CAF 1960-09-20 - admitted
TCD 1960-09-20 - admitted
COG 1960-09-20 - admitted
COD 1960-09-20 - admitted
CIV 1960-09-20 - admitted
CYP 1960-09-20 - admitted
BEN 1960-09-20 - admitted (as Dahomey)
GAB 1960-09-20 - admitted
MDG 1960-09-20 - admitted
NER 1960-09-20 - admitted
SOM 1960-09-20 - admitted
TGO 1960-09-20 - admitted
BFA 1960-09-20 - admitted (as Upper Volta)
MLI 1960-09-28 - admitted
SEN 1960-09-28 - admitted
NGA 1960-10-07 - admitted
SLE 1961-09-27 - admitted
SYR 1961-10-13 - resumed separate membership after leaving the United Arab Republic
MRT 1961-10-27 - admitted
MNG 1961-10-27 - admitted
TZA 1961-12-14 - admitted (as Tanganyika; the United Republic of Tanzania from 26 Apr 1964)
BDI 1962-09-18 - admitted
JAM 1962-09-18 - admitted
RWA 1962-09-18 - admitted
TTO 1962-09-18 - admitted
DZA 1962-10-08 - admitted
UGA 1962-10-25 - admitted
KWT 1963-05-14 - admitted
KEN 1963-12-16 - admitted
ZAN 1963-12-16 1964-04-26 admitted; united with Tanganyika on 26 Apr 1964
MWI 1964-12-01 - admitted
MLT 1964-12-01 - admitted
ZMB 1964-12-01 - admitted
GMB 1965-09-21 - admitted
MDV 1965-09-21 - admitted
SGP 1965-09-21 - admitted
GUY 1966-09-20 - admitted
IDN 1966-09-28 - resumed full cooperation with the United Nations
BWA 1966-10-17 - admitted
LSO 1966-10-17 - admitted
BRB 1966-12-09 - admitted
YMD 1967-12-14 1990-05-22 admitted (as Southern Yemen); merged with the Yemen Arab Republic on 22 May 1990
MUS 1968-04-24 - admitted
SWZ 1968-09-24 - admitted
GNQ 1968-11-12 - admitted
FJI 1970-10-13 - admitted
BHR 1971-09-21 - admitted
BTN 1971-09-21 - admitted
QAT 1971-09-21 - admitted
OMN 1971-10-07 - admitted
CHN 1971-10-25 - took China's seat: GA res. 2758 (XXVI) of 25 Oct 1971
ARE 1971-12-09 - admitted
BHS 1973-09-18 - admitted
DEU 1973-09-18 - admitted (as the Federal Republic of Germany; Germany after unification on 3 Oct 1990)
DDR 1973-09-18 1990-10-03 admitted; acceded to the Federal Republic of Germany on 3 Oct 1990
BGD 1974-09-17 - admitted
GRD 1974-09-17 - admitted
GNB 1974-09-17 - admitted
CPV 1975-09-16 - admitted
MOZ 1975-09-16 - admitted
STP 1975-09-16 - admitted
PNG 1975-10-10 - admitted
COM 1975-11-12 - admitted
SUR 1975-12-04 - admitted
SYC 1976-09-21 - admitted
AGO 1976-12-01 - admitted
WSM 1976-12-15 - admitted
DJI 1977-09-20 - admitted
VNM 1977-09-20 - admitted
SLB 1978-09-19 - admitted
DMA 1978-12-18 - admitted
LCA 1979-09-18 - admitted
ZWE 1980-08-25 - admitted
VCT 1980-09-16 - admitted
VUT 1981-09-15 - admitted
BLZ 1981-09-25 - admitted
ATG 1981-11-11 - admitted
KNA 1983-09-23 - admitted
BRN 1984-09-21 - admitted
NAM 1990-04-23 - admitted
LIE 1990-09-18 - admitted
EST 1991-09-17 - admitted
LVA 1991-09-17 - admitted
LTU 1991-09-17 - admitted
PRK 1991-09-17 - admitted
KOR 1991-09-17 - admitted
FSM 1991-09-17 - admitted
MHL 1991-09-17 - admitted
RUS 1991-12-24 - continued the USSR's membership (letter of 24 Dec 1991)
ARM 1992-03-02 - admitted
AZE 1992-03-02 - admitted
KAZ 1992-03-02 - admitted
KGZ 1992-03-02 - admitted
MDA 1992-03-02 - admitted
SMR 1992-03-02 - admitted
TJK 1992-03-02 - admitted
TKM 1992-03-02 - admitted
UZB 1992-03-02 - admitted
BIH 1992-05-22 - admitted
HRV 1992-05-22 - admitted
SVN 1992-05-22 - admitted
GEO 1992-07-31 - admitted
CZE 1993-01-19 - admitted
SVK 1993-01-19 - admitted
MKD 1993-04-08 - admitted (as the former Yugoslav Republic of Macedonia)
ERI 1993-05-28 - admitted
MCO 1993-05-28 - admitted
AND 1993-07-28 - admitted
PLW 1994-12-15 - admitted
KIR 1999-09-14 - admitted
NRU 1999-09-14 - admitted
TON 1999-09-14 - admitted
TUV 2000-09-05 - admitted
SCG 2000-11-01 2006-06-03 admitted (as the FR of Yugoslavia; Serbia and Montenegro from 4 Feb 2003); continued by Serbia
CHE 2002-09-10 - admitted
TLS 2002-09-27 - admitted
SRB 2006-06-03 - continued the membership of Serbia and Montenegro
MNE 2006-06-28 - admitted
SSD 2011-07-14 - admitted
"""

# Regional groups of the states that are no longer members (not in the 2024 file).
HISTORICAL_GROUPS: dict[str, str] = {
    "SUN": "Eastern European States", "YUG": "Eastern European States",
    "CSK": "Eastern European States", "DDR": "Eastern European States",
    "SCG": "Eastern European States", "ROC": "Asia-Pacific States",
    "YMD": "Asia-Pacific States", "ZAN": "African States",
}
# The file's spelling -> ours; and Türkiye, listed in two groups, counts in WEOG (SOURCES.md, E).
GROUP_SPELLING = {"African states": "African States"}
DOUBLE_LISTED = {"TUR": "Western European and other States"}

# Correlates of War codes in Voeten's file whose meaning changes with the date, or whose code
# in the ideal-point file is not ours (678/680 are both "YAR" there, 713 is "TWN").
COW_BY_DATE: dict[int, tuple[tuple[str, str], ...]] = {  # ccode -> ((first day, code), ...)
    365: (("1945-10-24", "SUN"), ("1991-12-24", "RUS")),
    345: (("1945-10-24", "YUG"), ("2000-11-01", "SCG"), ("2006-06-03", "SRB")),
    713: (("1945-10-24", "ROC"),),
    710: (("1945-10-24", "CHN"),),
    678: (("1945-10-24", "YEM"),),
    679: (("1945-10-24", "YEM"),),
    680: (("1945-10-24", "YMD"),),
    260: (("1945-10-24", "DEU"),),
    255: (("1945-10-24", "DEU"),),
    265: (("1945-10-24", "DDR"),),
    511: (("1945-10-24", "ZAN"),),
}


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def parse_spells(text: str = SPELLS_TEXT) -> list[tuple[str, dt.date, dt.date | None, str]]:
    """The spells above as (code, admitted, left or None, note)."""
    spells = []
    for line in text.strip().splitlines():
        code, admitted, left, note = line.split(" ", 3)
        if code not in KNOWN_CODES:
            raise SystemExit(f"{code} is not a code of sim.scenario.names")
        spells.append((code, _day(admitted), None if left == "-" else _day(left), note))
    return spells


def read_groups(data_dir: Path) -> dict[str, str]:
    """Code -> regional group of today's members, from the 2024 file."""
    groups: dict[str, str] = {}
    with (data_dir / GROUPS_FILE).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            code = resolve(row["country"].strip())
            group = GROUP_SPELLING.get(row["UN_regional_group"].strip(), row["UN_regional_group"].strip())
            if code in DOUBLE_LISTED:
                group = DOUBLE_LISTED[code]
            elif code in groups:
                raise SystemExit(f"{code} is listed twice in {GROUPS_FILE}")
            groups[code] = group
    return groups


def build_rows(data_dir: Path) -> list[tuple[str, str, str, str, str, str]]:
    """The table's rows, ordered by admission date then code."""
    spells = parse_spells()
    groups = read_groups(data_dir)
    current = {code for code, _, left, _ in spells if left is None}
    if current != set(groups):
        raise SystemExit(f"members without a group: {sorted(current - set(groups))}; "
                         f"groups for non-members: {sorted(set(groups) - current)}")
    rows = []
    for code, admitted, left, note in sorted(spells, key=lambda s: (s[1], s[0])):
        group = groups[code] if code in current else HISTORICAL_GROUPS[code]
        rows.append((code, display_name(code), group, admitted.isoformat(),
                     left.isoformat() if left else "", note))
    return rows


def members_on(rows: Iterable[tuple[str, ...]], day: dt.date) -> set[str]:
    """Codes whose spell covers ``day`` (admitted <= day < left)."""
    return {r[0] for r in rows if _day(r[3]) <= day and (not r[4] or day < _day(r[4]))}


def _month_span(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """From the first day of ``first``'s month to the last day of ``last``'s month."""
    after = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return first.replace(day=1), after - dt.timedelta(days=1)


def _cow_codes(data_dir: Path) -> dict[int, str]:
    """COW code -> our code for the codes that do not change with the date (ideal-point file)."""
    codes: dict[int, str] = {}
    with gzip.open(data_dir / IDEAL_POINTS_FILE, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            ccode = int(row["ccode"])
            if ccode not in COW_BY_DATE:
                codes[ccode] = row["iso3c"]
    unknown = sorted(c for c in codes.values() if c not in KNOWN_CODES)
    if unknown:
        raise SystemExit(f"ideal-point codes unknown to sim.scenario.names: {unknown}")
    return codes


def read_voeten(data_dir: Path) -> tuple[
    dict[tuple[int, str], dict[int, int]],
    dict[int, tuple[dt.date, dt.date]],
    dict[tuple[str, int, dt.date], dict[int, int]],
]:
    """Voeten's 2016 file as {(session, code): {vote code: rows}}, each session's span and
    {(code, session, month): {vote code: rows}} for the rows not coded 9.

    The file's days are not reliable before the late 1990s (they run 1-7 only), so a session's
    span runs from the first day of the month of its first vote to the end of the month of its
    last one. The date-dependent COW codes (365 USSR/Russia, 345 Yugoslavia/FRY/Serbia) are
    split by the file's date: it dates every December 1991 roll call 2-6 Dec (so USSR), and
    345 has no row but code 9 from October 1992 to October 2000 (its one vote in session 47, a
    no on A/RES/47/1, is dated September 1992).
    """
    cow = _cow_codes(data_dir)
    counts: dict[tuple[int, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    dates: dict[int, list[dt.date]] = defaultdict(list)
    months: dict[tuple[str, int, dt.date], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    with gzip.open(data_dir / VOETEN_FILE, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            session, ccode = int(row["session"]), int(row["ccode"])
            if row["date"]:
                month, day, year = (int(x) for x in row["date"].split("/"))
                date = dt.date(year, month, day)
                dates[session].append(date)
            else:  # one roll call (rcid 4592, session 59) has no date, only its year
                date = dt.date(int(float(row["year"])), 7, 1)
            if ccode in COW_BY_DATE:
                code = [c for first, c in COW_BY_DATE[ccode] if _day(first) <= date][-1]
            else:
                code = cow[ccode]
            counts[(session, code)][int(row["vote"])] += 1
            if row["vote"] != "9" and row["date"]:
                months[(code, session, date.replace(day=1))][int(row["vote"])] += 1
    spans = {s: _month_span(min(d), max(d)) for s, d in dates.items()}
    return counts, spans, months


def check_voeten(rows: list[tuple[str, str, str, str, str, str]], data_dir: Path) -> list[str]:
    """Compare, session by session, who the table says was a member with who Voeten codes as one.

    A code is expected in a session when one of its spells overlaps the session's span; it is
    observed when it has a row not coded 9 (not a member). Returns one line per difference.
    """
    counts, spans, months = read_voeten(data_dir)
    observed: dict[str, set[int]] = defaultdict(set)
    for (session, code), votes in counts.items():
        if any(v != 9 for v in votes):
            observed[code].add(session)
    expected: dict[str, set[int]] = defaultdict(set)
    for code, _name, _group, admitted, left, _note in rows:
        end = _day(left) if left else dt.date.max
        for session, (first, last) in spans.items():
            if _day(admitted) <= last and first < end:
                expected[code].add(session)
    lines = []
    flagged = set()
    for code in sorted(set(observed) | set(expected)):
        for session in sorted(observed[code] - expected[code]):
            flagged.add((code, session))
            votes = dict(sorted(counts[(session, code)].items()))
            lines.append(f"voeten: {code} coded as a member in session {session} "
                         f"({spans[session][0]}..{spans[session][1]}), not by the table; votes {votes}")
        for session in sorted(expected[code] - observed[code]):
            votes = dict(sorted(counts.get((session, code), {}).items()))
            lines.append(f"voeten: {code} a member by the table in session {session} "
                         f"({spans[session][0]}..{spans[session][1]}), coded {votes or 'no rows'}")
    for (code, session, month), votes in sorted(months.items()):
        if (code, session) in flagged:
            continue
        first, last = _month_span(month, month)
        spells = [r for r in rows if r[0] == code]
        if not any(_day(r[3]) <= last and (not r[4] or first < _day(r[4])) for r in spells):
            lines.append(f"voeten: {code} coded as a member in {month:%Y-%m} (session {session}), not by the table; "
                         f"votes {dict(sorted(votes.items()))}")
    return lines


def check_unxml(rows: list[tuple[str, str, str, str, str, str]], data_dir: Path) -> list[str]:
    """Every state in a 2019-2023 recorded vote is a member that day; every member votes some time."""
    lines = []
    seen: set[str] = set()
    with gzip.open(data_dir / UNXML_FILE, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, day = resolve(row["member_state"]), _day(row["date"])
            seen.add(code)
            if code not in members_on(rows, day):
                lines.append(f"unxml: {code} votes in {row['symbol']} on {day}, not a member by the table")
    for code in sorted(members_on(rows, dt.date(2019, 1, 1)) - seen):
        lines.append(f"unxml: {code} a member 2019-2023 but in no recorded vote")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Build the table, write it (unless --check-only) and print the cross-checks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--check-only", action="store_true", help="do not write the table")
    args = parser.parse_args(argv)
    rows = build_rows(args.data_dir)
    if not args.check_only:
        with OUT_CSV.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        print(f"wrote {len(rows)} rows to {OUT_CSV.relative_to(REPO)}")
    lines = check_voeten(rows, args.data_dir) + check_unxml(rows, args.data_dir)
    print(f"{len(lines)} disagreement(s) with the voting records")
    for line in lines:
        print("  " + line)


if __name__ == "__main__":
    main()
