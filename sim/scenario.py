"""Scenario files: their schema (pydantic), semantic checks, and the vote model they define.

Validation is kept apart from computation: :func:`parse_scenario` checks the shape of the data,
:func:`resolve_scenario` checks it against the Council (names, membership, correlation limits),
and :func:`build_model` turns a resolved scenario into numbers for the engine. Nothing here reads
files; the CLI and the app pass text or dicts in. The format is documented in docs/scenarios.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from scipy.special import ndtr, ndtri

from .council import FIRST_YEAR, LAST_YEAR, Council, council_for_year, council_on, explicit_council
from .errors import ScenarioError, first_validation_error
from .inputs import field_path, parse_toml
from .model import VoteModel
from .names import UnknownMemberError, resolve, resolve_for_year

#: Vote probabilities (yes, abstain, no, absent) of a member with no votes table and no
#: calibrated values: most Council drafts pass, most often unanimously (docs/model.md).
FALLBACK_VOTE = (0.85, 0.10, 0.05, 0.0)
#: Common latent correlation used when a scenario has no [correlation] table and no calibration.
FALLBACK_COMMON = 0.15
#: Tolerance on probabilities summing to 1.
SUM_TOLERANCE = 1e-9
#: Cap on what one scenario may ask for (uploads included).
MAX_MEMBERS = 60
MAX_AMENDMENTS = 8
MAX_TEXT = 2000

VoteName = Literal["yes", "abstain", "no", "absent"]


class _Strict(BaseModel):
    """Strict types, as TOML has them: a string is never a number, a bool never a number, a
    number never a bool or a string (only dates may also be ISO strings: :data:`IsoDate`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _iso_date(value: object) -> object:
    """A TOML date as is; a string as an ISO date (``"2014-12-30"``); anything else refused."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"must be a date (YYYY-MM-DD), got {value!r}") from None
    return value


#: A date: a TOML date (``2014-12-30``) or an ISO date string (``"2014-12-30"``).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class VoteTable(_Strict):
    """A member's probabilities (omitted keys are 0, they must sum to 1), or a latent ``shift``."""

    yes: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)
    abstain: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)
    no: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)
    absent: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)
    shift: float | None = Field(default=None, ge=-10.0, le=10.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _sums_to_one(self) -> VoteTable:
        given = [v for v in (self.yes, self.abstain, self.no, self.absent) if v is not None]
        if self.shift is not None and given:
            raise ValueError("give either probabilities or a shift, not both")
        if self.shift is None and not given:
            raise ValueError("give probabilities (yes, abstain, no, absent) or a shift")
        if given and abs(sum(given) - 1.0) > SUM_TOLERANCE:
            raise ValueError(f"probabilities must sum to 1, they sum to {sum(given):.6g}")
        return self

    @property
    def has_probabilities(self) -> bool:
        return self.shift is None

    def as_tuple(self) -> tuple[float, float, float, float]:
        """(yes, abstain, no, absent) with omitted values as 0."""
        return (self.yes or 0.0, self.abstain or 0.0, self.no or 0.0, self.absent or 0.0)


class ScenarioMeta(_Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=MAX_TEXT)


class CouncilSpec(_Strict):
    year: int | None = None
    members: list[str] | None = Field(default=None, max_length=MAX_MEMBERS)
    permanent: list[str] | None = Field(default=None, max_length=MAX_MEMBERS)
    threshold: int | None = None
    parties_to_dispute: list[str] = Field(default_factory=list, max_length=MAX_MEMBERS)

    @model_validator(mode="after")
    def _one_source(self) -> CouncilSpec:
        if self.year is not None and self.members is not None:
            raise ValueError("give either year or members, not both")
        if self.year is None and self.members is None:
            raise ValueError("give year (1946-2027) or an explicit members list")
        if self.year is not None and self.permanent is not None:
            raise ValueError("permanent is only for an explicit members list")
        return self


class DraftSpec(_Strict):
    procedural: bool = False
    sponsor: str | None = Field(default=None, max_length=MAX_TEXT)
    topic: str | None = Field(default=None, max_length=MAX_TEXT)
    date: IsoDate | None = None


class BlocSpec(_Strict):
    name: str = Field(min_length=1, max_length=200)
    members: list[str] = Field(min_length=1, max_length=MAX_MEMBERS)
    cohesion: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)


class CorrelationSpec(_Strict):
    common: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    blocs: list[BlocSpec] = Field(default_factory=list, max_length=MAX_MEMBERS)


