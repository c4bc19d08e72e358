"""``unsc-sim predict --body assembly`` (sim.assembly.predict, sim.cli.calibrate): forecasts of
General Assembly votes from the calibrated model, fitted on records before each vote.

The pure tests run on a synthetic table; the command's tests on a slice of real 2023 rows
(skipped without ../shared/data). The model's fit (about 17 s for one year of origin) is
memoized on its exact inputs, so each distinct training set is fitted once per session.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from numpy.typing import NDArray
from scipy import special

import sim.assembly.predict as ga
from sim.assembly.calibration import NOT_MEMBER, UNVOTES, UNXML, Features, ModelParams, VoteTable
from sim.assembly.membership import members_on
from sim.cli import main
from sim.cli.calibrate import predict_command
from sim.engine.rules import AssemblyRule
from sim.errors import InputError
from tests.cli.test_cli_calibrate import drafts_csv

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PROBS = ["p_yes", "p_abstain", "p_no", "p_absent"]
OUTCOMES = ["vote", "yes_count", "no_count", "abstain_count"]
#: Three real 2023 votes: on Ukraine (February), on Gaza (October and December).
SYMBOLS = ("A/RES/ES-11/6", "A/RES/ES-10/21", "A/RES/ES-10/22")

needs_data = pytest.mark.skipif(not (DATA / UNXML).exists(), reason="../shared/data is absent")

_FITS: dict[str, tuple[ModelParams, float]] = {}


def _digest(features: Features, choices: NDArray[np.int8], yes: NDArray[np.int64]) -> str:
    h = hashlib.sha256()
    for a in (features.targets, features.precedent, features.depth_mask, features.similar, features.has_similar,
              features.age_years, features.member, features.sponsor, choices, yes,
              *(features.base[k] for k in sorted(features.base))):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


@pytest.fixture(autouse=True)
def memoized_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real fit, once per distinct input (same inputs, same result: it is deterministic)."""
    real = ga.fit_origin

    def fit(features: Features, choices: NDArray[np.int8], yes: NDArray[np.int64]) -> tuple[ModelParams, float]:
        key = _digest(features, choices, yes)
        if key not in _FITS:
            _FITS[key] = real(features, choices, yes)
        return _FITS[key]

    monkeypatch.setattr(ga, "fit_origin", fit)


