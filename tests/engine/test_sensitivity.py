"""Tests for sim.engine.sensitivity: P(adopted) when one member at a time leans toward yes or no."""

from __future__ import annotations

import numpy as np
import pytest

from sim.api import model_spec
from sim.engine.exact import event_probabilities
from sim.engine.model import VoteModel
from sim.engine.sensitivity import COLUMNS, sensitivity
from sim.scenario.build import ModelSpec, shift_probs

SCENARIO = {
    "scenario": {"name": "test"},
    "council": {"year": 2022},
    "votes": {
        "Russia": {"yes": 0.3, "abstain": 0.4, "no": 0.3},
        "China": {"yes": 0.5, "abstain": 0.5},
        "India": {"yes": 0.4, "abstain": 0.5, "no": 0.1},
        "Kenya": {"yes": 0.7, "abstain": 0.2, "absent": 0.1},
    },
    "correlation": {"common": 0.2, "blocs": [{"name": "RC", "members": ["Russia", "China"], "cohesion": 0.3}]},
}


@pytest.fixture(scope="module")
def spec() -> ModelSpec:
    return model_spec(SCENARIO, calibrator=None)


def test_one_row_per_member_in_council_order(spec: ModelSpec) -> None:
    df = sensitivity(spec)
    assert tuple(df.columns) == COLUMNS
    assert tuple(df["member"]) == spec.model.members
    assert df["permanent"].sum() == 5
    assert df.loc[df["member"] == "RUS", "name"].item() == "Russia"


def test_leaning_toward_yes_never_lowers_adoption(spec: ModelSpec) -> None:
    df = sensitivity(spec, shift=0.7)
    base = event_probabilities(spec.model)[0]
    assert np.allclose(df["base"], base)
    assert (df["toward_yes"] >= df["base"] - 1e-12).all()
    assert (df["toward_no"] <= df["base"] + 1e-12).all()
    assert np.allclose(df["change_yes"], df["toward_yes"] - df["base"])
    assert np.allclose(df["change_no"], df["toward_no"] - df["base"])
    # Russia, a likely veto, matters more than a near-certain yes voter such as France.
    rus = df.loc[df["member"] == "RUS"].iloc[0]
    fra = df.loc[df["member"] == "FRA"].iloc[0]
    assert rus["change_yes"] > fra["change_yes"] + 0.01


def test_matches_a_direct_recomputation(spec: ModelSpec) -> None:
    df = sensitivity(spec, shift=0.5)
    model = spec.model
    i = model.members.index("IND")
    probs = model.probs.copy()
    probs[i] = shift_probs(tuple(probs[i]), -0.5)
    expected = event_probabilities(model.with_probs(probs))[0]
    assert df.loc[i, "toward_no"] == pytest.approx(expected, abs=1e-12)
    # A VoteModel gives the same table as its ModelSpec.
    assert np.allclose(sensitivity(model, shift=0.5)["toward_no"], df["toward_no"])


def test_zero_shift_changes_nothing(spec: ModelSpec) -> None:
    df = sensitivity(spec, shift=0.0)
    assert np.allclose(df["change_yes"], 0.0, atol=1e-12)
    assert np.allclose(df["change_no"], 0.0, atol=1e-12)


def test_certain_veto_cannot_be_moved() -> None:
    data = {**SCENARIO, "votes": {"United States": {"no": 1.0}}}
    df = sensitivity(model_spec(data, calibrator=None))
    assert (df["base"] == 0.0).all()
    assert np.allclose(df["toward_yes"], 0.0)


def test_bad_shift_is_refused(spec: ModelSpec) -> None:
    with pytest.raises(ValueError, match="shift"):
        sensitivity(spec, shift=-1.0)
    with pytest.raises(ValueError, match="shift"):
        sensitivity(spec, shift=float("nan"))


def test_one_step_gains_by_hand() -> None:
    """A (permanent) 0.7/0.1/0.2/0, B 0.5/0.3/0.1/0.1, C obliged to abstain; two yes needed, so
    P(adopted) = 0.7 x 0.5 = 0.35. A's abstentions to yes: 0.8 x 0.5 (+5 points); B's: 0.7 x 0.8
    (+21); a no turned abstention gains nothing when both yes votes are needed anyway."""
    from sim.engine.sensitivity import step_gains

    probs = np.array([[0.7, 0.1, 0.2, 0.0], [0.5, 0.3, 0.1, 0.1], [0.0, 1.0, 0.0, 0.0]])
    model = VoteModel(("A", "B", "C"), probs, np.array([True, False, False]), np.array([-1, -1, -1]),
                      np.array([]), 0.0, 2)
    df = step_gains(model).set_index(["member", "step"])
    assert "C" not in df.index.get_level_values("member")
    assert df.loc[("A", "abstain to yes"), "points"] == pytest.approx(5.0, abs=1e-9)
    assert df.loc[("B", "abstain to yes"), "points"] == pytest.approx(21.0, abs=1e-9)
    assert df.loc[("A", "no to abstain"), "points"] == pytest.approx(0.0, abs=1e-12)
    assert df.loc[("B", "no to abstain"), "points"] == pytest.approx(0.0, abs=1e-12)
    assert df.loc[("A", "abstain to yes"), "role"] == "can veto"
    assert df.loc[("B", "abstain to yes"), "role"] == "one of the 2 yes votes needed"
