"""Simulation results: one tidy dataclass with the same keys for Monte Carlo and exact runs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtri

from .amendments import VotePath
from .model import VOTES

Z95 = float(ndtri(0.975))  # the normal's 97.5% point (scipy.stats' norm.ppf is this ndtri)


def wilson_interval(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``p`` observed in ``n`` trials."""
    if n <= 0:
        return (0.0, 1.0)
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class AmendmentResult:
    """Outcome probabilities of a vote sequence with amendments (see :mod:`sim.engine.amendments`)."""

    names: tuple[str, ...]
    p_adopted: tuple[float, ...]
    p_draft_given: tuple[tuple[float | None, float | None], ...]  # (given adopted, given not)
    paths: dict[VotePath, float]  # every path's probability; VotePath.label names it

    def to_dict(self) -> dict[str, Any]:
        return {
            "amendments": [
                {
                    "name": name,
                    "p_adopted": p,
                    "p_draft_adopted_if_adopted": given[0],
                    "p_draft_adopted_if_rejected": given[1],
                }
                for name, p, given in zip(self.names, self.p_adopted, self.p_draft_given, strict=True)
            ],
            "paths": {path.label(self.names): p for path, p in self.paths.items()},
        }


@dataclass(frozen=True)
class SimulationResult:
    """Outcome probabilities of one draft (after any amendments), with how they were computed."""

    members: tuple[str, ...]
    permanent: tuple[str, ...]
    threshold: int
    procedural: bool
    method: str
    draws: int
    seed: int | None
    version: str
    p_adopted: float
    p_adopted_se: float
    p_vetoed: float  # enough yes votes and a permanent "no" (UN usage), substantive drafts
    p_short: float  # fewer yes votes than the threshold, whoever voted no
    p_permanent_no: float  # some permanent member votes no, whatever the yes count
    veto_by: np.ndarray  # (n,): enough yes votes and member i votes no; 0 unless a veto holder
    yes_distribution: np.ndarray
    tally: np.ndarray  # (n + 1, n + 1, n + 1): P(yes, no, abstain); absent = n - sum
    member_votes: np.ndarray  # (n, 4): yes, abstain, no, absent
    pivotal: np.ndarray
    pairwise: np.ndarray
    provenance: dict[str, str] = field(default_factory=dict)
    amendments: AmendmentResult | None = None
    scenario_name: str | None = None
    #: The date (ISO) of the last vote record behind the calibrated numbers; None if none is used.
    calibrated_as_of: str | None = None
    #: What was computed: "hurdle mixture" (the calibrated forecast the backtest validates:
    #: consensus or a contested vote, by likely sponsor) or "marginals" (each member's
    #: probabilities with one latent correlation: any scenario with a user's numbers).
    forecast: str = "marginals"

    @property
    def n(self) -> int:
        return len(self.members)

    @property
    def p_adopted_ci(self) -> tuple[float, float]:
        if self.method == "exact":
            return (self.p_adopted, self.p_adopted)
        return wilson_interval(self.p_adopted, self.draws)

    def se(self, p: float) -> float:
        """Monte Carlo standard error of a probability estimate from this run (0 if exact)."""
        if self.method == "exact" or self.draws <= 0:
            return 0.0
        return math.sqrt(max(p * (1 - p), 0.0) / self.draws)

    @property
    def p_veto_by(self) -> dict[str, float]:
        """P(the draft has enough votes and m votes no): the chance that m's veto is what kills it.

        0 on a procedural vote, where a "no" is no veto.
        """
        idx = {m: i for i, m in enumerate(self.members)}
        return {m: float(self.veto_by[idx[m]]) for m in self.permanent}

    @property
    def p_no_by(self) -> dict[str, float]:
        """P(each permanent member votes no), whatever the yes count."""
        idx = {m: i for i, m in enumerate(self.members)}
        return {m: float(self.member_votes[idx[m], 2]) for m in self.permanent}

    def tally_top(self, k: int = 10) -> list[dict[str, Any]]:
        """The ``k`` most likely (yes, no, abstain, absent) tallies."""
        n = self.n
        order = np.argsort(-self.tally, axis=None, kind="stable")[:k]
        out = []
        for yes, no, abstain in zip(*np.unravel_index(order, self.tally.shape), strict=True):
            p = float(self.tally[yes, no, abstain])
            if p <= 0:
                break
            yes, no, abstain = int(yes), int(no), int(abstain)
            out.append({"yes": yes, "no": no, "abstain": abstain, "absent": n - yes - no - abstain, "p": p})
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the CLI's JSON output), opening with the one-line verdict."""
        from sim.verdict import council_verdict

        members = self.members
        out: dict[str, Any] = {
            "scenario": self.scenario_name,
            "verdict": council_verdict(self).text,
            "p_adopted": self.p_adopted,
            "p_adopted_se": self.p_adopted_se,
            "p_adopted_ci": list(self.p_adopted_ci),
            "p_vetoed": self.p_vetoed,
            "p_short": self.p_short,
            "p_permanent_no": self.p_permanent_no,
            "p_veto_by": self.p_veto_by,
            "yes_distribution": [float(x) for x in self.yes_distribution],
            "tally_top": self.tally_top(),
            "member_votes": {
                m: {v: float(self.member_votes[i, j]) for j, v in enumerate(VOTES)} for i, m in enumerate(members)
            },
            "pivotal": {m: float(self.pivotal[i]) for i, m in enumerate(members)},
            "pairwise_agreement": {
                f"{a}-{b}": float(self.pairwise[i, j])
                for i, a in enumerate(members)
                for j, b in enumerate(members)
                if i < j
            },
            "provenance": dict(self.provenance),
            "calibrated_as_of": self.calibrated_as_of,
            "forecast": self.forecast,
            "threshold": self.threshold,
            "procedural": self.procedural,
            "draws": self.draws,
            "seed": self.seed,
            "method": self.method,
            "version": self.version,
        }
        if self.amendments is not None:
            out.update(self.amendments.to_dict())
        return out
