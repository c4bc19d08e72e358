"""What really happened: a scenario's reference outcome, votes and amendments, beside the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.engine.result import SimulationResult
from sim.scenario.names import member_code
from sim.scenario.schema import AmendmentReferenceSpec
from sim.scenario.whatif import year_of


def reference_chance(result: SimulationResult, ref: Mapping[str, Any]) -> float:
    """The model's probability of the outcome that really happened."""
    if ref["outcome"] == "adopted":
        return result.p_adopted
    if ref["outcome"] == "vetoed":
        return result.p_vetoed
    return result.p_short


def reference_amendments(data: Mapping[str, Any]) -> dict[str, AmendmentReferenceSpec]:
    """The real outcome of each amendment the reference records, by amendment name."""
    entries = (data.get("reference") or {}).get("amendments", [])
    return {e["name"]: AmendmentReferenceSpec.model_validate(e) for e in entries}


def reference_votes(data: Mapping[str, Any]) -> dict[str, str]:
    """The real votes of a scenario's reference, by ISO3 code."""
    ref = data.get("reference") or {}
    year = year_of(data)
    out = {}
    for name, vote in ref.get("votes", {}).items():
        code = member_code(name, year)
        if code is not None:
            out[code] = vote
    return out
