"""Forecasts of General Assembly recorded votes from the calibrated model (issue 15):
``unsc-sim predict --body assembly``.

For each vote to forecast (a ``symbol`` with its date and title), each listed member's P(yes,
abstain, no, absent) comes from :func:`sim.assembly.calibration.forecast`, with features read
off the known records dated strictly before the vote's day and parameters fitted on the
``TRAIN_YEARS`` calendar years of records before the vote's year (the rolling origin of the
backtest, so its scores apply). The vote's P(adopted) under Article 18 and its yes count's
interval come from the same forecasts with the backtest's common factor. Method and figures:
docs/assembly-backtest.md, "Forecasting votes".

Everything here computes on a :class:`~sim.assembly.calibration.VoteTable` and DataFrames,
except the loaders at the end (:func:`load_rows`, :func:`load_records`), which read a CSV file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from sim.assembly.backtest import TRAIN_YEARS, fit_common_factor
from sim.assembly.calibration import (
    NOT_MEMBER,
    UNVOTES,
    UNXML,
    Features,
    ModelParams,
    VoteTable,
    build_features,
    find_precedents,
    fit_model,
    forecast,
    sponsor_codes,
    yes_count_distribution,
    yes_count_interval,
)
from sim.assembly.exact import _scored
from sim.assembly.membership import members_on
from sim.assembly.scenario import OBSERVERS
from sim.engine.rules import AssemblyRule
from sim.errors import InputError
from sim.scenario.names import UnknownMemberError, resolve

__all__ = [
    "OUTCOME_COLUMNS",
    "ROW_COLUMNS",
    "SPONSORS_COLUMN",
    "AssemblyForecast",
    "Origin",
    "adoption_probability",
    "append_votes",
    "check_data_dir",
    "fit_origin",
    "load_records",
    "load_rows",
    "predict_votes",
    "question_of",
    "training_years",
]

#: The columns a forecast reads (the UNxml long file's); ``session_file`` and ``draft`` are not read.
ROW_COLUMNS: tuple[str, ...] = ("date", "symbol", "member_state", "title")
#: The optional column of the rows to forecast: the draft's sponsors, member names separated by ";".
SPONSORS_COLUMN = "sponsors"
#: The columns that record a vote's result: dropped as soon as the rows to forecast are read.
OUTCOME_COLUMNS: tuple[str, ...] = ("vote", "yes_count", "no_count", "abstain_count")
#: The outcome codes of the UNxml records, to :data:`sim.assembly.calibration.CATEGORIES`' index.
_VOTE_CODES = {"Y": 0, "YES": 0, "A": 1, "ABSTAIN": 1, "N": 2, "NO": 2}


#: Titles of important questions under Art. 18(2) other than peace and security: budgetary
#: questions (the programme budget, the financing of missions, the scale of assessments),
#: admission, suspension and expulsion, and elections to the councils.
_IMPORTANT_TITLE = re.compile(
    r"\b(budget|financing of|scale of assessments|apportionment of the expenses"
    r"|admission of|suspension of the rights|expulsion|election of (?:the )?(?:non-permanent )?members"
    r"|election of \w+ members of the (?:security|economic and social|trusteeship) council)",
    re.IGNORECASE)


def question_of(symbol: str, title: str) -> str:
    """Which majority of Article 18 a recorded vote needed, read off its symbol and title.

    Decisions of an emergency special session (``A/RES/ES-…``) are recommendations on peace and
    security: important questions. So are budgetary questions, admission, suspension, expulsion
    and elections to the councils, recognised by their titles. Every other vote is taken as a
    simple question (Art. 18(3)). The Assembly itself decides, vote by vote, when a question is
    disputed; this reading is the usual practice, and ``predict_votes(question=...)`` overrides it.
    """
    if "/ES-" in symbol.upper():
        return "important"
    return "important" if _IMPORTANT_TITLE.search(title or "") else "simple"


@dataclass(frozen=True)
class Origin:
    """The fit used for the votes of one calendar year: parameters and the common factor's sigma,
    fitted on the known votes of ``train_years`` (first, last)."""

    year: int
    train_years: tuple[int, int]
    train_votes: int
    params: ModelParams
    sigma: float


@dataclass(frozen=True)
class AssemblyForecast:
    """``members``: one row per input row (symbol, member_state as given, p_yes, p_abstain, p_no,
    p_absent; the four sum to 1). ``events``: one row per symbol, in order of first appearance
    (p_adopted, yes_mean, yes_lo, yes_hi: the central ``level`` interval; question: the
    majority of Article 18 it was judged by). ``origins``: the fit
    of each year."""

    members: pd.DataFrame
    events: pd.DataFrame
    origins: dict[int, Origin]


def append_votes(table: VoteTable, ids: list[str], dates: NDArray[np.datetime64], titles: list[str],
                 choices: dict[str, NDArray[np.int8]]) -> tuple[VoteTable, NDArray[np.int64]]:
    """``table`` with more votes, and where each new vote landed.

    ``choices[code][k]`` is member ``code``'s outcome in new vote k (:data:`NOT_MEMBER` where it
    was not one, or where the outcome is unknown). The states of the result are the union of both;
    a new vote is put after the table's votes of the same day."""
    codes = tuple(sorted(set(table.members) | set(choices)))
    col = {c: i for i, c in enumerate(codes)}
    old = np.full((len(table.vote_ids), len(codes)), NOT_MEMBER, dtype=np.int8)
    old[:, [col[c] for c in table.members]] = table.choices
    new = np.full((len(ids), len(codes)), NOT_MEMBER, dtype=np.int8)
    for code, column in choices.items():
        new[:, col[code]] = column
    all_dates = np.concatenate([table.dates, np.asarray(dates, dtype="datetime64[D]")])
    order = np.argsort(all_dates, kind="stable")
    where = np.empty(len(order), dtype=np.int64)
    where[order] = np.arange(len(order))
    merged = VoteTable(tuple((*table.vote_ids, *ids)[i] for i in order), all_dates[order],
                       tuple((*table.titles, *titles)[i] for i in order), codes,
                       np.concatenate([old, new])[order])
    return merged, where[len(table.vote_ids):]


