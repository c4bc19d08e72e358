"""What a Council expert would sign, pinned with generous bounds (issue 13).

Each check runs the shipped parameters through both forecast paths a user meets: the
scenario path (``sim.simulate`` / the app) and ``predict`` (the CLI and the backtest).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.calibration.hurdle import SPONSOR_YES, sponsors_vote_yes
from sim.calibration.prediction import predict
from sim.scenario.calibrated import load_params

COUNCIL_2025 = ("CHN", "FRA", "RUS", "GBR", "USA", "DZA", "DNK", "GRC", "GUY", "PAK",
                "PAN", "KOR", "SLE", "SVN", "SOM")

#: (sponsor text, the Council members among the sponsors, topic, year)
SPONSORED = [
    ("Russian Federation", ("RUS",), "Ukraine", 2025),
    ("United States", ("USA",), "Middle East situation, including the Palestinian question", 2025),
    ("China and Russian Federation", ("CHN", "RUS"), "Non-proliferation/Democratic People's Republic of Korea", 2025),
    ("France and United Kingdom", ("FRA", "GBR"), "Libya", 2025),
    ("Algeria", ("DZA",), "Middle East situation, including the Palestinian question", 2025),
    ("Guyana", ("GUY",), "Haiti", 2025),
]


def test_sponsors_vote_yes_keeps_the_rest_of_the_model() -> None:
    cond = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.9999, 0.0001, 0.0], [0.5, 0.5, 0.0]])
    sponsor = np.array([True, True, True, False])
    out = sponsors_vote_yes(cond, sponsor)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-15)
    assert out[0, 0] == SPONSOR_YES and out[1, 0] == SPONSOR_YES
    assert out[2, 0] == 0.9999  # a model surer than the rule keeps its own number
    np.testing.assert_allclose(out[0, 1] / out[0, 2], 3.0)  # abstain : no as the model had it
    np.testing.assert_allclose(out[1, 1] / out[1, 2], 1.0 / 3.0)
    np.testing.assert_array_equal(out[3], cond[3])  # a non-sponsor is untouched
    np.testing.assert_array_equal(cond[0], [0.6, 0.3, 0.1])  # the input is not changed


@pytest.mark.parametrize(("sponsor", "own", "topic", "year"), SPONSORED, ids=[s[0] for s in SPONSORED])
def test_sponsors_vote_for_their_own_drafts(sponsor: str, own: tuple[str, ...], topic: str, year: int) -> None:
    """Sponsors on the Council vote yes on 99.4% of their own drafts in the records."""
    data = {"scenario": {"name": "sponsor"}, "council": {"year": year},
            "draft": {"sponsor": sponsor, "topic": topic}}
    result = sim.simulate(data, method="exact")
    yes = dict(zip(result.members, result.member_votes[:, 0], strict=True))
    rows = pd.DataFrame({"event_id": "d", "date": pd.Timestamp(year, 7, 1).date(), "year": year,
                         "member": list(COUNCIL_2025), "sponsor": sponsor, "topic": topic,
                         "agenda": topic, "category": None, "region": None, "draft": None})
    pred = predict(load_params(), rows).rows.set_index("member")
    for code in own:
        assert yes[code] >= 0.9, f"{code} on its own draft (scenario path): {yes[code]:.3f}"
        assert pred.loc[code, "p_yes"] >= 0.9, f"{code} on its own draft (predict): {pred.loc[code, 'p_yes']:.3f}"


DRAFTS = [
    ("France", "Mali"),
    ("United States", "Ukraine"),
    ("Russian Federation", "Ukraine"),
    (None, "Cyprus"),  # unknown sponsor: averaged over the likely sponsor classes
    (None, None),
]


@pytest.mark.parametrize(("sponsor", "topic"), DRAFTS, ids=[f"{s}-{t}" for s, t in DRAFTS])
def test_the_scenario_path_and_predict_give_the_same_forecast(sponsor: str | None, topic: str | None) -> None:
    """One forecast path: the app and `run` compute the hurdle mixture the backtest validated."""
    from sim.calibration.event_forecast import event_probabilities_for

    data = {"scenario": {"name": "one path"}, "council": {"year": 2025}, "draft": {}}
    if sponsor:
        data["draft"]["sponsor"] = sponsor
    if topic:
        data["draft"]["topic"] = topic
    assert sim.model_spec(data).mixture is not None
    result = sim.simulate(data, method="exact")
    rows = pd.DataFrame({"event_id": "d", "date": pd.Timestamp(2025, 7, 1).date(), "year": 2025,
                         "member": list(COUNCIL_2025), "sponsor": sponsor, "topic": topic,
                         "agenda": topic, "category": None, "region": None, "draft": None})
    from sim.scenario.calibrated import match_agenda, match_topic

    prm = load_params()
    rows["topic"] = match_topic(topic, prm)
    rows["agenda"] = match_agenda(topic, rows["topic"].iloc[0], prm)
    event = event_probabilities_for(predict(prm, rows)).iloc[0]
    assert result.p_adopted == pytest.approx(event["p_adopted"], abs=1e-9)
    assert result.p_vetoed == pytest.approx(event["p_vetoed"], abs=1e-9)


def test_a_users_table_turns_the_mixture_off_and_says_so_in_the_provenance() -> None:
    data = {"scenario": {"name": "edited"}, "council": {"year": 2025},
            "draft": {"sponsor": "France", "topic": "Mali"},
            "votes": {"China": {"yes": 0.2, "abstain": 0.3, "no": 0.5}}}
    spec = sim.model_spec(data)
    assert spec.mixture is None and spec.provenance["CHN"] == "user"
    result = sim.simulate(data, method="exact")
    assert result.member_votes[list(result.members).index("CHN"), 2] == pytest.approx(0.5)


def test_monte_carlo_of_the_mixture_agrees_with_its_exact_value() -> None:
    data = {"scenario": {"name": "mc"}, "council": {"year": 2025}, "draft": {"topic": "Cyprus"}}
    exact = sim.simulate(data, method="exact")
    draws = 200_000
    mc = sim.simulate(data, draws=draws, seed=3)
    for p_mc, p_ex in ((mc.p_adopted, exact.p_adopted), (mc.p_vetoed, exact.p_vetoed)):
        se = (p_ex * (1 - p_ex) / draws) ** 0.5
        assert abs(p_mc - p_ex) <= 4 * se  # k = 4 Monte Carlo standard errors


def _forecast(sponsor: str | None, topic: str | None, year: int = 2025) -> sim.SimulationResult:
    data: dict = {"scenario": {"name": "expert"}, "council": {"year": year}, "draft": {}}
    if sponsor:
        data["draft"]["sponsor"] = sponsor
    if topic:
        data["draft"]["topic"] = topic
    return sim.simulate(data, method="exact")


def _vote(result: sim.SimulationResult, member: str, vote: int) -> float:
    return float(result.member_votes[list(result.members).index(member), vote])


def test_an_uninformed_draft_has_a_recent_veto_rate() -> None:
    """In 2023, 6 of 65 votes were vetoed; a draft about which nothing is known is near that."""
    result = _forecast(None, None)
    assert 0.03 <= result.p_vetoed <= 0.2, result.p_vetoed


# Checks the shipped model does not pass yet (issue 13): strict, so a model that passes them
# fails here until the mark is removed. The figure in each reason is today's.
@pytest.mark.xfail(strict=True, reason="Russia's P(no) is 0.64 on a P3 draft on Ukraine (issue 13, item 3)")
def test_russia_vetoes_a_p3_draft_on_ukraine() -> None:
    """Russia vetoed every Western draft on its invasion of Ukraine."""
    assert _vote(_forecast("United States, United Kingdom and France", "Ukraine"), "RUS", 2) >= 0.8


def test_the_us_votes_no_on_an_elected_members_gaza_ceasefire_draft() -> None:
    """The US vetoed the elected members' ceasefire drafts of 2024."""
    e10 = "Algeria, Guyana, Republic of Korea, Sierra Leone, Slovenia, Somalia, Denmark, Greece, Pakistan, Panama"
    result = _forecast(e10, "Middle East situation, including the Palestinian question")
    assert _vote(result, "USA", 2) >= 0.5


@pytest.mark.xfail(strict=True, reason="P(adopted) is 0.90 for a 2025 UNFICYP renewal (issue 13, item 4)")
def test_a_cyprus_renewal_is_near_its_record() -> None:
    """53 of 54 Cyprus votes in the records were unanimous."""
    assert _forecast(None, "Cyprus").p_adopted >= 0.97


@pytest.mark.xfail(strict=True, reason="P(adopted) is 0.25 for a Russian draft on Ukraine (issue 13, item 3)")
def test_a_russian_draft_on_ukraine_fails() -> None:
    """Russia's drafts on Ukraine since 2022 failed for lack of votes."""
    assert _forecast("Russian Federation", "Ukraine").p_adopted <= 0.1
