"""What a sweep computes: the points still to do, each with its seed, in batches. Pure.

Point ``i`` is simulated with the seed ``point_seed(seed, i)`` (or the sweep's seed itself, with
common random numbers; none, exactly), whatever runs it, so the table does not depend on the
pool, the number of workers, the batch size or interruptions (mesa's batch runner does the
same). A :class:`PointBatch` holds everything a worker needs, and :func:`run_points` is the one
function a pool maps.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .bodies import BaseDefaults, body_of
from .files import LoadedStudy
from .overrides import assign
from .paths import Variable
from .points import point_seed
from .schema import Value


@dataclass(frozen=True)
class PointBatch:
    """Points for one worker task: everything needed to rebuild and simulate each of them."""

    base: dict[str, Any]
    defaults: BaseDefaults
    variables: tuple[Variable, ...]
    points: tuple[tuple[int, tuple[Value, ...], int | None], ...]  # (index, values, seed)
    draws: int
    method: str


def run_points(batch: PointBatch) -> list[dict[str, Any]]:
    """Simulate a batch of points; one tidy row each (as it will be stored: JSON round-tripped).
    The row's results are its body's (:meth:`sim.study.bodies.Council.row`, ``Assembly.row``)."""
    rows = []
    columns = [v.path for v in batch.variables]
    body = body_of(batch.base)
    for index, values, seed in batch.points:
        data = assign(batch.base, batch.variables, values, batch.defaults)
        row = {"point": index, **dict(zip(columns, values, strict=True))}
        row.update(body.row(data, batch.draws, seed, batch.method))
        rows.append(json.loads(json.dumps(row)))
    return rows


def auto_chunk_size(points: int, workers: int) -> int:
    """Points per task: enough tasks per worker to balance load, few enough to save often."""
    return max(1, min(16, math.ceil(points / (workers * 32))))


@dataclass(frozen=True)
class SweepPlan:
    """A study's points with the settings they are simulated with."""

    loaded: LoadedStudy
    draws: int
    seed: int
    method: str

    @property
    def points(self) -> int:
        return len(self.loaded.design)

    @property
    def common_random_numbers(self) -> bool:
        return self.loaded.study.study.common_random_numbers

    def seed_of(self, index: int) -> int | None:
        """Point ``index``'s Monte Carlo seed (None for the exact method)."""
        if self.method == "exact":
            return None
        return self.seed if self.common_random_numbers else point_seed(self.seed, index)

    def settings(self, version: str) -> dict[str, Any]:
        """What the table depends on (with the package ``version``): what ``resume`` checks."""
        return {
            "version": version,
            "study_sha256": self.loaded.study_sha256,
            "base_sha256": self.loaded.base_sha256,
            "seed": self.seed,
            "draws": self.draws if self.method == "monte-carlo" else 0,
            "method": self.method,
            "points": self.points,
            "common_random_numbers": self.common_random_numbers,
        }

    def batches(self, todo: Sequence[int], size: int) -> list[PointBatch]:
        """The points ``todo``, ``size`` to a task, in order."""
        loaded = self.loaded
        return [
            PointBatch(
                loaded.base,
                loaded.defaults,
                loaded.design.variables,
                tuple((i, loaded.design.values[i], self.seed_of(i)) for i in todo[k : k + size]),
                self.draws,
                self.method,
            )
            for k in range(0, len(todo), size)
        ]
