"""The calibrated vote model: fitting and prediction (pure: DataFrames in, parameters out).

Marginals (a hurdle model; most drafts are adopted unanimously). For draft j and member i,
with features known before the vote (sponsor class, topic/agenda, amendment, date; the
member's GA covariates and Council vote history):

    q_j         = P(draft j is contested)          = Phi(a_j)        (event-level probit)
    y_ij        = P(yes | contested)               = Phi(b_ij)       (member-level probit)
    n_ij        = P(no | contested, not yes)       = Phi(c_ij)
    P(yes)      = 1 - q_j + q_j y_ij
    P(no)       = q_j (1 - y_ij) n_ij
    P(abstain)  = q_j (1 - y_ij) (1 - n_ij)

a, b and c are sums of ridge-penalised (Gaussian-prior) effects (see
:mod:`sim.calibration.design`). Member effects are shrunk toward the prior given by the
member's GA covariates (ideal point, agreement with the US, Russia and China), its regional
group and permanence; a member never seen on the Council is predicted from that prior alone.
Empirical-Bayes history features (:mod:`sim.calibration.history`) carry how the member, and
the Council, voted on earlier drafts of the same topic, agenda item and sponsor class.

Correlation. The engine's ``common`` loading and per-bloc ``cohesion`` are fitted by maximum
composite likelihood of the observed joint votes of past events, given out-of-fold marginals
(:mod:`sim.calibration.correlation`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..rules import adopted as adopted_by_rule
from ..rules import charter_threshold
from ..votes import STANCE_RANK
from .correlation import fit_correlation, make_batch
from .design import (
    EVENT_KINDS,
    MEMBER_KINDS,
    event_keys,
    event_table,
    learn_topic_map,
    member_rows,
    no_keys,
    yes_keys,
)
from .errors import CalibrationInputError
from .features import (
    COV_COLUMNS,
    P3,
    PERMANENT,
    RUCN,
    SIDE,
    CovariateTable,
    PenholderHistory,
)
from .history import History, history_clock, history_features
from .probit import fit_probit, predict_eta, probit_prob

VOTE_INDEX = STANCE_RANK  # ordered-probit category: no < abstain < yes
_NO, _YES = STANCE_RANK["no"], STANCE_RANK["yes"]
BLOCS = ("western", "ru_cn", "african", "latin_american", "asia_pacific")
P_FLOOR = 1e-4
FORMAT = "unsc-sim-calibration/2"


@dataclass(frozen=True)
class FitConfig:
    """Hyper-parameters (prior precisions per block, recency half-lives, folds)."""

    half_life: float = 8.0
    hist_half_life: float = 3.0
    hist_strength: float = 2.0
    # prior precisions: twice those of the second version (chosen on validation 2010-2015)
    event_penalties: Mapping[str, float] = field(default_factory=lambda: {
        "intercept": 0.01, "fixed": 1.0, "class": 1.0, "topic": 4.0, "hist": 0.6,
        "hist_int": 2.0,
    })
    yes_penalties: Mapping[str, float] = field(default_factory=lambda: {
        "intercept": 0.01, "fixed": 1.0, "group": 4.0, "cov": 2.0, "member": 4.0,
        "class": 1.0, "class_cov": 2.0, "member_class": 4.0, "topic": 4.0,
        "topic_class": 4.0, "hist": 0.6, "hist_int": 2.0, "trend": 8.0,
    })
    no_penalties: Mapping[str, float] = field(default_factory=lambda: {
        "intercept": 0.01, "fixed": 1.0, "member": 4.0, "class": 2.0, "class_cov": 2.0,
        "member_class": 4.0, "topic": 4.0, "member_topic": 1.0, "hist": 0.2,
    })
    #: extra history features with a short half-life (years): recent votes on the same item
    #: (off by default: with the date clock they scored lower on validation 2010-2015)
    short_event: Mapping[str, float] = field(default_factory=dict)
    short_member: Mapping[str, float] = field(default_factory=dict)
    folds: int = 3
    #: recalibrate each probit on out-of-fold predictions (shift and scale)
    temper: bool = False
    temper_half_life: float = 8.0
    #: recalibrate each probit (shift and scale) on the last ``recent_temper`` training
    #: years, forecast by a fit on the years before them (0: off)
    recent_temper: int = 2
    #: prior precision of the (shift, scale - 1) of a recalibration
    temper_prior: float = 20.0
    #: the probits a recent-years recalibration applies to ("event", "yes", "no";
    #: "yes:split" = the yes probit with one recalibration for the permanent members and
    #: one for the elected)
    temper_stages: tuple[str, ...] = ("yes:split",)
    #: read the vote history by calendar year (only years before the vote's year) instead
    #: of by date (every date before the vote's)
    by_year: bool = True
    #: event probabilities from the hurdle mixture: unanimous with probability 1 - q, else
    #: the contested-conditional votes with their own correlation (fitted on contested events)
    mixture: bool = True
    seed: int = 0
    max_corr_events: int = 900

    def as_dict(self) -> dict[str, Any]:
        return {"half_life": self.half_life, "hist_half_life": self.hist_half_life,
                "hist_strength": self.hist_strength,
                "event_penalties": dict(self.event_penalties),
                "yes_penalties": dict(self.yes_penalties),
                "no_penalties": dict(self.no_penalties),
                "short_event": dict(self.short_event),
                "short_member": dict(self.short_member), "folds": self.folds,
                "temper": self.temper, "temper_half_life": self.temper_half_life,
                "recent_temper": self.recent_temper, "temper_prior": self.temper_prior,
                "temper_stages": list(self.temper_stages),
                "by_year": self.by_year, "mixture": self.mixture,
                "seed": self.seed, "max_corr_events": self.max_corr_events}


@dataclass
class Coefs:
    event: dict[str, float]
    yes: dict[str, float]
    no: dict[str, float]
    #: probit -> (shift, scale) applied to its linear predictor (out-of-fold recalibration)
    temper: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass
class CalibrationParams:
    """Everything needed to predict; JSON-serialisable via :meth:`to_dict`."""

    coefs: Coefs
    common: float
    cohesion: dict[str, float]
    topic_map: dict[str, str]
    penholder: dict[str, list[str]]
    hist_event: History
    hist_member: History
    priors: dict[str, dict[str, float]]
    covariates: pd.DataFrame  # member, year, ideal, us_agree, ru_agree, cn_agree, group
    train_end_year: int
    meta: dict[str, Any] = field(default_factory=dict)
    #: correlation of the contested component (hurdle mixture), when fitted
    contested_corr: tuple[float, dict[str, float]] | None = None

    def covariate_table(self) -> CovariateTable:
        return self._covariate_table

    @cached_property
    def _covariate_table(self) -> CovariateTable:
        return CovariateTable.build(self.covariates)

    @cached_property
    def history_weights(self) -> dict[str, dict[str, float]]:
        """Total (decayed) vote weight per key of the event history, by key type: how much
        history a topic (``t``) or agenda item (``ta``) has."""
        t = self.hist_event.table
        return {kind: {str(k): float(v) for k, v in d.groupby("key")["n"].sum().items()}
                for kind, d in t[t["kind"].isin(["t", "ta"])].groupby("kind")}

    def to_dict(self) -> dict[str, Any]:
        cov = self.covariates

        def rnd(d: Mapping[str, float]) -> dict[str, float]:
            return {k: round(float(v), 5) for k, v in sorted(d.items()) if abs(v) > 1e-5}

        return {
            "format": FORMAT,
            "meta": self.meta,
            "train_end_year": self.train_end_year,
            "common": round(self.common, 6),
            "cohesion": {k: round(v, 6) for k, v in self.cohesion.items()},
            **({} if self.contested_corr is None else {"contested_correlation": {
                "common": round(self.contested_corr[0], 6),
                "cohesion": {k: round(v, 6) for k, v in self.contested_corr[1].items()}}}),
            "coef_event": rnd(self.coefs.event),
            "coef_yes": rnd(self.coefs.yes),
            "coef_no": rnd(self.coefs.no),
            "temper": {k: [round(float(a), 6), round(float(b), 6)]
                       for k, (a, b) in sorted(self.coefs.temper.items())},
            "priors": self.priors,
            "topic_map": dict(sorted(self.topic_map.items())),
            "penholder": dict(sorted(self.penholder.items())),
            "hist_half_life": self.hist_event.half_life,
            # history older than 25 years weighs < 0.4% (half-life 3 years): not shipped
            "hist_event": self.hist_event.prune(self.train_end_year - 25).to_rows(),
            "hist_member": self.hist_member.prune(self.train_end_year - 25).to_rows(),
            "covariates": {
                "columns": ["member", "year", *COV_COLUMNS, "group"],
                "rows": [[r.member, int(r.year), *(None if pd.isna(getattr(r, c))
                                                   else round(float(getattr(r, c)), 5)
                                                   for c in COV_COLUMNS),
                          None if pd.isna(r.group) else str(r.group)]
                         for r in cov.itertuples(index=False)],
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CalibrationParams:
        if d.get("format") != FORMAT:
            raise CalibrationInputError("params", "format", "not a unsc-sim calibration file")
        cov = pd.DataFrame(d["covariates"]["rows"], columns=d["covariates"]["columns"])
        hl = float(d["hist_half_life"])
        return cls(
            coefs=Coefs(dict(d["coef_event"]), dict(d["coef_yes"]), dict(d["coef_no"]),
                        {k: (float(v[0]), float(v[1]))
                         for k, v in d.get("temper", {}).items()}),
            common=float(d["common"]),
            cohesion={k: float(v) for k, v in d["cohesion"].items()},
            topic_map=dict(d["topic_map"]),
            penholder={k: list(v) for k, v in d["penholder"].items()},
            hist_event=History.from_rows(d["hist_event"], hl),
            hist_member=History.from_rows(d["hist_member"], hl),
            priors={k: dict(v) for k, v in d["priors"].items()},
            covariates=cov, train_end_year=int(d["train_end_year"]),
            meta=dict(d.get("meta", {})),
            contested_corr=None if "contested_correlation" not in d else (
                float(d["contested_correlation"]["common"]),
                {k: float(v) for k, v in d["contested_correlation"]["cohesion"].items()}),
        )


def bloc_of(member: str, group: str, member_lean: float) -> str | None:
    """The engine bloc of a member (a fixed rule; the cohesions are fitted)."""
    if member in P3:
        return "western"
    if member in RUCN:
        return "ru_cn"
    if group == "WEOG" or (group == "EEG" and member_lean > 0.0) or member_lean > 0.35:
        return "western"
    if group == "AFR":
        return "african"
    if group == "GRULAC":
        return "latin_american"
    if group in ("APG", "EEG"):
        return "asia_pacific"
    return None


CONTEXT = ("event_id", "date", "year", "member", "sponsor", "topic", "agenda", "category",
           "region", "draft")


def _context(rows: pd.DataFrame, need_votes: bool) -> pd.DataFrame:
    for c in ("event_id", "date", "year", "member") + (("vote",) if need_votes else ()):
        if c not in rows.columns:
            raise CalibrationInputError("votes", c, "missing column")
    keep = [c for c in CONTEXT if c in rows.columns] + (["vote"] if need_votes else [])
    out = rows[keep].copy()
    for c in CONTEXT:
        if c not in out.columns:
            out[c] = None
    out["event_id"] = out["event_id"].astype(str)
    return out.reset_index(drop=True)


def _recency(years: np.ndarray, ref: float, half_life: float) -> np.ndarray:
    return np.power(0.5, (ref - years.astype(float)) / half_life)


@dataclass
class Prepared:
    """Model rows: member rows ``m`` and event rows ``ev`` with features and sparse keys."""

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


def _event_frame(m: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    codes, row_event = np.unique(m["event_id"].to_numpy().astype(str), return_inverse=True)
    first = np.zeros(len(codes), dtype=int)
    first[row_event[::-1]] = np.arange(len(m))[::-1]
    ev = m.iloc[first].reset_index(drop=True).copy()
    ev["member"] = "*"
    return ev, row_event


def design(m: pd.DataFrame, hist_event: History, hist_member: History,
           priors: Mapping[str, Mapping[str, float]]) -> Prepared:
    strength = float(priors.get("strength", {}).get("value", 2.0))
    m = m.reset_index(drop=True).copy()
    if priors.get("clock", {}).get("by_year", 0.0):
        # history of earlier calendar years only, read at the start of the row's year
        m["hist_t"] = m["year"].to_numpy(float)
    else:
        m["hist_t"] = history_clock(m, hist_event)
    ev, row_event = _event_frame(m)
    s_ev = [(k, float(v)) for k, v in priors.get("short_event", {}).items()]
    s_m = [(k, float(v)) for k, v in priors.get("short_member", {}).items()]
    ev = pd.concat([ev, history_features(ev, hist_event, priors["event"], EVENT_KINDS,
                                         strength, s_ev)], axis=1)
    mm = pd.concat([m.reset_index(drop=True),
                    history_features(m.reset_index(drop=True), hist_member, priors["member"],
                                     MEMBER_KINDS, strength, s_m)], axis=1)
    # the members' own dissent history on this topic, pooled per event
    for kind in ("mt", "mtc", "mc"):
        h = mm[f"h_{kind}"].to_numpy(float)
        mx = np.full(len(ev), -np.inf)
        np.maximum.at(mx, row_event, h)
        sm = np.bincount(row_event, weights=h, minlength=len(ev))
        cnt = np.bincount(row_event, minlength=len(ev))
        ev[f"mx_{kind}"] = np.where(np.isfinite(mx), mx, 0.0)
        ev[f"mean_{kind}"] = sm / np.maximum(cnt, 1)
    return Prepared(mm, ev, row_event, event_keys(ev), yes_keys(mm), no_keys(mm))


def _sub(design_long: pd.DataFrame, sel: np.ndarray, n: int) -> pd.DataFrame:
    remap = np.full(n, -1)
    remap[sel] = np.arange(len(sel))
    d = design_long[remap[design_long["row"].to_numpy()] >= 0].copy()
    d["row"] = remap[d["row"].to_numpy()]
    return d


def fit_marginals(p: Prepared, y: np.ndarray, cfg: FitConfig, ref_year: float,
                  rows: np.ndarray | None = None) -> Coefs:
    """Fit the three probits on member rows ``rows`` (all when None)."""
    n = len(p.m)
    sel = np.arange(n) if rows is None else np.asarray(rows)
    w = _recency(p.m["year"].to_numpy(), ref_year, cfg.half_life)
    ne = len(p.ev)
    contested_ev = np.zeros(ne, dtype=bool)
    np.logical_or.at(contested_ev, p.row_event[sel], y[sel] != 2)
    evs = np.unique(p.row_event[sel])
    w_ev = _recency(p.ev["year"].to_numpy(), ref_year, cfg.half_life)
    ev_coef = fit_probit(_sub(p.ek, evs, ne), contested_ev[evs], w_ev[evs],
                         cfg.event_penalties)
    cond = sel[contested_ev[p.row_event[sel]]]
    yes_coef = fit_probit(_sub(p.yk, cond, n), y[cond] == _YES, w[cond], cfg.yes_penalties)
    notyes = cond[y[cond] != 2]
    no_coef = fit_probit(_sub(p.nk, notyes, n), y[notyes] == _NO, w[notyes], cfg.no_penalties)
    return Coefs(ev_coef, yes_coef, no_coef)


def linear_predictors(p: Prepared, c: Coefs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Untempered linear predictors: event (per event), yes and no (per member row)."""
    n = len(p.m)
    return (predict_eta(p.ek, len(p.ev), c.event), predict_eta(p.yk, n, c.yes),
            predict_eta(p.nk, n, c.no))


