"""Tests for sim.render.charts: the app's Altair charts, checked as Vega-Lite data."""

from __future__ import annotations

import ast
from itertools import product
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pytest

import sim
from sim.engine.result import SimulationResult
from sim.engine.sensitivity import sensitivity
from sim.render import charts, comparisons

BASE = {
    "scenario": {"name": "chart test"},
    "council": {"year": 2022},
    "votes": {
        "Russia": {"yes": 0.2, "abstain": 0.3, "no": 0.5},
        "China": {"yes": 0.4, "abstain": 0.6},
        "India": {"yes": 0.5, "abstain": 0.4, "absent": 0.1},
    },
    "correlation": {"common": 0.1},
}
AMENDED = {
    **BASE,
    "amendments": [
        {"name": "First", "votes": {"Russia": {"yes": 1.0}}, "effect": {"Russia": {"yes": 0.9, "abstain": 0.1}}},
        {"name": "Second", "procedural": True, "votes": {"China": {"no": 1.0}}},
    ],
}


@pytest.fixture(scope="module")
def exact() -> SimulationResult:
    return sim.simulate(BASE, method="exact", calibrator=None)


@pytest.fixture(scope="module")
def mc() -> SimulationResult:
    return sim.simulate(BASE, draws=20_000, seed=3, calibrator=None)


def layers(chart: alt.TopLevelMixin) -> list[dict[str, Any]]:
    spec = chart.to_dict()
    return list(spec.get("layer", [spec]))


def values(chart: alt.TopLevelMixin, layer: dict[str, Any]) -> list[dict[str, Any]]:
    return list(chart.to_dict()["datasets"][layer["data"]["name"]])


def mark(layer: dict[str, Any]) -> str:
    m = layer["mark"]
    return m if isinstance(m, str) else m["type"]


def test_outcome_chart_splits_into_three_exclusive_outcomes(exact: SimulationResult, mc: SimulationResult) -> None:
    for r in (exact, mc):
        c = charts.outcome_chart(r)
        (layer,) = layers(c)
        assert mark(layer) == "bar"
        rows = {v["outcome"]: v["p"] for v in values(c, layer)}
        assert list(rows) == list(charts.OUTCOME_LABELS)
        assert sum(rows.values()) == pytest.approx(1.0, abs=1e-9)
        assert rows["Adopted"] == pytest.approx(r.p_adopted)
        # UN usage: vetoed needs enough yes votes, so vetoed and short never overlap
        assert rows[charts.OUTCOME_LABELS[1]] == pytest.approx(r.p_vetoed, abs=1e-9)
        assert rows[charts.OUTCOME_LABELS[2]] == pytest.approx(r.p_short, abs=1e-9)
        assert layer["encoding"]["color"]["scale"]["range"] == list(charts.OUTCOME_COLOURS)


def test_procedural_vote_has_no_veto_outcome() -> None:
    r = sim.simulate({**BASE, "draft": {"procedural": True}}, method="exact", calibrator=None)
    df = charts.outcome_breakdown(r)
    assert df["p"].sum() == pytest.approx(1.0)
    assert df.loc[1, "p"] == 0.0
    assert df.loc[2, "p"] == pytest.approx(r.p_short)
    c = charts.veto_chart(r)
    assert "no member can veto" in c.to_dict()["title"]
    data = values(c, layers(c)[0])
    assert all(v["p"] == 0.0 for v in data if v["kind"] == charts.VETO_KINDS[0])
    # the nos are still shown, as nos that are not vetoes
    nos = {v["member"]: v["p"] for v in data if v["kind"] == charts.VETO_KINDS[1]}
    assert nos == pytest.approx({charts.member_label(m): p for m, p in r.p_no_by.items()})


def test_yes_votes_chart_has_bars_summing_to_one_and_the_threshold_rule(exact: SimulationResult) -> None:
    c = charts.yes_votes_chart(exact)
    bars, rule, text = layers(c)
    assert [mark(x) for x in (bars, rule, text)] == ["bar", "rule", "text"]
    data = values(c, bars)
    assert [v["yes"] for v in data] == list(range(16))
    assert sum(v["p"] for v in data) == pytest.approx(1.0, abs=1e-9)
    # a substantive draft with nine yes votes still falls to a permanent no
    assert {v["enough"] for v in data if v["yes"] >= 9} == {charts.ENOUGH_UNLESS_VETO}
    assert {v["enough"] for v in data if v["yes"] < 9} == {charts.SHORT}
    (line,) = values(c, rule)
    assert line["threshold"] == 9 and line["position"] == 8.5
    assert rule["encoding"]["x"]["field"] == "position"
    assert values(c, text)[0]["label"] == "9 votes needed"


def test_yes_votes_rule_follows_the_council_threshold() -> None:
    r = sim.simulate({"scenario": {"name": "1950"}, "council": {"year": 1950}}, method="exact", calibrator=None)
    c = charts.yes_votes_chart(r)
    bars, rule, _ = layers(c)
    assert len(values(c, bars)) == 12
    assert values(c, rule)[0]["threshold"] == 7


