"""Event forecasts through the engine: member probabilities of one event become a
:class:`sim.engine.model.VoteModel`, and P(adopted), P(vetoed) come from the engine's exact method
with the hurdle mixture (docs/calibration.md, "Event forecasts")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.engine.rules import charter_threshold

from .blocs import BLOCS
from .features import PERMANENT
from .prediction import Prediction

if TYPE_CHECKING:
    from sim.engine.model import VoteModel


def event_probabilities_for(pred: Prediction) -> pd.DataFrame:
    """(event_id, p_adopted, p_vetoed) per event with the engine's exact quadrature,
    averaged over the candidate sponsor classes of an event whose sponsor is unknown.

    Hurdle mixture: unanimous (adopted) with probability 1 - q; otherwise the contested
    votes, with their own correlation, conditioned on not being unanimous."""
    from sim.engine.exact import event_probabilities_unanimous

    # every input row is forecast, but a member listed twice in an event votes once
    parts = pred.parts.drop_duplicates(["cand", "member"])
    acc: dict[Any, list[float]] = {}
    for _cand, d in parts.groupby("cand", sort=False):
        quota = charter_threshold(int(d["year"].iloc[0]))  # the Council's, not the rows' count
        q = float(d["q"].iloc[0])
        dc = d.assign(p_yes=d["c_yes"], p_abstain=d["c_abstain"], p_no=d["c_no"])
        # the forecast has no alignment axis (docs/calibration.md, "The alignment axis")
        ca, cv, c15 = event_probabilities_unanimous(vote_model(dc, *pred.contested_corr, quota))
        rest = max(1.0 - c15, 1e-12)
        pa = (1.0 - q) + q * max(ca - c15, 0.0) / rest
        pv = q * cv / rest
        w = float(d["weight"].iloc[0])
        got = acc.setdefault(d["event_id"].iloc[0], [0.0, 0.0])
        got[0] += w * pa
        got[1] += w * pv
    return pd.DataFrame([(e, v[0], v[1]) for e, v in acc.items()],
                        columns=["event_id", "p_adopted", "p_vetoed"])


def vote_model(d: pd.DataFrame, common: float, cohesion: Mapping[str, float],
               threshold: int, alignment: np.ndarray | None = None) -> VoteModel:
    """Engine :class:`sim.engine.model.VoteModel` for one event's member rows; ``threshold`` is the
    quota of the Council that votes (members without a row are absent, the quota stays);
    ``alignment``: the members' loadings on the alignment axis (none: no axis)."""
    from sim.engine.model import VoteModel

    members = tuple(d["member"])
    probs = np.column_stack([d["p_yes"], d["p_abstain"], d["p_no"], np.zeros(len(d))])
    present = [b for b in BLOCS if b in set(d["bloc"].dropna())]
    bidx = np.array([present.index(b) if isinstance(b, str) and b in present else -1
                     for b in d["bloc"]])
    coh = np.array([cohesion[b] for b in present])
    return VoteModel(members=members, probs=probs,
                     permanent=np.array([mm in PERMANENT for mm in members]), bloc=bidx,
                     cohesion=coh, common=common, threshold=threshold,
                     bloc_names=tuple(present),
                     alignment=None if alignment is None or not np.any(alignment) else alignment)