class AmendmentSpec(_Strict):
    name: str = Field(min_length=1, max_length=200)
    procedural: bool = False
    votes: dict[str, VoteTable] = Field(default_factory=dict)
    effect: dict[str, VoteTable] = Field(default_factory=dict)


#: What happened to a draft or an amendment: adopted; vetoed (enough votes, but a permanent
#: member voted no); failed (fewer than the required votes, whoever voted no).
Outcome = Literal["adopted", "vetoed", "failed"]


class AmendmentReferenceSpec(_Strict):
    """What really happened to one amendment. Tallies the record does not confirm are left out."""

    name: str = Field(min_length=1, max_length=200)
    outcome: Outcome
    yes: int | None = Field(default=None, ge=0)
    no: int | None = Field(default=None, ge=0)
    abstain: int | None = Field(default=None, ge=0)
    absent: int | None = Field(default=None, ge=0)
    vetoed_by: list[str] = Field(default_factory=list)
    votes: dict[str, VoteName] = Field(default_factory=dict)

    @property
    def tally(self) -> tuple[int, int, int, int] | None:
        """(yes, no, abstain, absent) if yes, no and abstain are all recorded (absent: 0 if left out)."""
        if self.yes is None or self.no is None or self.abstain is None:
            return None
        return (self.yes, self.no, self.abstain, self.absent or 0)


class ReferenceSpec(_Strict):
    """What really happened, with a source; shown beside the model."""

    source: str = Field(min_length=1, max_length=MAX_TEXT)
    outcome: Outcome
    yes: int = Field(ge=0)
    no: int = Field(ge=0)
    abstain: int = Field(ge=0)
    absent: int = Field(default=0, ge=0)
    draft: str | None = None
    date: IsoDate | None = None
    resolution: str | None = None
    vetoed_by: list[str] = Field(default_factory=list)
    votes: dict[str, VoteName] = Field(default_factory=dict)
    amendments: list[AmendmentReferenceSpec] = Field(default_factory=list, max_length=MAX_AMENDMENTS)


class Scenario(_Strict):
    """A whole scenario file."""

    scenario: ScenarioMeta
    council: CouncilSpec
    draft: DraftSpec = Field(default_factory=DraftSpec)
    votes: dict[str, VoteTable] = Field(default_factory=dict, max_length=MAX_MEMBERS)
    correlation: CorrelationSpec | None = None
    amendments: list[AmendmentSpec] = Field(default_factory=list, max_length=MAX_AMENDMENTS)
    reference: ReferenceSpec | None = None

    @field_validator("votes")
    @classmethod
    def _no_empty_names(cls, v: dict[str, VoteTable]) -> dict[str, VoteTable]:
        if any(not k.strip() for k in v):
            raise ValueError("member names must not be empty")
        return v

    def to_dict(self) -> dict[str, Any]:
        """Canonical plain-data form (TOML-ready: no None values)."""
        return self.model_dump(mode="python", exclude_none=True, exclude_defaults=False)


def parse_scenario(data: Mapping[str, Any], source: str | None = None) -> Scenario:
    """Validate plain data (as read from TOML) against the schema; raise :class:`ScenarioError`."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        loc, msg = first_validation_error(exc)
        raise ScenarioError(field_path(loc), msg, source) from None


def scenario_from_toml(text: str, source: str | None = None) -> Scenario:
    """Parse TOML text into a validated scenario (no file access)."""
    return parse_scenario(parse_toml(text, source, ScenarioError), source)


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario checked against its Council, with every name resolved to an ISO3 code."""

    spec: Scenario
    council: Council
    votes: dict[str, VoteTable]
    blocs: tuple[tuple[str, tuple[str, ...], float], ...]
    parties: frozenset[str]
    amendments: tuple[tuple[AmendmentSpec, dict[str, VoteTable], dict[str, VoteTable]], ...]


