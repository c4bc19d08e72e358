"""Scenario files: their schema (pydantic) and its validation.

Validation is kept apart from computation: :func:`parse_scenario` checks the shape of the data,
:func:`sim.scenario.resolve.resolve_scenario` checks it against the Council (names, membership,
correlation limits), and :func:`sim.scenario.build.build_model` turns a resolved scenario into
numbers for the engine. Nothing here reads files; the CLI and the app pass text or dicts in. The
format is documented in docs/scenarios.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.errors import ScenarioError, validated
from sim.io.inputs import field_path, parse_toml

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
#: How far a text may stand from the origin of the alignment axis, in standard deviations of a
#: member's latent stance (docs/scenarios.md, "The alignment axis").
MAX_POSITION = 10.0
#: The axis label when a scenario's [alignment] table gives none.
DEFAULT_AXIS = "alignment"

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


#: A text's position on the alignment axis (None: 0, the position the probabilities are given at).
Position = Annotated[float | None, Field(default=None, ge=-MAX_POSITION, le=MAX_POSITION, allow_inf_nan=False)]


class DraftSpec(_Strict):
    procedural: bool = False
    sponsor: str | None = Field(default=None, max_length=MAX_TEXT)
    topic: str | None = Field(default=None, max_length=MAX_TEXT)
    date: IsoDate | None = None
    position: Position = None


def axis_ends(name: str | None) -> tuple[str, str]:
    """The two ends of an axis named ``"POSITIVE – NEGATIVE"`` (an en dash, a hyphen or "vs"
    between spaces), negative end first: ``"West – Russia/China"`` → ``("Russia/China", "West")``.
    A name without two ends gives ``("the negative end", "the positive end")`` of it."""
    text = (name or DEFAULT_AXIS).strip()
    for sep in (" – ", " — ", " - ", " vs ", " vs. ", "–", "—"):
        left, found, right = text.partition(sep)
        if found and left.strip() and right.strip():
            return right.strip(), left.strip()
    return f"the negative end of {text}", f"the positive end of {text}"


#: Ends of an axis that read as places: "toward the West", not "toward West".
PLACES = frozenset({"West", "East", "North", "South", "Global South", "Global North"})


def axis_destinations(name: str | None) -> tuple[str, str]:
    """:func:`axis_ends` as what follows "toward": ``("Russia/China", "the West")``."""
    low, high = (f"the {end}" if end in PLACES else end for end in axis_ends(name))
    return low, high


#: A member's signed loading on the alignment axis.
Loading = Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)]


class AlignmentSpec(_Strict):
    """The alignment axis (issue 14): its label and members' signed loadings on it. Members not
    listed get their calibrated loading, else 0 (docs/scenarios.md)."""

    name: str = Field(default=DEFAULT_AXIS, min_length=1, max_length=200)
    loadings: dict[str, Loading] = Field(default_factory=dict, max_length=MAX_MEMBERS)


class BlocSpec(_Strict):
    name: str = Field(min_length=1, max_length=200)
    members: list[str] = Field(min_length=1, max_length=MAX_MEMBERS)
    cohesion: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)


class CorrelationSpec(_Strict):
    common: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    blocs: list[BlocSpec] = Field(default_factory=list, max_length=MAX_MEMBERS)


class AmendmentSpec(_Strict):
    """An amendment: its own vote (``votes``, at its own ``position``, else the draft's), and
    what its adoption does to the draft (``effect``: members' tables, and ``effect.position``,
    where the amended draft stands). In the file ``position`` sits in the ``effect`` table; here
    it is the field ``effect_position``, and :meth:`to_dict` puts it back."""

    name: str = Field(min_length=1, max_length=200)
    procedural: bool = False
    position: Position = None
    votes: dict[str, VoteTable] = Field(default_factory=dict)
    effect: dict[str, VoteTable] = Field(default_factory=dict)
    effect_position: Position = None

    @model_validator(mode="before")
    @classmethod
    def _position_of_effect(cls, data: Any) -> Any:
        """``effect.position`` (a number among the members' tables) to ``effect_position``."""
        if not isinstance(data, Mapping):
            return data
        if "effect_position" in data:
            raise ValueError("unknown key effect_position; write position in the effect table")
        effect = data.get("effect")
        if not isinstance(effect, Mapping) or "position" not in effect:
            return data
        value = effect["position"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
            -MAX_POSITION <= value <= MAX_POSITION
        ):
            raise ValueError(
                f"effect.position: must be a number between {-MAX_POSITION:g} and {MAX_POSITION:g}, got {value!r}"
            )
        rest = {k: v for k, v in effect.items() if k != "position"}
        return {**data, "effect": rest, "effect_position": float(value)}

    @model_serializer(mode="wrap")
    def _effect_with_position(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        position = out.pop("effect_position", None)
        if position is not None:
            out["effect"] = {**out.get("effect", {}), "position": position}
        return out


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
    alignment: AlignmentSpec | None = None
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
    if "assembly" in data:  # a General Assembly file where a Council one is needed
        raise ScenarioError("assembly", "this is a General Assembly scenario; this command takes Security "
                                        "Council scenarios (unsc-sim run takes both)", source)
    return validated(Scenario, dict(data), ScenarioError, field_path, source)


def scenario_from_toml(text: str, source: str | None = None) -> Scenario:
    """Parse TOML text into a validated scenario (no file access)."""
    return parse_scenario(parse_toml(text, source, ScenarioError), source)


def scenario_to_toml(spec: Scenario) -> str:
    """The scenario as TOML text that :func:`scenario_from_toml` reads back to an equal scenario."""
    import tomli_w

    return tomli_w.dumps(spec.to_dict())
