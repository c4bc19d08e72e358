"""Security Council compositions: built-in yearly membership 1946-2027 and user-defined councils."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from sim.names import resolve

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "PERMANENT_ORDER",
    "Council",
    "council_for_year",
    "default_threshold",
    "explicit_council",
]

FIRST_YEAR, LAST_YEAR = 1946, 2027

# Canonical display order of the permanent seats (China/ROC, France, Russia/USSR, UK, US).
PERMANENT_ORDER: tuple[str, ...] = ("CHN", "ROC", "FRA", "RUS", "SUN", "GBR", "USA")


def _order_key(code: str, permanent: frozenset[str]) -> tuple[int, int, str]:
    """Sort key: permanent members first in canonical order, then everyone by code."""
    if code in permanent:
        rank = PERMANENT_ORDER.index(code) if code in PERMANENT_ORDER else len(PERMANENT_ORDER)
        return (0, rank, code)
    return (1, 0, code)


@dataclass(frozen=True)
class Council:
    """A council: member codes (permanent first, then elected sorted), veto holders and quota."""

    members: tuple[str, ...]
    permanent: frozenset[str]
    threshold: int
    year: int | None = None

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

    Members follow the DPPA yearly list (split terms as one holder a year; ROC for all of 1971).
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"no built-in Council composition for {year}; available years are "
            f"{FIRST_YEAR}-{LAST_YEAR} (use explicit_council for others)"
        )
    members, perm = _membership()[year]
    return Council(members=members, permanent=perm, threshold=7 if year <= 1965 else 9, year=year)
