"""A calibrated forecast of each member's vote in a General Assembly recorded vote (issue 15).

Each member's P(yes), P(abstain), P(no), P(absent) is a smoothed mixture of how it voted the
last times the same (or a similar) text came to a vote and its own recency-weighted base rates,
with a floor. Every feature of a vote on day d is computed from records dated strictly before d;
the few parameters are fitted by maximum likelihood on earlier votes (the backtest fits them on
the years before the test year). The model and its fit are written out in docs/assembly-backtest.md.

Only :func:`load_vote_table` reads files; everything else computes on a :class:`VoteTable`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, special

from sim.assembly.membership import members_on
from sim.errors import InputError
from sim.scenario.names import resolve, try_resolve

__all__ = [
    "CATEGORIES",
    "HALF_LIVES",
    "NOT_MEMBER",
    "SPONSOR_FILES",
    "Features",
    "ModelParams",
    "Precedents",
    "SponsorLists",
    "VoteTable",
    "build_features",
    "choice_log_loss",
    "find_precedents",
    "fit_model",
    "forecast",
    "load_sponsors",
    "load_vote_table",
    "normalize_title",
    "onehot",
    "sponsor_codes",
    "sponsor_matrix",
    "yes_count_distribution",
    "yes_count_interval",
]

#: The four outcomes of a member in a recorded vote, in the order of every probability array.
CATEGORIES: tuple[str, ...] = ("yes", "abstain", "no", "absent")
#: The code in :attr:`VoteTable.choices` of a state that was not a member on the vote's day.
NOT_MEMBER = -1
_CODES = {"Y": 0, "A": 1, "N": 2}
_YEAR = 365.25
_STOP = frozenset(("a", "an", "and", "the", "of", "on", "in", "to", "for", "by", "with", "from", "its", "at", "as",
                   "or", "all", "other", "united", "nations"))

#: The UN Digital Library's tail on the unvotes titles: "Title : resolution / adopted by the General Assembly".
_DL_SUFFIX = r"\s*:\s*(?:draft\s+)?resolution\s*/.*$"

UNXML = "unxml_ga_recorded_votes_2019_2023_long.csv.gz"
UNVOTES = ("unvotes_un_roll_calls.csv.gz", "unvotes_un_votes.csv.gz")
#: The UNxml extracts (one JSON object per adopted resolution, with its ``sponsors``).
SPONSOR_FILES = "unxml_ga_extract_*.jsonl.gz"
#: A group's chair: "CUBA (ON BEHALF OF THE STATES ... GROUP OF 77 AND CHINA)" -> CUBA.
_ON_BEHALF = re.compile(r"\s*[,(]\s*on behalf of\b.*$", re.IGNORECASE | re.DOTALL)
#: Drafts that no state submitted: a committee, its chair or rapporteur, the President.
_NOT_A_STATE = re.compile(r"^\s*(submitted by|on the basis of)\b", re.IGNORECASE)


@dataclass(frozen=True)
class VoteTable:
    """Recorded votes in date order: ``choices[v, i]`` is member i's outcome in vote v.

    Outcomes index :data:`CATEGORIES` (0 yes, 1 abstain, 2 no, 3 absent); :data:`NOT_MEMBER`
    marks a state that was not a member that day. ``yes_counts`` are the yes votes recorded.
    """

    vote_ids: tuple[str, ...]
    dates: NDArray[np.datetime64]
    titles: tuple[str, ...]
    members: tuple[str, ...]
    choices: NDArray[np.int8]

    def __post_init__(self) -> None:
        n = len(self.vote_ids)
        if self.choices.shape != (n, len(self.members)):
            raise InputError("choices", f"must have shape (votes, members) = {(n, len(self.members))}, "
                             f"got {self.choices.shape}")
        if len(self.dates) != n or len(self.titles) != n:
            raise InputError("dates", "vote_ids, dates and titles must have the same length")
        if n and np.any(np.diff(self.dates.astype("datetime64[D]").astype(np.int64)) < 0):
            raise InputError("dates", "votes must be in date order")
        if not np.isin(self.choices, (NOT_MEMBER, 0, 1, 2, 3)).all():
            raise InputError("choices", "outcomes must be -1 (not a member) or 0..3")

    @property
    def days(self) -> NDArray[np.int64]:
        """The votes' dates as day numbers."""
        return self.dates.astype("datetime64[D]").astype(np.int64)

    @property
    def years(self) -> NDArray[np.int64]:
        """The votes' calendar years."""
        return self.dates.astype("datetime64[Y]").astype(np.int64) + 1970

    @property
    def yes_counts(self) -> NDArray[np.int64]:
        """How many members voted yes in each vote."""
        return np.asarray((self.choices == 0).sum(axis=1), dtype=np.int64)

    def select(self, rows: NDArray[np.bool_] | NDArray[np.int64]) -> VoteTable:
        """The votes at ``rows`` (a mask or sorted indices), same members."""
        idx = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows)
        return VoteTable(tuple(self.vote_ids[i] for i in idx), self.dates[idx],
                         tuple(self.titles[i] for i in idx), self.members, self.choices[idx])


