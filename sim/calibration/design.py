"""From vote rows to model rows: event features, member features and sparse design keys.

Input rows follow the tidy layout of :func:`sim.io.records.load_sc_draft_votes` (columns
``event_id, date, year, member, sponsor, topic, agenda, category, region, draft``). Outcome
columns (``vote``, ``outcome``, ``adopted``) are never read here.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .features import (
    PERMANENT,
    SIDE,
    CovariateTable,
    PenholderHistory,
    is_amendment,
    lean,
    norm_key,
    parse_sponsors,
    sponsor_class,
)

YEAR0 = 2010.0
MEMBER_KINDS = ("m", "mt", "ma", "mc", "mtc", "t", "tc")
EVENT_KINDS = ("t", "tc", "ta", "c", "all")
NO_KINDS = ("m", "mt", "mc", "t")
#: Event-history keys whose run of unanimous votes is a feature of the event probit.
STREAK_KINDS = ("ta", "t")


def learn_topic_map(rows: pd.DataFrame) -> dict[str, str]:
    """agenda key -> most frequent topic key, from rows that have both."""
    ev = rows.drop_duplicates("event_id")
    a = ev["agenda"].map(norm_key)
    t = ev["topic"].map(norm_key)
    ok = a.notna() & t.notna()
    if not ok.any():
        return {}
    pairs = pd.DataFrame({"a": a[ok], "t": t[ok]})
    best = pairs.groupby("a")["t"].agg(lambda s: s.value_counts().index[0])
    return {str(k): str(v) for k, v in best.items()}


def event_table(rows: pd.DataFrame, topic_map: Mapping[str, str],
                history: PenholderHistory) -> tuple[pd.DataFrame, PenholderHistory]:
    """One row per event with pre-vote features; ``history`` is advanced in date order
    (a copy is returned) so a missing sponsor is imputed from earlier events only."""
    ev = rows.drop_duplicates("event_id").copy()
    ev["_ord"] = pd.to_datetime(ev["date"])
    ev = ev.sort_values(["_ord", "event_id"], kind="stable")
    hist = history.copy()
    kinds, spons, cls_obs, cls_eff, imputed, topics, agendas = [], [], [], [], [], [], []
    dists: list[tuple[tuple[str, float], ...]] = []
    for r in ev.itertuples(index=False):
        kind, s = parse_sponsors(r.sponsor)
        c = sponsor_class(kind, s)
        ak = norm_key(r.agenda)
        tk = norm_key(r.topic)
        if tk is None and ak is not None:
            tk = topic_map.get(ak, ak)
        amend = is_amendment(r.draft)
        eff, imp = c, False
        dist: tuple[tuple[str, float], ...] = ()
        if c == "unknown":
            guess = hist.impute(tk)
            if guess is not None:
                eff, imp, dist = guess, True, hist.distribution(tk)
        elif not amend:
            hist.add(tk, c)
        kinds.append(kind)
        spons.append(s)
        cls_obs.append(c)
        cls_eff.append(eff)
        imputed.append(imp)
        dists.append(dist)
        topics.append(tk if tk is not None else "none")
        agendas.append(ak if ak is not None else "none")
    out = pd.DataFrame({
        "event_id": ev["event_id"].to_numpy(),
        "date": ev["date"].to_numpy(),
        "year": ev["year"].astype(int).to_numpy(),
        "sponsors": spons,
        "cls_obs": cls_obs,
        "cls": cls_eff,
        "imputed": imputed,
        "cls_dist": dists,
        "topic_key": topics,
        "agenda_key": agendas,
        "category": ev["category"].map(lambda x: norm_key(x) or "none").to_numpy(),
        "region": ev["region"].map(lambda x: norm_key(x) or "none").to_numpy(),
        "amend": ev["draft"].map(is_amendment).to_numpy(),
    })
    out["n_same"], out["rival"] = _same_day(out)
    return out, hist


def _same_day(ev: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Competing drafts: log1p(number of other drafts (not amendments) on the same agenda
    item put to the vote the same day), and whether one of them comes from the opposite
    side (Western P3 versus Russia/China). Known before the vote (the day's programme);
    no outcome is used."""
    day = pd.to_datetime(ev["date"], errors="coerce").dt.strftime("%Y-%m-%d").fillna("?")
    key = (day + "|" + ev["agenda_key"].astype(str)).to_numpy()
    amend = ev["amend"].to_numpy(bool)
    cls = ev["cls"].astype(str).to_numpy()
    n = np.zeros(len(ev))
    rival = np.zeros(len(ev))
    for _k, idx in pd.Series(np.arange(len(ev))).groupby(key).indices.items():
        if len(idx) < 2 or key[idx[0]].endswith("|none"):
            continue
        drafts = idx[~amend[idx]]
        for i in idx:
            others = drafts[drafts != i]
            n[i] = np.log1p(len(others))
            oc = set(cls[others])
            rival[i] = float((cls[i] == "western" and "ru_cn" in oc)
                             or (cls[i] == "ru_cn" and "western" in oc))
    return n, rival


