"""Draft-level and member-level features known before a vote (pure functions).

* sponsor parsing ("Submitted by" text -> set of ISO3 codes) and the sponsor class;
* topic / agenda keys;
* the GA covariates of a member for a given year (with a regional-group prior when missing);
* imputation of a missing sponsor class from the penholder history of the topic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.scenario.names import PERMANENT_NOW, try_resolve

P3 = frozenset({"USA", "GBR", "FRA"})
RUCN = frozenset({"RUS", "CHN"})
PERMANENT = frozenset(PERMANENT_NOW)

#: Sponsor classes. ``western``: P3 among sponsors, not Russia/China; ``ru_cn``: Russia or
#: China, no P3; ``broad``: both sides co-sponsor; ``elected``: only non-permanent sponsors;
#: ``president``: a presidential/institutional text; ``unknown``: not recorded.
CLASSES = ("western", "ru_cn", "broad", "elected", "president", "unknown")
SIDE = {"western": 1.0, "ru_cn": -1.0}
COV_COLUMNS = ("ideal", "us_agree", "ru_agree", "cn_agree")

_CLEAN = re.compile(r"_x000D_|\s+")
_PAREN = re.compile(r"\(\s*\d+\s*\)")


def _clean_text(text: str) -> str:
    return _CLEAN.sub(" ", _PAREN.sub(" ", text)).strip()


def parse_sponsors(text: object) -> tuple[str, frozenset[str]]:
    """(kind, ISO3 sponsors) from a 'Submitted by' text or a country name.

    kind is ``president`` (a presidential or committee text), ``unknown`` (missing or
    unparseable) or ``states`` (at least one state resolved).
    """
    if not isinstance(text, str) or not text.strip():
        return "unknown", frozenset()
    t = _clean_text(text)
    low = t.lower()
    if "president" in low or "committee" in low:
        return "president", frozenset()
    if low in {"-none-", "none", "nan"}:
        return "unknown", frozenset()
    found: set[str] = set()
    for tok in re.split(r"[,;]", t):
        tok = tok.strip().strip(".").strip()
        if not tok:
            continue
        code = _resolve_token(tok)
        if code is not None:
            found.add(code)
            continue
        # "Mexico and the United Kingdom", "the Russian Federation and the Syrian Arab Republic"
        for part in re.split(r"\band\b", tok):
            c = _resolve_token(part)
            if c is not None:
                found.add(c)
    if not found:
        return "unknown", frozenset()
    return "states", frozenset(found)


def _resolve_token(tok: str) -> str | None:
    tok = tok.strip().strip(".").strip()
    if tok.lower().startswith("the "):
        tok = tok[4:]
    if not tok:
        return None
    code = try_resolve(tok)
    if code is None and tok.lower().startswith("united king"):
        code = "GBR"
    return code


def sponsor_class(kind: str, sponsors: Iterable[str]) -> str:
    """Class of a draft from its parsed sponsors (see :data:`CLASSES`)."""
    if kind != "states":
        return kind
    s = set(sponsors)
    w, r = bool(s & P3), bool(s & RUCN)
    if w and r:
        return "broad"
    if w:
        return "western"
    if r:
        return "ru_cn"
    return "elected"


def norm_key(text: object) -> str | None:
    """Normalised topic/agenda key (None when missing)."""
    if not isinstance(text, str) or not text.strip():
        return None
    t = _clean_text(text).lower()
    t = t.replace("incl.", "including").replace("inc.", "including")
    t = re.sub(r"[’'`]", "", t)
    t = re.sub(r"[^a-z0-9/()]+", " ", t).strip()
    t = re.sub(r"^(the )?(situation|question) (in|concerning|of|on) (the )?", "", t)
    # "middle east including the palestinian question" = "... including palestinian ..."
    t = re.sub(r"\b(the|of)\b", " ", t)
    t = re.sub(r"\s+", " ", t).strip()
    t = t.replace("sitution", "situation")
    return t or None


def is_amendment(draft: object) -> bool:
    return isinstance(draft, str) and ("amend" in draft.lower())


@dataclass(frozen=True)
class CovariateTable:
    """GA covariates per (member, year) with a regional-group fallback."""

    table: pd.DataFrame  # member, year, ideal, us_agree, ru_agree, cn_agree, group
    group_of: Mapping[str, str]
    group_means: Mapping[str, tuple[float, ...]]
    overall: tuple[float, ...]

    @classmethod
    def build(cls, cov: pd.DataFrame) -> CovariateTable:
        t = cov.dropna(subset=["member", "year"]).copy()
        t["year"] = t["year"].astype(int)
        group_of = {
            str(m): str(g) for m, g in
            t.dropna(subset=["group"]).groupby("member")["group"].first().items()
        }
        recent = t[t["year"] >= t["year"].max() - 10] if len(t) else t
        overall = tuple(float(recent[c].mean()) if len(recent) else 0.0 for c in COV_COLUMNS)
        gm: dict[str, tuple[float, ...]] = {}
        for g, d in recent.dropna(subset=["group"]).groupby("group"):
            gm[str(g)] = tuple(float(d[c].mean()) for c in COV_COLUMNS)
        return cls(t.sort_values(["member", "year"]).reset_index(drop=True), group_of, gm,
                   overall)

    def lookup(self, members: Sequence[str], years: Sequence[int]) -> np.ndarray:
        """(n, 4) covariates of ``members`` for votes in ``years``.

        Uses the latest GA session that opened at most in year-2 (so it ended before the
        vote's year began); missing values fall back to the member's regional-group mean,
        then to the overall mean.
        """
        pairs = list(zip(members, (int(y) for y in years), strict=True))
        cache: dict[tuple[str, int], np.ndarray] = {}
        out = np.empty((len(pairs), len(COV_COLUMNS)))
        for k, key in enumerate(pairs):
            v = cache.get(key)
            if v is None:
                v = cache[key] = self._one(*key)
            out[k] = v
        return out

    def _one(self, member: str, year: int) -> np.ndarray:
        if not hasattr(self, "_by_member"):
            object.__setattr__(self, "_by_member", {
                str(m): (d["year"].to_numpy(int), d[list(COV_COLUMNS)].to_numpy(float))
                for m, d in self.table.groupby("member")})
        fallback = np.array(self.group_means.get(self.group_of.get(member, ""), self.overall))
        got = self._by_member.get(member)  # type: ignore[attr-defined]
        if got is None:
            return fallback
        yrs, vals = got
        ok = np.flatnonzero(yrs <= year - 2)
        if not ok.size:
            return fallback
        row = vals[ok[-1]]
        return np.where(np.isfinite(row), row, fallback)

    def group(self, member: str) -> str:
        return self.group_of.get(member, "none")


def lean(cov: np.ndarray) -> np.ndarray:
    """West-vs-(Russia, China) lean from GA agreement: us_agree - mean(ru, cn) agreement."""
    return cov[:, 1] - 0.5 * (cov[:, 2] + cov[:, 3])


@dataclass
class PenholderHistory:
    """Recent known sponsor classes per topic, to impute a missing sponsor."""

    recent: dict[str, list[str]]
    depth: int = 3

    @classmethod
    def empty(cls) -> PenholderHistory:
        return cls({})

    def impute(self, topic: str | None) -> str | None:
        if topic is None or not self.recent.get(topic):
            return None
        counts = Counter(self.recent[topic])
        best = max(counts.values())
        for c in reversed(self.recent[topic]):  # most recent among the most frequent
            if counts[c] == best:
                return c
        return None

    def distribution(self, topic: str | None, prior_weight: float = 1.0,
                     ) -> tuple[tuple[str, float], ...]:
        """P(sponsor class) of a draft with an unknown sponsor on ``topic``: the topic's
        recent known classes, smoothed toward the classes recorded across all topics."""
        pooled = Counter(c for lst in self.recent.values() for c in lst)
        total = sum(pooled.values())
        if not total:
            return ()
        own = Counter(self.recent.get(topic or "", []))
        n_own = sum(own.values())
        probs = {c: (own.get(c, 0) + prior_weight * k / total) / (n_own + prior_weight)
                 for c, k in pooled.items()}
        return tuple(sorted(probs.items(), key=lambda kv: (-kv[1], kv[0])))

    def add(self, topic: str | None, cls: str) -> None:
        if topic is None or cls == "unknown":
            return
        lst = self.recent.setdefault(topic, [])
        lst.append(cls)
        del lst[: max(0, len(lst) - self.depth)]

    def copy(self) -> PenholderHistory:
        return PenholderHistory({k: list(v) for k, v in self.recent.items()}, self.depth)