def _council(spec: CouncilSpec, date: dt.date | None = None) -> Council:
    """The scenario's Council: explicit, or built-in for ``council.year`` -- the Council that sat
    on the draft's ``date`` when it has one (docs/scenarios.md, "Which Council")."""
    if spec.year is not None:
        if not FIRST_YEAR <= spec.year <= LAST_YEAR:
            raise ScenarioError("council.year", f"must be between {FIRST_YEAR} and {LAST_YEAR}, got {spec.year}")
        if date is not None and date.year != spec.year:
            raise ScenarioError("draft.date", f"{date.isoformat()} is not in council.year {spec.year}")
        council = council_on(date) if date is not None else council_for_year(spec.year)
        if spec.threshold is None:
            return council
        _check_threshold(spec.threshold, council.size)
        return Council(council.members, council.permanent, spec.threshold, council.year, council.date)
    members = spec.members or []
    if not members:
        raise ScenarioError("council.members", "must list at least one member")
    for i, name in enumerate(members):
        _code(name, None, f"council.members[{i}]")
    for i, name in enumerate(spec.permanent or []):
        code = _code(name, None, f"council.permanent[{i}]")
        if code not in {resolve(m) for m in members}:
            raise ScenarioError(f"council.permanent[{i}]", f"{name!r} is not in council.members")
    if spec.threshold is not None:
        _check_threshold(spec.threshold, len(members))
    try:
        return explicit_council(members, spec.permanent or [], spec.threshold)
    except ValueError as exc:
        raise ScenarioError("council.members", str(exc)) from None


def _check_threshold(threshold: int, size: int) -> None:
    if not 1 <= threshold <= size:
        raise ScenarioError("council.threshold", f"must be between 1 and the Council size {size}, got {threshold}")


def _code(name: str, council: Council | int | None, field: str) -> str:
    """The code a name means on ``council`` (a year: the year rule; None: no seat mapping)."""
    try:
        if isinstance(council, Council):
            return council.resolve(name)
        return resolve_for_year(name, council) if council is not None else resolve(name)
    except UnknownMemberError as exc:
        raise ScenarioError(field, str(exc)) from None


def _members_table(
    table: Mapping[str, VoteTable], council: Council, field: str
) -> dict[str, VoteTable]:
    out: dict[str, VoteTable] = {}
    for name, value in table.items():
        path = f'{field}."{name}"' if not name.isidentifier() else f"{field}.{name}"
        code = _code(name, council, path)
        if code not in council.members:
            raise ScenarioError(path, f"{name!r} ({code}) is not a member of {_council_label(council)}")
        if code in out:
            raise ScenarioError(path, f"{name!r} ({code}) is given twice")
        out[code] = value
    return out


def _council_label(council: Council) -> str:
    return council.label


def resolve_scenario(spec: Scenario, source: str | None = None) -> ResolvedScenario:
    """Check a scenario against its Council; raise :class:`ScenarioError` naming the field."""
    try:
        return _resolve(spec)
    except ScenarioError as exc:
        raise exc.with_source(source) if source else exc from None


def _resolve(spec: Scenario) -> ResolvedScenario:
    council = _council(spec.council, spec.draft.date)
    votes = _members_table(spec.votes, council, "votes")
    parties: set[str] = set()
    for i, name in enumerate(spec.council.parties_to_dispute):
        field = f"council.parties_to_dispute[{i}]"
        code = _code(name, council, field)
        if code not in council.members:
            raise ScenarioError(field, f"{name!r} ({code}) is not a member of {_council_label(council)}")
        parties.add(code)
    blocs: list[tuple[str, tuple[str, ...], float]] = []
    seen: dict[str, str] = {}
    corr = spec.correlation or CorrelationSpec()
    for b, bloc in enumerate(corr.blocs):
        if corr.common + bloc.cohesion > 1.0 + 1e-12:
            raise ScenarioError(
                f"correlation.blocs[{b}].cohesion",
                f"common + cohesion must be at most 1, got {corr.common:g} + {bloc.cohesion:g}",
            )
        codes = []
        for i, name in enumerate(bloc.members):
            field = f"correlation.blocs[{b}].members[{i}]"
            code = _code(name, council, field)
            if code not in council.members:
                raise ScenarioError(field, f"{name!r} ({code}) is not a member of {_council_label(council)}")
            if code in seen:
                raise ScenarioError(
                    field, f"{name!r} ({code}) is already in bloc {seen[code]!r}; a member may be in one bloc only"
                )
            seen[code] = bloc.name
            codes.append(code)
        blocs.append((bloc.name, tuple(codes), bloc.cohesion))
    amendments = []
    for a, amend in enumerate(spec.amendments):
        amendments.append(
            (
                amend,
                _members_table(amend.votes, council, f"amendments[{a}].votes"),
                _members_table(amend.effect, council, f"amendments[{a}].effect"),
            )
        )
    if spec.reference is not None:
        _check_reference(spec.reference, [a.name for a in spec.amendments], council)
    return ResolvedScenario(spec, council, votes, tuple(blocs), frozenset(parties), tuple(amendments))


