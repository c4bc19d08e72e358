"""Study files: what to vary in a base scenario, and the expansion of a study into points.

Pure: nothing here reads files or runs simulations (see :mod:`sim.batch`). A study names a base
scenario and variables given by dotted paths into the scenario (``votes.CHN.no``,
``correlation.blocs[0].cohesion``); grids, ranges and a Latin hypercube give their values, and
the points are their product. The format is documented in docs/studies.md.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import math
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictFloat,
    StrictInt,
    ValidationError,
    model_validator,
)

from .api import MAX_DRAWS
from .errors import ScenarioError, StudyError, first_validation_error
from .model import VOTES
from .names import UnknownMemberError, resolve, resolve_for_year
from .scenario import FALLBACK_VOTE, Scenario, VoteTable, parse_scenario, resolve_scenario
from .seeding import LHS_STREAM, derived_seed, generator

#: Most points one study may expand to.
MAX_POINTS = 100_000
#: Most variables one study may vary.
MAX_VARIABLES = 64
#: Decimals kept in range values, so 0.1 steps give 0.3 and not 0.30000000000000004.
RANGE_DECIMALS = 12

Number = StrictInt | StrictFloat
Step = str | int
Value = bool | int | float | str
#: ``[low, high]``: a TOML array may be the pair (not strict), its items are strict numbers.
Bounds = Annotated[tuple[Number, Number], Strict(False)]
Defaults = Callable[[str], Sequence[float]]


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
_BARE = re.compile(r"[A-Za-z0-9_-]+(\[\d+\])*")


def _join(prefix: str, key: str) -> str:
    seg = key if _BARE.fullmatch(key) else f'"{key}"'
    return f"{prefix}.{seg}" if prefix else seg


def _flatten(
    table: Mapping[str, Any], is_leaf: Callable[[Any], bool], prefix: str = ""
) -> dict[str, Any]:
    """TOML dotted keys (``votes.CHN.no = ...``) nest tables; join them back into one path."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, Mapping) and not is_leaf(value):
            out.update(_flatten(value, is_leaf, _join(prefix, key)))
        else:
            out[_join(prefix, key) if prefix else key] = value
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
    try:
        return Study.model_validate(_prepare(data))
    except ValidationError as exc:
        loc, msg = first_validation_error(exc)
        raise StudyError(_loc(loc), msg, source) from None


# --- paths ----------------------------------------------------------------------------------------

_SEGMENT = re.compile(
    r'\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^."\[\]]+))(?P<index>(?:\[\s*\d+\s*\])*)\s*'
)


def parse_path(path: str) -> tuple[Step, ...]:
    """Split a dotted path into keys and indexes: ``a."b c"[0].d`` → ``('a', 'b c', 0, 'd')``."""
    steps: list[Step] = []
    pos = 0
    while True:
        m = _SEGMENT.match(path, pos)
        if m is None:
            raise ValueError(f"cannot read path {path!r} at character {pos + 1}")
        name = m.group("quoted") if m.group("quoted") is not None else m.group("bare").strip()
        if not name:
            raise ValueError(f"empty key in path {path!r}")
        steps.append(name)
        steps.extend(int(i) for i in re.findall(r"\d+", m.group("index")))
        pos = m.end()
        if pos == len(path):
            return tuple(steps)
        if path[pos] != ".":
            raise ValueError(f"cannot read path {path!r} at character {pos + 1}")
        pos += 1


def format_path(steps: Sequence[Step]) -> str:
    """The canonical text of a path (inverse of :func:`parse_path`)."""
    out = ""
    for s in steps:
        if isinstance(s, int):
            out += f"[{s}]"
        else:
            out = _join(out, s)
    return out