def _temper(eta: np.ndarray, t: tuple[float, float] | None) -> np.ndarray:
    return eta if t is None else t[0] + t[1] * eta


def components(p: Prepared, eta: OofEta, temper: Mapping[str, tuple[float, float]],
               ) -> tuple[np.ndarray, np.ndarray]:
    """Hurdle components per member row: q = P(contested) of the row's event, and the
    (n, 3) yes/abstain/no probabilities given that the event is contested."""
    q = probit_prob(_temper(eta[0], temper.get("event")))[p.row_event]
    if "yes:perm" in temper:  # separate recalibrations for permanent and elected members
        perm = p.m["perm"].to_numpy(float) > 0
        eb = np.where(perm, _temper(eta[1], temper["yes:perm"]),
                      _temper(eta[1], temper.get("yes:elected")))
    else:
        eb = _temper(eta[1], temper.get("yes"))
    py = probit_prob(eb)
    pn = probit_prob(_temper(eta[2], temper.get("no")))
    cond = np.column_stack([py, (1 - py) * (1 - pn), (1 - py) * pn])
    cond = np.clip(cond, P_FLOOR, 1.0)
    return q, cond / cond.sum(axis=1, keepdims=True)


def mix(q: np.ndarray, cond: np.ndarray) -> np.ndarray:
    """Marginal yes/abstain/no of the hurdle mixture."""
    out = q[:, None] * cond
    out[:, 0] += 1 - q
    out = np.clip(out, P_FLOOR, 1.0)
    return np.asarray(out / out.sum(axis=1, keepdims=True))


