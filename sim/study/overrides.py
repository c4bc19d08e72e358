"""A point's scenario: the study's values set in a copy of the base scenario, then validated.

Pure. Varying one vote probability of a member (or, in the Assembly, of a regional group)
renormalizes its others (:func:`renormalize`); an error names the study field that caused it,
and the point. The base's body (:func:`sim.study.bodies.body_of`) says which schema and checks
apply.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sim.engine.model import VOTES
from sim.errors import ScenarioError, StudyError

from .bodies import Body, body_of
from .paths import Step, Variable, compile_variable, format_path
from .points import Design
from .schema import Value

if TYPE_CHECKING:
    from sim.assembly.scenario import AssemblyScenario
    from sim.scenario.schema import Scenario

Defaults = Callable[[str], Sequence[float]]


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


def _member_key(table: Mapping[str, Any], name: str, body: Body, year: int | None) -> str:
    """The key of ``table`` naming the same member (or group) as ``name`` (``CHN`` finds
    ``"China"``, ``WEOG`` the Western European and other States)."""
    code = body.table_key(name, year)
    for key in table:
        if code is not None and body.table_key(key, year) == code:
            return key
    return name


def _apply(
    base: Mapping[str, Any],
    items: Sequence[tuple[Variable, Value]],
    defaults: Defaults | None = None,
) -> tuple[dict[str, Any], dict[Variable, str]]:
    data = copy.deepcopy(dict(base))
    body = body_of(base)
    year = body.year(base, {var.steps: value for var, value in items})
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
        key = _member_key(node, str(steps[stop]), body, year)
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
        _set_vote_table(node, key, assigned, body, year, defaults)
    return data, written


def _set_vote_table(
    node: dict[str, Any],
    key: str,
    assigned: Sequence[tuple[Variable, Value]],
    body: Body,
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
        code = body.table_key(key, year)
        base = tuple(defaults(code)) if defaults is not None and code is not None else body.fallback
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
    (the engine's effective values), else the body's fallback is used
    (:data:`sim.scenario.schema.FALLBACK_VOTE` for the Council). Paths are checked against the
    base's body: an Assembly base takes Assembly paths.
    """
    body = body_of(base)
    items = [(compile_variable(path, body=body), value) for path, value in assignments.items()]
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
) -> Scenario | AssemblyScenario:
    """Build and validate one point's scenario (a Council or an Assembly one, as the base is);
    errors name the study field that caused them."""
    items = list(zip(design.variables, design.values[index], strict=True))
    try:
        data, written = _apply(base, items, defaults)
        try:
            spec = body_of(base).validate(data)
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
