"""Assembly scenario files: an ``[assembly]`` table instead of ``[council]`` (docs/scenarios.md).

Validation (pydantic, one error naming the field) is kept apart from building the engine's
numbers (:func:`build_assembly`). Names resolve as for the Council: UN short names, common names,
ISO codes; a ``[votes]`` key may also name a regional group, whose members all take that table
unless they have their own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.engine.amendments import Amendment
from sim.engine.rules import QUESTIONS, AssemblyRule
from sim.errors import ScenarioError, validated
from sim.io.inputs import field_path, parse_toml
from sim.scenario.build import Probs, at_position, shift_probs
from sim.scenario.names import display_name, seat_code, try_resolve
from sim.scenario.schema import (
    MAX_AMENDMENTS,
    MAX_TEXT,
    AlignmentSpec,
    AmendmentSpec,
    IsoDate,
    Position,
    ScenarioMeta,
    VoteName,
    VoteTable,
    _Strict,
)

from .membership import REGIONAL_GROUPS, members_on, regional_group
from .model import AssemblyModel, assembly_model

#: Keys a table of members may hold in an Assembly file: every member and every group, and more.
MAX_ENTRIES = 260
#: Observer states: they take part but do not vote.
OBSERVERS = {"VAT": "the Holy See", "PSE": "the State of Palestine"}
#: Other spellings of the regional groups' names.
GROUP_ALIASES = {
    "africa": "African States", "african group": "African States", "african states": "African States",
    "asia-pacific": "Asia-Pacific States", "asia pacific": "Asia-Pacific States",
    "asia-pacific group": "Asia-Pacific States", "asia-pacific states": "Asia-Pacific States",
    "eastern europe": "Eastern European States", "eeg": "Eastern European States",
    "eastern european group": "Eastern European States", "eastern european states": "Eastern European States",
    "grulac": "Latin American and Caribbean States", "latin america and the caribbean":
    "Latin American and Caribbean States", "latin american and caribbean states": "Latin American and Caribbean States",
    "weog": "Western European and other States",
    "western european and other states": "Western European and other States",
    "western europe and others": "Western European and other States",
}
#: P(yes, abstain, no, absent) of a member the base rates do not know (the Assembly's average).
FALLBACK_ASSEMBLY_VOTE: Probs = (0.75, 0.11, 0.07, 0.07)


class AssemblySpec(_Strict):
    """Which Assembly, and which majority: ``date`` (or ``session``), ``question``, ``arrears``."""

    date: IsoDate | None = None
    session: int | None = Field(default=None, ge=1, le=150)
    question: Literal["important", "simple"] = "important"
    arrears: list[str] = Field(default_factory=list, max_length=MAX_ENTRIES)

    @model_validator(mode="before")
    @classmethod
    def _question_given(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "question" not in data:
            raise ValueError('say which majority applies: question = "important" (two thirds of those present '
                             'and voting, Art. 18(2): peace and security, elections, admission, budget) or '
                             '"simple" (a majority, Art. 18(3))')
        return data

    @model_validator(mode="after")
    def _one_date(self) -> AssemblySpec:
        if (self.date is None) == (self.session is None):
            raise ValueError("give the date of the vote or the session (a regular session's number), one of them")
        return self

    @property
    def day(self) -> dt.date:
        """The day whose members vote: the date, else the opening of regular session N
        (:func:`session_opening`)."""
        return self.date if self.date is not None else session_opening(int(self.session or 0))


def session_opening(session: int) -> dt.date:
    """The opening day of the Assembly's regular session ``session``, by Rule 1 of its rules of
    procedure as now written: the Tuesday of the third week of September, counting from the
    first week with a working day in it, and from the 78th (2023) of the second such week. This
    gives every opening of 2019-2025 (the 74th on 17 September 2019, the 78th on 5 September
    2023, the 80th on 9 September 2025). Before 2003 it is the third Tuesday of September, and
    the first session opened on 10 January 1946; some earlier sessions opened a week before or
    after: give ``date`` when the day matters (only membership depends on it)."""
    if session <= 1:
        return dt.date(1946, 1, 10)
    year = 1945 + session
    first = dt.date(year, 9, 1)
    if session < 58:  # the third Tuesday of September
        return first + dt.timedelta(days=(1 - first.weekday()) % 7 + 14)
    # weeks run Monday to Sunday; the first is the one holding September's first working day
    working = first + dt.timedelta(days=max(0, 7 - first.weekday()) if first.weekday() >= 5 else 0)
    monday = working - dt.timedelta(days=working.weekday())
    weeks = 2 if session < 78 else 1
    return monday + dt.timedelta(weeks=weeks, days=1)


class AssemblyDraft(_Strict):
    topic: str | None = Field(default=None, max_length=MAX_TEXT)
    sponsor: str | None = Field(default=None, max_length=MAX_TEXT)
    position: Position = None


class AssemblyCorrelation(_Strict):
    """``common``, and the cohesion of each regional group's bloc factor (``regions``)."""

    common: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    regions: dict[str, float] = Field(default_factory=dict, max_length=len(REGIONAL_GROUPS))

    @model_validator(mode="after")
    def _cohesions(self) -> AssemblyCorrelation:
        for name, value in self.regions.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"regions.{name}: a cohesion must be between 0 and 1, got {value!r}")
        return self


