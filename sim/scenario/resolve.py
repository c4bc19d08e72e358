"""A scenario checked against its Council: names resolved to ISO3 codes, membership, the
reference and the amendments' tables (:func:`resolve_scenario`). Validation, apart from
computation; nothing here reads files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sim.errors import ScenarioError

from .council import FIRST_YEAR, LAST_YEAR, Council, council_for_year, council_on, explicit_council
from .names import UnknownMemberError, resolve, resolve_for_year
from .schema import AmendmentSpec, CorrelationSpec, CouncilSpec, ReferenceSpec, Scenario, VoteTable

#: Round-off allowed in ``loading² + common + cohesion <= 1``.
VARIANCE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario checked against its Council, with every name resolved to an ISO3 code."""

    spec: Scenario
    council: Council
    votes: dict[str, VoteTable]
    blocs: tuple[tuple[str, tuple[str, ...], float], ...]
    parties: frozenset[str]
    amendments: tuple[tuple[AmendmentSpec, dict[str, VoteTable], dict[str, VoteTable]], ...]
    #: The file's loadings on the alignment axis, by code (members not listed: calibrated, else 0).
    alignment: Mapping[str, float] = field(default_factory=dict)
    #: Where each code's loading is written in the file (for errors found later, in the build).
    alignment_fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def axis_name(self) -> str | None:
        """The alignment axis's label, if the scenario has an [alignment] table."""
        return self.spec.alignment.name if self.spec.alignment is not None else None

    @property
    def position(self) -> float:
        """The draft's position on the alignment axis (0 if not given)."""
        return self.spec.draft.position or 0.0


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


def _key_path(field: str, name: str) -> str:
    return f'{field}."{name}"' if not name.isidentifier() else f"{field}.{name}"


def _members_table(
    table: Mapping[str, VoteTable], council: Council, field: str
) -> dict[str, VoteTable]:
    out: dict[str, VoteTable] = {}
    for name, value in table.items():
        path = _key_path(field, name)
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
    loadings, fields = _alignment(spec, council, corr, blocs)
    return ResolvedScenario(
        spec, council, votes, tuple(blocs), frozenset(parties), tuple(amendments), loadings, fields
    )


def _alignment(
    spec: Scenario,
    council: Council,
    corr: CorrelationSpec,
    blocs: Sequence[tuple[str, tuple[str, ...], float]],
) -> tuple[dict[str, float], dict[str, str]]:
    """The file's loadings by code, and where each is written. With the scenario's own
    [correlation], ``loading² + common + cohesion <= 1`` is checked here; with the calibrated
    one, when the model is built (:func:`sim.scenario.build.check_variance`)."""
    if spec.alignment is None:
        return {}, {}
    cohesion = {m: coh for _, codes, coh in blocs for m in codes}
    loadings: dict[str, float] = {}
    fields: dict[str, str] = {}
    for name, value in spec.alignment.loadings.items():
        path = _key_path("alignment.loadings", name)
        code = _code(name, council, path)
        if code not in council.members:
            raise ScenarioError(path, f"{name!r} ({code}) is not a member of {_council_label(council)}")
        if code in loadings:
            raise ScenarioError(path, f"{name!r} ({code}) is given twice")
        if spec.correlation is not None:
            check_variance(value, corr.common, cohesion.get(code, 0.0), path)
        loadings[code], fields[code] = value, path
    return loadings, fields


def check_variance(loading: float, common: float, cohesion: float, field: str, hint: str = "") -> None:
    """A loading must leave the member a non-negative idiosyncratic variance (docs/model.md):
    ``loading² + common + cohesion <= 1``; else :class:`ScenarioError` naming ``field``."""
    total = loading * loading + common + cohesion
    if total > 1.0 + VARIANCE_TOLERANCE:
        raise ScenarioError(
            field,
            f"loading² + common + cohesion must be at most 1, got "
            f"{loading:g}² + {common:.4g} + {cohesion:.4g} = {total:.4g}{hint}",
        )


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
