"""Tests of the Assembly vote model and its backtest (sim/assembly/calibration.py, backtest.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest

from sim.assembly.backtest import (
    base_rate_baseline,
    last_vote_baseline,
    mix_floor,
    run_backtest,
)
from sim.assembly.calibration import (
    NOT_MEMBER,
    ModelParams,
    VoteTable,
    build_features,
    choice_log_loss,
    find_precedents,
    fit_model,
    forecast,
    normalize_title,
    yes_count_distribution,
    yes_count_interval,
)
from sim.errors import InputError

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def table(dates: list[str], titles: list[str], choices: list[list[int]]) -> VoteTable:
    members = tuple(f"M{i:02d}" for i in range(len(choices[0])))
    return VoteTable(tuple(f"v{i}" for i in range(len(dates))), np.array(dates, dtype="datetime64[D]"),
                     tuple(titles), members, np.array(choices, dtype=np.int8))


def recurring(years: int = 4, members: int = 30, titles: int = 12, seed: int = 0) -> VoteTable:
    """Every title voted once a year; each member has a fixed, mostly kept, choice per title."""
    rng = np.random.default_rng(seed)
    stance = rng.integers(0, 3, size=(titles, members))
    dates, names, rows = [], [], []
    for y, t in itertools.product(range(years), range(titles)):
        dates.append(f"{2010 + y}-12-{1 + t:02d}")
        names.append(f"Question number {t} topic {'abcdefghijklmnop'[t]}")
        keep = rng.random(members) < 0.9
        row = np.where(keep, stance[t], rng.integers(0, 4, size=members))
        rows.append(row.tolist())
    return table(dates, names, rows)


def test_normalize_title_ignores_case_punctuation_digits_and_unicode_hyphens() -> None:
    assert normalize_title("Non\u2011nuclear-weapon States, 2019 : the") == normalize_title("non nuclear weapon states")
    assert normalize_title("Harmony with Nature ") == "harmony nature"


def test_vote_table_rejects_bad_shapes_and_codes() -> None:
    with pytest.raises(InputError, match="shape"):
        VoteTable(("a",), np.array(["2020-01-01"], dtype="datetime64[D]"), ("t",), ("X", "Y"),
                  np.zeros((1, 3), dtype=np.int8))
    with pytest.raises(InputError, match="outcomes"):
        table(["2020-01-01"], ["t"], [[0, 7]])
    with pytest.raises(InputError, match="date order"):
        table(["2020-01-02", "2020-01-01"], ["t", "t"], [[0], [0]])


def test_no_look_ahead_forecast_ignores_same_day_and_later_records() -> None:
    full = recurring(years=4)
    target = int(np.flatnonzero(full.years == 2012)[3])
    day = full.days[target]
    altered = full.choices.copy()
    rng = np.random.default_rng(1)
    later = full.days >= day
    altered[later] = rng.integers(0, 4, size=altered[later].shape)
    titles = tuple(("Question number 3 topic d" if later[i] and i != target else t) for i, t in enumerate(full.titles))
    changed = VoteTable(full.vote_ids, full.dates, titles, full.members, altered)
    truncated = full.select(~later | (np.arange(len(full.vote_ids)) == target))
    params = ModelParams()
    results = []
    for t, row in ((full, target), (changed, target), (truncated, int(np.flatnonzero(truncated.vote_ids == np.array(
            full.vote_ids[target]))[0]))):
        f = build_features(t, np.array([row]), find_precedents(t))
        results.append(forecast(f, params))
    np.testing.assert_allclose(results[0], results[1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(results[0], results[2], rtol=0, atol=1e-12)


def test_forecasts_are_distributions_and_non_members_are_zero() -> None:
    t = table(["2020-01-01", "2021-01-01", "2022-01-01"], ["a b", "a b", "a b"],
              [[0, 2, NOT_MEMBER], [1, 3, 0], [0, 0, 0]])
    probs = forecast(build_features(t, np.array([0, 1, 2]), find_precedents(t)), ModelParams())
    np.testing.assert_allclose(probs.sum(axis=-1), [[1, 1, 0], [1, 1, 1], [1, 1, 1]], atol=1e-12)
    assert (probs[0, 2] == 0).all()


def test_baseline_log_losses_by_hand() -> None:
    # two members; 2020: same title twice; 2021: the test vote
    t = table(["2020-03-01", "2020-06-01", "2021-03-01"], ["Peace", "Peace", "Peace"],
              [[0, 2], [0, 3], [0, 2]])
    test = np.array([2])
    base = base_rate_baseline(t, test, 2021)
    # member 0: two yes -> (2.5, .5, .5, .5)/4; member 1: one no, one absent -> (.5, .5, 1.5, 1.5)/4
    np.testing.assert_allclose(base[0, 0], [0.625, 0.125, 0.125, 0.125])
    np.testing.assert_allclose(base[0, 1], [0.125, 0.125, 0.375, 0.375])
    assert choice_log_loss(base, t.choices[test]) == pytest.approx(-(np.log(0.625) + np.log(0.375)) / 2)
    # last vote: member 0 yes, member 1 absent at the 2020-06 vote; floor 0.2 puts 0.05 on the others
    last = mix_floor(last_vote_baseline(t, test, find_precedents(t), base), 0.2, t.choices[test] != NOT_MEMBER)
    np.testing.assert_allclose(last[0, 0], [0.85, 0.05, 0.05, 0.05])
    assert choice_log_loss(last, t.choices[test]) == pytest.approx(-(np.log(0.85) + np.log(0.05)) / 2)


def test_model_beats_base_rates_on_recurring_titles() -> None:
    t = recurring(years=5, members=40, titles=15, seed=3)
    precedents = find_precedents(t)
    train, test = np.flatnonzero((t.years >= 2011) & (t.years < 2014)), np.flatnonzero(t.years == 2014)
    params = fit_model(build_features(t, train, precedents, (1.0,)), t.choices[train])
    model = choice_log_loss(forecast(build_features(t, test, precedents, (1.0,)), params), t.choices[test])
    base = mix_floor(base_rate_baseline(t, test, 2014), 0.01, t.choices[test] != NOT_MEMBER)
    assert model < 0.6 * choice_log_loss(base, t.choices[test])
    # the fit learned that members keep their votes: the weight of a one-year-old same-title precedent
    assert 1 / (1 + np.exp(-(params.alpha_exact + params.age_slope))) > 0.7


def test_yes_count_distribution_matches_enumeration() -> None:
    p = np.array([0.1, 0.5, 0.7, 0.95])
    exact = np.zeros(5)
    for draw in itertools.product((0, 1), repeat=4):
        exact[sum(draw)] += np.prod([pi if d else 1 - pi for pi, d in zip(p, draw, strict=True)])
    np.testing.assert_allclose(yes_count_distribution(p), exact, atol=1e-12)
    wide = yes_count_distribution(np.full(50, 0.6), sigma=1.0)
    assert wide.sum() == pytest.approx(1.0, abs=1e-9)
    assert (np.arange(51) ** 2 @ wide - (np.arange(51) @ wide) ** 2) > 50 * 0.24  # more spread than binomial


def test_yes_count_interval_tails() -> None:
    dist = yes_count_distribution(np.full(100, 0.5))
    lo, hi = yes_count_interval(dist, 0.9)
    assert dist[:lo].sum() <= 0.05 < dist[: lo + 1].sum()
    assert dist[hi + 1 :].sum() <= 0.05 < dist[hi:].sum()


@pytest.mark.skipif(not DATA.is_dir(), reason="shared data directory absent")
def test_real_backtest_one_year_beats_base_rates() -> None:
    from sim.assembly.backtest import load_ideal_points
    from sim.assembly.calibration import load_vote_table

    t = load_vote_table(DATA, start=dt.date(2017, 1, 1))
    assert t.dates.max() < np.datetime64("2024-01-01")
    assert len(t.members) == 193
    result = run_backtest(t, load_ideal_points(DATA), years=(2021,), half_lives=(1.0,))
    ll = dict(zip(result.scores["method"], result.scores["log_loss"], strict=True))
    assert ll["model"] < 0.8 * ll["base rates"]
    assert ll["model"] < ll["last vote"]
    assert result.scores.set_index("method").loc["model+factor", "coverage90"] >= 0.8


def test_load_vote_table_on_small_files_in_each_format(tmp_path: Path) -> None:
    """Tiny gzipped files in the unvotes (roll calls, votes) and UNxml long formats: the unvotes
    roll calls before UNxml's first day, less amendments, paragraphs and calls before ``start``;
    UNxml's votes from its first day; titles without the DL suffix; a member on the day in none
    of a vote's lists is absent, a non-member is NOT_MEMBER."""
    import pandas as pd

    from sim.assembly.calibration import UNVOTES, UNXML, load_vote_table
    from sim.assembly.membership import members_on

    pd.DataFrame({"rcid": [1, 2, 3, 4, 5], "session": [70, 74, 74, 74, 66],
                  "importantvote": 0, "date": ["2015-12-01", "2019-10-01", "2019-10-02", "2019-10-03", "2011-12-01"],
                  "unres": ["R/70/1", "R/74/1", "R/74/2", "R/74/3", "R/66/1"], "amend": [0, 0, 1, 0, 0],
                  "para": [0, 0, 0, 1, 0], "short": ["Cuba embargo", None, "x", "y", "z"],
                  "descr": ["d1", "Nuclear tests : resolution / adopted by recorded vote", "d3", "d4", "d5"],
                  }).to_csv(tmp_path / UNVOTES[0], index=False, compression="gzip")
    pd.DataFrame({"rcid": [1, 1, 2, 2, 2, 3, 5], "country": ["United States", "Cuba", "United States", "Cuba",
                                                             "South Sudan", "Cuba", "Cuba"],
                  "country_code": ["US", "CU", "US", "CU", "SS", "CU", "CU"],
                  "vote": ["no", "yes", "abstain", "yes", "no", "no", "no"],
                  }).to_csv(tmp_path / UNVOTES[1], index=False, compression="gzip")
    pd.DataFrame({"date": ["2019-11-07"] * 3, "symbol": ["A/RES/74/7"] * 3, "session_file": ["74"] * 3,
                  "draft": ["A/74/L.6"] * 3, "member_state": ["UNITED STATES OF AMERICA", "CUBA", "ISRAEL"],
                  "vote": ["N", "Y", "N"], "yes_count": 187, "no_count": 3.0, "abstain_count": 2.0,
                  "title": ["Necessity of ending the embargo against Cuba"] * 3,
                  }).to_csv(tmp_path / UNXML, index=False, compression="gzip")
    t = load_vote_table(tmp_path, start=dt.date(2012, 1, 1))
    assert t.vote_ids == ("rcid:1", "rcid:2", "A/RES/74/7")
    assert t.titles == ("Cuba embargo", "Nuclear tests", "Necessity of ending the embargo against Cuba")
    assert t.dates.astype(str).tolist() == ["2015-12-01", "2019-10-01", "2019-11-07"]
    col = {c: i for i, c in enumerate(t.members)}
    expected = {"USA": [2, 1, 2], "CUB": [0, 0, 0], "ISR": [3, 3, 2], "SSD": [3, 2, 3], "FRA": [3, 3, 3]}
    for code, row in expected.items():
        assert t.choices[:, col[code]].tolist() == row, code
    on_2015 = set(members_on(dt.date(2015, 12, 1)))
    assert set(t.members) >= on_2015 and len(on_2015) == 193
    assert ((t.choices != NOT_MEMBER).sum(axis=1) == 193).all()


