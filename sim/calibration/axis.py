"""Members' loadings on the alignment axis (West - Russia/China) from their General Assembly
record (docs/calibration.md, "The alignment axis").

A member's GA lean (its agreement with the United States minus its mean agreement with Russia
and China, :func:`sim.calibration.features.lean`) is put on a scale where the year's mean lean
of the Western permanent members is +1 and that of Russia and China is -1:

    z = (lean - (west + east) / 2) / ((west - east) / 2),   clipped to [-Z_MAX, Z_MAX]

and its loading is ``kappa * z`` (within the variance the member has left). ``kappa`` is
fitted on how members co-voted in the Council (:func:`fit_kappa`), so a member with no Council
history still gets a loading from its GA record. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import optimize

from .correlation import EventBatch, log_likelihood
from .features import P3, RUCN, CovariateTable, lean

#: |z| is capped: the United States' own lean would otherwise put it far beyond its allies.
Z_MAX = 1.5
#: Largest kappa searched.
KAPPA_MAX = 1.0


def axis_z(covs: CovariateTable, members: Sequence[str], years: Sequence[int]) -> np.ndarray:
    """Each (member, year)'s position on the axis scale (see the module docstring)."""
    members = list(members)
    years = [int(y) for y in years]
    z = np.zeros(len(members))
    if not members:
        return z
    ln = lean(covs.lookup(members, years))
    for year in sorted(set(years)):
        rows = np.array([y == year for y in years])
        west = float(np.mean(lean(covs.lookup(sorted(P3), [year] * len(P3)))))
        east = float(np.mean(lean(covs.lookup(sorted(RUCN), [year] * len(RUCN)))))
        half = (west - east) / 2.0
        if not np.isfinite(half) or half <= 1e-6:
            continue
        z[rows] = (ln[rows] - (west + east) / 2.0) / half
    return np.clip(np.nan_to_num(z, nan=0.0), -Z_MAX, Z_MAX)


def fit_kappa(batch: EventBatch, common: float, cohesion: np.ndarray,
              truncated: bool = False) -> tuple[float, float, float]:
    """(kappa, log likelihood with it, log likelihood at kappa 0) by maximum weighted
    likelihood of the joint votes, the common loading and cohesions held at their fit.

    With ``truncated`` the events are known not to be unanimous (as in
    :func:`sim.calibration.correlation.fit_correlation`)."""
    from .correlation import unanimous

    all_yes = unanimous(batch)

    def ll(kappa: float) -> float:
        per = log_likelihood(batch, common, cohesion, kappa=kappa)
        if truncated:
            l0 = np.minimum(log_likelihood(all_yes, common, cohesion, kappa=kappa), -1e-9)
            per = per - np.log(-np.expm1(l0))
        return float(batch.weight @ per)

    res = optimize.minimize_scalar(lambda k: -ll(k), bounds=(0.0, KAPPA_MAX), method="bounded",
                                   options={"xatol": 1e-3, "maxiter": 30})
    kappa = float(res.x)
    base = ll(0.0)
    best = -float(res.fun)
    if best <= base:
        return 0.0, base, base
    return kappa, best, base