def member_rows(rows: pd.DataFrame, events: pd.DataFrame, covs: CovariateTable) -> pd.DataFrame:
    """Rows of (event, member) with member covariates and member-sponsor alignment."""
    m = rows[["event_id", "member"]].merge(events, on="event_id", how="left")
    cov = covs.lookup(list(m["member"]), list(m["year"]))
    m["perm"] = m["member"].isin(PERMANENT).astype(float)
    m["group"] = [covs.group(x) for x in m["member"]]
    for k, c in enumerate(("ideal", "us_agree", "ru_agree", "cn_agree")):
        m[c] = cov[:, k]
    m["lean"] = lean(cov)
    # sponsor lean: mean lean of the sponsors (GA covariates of the same year)
    sp_lean: dict[tuple[str, int], float] = {}
    for e in events.itertuples(index=False):
        if e.sponsors:
            sl = lean(covs.lookup(sorted(e.sponsors), [e.year] * len(e.sponsors)))
            sp_lean[(e.event_id, e.year)] = float(np.mean(sl))
    m["sp_lean"] = [sp_lean.get((a, b), np.nan) for a, b in zip(m["event_id"], m["year"],
                                                                  strict=True)]
    m["is_sponsor"] = [mem in s for mem, s in zip(m["member"], m["sponsors"], strict=True)]
    m["side"] = m["cls"].map(lambda c: SIDE.get(c, 0.0)).astype(float)
    m["t"] = (m["year"].astype(float) - YEAR0) / 10.0
    return m


