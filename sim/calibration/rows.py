"""Model rows: from vote records to the member and event rows the probits are fitted on.

A member row is one (event, member) with the pre-vote features of
:mod:`sim.calibration.design` and the vote history of :mod:`sim.calibration.history`,
read at the start of the vote's year (only calendar years before it count), so a training
row is exactly like a forecast made at the start of a year. The event rows pool them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.rules import adopted as adopted_by_rule
from sim.engine.rules import charter_threshold
from sim.engine.votes import STANCE_RANK
from sim.errors import InputError

from .design import EVENT_KINDS, MEMBER_KINDS, STREAK_KINDS, event_keys, event_table, member_rows, no_keys, yes_keys
from .features import CovariateTable, PenholderHistory
from .history import History, history_features

VOTE_INDEX = STANCE_RANK  # ordered-probit category: no < abstain < yes
NO, YES = STANCE_RANK["no"], STANCE_RANK["yes"]
CONTEXT = ("event_id", "date", "year", "member", "sponsor", "topic", "agenda", "category",
           "region", "draft")


def context_rows(rows: pd.DataFrame, need_votes: bool) -> pd.DataFrame:
    """The context columns of vote rows (and ``vote`` when ``need_votes``), missing ones
    as None; outcome columns are dropped."""
    for c in ("event_id", "date", "year", "member") + (("vote",) if need_votes else ()):
        if c not in rows.columns:
            raise InputError(c, "missing column", "votes")
    keep = [c for c in CONTEXT if c in rows.columns] + (["vote"] if need_votes else [])
    out = rows[keep].copy()
    for c in CONTEXT:
        if c not in out.columns:
            out[c] = None
    out["event_id"] = out["event_id"].astype(str)
    return out.reset_index(drop=True)


@dataclass
class ModelRows:
    """Member rows ``m`` and event rows ``ev`` with features, and their sparse design keys
    (``ek`` event probit, ``yk`` yes probit, ``nk`` no probit)."""

    m: pd.DataFrame
    ev: pd.DataFrame
    row_event: np.ndarray  # (len m,) index into ev
    ek: pd.DataFrame
    yk: pd.DataFrame
    nk: pd.DataFrame


def prepare_rows(rows: pd.DataFrame, covs: CovariateTable, topic_map: Mapping[str, str],
                 penholder: PenholderHistory) -> tuple[pd.DataFrame, PenholderHistory]:
    """Member rows with event and member features (no vote history yet)."""
    ev, hist = event_table(rows, topic_map, penholder)
    return member_rows(rows, ev, covs), hist


def event_frame(m: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per event of member rows ``m`` (its first member row, member ``*``) and the
    event index of each member row."""
    codes, row_event = np.unique(m["event_id"].to_numpy().astype(str), return_inverse=True)
    first = np.zeros(len(codes), dtype=int)
    first[row_event[::-1]] = np.arange(len(m))[::-1]
    ev = m.iloc[first].reset_index(drop=True).copy()
    ev["member"] = "*"
    return ev, row_event


def model_rows(m: pd.DataFrame, hist_event: History, hist_member: History,
               priors: Mapping[str, Mapping[str, float]]) -> ModelRows:
    """Member rows ``m`` (from :func:`prepare_rows`) with their vote history, the event
    rows, and the design keys of the three probits."""
    strength = float(priors.get("strength", {}).get("value", 2.0))
    m = m.reset_index(drop=True).copy()
    # history of earlier calendar years only, read at the start of the row's year
    m["hist_t"] = m["year"].to_numpy(float)
    ev, row_event = event_frame(m)
    ev = pd.concat([ev, history_features(ev, hist_event, priors["event"], EVENT_KINDS,
                                         strength)], axis=1)
    # routine renewals: the run of unanimous votes on the same agenda item and topic
    for kind in STREAK_KINDS:
        ev[f"streak_{kind}"] = np.log1p(hist_event.streak(ev, kind))
    mm = pd.concat([m.reset_index(drop=True),
                    history_features(m.reset_index(drop=True), hist_member, priors["member"],
                                     MEMBER_KINDS, strength)], axis=1)
    # the members' own dissent history on this topic, pooled per event
    for kind in ("mt", "mtc", "mc"):
        h = mm[f"h_{kind}"].to_numpy(float)
        mx = np.full(len(ev), -np.inf)
        np.maximum.at(mx, row_event, h)
        sm = np.bincount(row_event, weights=h, minlength=len(ev))
        cnt = np.bincount(row_event, minlength=len(ev))
        ev[f"mx_{kind}"] = np.where(np.isfinite(mx), mx, 0.0)
        ev[f"mean_{kind}"] = sm / np.maximum(cnt, 1)
    return ModelRows(mm, ev, row_event, event_keys(ev), yes_keys(mm), no_keys(mm))


