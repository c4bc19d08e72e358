"""The alignment axis in the scenario layer (issue 14): [alignment] loadings, the draft's and the
amendments' positions, their checks against the Council and the correlation, and the model they
build. Positions act on the marginals only (a per-member latent shift of λ_i·p), so these tests
need no integration: the numbers are exact (shift_probs), compared to 1e-15 or to the bit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.api import model_spec
from sim.engine.amendments import VoteSequence
from sim.errors import ScenarioError
from sim.scenario.build import (
    MARGINALS_ON_AXIS,
    Calibration,
    HurdleCandidate,
    build_model,
    shift_probs,
)
from sim.scenario.resolve import resolve_scenario
from sim.scenario.schema import axis_ends, parse_scenario, scenario_from_toml, scenario_to_toml
from sim.study.overrides import apply
from sim.study.paths import compile_variable

LOADINGS = {"United States": 0.7, "France": 0.6, "Russian Federation": -0.7, "China": -0.5}


def scenario(**parts: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "scenario": {"name": "axis"},
        "council": {"year": 2025},
        "votes": {"Russian Federation": {"yes": 0.6, "abstain": 0.3, "no": 0.1},
                  "United States": {"yes": 0.9, "abstain": 0.1},
                  "France": {"yes": 0.5, "abstain": 0.4, "no": 0.1},
                  "China": {"yes": 0.7, "abstain": 0.2, "no": 0.1},
                  "Algeria": {"shift": 0.3}},
        "correlation": {"common": 0.1, "blocs": [{"name": "RC", "members": ["Russia", "China"], "cohesion": 0.3}]},
        "alignment": {"name": "West – Russia/China", "loadings": dict(LOADINGS)},
    }
    data.update(parts)
    return data


def probs_of(spec: Any, code: str) -> tuple[float, ...]:
    return tuple(spec.model.probs[spec.model.members.index(code)])


def test_position_zero_reproduces_the_marginals_to_the_bit() -> None:
    with_axis = model_spec(scenario(), calibrator=None)
    without = model_spec({k: v for k, v in scenario().items() if k != "alignment"}, calibrator=None)
    np.testing.assert_array_equal(with_axis.model.probs, without.model.probs)
    assert with_axis.model.alignment[with_axis.model.members.index("RUS")] == -0.7
    assert with_axis.model.axis_name == "West – Russia/China"


def test_a_position_is_a_shift_of_loading_times_position_on_each_member() -> None:
    at0 = model_spec(scenario(), calibrator=None)
    at = model_spec(scenario(draft={"position": 1.5}), calibrator=None)
    for code, lam in (("USA", 0.7), ("FRA", 0.6), ("RUS", -0.7), ("CHN", -0.5)):
        expected = shift_probs(probs_of(at0, code), lam * 1.5)
        np.testing.assert_allclose(probs_of(at, code), expected, rtol=0, atol=1e-15)
    # members without a loading keep their numbers to the bit, a user's shift included
    for code in ("GBR", "DZA", "PAK"):
        assert probs_of(at, code) == probs_of(at0, code)
    # toward the West: the US and France more yes, Russia and China more no
    assert probs_of(at, "USA")[0] > probs_of(at0, "USA")[0]
    assert probs_of(at, "RUS")[2] > probs_of(at0, "RUS")[2]
    assert at.position == 1.5 and at.on_axis


def test_a_party_to_the_dispute_abstains_at_every_position() -> None:
    spec = model_spec(scenario(council={"year": 2025, "parties_to_dispute": ["Russia"]},
                               draft={"position": 2.0}), calibrator=None)
    assert probs_of(spec, "RUS") == (0.0, 1.0, 0.0, 0.0)


def test_an_amendment_votes_at_its_own_position_and_its_effect_moves_the_draft() -> None:
    data = scenario(
        draft={"position": -0.5},
        amendments=[
            {"name": "own position", "position": 1.0, "votes": {"China": {"yes": 0.2, "abstain": 0.8}}},
            {"name": "as the draft", "effect": {"position": 2.0, "France": {"yes": 0.9, "abstain": 0.1}}},
        ],
    )
    spec = model_spec(data, calibrator=None)
    seq = VoteSequence.from_spec(spec)
    free = spec.free_probs
    rus, fra, chn = (seq.draft.members.index(c) for c in ("RUS", "FRA", "CHN"))
    a1 = seq.amendment_model(0, ())
    np.testing.assert_allclose(a1.probs[chn], shift_probs((0.2, 0.8, 0.0, 0.0), -0.5 * 1.0), atol=1e-15)
    np.testing.assert_allclose(a1.probs[rus], shift_probs(free["RUS"], -0.7 * 1.0), atol=1e-15)
    a2 = seq.amendment_model(1, (False,))  # no position of its own: where the draft stands
    np.testing.assert_allclose(a2.probs[rus], shift_probs(free["RUS"], -0.7 * -0.5), atol=1e-15)
    adopted = seq.draft_model((False, True))  # the effect moves the draft to 2.0
    np.testing.assert_allclose(adopted.probs[fra], shift_probs((0.9, 0.1, 0.0, 0.0), 0.6 * 2.0), atol=1e-15)
    np.testing.assert_allclose(adopted.probs[rus], shift_probs(free["RUS"], -0.7 * 2.0), atol=1e-15)
    rejected = seq.draft_model((False, False))  # the draft as tabled
    np.testing.assert_allclose(rejected.probs, spec.model.probs, atol=1e-15)
    assert np.array_equal(adopted.alignment, spec.model.alignment)


def test_effect_position_reads_and_writes_in_the_effect_table() -> None:
    spec = parse_scenario(scenario(amendments=[{"name": "a", "effect": {"position": 1.5, "China": {"no": 1.0}}}]))
    assert spec.amendments[0].effect_position == 1.5 and set(spec.amendments[0].effect) == {"China"}
    assert spec.to_dict()["amendments"][0]["effect"]["position"] == 1.5
    text = scenario_to_toml(spec)
    assert "[amendments.effect]\nposition = 1.5" in text
    assert scenario_from_toml(text) == spec


def test_a_scenario_without_the_axis_dumps_as_before() -> None:
    data = {k: v for k, v in scenario().items() if k != "alignment"}
    out = parse_scenario(data).to_dict()
    assert "alignment" not in out and "position" not in out["draft"]


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"alignment": {"loadings": {"Atlantis": 0.1}}},
         "f.toml: alignment.loadings.Atlantis: unknown UN member name"),
        ({"alignment": {"loadings": {"Germany": 0.1}}},
         "f.toml: alignment.loadings.Germany: 'Germany' (DEU) is not a member of the 2025 Council"),
        ({"alignment": {"loadings": {"RUS": 1.5}}}, "f.toml: alignment.loadings.RUS: Input should be less than"),
        ({"alignment": {"loadings": {"RUS": "high"}}},
         "f.toml: alignment.loadings.RUS: Input should be a valid number"),
        ({"alignment": {"loadings": {"RUS": -0.1, "Russia": -0.2}}},
         "f.toml: alignment.loadings.Russia: 'Russia' (RUS) is given twice"),
        ({"alignment": {"loadings": {"China": -0.9}}},
         "f.toml: alignment.loadings.China: loading² + common + cohesion must be at most 1, "
         "got -0.9² + 0.1 + 0.3 = 1.21"),
        ({"alignment": {"colour": "red"}}, "f.toml: alignment.colour: unknown key"),
        ({"draft": {"position": float("nan")}}, "f.toml: draft.position: Input should be a finite number"),
        ({"draft": {"position": 11.0}}, "f.toml: draft.position: Input should be less than or equal to 10"),
        ({"amendments": [{"name": "a", "position": "left"}]},
         "f.toml: amendments[0].position: Input should be a valid number"),
        ({"amendments": [{"name": "a", "effect": {"position": True}}]},
         "f.toml: amendments[0]: effect.position: must be a number between -10 and 10, got True"),
    ],
)
def test_bad_axis_inputs_name_the_file_and_field(parts: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        resolve_scenario(parse_scenario(scenario(**parts), "f.toml"), "f.toml")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_the_calibrated_correlation_makes_room_for_the_files_loadings() -> None:
    """With no [correlation], the calibrated one shrinks in one proportion until the tightest
    member fits: Russia (-0.7, bloc RC) leaves 1 - 0.49 = 0.51 for common 0.5 + cohesion 0.4."""
    data = {k: v for k, v in scenario().items() if k != "correlation"}
    resolved = resolve_scenario(parse_scenario(data))
    cal = Calibration(probs={}, common=0.5, blocs=(("RC", ("RUS", "CHN"), 0.4),))
    model = build_model(resolved, lambda _r: cal).model
    factor = 0.51 / 0.9
    assert model.common == pytest.approx(0.5 * factor, rel=1e-9)
    np.testing.assert_allclose(model.cohesion, [0.4 * factor], rtol=1e-9)
    lam = dict(zip(model.members, model.alignment, strict=True))
    assert lam["RUS"] == -0.7 and lam["USA"] == 0.7  # the file's loadings, unchanged
    rus = model.members.index("RUS")
    assert lam["RUS"] ** 2 + model.common + model.cohesion[model.bloc[rus]] <= 1.0


def test_a_calibrated_correlation_with_room_is_kept() -> None:
    data = {k: v for k, v in scenario().items() if k != "correlation"}
    data["alignment"] = {"name": "W – RC", "loadings": {"Russian Federation": -0.3}}
    resolved = resolve_scenario(parse_scenario(data))
    cal = Calibration(probs={}, common=0.5, blocs=(("RC", ("RUS", "CHN"), 0.4),))
    model = build_model(resolved, lambda _r: cal).model
    assert model.common == 0.5 and model.cohesion.tolist() == [0.4]


def _calibrated(alignment: dict[str, float], contested: dict[str, float]) -> Calibration:
    vote = (0.8, 0.1, 0.1, 0.0)
    members = resolve_scenario(parse_scenario({"scenario": {"name": "c"}, "council": {"year": 2025}})).council.members
    probs = {m: vote for m in members}
    return Calibration(probs=probs, common=0.2, hurdle=(HurdleCandidate(1.0, 0.5, probs),), contested_common=0.3,
                       alignment=alignment, contested_alignment=contested)


def test_calibrated_loadings_fill_members_the_file_does_not_list() -> None:
    cal = _calibrated({"RUS": -0.4, "GBR": 0.3}, {"RUS": -0.5})
    data = {"scenario": {"name": "c"}, "council": {"year": 2025}, "alignment": {"loadings": {"Russia": -0.2}}}
    spec = build_model(resolve_scenario(parse_scenario(data)), lambda _r: cal)
    lam = dict(zip(spec.model.members, spec.model.alignment, strict=True))
    assert lam["RUS"] == -0.2 and lam["GBR"] == 0.3 and lam["USA"] == 0.0


def test_the_hurdle_mixture_carries_the_contested_loadings_at_the_origin() -> None:
    """An [alignment] table with no loadings of its own puts the calibrated Council on the axis."""
    cal = _calibrated({"RUS": -0.4}, {"RUS": -0.5, "USA": 0.6})
    data = {"scenario": {"name": "c"}, "council": {"year": 2025}, "alignment": {"name": "West – Russia/China"}}
    spec = build_model(resolve_scenario(parse_scenario(data)), lambda _r: cal)
    assert spec.mixture is not None and spec.forecast is None
    contested = spec.mixture.components[0].contested
    lam = dict(zip(contested.members, contested.alignment, strict=True))
    assert lam["RUS"] == -0.5 and lam["USA"] == 0.6


def test_without_an_alignment_table_the_calibrated_forecast_has_no_axis() -> None:
    cal = _calibrated({"RUS": -0.4}, {"RUS": -0.5, "USA": 0.6})
    spec = build_model(resolve_scenario(parse_scenario({"scenario": {"name": "c"}, "council": {"year": 2025}})),
                       lambda _r: cal)
    assert spec.mixture is not None and not spec.model.has_axis
    assert not any(c.contested.has_axis for c in spec.mixture.components)


@pytest.mark.parametrize("parts", [{"draft": {"position": 0.5}}, {"alignment": {"loadings": {"RUS": -0.3}}}])
def test_off_the_origin_or_with_own_loadings_the_forecast_is_the_marginals_and_says_so(parts: dict[str, Any]) -> None:
    cal = _calibrated({"RUS": -0.4}, {"RUS": -0.5})
    data = {"scenario": {"name": "c"}, "council": {"year": 2025}, **parts}
    spec = build_model(resolve_scenario(parse_scenario(data)), lambda _r: cal)
    assert spec.mixture is None and spec.forecast == MARGINALS_ON_AXIS


def test_axis_ends_in_plain_words() -> None:
    assert axis_ends("West – Russia/China") == ("Russia/China", "West")
    assert axis_ends("North - South") == ("South", "North")
    assert axis_ends("hawks") == ("the negative end of hawks", "the positive end of hawks")


def test_studies_vary_the_position_and_any_loading_by_its_path() -> None:
    base = scenario(amendments=[{"name": "a"}])
    out = apply(base, {"draft.position": 1.0, "alignment.loadings.RUS": -0.6, "alignment.loadings.GBR": 0.4,
                       "amendments[0].effect.position": 2.0, "amendments[0].position": 0.5})
    assert out["draft"]["position"] == 1.0
    assert out["alignment"]["loadings"]["Russian Federation"] == -0.6  # the base's own key for Russia
    assert out["alignment"]["loadings"]["GBR"] == 0.4
    assert out["amendments"][0]["effect"] == {"position": 2.0} and out["amendments"][0]["position"] == 0.5
    spec = resolve_scenario(parse_scenario(out))
    assert spec.alignment["RUS"] == -0.6 and spec.spec.amendments[0].effect_position == 2.0
    assert compile_variable("alignment.loadings.Russia").member_at == 2
