"""How often two members vote alike on contested drafts: the model's against the records'.

For each event that was contested (some member did not vote yes), the forecast's contested
component gives P(members i and j cast the same vote | the draft is contested), conditioned
as the hurdle is on not being unanimous:

    P(same | not all yes) = (P_model(same) - P_model(all yes)) / (1 - P_model(all yes))

with and without the alignment axis (the members' loadings set to 0), averaged over the
candidate sponsor classes of an event whose sponsor is unknown. The record says whether they
did. Pairs are scored by the mean absolute error of the model's agreement against the
observed frequency (:func:`pairwise_error`), the axis's check in the rolling backtest
(docs/backtest.md). Pure: no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.rules import charter_threshold

from .event_forecast import vote_model
from .prediction import Prediction

#: A pair is scored when the two members sat together on at least this many contested drafts.
MIN_EVENTS = 5


def pairwise_rows(pred: Prediction, votes: pd.DataFrame) -> pd.DataFrame:
    """One row per (contested event, pair of members): ``event_id, a, b, observed`` (1 if they
    cast the same vote) and the model's agreement ``with_axis`` and ``without_axis``.

    ``votes`` has ``event_id, member, vote`` (yes / abstain / no) for the forecast events."""
    from sim.engine.exact import exact_outcomes, profile_probability

    cast = votes[votes["vote"].isin(["yes", "abstain", "no"])]
    contested = cast.groupby("event_id")["vote"].apply(lambda v: bool((v != "yes").any()))
    contested_ids = set(contested[contested].index.astype(str))
    parts = pred.parts.drop_duplicates(["cand", "member"])
    parts = parts[parts["event_id"].astype(str).isin(contested_ids)]
    truth = cast.drop_duplicates(["event_id", "member"], keep="last").set_index(["event_id", "member"])["vote"]
    acc: dict[tuple[str, str, str], list[float]] = {}
    for _cand, d in parts.groupby("cand", sort=False):
        eid = str(d["event_id"].iloc[0])
        quota = charter_threshold(int(d["year"].iloc[0]))
        dc = d.assign(p_yes=d["c_yes"], p_abstain=d["c_abstain"], p_no=d["c_no"])
        lam = dc["c_lambda"].to_numpy(float) if "c_lambda" in dc.columns else np.zeros(len(dc))
        w = float(d["weight"].iloc[0])
        members = list(dc["member"].astype(str))
        agree = []
        for loadings in (lam, None):
            vm = vote_model(dc, *pred.contested_corr, quota, loadings)
            all_yes = profile_probability(vm, np.zeros(vm.n, dtype=int))
            same = exact_outcomes(vm).pairwise_agreement
            agree.append((same - all_yes) / max(1.0 - all_yes, 1e-12))
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                a, b = sorted((members[i], members[j]))
                got = acc.setdefault((eid, a, b), [0.0, 0.0])
                got[0] += w * float(agree[0][i, j])
                got[1] += w * float(agree[1][i, j])
    rows = []
    for (eid, a, b), (with_axis, without_axis) in acc.items():
        va, vb = truth.get((eid, a)), truth.get((eid, b))
        if va is None or vb is None:
            continue
        rows.append((eid, a, b, float(va == vb), with_axis, without_axis))
    return pd.DataFrame(rows, columns=["event_id", "a", "b", "observed", "with_axis", "without_axis"])


def pairwise_error(rows: pd.DataFrame, min_events: int = MIN_EVENTS) -> dict[str, float]:
    """Mean absolute error, over member pairs with at least ``min_events`` contested drafts
    together, of the model's mean agreement against the observed share; with and without the
    axis, and the number of pairs scored."""
    if rows.empty:
        return {"pairs": 0, "with_axis": float("nan"), "without_axis": float("nan")}
    g = rows.groupby(["a", "b"]).agg(n=("observed", "size"), observed=("observed", "mean"),
                                     with_axis=("with_axis", "mean"),
                                     without_axis=("without_axis", "mean"))
    g = g[g["n"] >= min_events]
    return {"pairs": len(g),
            "with_axis": float((g["with_axis"] - g["observed"]).abs().mean()),
            "without_axis": float((g["without_axis"] - g["observed"]).abs().mean())}
