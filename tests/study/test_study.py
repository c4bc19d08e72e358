"""Tests for sim.study: the study schema, paths, expansion into points and renormalization."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.names import resolve
from sim.study import (
    Study,
    StudyError,
    apply,
    compile_variable,
    design,
    format_path,
    parse_path,
    parse_study,
    point_data,
    point_scenario,
    point_seed,
    renormalize,
)
from tests.conftest import ROOT

WHATIF = ROOT / "scenarios" / "whatif_2026_us_ukraine_text.toml"
UKRAINE = ROOT / "scenarios" / "ukraine_2022_russia_veto.toml"


def base(path: Path = WHATIF) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def study(vary: dict[str, Any], **meta: Any) -> Study:
    return parse_study({"study": {"name": "t", "base": "b.toml", **meta}, "vary": vary}, "s.toml")


def study_toml(text: str) -> Study:
    return parse_study(tomllib.loads('[study]\nname = "t"\nbase = "b.toml"\n' + text), "s.toml")


# --- paths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("votes.CHN.no", ("votes", "CHN", "no")),
        ('votes."Russian Federation".yes', ("votes", "Russian Federation", "yes")),
        ("correlation.blocs[0].cohesion", ("correlation", "blocs", 0, "cohesion")),
        ('amendments[1].votes."United States".no', ("amendments", 1, "votes", "United States", "no")),
        ('votes."St. Kitts and Nevis".no', ("votes", "St. Kitts and Nevis", "no")),
        ("council.year", ("council", "year")),
    ],
)
def test_parse_path(path: str, steps: tuple[Any, ...]) -> None:
    assert parse_path(path) == steps
    assert parse_path(format_path(steps)) == steps


@pytest.mark.parametrize("path", ["votes..no", "votes.[0]", 'votes."China', "", "a.b]"])
def test_parse_path_rejects_malformed(path: str) -> None:
    with pytest.raises(ValueError, match="path"):
        parse_path(path)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("correlation.commn", "unknown scenario field 'commn'; correlation has common, blocs"),
        ("votes.XYZ.no", "unknown member 'XYZ'"),
        ("votes.CHN", "votes.CHN is a table; vary one of its keys"),
        ("correlation.blocs.cohesion", "correlation.blocs is a list: give an index"),
        ("council.year.first", "council.year is a value; it has no field 'first'"),
        ("votes.CHN.maybe", "unknown scenario field 'maybe'"),
    ],
)
def test_bad_paths_name_the_problem(path: str, message: str) -> None:
    with pytest.raises(StudyError, match=message):
        compile_variable(path)


def test_unknown_member_error_names_study_file_and_field() -> None:
    s = study({"grid": {"votes.XYZ.no": [0.1]}})
    with pytest.raises(StudyError, match=r"^study\.toml: vary\.grid\.votes\.XYZ\.no: unknown member 'XYZ'") as info:
        design(s, "study.toml")
    assert str(info.value).startswith("study.toml: vary.grid.votes.XYZ.no: unknown member 'XYZ'")


def test_vote_keys_are_recognized() -> None:
    assert compile_variable("votes.China.no").vote_key
    assert compile_variable("amendments[0].effect.FRA.yes").vote_key
    assert compile_variable("votes.China.shift").shift
    assert not compile_variable("correlation.common").vote_key


# --- expansion ------------------------------------------------------------------------------------


def test_grid_is_the_product_with_the_last_axis_fastest() -> None:
    d = design(study({"grid": {"votes.CHN.no": [0.0, 0.5], "correlation.common": [0.1, 0.2, 0.3]}}))
    assert d.columns == ("votes.CHN.no", "correlation.common")
    assert list(d.values) == [(a, b) for a in (0.0, 0.5) for b in (0.1, 0.2, 0.3)]
    assert d.assignments(4) == {"votes.CHN.no": 0.5, "correlation.common": 0.2}


def test_grid_mixes_ints_and_floats_as_floats() -> None:
    d = design(study({"grid": {"correlation.common": [0, 0.5, 1]}}))
    assert [v[0] for v in d.values] == [0.0, 0.5, 1.0]
    assert all(isinstance(v[0], float) for v in d.values)


def test_range_step_includes_stop_and_rounds() -> None:
    d = design(study({"range": {"votes.CHN.no": {"start": 0.0, "stop": 0.5, "step": 0.1}}}))
    assert [v[0] for v in d.values] == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]


def test_integer_range_and_num_range() -> None:
    d = design(study({"range": {"council.year": {"start": 2020, "stop": 2026, "step": 3}}}))
    assert [v[0] for v in d.values] == [2020, 2023, 2026]
    assert all(type(v[0]) is int for v in d.values)
    d = design(study({"range": {"correlation.common": {"start": 0, "stop": 0.3, "num": 4}}}))
    assert [v[0] for v in d.values] == pytest.approx([0.0, 0.1, 0.2, 0.3], abs=1e-15)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"start": 0, "stop": 1}, "give either step or num"),
        ({"start": 0, "stop": 1, "step": 0.5, "num": 3}, "give either step or num"),
        ({"start": 1, "stop": 0, "step": 0.1}, "does not lead from start"),
        ({"start": 0, "stop": 1, "step": 0}, "non-zero"),
        ({"start": 0, "stop": float("inf"), "step": 1}, "start and stop must be finite"),
        ({"start": float("nan"), "stop": 1, "num": 3}, "start and stop must be finite"),
    ],
)
def test_bad_ranges(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(StudyError, match=message) as info:
        study({"range": {"correlation.common": spec}})
    assert str(info.value).startswith("s.toml: vary.range.correlation.common")


def test_range_too_long_for_a_float_is_an_input_error() -> None:
    with pytest.raises(StudyError, match="has more than 100,000 values") as info:
        design(study({"range": {"correlation.common": {"start": 0.0, "stop": 1e308, "step": 1e-308}}}))
    assert str(info.value) == "vary.range.correlation.common: has more than 100,000 values"


def test_lhs_is_stratified_within_bounds_and_seeded() -> None:
    vary = {"lhs": {"samples": 20, "bounds": {"votes.CHN.no": [0.1, 0.5], "council.year": [2020, 2024]}}}
    d = design(study(vary, seed=3))
    no = np.array([v[0] for v in d.values])
    years = [v[1] for v in d.values]
    assert len(d) == 20
    assert no.min() >= 0.1 and no.max() < 0.5
    # Latin hypercube: exactly one sample in each of the 20 equal slices of the range
    assert sorted(np.floor((no - 0.1) / 0.4 * 20).astype(int)) == list(range(20))
    assert set(years) == {2020, 2021, 2022, 2023, 2024}
    assert all(type(y) is int for y in years)
    assert [years.count(y) for y in range(2020, 2025)] == [4, 4, 4, 4, 4]
    assert design(study(vary, seed=3)).values == d.values
    assert design(study(vary, seed=4)).values != d.values


def test_lhs_crossed_with_grid() -> None:
    d = design(study({"grid": {"draft.procedural": [False, True]},
                      "lhs": {"samples": 3, "bounds": {"correlation.common": [0.0, 0.4]}}}))
    assert len(d) == 6
    assert [v[0] for v in d.values] == [False] * 3 + [True] * 3
    assert [v[1] for v in d.values[:3]] == [v[1] for v in d.values[3:]]


def test_dotted_toml_keys_are_flattened() -> None:
    s = study_toml(
        '[vary.grid]\nvotes.China.no = [0.1]\nvotes."Russian Federation".yes = [0.2]\n'
        '[vary.range]\ncorrelation.common = { start = 0.0, stop = 0.2, step = 0.1 }\n'
    )
    d = design(s)
    assert d.columns == ("votes.China.no", 'votes."Russian Federation".yes', "correlation.common")
    assert len(d) == 3


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ({}, "vary: give at least one of grid, range or lhs"),
        ({"grid": {"votes.CHN.no": []}}, "vary.grid.votes.CHN.no: give at least one value"),
        ({"grid": {"votes.CHN.no": [1.5]}}, "must be a probability between 0 and 1, got 1.5"),
        ({"grid": {"votes.CHN.no": ["high"]}}, "must be a probability between 0 and 1, got 'high'"),
        ({"grid": {"correlation.common": [[0.1]]}}, "values must be numbers, booleans or strings"),
        ({"grid": {"votes.CHN.no": [0.1], "votes.China.no": [0.2]}}, "already varied by vary.grid.votes.CHN.no"),
        ({"grid": {"votes.CHN.no": [0.1]}, "lhs": {"samples": 2, "bounds": {"correlation.common": [0.5, 0.1]}}},
         "lower < upper"),
    ],
)
def test_bad_vary_tables(vary: dict[str, Any], message: str) -> None:
    with pytest.raises(StudyError, match=message) as info:
        design(study(vary), "s.toml")
    assert str(info.value).startswith("s.toml: vary")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"study": {"name": "t", "base": "b.toml", "colour": 1}, "vary": {}}, "study.colour: unknown key"),
        ({"study": {"name": "t"}, "vary": {}}, "study.base: required key is missing"),
        ({"study": {"name": "t", "base": "b.toml", "seed": "x"}, "vary": {}}, "study.seed: "),
        ({"study": {"name": "t", "base": "b.toml"}, "vary": {"grids": {}}}, "vary.grids: unknown key"),
        ({"study": {"name": "t", "base": "b.toml"}, "vary": {"grid": {"votes.CHN.no": 0.1}}},
         "vary.grid.votes.CHN.no: Input should be a valid list"),
    ],
)
def test_bad_study_schema(data: dict[str, Any], message: str) -> None:
    with pytest.raises(StudyError, match=message) as info:
        parse_study(data, "s.toml")
    assert str(info.value).startswith("s.toml: ")


# --- renormalization ------------------------------------------------------------------------------


def test_renormalize_splits_the_rest_in_proportion() -> None:
    out = renormalize((0.6, 0.3, 0.1, 0.0), {"no": 0.5})
    assert out == pytest.approx({"yes": 0.5 * 0.6 / 0.9, "abstain": 0.5 * 0.3 / 0.9, "no": 0.5, "absent": 0.0})
    assert out["yes"] / out["abstain"] == pytest.approx(2.0)


def test_renormalize_with_all_other_mass_zero_splits_equally_without_absence() -> None:
    assert renormalize((1.0, 0.0, 0.0, 0.0), {"yes": 0.4}) == pytest.approx(
        {"yes": 0.4, "abstain": 0.3, "no": 0.3, "absent": 0.0}
    )
    assert renormalize((0.0, 0.0, 1.0, 0.0), {"no": 0.7}) == pytest.approx(
        {"yes": 0.15, "abstain": 0.15, "no": 0.7, "absent": 0.0}
    )


def test_renormalize_two_fixed_and_errors() -> None:
    assert renormalize((0.5, 0.2, 0.2, 0.1), {"yes": 0.3, "no": 0.4}) == pytest.approx(
        {"yes": 0.3, "abstain": 0.2, "no": 0.4, "absent": 0.1}
    )
    with pytest.raises(ValueError, match="sum to more than 1"):
        renormalize((0.5, 0.2, 0.2, 0.1), {"yes": 0.7, "no": 0.4})
    with pytest.raises(ValueError, match="all varied"):
        renormalize((0.5, 0.2, 0.2, 0.1), {"yes": 0.2, "no": 0.2, "abstain": 0.2, "absent": 0.2})


@settings(max_examples=200, deadline=None)
@given(
    base=st.lists(st.floats(0, 1), min_size=4, max_size=4).filter(lambda b: sum(b) > 0),
    key=st.sampled_from(["yes", "abstain", "no", "absent"]),
    p=st.floats(0, 1),
)
def test_renormalize_properties(base: list[float], key: str, p: float) -> None:
    b = [x / sum(base) for x in base]
    out = renormalize(b, {key: p})
    assert out[key] == p
    assert math.isclose(sum(out.values()), 1.0, abs_tol=1e-12)
    assert all(v >= 0 for v in out.values())
    others = [k for k in out if k != key]
    idx = {"yes": 0, "abstain": 1, "no": 2, "absent": 3}
    mass = sum(b[idx[k]] for k in others)
    if mass > 1e-9 and p < 1:
        for k in others:
            assert out[k] == pytest.approx((1 - p) * b[idx[k]] / mass, abs=1e-12)


# --- applying points ------------------------------------------------------------------------------


def test_apply_finds_members_by_any_name_and_renormalizes() -> None:
    data = apply(base(), {"votes.CHN.no": 0.5, 'votes."Russian Federation".yes': 0.2})
    assert "CHN" not in data["votes"]  # the table keyed "China" is changed in place
    assert data["votes"]["China"] == pytest.approx({"yes": 0.4, "abstain": 0.1, "no": 0.5, "absent": 0.0})
    rus = data["votes"]["Russian Federation"]
    assert rus["yes"] == 0.2
    assert rus["abstain"] / rus["no"] == pytest.approx(0.30 / 0.10)
    assert base()["votes"]["China"] == {"yes": 0.8, "abstain": 0.2}  # the base is not modified


def test_apply_member_without_table_uses_defaults() -> None:
    b = base(UKRAINE)
    del b["votes"]["Kenya"]
    data = apply(b, {"votes.KEN.no": 0.2}, defaults=lambda code: (0.5, 0.5, 0.0, 0.0))
    assert data["votes"]["KEN"] == pytest.approx({"yes": 0.4, "abstain": 0.4, "no": 0.2, "absent": 0.0})
    data = apply(b, {"votes.KEN.no": 0.2})  # no defaults: the engine's fallback (0.85, 0.10, 0.05, 0)
    assert data["votes"]["KEN"]["yes"] / data["votes"]["KEN"]["abstain"] == pytest.approx(8.5)


def test_apply_other_fields() -> None:
    b = base()
    data = apply(b, {"correlation.blocs[1].cohesion": 0.1, "draft.procedural": True, "votes.USA.shift": -1.0,
                     "amendments[0].votes.RUS.no": 0.2})
    assert data["correlation"]["blocs"][1]["cohesion"] == 0.1
    assert data["correlation"]["blocs"][0]["cohesion"] == 0.6
    assert data["draft"]["procedural"] is True
    assert data["votes"]["United States"] == {"shift": -1.0}
    assert data["amendments"][0]["votes"]["Russian Federation"] == pytest.approx(
        {"yes": 0.0, "abstain": 0.8, "no": 0.2, "absent": 0.0}
    )
    b.pop("correlation")
    assert apply(b, {"correlation.common": 0.3})["correlation"] == {"common": 0.3}


def test_point_errors_name_the_varied_field_and_the_point() -> None:
    s = study({"grid": {"correlation.blocs[9].cohesion": [0.1]}})
    with pytest.raises(StudyError, match=r"vary.grid.correlation.blocs\[9\].cohesion: index \[9\] is out of range"):
        point_scenario(design(s), base(), 0, source="s.toml")
    s = study({"grid": {"votes.CHN.yes": [0.5], "votes.China.no": [0.3, 0.6]}})
    d = design(s)
    assert point_scenario(d, base(), 0).votes["China"].no == 0.3
    point_1 = r"\(point 1: votes.CHN.yes = 0.5, votes.China.no = 0.6\)"
    with pytest.raises(StudyError, match=r"sum to more than 1 .*" + point_1):
        point_scenario(d, base(), 1, source="s.toml")


def test_wrong_type_is_reported_against_the_study_field() -> None:
    d = design(study({"grid": {"correlation.common": ["high"]}}))
    with pytest.raises(
        StudyError,
        match=r"^s\.toml: vary\.grid\.correlation\.common: correlation\.common: Input should be a valid number",
    ) as info:
        point_scenario(d, base(), 0, source="s.toml")
    msg = str(info.value)
    assert msg.startswith("s.toml: vary.grid.correlation.common: correlation.common: Input should be a valid number")
    assert "\n" not in msg


def test_year_change_that_breaks_the_base_is_reported_with_the_point() -> None:
    d = design(study({"grid": {"council.year": [2026, 1950]}}))
    point_scenario(d, base(), 0)
    # the base's draft date (2026) no longer falls in the point's Council year
    expected = r"draft.date: 2026-02-24 is not in council.year 1950 \(point 1: council.year = 1950\)"
    with pytest.raises(StudyError, match=expected):
        point_scenario(d, base(), 1, source="s.toml")


def test_point_data_is_pure() -> None:
    d = design(study({"grid": {"votes.CHN.no": [0.1, 0.2]}}))
    b = base()
    assert point_data(d, b, 1) == point_data(d, b, 1)
    assert point_data(d, b, 1)["votes"]["China"]["no"] == 0.2
    assert b == base()


def test_point_seed_is_derived_from_seed_and_index() -> None:
    ss = np.random.SeedSequence(7, spawn_key=(3,))
    assert point_seed(7, 3) == int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))
    seeds = {point_seed(7, i) for i in range(1000)}
    assert len(seeds) == 1000
    assert all(0 <= s < 2**63 for s in seeds)
    assert point_seed(8, 3) != point_seed(7, 3)


def test_council_renormalization_starts_before_the_position(tmp_path: Path) -> None:
    """A Council override is a table at position 0 that the text's position then moves once: the
    member's other numbers are rescaled from its numbers before the position (its table), not
    from where the position has moved them."""
    from sim.study import batch

    src = ROOT / "scenarios" / "ukraine_2025_axis_us_text_as_tabled.toml"
    data = base(src)
    data["draft"]["position"] = 0.8
    code = next(c for c, v in data["alignment"]["loadings"].items() if v != 0 and c in data["votes"])
    (tmp_path / "b.toml").write_text(tomli_w.dumps(data))
    (tmp_path / "s.toml").write_text(f'[study]\nname = "t"\nbase = "b.toml"\n[vary.grid]\n"votes.{code}.no" = [0.3]\n')
    loaded = batch.load_study(tmp_path / "s.toml")
    table = data["votes"][code]
    own = tuple(float(table.get(k, 0.0)) for k in ("yes", "abstain", "no", "absent"))
    assert sum(own) == pytest.approx(1.0)
    resolved = loaded.defaults(resolve(code))
    assert resolved == pytest.approx(own)
    spec = point_scenario(loaded.design, loaded.base, 0, loaded.defaults)
    got = next(v for k, v in spec.votes.items() if resolve(k) == resolve(code)).as_tuple()
    rest = 0.7 / (own[0] + own[1] + own[3])
    assert got == pytest.approx((own[0] * rest, own[1] * rest, 0.3, own[3] * rest))
