"""The body a study's base scenario is for: the Security Council or the General Assembly.

A body knows what the rest of :mod:`sim.study` must not guess: its scenario schema (which paths
exist), what the keys of its tables of members may name (members; in the Assembly also regional
groups), how a point's scenario is checked, the numbers a member with no table of its own starts
from when one of its probabilities is varied (docs/studies.md, "Renormalization"), and how a
point is simulated into one tidy row. The body is read from the base scenario's data
(:func:`body_of`: an ``[assembly]`` table makes it the Assembly), so a point's data says which
body it is. The Assembly's modules are imported only for an Assembly study.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.schema import FALLBACK_VOTE

if TYPE_CHECKING:
    from pydantic import BaseModel

    from sim.assembly.scenario import AssemblyScenario
    from sim.scenario.schema import Scenario

Probs = tuple[float, float, float, float]
Step = str | int


@dataclass(frozen=True)
class BaseDefaults:
    """Effective draft probabilities of the base scenario's members (and, in the Assembly, of its
    regional groups), by code: a picklable callable."""

    probs: Mapping[str, Probs]
    fallback: Probs = FALLBACK_VOTE

    def __call__(self, code: str) -> Probs:
        return self.probs.get(code, self.fallback)


def _probs(row: Sequence[float]) -> Probs:
    return float(row[0]), float(row[1]), float(row[2]), float(row[3])


def _unknown_member(name: str) -> str | None:
    """Why ``name`` names no member (with the name index's hint), or None if it names one."""
    from sim.scenario.names import UnknownMemberError, resolve

    try:
        resolve(name)
    except UnknownMemberError as exc:
        hint = str(exc).partition(";")[2]
        return f"unknown member {name!r}" + (f";{hint}" if hint else "")
    return None


class Council:
    """The Security Council: tables of members hold members, resolved in the year's Council."""

    name = "council"
    fallback: Probs = FALLBACK_VOTE

    @property
    def schema(self) -> type[BaseModel]:
        from sim.scenario.schema import Scenario

        return Scenario

    def key_problem(self, table: tuple[Step, ...], name: str) -> str | None:
        """Why ``name`` cannot be a key of the table of members at path ``table`` (None if it can)."""
        return _unknown_member(name)

    def table_key(self, name: str, year: int | None) -> str | None:
        """The code a key of a table of members stands for (None if unknown)."""
        from sim.scenario.names import member_code

        return member_code(name, year)

    def year(self, base: Mapping[str, Any], values: Mapping[tuple[Step, ...], Any]) -> int | None:
        """The year whose Council seats resolve a point's names (China is the ROC before 1972)."""
        year = values.get(("council", "year"), (base.get("council") or {}).get("year"))
        return year if isinstance(year, int) and not isinstance(year, bool) else None

    def validate(self, data: Mapping[str, Any]) -> Scenario:
        """A point's scenario, checked as a scenario file is (:class:`ScenarioError`)."""
        from sim.scenario.resolve import resolve_scenario
        from sim.scenario.schema import parse_scenario

        spec = parse_scenario(data)
        resolve_scenario(spec)
        return spec

    def defaults(self, spec: Any, source: str) -> BaseDefaults:
        """Each member's numbers in the base scenario before the text's position and Art. 27(3)
        move them (its table, a shift of its calibrated stance, its calibrated numbers or the
        fallback): an override is a table at position 0, which the position then moves once."""
        from sim.api import model_spec
        from sim.scenario.resolve import resolve_scenario

        ms = model_spec(resolve_scenario(spec, source))
        free = ms.free_probs or dict(zip(ms.model.members, ms.model.probs, strict=True))
        return BaseDefaults({m: _probs(p) for m, p in free.items()})

    def row(self, data: Mapping[str, Any], draws: int, seed: int | None, method: Any) -> dict[str, Any]:
        """One point simulated: :func:`sim.io.files.result_record` of :func:`sim.simulate`."""
        from sim.api import simulate
        from sim.io.files import result_record

        return result_record(simulate(data, draws=draws, seed=seed, method=method))


def _groups_in(table: tuple[Step, ...]) -> bool | None:
    """Whether the keys of an Assembly table of members may name a regional group: only groups
    (True: ``correlation.regions``), a group or a member (False: ``votes``, an amendment's
    ``votes`` and ``effect``), or members only (None: ``alignment.loadings``, ``reference.votes``)."""
    if table == ("correlation", "regions"):
        return True
    if table == ("votes",) or (len(table) == 3 and table[0] == "amendments" and table[2] in ("votes", "effect")):
        return False
    return None


class Assembly:
    """The General Assembly: ``votes`` (and an amendment's ``votes`` and ``effect``) may name a
    regional group, ``correlation.regions`` only groups; names resolve without a year (the
    Assembly has no seats)."""

    name = "assembly"

    @property
    def fallback(self) -> Probs:
        from sim.assembly.scenario import FALLBACK_ASSEMBLY_VOTE

        return FALLBACK_ASSEMBLY_VOTE

    @property
    def schema(self) -> type[BaseModel]:
        from sim.assembly.scenario import AssemblyScenario

        return AssemblyScenario

    def key_problem(self, table: tuple[Step, ...], name: str) -> str | None:
        from sim.assembly.membership import REGIONAL_GROUPS
        from sim.assembly.scenario import group_named

        only_groups = _groups_in(table)
        group = group_named(name)
        if only_groups is not None and group is not None:
            return None
        if only_groups:
            return f"unknown regional group {name!r}; use one of {', '.join(REGIONAL_GROUPS)}"
        if group is not None:
            return f"{name!r} is a regional group ({group}); this table takes members"
        problem = _unknown_member(name)
        if problem is not None and only_groups is False:
            return problem.replace("unknown member", "unknown member or regional group", 1)
        return problem

    def table_key(self, name: str, year: int | None) -> str | None:
        """A group's name, or a member's code (None if unknown)."""
        from sim.assembly.scenario import group_named
        from sim.scenario.names import try_resolve

        return group_named(name) or try_resolve(name)

    def year(self, base: Mapping[str, Any], values: Mapping[tuple[Step, ...], Any]) -> int | None:
        return None

    def validate(self, data: Mapping[str, Any]) -> AssemblyScenario:
        """A point's scenario, checked as an Assembly file is (members on the day, groups, the
        correlation): :class:`ScenarioError`."""
        from sim.assembly.scenario import build_assembly, parse_assembly

        spec = parse_assembly(data)
        build_assembly(spec)
        return spec

    def defaults(self, spec: Any, source: str) -> BaseDefaults:
        """Each member's numbers before the text's position moves them (its table, its group's,
        else its base rate: what a table of its own would hold), and each regional group's
        average over its members not in arrears."""
        from sim.assembly.scenario import build_assembly

        still = spec.model_copy(update={"draft": spec.draft.model_copy(update={"position": None})})
        model = build_assembly(still).model
        probs = {m: _probs(p) for m, p in zip(model.members, model.probs, strict=True)}
        voting = [i for i, m in enumerate(model.members) if m not in set(model.arrears)]
        for group in dict.fromkeys(model.regions):
            rows = [i for i in voting if model.regions[i] == group]
            if rows:
                probs[group] = _probs(np.mean(model.probs[rows], axis=0))
        return BaseDefaults(probs, self.fallback)

    def row(self, data: Mapping[str, Any], draws: int, seed: int | None, method: Any) -> dict[str, Any]:
        """One point simulated: :func:`sim.io.files.assembly_record` of
        :func:`sim.assembly.api.simulate_assembly` (P(adopted) and its standard error, the tally,
        the margin, the members, each amendment's P(adopted); no Council column)."""
        from sim.assembly.api import simulate_assembly
        from sim.io.files import assembly_record

        run: dict[str, Any] = {"draws": draws, "seed": seed} if method == "monte-carlo" else {}
        return assembly_record(simulate_assembly(data, method=method, pivots=False, **run))  # a row has no pivots


COUNCIL = Council()
ASSEMBLY = Assembly()
Body = Council | Assembly


def body_of(data: Mapping[str, Any]) -> Body:
    """The body of plain scenario data: the Assembly if it has an ``[assembly]`` table."""
    from sim.assembly.scenario import is_assembly

    return ASSEMBLY if is_assembly(data) else COUNCIL
