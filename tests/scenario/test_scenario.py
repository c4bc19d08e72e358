"""Scenario schema and semantic checks: every bad input names its field."""

from __future__ import annotations

import copy
import re
from typing import Any

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.scenario.build import build_model, shift_probs
from sim.scenario.resolve import resolve_scenario
from sim.scenario.schema import FALLBACK_VOTE, parse_scenario, scenario_from_toml, scenario_to_toml
from tests.conftest import SCENARIOS

BASE: dict[str, Any] = {
    "scenario": {"name": "Test"},
    "council": {"year": 2022},
    "draft": {"procedural": False},
    "votes": {"Russian Federation": {"yes": 0.05, "abstain": 0.25, "no": 0.7}},
    "correlation": {"common": 0.2, "blocs": [{"name": "P3", "members": ["USA", "UK", "France"], "cohesion": 0.5}]},
}


def with_(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    *head, last = path.split("/")
    node = data
    for key in head:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    node[last] = value
    return data


def resolved(data: dict[str, Any]) -> sim.scenario.schema.ResolvedScenario:
    return resolve_scenario(parse_scenario(data, "s.toml"), "s.toml")


def test_base_scenario_builds() -> None:
    spec = build_model(resolved(BASE))
    model = spec.model
    assert model.n == 15 and model.threshold == 9
    i = model.members.index("RUS")
    np.testing.assert_allclose(model.probs[i], [0.05, 0.25, 0.7, 0.0])
    assert spec.provenance["RUS"] == "user"
    assert spec.provenance["BRA"] == "default"
    np.testing.assert_allclose(model.probs[model.members.index("BRA")], FALLBACK_VOTE)
    assert set(np.array(model.members)[model.bloc == 0]) == {"USA", "GBR", "FRA"}


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("votes/Russian Federation/no", 0.5, 'votes."Russian Federation"', "sum to 1"),
        ("votes/Atlantis", {"yes": 1.0}, "votes.Atlantis", "unknown UN member name"),
        ("votes/Germany", {"yes": 1.0}, "votes.Germany", "not a member of the 2022 Council"),
        ("votes/Russia", {"yes": 1.0}, "votes.Russia", "given twice"),
        ("votes/China", {"yes": 1.2, "no": -0.2}, "votes.China.yes", "less than or equal to 1"),
        ("votes/China", {"yes": 0.5, "no": 0.5, "shift": 1.0}, "votes.China", "not both"),
        ("votes/China", {"maybe": 1.0}, "votes.China.maybe", "unknown key"),
        ("correlation/common", 0.6, "correlation.blocs[0].cohesion", "at most 1"),
        ("correlation/blocs", [{"name": "a", "members": ["USA"], "cohesion": 0.1},
                               {"name": "b", "members": ["United States"], "cohesion": 0.1}],
         "correlation.blocs[1].members[0]", "one bloc only"),
        ("council/threshold", 16, "council.threshold", "between 1 and the Council size 15"),
        ("council/threshold", 0, "council.threshold", "between 1 and"),
        ("council/year", 1900, "council.year", "between 1946 and 2027"),
        ("council/members", ["USA"], "council", "either year or members"),
        ("council/parties_to_dispute", ["Narnia"], "council.parties_to_dispute[0]", "unknown"),
        ("scenario/name", "", "scenario.name", "at least 1 character"),
        ("scenario/colour", "red", "scenario.colour", "unknown key"),
        ("draft/date", "yesterday", "draft.date", "date"),
    ],
)
def test_bad_input_names_the_field(path: str, value: Any, field: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as info:
        resolved(with_(path, value))
    err = info.value
    assert err.field == field
    assert str(err).startswith(f"s.toml: {field}: ")
    assert "\n" not in str(err)


def test_missing_required_and_bad_toml() -> None:
    with pytest.raises(ScenarioError, match=r"^x.toml: scenario: required key is missing$"):
        parse_scenario({"council": {"year": 2020}}, "x.toml")
    with pytest.raises(ScenarioError, match=r"^x.toml: \(toml\): not valid TOML"):
        scenario_from_toml("[scenario\nname=1", "x.toml")


def test_explicit_council_and_names() -> None:
    data = {
        "scenario": {"name": "small"},
        "council": {"members": ["USA", "Russia", "Brazil", "India", "Kenya"], "permanent": ["USA", "Russia"],
                    "threshold": 3},
        "votes": {"RUS": {"no": 1.0}},
    }
    spec = build_model(resolved(data))
    assert spec.model.members[:2] == ("RUS", "USA")
    assert spec.model.threshold == 3
    assert sim.simulate(data, method="exact", calibrator=None).p_adopted == 0.0
    bad = copy.deepcopy(data)
    bad["council"]["permanent"] = ["China"]
    with pytest.raises(ScenarioError, match=r"council.permanent\[0\]: 'China' is not in council.members"):
        resolved(bad)


def test_historical_names_follow_the_year() -> None:
    data = {"scenario": {"name": "1950"}, "council": {"year": 1950},
            "votes": {"Russia": {"absent": 1.0}, "China": {"yes": 1.0}}}
    spec = build_model(resolved(data))
    assert "SUN" in spec.model.members and "ROC" in spec.model.members
    assert spec.model.n == 11 and spec.model.threshold == 7
    assert spec.provenance["SUN"] == "user"


def test_parties_to_dispute_abstain() -> None:
    data = with_("council/parties_to_dispute", ["Russia"])
    spec = build_model(resolved(data))
    i = spec.model.members.index("RUS")
    np.testing.assert_allclose(spec.model.probs[i], [0.0, 1.0, 0.0, 0.0])
    assert spec.provenance["RUS"] == "party to dispute"
    assert sim.simulate(data, method="exact", calibrator=None).p_vetoed < sim.simulate(
        BASE, method="exact", calibrator=None).p_vetoed


def test_shift_moves_toward_yes_and_no() -> None:
    base = (0.4, 0.2, 0.3, 0.1)
    up, down = shift_probs(base, 1.0), shift_probs(base, -1.0)
    assert sum(up) == pytest.approx(1.0) and sum(down) == pytest.approx(1.0)
    assert up[0] > base[0] and up[2] < base[2]
    assert down[0] < base[0] and down[2] > base[2]
    assert up[3] == down[3] == 0.1
    np.testing.assert_allclose(shift_probs(base, 0.0), base, atol=1e-12)
    data = with_("votes/Brazil", {"shift": -1.0})
    spec = build_model(resolved(data))
    assert spec.provenance["BRA"] == "shifted"
    brazil = spec.model.probs[spec.model.members.index("BRA")]
    np.testing.assert_allclose(brazil, shift_probs(FALLBACK_VOTE, -1.0))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_library_scenarios_validate_and_round_trip(path: Any) -> None:
    spec = scenario_from_toml(path.read_text(), str(path))
    resolve_scenario(spec, str(path))
    assert spec.scenario.description, "library scenarios carry a description for the picker"
    assert scenario_from_toml(scenario_to_toml(spec)) == spec
    if spec.reference is not None:
        assert spec.reference.source


def test_documented_example_validates() -> None:
    """The example in docs/scenarios.md is a real, valid scenario."""
    import re

    from tests.conftest import ROOT

    text = (ROOT / "docs" / "scenarios.md").read_text()
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block is not None
    spec = scenario_from_toml(block.group(1), "docs/scenarios.md")
    res = resolve_scenario(spec)
    assert res.council.year == 2022 and len(res.amendments) == 1
    result = sim.simulate(spec, method="exact")
    assert 0.0 <= result.p_adopted < 0.2  # Russia's probable veto dominates


def test_party_to_dispute_votes_freely_on_a_procedural_draft() -> None:
    """Art. 27(3) binds substantive decisions only: a procedural vote keeps the party's numbers."""
    data = with_("council/parties_to_dispute", ["Russia"])
    data["draft"] = {"procedural": True}
    spec = build_model(resolved(data))
    i = spec.model.members.index("RUS")
    np.testing.assert_allclose(spec.model.probs[i], [0.05, 0.25, 0.7, 0.0])
    assert spec.provenance["RUS"] == "user"
    free = with_("draft/procedural", True)
    assert sim.simulate(data, method="exact", calibrator=None).p_adopted == pytest.approx(
        sim.simulate(free, method="exact", calibrator=None).p_adopted, abs=1e-12)


# --- which Council: the one that sat on the draft's date -----------------------------------


def _dated(year: int, date: str, **tables: Any) -> dict[str, Any]:
    return {"scenario": {"name": "dated"}, "council": {"year": year}, "draft": {"date": date}, **tables}


def test_draft_date_in_late_1971_gives_the_prc() -> None:
    data = _dated(1971, "1971-12-01", votes={"China": {"no": 1.0}},
                  correlation={"blocs": [{"name": "east", "members": ["China", "USSR"], "cohesion": 0.2}]})
    res = resolved(data)
    assert "CHN" in res.council.permanent and "ROC" not in res.council.members
    assert set(res.votes) == {"CHN"}
    assert res.blocs[0][1] == ("CHN", "SUN")
    assert build_model(res).model.members[0] == "CHN"
    early = resolved(_dated(1971, "1971-06-01", votes={"China": {"no": 1.0}}))
    assert set(early.votes) == {"ROC"}  # the Republic of China held the seat until 25 Oct 1971
    not_member = r"votes.Taiwan: 'Taiwan' \(ROC\) is not a member of the Council of 1971-12-01"
    with pytest.raises(ScenarioError, match=not_member):
        resolved(_dated(1971, "1971-12-01", votes={"Taiwan": {"yes": 1.0}}))


def test_draft_date_in_1990_gives_the_yemen_of_that_day() -> None:
    spring = resolved(_dated(1990, "1990-03-01", votes={"Yemen": {"yes": 1.0}}))
    assert "YMD" in spring.council.members and set(spring.votes) == {"YMD"}
    summer = resolved(_dated(1990, "1990-11-29", votes={"Democratic Yemen": {"no": 1.0}}))
    assert "YEM" in summer.council.members and set(summer.votes) == {"YEM"}
    with_threshold = _dated(1990, "1990-03-01")
    with_threshold["council"]["threshold"] = 10
    council = resolved(with_threshold).council
    assert council.threshold == 10 and "YMD" in council.members


def test_draft_date_outside_council_year_is_an_error() -> None:
    with pytest.raises(ScenarioError, match=r": draft.date: 2030-01-01 is not in council.year 2022$"):
        resolved(_dated(2022, "2030-01-01"))


def test_draft_date_outside_council_year_exits_2_in_the_cli(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from sim.cli import main

    path = tmp_path / "mismatch.toml"
    path.write_text('[scenario]\nname = "x"\n[council]\nyear = 2022\n[draft]\ndate = 2030-01-01\n')
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"{path}: draft.date: 2030-01-01 is not in council.year 2022\n"
    assert "Traceback" not in result.stdout + result.stderr


def _with_amendment_reference(entry: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["amendments"] = [{"name": "A1", "votes": {"Russia": {"no": 1.0}}}]
    data["reference"] = {"source": "test", "outcome": "adopted", "yes": 9, "no": 0, "abstain": 6,
                         "amendments": [entry]}
    return data


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({"name": "A2", "outcome": "failed"}, "reference.amendments[0].name", "not the name of an amendment"),
        ({"name": "A1", "outcome": "failed", "yes": 6, "no": 1, "abstain": 7},
         "reference.amendments[0]", "the Council has 15 members"),
        ({"name": "A1", "outcome": "failed", "yes": 16}, "reference.amendments[0]", "more than the 15 members"),
        ({"name": "A1", "outcome": "vetoed", "yes": 10, "vetoed_by": ["Brazil"]},
         "reference.amendments[0].vetoed_by[0]", "not a permanent member"),
        ({"name": "A1", "outcome": "vetoed", "yes": 10, "vetoed_by": ["Russia"], "votes": {"Russia": "yes"}},
         "reference.amendments[0].vetoed_by[0]", "records 'yes'"),
        ({"name": "A1", "outcome": "failed", "votes": {"Narnia": "no"}},
         'reference.amendments[0].votes.Narnia', "unknown"),
        ({"name": "A1", "outcome": "maybe"}, "reference.amendments[0].outcome", ""),
    ],
)
def test_amendment_reference_errors_name_the_field(entry: dict[str, Any], field: str, message: str) -> None:
    data = _with_amendment_reference(entry)
    with pytest.raises(ScenarioError, match=re.escape(message) if message else None) as err:
        resolved(data)
    assert err.value.field == field and message in str(err.value)
    assert "\n" not in str(err.value)


def test_amendment_reference_may_leave_out_what_is_not_confirmed() -> None:
    data = _with_amendment_reference({"name": "A1", "outcome": "vetoed", "yes": 9, "vetoed_by": ["Russia"]})
    res = resolved(data)
    assert res.spec.reference is not None
    (amend,) = res.spec.reference.amendments
    assert amend.tally is None and amend.no is None
    assert scenario_from_toml(scenario_to_toml(res.spec)) == res.spec
