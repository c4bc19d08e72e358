"""Shared test helpers: small random vote models and the location of the real data."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from sim.engine.model import VoteModel

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def load_tool(name: str) -> ModuleType:
    """The script ``tools/NAME.py`` as a module (the tools are not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_model(
    rng: np.random.Generator,
    n: int,
    n_perm: int,
    common: float = 0.0,
    cohesion: tuple[float, ...] = (),
    absent: bool = True,
    threshold: int | None = None,
    procedural: bool = False,
) -> VoteModel:
    """A model with random marginal probabilities; blocs take consecutive members."""
    alpha = [3.0, 1.0, 1.0, 0.4 if absent else 1e-9]
    probs = rng.dirichlet(alpha, size=n)
    if not absent:
        probs[:, 0] += probs[:, 3]
        probs[:, 3] = 0.0
    perm = np.zeros(n, dtype=bool)
    perm[rng.choice(n, size=n_perm, replace=False)] = True
    bloc = -np.ones(n, dtype=int)
    members = rng.permutation(n)
    start = 0
    for b in range(len(cohesion)):
        size = max(2, n // (len(cohesion) + 1))
        bloc[members[start : start + size]] = b
        start += size
    thr = threshold if threshold is not None else max(1, -(-3 * n // 5))
    names = tuple(f"M{i:02d}" for i in range(n))
    return VoteModel(names, probs, perm, bloc, np.array(cohesion), common, thr, procedural)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA
