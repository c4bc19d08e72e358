"""Cached computation: the scenario library, a scenario's engine model, its result and its
sensitivity, each keyed by the scenario's canonical JSON (:func:`sim.scenario.whatif.canonical`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from sim.api import Frontier, frontier, model_spec, simulate
from sim.engine.result import SimulationResult
from sim.engine.sensitivity import sensitivity
from sim.errors import InputError
from sim.io.files import scenario_from_bytes
from sim.scenario.build import ModelSpec
from sim.scenario.whatif import normalize

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
#: Monte Carlo runs at least this long show a progress bar.
PROGRESS_FROM = 200_000


@st.cache_data(show_spinner=False, max_entries=256)
def library() -> dict[str, dict[str, Any]]:
    """The scenario library: file stem -> canonical scenario dict (invalid files are left out)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            out[path.stem] = normalize(scenario_from_bytes(path.read_bytes(), path.name).to_dict())
        except InputError:
            continue
    return out


@st.cache_resource(show_spinner=False, max_entries=64)
def cached_spec(canon: str) -> ModelSpec:
    """The engine model of a scenario (members' numbers and where they came from)."""
    return model_spec(json.loads(canon))


@st.cache_data(show_spinner=False, max_entries=256)
def cached_result(canon: str, draws: int, seed: int, method: str) -> SimulationResult:
    """Simulate a scenario; long Monte Carlo runs show a progress bar (replayed from the cache)."""
    if method != "monte-carlo" or draws < PROGRESS_FROM:
        return simulate(cached_spec(canon), draws=max(draws, 1), seed=seed, method=method)  # type: ignore[arg-type]
    bar = st.progress(0.0, text=f"Simulating {draws:,} votes…")
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        bar.progress(min(1.0, done[0] / draws), text=f"Simulated {done[0]:,} of {draws:,} votes…")

    result = simulate(cached_spec(canon), draws=draws, seed=seed, method="monte-carlo", progress=tick)
    bar.empty()
    return result


@st.cache_data(show_spinner=False, max_entries=64)
def cached_frontier(canon: str, positions: tuple[float, ...], draws: int, seed: int, method: str) -> Frontier:
    """The draft's chances along the alignment axis (the same seed at every position)."""
    return frontier(cached_spec(canon), list(positions), method=method, draws=max(draws, 1),  # type: ignore[arg-type]
                    seed=seed)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_sensitivity(canon: str, shift: float) -> pd.DataFrame:
    """P(adopted) when each member leans toward yes or no (exact, the draft as tabled)."""
    return sensitivity(cached_spec(canon), shift)


@dataclass(frozen=True)
class Page:
    """What every view draws from: the scenario, its cache key, its engine model and result."""

    data: dict[str, Any]
    canon: str
    spec: ModelSpec
    result: SimulationResult