def _check_reference(ref: ReferenceSpec, names: Sequence[str], council: Council) -> None:
    total = ref.yes + ref.no + ref.abstain + ref.absent
    if total != council.size:
        raise ScenarioError(
            "reference", f"yes + no + abstain + absent is {total}, the Council has {council.size} members"
        )
    _check_reference_votes(ref.vetoed_by, ref.votes, council, "reference")
    seen: set[str] = set()
    for j, amend in enumerate(ref.amendments):
        field = f"reference.amendments[{j}]"
        if amend.name not in names:
            raise ScenarioError(f"{field}.name", f"{amend.name!r} is not the name of an amendment in [[amendments]]")
        if amend.name in seen:
            raise ScenarioError(f"{field}.name", f"{amend.name!r} is given twice")
        seen.add(amend.name)
        counts = [c for c in (amend.yes, amend.no, amend.abstain, amend.absent) if c is not None]
        if amend.tally is not None and sum(amend.tally) != council.size:
            raise ScenarioError(
                field, f"yes + no + abstain + absent is {sum(amend.tally)}, the Council has {council.size} members"
            )
        if sum(counts) > council.size:
            raise ScenarioError(
                field, f"the recorded votes add up to {sum(counts)}, more than the {council.size} members"
            )
        _check_reference_votes(amend.vetoed_by, amend.votes, council, field)


def _check_reference_votes(
    vetoed_by: Sequence[str], votes: Mapping[str, str], council: Council, field: str
) -> None:
    codes = {}
    for name, vote in votes.items():
        code = _code(name, council, f"{field}.votes.{name}")
        if code not in council.members:
            raise ScenarioError(f"{field}.votes.{name}", f"{name!r} is not a member of {_council_label(council)}")
        codes[code] = vote
    for i, name in enumerate(vetoed_by):
        code = _code(name, council, f"{field}.vetoed_by[{i}]")
        if code not in council.permanent:
            raise ScenarioError(f"{field}.vetoed_by[{i}]", f"{name!r} ({code}) is not a permanent member")
        if codes.get(code, "no") != "no":
            raise ScenarioError(
                f"{field}.vetoed_by[{i}]", f"{name!r} vetoed, but {field}.votes records {codes[code]!r}"
            )


# --- from a resolved scenario to the engine's numbers -------------------------------------------

#: Where a member's probabilities came from.
Provenance = Literal["user", "calibrated", "default", "shifted", "party to dispute"]


@dataclass(frozen=True)
class Calibration:
    """Calibrated inputs for a draft, as the calibration layer provides them.

    ``probs``: member -> (yes, abstain, no, absent); ``blocs``: (name, members, cohesion);
    ``latent``: each member's probit of P(yes), where the calibration gives it.
    """

    probs: Mapping[str, tuple[float, float, float, float]]
    common: float | None = None
    blocs: tuple[tuple[str, tuple[str, ...], float], ...] = ()
    latent: Mapping[str, float] = dataclasses.field(default_factory=dict)


Calibrator = Callable[[ResolvedScenario], Calibration | None]


def shift_probs(probs: Sequence[float], shift: float) -> tuple[float, float, float, float]:
    """Move a member's latent stance by ``shift`` (+ toward yes, - toward no), keeping absence.

    On the probit scale of the present member's ordinal vote: P(no) = Φ(t1 - shift) and
    P(yes) = 1 - Φ(t2 - shift), where t1, t2 reproduce the original probabilities.
    """
    yes, abstain, no, absent = probs
    present = 1.0 - absent
    if present <= 0:
        return (yes, abstain, no, absent)
    t1 = ndtri(min(1.0, no / present))
    t2 = ndtri(min(1.0, (no + abstain) / present))
    p_no = float(ndtr(t1 - shift)) * present
    p_not_yes = float(ndtr(t2 - shift)) * present
    return (present - p_not_yes, max(0.0, p_not_yes - p_no), p_no, absent)


@dataclass(frozen=True)
class ModelSpec:
    """The engine model of a scenario's draft, plus where each member's numbers came from."""

    model: VoteModel
    provenance: dict[str, Provenance]
    resolved: ResolvedScenario
    #: Members' numbers before Art. 27(3) (what a party would vote on a procedural amendment);
    #: empty means the model's own.
    free_probs: Mapping[str, tuple[float, float, float, float]] = dataclasses.field(default_factory=dict)