def _unwrap(ann: Any) -> Any:
    if get_origin(ann) in (Union, types.UnionType):
        args = [a for a in get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return ann


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


@dataclass(frozen=True)
class Variable:
    """One varied scenario field: its column name (the path as written) and parsed steps."""

    path: str
    field: str  # where it is set in the study file, for errors: vary.grid.votes.CHN.no
    steps: tuple[Step, ...]
    member_at: int | None = None  # index of the member-name step, in a votes/effect/reference table
    vote_key: bool = False  # a probability of a VoteTable (yes/abstain/no/absent)
    shift: bool = False  # a VoteTable's latent shift


def compile_variable(path: str, field: str | None = None) -> Variable:
    """Parse a path and check it against the scenario schema; raise :class:`StudyError`."""
    field = field or path
    try:
        steps = parse_path(path)
    except ValueError as exc:
        raise StudyError(field, str(exc)) from None
    ann: Any = Scenario
    member_at: int | None = None
    table_values: Any = None
    for i, step in enumerate(steps):
        ann = _unwrap(ann)
        where = format_path(steps[:i]) or "a scenario"
        if _is_model(ann):
            if not isinstance(step, str):
                raise StudyError(field, f"{where} is a table, not a list: use .key, not [{step}]")
            if step not in ann.model_fields:
                keys = ", ".join(ann.model_fields)
                raise StudyError(field, f"unknown scenario field {step!r}; {where} has {keys}")
            ann = ann.model_fields[step].annotation
        elif get_origin(ann) is list:
            if not isinstance(step, int):
                raise StudyError(field, f"{where} is a list: give an index, e.g. {where}[0]")
            ann = get_args(ann)[0]
        elif get_origin(ann) is dict:
            if not isinstance(step, str):
                raise StudyError(field, f"{where} is a table of members: use .NAME, not [{step}]")
            try:
                resolve(step)
            except UnknownMemberError as exc:
                hint = str(exc).partition(";")[2]
                msg = f"unknown member {step!r}" + (f";{hint}" if hint else "")
                raise StudyError(field, msg) from None
            member_at = i
            ann = table_values = get_args(ann)[1]
        else:
            raise StudyError(field, f"{where} is a value; it has no field {step!r}")
    leaf = _unwrap(ann)
    if _is_model(leaf) or get_origin(leaf) is dict or (
        get_origin(leaf) is list and _is_model(_unwrap(get_args(leaf)[0]))
    ):
        keys = ", ".join(leaf.model_fields) if _is_model(leaf) else "its entries"
        raise StudyError(field, f"{format_path(steps)} is a table; vary one of its keys ({keys})")
    in_table = member_at is not None and member_at == len(steps) - 2 and table_values is VoteTable
    last = steps[-1]
    return Variable(
        path=path,
        field=field,
        steps=steps,
        member_at=member_at,
        vote_key=in_table and last in VOTES,
        shift=in_table and last == "shift",
    )


# --- expansion into points ------------------------------------------------------------------------


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


def design(study: Study, source: str | None = None) -> Design:
    """Expand a study into its points: the product of grid axes, range axes and LHS samples.

    Axes are taken in the order grid, range, lhs (each in file order); the last axis varies
    fastest, as in ``itertools.product``. Raises :class:`StudyError` naming the study field.
    """
    try:
        return _design(study)
    except StudyError as exc:
        raise exc.with_source(source) if source else exc from None


def _design(study: Study) -> Design:
    vary = study.vary
    variables: list[Variable] = []
    axes: list[list[tuple[Value, ...]]] = []
    for path, values in vary.grid.items():
        var = compile_variable(path, f"vary.grid.{path}")
        if not values:
            raise StudyError(var.field, "give at least one value")
        variables.append(var)
        axes.append([(v,) for v in _axis_values(values, var)])
    for path, spec in vary.range.items():
        var = compile_variable(path, f"vary.range.{path}")
        try:
            values = spec.values()
        except ValueError as exc:
            raise StudyError(var.field, str(exc)) from None
        variables.append(var)
        axes.append([(v,) for v in _axis_values(values, var)])
    if vary.lhs is not None:
        lhs_vars = [compile_variable(p, f"vary.lhs.bounds.{p}") for p in vary.lhs.bounds]
        variables.extend(lhs_vars)
        axes.append(_lhs_values(vary.lhs, lhs_vars, study.study.seed))
    if not variables:
        raise StudyError("vary", "give at least one of grid, range or lhs")
    if len(variables) > MAX_VARIABLES:
        raise StudyError("vary", f"varies {len(variables)} fields; the limit is {MAX_VARIABLES}")
    seen: dict[tuple[Step, ...], Variable] = {}
    for var in variables:
        key = _canonical(var)
        if key in seen:
            raise StudyError(var.field, f"the same field is already varied by {seen[key].field}")
        seen[key] = var
    n = math.prod(len(a) for a in axes)
    if n > MAX_POINTS:
        raise StudyError("vary", f"expands to {n:,} points; the limit is {MAX_POINTS:,}")
    points = tuple(tuple(itertools.chain.from_iterable(c)) for c in itertools.product(*axes))
    return Design(tuple(variables), points)


def _canonical(var: Variable) -> tuple[Step, ...]:
    """Steps with the member name replaced by its code, so ``votes.CHN`` equals ``votes.China``."""
    if var.member_at is None:
        return var.steps
    steps = list(var.steps)
    steps[var.member_at] = resolve(str(steps[var.member_at]))
    return tuple(steps)


# --- applying a point to the base scenario --------------------------------------------------------


def renormalize(base: Sequence[float], fixed: Mapping[str, float]) -> dict[str, float]:
    """(yes, abstain, no, absent) with the ``fixed`` keys set and the rest rescaled to sum to 1.

    The remaining mass ``1 - sum(fixed)`` is split among the other keys in proportion to their
    ``base`` values; if those are all 0, it is split equally among the other keys of yes, abstain
    and no (absence stays 0), or given to ``absent`` if all three are fixed.
    """
    total = sum(fixed.values())
    if total > 1.0 + 1e-9:
        keys = " + ".join(f"{k} {v:g}" for k, v in fixed.items())
        raise ValueError(f"probabilities varied together sum to more than 1 ({keys} = {total:.6g})")
    others = [k for k in VOTES if k not in fixed]
    out = {k: float(v) for k, v in fixed.items()}
    if not others:
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"yes, abstain, no and absent are all varied: they sum to {total:.6g}")
        return {k: out[k] for k in VOTES}
    rest = max(0.0, 1.0 - total)
    weights = {k: float(base[VOTES.index(k)]) for k in others}
    mass = sum(weights.values())
    if mass <= 0.0:
        targets = [k for k in others if k != "absent"] or ["absent"]
        weights = {k: 1.0 if k in targets else 0.0 for k in others}
        mass = float(len(targets))
    for k in others:
        out[k] = rest * weights[k] / mass
    return {k: out[k] for k in VOTES}