def normalize_title(title: str) -> str:
    """A title's matching key: lower case, ASCII, no punctuation, digits or stop words."""
    text = "".join(c if c.isascii() else " " for c in unicodedata.normalize("NFKD", str(title))
                   if not unicodedata.combining(c))
    words = re.sub(r"[^a-z]+", " ", text.lower()).split()
    return " ".join(w for w in words if w not in _STOP)


def onehot(choices: NDArray[np.int8]) -> NDArray[np.float64]:
    """(..., 4) indicators of the outcomes; all zero where the state was not a member."""
    out = np.zeros((*choices.shape, len(CATEGORIES)))
    for c in range(len(CATEGORIES)):
        out[..., c] = choices == c
    return out


def load_vote_table(data: Path, start: dt.date = dt.date(2012, 1, 1)) -> VoteTable:
    """The Assembly's recorded votes on resolutions from ``start`` to the data's cut-off.

    UNxml (2019-11 on) gives the votes from its first day; before that, the unvotes roll calls
    (Voeten), without votes on amendments or paragraphs. A member on the day (sim.assembly.
    membership) in none of the vote's lists counts as absent, in both sources.
    """
    unxml = pd.read_csv(data / UNXML, dtype={"session_file": str})
    unxml = unxml.assign(code=[resolve(n) for n in unxml["member_state"]], vote=unxml["vote"].map(_CODES))
    first = str(unxml["date"].min())
    calls = pd.read_csv(data / UNVOTES[0])
    calls = calls[(calls["date"] >= start.isoformat()) & (calls["date"] < first)
                  & (calls["amend"].fillna(0) != 1) & (calls["para"].fillna(0) != 1)]
    cast = pd.read_csv(data / UNVOTES[1])
    cast = cast[cast["rcid"].isin(calls["rcid"])]
    names = {n: resolve(n) for n in cast["country"].unique()}
    old = cast.assign(code=cast["country"].map(names),
                      vote=cast["vote"].map({"yes": 0, "abstain": 1, "no": 2}),
                      symbol="rcid:" + cast["rcid"].astype(str))
    calls = calls.assign(title=calls["short"].fillna(calls["descr"]).fillna("").astype(str)
                         .str.replace(_DL_SUFFIX, "", regex=True).str.strip())
    old = old.merge(calls[["rcid", "date", "title"]], on="rcid")
    long = pd.concat([old[["symbol", "date", "title", "code", "vote"]],
                      unxml[["symbol", "date", "title", "code", "vote"]]], ignore_index=True)
    events = long.drop_duplicates("symbol")[["symbol", "date", "title"]].sort_values(["date", "symbol"], kind="stable")
    members = tuple(sorted({c for d in events["date"].unique() for c in members_on(dt.date.fromisoformat(d))}))
    col = {c: i for i, c in enumerate(members)}
    row = {s: i for i, s in enumerate(events["symbol"])}
    choices = np.full((len(events), len(members)), NOT_MEMBER, dtype=np.int8)
    for i, d in enumerate(events["date"]):
        choices[i, [col[c] for c in members_on(dt.date.fromisoformat(d))]] = 3
    long = long[long["code"].isin(col)]
    choices[long["symbol"].map(row).to_numpy(), long["code"].map(col).to_numpy()] = long["vote"].to_numpy()
    return VoteTable(tuple(events["symbol"]), events["date"].to_numpy().astype("datetime64[D]"),
                     tuple(str(t).strip() for t in events["title"]), members, choices)


@dataclass(frozen=True)
class SponsorLists:
    """The sponsors of the drafts of adopted resolutions: ``by_symbol[symbol]`` is the set of member
    codes that submitted it (empty when no state did: a committee's draft); ``unresolved`` lists, one
    (symbol, name) per occurrence, the names in the lists that resolve to no state (:func:`sponsor_codes`)."""

    by_symbol: Mapping[str, frozenset[str]]
    unresolved: tuple[tuple[str, str], ...] = ()


