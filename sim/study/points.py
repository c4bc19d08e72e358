"""A study's points: the product of its axes (grids, ranges, a Latin hypercube), and their seeds.

Pure. Point ``i`` of a sweep with seed ``s`` is simulated with :func:`point_seed` ``(s, i)``,
whatever runs it (docs/studies.md).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine.seeding import LHS_STREAM, derived_seed, generator
from sim.errors import StudyError

from .bodies import COUNCIL, Body
from .paths import Step, Variable, compile_variable
from .schema import MAX_POINTS, MAX_VARIABLES, LhsSpec, Study, Value


@dataclass(frozen=True)
class Design:
    """A study's variables and points; points are indexed in expansion order from 0."""

    variables: tuple[Variable, ...]
    values: tuple[tuple[Value, ...], ...]

    def __len__(self) -> int:
        return len(self.values)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(v.path for v in self.variables)

    def assignments(self, index: int) -> dict[str, Value]:
        """``{path: value}`` of one point."""
        return dict(zip(self.columns, self.values[index], strict=True))


def _scalar(value: Any, field: str) -> Value:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise StudyError(field, f"values must be finite, got {value}")
        return value
    raise StudyError(field, f"values must be numbers, booleans or strings, got {value!r}")


def _kind(value: Value) -> str:
    if isinstance(value, bool):
        return "booleans"
    return "strings" if isinstance(value, str) else "numbers"


def _axis_values(values: Sequence[Any], var: Variable) -> list[Value]:
    """Check an axis's values (one type, so that the table has one column type); integers
    become floats in an axis that has floats."""
    out = [_scalar(v, var.field) for v in values]
    kinds = {_kind(v) for v in out}
    if len(kinds) > 1:
        raise StudyError(var.field, f"values must all be of one type, got {' and '.join(sorted(kinds))}")
    if any(isinstance(v, float) for v in out) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in out
    ):
        out = [float(v) for v in out]
    if var.vote_key:
        for v in out:
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
                raise StudyError(var.field, f"must be a probability between 0 and 1, got {v!r}")
    return out


def lhs_unit(samples: int, dims: int, seed: int) -> np.ndarray:
    """A scrambled Latin hypercube in [0, 1)^dims, from stream ``(LHS_STREAM,)`` of ``seed``."""
    from scipy.stats import qmc

    rng = generator(seed, LHS_STREAM)
    try:
        sampler = qmc.LatinHypercube(d=dims, rng=rng)
    except TypeError:  # SciPy < 1.15 calls it seed
        sampler = qmc.LatinHypercube(d=dims, seed=rng)
    return np.asarray(sampler.random(samples))


def _lhs_values(spec: LhsSpec, variables: Sequence[Variable], seed: int) -> list[tuple[Value, ...]]:
    unit = lhs_unit(spec.samples, len(variables), seed)
    cols: list[list[Value]] = []
    for j, var in enumerate(variables):
        lo, hi = spec.bounds[var.path]
        if isinstance(lo, int) and isinstance(hi, int):
            if lo > hi:
                raise StudyError(var.field, f"lower bound {lo} is above upper bound {hi}")
            cols.append([min(hi, lo + int(u * (hi - lo + 1))) for u in unit[:, j]])
        else:
            if not lo < hi or not (math.isfinite(lo) and math.isfinite(hi)):
                msg = f"bounds must be finite with lower < upper, got [{lo}, {hi}]"
                raise StudyError(var.field, msg)
            cols.append([float(lo + u * (hi - lo)) for u in unit[:, j]])
        if var.vote_key:
            _axis_values(cols[-1], var)
    return list(zip(*cols, strict=True))


def design(study: Study, source: str | None = None, body: Body = COUNCIL) -> Design:
    """Expand a study into its points: the product of grid axes, range axes and LHS samples.

    Axes are taken in the order grid, range, lhs (each in file order); the last axis varies
    fastest, as in ``itertools.product``. Paths are checked against ``body``'s scenarios (the
    Council's unless told). Raises :class:`StudyError` naming the study field.
    """
    try:
        return _design(study, body)
    except StudyError as exc:
        raise exc.with_source(source) if source else exc from None


def _design(study: Study, body: Body) -> Design:
    vary = study.vary
    variables: list[Variable] = []
    axes: list[list[tuple[Value, ...]]] = []
    for path, values in vary.grid.items():
        var = compile_variable(path, f"vary.grid.{path}", body)
        if not values:
            raise StudyError(var.field, "give at least one value")
        variables.append(var)
        axes.append([(v,) for v in _axis_values(values, var)])
    for path, spec in vary.range.items():
        var = compile_variable(path, f"vary.range.{path}", body)
        try:
            values = spec.values()
        except ValueError as exc:
            raise StudyError(var.field, str(exc)) from None
        variables.append(var)
        axes.append([(v,) for v in _axis_values(values, var)])
    if vary.lhs is not None:
        lhs_vars = [compile_variable(p, f"vary.lhs.bounds.{p}", body) for p in vary.lhs.bounds]
        variables.extend(lhs_vars)
        axes.append(_lhs_values(vary.lhs, lhs_vars, study.study.seed))
    if not variables:
        raise StudyError("vary", "give at least one of grid, range or lhs")
    if len(variables) > MAX_VARIABLES:
        raise StudyError("vary", f"varies {len(variables)} fields; the limit is {MAX_VARIABLES}")
    seen: dict[tuple[Step, ...], Variable] = {}
    for var in variables:
        key = _canonical(var, body)
        if key in seen:
            raise StudyError(var.field, f"the same field is already varied by {seen[key].field}")
        seen[key] = var
    n = math.prod(len(a) for a in axes)
    if n > MAX_POINTS:
        raise StudyError("vary", f"expands to {n:,} points; the limit is {MAX_POINTS:,}")
    points = tuple(tuple(itertools.chain.from_iterable(c)) for c in itertools.product(*axes))
    return Design(tuple(variables), points)


def _canonical(var: Variable, body: Body) -> tuple[Step, ...]:
    """Steps with the member name replaced by its code (a group's by the group's name), so
    ``votes.CHN`` equals ``votes.China`` and ``votes.WEOG`` the group's full name."""
    if var.member_at is None:
        return var.steps
    steps = list(var.steps)
    name = str(steps[var.member_at])
    steps[var.member_at] = body.table_key(name, None) or name
    return tuple(steps)


def point_seed(seed: int, index: int) -> int:
    """Point ``index``'s Monte Carlo seed: 63 bits of stream ``(index,)`` of ``seed``."""
    return derived_seed(seed, index)