# --------------------------------------------------------------------------------------------
# Sponsors


def test_load_sponsors_on_a_tiny_jsonl(tmp_path: Path) -> None:
    """Original sponsors only (additional_sponsors are not read); a group's chair counts alone; a
    committee's draft has no state; a name that is no state's is counted as unresolved."""
    import gzip
    import json

    from sim.assembly.calibration import load_sponsors

    records = [
        {"symbol": "A/RES/78/1", "sponsors": ["CUBA", "BOLIVIA (PLURINATIONAL STATE OF)"],
         "additional_sponsors": ["FRANCE"]},
        {"symbol": "A/RES/78/2", "sponsors": ["GUYANA (ON BEHALF OF THE STATES MEMBERS OF THE UNITED NATIONS THAT "
                                              "ARE MEMBERS OF THE GROUP OF 77 AND CHINA)", "TÜRKIYE"]},
        {"symbol": "A/RES/78/3", "sponsors": ["SUBMITTED BY THE CHAIR OF THE COMMITTEE"]},
        {"symbol": "A/RES/78/4", "sponsors": ["ATLANTIS", "JAPAN"], "additional_sponsors": []},
    ]
    with gzip.open(tmp_path / "unxml_ga_extract_78.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r) for r in records) + "\n")
    with gzip.open(tmp_path / "unxml_ga_extract_ES-11.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"symbol": "A/RES/ES-11/1", "sponsors": ["UKRAINE"]}) + "\n")
    s = load_sponsors(tmp_path)
    assert dict(s.by_symbol) == {"A/RES/78/1": {"CUB", "BOL"}, "A/RES/78/2": {"GUY", "TUR"}, "A/RES/78/3": set(),
                                 "A/RES/78/4": {"JPN"}, "A/RES/ES-11/1": {"UKR"}}
    assert s.unresolved == (("A/RES/78/4", "ATLANTIS"),)
    assert load_sponsors(tmp_path / "nothing").by_symbol == {}
    (tmp_path / "bad").mkdir()
    with gzip.open(tmp_path / "bad" / "unxml_ga_extract_74.jsonl.gz", "wt") as fh:
        fh.write('{"symbol": "A/RES/74/1", "sponsors": "CUBA"}\n')
    with pytest.raises(InputError, match="line 1: must be a list"):
        load_sponsors(tmp_path / "bad")


def _sponsored(t: VoteTable, targets: np.ndarray, sponsors: dict[str, frozenset[str]] | None) -> object:
    return build_features(t, targets, find_precedents(t), (1.0,), sponsors)


def test_a_sponsor_votes_yes_more_and_unknown_sponsors_change_nothing() -> None:
    """With sponsor_yes > 0 the sponsor's P(yes) rises (and P(absent) falls with sponsor_absent < 0),
    by exactly the odds ratio; non-sponsors and votes of unknown sponsors are as in the model
    without sponsors, to the last bit (and sponsors too with both shifts at 0, within rounding)."""
    t = recurring(years=3, members=10, titles=4, seed=2)
    targets = np.flatnonzero(t.years == 2012)
    sponsors = {t.vote_ids[targets[0]]: frozenset({"M01", "M03"}), t.vote_ids[targets[1]]: frozenset()}
    old = forecast(_sponsored(t, targets, None), ModelParams(half_life_years=1.0))
    shifted = ModelParams(half_life_years=1.0, sponsor_yes=1.5, sponsor_absent=-1.0)
    f = _sponsored(t, targets, sponsors)
    assert f.sponsor[0].tolist() == [0, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    assert (f.sponsor[1] == 0).all() and (f.sponsor[2:] == -1).all()
    np.testing.assert_allclose(forecast(f, ModelParams(half_life_years=1.0)), old, rtol=0, atol=1e-15)
    new = forecast(f, shifted)
    np.testing.assert_array_equal(forecast(_sponsored(t, targets, None), shifted), old)  # unknown: nothing
    np.testing.assert_array_equal(new[1:], old[1:])  # no sponsor in these votes
    others = [0, 2, 4, 5, 6, 7, 8, 9]
    np.testing.assert_array_equal(new[0, others], old[0, others])
    for m in (1, 3):
        assert new[0, m, 0] > old[0, m, 0] and new[0, m, 3] < old[0, m, 3]
        assert new[0, m].sum() == pytest.approx(1.0, abs=1e-12)
    # the odds ratios, read off the mixture inside the floor
    floor = shifted.floor

    def inner(p: np.ndarray) -> np.ndarray:
        return (p - floor / 4) / (1 - floor)

    o, n = inner(old[0, 1]), inner(new[0, 1])
    assert (n[3] / (1 - n[3])) / (o[3] / (1 - o[3])) == pytest.approx(np.exp(-1.0), rel=1e-9)
    assert (n[0] / (n[1] + n[2])) / (o[0] / (o[1] + o[2])) == pytest.approx(np.exp(1.5), rel=1e-9)


def test_fit_learns_the_sponsor_shift_and_keeps_it_at_zero_without_sponsors() -> None:
    """Sponsors (two a vote) always vote yes here: the fitted shift is positive; with no sponsors
    known the shifts are exactly 0 and the other parameters those of the model without them."""
    t = recurring(years=4, members=30, titles=10, seed=5)
    train = np.flatnonzero(t.years >= 2011)
    rng = np.random.default_rng(4)
    choices = t.choices.copy()
    sponsors: dict[str, frozenset[str]] = {}
    for v in train:
        picks = rng.choice(30, size=2, replace=False)
        choices[v, picks] = 0
        sponsors[t.vote_ids[v]] = frozenset(t.members[i] for i in picks)
    t = VoteTable(t.vote_ids, t.dates, t.titles, t.members, choices)
    fitted = fit_model(_sponsored(t, train, sponsors), t.choices[train])
    assert fitted.sponsor_yes > 1.0
    plain = fit_model(_sponsored(t, train, None), t.choices[train])
    assert plain.sponsor_yes == 0.0 and plain.sponsor_absent == 0.0