def vote_codes(rows: pd.DataFrame, m: pd.DataFrame) -> np.ndarray:
    vote = rows.drop_duplicates(["event_id", "member"], keep="last") \
        .set_index(["event_id", "member"])["vote"]
    keys = list(zip(m["event_id"], m["member"], strict=True))
    v = vote.reindex(keys).to_numpy()
    codes = np.array([VOTE_INDEX.get(str(x), -1) for x in v])
    if (codes < 0).any():
        raise CalibrationInputError("votes", "vote", "unknown or missing vote")
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
    (:func:`sim.rules.charter_threshold`) and no permanent member's no (:func:`sim.rules.adopted`)."""
    yes, no = STANCE_RANK["yes"], STANCE_RANK["no"]
    ev, row_event = _event_frame(m)
    contested = np.zeros(len(ev), dtype=bool)
    np.logical_or.at(contested, row_event, y != yes)
    if adopted is not None:
        got = ev["event_id"].astype(str).map(adopted)
        if got.isna().any():
            raise CalibrationInputError("votes", "adopted", "missing for some events")
        failed = ~got.to_numpy(bool)
    else:
        n_yes = np.bincount(row_event, weights=(y == yes).astype(float), minlength=len(ev))
        permanent_no = np.bincount(row_event, weights=((y == no) & (m["perm"].to_numpy(float) > 0)).astype(float),
                                   minlength=len(ev))
        quota = np.array([charter_threshold(int(year)) for year in ev["year"]])
        failed = ~adopted_by_rule(n_yes, permanent_no, quota, False)
    code = np.where(failed, 0, np.where(contested, 1, 2))
    return ev, row_event, code


