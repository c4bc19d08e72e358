"""The hurdle: member probabilities from the three probits' linear predictors.

P(contested) = Phi(a) per event; given a contested draft, P(yes) = Phi(b) and
P(no | not yes) = Phi(c) per member row; the marginal mixes a unanimous draft (all yes)
with the contested one (docs/calibration.md, "Marginals").
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .marginals import LinearPredictors
from .probit import probit_prob
from .rows import ModelRows

#: smallest probability of a vote category (then renormalised)
P_FLOOR = 1e-4
#: P(yes) of a Council member on a draft it sponsors. In the records through 2023, 4,189 of
#: 4,216 sponsor rows (99.4%) are yes, and nearly all the others are data errors (the
#: misaligned 1995 rows; S/2022/821, recorded as a UK draft): a sponsor votes yes.
SPONSOR_YES = 0.995


def recalibrated(eta: np.ndarray, shift_scale: tuple[float, float] | None) -> np.ndarray:
    """``shift + scale * eta`` (``eta`` itself without a recalibration)."""
    return eta if shift_scale is None else shift_scale[0] + shift_scale[1] * eta


def components(p: ModelRows, eta: LinearPredictors,
               temper: Mapping[str, tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Hurdle components per member row: q = P(contested) of the row's event, and the
    (n, 3) yes/abstain/no probabilities given that the event is contested; ``temper`` maps
    a probit to the (shift, scale) of its recalibration."""
    q = probit_prob(recalibrated(eta[0], temper.get("event")))[p.row_event]
    if "yes:perm" in temper:  # separate recalibrations for permanent and elected members
        perm = p.m["perm"].to_numpy(float) > 0
        eb = np.where(perm, recalibrated(eta[1], temper["yes:perm"]),
                      recalibrated(eta[1], temper.get("yes:elected")))
    else:
        eb = recalibrated(eta[1], temper.get("yes"))
    py = probit_prob(eb)
    pn = probit_prob(recalibrated(eta[2], temper.get("no")))
    cond = np.column_stack([py, (1 - py) * (1 - pn), (1 - py) * pn])
    cond = np.clip(cond, P_FLOOR, 1.0)
    return q, cond / cond.sum(axis=1, keepdims=True)


def sponsors_vote_yes(cond: np.ndarray, sponsor: np.ndarray) -> np.ndarray:
    """``cond`` in which each sponsor votes yes with at least :data:`SPONSOR_YES`; the rest of
    its probability is split between abstain and no as the model split it."""
    out = np.array(cond, dtype=float, copy=True)
    if not sponsor.any():
        return out
    yes = np.maximum(out[sponsor, 0], SPONSOR_YES)
    rest = out[sponsor, 1:]
    share = rest / np.maximum(rest.sum(axis=1, keepdims=True), 1e-300)
    out[sponsor, 0] = yes
    out[sponsor, 1:] = (1.0 - yes)[:, None] * share
    return out


def mix(q: np.ndarray, cond: np.ndarray) -> np.ndarray:
    """Marginal yes/abstain/no of the hurdle mixture."""
    out = q[:, None] * cond
    out[:, 0] += 1 - q
    out = np.clip(out, P_FLOOR, 1.0)
    return np.asarray(out / out.sum(axis=1, keepdims=True))
