"""The members' alignment loadings: their GA position on the axis and the fitted kappa."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri

from sim.calibration.axis import Z_MAX, axis_z, fit_kappa
from sim.calibration.correlation import MAX_TOTAL, axis_loadings, make_batch
from sim.calibration.features import CovariateTable


def _covs() -> CovariateTable:
    # us_agree - mean(ru_agree, cn_agree) is the lean: USA 0.8, GBR 0.4, FRA 0.3, RUS/CHN -0.5
    rows = [("USA", 0.9, 0.1, 0.1), ("GBR", 0.7, 0.3, 0.3), ("FRA", 0.6, 0.3, 0.3),
            ("RUS", 0.2, 0.7, 0.7), ("CHN", 0.2, 0.7, 0.7), ("BRA", 0.4, 0.5, 0.5),
            ("XYZ", 0.1, 0.9, 0.9)]
    cov = pd.DataFrame([{"member": m, "year": 2020, "ideal": 0.0, "us_agree": u, "ru_agree": r,
                         "cn_agree": c, "group": "WEOG"} for m, u, r, c in rows])
    return CovariateTable.build(cov)


def test_the_western_permanent_members_average_plus_one_and_russia_china_minus_one() -> None:
    # a vote in 2022 reads the GA session that opened in 2020 (CovariateTable.lookup)
    z = axis_z(_covs(), ["USA", "GBR", "FRA", "RUS", "CHN", "BRA", "XYZ"], [2022] * 7)
    # leans 0.8, 0.4, 0.3 and -0.5, -0.5: midpoint 0, half-width 0.5
    np.testing.assert_allclose(z[:5], [Z_MAX, 0.8, 0.6, -1.0, -1.0])  # the USA's 1.6 is capped
    # the midpoint of the two sides' leans (0.5 and -0.5) is 0 and the half-width 0.5:
    # BRA's lean -0.1 is at -0.2
    assert z[5] == pytest.approx(-0.2, abs=1e-12)
    assert z[6] == -Z_MAX  # lean -0.8 is beyond -1.5 on this scale: capped


def test_loadings_stay_inside_each_members_variance() -> None:
    room = np.array([0.5, 0.04, 0.0])
    lam = axis_loadings(np.array([1.5, -1.5, 1.0]), 0.9, room)
    np.testing.assert_allclose(lam, [np.sqrt(0.5), -0.2, 0.0])  # 1.35, -1.35, 0.9 capped
    assert np.all(lam ** 2 <= room + 1e-15)


def _simulated(kappa: float, seed: int, events: int = 300, members: int = 10):
    """Votes drawn from the engine's latent model with loadings kappa * z (no blocs)."""
    rng = np.random.default_rng(seed)
    common = 0.2
    z = np.linspace(-1.5, 1.5, members)
    lam = axis_loadings(z, kappa, np.full(members, MAX_TOTAL - common))
    probs = np.tile([0.55, 0.25, 0.20], (members, 1))  # yes, abstain, no
    t1 = ndtri(probs[:, 2])
    t2 = ndtri(probs[:, 2] + probs[:, 1])
    a, f = rng.standard_normal(events), rng.standard_normal(events)
    e = rng.standard_normal((events, members))
    u = lam * a[:, None] + np.sqrt(common) * f[:, None] + np.sqrt(1 - common - lam ** 2) * e
    votes = np.where(u < t1, 0, np.where(u < t2, 1, 2))
    batch = make_batch([probs] * events, list(votes), [np.full(members, -1)] * events,
                       np.ones(events), [z] * events)
    return batch, common


@pytest.mark.parametrize("seed", [1, 2])
def test_fit_kappa_recovers_the_loading_scale(seed: int) -> None:
    """Over 300 simulated events the estimate's spread is 0.018 (measured over seeds 1-10:
    mean 0.494, sd 0.018); the bound is 4 of those."""
    batch, common = _simulated(0.5, seed)
    kappa, with_axis, without = fit_kappa(batch, common, np.zeros(0))
    assert kappa == pytest.approx(0.5, abs=0.075)
    assert with_axis > without + 10.0  # the axis explains the votes' split


def test_fit_kappa_finds_no_axis_where_there_is_none() -> None:
    batch, common = _simulated(0.0, 3)
    kappa, with_axis, without = fit_kappa(batch, common, np.zeros(0))
    assert kappa < 0.15
    assert with_axis - without < 5.0


def test_a_members_council_record_places_it_between_the_two_sides() -> None:
    """Three contested drafts where the US and Russia split: KEN votes with the US on two and
    with Russia on one, so its raw score is (2 - 1) / 3; the P3 score +1 and Russia/China -1
    (raw: USA, GBR, FRA 1, RUS, CHN -1), so the scale is the raw score itself."""
    from sim.calibration.axis import council_record

    votes = {  # event -> member -> vote code
        "e1": {"USA": 2, "GBR": 2, "FRA": 2, "RUS": 0, "CHN": 0, "KEN": 2},
        "e2": {"USA": 2, "GBR": 2, "FRA": 2, "RUS": 0, "CHN": 0, "KEN": 2},
        "e3": {"USA": 0, "GBR": 0, "FRA": 0, "RUS": 2, "CHN": 2, "KEN": 2},
        "e4": {"USA": 1, "GBR": 1, "FRA": 2, "RUS": 1, "CHN": 1, "KEN": 0},  # US and Russia alike
    }
    rows = [(m, e, v) for e, d in votes.items() for m, v in d.items()]
    member = np.array([m for m, _, _ in rows])
    event = np.array([e for _, e, _ in rows])
    vote = np.array([v for _, _, v in rows])
    rec = council_record(member, event, np.full(len(rows), 2020), vote, np.ones(len(rows), bool), 2020)
    assert rec["KEN"] == pytest.approx((1.0 / 3.0, 3.0))
    assert rec["USA"] == (1.0, 3.0) and rec["RUS"] == (-1.0, 3.0)
    # outside the record's years, or on uncontested drafts, nothing is read
    assert council_record(member, event, np.full(len(rows), 2000), vote, np.ones(len(rows), bool), 2020) == {}
    assert council_record(member, event, np.full(len(rows), 2020), vote, np.zeros(len(rows), bool), 2020) == {}


def test_the_record_moves_the_ga_position_by_its_weight() -> None:
    from sim.calibration.axis import PRIOR_VOTES, blended_z

    z = blended_z(np.array([-0.8, -0.8]), ["KEN", "NEW"], {"KEN": (0.5, PRIOR_VOTES)})
    np.testing.assert_allclose(z, [(0.5 - 0.8) / 2.0, -0.8])  # a newcomer keeps its GA position