def build_histories(m: pd.DataFrame, y: np.ndarray, half_life: float, strength: float = 2.0,
                    short_event: Mapping[str, float] | None = None,
                    short_member: Mapping[str, float] | None = None,
                    by_year: bool = False,
                    adopted: Mapping[str, bool] | None = None,
                    ) -> tuple[History, History, dict[str, dict[str, float]]]:
    ev, row_event, code = event_outcomes(m, y, adopted)
    contested = code != 2
    h_ev = History.build(ev, code, half_life, EVENT_KINDS)
    crow = contested[row_event]
    h_m = History.build(m[crow], y[crow], half_life, MEMBER_KINDS)
    priors = {
        "event": {"nonyes": float(contested.mean()) if len(ev) else 0.1,
                  "no": float(np.mean(code == 0)) if len(ev) else 0.05},
        "member": {"nonyes": float(np.mean(y[crow] != 2)) if crow.any() else 0.3,
                   "no": float(np.mean(y[crow] == _NO)) if crow.any() else 0.1},
    }
    priors["event"]["nonyes"] = min(max(priors["event"]["nonyes"], 0.01), 0.99)
    priors["event"]["no"] = min(max(priors["event"]["no"], 0.005), 0.99)
    priors["strength"] = {"value": float(strength)}
    priors["short_event"] = {k: float(v) for k, v in (short_event or {}).items()}
    priors["short_member"] = {k: float(v) for k, v in (short_member or {}).items()}
    priors["clock"] = {"by_year": float(by_year)}
    return h_ev, h_m, priors