def test_member_votes_chart_stacks_four_votes_per_member(mc: SimulationResult) -> None:
    c = charts.member_votes_chart(mc)
    (layer,) = layers(c)
    assert mark(layer) == "bar"
    enc = layer["encoding"]
    assert enc["color"]["scale"]["domain"] == list(charts.VOTE_LABELS)
    assert enc["color"]["scale"]["range"] == list(charts.VOTE_COLOURS)
    data = values(c, layer)
    assert len(data) == 4 * 15
    totals: dict[str, float] = {}
    for v in data:
        totals[v["member"]] = totals.get(v["member"], 0.0) + v["p"]
    assert np.allclose(list(totals.values()), 1.0)
    assert enc["y"]["sort"][:5] == ["China ★", "France ★", "Russia ★", "United Kingdom ★", "United States ★"]
    russia_no = next(v["p"] for v in data if v["code"] == "RUS" and v["vote"] == "No")
    assert russia_no == pytest.approx(mc.member_votes[mc.members.index("RUS"), 2])
    assert {v["source"] for v in data if v["code"] == "RUS"} == {"set in the scenario"}


def test_member_votes_chart_names_real_votes(mc: SimulationResult) -> None:
    c = charts.member_votes_chart(mc, {"RUS": "no"})
    labels = layers(c)[0]["encoding"]["y"]["sort"]
    assert "Russia ★ (really: no)" in labels
    assert "China ★" in labels


def test_veto_chart_lists_permanent_members_only(mc: SimulationResult) -> None:
    c = charts.veto_chart(mc)
    data = values(c, layers(c)[0])
    veto = [v for v in data if v["kind"] == charts.VETO_KINDS[0]]
    assert [v["member"] for v in veto] == ["China", "France", "Russia", "United Kingdom", "United States"]
    assert veto[2]["p"] == pytest.approx(mc.p_veto_by["RUS"])
    # the two parts of each member's bar add up to its chance of a no
    for m, p_no in mc.p_no_by.items():
        label = charts.member_label(m)
        assert sum(v["p"] for v in data if v["member"] == label) == pytest.approx(p_no)


def test_tally_colours_never_call_a_vetoed_tally_a_pass(exact: SimulationResult) -> None:
    """A tally with enough yes votes and a no may be a veto: it is not coloured as adopted."""
    df = charts.tally_frame(exact, k=40)
    assert set(df["enough"]) <= {charts.PASSES, charts.ENOUGH_WITH_NO, charts.SHORT}
    for _, t in df.iterrows():
        if t["yes"] < 9:
            assert t["enough"] == charts.SHORT
        elif t["no"] > 0:
            assert t["enough"] == charts.ENOUGH_WITH_NO
        else:
            assert t["enough"] == charts.PASSES


def test_tally_chart_lists_the_most_likely_tallies_first(exact: SimulationResult) -> None:
    c = charts.tally_chart(exact, k=6)
    data = values(c, layers(c)[0])
    assert len(data) == 6
    ps = [v["p"] for v in data]
    assert ps == sorted(ps, reverse=True)
    assert ps[0] == pytest.approx(exact.tally_top(1)[0]["p"])
    for v in data:
        assert v["yes"] + v["no"] + v["abstain"] + v["absent"] == 15
        assert v["tally"].startswith(f"{v['yes']} yes, {v['no']} no")


def test_pivotal_chart_is_sorted_most_pivotal_first(exact: SimulationResult) -> None:
    c = charts.pivotal_chart(exact)
    data = values(c, layers(c)[0])
    assert len(data) == 15
    ps = [v["p"] for v in data]
    assert ps == sorted(ps, reverse=True)
    assert ps[0] == pytest.approx(float(exact.pivotal.max()))
    assert "lobby" in c.to_dict()["title"]


def test_agreement_heatmap_covers_every_pair(exact: SimulationResult) -> None:
    c = charts.agreement_heatmap(exact)
    (layer,) = layers(c)
    assert mark(layer) == "rect"
    data = values(c, layer)
    assert len(data) == 15 * 14  # every pair both ways; a member with itself is left out
    assert not any(v["a"] == v["b"] for v in data)
    i, j = exact.members.index("RUS"), exact.members.index("CHN")
    rus_chn = next(v["p"] for v in data if v["a"] == "Russia ★" and v["b"] == "China ★")
    assert rus_chn == pytest.approx(exact.pairwise[i, j])
    assert all(0.0 <= v["p"] <= 1.0 + 1e-12 for v in data)
    assert layer["encoding"]["color"]["scale"]["scheme"] == "viridis"