def sponsor_codes(names: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The member codes of a draft's sponsor list, and the names that resolve to none.

    A group's chair submitting on its behalf ("CUBA (ON BEHALF OF ... THE GROUP OF 77 AND CHINA)")
    counts as that state alone (the group is not expanded); a draft submitted by a committee, its
    chair or the President ("SUBMITTED BY ...", "ON THE BASIS OF ...") has no state among them."""
    codes: set[str] = set()
    unresolved: list[str] = []
    for name in names:
        if _NOT_A_STATE.match(str(name)):
            continue
        code = try_resolve(_ON_BEHALF.sub("", str(name)).strip())
        if code is None:
            unresolved.append(str(name))
        else:
            codes.add(code)
    return frozenset(codes), tuple(unresolved)


def load_sponsors(data: Path) -> SponsorLists:
    """The original sponsors of each resolution in the UNxml extracts (:data:`SPONSOR_FILES`).

    Only ``sponsors``, the states that submitted the draft, published with it before the vote;
    ``additional_sponsors`` are not read: states join them up to and at the vote, and the
    resolution's final list does not say which joined before it. No file, no sponsors (an empty
    mapping): every vote's sponsors are then unknown."""
    by_symbol: dict[str, frozenset[str]] = {}
    unresolved: list[tuple[str, str]] = []
    for path in sorted(Path(data).glob(SPONSOR_FILES)):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for k, line in enumerate(fh):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    symbol, names = str(record["symbol"]).strip(), record.get("sponsors") or []
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise InputError("symbol", f"line {k + 1} is not a JSON object with a symbol",
                                     str(path)) from None
                if not isinstance(names, list):
                    raise InputError("sponsors", f"line {k + 1}: must be a list of names", str(path))
                codes, bad = sponsor_codes(names)
                by_symbol[symbol] = codes
                unresolved.extend((symbol, name) for name in bad)
    return SponsorLists(by_symbol, tuple(unresolved))


@dataclass(frozen=True)
class Precedents:
    """For each vote, the earlier votes it repeats.

    ``exact[v]`` holds up to ``depth`` earlier votes with the same normalized title, latest
    first (-1 pads); ``similar[v]`` is, when there is no exact one, the earlier vote whose title
    shares the most words (Jaccard >= threshold; latest on ties), with ``similarity``.
    """

    exact: NDArray[np.int64]
    similar: NDArray[np.int64]
    similarity: NDArray[np.float64]


def find_precedents(table: VoteTable, threshold: float = 0.5, depth: int = 3,
                    usable: NDArray[np.bool_] | None = None) -> Precedents:
    """Each vote's precedents among votes dated strictly before it.

    ``usable`` (default: all) marks the votes that may serve as precedents: a forecast's own
    targets, whose outcomes are unknown, are not (sim.assembly.predict)."""
    if usable is not None and np.shape(usable) != (len(table.vote_ids),):
        raise InputError("usable", f"must have one flag per vote ({len(table.vote_ids)}), got {np.shape(usable)}")
    if not 0.0 < threshold <= 1.0:
        raise InputError("threshold", f"must be in (0, 1], got {threshold}")
    if depth < 1:
        raise InputError("depth", f"must be at least 1, got {depth}")
    keys = [normalize_title(t) for t in table.titles]
    vocab: dict[str, int] = {}
    words = [{vocab.setdefault(w, len(vocab)) for w in k.split()} for k in keys]
    bag = np.zeros((len(keys), max(len(vocab), 1)))
    for i, ws in enumerate(words):
        bag[i, list(ws)] = 1.0
    inter = bag @ bag.T
    size = bag.sum(axis=1)
    jaccard = inter / np.maximum(size[:, None] + size[None, :] - inter, 1.0)
    days = table.days
    n = len(keys)
    exact = np.full((n, depth), -1, dtype=np.int64)
    similar = np.full(n, -1, dtype=np.int64)
    similarity = np.zeros(n)
    for v in range(n):
        before = np.flatnonzero((days < days[v]) if usable is None else (days < days[v]) & usable)
        same = [int(k) for k in before[::-1] if keys[k] == keys[v]][:depth]
        exact[v, : len(same)] = same
        if not same and before.size:
            s = jaccard[v, before]
            best = before[::-1][np.argmax(s[::-1])]  # the latest of the most similar
            if jaccard[v, best] >= threshold:
                similar[v], similarity[v] = best, jaccard[v, best]
    return Precedents(exact, similar, similarity)


