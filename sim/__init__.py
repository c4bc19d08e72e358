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
    from sim.engine.model import VoteModel
    from sim.engine.result import SimulationResult
    from sim.io import files
    from sim.scenario.council import Council, council_for_year, explicit_council
    from sim.scenario.resolve import resolve_scenario
    from sim.scenario.schema import Scenario, parse_scenario, scenario_from_toml
    from sim.study.batch import sweep

    from .api import DEFAULT_DRAWS, DEFAULT_SEED, __version__, model_spec, simulate
    from .errors import InputError, ScenarioError
    from .lobbying import LobbyResult, lobby

#: Where each public name lives. They are imported on first use (PEP 562), so that
#: ``import sim`` and ``unsc-sim --help`` load only what they use.
_HOME = {
    "DEFAULT_DRAWS": "api", "DEFAULT_SEED": "api", "__version__": "api", "model_spec": "api",
    "simulate": "api", "sweep": "study.batch", "Council": "scenario.council",
    "council_for_year": "scenario.council", "explicit_council": "scenario.council", "InputError": "errors",
    "ScenarioError": "errors", "VoteModel": "engine.model", "SimulationResult": "engine.result",
    "Scenario": "scenario.schema", "parse_scenario": "scenario.schema", "resolve_scenario": "scenario.resolve",
    "scenario_from_toml": "scenario.schema", "lobby": "lobbying", "LobbyResult": "lobbying",
}


def __getattr__(name: str) -> Any:
    if name == "files":
        return importlib.import_module(".io.files", __name__)
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
    "LobbyResult",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "VoteModel",
    "__version__",
    "council_for_year",
    "explicit_council",
    "files",
    "lobby",
    "model_spec",
    "parse_scenario",
    "resolve_scenario",
    "scenario_from_toml",
    "simulate",
    "sweep",
]