def extend_history(params: CalibrationParams, rows: pd.DataFrame) -> CalibrationParams:
    """``params`` whose vote history also holds the records ``rows`` (with ``vote``).

    Prediction only ever uses the history of dates strictly before each event's date, so
    ``rows`` may be every record known at forecast time (e.g. the earlier votes of the year
    being forecast); records of the same day or later are never used for an event.
    """
    adopted = event_adoption(rows)
    rows = _context(rows, need_votes=True)
    if rows.empty:
        return params
    covs = params.covariate_table()
    pen = PenholderHistory({k: list(v) for k, v in params.penholder.items()})
    m, _ = prepare_rows(rows, covs, params.topic_map, pen)
    y = vote_codes(rows, m)
    h_ev, h_m, _ = build_histories(m, y, params.hist_event.half_life, adopted=adopted)
    # a new object: quantities cached from the old history do not carry over
    return dataclasses.replace(params, hist_event=params.hist_event.extend(h_ev),
                               hist_member=params.hist_member.extend(h_m))


def fit_steps(cfg: FitConfig) -> int:
    """How many times :func:`fit` reports progress with this configuration."""
    return (3 + max(cfg.folds, 2) + int(cfg.recent_temper > 0 and not cfg.temper)
            + int(cfg.mixture))


def fit(rows: pd.DataFrame, covariates: pd.DataFrame, cfg: FitConfig | None = None,
        progress: Callable[[str], None] | None = None) -> CalibrationParams:
    """Fit the model on vote rows (``vote`` in yes/abstain/no) and GA covariates."""
    cfg = cfg or FitConfig()
    say = progress or (lambda _s: None)
    adopted = event_adoption(rows)
    rows = _context(rows, need_votes=True)
    if rows.empty:
        raise CalibrationInputError("votes", "rows", "no vote rows to fit on")
    covs = CovariateTable.build(covariates)
    topic_map = learn_topic_map(rows)
    say("features")
    m, pen = prepare_rows(rows, covs, topic_map, PenholderHistory.empty())
    y = vote_codes(rows, m)
    end_year = int(m["year"].max())
    h_ev, h_m, priors = build_histories(m, y, cfg.hist_half_life, cfg.hist_strength,
                                        cfg.short_event, cfg.short_member, cfg.by_year,
                                        adopted)
    prep = design(m, h_ev, h_m, priors)
    say("marginals")
    coefs = fit_marginals(prep, y, cfg, end_year + 1)
    say("correlation")
    oof_eta = out_of_fold(prep, y, cfg, end_year + 1, say)
    if cfg.temper:
        coefs.temper = fit_temper(prep, y, oof_eta, cfg, end_year + 1)
    elif cfg.recent_temper > 0:
        say("recalibration")
        coefs.temper = fit_recent_temper(prep, y, cfg, end_year)
    # the correlation is fitted given the marginals of past events: out-of-fold (and
    # recalibrated out of fold, if so configured), but not recalibrated for drift, which
    # corrects forecasts of later years, not the events the correlation is read from
    oof_temper = coefs.temper if cfg.temper else {}
    oof = _probs_from_eta(prep, oof_eta, oof_temper)
    common, coh = fit_corr(prep, y, oof, cfg, end_year + 1)
    contested_corr = None
    if cfg.mixture:
        say("contested correlation")
        _q, cond = components(prep, oof_eta, oof_temper)
        contested_corr = fit_corr(prep, y, cond, cfg, end_year + 1, contested_only=True)
    return CalibrationParams(
        coefs=coefs, common=common, cohesion=coh, topic_map=topic_map,
        penholder=pen.recent, hist_event=h_ev, hist_member=h_m, priors=priors,
        covariates=_slim_covariates(covariates), train_end_year=end_year,
        meta={"config": cfg.as_dict(), "n_events": len(prep.ev), "n_rows": len(m)},
        contested_corr=contested_corr,
    )


