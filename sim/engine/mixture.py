"""Hurdle mixtures of vote models: consensual with probability 1 − q, else contested.

A :class:`Hurdle` is the calibrated forecasts' model of one sponsor class (docs/calibration.md,
"Event forecasts"): with probability ``1 − p_contested`` every member casts its consensus vote
(normally yes); otherwise the votes come from the correlated ``contested`` model conditioned on
not being the consensus vector. A :class:`MixtureModel` averages hurdles by weight (an event
whose sponsor is unknown). Every statistic of a result is an expectation of a function ``f`` of
the vote vector ``v``, so for one hurdle with consensus ``c`` and ``P = P_model(v = c)``

    E[f] = (1 − q)·f(c) + q·(E_model[f] − P·f(c)) / (1 − P)

and the mixture's is the weighted sum (:func:`exact_mixture`). The one exception is the
pivotal probability's mask: a member who never casts a yes or a no anywhere in the mixture is
never pivotal, so the decisive probabilities are mixed first and masked once.
:func:`sim.engine.mixture_montecarlo.run_mixture` draws the same mixture by Monte Carlo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .exact import ExactOutcome, outcomes_and_profile
from .model import NO, YES, VoteModel
from .votes import Vote

__all__ = ["EXACT_LIMIT", "Hurdle", "MixtureModel", "casts", "check_conditional", "consensus_model",
           "exact_mixture"]

#: The exact method conditions on "not the consensus" while P(consensus) is below 1 − 1e-12.
EXACT_LIMIT = 1.0 - 1e-12
#: Weights must sum to 1 within this.
WEIGHT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Hurdle:
    """One component: consensus with probability ``1 − p_contested``, else ``contested``
    conditioned on not being the consensus vector. ``consensus`` is a
    :class:`sim.engine.votes.Vote` code per member (default: every member votes yes)."""

    weight: float
    p_contested: float
    contested: VoteModel
    consensus: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.contested, VoteModel):
            raise ValueError(f"a hurdle's contested model must be a VoteModel, got {type(self.contested).__name__}")
        for name in ("weight", "p_contested"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
                raise ValueError(f"a hurdle's {name} must be a number, got {value!r}")
            object.__setattr__(self, name, float(value))
        if not (math.isfinite(self.weight) and self.weight >= 0):
            raise ValueError(f"a hurdle's weight must be finite and >= 0, got {self.weight}")
        if not 0.0 <= self.p_contested <= 1.0:
            raise ValueError(f"a hurdle's p_contested must be in [0, 1], got {self.p_contested}")
        n = self.contested.n
        consensus = (int(Vote.YES),) * n if self.consensus is None else self.consensus
        codes = tuple(int(v) for v in consensus)
        if len(codes) != n or any(v not in tuple(Vote) for v in codes):
            raise ValueError(f"a hurdle's consensus needs one vote code 0..3 per member ({n}), got {consensus!r}")
        object.__setattr__(self, "consensus", codes)

    @property
    def votes(self) -> np.ndarray:
        """The consensus vector as an int array (model order)."""
        return np.asarray(self.consensus, dtype=int)


@dataclass(frozen=True)
class MixtureModel:
    """Hurdles over one Council: the same members, permanent seats and rule; weights sum to 1."""

    components: tuple[Hurdle, ...]

    def __post_init__(self) -> None:
        comps = tuple(self.components)
        object.__setattr__(self, "components", comps)
        if not comps:
            raise ValueError("a mixture needs at least one component")
        if not all(isinstance(c, Hurdle) for c in comps):
            raise ValueError("a mixture's components must be Hurdle objects")
        first = comps[0].contested
        for h, comp in enumerate(comps[1:], start=1):
            m = comp.contested
            if m.members != first.members:
                raise ValueError(f"mixture component {h} has other members than component 0")
            if not np.array_equal(m.permanent, first.permanent):
                raise ValueError(f"mixture component {h} has other permanent members than component 0")
            if (m.threshold, m.procedural) != (first.threshold, first.procedural):
                raise ValueError(f"mixture component {h} has another voting rule than component 0")
        total = sum(c.weight for c in comps)
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            raise ValueError(f"mixture weights must sum to 1 (within {WEIGHT_TOLERANCE:g}), got {total!r}")

    @property
    def model(self) -> VoteModel:
        """The first component's contested model: members and rule of every component."""
        return self.components[0].contested

    @property
    def n(self) -> int:
        return self.model.n


