"""The three reference forecasters of the backtest (pure).

* ``base_rate``: every member votes with the training shares of yes/abstain/no; an event is
  adopted with the training adoption rate.
* ``country``: each member's own training shares (shrunk toward the base rate with a
  pseudo-count of 5 votes; an unseen member gets the base rate).
* ``country_class``: each member's shares by sponsor class (Western P3 / Russia-China /
  other), shrunk toward that member's overall shares.

For the last two, an event's adoption probability is computed by the engine with independent
votes (common = 0, no blocs) and, as a second variant, by the training adoption rate of the
sponsor class; the backtest reports both and judges against the better one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.votes import CAST_WORDS

from .features import parse_sponsors, sponsor_class

PSEUDO = 5.0


def baseline_class(sponsor: object) -> str:
    """Western P3 / Russia-China / other, from the 'Submitted by' text."""
    c = sponsor_class(*parse_sponsors(sponsor))
    return {"western": "western_p3", "ru_cn": "russia_china"}.get(c, "other")


def _shares(votes: pd.Series) -> np.ndarray:
    counts = votes.value_counts()
    return np.array([float(counts.get(v, 0.0)) for v in CAST_WORDS])


@dataclass(frozen=True)
class BaselineCounts:
    """What the baselines learn from the training rows (vote counts in yes/abstain/no
    order, adoption rates with a uniform Beta(1, 1) prior)."""

    #: yes/abstain/no shares of every vote (each count plus 1)
    overall: np.ndarray
    #: member -> its yes/abstain/no counts
    per_member: dict[str, np.ndarray]
    #: (member, baseline sponsor class) -> its yes/abstain/no counts
    per_member_class: dict[tuple[str, str], np.ndarray]
    #: adoption rate of the events
    adopt: float
    #: baseline sponsor class -> adoption rate of its events
    adopt_class: dict[str, float]


def fit_baselines(rows: pd.DataFrame) -> BaselineCounts:
    """Counts needed by the three baselines from training rows (with ``vote``, ``adopted``)."""
    r = rows.copy()
    r["bclass"] = r["sponsor"].map(baseline_class)
    overall = _shares(r["vote"]) + 1.0
    overall = overall / overall.sum()
    per_member = {str(m): _shares(d["vote"]) for m, d in r.groupby("member")}
    per_mc = {(str(m), str(c)): _shares(d["vote"])
              for (m, c), d in r.groupby(["member", "bclass"])}
    ev = r.drop_duplicates("event_id")
    adopt = float((ev["adopted"].sum() + 1.0) / (len(ev) + 2.0))
    adopt_c = {str(c): float((d["adopted"].sum() + 1.0) / (len(d) + 2.0))
               for c, d in ev.groupby("bclass")}
    return BaselineCounts(overall, per_member, per_mc, adopt, adopt_c)


def predict_baselines(fitted: BaselineCounts, rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """name -> (n, 3) yes/abstain/no probabilities for context rows."""
    overall = fitted.overall
    n = len(rows)
    bcls = rows["sponsor"].map(baseline_class).to_numpy()
    base = np.tile(overall, (n, 1))
    country = np.empty((n, 3))
    cc = np.empty((n, 3))
    for k, (m, c) in enumerate(zip(rows["member"], bcls, strict=True)):
        cm = fitted.per_member.get(m, np.zeros(3))
        pm = (cm + PSEUDO * overall) / (cm.sum() + PSEUDO)
        country[k] = pm
        cmc = fitted.per_member_class.get((m, c), np.zeros(3))
        cc[k] = (cmc + PSEUDO * pm) / (cmc.sum() + PSEUDO)
    return {"base_rate": base, "country": country, "country_class": cc}


def event_rates(fitted: BaselineCounts, events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Adoption probabilities that do not use the engine: overall and by sponsor class."""
    adopt = fitted.adopt
    cls = events["sponsor"].map(baseline_class)
    return {"overall": np.full(len(events), adopt),
            "class": np.array([fitted.adopt_class.get(c, adopt) for c in cls])}


def names() -> Iterable[str]:
    return ("base_rate", "country", "country_class")
