"""Security Council compositions: built-in membership 1946-2027 (by year, or on a given day)
and user-defined councils."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

import numpy as np

from sim.engine.rules import VotingRule, charter_threshold
from sim.errors import InputError
from sim.scenario.names import PERMANENT_SEATS, resolve, seat_code

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "PERMANENT_ORDER",
    "Council",
    "SeatChange",
    "charter_threshold",
    "council_for_year",
    "council_on",
    "default_threshold",
    "explicit_council",
    "seat_changes",
    "seat_code_on",
]

FIRST_YEAR, LAST_YEAR = 1946, 2027

# Canonical display order of the permanent seats (China/ROC, France, Russia/USSR, UK, US).
PERMANENT_ORDER: tuple[str, ...] = PERMANENT_SEATS


def _order_key(code: str, permanent: frozenset[str]) -> tuple[int, int, str]:
    """Sort key: permanent members first in canonical order, then everyone by code."""
    if code in permanent:
        rank = PERMANENT_ORDER.index(code) if code in PERMANENT_ORDER else len(PERMANENT_ORDER)
        return (0, rank, code)
    return (1, 0, code)


@dataclass(frozen=True)
class Council:
    """A council: member codes (permanent first, then elected sorted), veto holders and quota.

    Built-in councils carry their ``year``, and ``date`` when they are the Council that sat on
    that day (:func:`council_on`); explicit councils carry neither.
    """

    members: tuple[str, ...]
    permanent: frozenset[str]
    threshold: int
    year: int | None = None
    date: dt.date | None = None

    def __post_init__(self) -> None:
        """Validate that members are unique, permanent members sit, and the quota is reachable."""
        if not self.members:
            raise ValueError("a council needs at least one member")
        if len(set(self.members)) != len(self.members):
            dupes = sorted({m for m in self.members if self.members.count(m) > 1})
            raise ValueError(f"duplicate council members: {', '.join(dupes)}")
        outside = self.permanent - set(self.members)
        if outside:
            raise ValueError(f"permanent members not on the council: {', '.join(sorted(outside))}")
        if not 1 <= self.threshold <= len(self.members):
            raise ValueError(
                f"threshold {self.threshold} must be between 1 and the council size "
                f"{len(self.members)}"
            )

    @property
    def size(self) -> int:
        """Number of members."""
        return len(self.members)

    @property
    def elected(self) -> tuple[str, ...]:
        """Non-permanent members, in member order."""
        return tuple(m for m in self.members if m not in self.permanent)

    def rule(self, procedural: bool = False) -> VotingRule:
        """The voting rule of a vote of this Council, in member order."""
        return VotingRule(self.threshold, np.array([m in self.permanent for m in self.members]), procedural)

    @property
    def label(self) -> str:
        """How messages name this Council: "the 1971 Council", "the Council of 1971-12-01"."""
        if self.date is not None:
            return f"the Council of {self.date.isoformat()}"
        return f"the {self.year} Council" if self.year is not None else "this Council"

    def resolve(self, name: str) -> str:
        """The code of the member a name means on this Council: "China" is ROC on the 1960
        Council and CHN on the Council of 1971-12-01 (:func:`seat_code_on`)."""
        code = resolve(name)
        if self.date is not None:
            return seat_code_on(code, self.date)
        return seat_code(code, self.year) if self.year is not None else code


def default_threshold(size: int) -> int:
    """Return ceil(3*size/5): 9 of 15 and 7 of 11 as in the Charter before and after 1965."""
    if size < 1:
        raise ValueError(f"council size must be positive, got {size}")
    return -(-3 * size // 5)


def explicit_council(
    members: Sequence[str], permanent: Sequence[str] = (), threshold: int | None = None
) -> Council:
    """Build a council from member names or codes; threshold defaults to `default_threshold`."""
    if isinstance(members, str) or isinstance(permanent, str):
        raise TypeError("members and permanent must be sequences of names, not a single string")
    codes = [resolve(m) for m in members]
    perm_codes = [resolve(p) for p in permanent]
    if len(set(perm_codes)) != len(perm_codes):
        raise ValueError(f"duplicate permanent members: {', '.join(perm_codes)}")
    if len(set(codes)) != len(codes):
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        raise ValueError(f"duplicate council members (after name resolution): {', '.join(dupes)}")
    perm = frozenset(perm_codes)
    ordered = tuple(sorted(codes, key=lambda c: _order_key(c, perm)))
    quota = default_threshold(len(codes)) if threshold is None else threshold
    return Council(members=ordered, permanent=perm, threshold=quota)


@lru_cache(maxsize=1)
def _membership() -> dict[int, tuple[tuple[str, ...], frozenset[str]]]:
    """Read the committed membership table shipped in sim/data."""
    text = files("sim").joinpath("data/council_membership.csv").read_text(encoding="utf-8")
    rows: dict[int, list[tuple[str, bool]]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        rows.setdefault(int(row["year"]), []).append((row["member"], row["permanent"] == "True"))
    table: dict[int, tuple[tuple[str, ...], frozenset[str]]] = {}
    for year, entries in rows.items():
        perm = frozenset(code for code, is_perm in entries if is_perm)
        members = tuple(sorted((code for code, _ in entries), key=lambda c: _order_key(c, perm)))
        table[year] = (members, perm)
    return table


@cache
def council_for_year(year: int) -> Council:
    """Return the built-in Council for `year`: 11 members and quota 7 to 1965, 15 and 9 after.

    Members follow the DPPA yearly list (agreed split terms as one holder a year). A seat that
    changed holder during the year is listed under the holder for the greater part of it: ROC
    in 1971, YEM in 1990, SUN in 1991. :func:`council_on` gives the Council of a given day.
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError("year", f"must be a whole number, got {year!r}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError(
            "year",
            f"no built-in Council composition for {year}; available years are "
            f"{FIRST_YEAR}-{LAST_YEAR} (use explicit_council for others)",
        )
    members, perm = _membership()[year]
    return Council(members=members, permanent=perm, threshold=charter_threshold(year), year=year)