def _member_code(name: str, year: int | None) -> str | None:
    try:
        return resolve_for_year(name, year) if year is not None else resolve(name)
    except UnknownMemberError:
        return None


def _year(base: Mapping[str, Any], values: Mapping[tuple[Step, ...], Value]) -> int | None:
    year = values.get(("council", "year"), (base.get("council") or {}).get("year"))
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def _descend(node: Any, steps: Sequence[Step], i: int, var: Variable) -> Any:
    """``node[steps[i]]``, creating a missing table (or list) on the way."""
    step, where = steps[i], format_path(steps[:i]) or "the scenario"
    if isinstance(step, int):
        if not isinstance(node, list) or step >= len(node):
            size = len(node) if isinstance(node, list) else 0
            msg = f"index [{step}] is out of range: {where} has {size} in the base scenario"
            raise StudyError(var.field, msg)
        return node[step]
    if not isinstance(node, dict):
        raise StudyError(var.field, f"{where} is not a table in the base scenario")
    if node.get(step) is None:
        node[step] = [] if i + 1 < len(steps) and isinstance(steps[i + 1], int) else {}
    return node[step]


def _member_key(table: Mapping[str, Any], name: str, year: int | None) -> str:
    """The key of ``table`` naming the same member as ``name`` (``CHN`` finds ``"China"``)."""
    code = _member_code(name, year)
    for key in table:
        if code is not None and _member_code(key, year) == code:
            return key
    return name


def _apply(
    base: Mapping[str, Any],
    items: Sequence[tuple[Variable, Value]],
    defaults: Defaults | None = None,
) -> tuple[dict[str, Any], dict[Variable, str]]:
    data = copy.deepcopy(dict(base))
    by_steps = {var.steps: value for var, value in items}
    year = _year(base, by_steps)
    written: dict[Variable, str] = {}
    tables: dict[tuple[int, str], tuple[dict[str, Any], str, list[tuple[Variable, Value]]]] = {}
    for var, value in items:
        node: Any = data
        steps = var.steps
        stop = var.member_at if var.member_at is not None else len(steps) - 1
        for i in range(stop):
            node = _descend(node, steps, i, var)
        if var.member_at is None:
            if not isinstance(node, dict):
                raise StudyError(var.field, f"{format_path(steps[:-1])} is not a table in the base")
            node[steps[-1]] = value
            written[var] = format_path(steps)
            continue
        if not isinstance(node, dict):
            raise StudyError(var.field, f"{format_path(steps[:stop])} is not a table in the base")
        key = _member_key(node, str(steps[stop]), year)
        written[var] = format_path((*steps[:stop], key, *steps[stop + 1 :]))
        if var.vote_key or var.shift:
            entry = tables.setdefault((id(node), key), (node, key, []))
            entry[2].append((var, value))
            continue
        sub: Any = node
        rest = (*steps[:stop], key, *steps[stop + 1 :])
        for i in range(stop, len(rest) - 1):
            sub = _descend(sub, rest, i, var)
        if not isinstance(sub, dict):
            raise StudyError(var.field, f"{format_path(rest[:-1])} is not a table in the base")
        sub[rest[-1]] = value
    for node, key, assigned in tables.values():
        _set_vote_table(node, key, assigned, year, defaults)
    return data, written