class AssemblyAmendmentSpec(AmendmentSpec):
    """An amendment, as for the Council (``name``, ``position``, ``votes``, ``effect`` with
    ``effect.position``), its tables naming members or regional groups. It has no
    ``procedural``: an amendment is adopted by the same majority as the question."""

    procedural: bool = Field(default=False, exclude=True)
    votes: dict[str, VoteTable] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    effect: dict[str, VoteTable] = Field(default_factory=dict, max_length=MAX_ENTRIES)

    @model_validator(mode="before")
    @classmethod
    def _no_procedural(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "procedural" in data:
            raise ValueError("procedural: does not apply in the Assembly; an amendment is adopted by the same "
                             "majority as the question ([assembly] question)")
        return data


class AssemblyAmendmentReference(_Strict):
    """What really happened to one amendment; tallies the record does not confirm are left out."""

    name: str = Field(min_length=1, max_length=200)
    outcome: Literal["adopted", "not adopted"]
    yes: int | None = Field(default=None, ge=0)
    no: int | None = Field(default=None, ge=0)
    abstain: int | None = Field(default=None, ge=0)


class AssemblyReference(_Strict):
    """What really happened: the recorded tally, member votes the record confirms, and what
    happened to each amendment."""

    source: str = Field(min_length=1, max_length=MAX_TEXT)
    outcome: Literal["adopted", "not adopted"]
    yes: int = Field(ge=0)
    no: int = Field(ge=0)
    abstain: int = Field(ge=0)
    resolution: str | None = Field(default=None, max_length=200)
    draft: str | None = Field(default=None, max_length=200)
    date: IsoDate | None = None
    votes: dict[str, VoteName] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    amendments: list[AssemblyAmendmentReference] = Field(default_factory=list, max_length=MAX_AMENDMENTS)


class AssemblyScenario(_Strict):
    """One Assembly vote, as a scenario file holds it."""

    scenario: ScenarioMeta
    assembly: AssemblySpec
    draft: AssemblyDraft = Field(default_factory=AssemblyDraft)
    votes: dict[str, VoteTable] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    correlation: AssemblyCorrelation | None = None
    alignment: AlignmentSpec | None = None
    amendments: list[AssemblyAmendmentSpec] = Field(default_factory=list, max_length=MAX_AMENDMENTS)
    reference: AssemblyReference | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_body(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "council" in data:
            raise ValueError("give [council] or [assembly], not both")
        return data

    @property
    def body(self) -> str:
        return "assembly"

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="python", exclude_none=True, exclude_defaults=False)


def is_assembly(data: Mapping[str, Any]) -> bool:
    """Whether plain scenario data is an Assembly scenario (it has an ``[assembly]`` table)."""
    return "assembly" in data


def parse_assembly(data: Mapping[str, Any], source: str | None = None) -> AssemblyScenario:
    """Validate plain data (as read from TOML); raise :class:`ScenarioError` naming the field."""
    return validated(AssemblyScenario, dict(data), ScenarioError, field_path, source)


def assembly_from_toml(text: str, source: str | None = None) -> AssemblyScenario:
    return parse_assembly(parse_toml(text, source, ScenarioError), source)


def _fold(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().casefold())


def group_named(name: str) -> str | None:
    """The regional group a name stands for, or None."""
    folded = _fold(name)
    for group in REGIONAL_GROUPS:
        if _fold(group) == folded:
            return group
    return GROUP_ALIASES.get(folded)


def _member(name: str, members: frozenset[str], day: dt.date, field: str) -> str:
    code = try_resolve(name)
    if code is None:
        raise ScenarioError(field, f"unknown UN member name {name!r}")
    if code in OBSERVERS:
        raise ScenarioError(field, f"{OBSERVERS[code]} is an observer state and does not vote")
    if code not in members and seat_code(code, day.year) in members:  # "China" in 1960: the ROC's seat
        code = seat_code(code, day.year)
    if code not in members:
        raise ScenarioError(field, f"{display_name(code)} ({code}) was not a UN member on {day.isoformat()}")
    return code


@lru_cache(maxsize=1)
def base_rates() -> dict[str, Probs]:
    """Each member's share of yes, abstain, no and absent in the recorded votes of 2019-2023
    (``sim/params/assembly_base_rates.csv``, built by ``tools/assembly_base_rates.py``)."""
    text = files("sim.params").joinpath("assembly_base_rates.csv").read_text(encoding="utf-8")
    out: dict[str, Probs] = {}
    for line in text.splitlines()[2:]:
        code, yes, abstain, no, absent, _ = line.split(",")
        out[code] = (float(yes), float(abstain), float(no), float(absent))
    return out


Provenance = Literal["user", "group", "shifted", "base rate", "default", "arrears"]


@dataclass(frozen=True)
class AssemblyModelSpec:
    """The engine model of an Assembly scenario, and where each member's numbers came from."""

    model: AssemblyModel
    provenance: dict[str, Provenance]
    spec: AssemblyScenario
    day: dt.date
    position: float = 0.0
    #: Every member's numbers at position 0 (the model's are at ``position``).
    free: Mapping[str, Probs] = field(default_factory=dict)
    #: The members' non-zero loadings on the alignment axis.
    loadings: Mapping[str, float] = field(default_factory=dict)
    #: The amendments, in order, their tables resolved to members (:mod:`sim.assembly.amendments`).
    amendments: tuple[Amendment, ...] = ()


def build_assembly(spec: AssemblyScenario, rates: Mapping[str, Probs] | None = None) -> AssemblyModelSpec:
    """The members on the day, their numbers (the file's, else their group's table, else their
    base rate, else the Assembly's average), the correlation and the axis."""
    rates = base_rates() if rates is None else rates
    day = spec.assembly.day
    try:
        members = members_on(day)
    except ValueError as exc:
        raise ScenarioError("assembly.date", str(exc)) from None
    present = frozenset(members)
    regions = [regional_group(m) for m in members]
    own, by_group = _tables(spec.votes, present, day, ("votes",))
    probs: dict[str, Probs] = {}
    prov: dict[str, Provenance] = {}
    for code, region in zip(members, regions, strict=True):
        choice = own.get(code) or by_group.get(region)
        base = rates.get(code, FALLBACK_ASSEMBLY_VOTE)
        source: Provenance = "base rate" if code in rates else "default"
        if choice is not None and choice.has_probabilities:
            probs[code], prov[code] = choice.as_tuple(), "user" if code in own else "group"
        elif choice is not None:
            probs[code], prov[code] = shift_probs(base, choice.shift or 0.0), "shifted"
        else:
            probs[code], prov[code] = base, source
    arrears = [_member(n, present, day, field_path(("assembly", "arrears", i)))
               for i, n in enumerate(spec.assembly.arrears)]
    for i, code in enumerate(arrears):
        if code in own:
            name = next(n for n in spec.votes if try_resolve(n) is not None and _member(
                n, present, day, field_path(("votes", n))) == code)
            raise ScenarioError(field_path(("votes", name)),
                                f"{display_name(code)} is in arrears (assembly.arrears[{i}]) and has no vote "
                                "(Art. 19); remove one of the two")
        prov[code] = "arrears"
    loadings = {
        _member(n, present, day, field_path(("alignment", "loadings", n))): v
        for n, v in (spec.alignment.loadings.items() if spec.alignment else ())
    }
    position = float(spec.draft.position or 0.0)
    moved = at_position(probs, loadings, position)
    cohesion: dict[str, float] = {}
    corr = spec.correlation or AssemblyCorrelation()
    for name, value in corr.regions.items():
        group = group_named(name)
        if group is None:
            raise ScenarioError(field_path(("correlation", "regions", name)),
                                f"not a regional group; use one of {', '.join(REGIONAL_GROUPS)}")
        if corr.common + value > 1.0 + 1e-12:
            raise ScenarioError(field_path(("correlation", "regions", name)),
                                f"common + cohesion must be at most 1, got {corr.common:g} + {value:g}")
        cohesion[group] = value
    alignment = np.array([loadings.get(m, 0.0) for m in members]) if loadings else None
    try:
        model = assembly_model(
            members, np.array([moved[m] for m in members]), regions, spec.assembly.question,
            arrears=arrears, common=corr.common, cohesion=cohesion, alignment=alignment,
            axis_name=spec.alignment.name if spec.alignment else "",
        )
    except ValueError as exc:
        raise ScenarioError("correlation", str(exc)) from None
    amendments = _amendments(spec, members, regions, day, frozenset(arrears))
    if not any(loadings.values()):
        _no_axis_positions(spec)
    if spec.reference is not None:
        _check_reference(spec.reference, present, day, [a.name for a in amendments], spec.assembly.question)
    return AssemblyModelSpec(model, prov, spec, day, position, probs, {m: v for m, v in loadings.items() if v},
                             amendments)


def _tables(tables: Mapping[str, VoteTable], members: frozenset[str], day: dt.date, where: tuple[str | int, ...],
            ) -> tuple[dict[str, VoteTable], dict[str, VoteTable]]:
    """A table of members' vote tables: those naming a member (by code), and those naming a
    regional group; :class:`ScenarioError` naming ``where`` and the key if a name is neither,
    or a member is listed twice."""
    own: dict[str, VoteTable] = {}
    by_group: dict[str, VoteTable] = {}
    for name, table in tables.items():
        group = group_named(name)
        if group is not None:
            if group in by_group:
                raise ScenarioError(field_path((*where, name)),
                                    f"{group} is listed twice under [{field_path(where)}] (under two names)")
            by_group[group] = table
            continue
        here = field_path((*where, name))
        code = _member(name, members, day, here)
        if code in own:
            raise ScenarioError(here, f"{code} is listed twice under [{field_path(where)}]")
        own[code] = table
    return own, by_group


def _no_axis_positions(spec: AssemblyScenario) -> None:
    """A position moves members by their loadings: with none, a non-zero one would do nothing."""
    places: list[tuple[str, float | None]] = [("draft.position", spec.draft.position)]
    for j, a in enumerate(spec.amendments):
        places += [(f"amendments[{j}].position", a.position), (f"amendments[{j}].effect.position", a.effect_position)]
    for where, value in places:
        if value:
            raise ScenarioError(where, f"{value:g} moves no one: no member loads on the alignment axis (give an "
                                       "[alignment] table with loadings, or leave the position out)")


def _amendments(spec: AssemblyScenario, members: tuple[str, ...], regions: list[str], day: dt.date,
                arrears: frozenset[str] = frozenset()) -> tuple[Amendment, ...]:
    """Each amendment with its ``votes`` and ``effect`` resolved to members: a group's table
    applies to each of its members that the same table does not list itself."""
    present = frozenset(members)
    out: list[Amendment] = []
    for j, amend in enumerate(spec.amendments):
        if any(a.name == amend.name for a in out):
            raise ScenarioError(field_path(("amendments", j, "name")),
                                f"{amend.name!r} is the name of an earlier amendment; give each its own")
        resolved = []
        for key, tables in (("votes", amend.votes), ("effect", amend.effect)):
            own, by_group = _tables(tables, present, day, ("amendments", j, key))
            for name in tables:
                code = try_resolve(name)
                if code is not None and (code in arrears or seat_code(code, day.year) in arrears):
                    raise ScenarioError(field_path(("amendments", j, key, name)),
                                        f"{display_name(code)} is in arrears (assembly.arrears) and has no vote "
                                        "(Art. 19)")
            resolved.append({code: t for code, region in zip(members, regions, strict=True)
                             if (t := own.get(code) or by_group.get(region)) is not None})
        out.append(Amendment(amend.name, None, resolved[0], resolved[1], amend.position, amend.effect_position))
    return tuple(out)


def _check_outcome(field: str, outcome: str, yes: int, no: int, abstain: int, question: str) -> None:
    """A recorded outcome agrees with its tally under the question's majority."""
    carried = bool(AssemblyRule(question).passes(yes, no))
    if carried != (outcome == "adopted"):
        which = "two thirds of those present and voting" if question == "important" else "a majority of those voting"
        reach = "reaches" if carried else "does not reach"
        raise ScenarioError(field, f"{outcome!r}, but {yes}-{no}-{abstain} {reach} {which} "
                                   f"(a{'n' if question == 'important' else ''} {question} question)")


def _check_reference(ref: AssemblyReference, members: frozenset[str], day: dt.date, names: list[str],
                     question: str) -> None:
    """The recorded tally fits the Assembly of the day and the recorded outcome (under the
    question's majority), its member votes agree with it, and each recorded amendment is one of
    ``names`` with a tally that fits."""
    if ref.yes + ref.no + ref.abstain > len(members):
        raise ScenarioError("reference", f"the tally {ref.yes}-{ref.no}-{ref.abstain} has more votes than the "
                                         f"{len(members)} members on {day.isoformat()}")
    _check_outcome("reference.outcome", ref.outcome, ref.yes, ref.no, ref.abstain, question)
    for j, amend in enumerate(ref.amendments):
        where = f"reference.amendments[{j}]"
        if amend.name not in names:
            raise ScenarioError(f"{where}.name", f"{amend.name!r} is not the name of an amendment in [[amendments]]")
        if amend.yes is not None and amend.no is not None:
            _check_outcome(f"{where}.outcome", amend.outcome, amend.yes, amend.no, amend.abstain or 0, question)
        cast = sum(v for v in (amend.yes, amend.no, amend.abstain) if v is not None)
        if cast > len(members):
            raise ScenarioError(where, f"the tally has {cast} votes, more than the {len(members)} members on "
                                       f"{day.isoformat()}")
    counts = {"yes": 0, "no": 0, "abstain": 0, "absent": 0}
    seen: set[str] = set()
    for name, vote in ref.votes.items():
        code = _member(name, members, day, field_path(("reference", "votes", name)))
        if code in seen:
            raise ScenarioError(field_path(("reference", "votes", name)), f"{code} is listed twice")
        seen.add(code)
        counts[vote] += 1
    for vote in ("yes", "no", "abstain"):
        if counts[vote] > getattr(ref, vote):
            raise ScenarioError("reference.votes", f"{counts[vote]} members listed as {vote}, but the tally has "
                                                    f"{getattr(ref, vote)}")


__all__ = ["QUESTIONS", "AssemblyAmendmentSpec", "AssemblyModelSpec", "AssemblyScenario", "assembly_from_toml",
           "base_rates", "build_assembly", "group_named", "is_assembly", "parse_assembly"]