def decayed_counts(table: VoteTable, targets: NDArray[np.int64], half_life_years: float) -> NDArray[np.float64]:
    """(targets, members, 4) outcome counts over votes dated before each target, halved every half-life."""
    days = table.days
    age = (days[targets][:, None] - days[None, :]) / _YEAR
    weight = np.where(age > 0, 0.5 ** (np.maximum(age, 0.0) / half_life_years), 0.0)
    return np.einsum("tk,kmc->tmc", weight, onehot(table.choices))


@dataclass(frozen=True)
class Features:
    """What the model knows of each target vote before its day (arrays over targets x members x 4)."""

    targets: NDArray[np.int64]
    base: dict[float, NDArray[np.float64]]  # half-life -> recency-weighted counts
    precedent: NDArray[np.float64]  # (t, m, depth, 4) the member's outcome at each exact precedent
    depth_mask: NDArray[np.bool_]  # (t, depth) which exact precedents exist
    similar: NDArray[np.float64]  # (t, m, 4) the outcome at the similar precedent
    has_similar: NDArray[np.bool_]  # (t,)
    age_years: NDArray[np.float64]  # (t,) years since the latest precedent (0 if none)
    member: NDArray[np.bool_]  # (t, m) a member on the day
    #: (t, m) 1 where the member sponsors the draft, 0 where it does not, -1 where the draft's
    #: sponsors are unknown (every vote before UNxml, 2019-11)
    sponsor: NDArray[np.int8]

    def take(self, index: NDArray[np.int64] | list[int]) -> Features:
        """The features of the targets at positions ``index``."""
        i = np.asarray(index, dtype=np.int64)
        return Features(self.targets[i], {h: b[i] for h, b in self.base.items()}, self.precedent[i],
                        self.depth_mask[i], self.similar[i], self.has_similar[i], self.age_years[i], self.member[i],
                        self.sponsor[i])


HALF_LIVES: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0)


def sponsor_matrix(table: VoteTable, targets: NDArray[np.int64],
                   sponsors: Mapping[str, frozenset[str]] | None) -> NDArray[np.int8]:
    """(targets, members): 1 sponsor, 0 not a sponsor, -1 unknown (the vote's symbol is not in
    ``sponsors``, or there are none). Codes that are not among the table's members are left out."""
    out = np.full((len(targets), len(table.members)), -1, dtype=np.int8)
    if not sponsors:
        return out
    col = {c: i for i, c in enumerate(table.members)}
    for t, v in enumerate(targets):
        codes = sponsors.get(table.vote_ids[v])
        if codes is not None:
            out[t] = 0
            out[t, [col[c] for c in codes if c in col]] = 1
    return out


def build_features(table: VoteTable, targets: NDArray[np.int64], precedents: Precedents,
                   half_lives: tuple[float, ...] = HALF_LIVES,
                   sponsors: Mapping[str, frozenset[str]] | None = None) -> Features:
    """The features of the votes at ``targets`` from ``precedents`` and earlier votes only, and
    the drafts' ``sponsors`` (symbol -> member codes, :attr:`SponsorLists.by_symbol`) where known."""
    targets = np.asarray(targets, dtype=np.int64)
    hot = onehot(table.choices)
    exact = precedents.exact[targets]
    mask = exact >= 0
    precedent = np.where(mask[:, None, :, None], hot[np.maximum(exact, 0)].transpose(0, 2, 1, 3), 0.0)
    sim_idx = precedents.similar[targets]
    has_similar = sim_idx >= 0
    similar = np.where(has_similar[:, None, None], hot[np.maximum(sim_idx, 0)], 0.0)
    latest = np.where(mask[:, 0], exact[:, 0], sim_idx)
    days = table.days
    age = np.where(latest >= 0, (days[targets] - days[np.maximum(latest, 0)]) / _YEAR, 0.0)
    base = {h: decayed_counts(table, targets, h) for h in half_lives}
    return Features(targets, base, precedent, mask, similar, has_similar, age, table.choices[targets] != NOT_MEMBER,
                    sponsor_matrix(table, targets, sponsors))