def _day_members(dates: NDArray[np.datetime64]) -> list[tuple[str, ...]]:
    """The Assembly's members on each day."""
    return [members_on(dt.date.fromisoformat(str(d))) for d in np.asarray(dates, dtype="datetime64[D]")]


def _votes_of(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per symbol (its first row: date, title), in order of first appearance."""
    return rows.drop_duplicates("symbol")[["symbol", "date", "title"]].reset_index(drop=True)


def add_records(table: VoteTable, records: pd.DataFrame) -> VoteTable:
    """``table`` with the votes of ``records`` (from :func:`load_records`) whose symbol it lacks;
    a member on the day that is in none of a vote's rows counts as absent, as in
    :func:`~sim.assembly.calibration.load_vote_table`."""
    records = records[~records["symbol"].isin(set(table.vote_ids))]
    if records.empty:
        return table
    votes = _votes_of(records)
    row = {s: k for k, s in enumerate(votes["symbol"])}
    dates = votes["date"].to_numpy().astype("datetime64[D]")
    choices: dict[str, NDArray[np.int8]] = {}
    for k, members in enumerate(_day_members(dates)):
        for code in members:
            choices.setdefault(code, np.full(len(votes), NOT_MEMBER, dtype=np.int8))[k] = 3
    for s, code, vote in zip(records["symbol"], records["code"], records["choice"], strict=True):
        choices[code][row[s]] = vote
    merged, _ = append_votes(table, list(votes["symbol"]), dates, list(votes["title"]), choices)
    return merged


def training_years(known_years: NDArray[np.int64], year: int) -> tuple[int, int] | None:
    """The calendar years whose votes fit the model for votes of ``year``: the ``TRAIN_YEARS``
    years ending with the last year before ``year`` that has known votes (the backtest's
    Y-3..Y-1 when the records reach Y-1); None if no known vote is dated before ``year``."""
    before = known_years[known_years < year]
    if not before.size:
        return None
    last = int(before.max())
    return last - TRAIN_YEARS + 1, last


def fit_origin(features: Features, choices: NDArray[np.int8], yes: NDArray[np.int64]) -> tuple[ModelParams, float]:
    """The model's parameters and the common factor's sigma, fitted on the votes of ``features``
    (as the backtest fits them: :func:`~sim.assembly.calibration.fit_model`, then
    :func:`~sim.assembly.backtest.fit_common_factor` on the yes counts)."""
    params = fit_model(features, choices)
    return params, fit_common_factor(forecast(features, params), yes)


def adoption_probability(probs: NDArray[np.float64], sigma: float, rule: AssemblyRule,
                         nodes: int = 24) -> float:
    """P(adopted) under ``rule`` of a vote whose members (rows: yes, abstain, no, absent) share
    the yes count's common factor (:func:`~sim.assembly.calibration.yes_count_distribution`).

    Given z ~ N(0, 1), member i votes yes with q_i = expit(logit p_yes + sigma z) and abstains,
    votes no or is absent with 1 - q_i shared in the proportions of its other probabilities,
    independently. Article 18 reads the tally only through ``yes - w no`` (``rule.no_weight``)
    and, on an important question, whether anyone voted at all: the distribution of that sum is
    the exact engine's (:mod:`sim.assembly.exact`), at each node, integrated by Gauss-Hermite."""
    p = np.asarray(probs, dtype=float).reshape(-1, 4)
    if sigma < 0:
        raise InputError("sigma", f"must be >= 0, got {sigma}")
    zs, ws = (np.zeros(1), np.ones(1)) if sigma == 0 else np.polynomial.hermite_e.hermegauss(nodes)
    ws = ws / ws.sum()
    p_yes = np.clip(p[:, 0], 1e-12, 1 - 1e-12)
    q = special.expit(special.logit(p_yes)[None, :] + sigma * zs[:, None])  # (nodes, members)
    rest = p[:, 1:].sum(axis=1, keepdims=True)
    share = np.where(rest > 0, p[:, 1:] / np.maximum(rest, 1e-300), 1.0 / 3.0)
    cond = np.concatenate([q[..., None], (1.0 - q)[..., None] * share[None]], axis=-1)
    w, n = rule.no_weight, p.shape[0]
    dist = _scored(cond, (w + 1, w, 0, w))  # index k: yes - w no = k - w n
    if rule.important:  # yes >= 2 no, and at least one yes: minus P(no yes and no no)
        given = dist[:, w * n :].sum(axis=1) - np.prod(cond[..., 1] + cond[..., 3], axis=1)
    else:
        given = dist[:, w * n + 1 :].sum(axis=1)
    return float(np.clip(ws @ given, 0.0, 1.0))


def predict_votes(table: VoteTable, rows: pd.DataFrame, history: pd.DataFrame | None = None, *,
                  question: str | None = None, level: float = 0.9,
                  progress: Callable[[str], None] | None = None,
                  sponsors: Mapping[str, frozenset[str]] | None = None,
                  fit: Callable[[Features, NDArray[np.int8], NDArray[np.int64]], tuple[ModelParams, float]]
                  | None = None) -> AssemblyForecast:
    """Forecast the votes of ``rows`` (from :func:`load_rows`: symbol, date, title, member_state,
    code; nothing about outcomes) from the records of ``table`` and ``history`` (from
    :func:`load_records`; votes already in ``table`` are skipped).

    A vote of day d and year Y is forecast from the records dated before d and parameters fitted
    on the votes of :func:`training_years` (Y). ``progress`` is called after each year's fit and
    once at the end (``len(years) + 1`` calls). ``question`` ("important" or "simple") is the
    majority of Article 18 for every vote; by default each vote's is :func:`question_of` its
    symbol and title, and the events say which (``question``);
    ``fit`` (default :func:`fit_origin`) fits one year's parameters and sigma.

    ``sponsors`` (symbol -> member codes: :attr:`~sim.assembly.calibration.SponsorLists.by_symbol`)
    are the drafts' sponsors, of the known votes and of those to forecast; a vote to forecast whose
    rows carry sponsors (the optional column ``sponsors`` of :func:`load_rows`) has those instead.
    A vote in neither has unknown sponsors, as in the backtest."""
    if question is not None and question not in ("important", "simple"):
        raise InputError("question", f"must be important or simple, got {question!r}")
    fit = fit if fit is not None else fit_origin
    if history is not None:
        table = add_records(table, history)
    votes = _votes_of(rows)
    sponsors = dict(sponsors or {})
    if SPONSORS_COLUMN in rows.columns:
        given = rows[rows[SPONSORS_COLUMN].notna()].drop_duplicates("symbol")
        sponsors.update(zip(given["symbol"], given[SPONSORS_COLUMN], strict=True))
    dates = votes["date"].to_numpy().astype("datetime64[D]")
    day_members = _day_members(dates)
    # the votes to forecast join the table with no outcome: never a precedent, never counted
    merged, where = append_votes(table, list(votes["symbol"]), dates, list(votes["title"]),
                                 {c: np.full(len(votes), NOT_MEMBER, dtype=np.int8)
                                  for m in day_members for c in m})
    known = np.ones(len(merged.vote_ids), dtype=bool)
    known[where] = False
    precedents = find_precedents(merged, usable=known)
    col = {c: i for i, c in enumerate(merged.members)}
    on_day = np.zeros((len(votes), len(merged.members)), dtype=bool)
    for k, members in enumerate(day_members):
        on_day[k, [col[c] for c in members]] = True
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    probs = np.zeros((len(votes), len(merged.members), 4))
    origins: dict[int, Origin] = {}
    for year in sorted({int(y) for y in years}):
        span = training_years(merged.years[known], year)
        if span is None:
            first = votes["symbol"][int(np.flatnonzero(years == year)[0])]
            raise InputError("date", f"{first}: no recorded votes before {year} to fit the model on")
        train = np.flatnonzero(known & (merged.years >= span[0]) & (merged.years <= span[1]))
        params, sigma = fit(build_features(merged, train, precedents, sponsors=sponsors), merged.choices[train],
                            merged.yes_counts[train])
        origins[year] = Origin(year, span, len(train), params, sigma)
        mine = np.flatnonzero(years == year)
        features = build_features(merged, where[mine], precedents, (params.half_life_years,), sponsors)
        probs[mine] = forecast(replace(features, member=on_day[mine]), params)
        if progress is not None:
            progress(str(year))
    k_of = {s: k for k, s in enumerate(votes["symbol"])}
    k = rows["symbol"].map(k_of).to_numpy(dtype=np.int64)
    p = probs[k, [col[c] for c in rows["code"]]]
    members = pd.DataFrame({"symbol": rows["symbol"].to_numpy(), "member_state": rows["member_state"].to_numpy(),
                            "p_yes": p[:, 0], "p_abstain": p[:, 1], "p_no": p[:, 2], "p_absent": p[:, 3]})
    events = []
    for i, s in enumerate(votes["symbol"]):
        origin = origins[int(years[i])]
        present = probs[i, on_day[i]]
        dist = yes_count_distribution(present[:, 0], origin.sigma)
        lo, hi = yes_count_interval(dist, level)
        asked = question if question is not None else question_of(s, votes["title"].iloc[i])
        events.append({"symbol": s, "question": asked,
                       "p_adopted": adoption_probability(present, origin.sigma, AssemblyRule(asked)),
                       "yes_mean": float(np.arange(dist.size) @ dist), "yes_lo": lo, "yes_hi": hi})
    if progress is not None:
        progress("events")
    return AssemblyForecast(members, pd.DataFrame(events, columns=["symbol", "p_adopted", "yes_mean", "yes_lo",
                                                                   "yes_hi", "question"]), origins)


# --------------------------------------------------------------------------------------------
# Loaders: the only functions here that read files.


def check_data_dir(data: Path) -> None:
    """The files :func:`~sim.assembly.calibration.load_vote_table` reads are in ``data``."""
    if not Path(data).is_dir():
        raise InputError("--data", "not a directory", str(data))
    for name in (UNXML, *UNVOTES):
        if not (Path(data) / name).is_file():
            raise InputError("--data", f"no {name} in it (see SOURCES.md)", str(data))


def _read(path: Path, outcomes: bool) -> pd.DataFrame:
    """The rows of ``path`` with codes resolved and each member checked against the day's
    Assembly; without ``outcomes`` the outcome columns are dropped right after reading."""
    from sim.io.records import _read_csv

    required = [*ROW_COLUMNS, "vote"] if outcomes else list(ROW_COLUMNS)
    df = _read_csv(path, required, dtype=str, keep_default_na=False)
    if not outcomes:
        df = df.drop(columns=[c for c in OUTCOME_COLUMNS if c in df.columns])
    source = str(path)
    if df.empty:
        raise InputError("rows", "no data rows", source)
    symbol = df["symbol"].str.strip()
    if (symbol == "").any():
        raise InputError("symbol", f"missing value (row {int(np.flatnonzero(symbol == '')[0]) + 2})", source)
    dates = pd.to_datetime(df["date"].str.strip(), errors="coerce", format="ISO8601")
    if dates.isna().any():
        bad = int(np.flatnonzero(dates.isna())[0])
        raise InputError("date", f"unparseable date {df['date'].iloc[bad]!r} (row {bad + 2})", source)
    out = pd.DataFrame({"symbol": symbol, "date": dates.dt.normalize(), "title": df["title"].str.strip(),
                        "member_state": df["member_state"]})
    codes: dict[str, str] = {}
    for name in out["member_state"].unique():
        try:
            codes[name] = resolve(str(name).strip())
        except UnknownMemberError as exc:
            raise InputError("member_state", str(exc), source) from None
    out["code"] = out["member_state"].map(codes)
    if not outcomes and SPONSORS_COLUMN in df.columns:
        out[SPONSORS_COLUMN] = _sponsor_cells(out["symbol"], df[SPONSORS_COLUMN], source)
    for field in ("date", "title"):
        n = out.groupby("symbol", sort=False)[field].nunique()
        if (n > 1).any():
            raise InputError(field, f"vote {n.index[n > 1][0]} has more than one {field}", source)
    for (s, day), g in out.groupby(["symbol", "date"], sort=False):
        stray = set(g["code"]) - set(members_on(day.date()))
        if stray:
            name = g.loc[g["code"].isin(stray), "member_state"].iloc[0]
            code = codes[name]
            if code in OBSERVERS:
                raise InputError("member_state", f"{name!r}: {OBSERVERS[code]} is an observer state and does "
                                 f"not vote (vote {s})", source)
            raise InputError("member_state", f"{name!r} was not a member of the General Assembly on "
                             f"{day.date()} (vote {s})", source)
    again = out.duplicated(["symbol", "code"])
    if not outcomes and again.any():  # a forecast row per member and vote; records may be corrected
        k = int(np.flatnonzero(again)[0])
        same = (out["symbol"] == out["symbol"].iloc[k]) & (out["code"] == out["code"].iloc[k])
        first = int(np.flatnonzero(same)[0])
        raise InputError("member_state", f"{out['member_state'].iloc[k]!r} is listed twice for vote "
                         f"{out['symbol'].iloc[k]} (rows {first + 2} and {k + 2})", source)
    if outcomes:
        choice = df["vote"].str.strip().str.upper().map(_VOTE_CODES)
        if choice.isna().any():
            bad = int(np.flatnonzero(choice.isna())[0])
            raise InputError("vote", f"unknown vote {df['vote'].iloc[bad]!r} (row {bad + 2}; "
                             "expected Y, A or N)", source)
        out["choice"] = choice.astype(np.int8)
        out = out.drop_duplicates(["symbol", "code"], keep="last")
    return out.reset_index(drop=True)


def _sponsor_cells(symbols: pd.Series, cells: pd.Series, source: str) -> list[frozenset[str] | None]:
    """The optional ``sponsors`` column: each row's member codes (None where the cell is empty);
    every name must be a member's, and the non-empty cells of one vote must agree."""
    out: list[frozenset[str] | None] = []
    seen: dict[str, frozenset[str]] = {}
    for k, (symbol, cell) in enumerate(zip(symbols, cells.fillna("").astype(str), strict=True)):
        names = [n.strip() for n in cell.split(";") if n.strip()]
        if not names:
            out.append(None)
            continue
        codes, bad = sponsor_codes(names)
        if bad:
            message = f"unknown member {bad[0]!r}"
            try:
                resolve(bad[0])
            except UnknownMemberError as exc:
                message = str(exc)
            raise InputError(SPONSORS_COLUMN, f"row {k + 2}: {message}", source)
        if seen.setdefault(symbol, codes) != codes:
            raise InputError(SPONSORS_COLUMN, f"vote {symbol} has more than one list of sponsors (row {k + 2})",
                             source)
        out.append(codes)
    return out


def load_rows(path: Path) -> pd.DataFrame:
    """The rows to forecast (columns of the UNxml long file; the outcome columns, if present,
    are dropped unread): symbol, date, title, member_state (as given) and code, in file order;
    with an optional column ``sponsors`` (the draft's sponsors, member names separated by ";"),
    also ``sponsors``: a frozenset of member codes, None where the cell is empty."""
    return _read(Path(path), outcomes=False)


def load_records(path: Path) -> pd.DataFrame:
    """Recorded votes to add to the data (the UNxml long file's columns, with ``vote``: Y, A or
    N): symbol, date, title, member_state, code, choice (0 yes, 1 abstain, 2 no)."""
    return _read(Path(path), outcomes=True)
