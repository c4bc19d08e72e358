"""Cached computation: the scenario library, a scenario's engine model, its result and its
sensitivity, each keyed by the scenario's canonical JSON (:func:`sim.scenario.whatif.canonical`)
and by the votes recorded after the calibration that the user uploaded, if any (:class:`History`,
known by the digest of its file)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import streamlit as st

from sim.api import Frontier, frontier, history_calibrator, model_spec, read_history, simulate
from sim.engine.result import SimulationResult
from sim.engine.sensitivity import sensitivity, step_gains
from sim.errors import InputError
from sim.io.files import scenario_from_bytes
from sim.lobbying import LobbyResult, lobby
from sim.scenario.build import Calibrator, ModelSpec
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


@dataclass(frozen=True)
class History:
    """Votes the user uploaded as recorded after the calibration's data: the file's name, the
    digest of its bytes (what the caches know it by) and the calibrated model they extend."""

    name: str
    digest: str
    calibrator: Calibrator


#: The caches key a :class:`History` by its file's digest (its calibrator cannot be hashed).
BY_DIGEST: dict[str | type[Any], Callable[[Any], Any]] = {History: lambda h: h.digest}


def read_history_upload(data: bytes, name: str) -> History:
    """An upload of later votes, read and added to the calibrated model's history
    (:func:`sim.api.history_calibrator`); an :class:`InputError` naming the file if it is bad."""
    return History(name, hashlib.sha256(data).hexdigest(),
                   history_calibrator(read_history(data, name), source=name))


def calibrator(history: History | None) -> Calibrator | Literal["default"]:
    """The calibrated model to use: the shipped one, or the one extended by ``history``."""
    return "default" if history is None else history.calibrator


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=BY_DIGEST)
def cached_spec(canon: str, history: History | None = None) -> ModelSpec:
    """The engine model of a scenario (members' numbers and where they came from)."""
    return model_spec(json.loads(canon), calibrator(history))


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=BY_DIGEST)
def cached_result(canon: str, draws: int, seed: int, method: str, history: History | None = None) -> SimulationResult:
    """Simulate a scenario; long Monte Carlo runs show a progress bar (replayed from the cache)."""
    if method != "monte-carlo" or draws < PROGRESS_FROM:
        return simulate(cached_spec(canon, history), draws=max(draws, 1), seed=seed,
                        method=method)  # type: ignore[arg-type]
    bar = st.progress(0.0, text=f"Simulating {draws:,} votes…")
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        bar.progress(min(1.0, done[0] / draws), text=f"Simulated {done[0]:,} of {draws:,} votes…")

    result = simulate(cached_spec(canon, history), draws=draws, seed=seed, method="monte-carlo", progress=tick)
    bar.empty()
    return result


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=BY_DIGEST)
def cached_frontier(canon: str, positions: tuple[float, ...], draws: int, seed: int, method: str,
                    history: History | None = None) -> Frontier:
    """The draft's chances along the alignment axis (the same seed at every position)."""
    return frontier(cached_spec(canon, history), list(positions), method=method,  # type: ignore[arg-type]
                    draws=max(draws, 1), seed=seed, calibrator=calibrator(history))


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=BY_DIGEST)
def cached_sensitivity(canon: str, shift: float, history: History | None = None) -> pd.DataFrame:
    """P(adopted) when each member leans toward yes or no (exact, the draft as tabled)."""
    return sensitivity(cached_spec(canon, history), shift)


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=BY_DIGEST)
def cached_step_gains(canon: str, history: History | None = None) -> pd.DataFrame:
    """Points of P(adopted) each member's one-step move gains (exact, the draft as tabled)."""
    return step_gains(cached_spec(canon, history))


@st.cache_data(show_spinner="Searching for the smallest plan…", max_entries=64, hash_funcs=BY_DIGEST)
def cached_lobby(canon: str, target: float, max_moves: int, history: History | None = None) -> LobbyResult:
    """The minimal plans that lift exact P(adopted) to ``target`` (:func:`sim.lobby`). With the
    alignment axis every exact computation takes a few hundred ms, so the search is capped."""
    spec = cached_spec(canon, history)
    budget = AXIS_LOBBY_EVALUATIONS if spec.model.has_axis else None
    return lobby(spec, target=target, max_moves=max_moves, max_evaluations=budget)


#: The exact computations the app's plan search may spend on a model with the alignment axis
#: (about 0.3 s each for the calibrated axis: some 15 s at most).
AXIS_LOBBY_EVALUATIONS = 50


@dataclass(frozen=True)
class Page:
    """What every view draws from: the scenario, its cache key, its engine model and result."""

    data: dict[str, Any]
    canon: str
    spec: ModelSpec
    result: SimulationResult
    history: History | None = None
