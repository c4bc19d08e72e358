"""Data cleaning for fitting (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from sim.scenario.council import FIRST_YEAR, LAST_YEAR, council_on

from .features import PERMANENT


def misaligned_events(rows: pd.DataFrame, membership: pd.DataFrame,
                      tolerance: int = 2) -> set[str]:
    """Events whose voters are not the Council of the event's year.

    In the SC draft-vote file a few dozen events dated 1995-2001 carry the vote rows of a
    Council from another year (e.g. a 1995 presidential text with the 2017 members voting);
    their votes do not belong to the draft. An event is flagged when more than ``tolerance``
    of its voters were not Council members that year (``membership``: year, member).
    """
    council = membership.groupby("year")["member"].apply(set).to_dict()
    bad: set[str] = set()
    for (eid, year), d in rows.groupby(["event_id", "year"]):
        members = council.get(int(year))
        if members is None:
            continue
        if len(set(d["member"]) - members) > tolerance:
            bad.add(str(eid))
    return bad


@cache
def _permanent_on(day: dt.date) -> frozenset[str]:
    """The veto holders of the Council that sat on ``day`` (the P5 of today outside the table)."""
    return council_on(day).permanent if FIRST_YEAR <= day.year <= LAST_YEAR else PERMANENT


#: Outcome texts that say every member present voted in favour (or there was no vote).
_WITHOUT_DISSENT = ("adopted unanimously", "adopted by consensus", "adopted by acclamation")


@dataclass(frozen=True)
class OutcomeFixes:
    """What :func:`reconcile_outcomes` changed, by event id."""

    procedural: frozenset[str]  # adopted over a permanent member's no: a procedural vote
    vetoes: frozenset[str]  # recorded as adopted, but no resolution and a permanent no
    stray_rows: frozenset[tuple[str, str]]  # (event, member): a permanent no on an adopted text


def reconcile_outcomes(rows: pd.DataFrame) -> tuple[pd.DataFrame, OutcomeFixes]:
    """Vote rows whose ``adopted`` column is the outcome of the record, made consistent with
    the Charter, and a ``procedural`` column (bool, per event).

    The outcome text (``outcome``) is the record's; ``resolution`` (a number, or None) says
    whether a resolution came out of the vote. They disagree with the tally in three ways
    (docs/calibration.md, "Cleaning"):

    * adopted, with a resolution number, although a permanent member voted no, and the text
      says "by majority": a **procedural** vote (no veto), e.g. S/RES/2623 (2022);
    * the same with a text of no dissent ("unanimously", ...): the permanent member's "no"
      row cannot be right (a substantive draft it voted against is not adopted) and is
      dropped, e.g. S/RES/1093 (1997), recorded 15-0 in the UN Digital Library;
    * recorded as adopted, but with no resolution number and a permanent member's no: the
      draft was vetoed (e.g. S/1997/199, in the veto list): ``adopted`` is set to False.

    Rows without ``outcome`` are returned unchanged (with ``procedural`` False).
    """
    out = rows.copy()
    out["procedural"] = False
    if "outcome" not in out.columns or "adopted" not in out.columns or "vote" not in out.columns:
        return out, OutcomeFixes(frozenset(), frozenset(), frozenset())
    eid = out["event_id"].astype(str)
    perm = np.array([m in _permanent_on(d) for m, d in zip(out["member"], out["date"], strict=True)])
    perm_no = pd.Series(perm & (out["vote"] == "no").to_numpy(), index=out.index)
    event_perm_no = perm_no.groupby(eid).transform("any").to_numpy(bool)
    text = out["outcome"].astype(str).str.strip().str.lower()
    resolution = out["resolution"].notna().to_numpy() if "resolution" in out.columns \
        else np.ones(len(out), dtype=bool)
    adopted = out["adopted"].to_numpy(bool)
    without_dissent = text.isin(_WITHOUT_DISSENT).to_numpy()
    procedural = adopted & resolution & event_perm_no & ~without_dissent
    vetoed = adopted & ~resolution & event_perm_no
    stray = adopted & resolution & without_dissent & perm_no.to_numpy()
    out["procedural"] = procedural
    out["adopted"] = adopted & ~vetoed
    fixes = OutcomeFixes(
        procedural=frozenset(eid[procedural]),
        vetoes=frozenset(eid[vetoed]),
        stray_rows=frozenset(zip(eid[stray], out.loc[stray, "member"].astype(str), strict=True)),
    )
    return out[~stray].reset_index(drop=True), fixes
