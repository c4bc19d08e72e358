"""Studies: a base scenario, variables to vary, and the sweep that runs every point.

The pieces, by idea: the schema and its validation (:mod:`.schema`), dotted paths into a scenario
(:mod:`.paths`), the expansion into points and their seeds (:mod:`.points`), a point's values
applied to the base scenario (:mod:`.overrides`), the body the base is for, Council or Assembly
(:mod:`.bodies`), the study's files (:mod:`.files`); the sweep
(:mod:`.batch`) with its plan (:mod:`.plan`), pools (:mod:`.pools`, :mod:`.dask_pool`), store
(:mod:`.store`) and progress bar (:mod:`.progress`). Every public name of the first four can be
imported from ``sim.study``; they are imported on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any

#: Where the names that are not the schema's live; every other name is the schema's.
_HOME = {
    **dict.fromkeys(("Variable", "compile_variable", "format_path", "parse_path"), "paths"),
    **dict.fromkeys(("Design", "design", "lhs_unit", "point_seed"), "points"),
    **dict.fromkeys(
        ("apply", "assign", "check_design", "point_data", "point_scenario", "renormalize"), "overrides"
    ),
}


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    home = importlib.import_module(f".{_HOME.get(name, 'schema')}", __name__)
    try:
        return getattr(home, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