class _LongDesign:
    """Collects the entries (row, key, value, block) of a long sparse design matrix."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.idx = np.arange(n)
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, str]] = []

    def add(self, keys: np.ndarray | str, val: np.ndarray, block: str) -> None:
        """One column: a key per row (or one key for all) with its values, in a penalty block."""
        k = np.full(self.n, keys, dtype=object) if isinstance(keys, str) else keys.astype(object)
        self.parts.append((self.idx, k, val, block))

    def cat(self, *cols: np.ndarray | str) -> np.ndarray:
        """Row-wise concatenation of strings and string columns into keys."""
        out = np.full(self.n, "", dtype=object)
        for c in cols:
            out = out + (c if isinstance(c, str) else c.astype(object))
        return out

    def frame(self) -> pd.DataFrame:
        frames = [pd.DataFrame({"row": i, "key": k, "value": v, "block": b}) for i, k, v, b in self.parts]
        d = pd.concat(frames, ignore_index=True)
        return d[d["value"] != 0.0].reset_index(drop=True)


def _member_columns(m: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """The member rows' columns both member probits use: member, class, topic key (strings),
    permanent, lean, side (floats) and a column of ones."""
    return (
        m["member"].astype(str).to_numpy(),
        m["cls"].astype(str).to_numpy(),
        m["topic_key"].astype(str).to_numpy(),
        m["perm"].to_numpy(float),
        m["lean"].to_numpy(float),
        m["side"].to_numpy(float),
        np.ones(len(m)),
    )


def yes_keys(m: pd.DataFrame) -> pd.DataFrame:
    """Long design (row, key, value, block) of the P(yes) probit."""
    mem, cls, top, perm, ln, side, ones = _member_columns(m)
    sp = m["sp_lean"].to_numpy(float)
    has_sp = np.isfinite(sp)
    spz = np.where(has_sp, sp, 0.0)
    t = m["t"].to_numpy(float)
    amend = m["amend"].to_numpy(bool).astype(float)
    imp = m["imputed"].to_numpy(bool).astype(float)
    out = _LongDesign(len(m))
    add, cat = out.add, out.cat

    add("1", ones, "intercept")
    add("perm", perm, "fixed")
    add(cat("g:", m["group"].astype(str).to_numpy()), ones, "group")
    for c in ("ideal", "us_agree", "ru_agree", "cn_agree"):
        add(f"cov:{c}", m[c].to_numpy(float), "cov")
    add(cat("m:", mem), ones, "member")
    add(cat("c:", cls), ones, "class")
    add(cat("c:", cls, ":lean"), ln, "class_cov")
    add(cat("c:", cls, ":perm"), perm, "class_cov")
    add(cat("i:", cls), imp, "class_cov")
    add(cat("mc:", mem, ":", cls), ones, "member_class")
    add(cat("mt:", mem, ":", top), ones, "member_topic")
    add("sponsor", m["is_sponsor"].to_numpy(bool).astype(float), "fixed")
    add("align", np.where(has_sp, ln * spz, 0.0), "fixed")
    add("dist", np.where(has_sp, np.abs(ln - spz), 0.0), "fixed")
    add(cat("dist:", cls), np.where(has_sp, np.abs(ln - spz), 0.0), "class_cov")
    add("amend", amend, "fixed")
    add(cat("amend:", cls), amend, "class_cov")
    add(cat("same:", cls, ":lean"), m["n_same"].to_numpy(float) * ln, "class_cov")
    add(cat("same:", cls, ":perm"), m["n_same"].to_numpy(float) * perm, "class_cov")
    add("amend:perm", amend * perm, "class_cov")
    add(cat("cat:", m["category"].astype(str).to_numpy()), ones, "topic")
    add(cat("reg:", m["region"].astype(str).to_numpy()), ones, "topic")
    add(cat("t:", top), ones, "topic")
    add(cat("tl:", top), ln * side, "topic_class")
    add(cat("tc:", top, ":", cls), ones, "topic_sponsor")
    for kind in MEMBER_KINDS:
        h = m[f"h_{kind}"].to_numpy(float)
        add(f"H:{kind}", h, "hist")
        add(f"HP:{kind}", h * perm, "hist_int")
        add(f"HW:{kind}", h * m[f"w_{kind}"].to_numpy(float), "hist_int")
    add("yr", t, "trend")
    return out.frame()


def no_keys(m: pd.DataFrame) -> pd.DataFrame:
    """Long design of the P(no | not yes) probit (no versus abstain)."""
    mem, cls, top, perm, ln, side, ones = _member_columns(m)
    out = _LongDesign(len(m))
    add, cat = out.add, out.cat

    add("1", ones, "intercept")
    add("perm", perm, "fixed")
    add("lean_side", ln * side, "fixed")
    add("amend", m["amend"].to_numpy(bool).astype(float), "fixed")
    add(cat("m:", mem), ones, "member")
    add(cat("c:", cls), ones, "class")
    add(cat("c:", cls, ":perm"), perm, "class_cov")
    add(cat("mc:", mem, ":", cls), ones, "member_class")
    add(cat("t:", top), ones, "topic")
    add(cat("mt:", mem, ":", top), ones, "member_topic")
    for kind in NO_KINDS:
        add(f"H:{kind}", m[f"h_{kind}"].to_numpy(float), "hist")
        add(f"HN:{kind}", m[f"hn_{kind}"].to_numpy(float), "hist")
    return out.frame()


def event_keys(ev: pd.DataFrame) -> pd.DataFrame:
    """Long design of the event-level P(contested) probit (one row per event)."""
    n = len(ev)
    cls = ev["cls"].astype(str).to_numpy()
    top = ev["topic_key"].astype(str).to_numpy()
    amend = ev["amend"].to_numpy(bool).astype(float)
    imp = ev["imputed"].to_numpy(bool).astype(float)
    ones = np.ones(n)
    out = _LongDesign(n)
    add, cat = out.add, out.cat

    add("1", ones, "intercept")
    add(cat("c:", cls), ones, "class")
    add(cat("i:", cls), imp, "class")
    add("amend", amend, "fixed")
    add("n_sponsors", np.log1p(ev["sponsors"].map(len).to_numpy(float)), "fixed")
    add("n_same", ev["n_same"].to_numpy(float), "fixed")
    add("rival", ev["rival"].to_numpy(float), "fixed")
    add(cat("n_same:", cls), ev["n_same"].to_numpy(float), "class")
    add(cat("cat:", ev["category"].astype(str).to_numpy()), ones, "topic")
    add(cat("reg:", ev["region"].astype(str).to_numpy()), ones, "topic")
    add(cat("t:", top), ones, "topic")
    for kind in STREAK_KINDS:
        add(f"S:{kind}", ev[f"streak_{kind}"].to_numpy(float), "streak")
    for kind in ("mt", "mtc", "mc"):
        add(f"MX:{kind}", ev[f"mx_{kind}"].to_numpy(float), "hist")
        add(f"MEAN:{kind}", ev[f"mean_{kind}"].to_numpy(float), "hist")
    for kind in EVENT_KINDS:
        h = ev[f"h_{kind}"].to_numpy(float)
        add(f"H:{kind}", h, "hist")
        add(f"HN:{kind}", ev[f"hn_{kind}"].to_numpy(float), "hist")
        add(f"HW:{kind}", h * ev[f"w_{kind}"].to_numpy(float), "hist_int")
        add(cat(f"HC:{kind}:", cls), h, "hist_int")
    return out.frame()