OofEta = tuple[np.ndarray, np.ndarray, np.ndarray]


def out_of_fold(prep: Prepared, y: np.ndarray, cfg: FitConfig, ref_year: float,
                say: Callable[[str], None] | None = None) -> OofEta:
    """Linear predictors of each event (and its member rows) from a fit that did not see
    it (event folds)."""
    rng = np.random.default_rng(cfg.seed)
    ne = len(prep.ev)
    fold_ev = rng.permutation(ne) % max(cfg.folds, 2)
    fold_row = fold_ev[prep.row_event]
    ea, eb, ec = np.zeros(ne), np.zeros(len(prep.m)), np.zeros(len(prep.m))
    for k in range(max(cfg.folds, 2)):
        if say:
            say(f"fold {k + 1}/{max(cfg.folds, 2)}")
        c = fit_marginals(prep, y, cfg, ref_year, np.flatnonzero(fold_row != k))
        a, b, cc = linear_predictors(prep, c)
        ea[fold_ev == k] = a[fold_ev == k]
        test = fold_row == k
        eb[test] = b[test]
        ec[test] = cc[test]
    return ea, eb, ec


def _probs_from_eta(p: Prepared, eta: OofEta, temper: Mapping[str, tuple[float, float]],
                    ) -> np.ndarray:
    return mix(*components(p, eta, temper))


def _fit_shift_scale(eta: np.ndarray, target: np.ndarray, w: np.ndarray,
                     prior: float = 1.0) -> tuple[float, float]:
    """(shift, scale) maximising the weighted probit likelihood of Phi(shift + scale*eta),
    with a weak prior toward (0, 1)."""
    from scipy import optimize
    from scipy.special import log_ndtr

    if len(eta) < 20 or target.all() or not target.any():
        return 0.0, 1.0

    def f(th: np.ndarray) -> float:
        z = th[0] + th[1] * eta
        ll = np.where(target, log_ndtr(z), log_ndtr(-z))
        return float(-(w @ ll) + 0.5 * prior * (th[0] ** 2 + (th[1] - 1.0) ** 2))

    r = optimize.minimize(f, np.array([0.0, 1.0]), method="Nelder-Mead",
                          options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 400})
    a, b = float(r.x[0]), float(np.clip(r.x[1], 0.3, 1.5))
    return a, b


def fit_temper(p: Prepared, y: np.ndarray, eta: OofEta, cfg: FitConfig, ref_year: float,
               ) -> dict[str, tuple[float, float]]:
    """Recalibrate each probit on its out-of-fold linear predictor (shift and scale):
    corrects the over-confidence of the in-sample fit."""
    ne = len(p.ev)
    contested = np.zeros(ne, dtype=bool)
    np.logical_or.at(contested, p.row_event, y != _YES)
    w_ev = _recency(p.ev["year"].to_numpy(), ref_year, cfg.temper_half_life)
    w = _recency(p.m["year"].to_numpy(), ref_year, cfg.temper_half_life)
    cond = contested[p.row_event]
    notyes = cond & (y != _YES)
    return {"event": _fit_shift_scale(eta[0], contested, w_ev),
            "yes": _fit_shift_scale(eta[1][cond], y[cond] == _YES, w[cond]),
            "no": _fit_shift_scale(eta[2][notyes], y[notyes] == _NO, w[notyes])}