def test_amendment_paths_sum_to_one() -> None:
    for method in ("exact", "monte-carlo"):
        r = sim.simulate(AMENDED, draws=20_000, method=method, calibrator=None)  # type: ignore[arg-type]
        assert r.amendments is not None
        c = comparisons.amendment_paths_chart(r.amendments)
        data = values(c, layers(c)[0])
        assert len(data) == 2 * 2**2
        assert sum(v["p"] for v in data) == pytest.approx(1.0, abs=1e-9)
        paths = [", ".join(f"A{j + 1} {'adopted' if a else 'rejected'}" for j, a in enumerate(p))
                 for p in product((True, False), repeat=2)]
        assert list(dict.fromkeys(v["path"] for v in data)) == paths
        adopted = sum(v["p"] for v in data if v["draft"] == "Draft adopted")
        assert adopted == pytest.approx(r.p_adopted, abs=1e-9)


def test_sensitivity_chart_has_two_bars_per_member_and_a_zero_rule() -> None:
    df = sensitivity(sim.model_spec(BASE, calibrator=None))
    c = comparisons.sensitivity_chart(df)
    bars, zero = layers(c)
    data = values(c, bars)
    assert len(data) == 2 * 15
    assert {v["direction"] for v in data} == {"Leans toward yes", "Leans toward no"}
    assert all(v["change"] >= -1e-12 for v in data if v["direction"] == "Leans toward yes")
    assert all(v["change"] <= 1e-12 for v in data if v["direction"] == "Leans toward no")
    assert values(c, zero) == [{"x": 0.0}]
    order = bars["encoding"]["y"]["sort"]
    assert order[0] == "Russia ★"  # the likely veto moves adoption most


def test_compare_charts_hold_every_result(exact: SimulationResult, mc: SimulationResult) -> None:
    results = {"Pinned": exact, "Now": mc}
    c = comparisons.compare_chart(results)
    data = values(c, layers(c)[0])
    assert len(data) == 6
    assert {(v["result"], v["outcome"]) for v in data} >= {("Pinned", "Adopted"), ("Now", "Vetoed")}
    assert next(v["p"] for v in data if v["result"] == "Now" and v["outcome"] == "Adopted") == mc.p_adopted
    m = comparisons.compare_members_chart(results)
    rows = values(m, layers(m)[0])
    assert len(rows) == 2 * 15 * 4  # two results, fifteen members, all four vote categories
    for label in results:
        for member in {v["member"] for v in rows}:
            total = sum(v["p"] for v in rows if v["result"] == label and v["member"] == member)
            assert total == pytest.approx(1.0, abs=1e-9)


def test_every_chart_fits_the_page_width(exact: SimulationResult) -> None:
    for c in (charts.outcome_chart(exact), charts.yes_votes_chart(exact), charts.member_votes_chart(exact),
              charts.pivotal_chart(exact), charts.agreement_heatmap(exact), charts.tally_chart(exact)):
        spec = c.to_dict()
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
        assert spec["height"] >= 60


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_colours_read_on_light_and_dark_backgrounds() -> None:
    for colour in (*charts.VOTE_COLOURS, *charts.OUTCOME_COLOURS):
        assert 0.3 <= _luminance(colour) <= 0.8, colour
    assert len(set(charts.VOTE_COLOURS)) == 4


@pytest.mark.parametrize("module", [charts, comparisons], ids=["charts", "comparisons"])
def test_charts_module_is_pure(module: Any) -> None:
    tree = ast.parse(Path(module.__file__).read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "streamlit" not in imported


def test_the_members_yes_chart_gives_every_loading_member_its_own_colour() -> None:
    """Fifteen members load on the axis in the library's February 2025 scenario; Vega's default
    palette has ten colours, so the chart names a 20-colour scheme and every member is a line."""
    from sim import api
    from sim.render import frontier as frontier_charts

    path = Path(__file__).resolve().parents[2] / "scenarios" / "ukraine_2025_axis_us_text_as_tabled.toml"
    f = api.frontier(path, [-1.0, 0.0, 1.0], draws=2_000, seed=0)
    spec = frontier_charts.member_yes_chart(f, 0.0).to_dict()
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["scale"]["scheme"] == "tableau20"
    members = set(frontier_charts.member_yes_frame(f)["member"])
    assert len(members) == sum(1 for v in f.loadings.values() if v != 0.0) > 10


def test_compare_says_in_words_who_changed_in_all_four_categories() -> None:
    """Issue 16: Russia from no to absent leaves its P(yes) at 0, and must still show as a change."""
    import tomllib

    from sim.render.comparisons import member_changes

    path = Path(__file__).resolve().parents[2] / "scenarios" / "ukraine_2022_russia_veto.toml"
    data = tomllib.loads(path.read_text())
    before = sim.simulate(data, method="exact")
    i = before.members.index("RUS")
    assert before.member_votes[i, 0] == 0.0
    data["votes"] = {**data.get("votes", {}), "Russian Federation": {"absent": 1.0}}
    after = sim.simulate(data, method="exact")
    was = before.member_votes[i]
    words = member_changes(before, after)
    assert f"Russia: absent, was {100 * was.max():.0f}% no" in words
    assert len(words) == 1  # nobody else's numbers moved
    chart = comparisons.compare_members_chart({"Pinned": before, "Now": after}).to_dict()
    assert set(chart["encoding"]["color"]["scale"]["domain"]) == {"yes", "abstain", "no", "absent"}
