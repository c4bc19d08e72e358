"""The what-if edits (sim/whatif.py), without Streamlit: each returns a new scenario dict that
validates, leaves its input alone, and changes what it says and nothing else."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import sim
from sim.api import model_spec
from sim.io.files import scenario_from_bytes
from sim.scenario import whatif
from sim.scenario.calibrated import load_params
from sim.study.overrides import renormalize
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"


def load(stem: str) -> dict[str, Any]:
    path = SCENARIOS / f"{stem}.toml"
    return whatif.normalize(scenario_from_bytes(path.read_bytes(), path.name).to_dict())


def exact_p_adopted(data: dict[str, Any]) -> float:
    return float(sim.simulate(whatif.normalize(data), method="exact").p_adopted)


def test_rescale_sets_one_chance_and_keeps_the_others_in_proportion() -> None:
    assert whatif.rescale((0.25, 0.25, 0.5, 0.0), 2, 0.0) == (0.5, 0.5, 0.0, 0.0)
    assert whatif.rescale((0.2, 0.3, 0.5, 0.0), 0, 0.6) == pytest.approx((0.6, 0.15, 0.25, 0.0), abs=1e-15)
    # out of range is clipped, not refused
    assert whatif.rescale((0.2, 0.3, 0.5, 0.0), 1, 1.5) == (0.0, 1.0, 0.0, 0.0)
    assert whatif.rescale((0.2, 0.3, 0.5, 0.0), 1, -0.5) == pytest.approx((2 / 7, 0.0, 5 / 7, 0.0), abs=1e-15)
    # nothing left to scale: the rest goes equally to the votes (yes, abstain, no), not to absence
    assert whatif.rescale((1.0, 0.0, 0.0, 0.0), 0, 0.4) == pytest.approx((0.4, 0.3, 0.3, 0.0), abs=1e-15)
    assert whatif.rescale((0.0, 0.0, 0.0, 1.0), 3, 0.4) == pytest.approx((0.2, 0.2, 0.2, 0.4), abs=1e-15)


def test_rescale_is_the_studies_renormalize() -> None:
    base = (0.1, 0.2, 0.3, 0.4)
    for index, vote in enumerate(sim.engine.model.VOTES):
        got = whatif.rescale(base, index, 0.35)
        assert got == tuple(renormalize(base, {vote: 0.35}).values())


def test_vote_table_sums_to_exactly_one_and_drops_zeros() -> None:
    table = whatif.vote_table((0.1234567, 0.2, 0.6765433, 0.0))
    assert table == {"yes": 0.123457, "abstain": 0.2, "no": 0.676543}
    assert sum(table.values()) == 1.0
    assert whatif.vote_table((1 / 3, 1 / 3, 1 / 3, 0.0)) == {"yes": 0.333334, "abstain": 0.333333, "no": 0.333333}


def test_set_vote_replaces_the_members_entry_under_its_own_name() -> None:
    data = load("ukraine_2022_russia_veto")
    before = copy.deepcopy(data)
    new = whatif.set_vote(data, "draft", "RUS", (1.0, 0.0, 0.0, 0.0))
    assert data == before  # the input is left alone
    assert new["votes"]["Russian Federation"] == {"yes": 1.0}
    russia = {"no": None, "abstain": None, "absent": None, "yes": 1.0}
    assert whatif.make_patch(data, new) == {"votes": {"Russian Federation": russia}}  # nothing else
    # a member without an entry gets one under its readable name; None drops it
    added = whatif.set_vote(data, "draft", "FRA", (0.0, 1.0, 0.0, 0.0))
    assert added["votes"]["France"] == {"abstain": 1.0}
    dropped = whatif.set_vote(data, "draft", "RUS", None)
    assert "Russian Federation" not in dropped["votes"]
    assert whatif.normalize(new) == new


def test_a_veto_blocks_a_substantive_draft_on_every_amendment_path() -> None:
    data = load("whatif_2026_us_ukraine_text")
    assert exact_p_adopted(data) > 0.3
    vetoed = whatif.quick_vote(data, "draft", "RUS", "no")
    assert vetoed["votes"]["Russian Federation"] == {"no": 1.0}
    # each amendment's effect that names Russia gets the same vote
    for amend in vetoed["amendments"]:
        assert amend["effect"]["Russian Federation"] == {"no": 1.0}
    assert exact_p_adopted(vetoed) == 0.0
    # on a procedural draft a permanent member's no is no veto
    assert exact_p_adopted(whatif.set_procedural(vetoed, True)) > 0.0


def test_quick_vote_on_an_amendment_and_back_to_the_model() -> None:
    data = load("gaza_2023_res2720_russian_amendment")
    assert whatif.targets(data) == ["draft", "a0.votes", "a0.effect"]
    new = whatif.quick_vote(data, "a0.votes", "USA", "yes")
    assert new["amendments"][0]["votes"]["United States"] == {"yes": 1.0}
    assert new["votes"] == data["votes"]  # the draft's votes are not touched
    model = whatif.quick_vote(new, "a0.votes", "USA", "model")
    assert "United States" not in model["amendments"][0]["votes"]
    with pytest.raises(ValueError, match="unknown quick action 'maybe'"):
        whatif.quick_vote(data, "draft", "USA", "maybe")


def test_restore_member_undoes_an_edit_on_every_path() -> None:
    data = load("whatif_2026_us_ukraine_text")
    edited = whatif.quick_vote(data, "draft", "RUS", "yes")
    assert whatif.edited_on_draft(edited, data, "RUS")
    assert not whatif.edited_on_draft(edited, data, "USA")
    assert whatif.restore_member(edited, data, "draft", "RUS") == data
    # an amendment's table alone
    on_a1 = whatif.quick_vote(data, "a1.votes", "CHN", "no")
    assert whatif.restore_member(on_a1, data, "a1.votes", "CHN") == data


def test_procedural_for_each_target() -> None:
    data = load("gaza_2023_res2720_russian_amendment")
    assert not whatif.procedural_for(data, "draft")
    assert not whatif.procedural_for(data, "a0.votes")
    procedural = whatif.set_procedural(data, True)
    assert procedural["draft"]["procedural"] is True
    assert whatif.procedural_for(procedural, "draft") and whatif.procedural_for(procedural, "a0.effect")
    assert not whatif.procedural_for(procedural, "a0.votes")  # the amendment's own vote


def test_parties_are_named_as_the_year_names_them() -> None:
    data = whatif.normalize(whatif.year_scenario(2010))
    new = whatif.set_parties(data, ["RUS", "GAB"])
    assert new["council"]["parties_to_dispute"] == ["Russia", "Gabon"]
    assert data["council"]["parties_to_dispute"] == []
    assert whatif.normalize(new) == new


def test_dropping_the_only_amendment_drops_its_real_outcome_too() -> None:
    data = load("gaza_2023_res2720_russian_amendment")
    new = whatif.drop_amendment(data, 0)
    assert "amendments" not in new and "amendments" not in new["reference"]
    assert new["reference"]["votes"] == data["reference"]["votes"]
    assert len(data["amendments"]) == 1 and len(data["reference"]["amendments"]) == 1
    assert whatif.normalize(new)["reference"]["amendments"] == []  # the schema's default


def test_correlation_edits_start_from_the_model_when_the_scenario_has_none() -> None:
    data = whatif.normalize(whatif.year_scenario(2010))
    model = model_spec(data).model
    table = whatif.correlation_table(data, model)
    assert table["common"] == float(model.common)
    assert [b["cohesion"] for b in table["blocs"]] == [float(c) for c in model.cohesion]
    shipped = load_params().cohesion["ru_cn"]  # the calibrated cohesion, as the parameters file has it
    assert table["blocs"][1] == {"name": "Russia and China", "members": ["China", "Russia"], "cohesion": shipped}
    new = whatif.set_common(data, model, 0.25)
    assert new["correlation"]["common"] == 0.25
    assert new["correlation"]["blocs"] == table["blocs"]
    assert whatif.normalize(new) == new
    added = whatif.add_bloc(data, model, "Two", ["BRA", "MEX"], 0.2)
    assert added["correlation"]["blocs"][-1] == {"name": "Two", "members": ["Brazil", "Mexico"], "cohesion": 0.2}
    assert len(whatif.remove_bloc(added, model, 0)["correlation"]["blocs"]) == len(table["blocs"])


def test_bloc_members_and_cohesion() -> None:
    data = load("gaza_2023_res2720_russian_amendment")
    model = model_spec(data).model
    new = whatif.set_bloc_cohesion(data, model, 1, 0.1)
    assert new["correlation"]["blocs"][1]["cohesion"] == 0.1
    assert whatif.set_bloc_members(data, model, 1, ["RUS"])["correlation"]["blocs"][1]["members"] == ["Russia"]
    emptied = whatif.set_bloc_members(data, model, 1, [])
    assert [b["name"] for b in emptied["correlation"]["blocs"]] == ["Western members"]


def test_merge_patch_carries_an_edit_and_deletes_keys() -> None:
    data = load("ukraine_2022_russia_veto")
    edited = whatif.set_procedural(whatif.quick_vote(data, "draft", "CHN", "yes"), True)
    patch = whatif.make_patch(data, edited)
    assert sorted(patch) == ["draft", "votes"]
    assert whatif.apply_patch(data, patch) == edited
    assert whatif.apply_patch({"a": 1, "b": {"c": 2}}, {"b": {"c": None}}) == {"a": 1, "b": {}}


def test_year_scenario_is_a_whole_council() -> None:
    data = whatif.normalize(whatif.year_scenario(1950))
    assert whatif.year_of(data) == 1950
    assert data["scenario"]["name"] == "The 1950 Council: a draft of your own"
    assert data["scenario"]["description"].startswith("All 11 members of the 1950 Council")
    assert whatif.canonical(data) == whatif.canonical(copy.deepcopy(data))


def test_set_position_edits_the_draft_and_drops_a_zero_the_scenario_did_not_have() -> None:
    base = {"scenario": {"name": "x"}, "council": {"year": 2025}, "draft": {"procedural": False}}
    moved = whatif.set_position(base, 1.2345678)
    assert moved["draft"]["position"] == 1.234568 and whatif.position_of(moved) == 1.234568
    assert "position" not in whatif.set_position(moved, 0.0, base)["draft"]
    tabled = {**base, "draft": {"procedural": False, "position": 0.5}}
    assert whatif.set_position(tabled, 0.0)["draft"]["position"] == 0.0
    assert base["draft"] == {"procedural": False}  # arguments are left alone