def vote_codes(rows: pd.DataFrame, m: pd.DataFrame) -> np.ndarray:
    """The recorded vote of each member row (:data:`VOTE_INDEX` codes)."""
    vote = rows.drop_duplicates(["event_id", "member"], keep="last") \
        .set_index(["event_id", "member"])["vote"]
    keys = list(zip(m["event_id"], m["member"], strict=True))
    v = vote.reindex(keys).to_numpy()
    codes = np.array([VOTE_INDEX.get(str(x), -1) for x in v])
    if (codes < 0).any():
        raise InputError("vote", "unknown or missing vote", "votes")
    return codes


def event_adoption(rows: pd.DataFrame) -> dict[str, bool] | None:
    """The record's outcome of each event (``adopted``, as reconciled by
    :func:`sim.calibration.clean.reconcile_outcomes`), or None if the rows have none."""
    if "adopted" not in rows.columns:
        return None
    first = rows.drop_duplicates("event_id")
    return dict(zip(first["event_id"].astype(str), first["adopted"].astype(bool), strict=True))


def event_outcomes(m: pd.DataFrame, y: np.ndarray, adopted: Mapping[str, bool] | None = None,
                   ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Events of member rows and their code: 2 unanimous (every recorded vote yes), 1
    contested but adopted, 0 not adopted. Adoption is the record's (``adopted``, by event id);
    without it, the Charter's rule for a substantive vote: the Council's quota of yes votes
    (:func:`sim.engine.rules.charter_threshold`) and no permanent member's no (:func:`sim.engine.rules.adopted`)."""
    ev, row_event = event_frame(m)
    contested = np.zeros(len(ev), dtype=bool)
    np.logical_or.at(contested, row_event, y != YES)
    if adopted is not None:
        got = ev["event_id"].astype(str).map(adopted)
        if got.isna().any():
            raise InputError("adopted", "missing for some events", "votes")
        failed = ~got.to_numpy(bool)
    else:
        n_yes = np.bincount(row_event, weights=(y == YES).astype(float), minlength=len(ev))
        permanent_no = np.bincount(row_event, weights=((y == NO) & (m["perm"].to_numpy(float) > 0)).astype(float),
                                   minlength=len(ev))
        quota = np.array([charter_threshold(int(year)) for year in ev["year"]])
        failed = ~adopted_by_rule(n_yes, permanent_no, quota, False)
    code = np.where(failed, 0, np.where(contested, 1, 2))
    return ev, row_event, code


def build_histories(m: pd.DataFrame, y: np.ndarray, half_life: float, strength: float = 2.0,
                    adopted: Mapping[str, bool] | None = None,
                    ) -> tuple[History, History, dict[str, dict[str, float]]]:
    """The event history (contested and failed events), the member history (votes on
    contested events) and their prior rates."""
    ev, row_event, code = event_outcomes(m, y, adopted)
    contested = code != 2
    h_ev = History.build(ev, code, half_life, EVENT_KINDS)
    crow = contested[row_event]
    h_m = History.build(m[crow], y[crow], half_life, MEMBER_KINDS)
    priors = {
        "event": {"nonyes": float(contested.mean()) if len(ev) else 0.1,
                  "no": float(np.mean(code == 0)) if len(ev) else 0.05},
        "member": {"nonyes": float(np.mean(y[crow] != 2)) if crow.any() else 0.3,
                   "no": float(np.mean(y[crow] == NO)) if crow.any() else 0.1},
    }
    priors["event"]["nonyes"] = min(max(priors["event"]["nonyes"], 0.01), 0.99)
    priors["event"]["no"] = min(max(priors["event"]["no"], 0.005), 0.99)
    priors["strength"] = {"value": float(strength)}
    return h_ev, h_m, priors