@dataclass(frozen=True)
class SeatChange:
    """A seat that changed holder during a year: ``before`` held it until the day before
    ``date``, ``after`` from ``date``. With ``succession`` the new holder continues the old
    one's membership, so the old one's name still means the seat after the change."""

    date: dt.date
    before: str
    after: str
    succession: bool
    source: str


@lru_cache(maxsize=1)
def seat_changes() -> tuple[SeatChange, ...]:
    """The committed table of mid-year changes of holder (sim/data/council_seat_changes.csv,
    built and checked by tools/build_council_table.py; sources in its PROVENANCE file)."""
    text = files("sim").joinpath("data/council_seat_changes.csv").read_text(encoding="utf-8")
    return tuple(
        SeatChange(dt.date.fromisoformat(r["date"]), r["before"], r["after"],
                   r["succession"] == "True", r["source"])
        for r in csv.DictReader(io.StringIO(text))
    )


def _changes_in(year: int) -> tuple[SeatChange, ...]:
    return tuple(c for c in seat_changes() if c.date.year == year)


@cache
def council_on(date: dt.date) -> Council:
    """Return the built-in Council that sat on ``date``: the year's Council with each seat
    that changed holder that year given to its holder on the day (PRC from 25 Oct 1971, Yemen
    from 22 May 1990, Russia from 24 Dec 1991)."""
    day = dt.date(date.year, date.month, date.day)  # a datetime counts by its day
    year_council = council_for_year(day.year)
    members = set(year_council.members)
    permanent = set(year_council.permanent)
    for change in _changes_in(day.year):
        holder, other = (change.after, change.before) if day >= change.date else (change.before, change.after)
        if other in members:
            members = (members - {other}) | {holder}
            if other in permanent:
                permanent = (permanent - {other}) | {holder}
    perm = frozenset(permanent)
    ordered = tuple(sorted(members, key=lambda c: _order_key(c, perm)))
    return Council(ordered, perm, year_council.threshold, year=day.year, date=day)


def seat_code_on(code: str, date: dt.date) -> str:
    """The code under which ``code``'s seat was held on ``date``: CHN is ROC before 25 Oct 1971,
    YEM is YMD before 22 May 1990 and YMD is YEM after; in other years as
    :func:`sim.scenario.names.seat_code` (the year rule)."""
    for change in _changes_in(date.year):
        if code == change.after and date < change.date:
            return change.before
        if code == change.before and date >= change.date and change.succession:
            return change.after
        if code in (change.before, change.after):
            return code
    return seat_code(code, date.year)