def check_conditional(h: int, p_consensus: float, limit: float) -> None:
    """Conditioning component ``h``'s contested model on "not the consensus" needs P < ``limit``."""
    if p_consensus >= limit:
        raise ValueError(
            f"mixture component {h}: its contested model gives the consensus vector probability "
            f"{p_consensus:.12g} (limit {limit:.12g}), so the votes given no consensus are undefined"
        )


def casts(mix: MixtureModel) -> np.ndarray:
    """Members who can cast a yes or a no in the mixture: in the consensus of a component that is
    consensual with positive probability, or in a contested model that is drawn. (A member whose
    every contested yes-or-no falls in the consensus vector itself is counted as casting.)"""
    out = np.zeros(mix.n, dtype=bool)
    for comp in mix.components:
        if comp.weight <= 0:
            continue
        if comp.p_contested < 1:
            out |= (comp.votes == YES) | (comp.votes == NO)
        if comp.p_contested > 0:
            out |= comp.contested.probs[:, YES] + comp.contested.probs[:, NO] > 0
    return out


def consensus_model(comp: Hurdle) -> VoteModel:
    """The deterministic model of the consensus vector (one-hot probabilities, no correlation)."""
    m = comp.contested
    return VoteModel(members=m.members, probs=np.eye(4)[comp.votes], permanent=m.permanent,
                     bloc=np.full(m.n, -1), cohesion=np.zeros(0), common=0.0, threshold=m.threshold,
                     procedural=m.procedural)


#: ExactOutcome's fields; "pivotal" is mixed unmasked (the decisive probability) and masked once.
_FIELDS = tuple(f.name for f in fields(ExactOutcome))


def _stats(outcome: ExactOutcome, decisive: np.ndarray) -> dict[str, np.ndarray]:
    out = {name: np.asarray(getattr(outcome, name), dtype=float) for name in _FIELDS}
    out["pivotal"] = np.asarray(decisive, dtype=float)
    return out


def exact_mixture(mix: MixtureModel, nodes: int | None = None) -> ExactOutcome:
    """Every outcome probability of the mixture, exactly (the formula of this module's docstring),
    as :func:`sim.engine.exact.exact_outcomes` gives them for one model."""
    total = {name: np.zeros(()) for name in _FIELDS}
    for h, comp in enumerate(mix.components):
        if comp.weight <= 0:
            continue
        point_out, point_dec, _ = outcomes_and_profile(consensus_model(comp), comp.votes, nodes)
        point = _stats(point_out, point_dec)
        q = comp.p_contested
        parts = {name: (1.0 - q) * point[name] for name in _FIELDS}
        if q > 0:
            out, decisive, p_c = outcomes_and_profile(comp.contested, comp.votes, nodes)
            check_conditional(h, p_c, EXACT_LIMIT)
            model = _stats(out, decisive)
            for name in _FIELDS:
                parts[name] = parts[name] + q * (model[name] - p_c * point[name]) / (1.0 - p_c)
        for name in _FIELDS:
            total[name] = total[name] + comp.weight * parts[name]
    probs: dict[str, Any] = {name: np.clip(value, 0.0, 1.0) for name, value in total.items()}
    probs["pivotal"] = np.where(casts(mix), probs["pivotal"], 0.0)
    for name in ("p_adopted", "p_vetoed", "p_short", "p_permanent_no"):
        probs[name] = float(probs[name])
    return ExactOutcome(**probs)

