"""The hurdle mixture behind event forecasts, and soft imputation of unknown sponsors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri

from sim.calibration.correlation import fit_correlation, make_batch
from sim.calibration.event_forecast import event_probabilities_for
from sim.calibration.features import PenholderHistory
from sim.calibration.prediction import Prediction, expand_imputed
from sim.engine.exact import event_probabilities, event_probabilities_unanimous
from sim.engine.model import VoteModel

P5 = ("USA", "GBR", "FRA", "RUS", "CHN")
MEMBERS = (*P5, "ALB", "BRA", "GAB", "GHA", "IND", "IRL", "KEN", "MEX", "NOR", "ARE")


def latent_votes(rng: np.random.Generator, probs: np.ndarray, common: float,
                 n: int) -> np.ndarray:
    """(n, members) draws of the engine's latent model with a common factor only; codes
    0 = no, 1 = abstain, 2 = yes."""
    m = len(probs)
    u = (np.sqrt(common) * rng.standard_normal((n, 1))
         + np.sqrt(1 - common) * rng.standard_normal((n, m)))
    t1 = ndtri(probs[:, 2])
    t2 = ndtri(probs[:, 2] + probs[:, 1])
    return np.where(u < t1, 0, np.where(u < t2, 1, 2))


def test_unanimity_probability_independent_votes() -> None:
    """With independent votes P(all yes) is the product of the P(yes); adoption and veto
    probabilities are those of event_probabilities."""
    rng = np.random.default_rng(1)
    py = rng.uniform(0.6, 0.99, 15)
    pn = (1 - py) / 2
    probs = np.column_stack([py, 1 - py - pn, pn, np.zeros(15)])
    vm = VoteModel(members=MEMBERS, probs=probs, permanent=np.arange(15) < 5,
                   bloc=np.full(15, -1), cohesion=np.zeros(0), common=0.0, threshold=9)
    pa, pv, p15 = event_probabilities_unanimous(vm)
    assert p15 == pytest.approx(float(np.prod(py)), rel=1e-10)
    assert (pa, pv) == pytest.approx(event_probabilities(vm), abs=1e-12)


def test_truncated_fit_recovers_common_from_contested_events() -> None:
    """Events seen only when not unanimous: the truncated likelihood recovers the common
    loading (0.4) within 0.1; 600 events of 15 members."""
    rng = np.random.default_rng(11)
    probs_l, votes_l = [], []
    while len(votes_l) < 600:
        py = rng.uniform(0.7, 0.97, 15)
        p = np.column_stack([py, (1 - py) / 2, (1 - py) / 2])
        v = latent_votes(rng, p, 0.4, 1)[0]
        if (v == 2).all():
            continue
        probs_l.append(p)
        votes_l.append(v)
    batch = make_batch(probs_l, votes_l, [np.full(15, -1)] * 600, np.ones(600))
    common, _coh, _ll = fit_correlation(batch, 0, truncated=True)
    assert abs(common - 0.4) < 0.1


def _one_event_prediction(q: float, cond: np.ndarray, common: float) -> Prediction:
    parts = pd.DataFrame({"event_id": "e", "cand": "e", "weight": 1.0, "member": MEMBERS, "year": 2020,
                          "bloc": None, "p_yes": 0.0, "p_abstain": 0.0, "p_no": 0.0, "q": q,
                          "c_yes": cond[:, 0], "c_abstain": cond[:, 1], "c_no": cond[:, 2]})
    rows = parts[["event_id", "member", "p_yes", "p_abstain", "p_no", "bloc"]]
    return Prediction(rows, 0.0, {}, (common, {}), parts)


def test_mixture_adoption_matches_simulation() -> None:
    """P(adopted) of the hurdle mixture (unanimous with probability 1 - q, else the
    contested votes conditioned on not being unanimous) agrees with a simulation of that
    process within 4 Monte Carlo standard errors."""
    rng = np.random.default_rng(5)
    q, common = 0.35, 0.3
    py = np.r_[0.55, 0.6, 0.6, 0.25, 0.35, rng.uniform(0.5, 0.9, 10)]
    cond = np.column_stack([py, (1 - py) * 0.6, (1 - py) * 0.4])
    got = event_probabilities_for(_one_event_prediction(q, cond, common))
    p_exact = float(got["p_adopted"].iloc[0])
    v = latent_votes(rng, cond, common, 400_000)
    v = v[~(v == 2).all(axis=1)]  # the contested component is never unanimous
    adopted = ((v == 2).sum(axis=1) >= 9) & ~(v[:, :5] == 0).any(axis=1)
    p_c = adopted.mean()
    p_sim = (1 - q) + q * p_c
    se = q * np.sqrt(p_c * (1 - p_c) / len(v))
    assert abs(p_exact - p_sim) < 4 * se
    assert 1 - q < p_exact < 1  # a contested draft may still be adopted


def test_sponsor_distribution_favours_the_topic_and_sums_to_one() -> None:
    hist = PenholderHistory({"syria": ["western", "western", "ru_cn"],
                             "somalia": ["western", "elected", "president"]})
    d = dict(hist.distribution("syria"))
    assert sum(d.values()) == pytest.approx(1.0)
    assert d["western"] > d["ru_cn"] > d["elected"] > 0
    assert set(d) == {"western", "ru_cn", "elected", "president"}
    assert dict(hist.distribution("never seen")).keys() == d.keys()
    assert PenholderHistory.empty().distribution("syria") == ()


def test_expand_imputed_weights_sum_to_one_per_row() -> None:
    m = pd.DataFrame({
        "event_id": ["a", "a", "b", "b"], "member": ["USA", "RUS"] * 2,
        "cls": ["western", "western", "ru_cn", "ru_cn"], "side": [1.0, 1.0, -1.0, -1.0],
        "imputed": [True, True, False, False],
        "cls_dist": [(("western", 0.7), ("ru_cn", 0.29), ("broad", 0.01))] * 2 + [()] * 2,
    })
    x = expand_imputed(m)
    w = x.groupby("_row")["cand_w"].sum()
    assert np.allclose(w.to_numpy(), 1.0) and list(w.index) == [0, 1, 2, 3]
    a = x[x["_row"] == 0].set_index("cls")
    assert set(a.index) == {"western", "ru_cn"}  # under 2% is dropped
    assert a.loc["ru_cn", "side"] == -1.0 and a.loc["western", "side"] == 1.0
    assert a["event_id"].nunique() == 2  # each candidate is its own event for the design
    assert (x[x["_row"] >= 2]["event_id"] == "b").all()


def test_recalibration_recovers_shift_and_scale() -> None:
    """Phi(shift + scale * eta) fitted to outcomes drawn from shift 0.5, scale 0.6: both
    recovered within 0.1 (20,000 draws; standard errors about 0.01); a very strong prior
    keeps (0, 1)."""
    from sim.calibration.recalibration import fit_shift_scale

    rng = np.random.default_rng(2)
    eta = rng.normal(0.0, 1.5, 20_000)
    from scipy.special import ndtr

    y = rng.random(eta.size) < ndtr(0.5 + 0.6 * eta)
    a, b = fit_shift_scale(eta, y, np.ones(eta.size), prior=20.0)
    assert abs(a - 0.5) < 0.1 and abs(b - 0.6) < 0.1
    a0, b0 = fit_shift_scale(eta, y, np.ones(eta.size), prior=1e9)
    assert abs(a0) < 1e-3 and abs(b0 - 1.0) < 1e-3


def test_split_recalibration_applies_per_member_kind() -> None:
    """With separate recalibrations, a permanent member's yes probit gets the permanent
    (shift, scale) and an elected member's the elected one; q and the no probit are
    untouched by them."""
    from scipy.special import ndtr

    from sim.calibration.hurdle import components
    from sim.calibration.rows import ModelRows

    m = pd.DataFrame({"perm": [1.0, 0.0]})
    prep = ModelRows(m=m, ev=pd.DataFrame({"e": [0]}), row_event=np.array([0, 0]),
                     ek=pd.DataFrame(), yk=pd.DataFrame(), nk=pd.DataFrame())
    eta = (np.array([0.3]), np.array([0.5, 0.5]), np.array([-0.2, -0.2]))
    q, cond = components(prep, eta, {"yes:perm": (0.0, 1.0), "yes:elected": (0.2, 0.5)})
    assert q == pytest.approx([ndtr(0.3)] * 2)
    assert cond[0, 0] == pytest.approx(ndtr(0.5))
    assert cond[1, 0] == pytest.approx(ndtr(0.2 + 0.5 * 0.5))
    no_share = cond[:, 2] / (cond[:, 1] + cond[:, 2])
    assert no_share == pytest.approx([ndtr(-0.2)] * 2)


def test_member_listed_twice_votes_once() -> None:
    """A duplicated input row is forecast (echoed) but does not vote twice in the event."""
    py = np.full(15, 0.8)
    cond = np.column_stack([py, (1 - py) / 2, (1 - py) / 2])
    pred = _one_event_prediction(0.5, cond, 0.2)
    once = event_probabilities_for(pred)
    assert pred.parts is not None
    twice = Prediction(pred.rows, 0.0, {}, pred.contested_corr,
                       pd.concat([pred.parts, pred.parts.iloc[[7]]], ignore_index=True))
    pd.testing.assert_frame_equal(event_probabilities_for(twice), once)
