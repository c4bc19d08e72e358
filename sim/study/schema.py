"""Study files: what to vary in a base scenario. The schema, and its validation.

A study names a base scenario and variables given by dotted paths into the scenario
(``votes.CHN.no``, ``correlation.blocs[0].cohesion``); grids, ranges and a Latin hypercube give
their values, and the points are their product. The format is documented in docs/studies.md.
Pure, like the modules that do the rest: the paths (:mod:`sim.study.paths`), the expansion into
points and their seeds (:mod:`sim.study.points`), and a point's scenario
(:mod:`sim.study.overrides`); reading the files is :mod:`sim.study.files`, running them
:mod:`sim.study.batch`. All their public names can be imported from
:mod:`sim.study`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictFloat,
    StrictInt,
    model_validator,
)

from sim.api import MAX_DRAWS
from sim.errors import StudyError, validated

from .paths import join_key

#: Most points one study may expand to.
MAX_POINTS = 100_000
#: Most variables one study may vary.
MAX_VARIABLES = 64
#: Decimals kept in range values, so 0.1 steps give 0.3 and not 0.30000000000000004.
RANGE_DECIMALS = 12

Number = StrictInt | StrictFloat
Value = bool | int | float | str
#: ``[low, high]``: a TOML array may be the pair (not strict), its items are strict numbers.
Bounds = Annotated[tuple[Number, Number], Strict(False)]


# --- schema ---------------------------------------------------------------------------------------


class _Strict(BaseModel):
    """Strict types, as TOML has them (a string or a bool is never a number, a number never a
    bool), like the scenario models."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class StudyMeta(_Strict):
    """The ``[study]`` table."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    base: str = Field(min_length=1, max_length=1000)
    seed: int = Field(default=0, ge=0)
    draws: int | None = Field(default=None, ge=1, le=MAX_DRAWS)
    method: Literal["monte-carlo", "exact"] | None = None
    common_random_numbers: bool = False


class RangeSpec(_Strict):
    """``{start, stop, step}`` (stop included when on the grid) or ``{start, stop, num}``."""

    start: Number
    stop: Number
    step: Number | None = None
    num: int | None = Field(default=None, ge=1, le=MAX_POINTS)

    @model_validator(mode="after")
    def _step_or_num(self) -> RangeSpec:
        if (self.step is None) == (self.num is None):
            raise ValueError("give either step or num")
        if not (math.isfinite(self.start) and math.isfinite(self.stop)):
            raise ValueError(f"start and stop must be finite numbers, got {self.start} and {self.stop}")
        if self.step is not None:
            if self.step == 0 or not math.isfinite(self.step):
                raise ValueError("step must be a finite non-zero number")
            if (self.stop - self.start) / self.step < 0:
                raise ValueError(
                    f"step {self.step} does not lead from start {self.start} to stop {self.stop}"
                )
        return self

    def values(self) -> list[Value]:
        """The range's values, as integers if start, stop and step are all integers."""
        if self.num is not None:
            return [float(v) for v in np.linspace(self.start, self.stop, self.num)]
        step = self.step
        assert step is not None
        span = (self.stop - self.start) / step
        if not span < MAX_POINTS:  # also catches a span too large for a float
            raise ValueError(f"has more than {MAX_POINTS:,} values")
        n = math.floor(span + 1e-9) + 1
        if n > MAX_POINTS:
            raise ValueError(f"has {n:,} values; the limit is {MAX_POINTS:,}")
        if all(isinstance(v, int) for v in (self.start, self.stop, step)):
            return [int(self.start + i * step) for i in range(n)]
        return [round(self.start + i * step, RANGE_DECIMALS) for i in range(n)]


class LhsSpec(_Strict):
    """``[vary.lhs]``: ``samples`` points spread over ``bounds`` by a Latin hypercube."""

    samples: int = Field(ge=1, le=MAX_POINTS)
    bounds: dict[str, Bounds] = Field(min_length=1, max_length=MAX_VARIABLES)


class VarySpec(_Strict):
    """The ``[vary]`` table."""

    grid: dict[str, list[Any]] = Field(default_factory=dict, max_length=MAX_VARIABLES)
    range: dict[str, RangeSpec] = Field(default_factory=dict, max_length=MAX_VARIABLES)
    lhs: LhsSpec | None = None


class Study(_Strict):
    """A whole study file."""

    study: StudyMeta
    vary: VarySpec


def _loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


_RANGE_KEYS = frozenset(RangeSpec.model_fields)


def _flatten(
    table: Mapping[str, Any], is_leaf: Callable[[Any], bool], prefix: str = ""
) -> dict[str, Any]:
    """TOML dotted keys (``votes.CHN.no = ...``) nest tables; join them back into one path."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, Mapping) and not is_leaf(value):
            out.update(_flatten(value, is_leaf, join_key(prefix, key)))
        else:
            out[join_key(prefix, key) if prefix else key] = value
    return out


def _prepare(data: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(data)
    vary = data.get("vary")
    if not isinstance(vary, Mapping):
        return data
    vary = dict(vary)
    if isinstance(vary.get("grid"), Mapping):
        vary["grid"] = _flatten(vary["grid"], lambda v: False)
    if isinstance(vary.get("range"), Mapping):
        vary["range"] = _flatten(vary["range"], lambda v: bool(_RANGE_KEYS & set(v)))
    lhs = vary.get("lhs")
    if isinstance(lhs, Mapping) and isinstance(lhs.get("bounds"), Mapping):
        vary["lhs"] = {**lhs, "bounds": _flatten(lhs["bounds"], lambda v: False)}
    data["vary"] = vary
    return data


def parse_study(data: Mapping[str, Any], source: str | None = None) -> Study:
    """Validate plain data (as read from TOML) against the study schema (:class:`StudyError`)."""
    return validated(Study, _prepare(data), StudyError, _loc, source)