def free_probabilities(
    resolved: ResolvedScenario, calibrated: Calibration | None
) -> tuple[dict[str, tuple[float, float, float, float]], dict[str, Provenance]]:
    """Each member's (yes, abstain, no, absent) before Art. 27(3): explicit, else calibrated,
    else the fallback."""
    probs: dict[str, tuple[float, float, float, float]] = {}
    prov: dict[str, Provenance] = {}
    cal = calibrated.probs if calibrated is not None else {}
    for code in resolved.council.members:
        table = resolved.votes.get(code)
        if table is not None and table.has_probabilities:
            probs[code], prov[code] = table.as_tuple(), "user"
            continue
        if code in cal:
            base, source = tuple(cal[code]), "calibrated"
        else:
            base, source = FALLBACK_VOTE, "default"
        if table is not None:  # a shift of the calibrated or default stance
            probs[code], prov[code] = shift_probs(base, table.shift or 0.0), "shifted"
        else:
            probs[code], prov[code] = (base[0], base[1], base[2], base[3]), source  # type: ignore[assignment]
    return probs, prov


def party_abstains(probs: Sequence[float]) -> tuple[float, float, float, float]:
    """Art. 27(3): a party to the dispute abstains if present (its absence probability is kept)."""
    yes, abstain, no, absent = probs
    return (0.0, yes + abstain + no, 0.0, absent)


def bind_parties(
    resolved: ResolvedScenario,
    free: Mapping[str, tuple[float, float, float, float]],
    provenance: Mapping[str, Provenance],
) -> tuple[dict[str, tuple[float, float, float, float]], dict[str, Provenance]]:
    """Members' numbers for the vote on the draft: the parties to the dispute abstain if the
    draft is substantive (Art. 27(3) binds decisions under Chapter VI and Art. 52(3), never
    procedural votes); amendment votes are bound in :mod:`sim.amendments`."""
    probs, prov = dict(free), dict(provenance)
    if not resolved.spec.draft.procedural:
        for code in resolved.parties:
            probs[code], prov[code] = party_abstains(probs[code]), "party to dispute"
    return probs, prov


def _correlation(
    resolved: ResolvedScenario, calibrated: Calibration | None
) -> tuple[float, tuple[tuple[str, tuple[str, ...], float], ...]]:
    if resolved.spec.correlation is not None:
        return resolved.spec.correlation.common, resolved.blocs
    if calibrated is not None and calibrated.common is not None:
        members = set(resolved.council.members)
        blocs = tuple(
            (name, tuple(m for m in codes if m in members), coh)
            for name, codes, coh in calibrated.blocs
            if any(m in members for m in codes)
        )
        return calibrated.common, blocs
    return FALLBACK_COMMON, ()


def to_vote_model(
    resolved: ResolvedScenario,
    probs: Mapping[str, tuple[float, float, float, float]],
    common: float,
    blocs: Sequence[tuple[str, Sequence[str], float]],
    procedural: bool,
) -> VoteModel:
    """Arrange per-member numbers in Council order for the engine."""
    council = resolved.council
    bloc_of = {m: b for b, (_, codes, _) in enumerate(blocs) for m in codes}
    arr = np.array([probs[m] for m in council.members], dtype=float)
    arr = np.clip(arr, 0.0, 1.0)
    arr /= arr.sum(axis=1, keepdims=True)
    return VoteModel(
        members=council.members,
        probs=arr,
        permanent=np.array([m in council.permanent for m in council.members]),
        bloc=np.array([bloc_of.get(m, -1) for m in council.members], dtype=int),
        cohesion=np.array([coh for _, _, coh in blocs], dtype=float),
        common=common,
        threshold=council.threshold,
        procedural=procedural,
        bloc_names=tuple(name for name, _, _ in blocs),
    )


def build_model(resolved: ResolvedScenario, calibrator: Calibrator | None = None) -> ModelSpec:
    """The draft's vote model: explicit probabilities, else calibrated, else the fallback."""
    calibrated = calibrator(resolved) if calibrator is not None else None
    free, free_prov = free_probabilities(resolved, calibrated)
    probs, prov = bind_parties(resolved, free, free_prov)
    common, blocs = _correlation(resolved, calibrated)
    model = to_vote_model(resolved, probs, common, blocs, resolved.spec.draft.procedural)
    return ModelSpec(model, prov, resolved, free)


def scenario_to_toml(spec: Scenario) -> str:
    """The scenario as TOML text that :func:`scenario_from_toml` reads back to an equal scenario."""
    import tomli_w

    return tomli_w.dumps(spec.to_dict())
