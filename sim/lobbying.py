"""The Python API of "what would it take": :func:`lobby` returns a typed :class:`LobbyResult`
(issue 16). The search itself is :func:`sim.engine.lobby.search`, on the exact engine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.engine import lobby as core
from sim.engine.model import VOTES
from sim.errors import InputError
from sim.scenario.build import ModelSpec
from sim.scenario.names import readable_name
from sim.scenario.resolve import ResolvedScenario
from sim.scenario.schema import Scenario

#: The most moves a plan may have (the search tries every set up to this size).
MAX_MOVES = 4


@dataclass(frozen=True)
class LobbyResult:
    """The minimal plans that lift P(adopted) to ``target``, or the best within ``max_moves``."""

    scenario_name: str | None
    members: tuple[str, ...]
    found: core.LobbyPlans
    note: str = ""

    @property
    def target(self) -> float:
        return self.found.target

    @property
    def reachable(self) -> bool:
        return self.found.reachable

    @property
    def p_adopted_now(self) -> float:
        return self.found.p_adopted_now

    @property
    def plans(self) -> tuple[core.Plan, ...]:
        return self.found.plans

    def plan_dict(self, plan: core.Plan) -> dict[str, Any]:
        return {
            "moves": [{"member": m.member, "kind": m.kind, "shift": m.shift} for m in plan.moves],
            "p_adopted": plan.p_adopted,
            "member_votes": {c: {v: float(plan.probs[i, j]) for j, v in enumerate(VOTES)}
                             for i, c in enumerate(self.members)},
        }

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenario": self.scenario_name, "target": self.target, "reachable": self.reachable,
                               "p_adopted_now": self.p_adopted_now, "max_moves": self.found.max_moves,
                               "plans": [self.plan_dict(p) for p in self.plans], "method": "exact",
                               "complete": self.found.complete}
        if self.found.best is not None:
            out["best_within_max_moves"] = self.plan_dict(self.found.best)
        if self.note:
            out["note"] = self.note
        return out


def describe(plan: core.Plan) -> str:
    """A plan in words: "Win Guyana and Sierra Leone (+0.4 each)"."""
    wins = [readable_name(m.member) for m in plan.moves if m.kind == "to_yes"]
    abstains = [readable_name(m.member) for m in plan.moves if m.kind == "no_to_abstain"]
    parts = []
    if wins:
        parts.append("win " + _and(wins))
    if abstains:
        parts.append(_and(abstains) + (" abstains" if len(abstains) == 1 else " abstain") + " instead of voting no")
    each = " each" if len(plan.moves) > 1 else ""
    text = "; ".join(parts) or "nothing to change"
    return f"{text[:1].upper()}{text[1:]} (+{plan.shift:.1f}{each})"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def lobby(
    scenario: Scenario | ResolvedScenario | ModelSpec | Mapping[str, Any] | str | os.PathLike[str],
    target: float = 0.9,
    max_moves: int = 3,
    max_evaluations: int | None = None,
) -> LobbyResult:
    """The smallest sets of moves that lift the draft's exact P(adopted) to ``target``;
    ``max_evaluations`` caps the exact computations (see :func:`sim.engine.lobby.search`)."""
    from sim.api import model_spec

    if isinstance(target, bool) or not isinstance(target, int | float) or not 0.0 < target <= 1.0:
        raise InputError("target", f"must be a probability above 0 and at most 1, got {target!r}")
    if isinstance(max_moves, bool) or not isinstance(max_moves, int) or not 1 <= max_moves <= MAX_MOVES:
        raise InputError("max_moves", f"must be a whole number from 1 to {MAX_MOVES}, got {max_moves!r}")
    spec = model_spec(scenario)
    note = ""
    if spec.mixture is not None:
        note = ("the calibrated forecast is a mixture; plans are searched on the members' marginal numbers, "
                "so P(adopted) here may differ from `unsc-sim run`")
    if spec.resolved.spec.amendments:
        extra = "amendments are not voted in the plan search: it acts on the draft as tabled"
        note = f"{note}; {extra}" if note else extra
    found = core.search(spec.model, float(target), max_moves, max_evaluations=max_evaluations)
    if not found.complete:
        cut = (f"the search stopped after {found.evaluations - 1} exact computations: "
               + ("the plans shown reach the target but may not be the smallest" if found.plans
                  else "no plan found so far; the best shown is within the sets tried"))
        note = f"{note}; {cut}" if note else cut
    return LobbyResult(spec.resolved.spec.scenario.name, spec.model.members, found, note)