@pytest.fixture(scope="module")
def real_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rows of three real 2023 votes (about 540 rows, outcome columns included)."""
    if not (DATA / UNXML).exists():
        pytest.skip("../shared/data is absent")
    d = pd.read_csv(DATA / UNXML, dtype=str, keep_default_na=False)
    path = tmp_path_factory.mktemp("rows") / "rows.csv"
    d[d["symbol"].isin(SYMBOLS)].to_csv(path, index=False)
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    res = CliRunner().invoke(predict_command, [str(a) for a in args])
    return res.exit_code, res.stdout, res.stderr


def predict(tmp_path: Path, rows: Path, *extra: str | Path, tag: str = "") -> tuple[str, str]:
    """Run ``predict --body assembly`` and return the text of MEMBERS.csv and EVENTS.csv."""
    out, ev = tmp_path / f"m{tag}.csv", tmp_path / f"e{tag}.csv"
    code, stdout, stderr = run(rows, "--body", "assembly", "--out", out, "--events-out", ev,
                               "--data", DATA, *extra)
    assert code == 0, stderr
    assert stdout.startswith(f"wrote {out}")
    return out.read_text(), ev.read_text()


# --------------------------------------------------------------------------------------------
# P(adopted) under Article 18


def _enumerated(probs: NDArray[np.float64], sigma: float, rule: AssemblyRule) -> float:
    """P(adopted) by enumerating every profile, at each Gauss-Hermite node of the factor."""
    zs, ws = (np.zeros(1), np.ones(1)) if sigma == 0 else np.polynomial.hermite_e.hermegauss(24)
    ws = ws / ws.sum()
    total = 0.0
    for z, w in zip(zs, ws, strict=True):
        q = special.expit(special.logit(probs[:, 0]) + sigma * z)
        cond = np.column_stack([q, (1 - q)[:, None] * probs[:, 1:] / probs[:, 1:].sum(axis=1, keepdims=True)])
        for profile in itertools.product(range(4), repeat=len(probs)):
            v = np.array(profile)
            p = np.prod(cond[np.arange(len(v)), v])
            total += w * p * bool(rule.passes((v == 0).sum(), (v == 2).sum()))
    return total


@pytest.mark.parametrize("question", ["important", "simple"])
@pytest.mark.parametrize("sigma", [0.0, 0.8])
def test_adoption_probability_matches_enumeration(question: str, sigma: float) -> None:
    """Against every one of the 4^6 profiles judged by AssemblyRule.passes, to 1e-12."""
    rng = np.random.default_rng(3)
    probs = rng.dirichlet([2.0, 1.0, 1.5, 0.5], size=6)
    rule = AssemblyRule(question)
    assert ga.adoption_probability(probs, sigma, rule) == pytest.approx(_enumerated(probs, sigma, rule), abs=1e-12)


def test_adoption_probability_edges() -> None:
    rule = AssemblyRule("important")
    assert ga.adoption_probability(np.tile([1 - 3e-9, 1e-9, 1e-9, 1e-9], (10, 1)), 0.8, rule) == pytest.approx(1.0)
    assert ga.adoption_probability(np.tile([1e-9, 1e-9, 1 - 3e-9, 1e-9], (10, 1)), 0.8, rule) < 1e-6
    # everyone abstains or is absent: nobody votes, not adopted (Art. 18 needs a yes)
    assert ga.adoption_probability(np.tile([0.0, 0.5, 0.0, 0.5], (4, 1)), 0.0, rule) == pytest.approx(0.0, abs=1e-9)


# --------------------------------------------------------------------------------------------
# The pure forecast on a synthetic table


def _synthetic(seed: int = 0) -> tuple[VoteTable, pd.DataFrame]:
    """Twelve votes in 2021-2022 on three titles, and rows of 2023 votes on two of them."""
    rng = np.random.default_rng(seed)
    days = [dt.date(2021, 3, 1) + dt.timedelta(days=60 * k) for k in range(12)]
    codes = tuple(sorted({c for d in days for c in members_on(d)}))
    choices = rng.integers(0, 4, size=(12, len(codes))).astype(np.int8)
    table = VoteTable(tuple(f"A/RES/{k}" for k in range(12)), np.array(days, dtype="datetime64[D]"),
                      tuple(("Cuba embargo", "Nuclear tests", "Palestine refugees")[k % 3] for k in range(12)),
                      codes, choices)
    members = members_on(dt.date(2023, 5, 1))
    rows = pd.DataFrame([{"symbol": s, "date": pd.Timestamp(d), "title": t, "member_state": c, "code": c}
                         for s, d, t in (("T1", "2023-05-01", "Cuba embargo"), ("T2", "2023-06-01", "Nuclear tests"))
                         for c in members[: 40 if s == "T1" else 193]])
    return table, rows


def _fake_fit(features: Features, choices: NDArray[np.int8], yes: NDArray[np.int64]) -> tuple[ModelParams, float]:
    return ModelParams(), 0.7


def test_forecast_on_a_synthetic_table() -> None:
    """One row per input row, the four probabilities sum to 1; the events cover every member on the
    day (T1 lists only 40), so which rows are listed does not change them."""
    table, rows = _synthetic()
    res = ga.predict_votes(table, rows, fit=_fake_fit)
    assert list(res.members.columns) == ["symbol", "member_state", *PROBS]
    assert len(res.members) == len(rows) and res.members["member_state"].tolist() == rows["member_state"].tolist()
    assert np.allclose(res.members[PROBS].sum(axis=1), 1.0) and res.members[PROBS].min().min() > 0
    assert res.events["symbol"].tolist() == ["T1", "T2"]
    assert res.origins[2023].train_years == (2020, 2022) and res.origins[2023].train_votes == 12
    t1 = rows[rows["symbol"] == "T1"]
    codes = list(members_on(dt.date(2023, 5, 1)))
    everyone = pd.DataFrame({"symbol": "T1", "date": t1["date"].iloc[0], "title": t1["title"].iloc[0],
                             "member_state": codes, "code": codes})
    again = ga.predict_votes(table, pd.concat([everyone, rows[rows["symbol"] == "T2"]]), fit=_fake_fit)
    pd.testing.assert_frame_equal(again.events, res.events)
    ev = res.events.set_index("symbol")
    assert ((ev["yes_lo"] <= ev["yes_mean"]) & (ev["yes_mean"] <= ev["yes_hi"])).all()


def test_sponsors_from_the_rows_or_the_records_raise_a_sponsors_p_yes() -> None:
    """A sponsor of T1 (from the rows' sponsors column, or looked up by symbol) is likelier to vote
    yes, with a fitted sponsor_yes > 0; the column and the lookup give the same forecasts, the
    column wins over the lookup, and other members and votes are unchanged."""
    table, rows = _synthetic()

    def fit(features: Features, choices: NDArray[np.int8], yes: NDArray[np.int64]) -> tuple[ModelParams, float]:
        return ModelParams(sponsor_yes=2.0, sponsor_absent=-1.0), 0.7

    plain = ga.predict_votes(table, rows, fit=fit)
    cuba = frozenset(rows.loc[rows["symbol"] == "T1", "code"].iloc[[3, 7]])  # two of the 40 listed
    column = rows.assign(sponsors=[cuba if s == "T1" else None for s in rows["symbol"]])
    by_column = ga.predict_votes(table, column, fit=fit)
    by_lookup = ga.predict_votes(table, rows, fit=fit, sponsors={"T1": cuba})
    pd.testing.assert_frame_equal(by_column.members, by_lookup.members)
    pd.testing.assert_frame_equal(by_column.events, by_lookup.events)
    over = ga.predict_votes(table, column, fit=fit, sponsors={"T1": frozenset({"FRA"})})
    pd.testing.assert_frame_equal(over.members, by_column.members)
    m, p = by_column.members, plain.members
    sponsor = (m["symbol"] == "T1") & rows["code"].isin(cuba)
    assert sponsor.sum() == 2
    assert (m.loc[sponsor, "p_yes"] > p.loc[sponsor, "p_yes"]).all()
    assert (m.loc[sponsor, "p_absent"] < p.loc[sponsor, "p_absent"]).all()
    pd.testing.assert_frame_equal(m[~sponsor], p[~sponsor])
    assert by_column.events.loc[0, "yes_mean"] > plain.events.loc[0, "yes_mean"]
    pd.testing.assert_series_equal(by_column.events.iloc[1], plain.events.iloc[1])


def test_load_rows_reads_the_sponsors_column(tmp_path: Path) -> None:
    """Semicolon-separated names to member codes, the same on every row of a vote that has them;
    an empty cell is None (look the vote up); no column, no sponsors key."""
    path = _rows(tmp_path / "rows.csv", sponsors=["UKRAINE; united states of america", ""])
    got = ga.load_rows(path)
    assert got["sponsors"].tolist() == [frozenset({"UKR", "USA"}), None]
    assert "sponsors" not in ga.load_rows(_rows(tmp_path / "plain.csv")).columns


def test_records_of_the_day_or_later_and_other_targets_are_not_used() -> None:
    """Changing the records dated on or after a vote's day changes nothing of its forecast; the
    other votes being forecast are never its precedents (T2's title is T1's here)."""
    table, rows = _synthetic()
    rows = rows.assign(title="Cuba embargo")
    base = ga.predict_votes(table, rows, fit=_fake_fit)
    later = pd.DataFrame([{"symbol": "L1", "date": pd.Timestamp(d), "title": "Cuba embargo", "member_state": c,
                           "code": c, "choice": np.int8(2)}
                          for d in ("2023-05-01", "2023-05-20") for c in members_on(dt.date(2023, 5, 1))])
    later.loc[later["date"] == pd.Timestamp("2023-05-20"), "symbol"] = "L2"
    with_later = ga.predict_votes(table, rows, later, fit=_fake_fit)
    t1 = base.members["symbol"] == "T1"
    pd.testing.assert_frame_equal(with_later.members[t1], base.members[t1])
    assert not with_later.members[~t1].equals(base.members[~t1])  # L1, L2 are before T2
    alone = ga.predict_votes(table, rows[rows["symbol"] == "T2"].reset_index(drop=True), fit=_fake_fit)
    pd.testing.assert_frame_equal(alone.members, base.members[~t1].reset_index(drop=True))
    pd.testing.assert_frame_equal(alone.events, base.events.iloc[1:].reset_index(drop=True))


@pytest.mark.parametrize(("symbol", "title", "question"), [
    ("A/RES/ES-11/6", "Principles of the Charter underlying a comprehensive peace in Ukraine", "important"),
    ("A/RES/ES-10/21", "Protection of civilians and upholding legal and humanitarian obligations", "important"),
    ("A/RES/75/250", "Financing of the United Nations Interim Force in Lebanon", "important"),
    ("A/RES/77/263", "Special subjects relating to the proposed programme budget for 2023", "important"),
    ("A/RES/78/208", "Strengthening the role of the United Nations in the promotion of democratization and "
                     "enhancing periodic and genuine elections", "simple"),
    ("A/RES/75/287", "The situation in Myanmar", "simple"),
    ("A/RES/76/150", "The right of the Palestinian people to self-determination", "simple"),
])
def test_question_of_a_vote(symbol: str, title: str, question: str) -> None:
    assert ga.question_of(symbol, title) == question


def test_each_vote_is_judged_by_its_own_majority() -> None:
    """With the default, each event's P(adopted) is adoption_probability under the rule of its
    question_of; question= applies one rule to all. T1 (a simple question) with members who vote
    no a third of the time is likelier to pass by a simple majority than by two thirds."""
    table, rows = _synthetic()
    rows = rows.assign(title=np.where(rows["symbol"] == "T1", "Cuba embargo", "Programme budget for 2024"))
    auto = ga.predict_votes(table, rows, fit=_fake_fit).events.set_index("symbol")
    assert auto["question"].to_dict() == {"T1": "simple", "T2": "important"}
    by = {q: ga.predict_votes(table, rows, question=q, fit=_fake_fit).events.set_index("symbol")
          for q in ("important", "simple")}
    assert (by["important"]["question"] == "important").all() and (by["simple"]["question"] == "simple").all()
    assert auto.loc["T1", "p_adopted"] == by["simple"].loc["T1", "p_adopted"]
    assert auto.loc["T2", "p_adopted"] == by["important"].loc["T2", "p_adopted"]
    assert by["simple"].loc["T1", "p_adopted"] > by["important"].loc["T1", "p_adopted"]
    with pytest.raises(InputError, match="question"):
        ga.predict_votes(table, rows, question="two thirds", fit=_fake_fit)


def test_no_records_before_the_year_is_an_input_error() -> None:
    table, rows = _synthetic()
    with pytest.raises(InputError, match="T0: no recorded votes before 2020 to fit the model on"):
        ga.predict_votes(table, rows.assign(symbol="T0", date=pd.Timestamp("2020-06-01"), title="x"), fit=_fake_fit)


# --------------------------------------------------------------------------------------------
# The command on real 2023 rows


@needs_data
def test_members_and_events_of_real_votes(tmp_path: Path, real_rows: Path) -> None:
    src = pd.read_csv(real_rows, dtype=str, keep_default_na=False)
    src.loc[src["member_state"] == "ALBANIA", "member_state"] = " Albania"  # echoed as given
    rows = tmp_path / "rows.csv"
    src.to_csv(rows, index=False)
    predict(tmp_path, rows)
    m = pd.read_csv(tmp_path / "m.csv", dtype={"member_state": str}, keep_default_na=False)
    assert list(m.columns) == ["symbol", "member_state", *PROBS]
    assert m["symbol"].tolist() == src["symbol"].tolist()
    assert m["member_state"].tolist() == src["member_state"].tolist() and " Albania" in set(m["member_state"])
    assert ((m[PROBS] >= 0) & (m[PROBS] <= 1)).all().all()
    assert (m[PROBS].sum(axis=1) - 1).abs().max() < 1e-5  # the four sum to 1 (rounded to 1e-6)
    e = pd.read_csv(tmp_path / "e.csv").set_index("symbol")
    assert list(e.columns) == ["p_adopted", "yes_mean", "yes_lo", "yes_hi", "question"]
    assert (e["question"] == "important").all()  # emergency special sessions
    assert sorted(e.index) == sorted(SYMBOLS)
    assert e["p_adopted"].between(0, 1).all() and (e["p_adopted"] > 0.8).all()  # all three were adopted
    assert ((e["yes_lo"] <= e["yes_mean"]) & (e["yes_mean"] <= e["yes_hi"]) & (e["yes_hi"] <= 193)).all()
    # ES-10/22 repeats ES-10/21 (a similar title, seven weeks before), where the US voted no
    us = m[(m["member_state"] == "UNITED STATES")].set_index("symbol")["p_no"]
    assert us["A/RES/ES-10/22"] > 0.9 > 0.6 > us["A/RES/ES-10/21"]


@needs_data
def test_outcome_columns_are_never_read(tmp_path: Path, real_rows: Path) -> None:
    """Scrambled, nonsensical or absent outcome columns give byte-identical outputs."""
    src = pd.read_csv(real_rows, dtype=str, keep_default_na=False)
    scrambled = src.copy()
    rng = np.random.default_rng(0)
    for c in OUTCOMES:
        scrambled[c] = rng.permutation(scrambled[c].to_numpy())
    scrambled.loc[::7, "vote"] = "zzz"
    scrambled.loc[::5, "yes_count"] = "not a number"
    paths = [real_rows, tmp_path / "scrambled.csv", tmp_path / "none.csv"]
    scrambled.sample(frac=1.0, axis=1, random_state=2).to_csv(paths[1], index=False)  # columns shuffled too
    src.drop(columns=OUTCOMES).to_csv(paths[2], index=False)
    outs = [predict(tmp_path, p, tag=str(k)) for k, p in enumerate(paths)]
    assert outs[0] == outs[1] == outs[2]


@needs_data
def test_a_sponsors_column_is_used_in_place_of_the_records(tmp_path: Path, real_rows: Path) -> None:
    """Without the column, each vote's sponsors are looked up in the extracts of --data: the column
    giving the same names changes nothing, byte for byte; naming Russia the sponsor of ES-11/6
    (instead of Ukraine and 56 others) raises Russia's P(yes) there and lowers Ukraine's, and the
    other votes are unchanged."""
    from sim.assembly.calibration import load_sponsors
    from sim.scenario.names import display_name

    src = pd.read_csv(real_rows, dtype=str, keep_default_na=False)
    known = load_sponsors(DATA).by_symbol
    assert len(known["A/RES/ES-11/6"]) == 57 and "UKR" in known["A/RES/ES-11/6"]
    same = src.assign(sponsors=["; ".join(display_name(c) for c in sorted(known[s])) for s in src["symbol"]])
    other = src.assign(sponsors=np.where(src["symbol"] == "A/RES/ES-11/6", "Russian Federation", ""))
    paths = [tmp_path / "same.csv", tmp_path / "other.csv"]
    same.to_csv(paths[0], index=False)
    other.to_csv(paths[1], index=False)
    plain = predict(tmp_path, real_rows, tag="plain")
    assert predict(tmp_path, paths[0], tag="same") == plain
    predict(tmp_path, paths[1], tag="other")
    m0 = pd.read_csv(tmp_path / "mplain.csv").set_index(["symbol", "member_state"])
    m1 = pd.read_csv(tmp_path / "mother.csv").set_index(["symbol", "member_state"])
    es11 = ("A/RES/ES-11/6", "RUSSIAN FEDERATION")
    assert m1.loc[es11, "p_yes"] > m0.loc[es11, "p_yes"]
    assert m1.loc[("A/RES/ES-11/6", "UKRAINE"), "p_yes"] < m0.loc[("A/RES/ES-11/6", "UKRAINE"), "p_yes"]
    rest = m0.index.get_level_values("symbol") != "A/RES/ES-11/6"
    pd.testing.assert_frame_equal(m1[rest], m0[rest])


def _data_before(tmp_path: Path, day: str) -> Path:
    """A data directory whose UNxml records stop before ``day`` (the other sources linked)."""
    data = tmp_path / "data"
    data.mkdir()
    for name in UNVOTES:
        (data / name).symlink_to(DATA / name)
    d = pd.read_csv(DATA / UNXML, dtype=str, keep_default_na=False)
    with gzip.open(data / UNXML, "wt") as fh:
        d[d["date"] < day].to_csv(fh, index=False)
    return data


@needs_data
def test_history_adds_only_the_records_before_each_vote(tmp_path: Path, real_rows: Path) -> None:
    """With the data cut at 2023-07-01 and the rest of 2023 as --history, each vote reads the
    history's records before its day and nothing of that day or later, however they are altered
    (here every vote from ES-10/22's day, 2023-12-12, on turned to no); the February vote reads
    none of the history."""
    data = _data_before(tmp_path, "2023-07-01")
    d = pd.read_csv(DATA / UNXML, dtype=str, keep_default_na=False)
    hist = d[d["date"] >= "2023-07-01"]
    before = hist[hist["date"] < "2023-12-12"]
    altered = hist.assign(vote=np.where(hist["date"] >= "2023-12-12", "N", hist["vote"]))
    paths = {"before": tmp_path / "before.csv", "altered": tmp_path / "altered.csv"}
    before.to_csv(paths["before"], index=False)
    altered.to_csv(paths["altered"], index=False)
    outs = {}
    runs: list[tuple[str, list[str | Path]]] = [("none", []), ("before", ["--history", paths["before"]]),
                                                ("altered", ["--history", paths["altered"]])]
    for tag, extra in runs:
        out, ev = tmp_path / f"m_{tag}.csv", tmp_path / f"e_{tag}.csv"
        code, _, stderr = run(real_rows, "--body", "assembly", "--data", data, "--out", out, "--events-out", ev,
                              *extra)
        assert code == 0, stderr
        outs[tag] = (pd.read_csv(out), pd.read_csv(ev))
    pd.testing.assert_frame_equal(outs["before"][0], outs["altered"][0])
    pd.testing.assert_frame_equal(outs["before"][1], outs["altered"][1])
    feb = outs["none"][0]["symbol"] == "A/RES/ES-11/6"
    pd.testing.assert_frame_equal(outs["none"][0][feb], outs["before"][0][feb])  # all of it is later
    assert not outs["none"][0][~feb].equals(outs["before"][0][~feb])  # the later votes read it
    events = {tag: ev.set_index("symbol") for tag, (_, ev) in outs.items()}
    pd.testing.assert_series_equal(events["none"].loc["A/RES/ES-11/6"], events["before"].loc["A/RES/ES-11/6"])


# --------------------------------------------------------------------------------------------
# Bad input: one line naming the file and the field, exit 2


def _rows(path: Path, **change: object) -> Path:
    frame = pd.DataFrame({"date": ["2023-02-23", "2023-02-23"], "symbol": ["A/RES/ES-11/6"] * 2,
                          "session_file": ["ES-11"] * 2, "draft": ["A/ES-11/L.7"] * 2,
                          "member_state": ["ALBANIA", "RUSSIAN FEDERATION"], "vote": ["Y", "N"],
                          "yes_count": [141] * 2, "no_count": [7] * 2, "abstain_count": [32] * 2,
                          "title": ["Principles of the Charter ... in Ukraine"] * 2})
    for k, v in change.items():
        if v is None:
            frame = frame.drop(columns=k)
        else:
            frame[k] = v
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("change, message", [
    ({"title": None}, "title: missing column"),
    ({"member_state": None}, "member_state: missing column"),
    ({"date": ["2023-02-23", "2023-02-30"]}, "date: unparseable date '2023-02-30' (row 3)"),
    ({"date": ["2023-02-23", "2023-02-24"]}, "date: vote A/RES/ES-11/6 has more than one date"),
    ({"symbol": ["A/RES/ES-11/6", ""]}, "symbol: missing value (row 3)"),
    ({"member_state": ["ALBANIA", "Atlantis"]}, "member_state: unknown UN member name 'Atlantis'"),
    ({"member_state": ["ALBANIA", "South Sudan"], "date": ["2011-01-04"] * 2},
     "member_state: 'South Sudan' was not a member of the General Assembly on 2011-01-04"),
    ({"member_state": ["ALBANIA", "HOLY SEE"]},
     "member_state: 'HOLY SEE': the Holy See is an observer state and does not vote (vote A/RES/ES-11/6)"),
    ({"member_state": ["ALBANIA", "Albania"]},
     "member_state: 'Albania' is listed twice for vote A/RES/ES-11/6 (rows 2 and 3)"),
    ({"sponsors": ["UKRAINE;Atlantis", ""]}, "sponsors: row 2: unknown UN member name 'Atlantis'"),
    ({"sponsors": ["UKRAINE", "UKRAINE;JAPAN"]},
     "sponsors: vote A/RES/ES-11/6 has more than one list of sponsors (row 3)"),
])
def test_bad_rows_are_one_line_exit_2(tmp_path: Path, change: dict[str, object], message: str) -> None:
    rows = _rows(tmp_path / "rows.csv", **change)
    code, stdout, stderr = run(rows, "--body", "assembly", "--out", tmp_path / "m.csv", "--data", tmp_path)
    assert code == 2 and stdout == ""
    assert stderr.startswith(f"{rows}: {message}") and stderr.count("\n") == 1, stderr
    assert not (tmp_path / "m.csv").exists()


def test_bad_history_data_and_flags_are_one_line_exit_2(tmp_path: Path) -> None:
    rows = _rows(tmp_path / "rows.csv")
    hist = _rows(tmp_path / "hist.csv", vote=["Y", "X"])
    out = tmp_path / "m.csv"
    cases: list[tuple[list[str | Path], str]] = [
        (["--history", hist, "--data", tmp_path], f"{hist}: vote: unknown vote 'X' (row 3; expected Y, A or N)"),
        (["--history", _rows(tmp_path / "h2.csv", vote=None), "--data", tmp_path],
         f"{tmp_path / 'h2.csv'}: vote: missing column"),
        (["--data", tmp_path / "nope"], f"{tmp_path / 'nope'}: --data: not a directory"),
        (["--data", tmp_path], f"{tmp_path}: --data: no {UNXML} in it (see SOURCES.md)"),
        (["--params", tmp_path / "p.json"], "--params: only with --body council"),
    ]
    for extra, message in cases:
        code, stdout, stderr = run(rows, "--body", "assembly", "--out", out, *extra)
        assert code == 2 and stdout == "", (extra, stderr)
        assert stderr.startswith(message) and stderr.count("\n") == 1, (extra, stderr)
    res = CliRunner().invoke(main, ["predict", str(rows), "--body", "senate", "--out", str(out)])
    assert res.exit_code == 2 and res.stderr.startswith("unsc-sim: Invalid value for '--body'")
    assert res.stderr.count("\n") == 1
    code, _, stderr = run(rows, "--out", out, "--data", tmp_path)  # the Council's has no --data
    assert code == 2 and stderr == "--data: only with --body assembly (the Council's predict uses --params)\n"
    code, _, stderr = run(rows, "--out", out, "--question", "simple")
    assert code == 2 and stderr == "--question: only with --body assembly (the Council's rule is Art. 27)\n"
    out.write_text("mine\n")
    code, _, stderr = run(rows, "--body", "assembly", "--out", out, "--data", tmp_path)
    assert code == 2 and stderr == f"{out}: --out: exists; pass --force to overwrite it\n"
    assert out.read_text() == "mine\n"


def test_the_council_predict_is_unchanged(tmp_path: Path) -> None:
    """``--body council`` is the default: the same files with and without it."""
    src = drafts_csv(tmp_path / "drafts.csv", with_outcomes=True)
    texts = []
    for extra in ([], ["--body", "council"]):
        out, ev = tmp_path / f"m{len(extra)}.csv", tmp_path / f"e{len(extra)}.csv"
        code, _, stderr = run(src, "--out", out, "--events-out", ev, *extra)
        assert code == 0, stderr
        texts.append((out.read_text(), ev.read_text()))
    assert texts[0] == texts[1] and texts[0][0].startswith("ID,Member State,p_yes,p_abstain,p_no\n")


def test_not_a_member_code_in_tables() -> None:
    """append_votes keeps the old votes' outcomes and marks the new states not members there."""
    table, _ = _synthetic()
    merged, where = ga.append_votes(table, ["N1"], np.array(["2021-04-01"], dtype="datetime64[D]"), ["x"],
                                    {"ZZZ": np.array([0], dtype=np.int8)})
    assert merged.vote_ids[int(where[0])] == "N1" and merged.vote_ids[0] == "A/RES/0"
    z = merged.members.index("ZZZ")
    assert (np.delete(merged.choices[:, z], where) == NOT_MEMBER).all() and merged.choices[where[0], z] == 0
    keep = [merged.members.index(c) for c in table.members]
    assert (np.delete(merged.choices[:, keep], where, axis=0) == table.choices).all()