@dataclass(frozen=True)
class ModelParams:
    """The model's parameters (docs/assembly-backtest.md, "The model").

    The precedent's weight is ``sigmoid(alpha + age_slope * years since it)``, with ``alpha_exact``
    for a same-title precedent and ``alpha_similar`` for a similar one; earlier same-title votes
    count ``depth_decay`` times the next; base rates are recency-weighted counts (``half_life_years``)
    shrunk toward the Assembly's with ``prior_weight`` pseudo-votes; ``floor`` is mixed in uniformly.
    The choice among yes/abstain/no and presence are mixed apart: P(absent) is the base rate's,
    moved ``expit(alpha_absent)`` of the way to the absences at the precedents. A member that
    sponsors the draft has its odds of yes (against abstain or no, when present) multiplied by
    ``exp(sponsor_yes)`` and its odds of absence by ``exp(sponsor_absent)``; where the sponsors
    are unknown nothing changes (and with both at 0 the model is the one without sponsors).
    """

    alpha_exact: float = 2.0
    alpha_similar: float = 0.0
    age_slope: float = -0.5
    depth_decay: float = 0.3
    prior_weight: float = 2.0
    floor: float = 0.01
    alpha_absent: float = -2.0
    half_life_years: float = 1.0
    sponsor_yes: float = 0.0
    sponsor_absent: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


def base_rates(counts: NDArray[np.float64], member: NDArray[np.bool_], prior_weight: float) -> NDArray[np.float64]:
    """Each member's smoothed rates: its counts plus ``prior_weight`` votes at the Assembly's rates."""
    assembly = counts.sum(axis=1, keepdims=True)
    assembly = (assembly + 1.0) / (assembly.sum(axis=-1, keepdims=True) + len(CATEGORIES))
    rates = (counts + prior_weight * assembly) / (counts.sum(axis=-1, keepdims=True) + prior_weight)
    return np.where(member[..., None], rates, 0.0)


def forecast(features: Features, params: ModelParams) -> NDArray[np.float64]:
    """(targets, members, 4) probabilities; rows of non-members are zero."""
    if params.half_life_years not in features.base:
        raise InputError("half_life_years", f"features were built for half-lives {sorted(features.base)}, "
                         f"not {params.half_life_years}")
    if not 0.0 < params.floor < 1.0:
        raise InputError("floor", f"must be in (0, 1), got {params.floor}")
    base = base_rates(features.base[params.half_life_years], features.member, params.prior_weight)
    depth = features.depth_mask.shape[1]
    decay = np.where(features.depth_mask, params.depth_decay ** np.arange(depth), 0.0)
    total = decay.sum(axis=1)
    exact = np.einsum("tmdc,td->tmc", features.precedent, decay / np.maximum(total, 1e-300)[:, None])
    has_exact = features.depth_mask[:, 0]
    prec = np.where(has_exact[:, None, None], exact, features.similar)
    alpha = np.where(has_exact, params.alpha_exact, params.alpha_similar)
    weight = np.where(has_exact | features.has_similar,
                      special.expit(alpha + params.age_slope * features.age_years), 0.0)
    # presence and the choice among yes/abstain/no are mixed apart: an absence at the precedent
    # says little about the choice, and absence is habitual rather than tied to the text
    prec_abs = prec[..., 3]
    prec_present = prec[..., :3].sum(axis=-1)
    known = prec_present > 0  # voted at the precedent (not absent, and a member then)
    w = np.where(known, weight[:, None], 0.0)[..., None]
    base_present = base[..., :3] / np.maximum(base[..., :3].sum(axis=-1, keepdims=True), 1e-300)
    choice = w * prec[..., :3] / np.maximum(prec_present, 1e-300)[..., None] + (1.0 - w) * base_present
    v = np.where(prec.sum(axis=-1) > 0, special.expit(params.alpha_absent), 0.0)
    absent = (1.0 - v) * base[..., 3] + v * prec_abs
    sponsor = features.sponsor == 1
    if sponsor.any():  # a sponsor's odds of yes (when present) and of absence, times exp(shift)
        lifted = choice * np.array([np.exp(params.sponsor_yes), 1.0, 1.0])
        lifted = lifted / np.maximum(lifted.sum(axis=-1, keepdims=True), 1e-300)
        choice = np.where(sponsor[..., None], lifted, choice)
        odds = absent * np.exp(params.sponsor_absent)
        absent = np.where(sponsor, odds / np.maximum(odds + 1.0 - absent, 1e-300), absent)
    mix = np.concatenate([(1.0 - absent)[..., None] * choice, absent[..., None]], axis=-1)
    probs = params.floor / len(CATEGORIES) + (1.0 - params.floor) * mix
    return np.where(features.member[..., None], probs, 0.0)


