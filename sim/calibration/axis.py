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

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import optimize

from .correlation import MAX_TOTAL, EventBatch, axis_loadings, log_likelihood, unanimous
from .features import P3, RUCN, CovariateTable, lean

#: |z| is capped: the United States' own lean would otherwise put it far beyond its allies.
Z_MAX = 1.5
#: Largest kappa searched.
KAPPA_MAX = 1.0
#: Contested Council votes a member's own record counts for against its GA position (prior
#: weight, in votes).
PRIOR_VOTES = 10.0
#: Years of contested Council votes read for the members' own record.
RECORD_YEARS = 10


def council_record(member: np.ndarray, event: np.ndarray, year: np.ndarray, vote: np.ndarray,
                   contested: np.ndarray, end_year: int) -> dict[str, tuple[float, float]]:
    """Each member's position on the axis scale from its own contested Council votes of the
    last :data:`RECORD_YEARS` years through ``end_year``: its share of votes cast like the
    United States' minus its share cast like Russia's, on the scale where the Western
    permanent members average +1 and Russia and China -1 (as :func:`axis_z`), with the number
    of votes it rests on. ``vote`` codes any three categories; ``contested`` flags the rows
    of contested events."""
    keep = contested & (year > end_year - RECORD_YEARS) & (year <= end_year)
    if not keep.any():
        return {}
    member, event, vote = member[keep].astype(str), event[keep].astype(str), vote[keep]
    by_event: dict[str, dict[str, int]] = {}
    for m, e, v in zip(member, event, vote, strict=True):
        by_event.setdefault(e, {})[m] = int(v)
    raw: dict[str, list[float]] = {}
    for votes in by_event.values():
        us, ru = votes.get("USA"), votes.get("RUS")
        if us is None or ru is None or us == ru:
            continue  # an event where the two sides voted alike says nothing about the axis
        for m, v in votes.items():
            raw.setdefault(m, []).append(float(v == us) - float(v == ru))
    if not raw:
        return {}
    score = {m: float(np.mean(x)) for m, x in raw.items()}
    west = [score[m] for m in P3 if m in score]
    east = [score[m] for m in RUCN if m in score]
    if not west or not east or np.mean(west) - np.mean(east) <= 1e-6:
        return {}
    mid, half = (np.mean(west) + np.mean(east)) / 2.0, (np.mean(west) - np.mean(east)) / 2.0
    return {m: (float(np.clip((x - mid) / half, -Z_MAX, Z_MAX)), float(len(raw[m])))
            for m, x in score.items()}


def blended_z(z_ga: np.ndarray, members: Sequence[str],
              record: Mapping[str, Sequence[float]]) -> np.ndarray:
    """GA positions moved toward each member's own Council record, by the record's weight:
    ``(n * z_council + PRIOR_VOTES * z_ga) / (n + PRIOR_VOTES)``."""
    out = np.asarray(z_ga, float).copy()
    for k, m in enumerate(members):
        got = record.get(m)
        if got is not None:
            zc, n = float(got[0]), float(got[1])
            out[k] = (n * zc + PRIOR_VOTES * out[k]) / (n + PRIOR_VOTES)
    return out


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


def member_loadings(z: np.ndarray, blocs: Sequence[str | None], kappa: float, common: float,
                    cohesion: Mapping[str, float]) -> np.ndarray:
    """Loadings ``kappa * z`` of members in ``blocs`` (a bloc name or None each), each within
    what the common loading and its bloc's cohesion (at most ``1 - common``) leave."""
    z = np.asarray(z, float)
    if kappa == 0.0:
        return np.zeros(z.shape)
    coh = np.array([min(float(cohesion.get(b, 0.0)), max(0.0, 1.0 - common)) if isinstance(b, str) else 0.0
                    for b in blocs])
    return axis_loadings(z, kappa, MAX_TOTAL - common - coh)


def fit_kappa(batch: EventBatch, common: float, cohesion: np.ndarray,
              truncated: bool = False) -> tuple[float, float, float]:
    """(kappa, log likelihood with it, log likelihood at kappa 0) by maximum weighted
    likelihood of the joint votes, the common loading and cohesions held at their fit.

    With ``truncated`` the events are known not to be unanimous (as in
    :func:`sim.calibration.correlation.fit_correlation`)."""
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