def fit_recent_temper(p: Prepared, y: np.ndarray, cfg: FitConfig, end_year: int,
                      ) -> dict[str, tuple[float, float]]:
    """Shift and scale of each probit from an out-of-time forecast: fit on the years up to
    ``end_year - recent_temper``, forecast the years after. Corrects the drift and the
    over-confidence that a forecast of a later year shows (a random event split does not)."""
    cut = end_year - cfg.recent_temper
    train = np.flatnonzero(p.m["year"].to_numpy() <= cut)
    hold_ev = p.ev["year"].to_numpy() > cut
    if not train.size or not hold_ev.any():
        return {}
    c = fit_marginals(p, y, cfg, cut + 1, train)
    ea, eb, ec = linear_predictors(p, c)
    contested = np.zeros(len(p.ev), dtype=bool)
    np.logical_or.at(contested, p.row_event, y != _YES)
    hold = hold_ev[p.row_event]
    cond = hold & contested[p.row_event]
    notyes = cond & (y != _YES)
    wanted = set(cfg.temper_stages)
    perm = p.m["perm"].to_numpy(float) > 0
    samples = {"event": (ea[hold_ev], contested[hold_ev]),
               "yes": (eb[cond], y[cond] == _YES),
               "no": (ec[notyes], y[notyes] == _NO)}
    if "yes:split" in wanted:  # permanent and elected members apart
        wanted |= {"yes:perm", "yes:elected"}
        samples["yes:perm"] = (eb[cond & perm], y[cond & perm] == 2)
        samples["yes:elected"] = (eb[cond & ~perm], y[cond & ~perm] == 2)
    return {k: _fit_shift_scale(x, t, np.ones(len(x)), cfg.temper_prior)
            for k, (x, t) in samples.items() if k in wanted}


def fit_corr(prep: Prepared, y: np.ndarray, probs: np.ndarray, cfg: FitConfig,
             ref_year: float, contested_only: bool = False) -> tuple[float, dict[str, float]]:
    """(common, cohesion per bloc) by maximum likelihood of the joint votes of the latest
    events (only the contested ones, with a likelihood truncated to non-unanimous votes,
    when ``contested_only``)."""
    blocs = _bloc_index(prep.m)
    groups = pd.Series(np.arange(len(prep.m))).groupby(prep.row_event).indices
    order = np.argsort(prep.ev["date"].astype(str).to_numpy(), kind="stable")
    if contested_only:
        contested = np.zeros(len(prep.ev), dtype=bool)
        np.logical_or.at(contested, prep.row_event, y != _YES)
        order = order[contested[order]]
    chosen = order[-cfg.max_corr_events:]
    batch = make_batch([probs[groups[e]] for e in chosen], [y[groups[e]] for e in chosen],
                       [blocs[groups[e]] for e in chosen],
                       _recency(prep.ev["year"].to_numpy()[chosen], ref_year, cfg.half_life))
    common, coh, _ll = fit_correlation(batch, len(BLOCS), truncated=contested_only)
    return common, {b: float(c) for b, c in zip(BLOCS, coh, strict=True)}


def _slim_covariates(cov: pd.DataFrame) -> pd.DataFrame:
    """Keep the covariate rows prediction can use (recent sessions)."""
    c = cov.dropna(subset=["member", "year"]).copy()
    c["year"] = c["year"].astype(int)
    return c[c["year"] >= 1990].reset_index(drop=True)


def _bloc_index(m: pd.DataFrame) -> np.ndarray:
    names = [bloc_of(a, g, float(ln)) for a, g, ln in zip(m["member"], m["group"], m["lean"],
                                                          strict=True)]
    return np.array([BLOCS.index(b) if b is not None else -1 for b in names])


@dataclass(frozen=True)
class Prediction:
    """Member-level predictions for a set of events."""

    rows: pd.DataFrame  # event_id, member, p_yes, p_abstain, p_no, bloc, latent, perm
    common: float
    cohesion: dict[str, float]
    contested_corr: tuple[float, dict[str, float]] | None = None
    #: one row per (event, candidate sponsor class, member): event_id, cand, weight, member,
    #: bloc, p_yes/p_abstain/p_no (marginal), q (P(contested)), c_yes/c_abstain/c_no (given
    #: contested). An event with a known sponsor has one candidate of weight 1.
    parts: pd.DataFrame | None = None


def expand_imputed(m: pd.DataFrame, min_weight: float = 0.02) -> pd.DataFrame:
    """Rows of events whose sponsor is unknown, once per likely sponsor class.

    The class of such an event was imputed from the topic's penholder history; rather than
    trusting that single guess, prediction averages over the classes' probabilities
    (``cls_dist``; classes under ``min_weight`` are dropped and the rest renormalised).
    Adds ``_row`` (the input row), ``cand`` (a per-candidate event key) and ``cand_w``."""
    m = m.reset_index(drop=True).assign(_row=np.arange(len(m)), cand=m["event_id"].astype(str),
                                        cand_w=1.0)
    soft = np.array([bool(imp) and bool(d) for imp, d in zip(m["imputed"], m["cls_dist"],
                                                                strict=True)], dtype=bool)
    if not soft.any():
        return m
    parts = [m[~soft]]
    s = m[soft]
    dist = [{c: w for c, w in d if w >= min_weight} for d in s["cls_dist"]]
    dist = [{c: w / sum(d.values()) for c, w in d.items()} for d in dist]
    for cls in sorted({c for d in dist for c in d}):
        w = np.array([d.get(cls, 0.0) for d in dist])
        keep = w > 0
        part = s[keep].copy()
        part["cls"] = cls
        part["side"] = SIDE.get(cls, 0.0)
        part["cand_w"] = w[keep]
        part["cand"] = part["event_id"].astype(str) + "#" + cls
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out.assign(event_id=out["cand"])


