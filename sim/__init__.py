"""unsc-sim: a probabilistic simulator of UN Security Council votes.

>>> import sim
>>> result = sim.simulate({"scenario": {"name": "demo"}, "council": {"year": 2025}}, method="exact")
>>> 0 <= result.p_adopted <= 1
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import files
    from .api import DEFAULT_DRAWS, DEFAULT_SEED, __version__, model_spec, simulate
    from .batch import sweep
    from .council import Council, council_for_year, explicit_council
    from .errors import InputError, ScenarioError
    from .model import VoteModel
    from .result import SimulationResult
    from .scenario import Scenario, parse_scenario, resolve_scenario, scenario_from_toml

#: Where each public name lives. They are imported on first use (PEP 562), so that
#: ``import sim`` and ``unsc-sim --help`` load only what they use.
_HOME = {
    "DEFAULT_DRAWS": "api", "DEFAULT_SEED": "api", "__version__": "api", "model_spec": "api",
    "simulate": "api", "sweep": "batch", "Council": "council", "council_for_year": "council",
    "explicit_council": "council", "InputError": "errors", "ScenarioError": "errors",
    "VoteModel": "model", "SimulationResult": "result", "Scenario": "scenario",
    "parse_scenario": "scenario", "resolve_scenario": "scenario", "scenario_from_toml": "scenario",
}


def __getattr__(name: str) -> Any:
    if name == "files":
        return importlib.import_module(".files", __name__)
    if name in _HOME:
        value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "Council",
    "InputError",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "VoteModel",
    "__version__",
    "council_for_year",
    "explicit_council",
    "files",
    "model_spec",
    "parse_scenario",
    "resolve_scenario",
    "scenario_from_toml",
    "simulate",
    "sweep",
]