def choice_log_loss(probs: NDArray[np.float64], choices: NDArray[np.int8]) -> float:
    """Mean negative log probability of the outcomes, over members of each vote."""
    member = choices != NOT_MEMBER
    picked = np.take_along_axis(probs, np.maximum(choices, 0)[..., None].astype(np.int64), axis=-1)[..., 0]
    return float(-np.log(picked[member]).mean())




def _unpack(x: NDArray[np.float64], half_life: float) -> ModelParams:
    return ModelParams(alpha_exact=float(x[0]), alpha_similar=float(x[1]), age_slope=float(x[2]),
                       depth_decay=float(special.expit(x[3])), prior_weight=float(np.exp(x[4])),
                       floor=float(special.expit(x[5])), alpha_absent=float(x[6]), half_life_years=half_life,
                       sponsor_yes=float(x[7]), sponsor_absent=float(x[8]))


def fit_model(features: Features, choices: NDArray[np.int8]) -> ModelParams:
    """Maximum-likelihood parameters on the votes of ``features`` (outcomes ``choices``).

    The half-life is chosen from the features' grid; the other nine by L-BFGS on an unconstrained
    scale (logit for the decay and floor, log for the prior weight), from the defaults. Where no
    training vote has known sponsors, the two sponsor shifts stay at 0 (they change nothing there).
    """
    if choices.shape != features.member.shape:
        raise InputError("choices", f"must have shape {features.member.shape}, got {choices.shape}")
    start = ModelParams()
    x0 = np.array([start.alpha_exact, start.alpha_similar, start.age_slope, special.logit(start.depth_decay),
                   np.log(start.prior_weight), special.logit(start.floor), start.alpha_absent,
                   start.sponsor_yes, start.sponsor_absent])
    bounds: list[tuple[float, float]] = [(-10, 10), (-10, 10), (-5, 5), (-8, 8), (-6, 8), (-12, 0), (-10, 10),
                                         (-10, 10), (-10, 10)]
    if not (features.sponsor == 1).any():  # the shifts are not identified: keep them at 0
        bounds[7] = bounds[8] = (0.0, 0.0)
    best: tuple[float, ModelParams] | None = None
    for h in sorted(features.base):
        def loss(x: NDArray[np.float64], h: float = h) -> float:
            return choice_log_loss(forecast(features, _unpack(x, h)), choices)

        res = optimize.minimize(loss, x0, method="L-BFGS-B", bounds=bounds)
        if best is None or res.fun < best[0]:
            best = (float(res.fun), _unpack(res.x, h))
    assert best is not None
    return best[1]


def yes_count_distribution(p_yes: NDArray[np.float64], sigma: float = 0.0, nodes: int = 24) -> NDArray[np.float64]:
    """The distribution of the yes count (index = count) of members voting independently with ``p_yes``.

    With ``sigma > 0``, members share a common factor z ~ N(0, 1): given z, member i votes yes
    with probability expit(logit(p_i) + sigma z), independently; z is integrated by Gauss-Hermite.
    """
    p = np.clip(np.asarray(p_yes, dtype=float), 1e-12, 1 - 1e-12)
    if sigma < 0:
        raise InputError("sigma", f"must be >= 0, got {sigma}")
    if sigma == 0:
        zs, ws = np.zeros(1), np.ones(1)
    else:
        zs, ws = np.polynomial.hermite_e.hermegauss(nodes)
        ws = ws / ws.sum()
    q = special.expit(special.logit(p)[None, :] + sigma * zs[:, None])  # (nodes, members)
    dist = np.zeros((len(zs), len(p) + 1))
    dist[:, 0] = 1.0
    for i in range(len(p)):
        qi = q[:, i : i + 1]
        dist[:, 1 : i + 2] = dist[:, 1 : i + 2] * (1.0 - qi) + dist[:, : i + 1] * qi
        dist[:, 0] *= 1.0 - qi[:, 0]
    return np.asarray(ws @ dist, dtype=np.float64)


def yes_count_interval(dist: NDArray[np.float64], level: float = 0.9) -> tuple[int, int]:
    """The central ``level`` interval [lo, hi] of a count distribution: P(X < lo), P(X > hi) <= (1-level)/2."""
    tail = (1.0 - level) / 2.0
    cdf = np.cumsum(dist)
    lo = int(np.searchsorted(cdf, tail, side="right"))
    hi = int(np.searchsorted(cdf, 1.0 - tail - 1e-12, side="left"))
    return lo, min(hi, len(dist) - 1)