def predict(params: CalibrationParams, rows: pd.DataFrame) -> Prediction:
    """Member probabilities for context rows (in their order). Outcome columns, if any,
    are dropped first."""
    ctx = _context(rows, need_votes=False)
    covs = params.covariate_table()
    pen = PenholderHistory({k: list(v) for k, v in params.penholder.items()})
    m0, _ = prepare_rows(ctx, covs, params.topic_map, pen)
    mx = expand_imputed(m0)
    prep = design(mx.drop(columns=["_row", "cand", "cand_w"]), params.hist_event,
                  params.hist_member, params.priors)
    q, cond = components(prep, linear_predictors(prep, params.coefs), params.coefs.temper)
    pr = mix(q, cond)
    # a member's bloc does not depend on the sponsor class: one per input row
    blocs = np.array([bloc_of(a, g, float(ln)) for a, g, ln in
                      zip(m0["member"], m0["group"], m0["lean"], strict=True)], dtype=object)
    row = mx["_row"].to_numpy()
    w = mx["cand_w"].to_numpy(float)
    parts = pd.DataFrame({
        "event_id": m0["event_id"].to_numpy()[row], "year": m0["year"].to_numpy(int)[row],
        "cand": mx["cand"].to_numpy(), "weight": w, "member": prep.m["member"].to_numpy(),
        "bloc": blocs[row], "p_yes": pr[:, 0], "p_abstain": pr[:, 1], "p_no": pr[:, 2],
        "q": q, "c_yes": cond[:, 0], "c_abstain": cond[:, 1], "c_no": cond[:, 2],
    })
    avg = np.zeros((len(m0), 3))
    np.add.at(avg, row, pr * w[:, None])
    out = pd.DataFrame({
        "event_id": m0["event_id"].to_numpy(), "member": m0["member"].to_numpy(),
        "p_yes": avg[:, 0], "p_abstain": avg[:, 1], "p_no": avg[:, 2], "bloc": blocs,
        "perm": m0["perm"].to_numpy() > 0, "year": m0["year"].to_numpy(int),
    })
    # probit-scale stance, used by the runtime API to apply a user `shift`
    out["latent"] = _ndtri(np.clip(out["p_yes"].to_numpy(), 1e-9, 1 - 1e-9))
    return Prediction(out, params.common, dict(params.cohesion), params.contested_corr, parts)


def _ndtri(p: np.ndarray) -> np.ndarray:
    from scipy.special import ndtri

    return np.asarray(ndtri(p))


def event_probabilities_for(pred: Prediction) -> pd.DataFrame:
    """(event_id, p_adopted, p_vetoed) per event with the engine's exact quadrature,
    averaged over the candidate sponsor classes of an event whose sponsor is unknown."""
    from ..exact import event_probabilities, event_probabilities_unanimous

    parts = pred.parts if pred.parts is not None else pred.rows.assign(
        cand=pred.rows["event_id"], weight=1.0)
    # every input row is forecast, but a member listed twice in an event votes once
    parts = parts.drop_duplicates(["cand", "member"])
    acc: dict[Any, list[float]] = {}
    for _cand, d in parts.groupby("cand", sort=False):
        quota = charter_threshold(int(d["year"].iloc[0]))  # the Council's, not the rows' count
        if pred.contested_corr is None or "q" not in d.columns:
            pa, pv = event_probabilities(vote_model(d, pred.common, pred.cohesion, quota))
        else:
            # hurdle mixture: unanimous (adopted) with probability 1 - q; otherwise the
            # contested votes, conditioned on not being unanimous
            q = float(d["q"].iloc[0])
            dc = d.assign(p_yes=d["c_yes"], p_abstain=d["c_abstain"], p_no=d["c_no"])
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
               threshold: int) -> Any:
    """Engine :class:`sim.model.VoteModel` for one event's member rows; ``threshold`` is the
    quota of the Council that votes (members without a row are absent, the quota stays)."""
    from ..model import VoteModel

    members = tuple(d["member"])
    probs = np.column_stack([d["p_yes"], d["p_abstain"], d["p_no"], np.zeros(len(d))])
    present = [b for b in BLOCS if b in set(d["bloc"].dropna())]
    bidx = np.array([present.index(b) if isinstance(b, str) and b in present else -1
                     for b in d["bloc"]])
    coh = np.array([cohesion[b] for b in present])
    return VoteModel(members=members, probs=probs,
                     permanent=np.array([mm in PERMANENT for mm in members]), bloc=bidx,
                     cohesion=coh, common=common, threshold=threshold,
                     bloc_names=tuple(present))
