"""unsc-sim: a probabilistic simulator of UN Security Council votes.

>>> import sim
>>> result = sim.simulate({"scenario": {"name": "demo"}, "council": {"year": 2025}}, method="exact")
>>> 0 <= result.p_adopted <= 1
True
"""

from . import files
from .api import DEFAULT_DRAWS, DEFAULT_SEED, __version__, model_spec, simulate
from .batch import sweep
from .council import Council, council_for_year, explicit_council
from .errors import InputError, ScenarioError
from .model import VoteModel
from .result import SimulationResult
from .scenario import Scenario, parse_scenario, resolve_scenario, scenario_from_toml

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
