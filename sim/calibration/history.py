"""Empirical-Bayes vote history: how a member (or everyone) voted on earlier drafts.

For a key (say member x topic) and a vote read at time T, the history is the
recency-weighted count of the votes cast on dates strictly before T (weight 0.5^((T - d)/h),
dates in decimal years), split into yes / abstain / no. The model reads it at the start of
the vote's year (:func:`sim.calibration.rows.model_rows`), so only calendar years before
the vote's count; votes of the same year, and of the same day, are never used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Key types: name -> the columns of the member-row table that form the key.
KEY_TYPES: dict[str, tuple[str, ...]] = {
    "m": ("member",),
    "mt": ("member", "topic_key"),
    "ma": ("member", "agenda_key"),
    "mc": ("member", "cls"),
    "mtc": ("member", "topic_key", "cls"),
    "t": ("topic_key",),
    "tc": ("topic_key", "cls"),
    "ta": ("agenda_key",),
    "c": ("cls",),
    "all": (),
}
_T0 = 2010.0


def key_strings(m: pd.DataFrame, kind: str) -> np.ndarray:
    cols = KEY_TYPES[kind]
    if not cols:
        return np.full(len(m), "*", dtype=object)
    out = m[cols[0]].astype(str).to_numpy().astype(object)
    for c in cols[1:]:
        out = out + "|" + m[c].astype(str).to_numpy().astype(object)
    return np.asarray(out, dtype=object)


def decimal_time(m: pd.DataFrame) -> np.ndarray:
    """Decimal year of each row's date (start of its year when the date is unknown); the
    time ``hist_t`` at which the history is read instead, when the rows carry one."""
    if "hist_t" in m.columns:
        return m["hist_t"].to_numpy(float)
    year = m["year"].to_numpy(float)
    if "date" not in m.columns:
        return year
    d = pd.to_datetime(m["date"], errors="coerce")
    t = d.dt.year.to_numpy(float) + (d.dt.day_of_year.to_numpy(float) - 1.0) / 366.0
    return np.where(np.isfinite(t), t, year)


@dataclass
class History:
    """Per (key type, key, date): counts of votes, abstentions and no votes."""

    table: pd.DataFrame  # kind, key, year, t, n, n_abstain, n_no
    half_life: float

    @classmethod
    def build(cls, m: pd.DataFrame, vote: np.ndarray, half_life: float,
              kinds: Sequence[str] = tuple(KEY_TYPES)) -> History:
        """``m``: member rows (with key columns, ``year`` and ``date``); ``vote``: 0=no,
        1=abstain, 2=yes."""
        frames = []
        t = np.round(decimal_time(m), 6)
        for kind in kinds:
            d = pd.DataFrame({"kind": kind, "key": key_strings(m, kind),
                              "year": m["year"].to_numpy(int), "t": t, "n": 1.0,
                              "n_abstain": (vote == 1).astype(float),
                              "n_no": (vote == 0).astype(float)})
            frames.append(d.groupby(["kind", "key", "year", "t"], as_index=False).sum())
        if not frames:
            return cls(pd.DataFrame(columns=["kind", "key", "year", "t", "n", "n_abstain",
                                             "n_no"]), half_life)
        return cls(pd.concat(frames, ignore_index=True), half_life)

    def extend(self, other: History) -> History:
        """This history plus the records of ``other`` (summed where they coincide)."""
        t = pd.concat([self.table, other.table], ignore_index=True)
        t = t.groupby(["kind", "key", "year", "t"], as_index=False).sum()
        return History(t, self.half_life)

    def _sorted(self, kind: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.Index]:
        """The records of ``kind`` sorted by (key, time), their key codes and times, and the keys."""
        h = self.table[self.table["kind"] == kind]
        cats = pd.Index(pd.unique(h["key"].to_numpy()))
        hk = cats.get_indexer(h["key"].to_numpy())
        ht = h["t"].to_numpy(float)
        order = np.lexsort((ht, hk))
        return h.iloc[order], hk[order], ht[order], cats

    @staticmethod
    def _last_before(hk: np.ndarray, ht: np.ndarray, cats: pd.Index, m: pd.DataFrame,
                     kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Per row of ``m``: the index of its key's last record strictly before its date, and
        whether there is one."""
        comp = hk * 1000.0 + (ht - 1900.0)
        qk = cats.get_indexer(key_strings(m, kind))
        qcomp = qk * 1000.0 + (decimal_time(m) - 1900.0)
        # strictly earlier dates: a day is 1/366 ~ 0.0027, so a margin of 0.001 separates
        # days safely whatever the rounding of stored times
        pos = np.searchsorted(comp, qcomp - 1e-3, side="left") - 1
        ok = (qk >= 0) & (pos >= 0)
        ok[ok] = hk[pos[ok]] == qk[ok]
        return pos, ok

    def query(self, m: pd.DataFrame, kind: str) -> np.ndarray:
        """(n, 3) decayed counts (total, abstain, no) of the dates before each row's date."""
        lam = np.log(2.0) / float(self.half_life)
        out = np.zeros((len(m), 3))
        h, hk, ht, cats = self._sorted(kind)
        if h.empty or len(m) == 0:
            return out
        vals = h[["n", "n_abstain", "n_no"]].to_numpy(float)
        vals = vals * np.exp(lam * (ht - _T0))[:, None]
        cum = pd.DataFrame(vals).groupby(hk).cumsum().to_numpy()
        pos, ok = self._last_before(hk, ht, cats, m, kind)
        qt = decimal_time(m)
        out[ok] = cum[pos[ok]] * np.exp(-lam * (qt[ok] - _T0))[:, None]
        return out

    def streak(self, m: pd.DataFrame, kind: str) -> np.ndarray:
        """Per row, the number of records of its key since the last contested one (a record
        with an abstention or a no), among the dates before the row's date; 0 for a key with
        no earlier record. On the event history this is the run of unanimous votes on the
        same agenda item: a routine renewal's record, whatever its age (no decay)."""
        out = np.zeros(len(m))
        h, hk, ht, cats = self._sorted(kind)
        if h.empty or len(m) == 0:
            return out
        broke = (h["n_abstain"].to_numpy(float) + h["n_no"].to_numpy(float)) > 0
        cum = pd.Series(h["n"].to_numpy(float)).groupby(hk).cumsum().to_numpy()
        # the cumulative count at the key's last contested record, carried forward
        at_break = pd.Series(np.where(broke, cum, np.nan)).groupby(hk).ffill().fillna(0.0).to_numpy()
        pos, ok = self._last_before(hk, ht, cats, m, kind)
        out[ok] = (cum - at_break)[pos[ok]]
        return out

    def prune(self, min_year: int) -> History:
        return History(self.table[self.table["year"] >= min_year].reset_index(drop=True),
                       self.half_life)

    def to_rows(self) -> list[list[Any]]:
        t = self.table
        return [[k, key, round(float(tt), 6), round(float(n), 4), round(float(a), 4),
                 round(float(no), 4)]
                for k, key, tt, n, a, no in zip(t["kind"], t["key"], t["t"], t["n"],
                                                t["n_abstain"], t["n_no"], strict=True)]

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]], half_life: float) -> History:
        t = pd.DataFrame(list(rows), columns=["kind", "key", "t", "n", "n_abstain", "n_no"])
        t["t"] = t["t"].astype(float)
        t["year"] = np.floor(t["t"]).astype(int)
        return cls(t[["kind", "key", "year", "t", "n", "n_abstain", "n_no"]], half_life)


def history_features(m: pd.DataFrame, hist: History, prior: Mapping[str, float],
                     kinds: Sequence[str], strength: float = 2.0) -> pd.DataFrame:
    """Smoothed rates as probit-scale features, one pair per key type.

    ``h_<kind>`` = probit of the smoothed non-yes rate minus the probit of the prior rate,
    ``hn_<kind>`` the same for the no rate (among all votes); ``w_<kind>`` = log1p(weight).
    """
    from scipy.special import ndtri

    p_non = float(prior["nonyes"])
    p_no = float(prior["no"])
    out = {}
    for kind in kinds:
        c = hist.query(m, kind)
        n, a, no = c[:, 0], c[:, 1], c[:, 2]
        r_non = (a + no + strength * p_non) / (n + strength)
        r_no = (no + strength * p_no) / (n + strength)
        out[f"h_{kind}"] = ndtri(np.clip(r_non, 1e-4, 1 - 1e-4)) - ndtri(p_non)
        out[f"hn_{kind}"] = ndtri(np.clip(r_no, 1e-4, 1 - 1e-4)) - ndtri(p_no)
        out[f"w_{kind}"] = np.log1p(n)
    return pd.DataFrame(out, index=m.index)

