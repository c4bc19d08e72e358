"""Data cleaning for fitting (pure)."""

from __future__ import annotations

import pandas as pd


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
