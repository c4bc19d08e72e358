"""The General Assembly's members on a given day, and their regional groups.

Read from the packaged table ``sim/data/assembly_admissions.csv`` (built and cross-checked by
``tools/build_assembly_membership.py``; sources in ``sim/data/assembly_membership.PROVENANCE.md``).
Each row is one spell of membership: ``admitted`` is its first day, ``left`` the first day it no
longer held (empty for today's members). A seat taken over by a successor changes code on the
day of the change: SUN to RUS on 1991-12-24, ROC to CHN on 1971-10-25.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from sim.errors import InputError
from sim.scenario.names import display_name

__all__ = [
    "FIRST_DAY",
    "REGIONAL_GROUPS",
    "Membership",
    "is_member",
    "member_count",
    "members_on",
    "memberships",
    "regional_group",
]

#: The Charter's entry into force: the first day the United Nations had members.
FIRST_DAY = dt.date(1945, 10, 24)

#: The five regional groups of the General Assembly, in the UN's order.
REGIONAL_GROUPS: tuple[str, ...] = (
    "African States",
    "Asia-Pacific States",
    "Eastern European States",
    "Latin American and Caribbean States",
    "Western European and other States",
)


@dataclass(frozen=True)
class Membership:
    """One spell of membership: member from ``admitted`` until the day before ``left``."""

    code: str
    name: str
    regional_group: str
    admitted: dt.date
    left: dt.date | None
    note: str


@lru_cache(maxsize=1)
def memberships() -> tuple[Membership, ...]:
    """Every spell of membership since 1945, ordered by admission date then code."""
    text = files("sim").joinpath("data/assembly_admissions.csv").read_text(encoding="utf-8")
    return tuple(
        Membership(
            code=row["code"],
            name=row["name"],
            regional_group=row["regional_group"],
            admitted=dt.date.fromisoformat(row["admitted"]),
            left=dt.date.fromisoformat(row["left"]) if row["left"] else None,
            note=row["note"],
        )
        for row in csv.DictReader(io.StringIO(text))
    )


@lru_cache(maxsize=1)
def _timeline() -> tuple[tuple[dt.date, ...], tuple[tuple[str, ...], ...]]:
    """The days on which membership changed, and the members from each of those days on."""
    days = sorted({m.admitted for m in memberships()} | {m.left for m in memberships() if m.left})
    lists = tuple(
        tuple(sorted(m.code for m in memberships() if m.admitted <= day and (m.left is None or day < m.left)))
        for day in days
    )
    return tuple(days), lists


def _day(day: dt.date) -> dt.date:
    """Validate a day: a date (a datetime counts as its date) not before the Charter."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if not isinstance(day, dt.date):
        raise InputError("day", f"must be a datetime.date, got {day!r}")
    if day < FIRST_DAY:
        raise InputError("day", f"{day.isoformat()} is before the United Nations existed ({FIRST_DAY.isoformat()})")
    return day


def members_on(day: dt.date) -> tuple[str, ...]:
    """The codes of the UN's member states on ``day``, sorted; today's members after the last change."""
    days, lists = _timeline()
    return lists[bisect.bisect_right(days, _day(day)) - 1]


def member_count(day: dt.date) -> int:
    """How many member states the UN had on ``day``."""
    return len(members_on(day))


def is_member(code: str, day: dt.date) -> bool:
    """Whether ``code`` (as in :mod:`sim.scenario.names`) was a member state on ``day``."""
    return code.upper() in members_on(day)


@lru_cache(maxsize=1)
def _groups() -> dict[str, str]:
    return {m.code: m.regional_group for m in memberships()}


def regional_group(code: str) -> str:
    """The regional group of a member (or former member), one of :data:`REGIONAL_GROUPS`.

    Today's groups (2024), with the USA, Türkiye and Israel in the Western European and other
    States and Kiribati in Asia-Pacific; former members have the group of their region.
    """
    group = _groups().get(code.upper()) if isinstance(code, str) else None
    if group is None:
        raise InputError("code", f"{_describe(code)} has never been a UN member state, so it has no regional group")
    return group


def _describe(code: object) -> str:
    """A code for an error message, with its name if :mod:`sim.scenario.names` knows it."""
    try:
        return f"{code!r} ({display_name(code)})" if isinstance(code, str) else repr(code)
    except ValueError:
        return repr(code)
