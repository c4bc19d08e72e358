"""The run of unanimous votes on an agenda item (the routine-renewal feature, issue 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.history import History


def _history(records: list[tuple[str, float, int]]) -> History:
    """Event history from (agenda key, decimal time, code): 2 unanimous, 1 contested, 0 failed."""
    m = pd.DataFrame({"agenda_key": [k for k, _, _ in records],
                      "hist_t": [t for _, t, _ in records],
                      "year": [int(t) for _, t, _ in records]})
    return History.build(m, np.array([c for _, _, c in records]), half_life=3.0, kinds=("ta",))


def _query(h: History, key: str, t: float) -> float:
    q = pd.DataFrame({"agenda_key": [key], "hist_t": [t], "year": [int(t)]})
    return float(h.streak(q, "ta")[0])


def test_the_streak_counts_unanimous_votes_since_the_last_contested_one() -> None:
    h = _history([("cyprus", 2000.1, 2), ("cyprus", 2004.4, 1), ("cyprus", 2005.1, 2),
                  ("cyprus", 2005.6, 2), ("cyprus", 2006.1, 2), ("syria", 2012.1, 0),
                  ("syria", 2013.1, 2)])
    assert _query(h, "cyprus", 2004.0) == 1.0  # only the 2000 vote is earlier
    assert _query(h, "cyprus", 2004.5) == 0.0  # the 2004 vote broke the run
    assert _query(h, "cyprus", 2007.0) == 3.0
    assert _query(h, "syria", 2014.0) == 1.0  # a failed draft breaks it too
    assert _query(h, "unknown item", 2014.0) == 0.0


def test_a_vote_on_the_query_date_is_not_yet_known() -> None:
    h = _history([("unficyp", 2010.1, 2), ("unficyp", 2010.5, 2)])
    assert _query(h, "unficyp", 2010.5) == 1.0
    assert _query(h, "unficyp", 2010.6) == 2.0


def test_the_streak_does_not_decay_with_age() -> None:
    h = _history([("undof", 1995.0 + 0.5 * i, 2) for i in range(40)])
    assert _query(h, "undof", 2030.0) == 40.0
