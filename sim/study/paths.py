"""Paths into a scenario: ``votes."Russian Federation".no``, ``correlation.blocs[0].cohesion``.

A study names what it varies by such paths; :func:`compile_variable` parses one and checks it
against the scenario schema, so a misspelt field or member fails before any point is built.
"""

from __future__ import annotations

import re
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from sim.engine.model import VOTES
from sim.errors import StudyError
from sim.scenario.schema import VoteTable

from .bodies import COUNCIL, Body

Step = str | int


_BARE = re.compile(r"[A-Za-z0-9_-]+(\[\d+\])*")


def join_key(prefix: str, key: str) -> str:
    """``prefix.key``, with the key quoted if it is not a bare TOML key."""
    seg = key if _BARE.fullmatch(key) else f'"{key}"'
    return f"{prefix}.{seg}" if prefix else seg


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
            out = join_key(out, s)
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
    member_at: int | None = None  # index of the name step in a table of members (or of groups)
    vote_key: bool = False  # a probability of a VoteTable (yes/abstain/no/absent)
    shift: bool = False  # a VoteTable's latent shift


def compile_variable(path: str, field: str | None = None, body: Body = COUNCIL) -> Variable:
    """Parse a path and check it against the scenario schema of ``body`` (the Council's unless
    told); raise :class:`StudyError`."""
    field = field or path
    try:
        steps = parse_path(path)
    except ValueError as exc:
        raise StudyError(field, str(exc)) from None
    ann: Any = body.schema
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
        elif get_origin(ann) is dict and step == "position" and i == len(steps) - 1 and steps[i - 1] == "effect":
            ann = float  # an amendment's effect.position: where the amended draft stands
        elif get_origin(ann) is dict:
            if not isinstance(step, str):
                raise StudyError(field, f"{where} is a table of members: use .NAME, not [{step}]")
            problem = body.key_problem(steps[:i], step)
            if problem is not None:
                raise StudyError(field, problem)
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