def _set_vote_table(
    node: dict[str, Any],
    key: str,
    assigned: Sequence[tuple[Variable, Value]],
    year: int | None,
    defaults: Defaults | None,
) -> None:
    shifts = [(v, x) for v, x in assigned if v.shift]
    probs = [(v, x) for v, x in assigned if v.vote_key]
    if shifts and probs:
        msg = f"varies a shift and probabilities of {key!r} together"
        raise StudyError(shifts[0][0].field, msg)
    if shifts:
        var, value = shifts[-1]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise StudyError(var.field, f"must be a number, got {value!r}")
        node[key] = {"shift": float(value)}
        return
    table = node.get(key)
    if isinstance(table, Mapping) and any(k in table for k in VOTES):
        base = tuple(float(table.get(k, 0.0)) for k in VOTES)
    else:
        code = _member_code(key, year)
        base = tuple(defaults(code)) if defaults is not None and code is not None else FALLBACK_VOTE
    fixed = {str(var.steps[-1]): float(value) for var, value in probs}
    try:
        node[key] = renormalize(base, fixed)
    except ValueError as exc:
        raise StudyError(probs[0][0].field, str(exc)) from None


def apply(
    base: Mapping[str, Any],
    assignments: Mapping[str, Value],
    defaults: Defaults | None = None,
) -> dict[str, Any]:
    """A copy of the base scenario's data with each ``{path: value}`` set (see docs/studies.md).

    Varying one probability of a member renormalizes the member's others (:func:`renormalize`);
    ``defaults(code)`` gives the base probabilities of a member with no table of its own
    (the engine's effective values), else :data:`sim.scenario.FALLBACK_VOTE` is used.
    """
    items = [(compile_variable(path), value) for path, value in assignments.items()]
    return _apply(base, items, defaults)[0]


def assign(
    base: Mapping[str, Any],
    variables: Sequence[Variable],
    values: Sequence[Value],
    defaults: Defaults | None = None,
) -> dict[str, Any]:
    """The scenario data of a point: ``values`` (one per variable) set in a copy of ``base``."""
    return _apply(base, list(zip(variables, values, strict=True)), defaults)[0]


def _describe(design: Design, index: int) -> str:
    return ", ".join(f"{k} = {v!r}" for k, v in design.assignments(index).items())


def point_data(
    design: Design,
    base: Mapping[str, Any],
    index: int,
    defaults: Defaults | None = None,
) -> dict[str, Any]:
    """The scenario data of one point (not validated: see :func:`point_scenario`)."""
    items = list(zip(design.variables, design.values[index], strict=True))
    try:
        return _apply(base, items, defaults)[0]
    except StudyError as exc:
        msg = f"{exc.message} (point {index}: {_describe(design, index)})"
        raise StudyError(exc.field, msg) from None


def point_scenario(
    design: Design,
    base: Mapping[str, Any],
    index: int,
    defaults: Defaults | None = None,
    source: str | None = None,
) -> Scenario:
    """Build and validate one point's scenario; errors name the study field that caused them."""
    items = list(zip(design.variables, design.values[index], strict=True))
    try:
        data, written = _apply(base, items, defaults)
        try:
            spec = parse_scenario(data)
            resolve_scenario(spec)
        except ScenarioError as exc:
            raise _blame(exc, written) from None
    except StudyError as exc:
        err = StudyError(exc.field, f"{exc.message} (point {index}: {_describe(design, index)})")
        raise err.with_source(source) if source else err from None
    return spec


def _blame(exc: ScenarioError, written: Mapping[Variable, str]) -> StudyError:
    """Attribute a scenario error to the varied field it concerns, if any."""
    where = exc.field.replace('"', "")
    for var, loc in written.items():
        loc = loc.replace('"', "")
        if where == loc or where.startswith((loc + ".", loc + "[")) or loc.startswith(where + "."):
            return StudyError(var.field, f"{exc.field}: {exc.message}")
    return StudyError(f"scenario {exc.field}", exc.message)


def check_design(
    design: Design,
    base: Mapping[str, Any],
    defaults: Defaults | None = None,
    source: str | None = None,
) -> None:
    """Validate every point's scenario before any work; raise the first error."""
    for i in range(len(design)):
        point_scenario(design, base, i, defaults, source)


def point_seed(seed: int, index: int) -> int:
    """Point ``index``'s Monte Carlo seed: 63 bits of stream ``(index,)`` of ``seed``."""
    return derived_seed(seed, index)
