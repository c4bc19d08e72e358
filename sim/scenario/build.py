"""From a resolved scenario to the engine's numbers: explicit probabilities, else calibrated,
else the fallback; parties to a dispute; the correlation (:func:`build_model`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import ndtr, ndtri

from sim.engine.mixture import Hurdle, MixtureModel
from sim.engine.model import VoteModel

from .resolve import ResolvedScenario, check_variance
from .schema import FALLBACK_COMMON, FALLBACK_VOTE

#: Where a member's probabilities came from.
Provenance = Literal["user", "calibrated", "default", "shifted", "party to dispute"]


@dataclass(frozen=True)
class Calibration:
    """Calibrated inputs for a draft, as the calibration layer provides them.

    ``probs``: member -> (yes, abstain, no, absent); ``blocs``: (name, members, cohesion);
    ``latent``: each member's probit of P(yes), where the calibration gives it; ``as_of``: the
    date (ISO) of the last vote record the calibration knows. ``hurdle``: the validated form
    of the same forecast (docs/calibration.md, "Event forecasts"): per likely sponsor class,
    its weight, P(contested) and the members' votes given a contested draft, correlated by
    ``contested_common`` and ``contested_blocs``; ``probs`` are its marginals. ``alignment``
    and ``contested_alignment``: each member's calibrated loading on the alignment axis
    (docs/model.md, issue 14), for the marginal and the contested model; empty until fitted.
    """

    probs: Mapping[str, tuple[float, float, float, float]]
    common: float | None = None
    blocs: tuple[tuple[str, tuple[str, ...], float], ...] = ()
    latent: Mapping[str, float] = dataclasses.field(default_factory=dict)
    as_of: str | None = None
    hurdle: tuple[HurdleCandidate, ...] = ()
    contested_common: float | None = None
    contested_blocs: tuple[tuple[str, tuple[str, ...], float], ...] = ()
    alignment: Mapping[str, float] = dataclasses.field(default_factory=dict)
    contested_alignment: Mapping[str, float] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class HurdleCandidate:
    """One likely sponsor class of a draft: its weight, P(contested), and each member's
    (yes, abstain, no, absent) given that the draft is contested."""

    weight: float
    p_contested: float
    contested: Mapping[str, tuple[float, float, float, float]]


Calibrator = Callable[[ResolvedScenario], Calibration | None]
Probs = tuple[float, float, float, float]
#: What the result's ``forecast`` says when the calibrated hurdle mixture would be the forecast
#: but the scenario puts the text off the origin of the axis or gives its own loadings.
MARGINALS_ON_AXIS = "marginals (the calibrated hurdle mixture has no position on the alignment axis)"


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


def at_position(
    probs: Mapping[str, Sequence[float]], loadings: Mapping[str, float], position: float
) -> dict[str, Probs]:
    """Members' numbers for a text at ``position`` on the alignment axis: member i's stance moves
    by λ_i·p (:func:`shift_probs`), on top of any shift of its own. A member with no loading, or
    a text at 0, keeps its numbers to the bit."""
    out: dict[str, Probs] = {}
    for code, p in probs.items():
        move = loadings.get(code, 0.0) * position
        out[code] = shift_probs(p, move) if move != 0.0 else (float(p[0]), float(p[1]), float(p[2]), float(p[3]))
    return out


def member_loadings(
    resolved: ResolvedScenario, calibrated: Mapping[str, float] | None
) -> dict[str, float]:
    """Each member's loading on the alignment axis: the file's, else the calibrated one, else 0."""
    cal = calibrated or {}
    return {m: float(resolved.alignment.get(m, cal.get(m, 0.0))) for m in resolved.council.members}


@dataclass(frozen=True)
class ModelSpec:
    """The engine model of a scenario's draft, plus where each member's numbers came from."""

    model: VoteModel
    provenance: dict[str, Provenance]
    resolved: ResolvedScenario
    #: Members' numbers before Art. 27(3) (what a party would vote on a procedural amendment);
    #: empty means the model's own.
    free_probs: Mapping[str, tuple[float, float, float, float]] = dataclasses.field(default_factory=dict)
    #: The date (ISO) of the last vote record behind the calibrated numbers; None if none is used.
    calibrated_as_of: str | None = None
    #: The calibrated hurdle mixture, when every member's numbers are the calibration's
    #: (:func:`hurdle_mixture`); the engine then computes it rather than ``model``.
    mixture: MixtureModel | None = None
    #: Each member's loading on the alignment axis (all 0: the model has no axis).
    alignment: Mapping[str, float] = dataclasses.field(default_factory=dict)
    #: The axis's label (the scenario's [alignment] name), if the scenario has one.
    axis_name: str | None = None
    #: The draft's position on the axis; ``model`` is the draft at it, ``free_probs`` at 0.
    position: float = 0.0
    #: What the result's ``forecast`` says, if not the default of the engine path used.
    forecast: str | None = None

    @property
    def on_axis(self) -> bool:
        """Whether the scenario uses the alignment axis (an [alignment] table or a position)."""
        return self.axis_name is not None or self.position != 0.0 or any(
            a.position is not None or a.effect_position is not None for a in self.resolved.spec.amendments
        )


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
    procedural votes); amendment votes are bound in :mod:`sim.engine.amendments`."""
    probs, prov = dict(free), dict(provenance)
    if not resolved.spec.draft.procedural:
        for code in resolved.parties:
            probs[code], prov[code] = party_abstains(probs[code]), "party to dispute"
    return probs, prov


def hurdle_mixture(
    resolved: ResolvedScenario, calibrated: Calibration | None, provenance: Mapping[str, Provenance]
) -> MixtureModel | None:
    """The calibration's hurdle mixture of the draft: consensus (everyone votes yes) or, with
    P(contested), the contested votes given that they are not unanimous, averaged over the
    likely sponsor classes. None when a member's numbers are not the calibration's (a user's
    table or shift, a party to the dispute) or the scenario sets its own correlation: the
    marginal model is then the forecast."""
    if calibrated is None or calibrated.contested_common is None or not hurdle_applies(
        resolved, calibrated, provenance
    ):
        return None
    blocs = _sitting(resolved, calibrated.contested_blocs)
    procedural = resolved.spec.draft.procedural
    loadings = member_loadings(resolved, calibrated.contested_alignment if uses_calibrated_axis(resolved) else None)
    return MixtureModel(tuple(
        Hurdle(c.weight, c.p_contested,
               to_vote_model(resolved, c.contested, calibrated.contested_common, blocs, procedural,
                             loadings, resolved.axis_name))
        for c in calibrated.hurdle))


def uses_calibrated_axis(resolved: ResolvedScenario) -> bool:
    """Whether members the file does not list take their calibrated loadings: only in a
    scenario with an [alignment] table and the calibrated correlation (the loadings were
    fitted with it). The default forecast has no axis: on validation the axis did not improve
    it, and it costs the exact method far more (docs/calibration.md, "The alignment axis")."""
    return resolved.spec.alignment is not None and resolved.spec.correlation is None


def moves_on_axis(resolved: ResolvedScenario) -> bool:
    """Whether the scenario gives loadings of its own or puts the draft off the axis's origin:
    the calibrated hurdle mixture, whose P(contested) has no position, is then not the forecast
    (docs/scenarios.md, "The alignment axis")."""
    return bool(resolved.alignment) or resolved.position != 0.0


def hurdle_applies(
    resolved: ResolvedScenario, calibrated: Calibration | None, provenance: Mapping[str, Provenance]
) -> bool:
    """Whether the calibrated hurdle mixture is the scenario's forecast, before the axis is
    asked about (:func:`moves_on_axis`): every member's numbers and the correlation are the
    calibration's."""
    if calibrated is None or not calibrated.hurdle or calibrated.contested_common is None:
        return False
    return resolved.spec.correlation is None and all(v == "calibrated" for v in provenance.values())


def _sitting(
    resolved: ResolvedScenario, blocs: Sequence[tuple[str, tuple[str, ...], float]]
) -> tuple[tuple[str, tuple[str, ...], float], ...]:
    """The calibration's blocs restricted to the members of the scenario's Council."""
    members = set(resolved.council.members)
    return tuple((name, tuple(m for m in codes if m in members), coh)
                 for name, codes, coh in blocs if any(m in members for m in codes))


def _correlation(
    resolved: ResolvedScenario, calibrated: Calibration | None
) -> tuple[float, tuple[tuple[str, tuple[str, ...], float], ...]]:
    if resolved.spec.correlation is not None:
        return resolved.spec.correlation.common, resolved.blocs
    if calibrated is not None and calibrated.common is not None:
        return calibrated.common, _sitting(resolved, calibrated.blocs)
    return FALLBACK_COMMON, ()


def to_vote_model(
    resolved: ResolvedScenario,
    probs: Mapping[str, tuple[float, float, float, float]],
    common: float,
    blocs: Sequence[tuple[str, Sequence[str], float]],
    procedural: bool,
    loadings: Mapping[str, float] | None = None,
    axis_name: str | None = None,
) -> VoteModel:
    """Arrange per-member numbers in Council order for the engine (loadings all 0: no axis)."""
    council = resolved.council
    bloc_of = {m: b for b, (_, codes, _) in enumerate(blocs) for m in codes}
    arr = np.array([probs[m] for m in council.members], dtype=float)
    arr = np.clip(arr, 0.0, 1.0)
    arr /= arr.sum(axis=1, keepdims=True)
    lam = np.array([(loadings or {}).get(m, 0.0) for m in council.members], dtype=float)
    axis: dict[str, object] = {}
    if np.any(lam != 0.0):
        check_loadings(resolved, lam.tolist(), common, blocs)
        axis = {"alignment": lam, "axis_name": axis_name or ""}
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
        **axis,  # type: ignore[arg-type]
    )


def make_room(
    loadings: Mapping[str, float], common: float, blocs: Sequence[tuple[str, tuple[str, ...], float]],
) -> tuple[float, tuple[tuple[str, tuple[str, ...], float], ...]]:
    """The calibrated correlation shrunk, all in one proportion, until every member's loading
    fits (``loading² + common + cohesion <= 1``): the file's axis takes its share of the
    variance the members share, and the rest keeps its structure. Unchanged when it fits."""
    cohesion = {m: coh for _, codes, coh in blocs for m in codes}
    factor = 1.0
    for code, lam in loadings.items():
        shared = common + cohesion.get(code, 0.0)
        if lam != 0.0 and shared > 0.0 and lam * lam + shared > 1.0:
            factor = min(factor, (1.0 - lam * lam) / shared * (1.0 - 1e-12))
    if factor >= 1.0:
        return common, tuple(blocs)
    return common * factor, tuple((name, codes, coh * factor) for name, codes, coh in blocs)


def check_loadings(
    resolved: ResolvedScenario,
    loadings: Sequence[float],
    common: float,
    blocs: Sequence[tuple[str, Sequence[str], float]],
) -> None:
    """The file's loadings against the correlation the model uses (the calibrated one, when the
    scenario has none): ``loading² + common + cohesion <= 1``, the error naming the loading."""
    cohesion = {m: coh for _, codes, coh in blocs for m in codes}
    hint = ""
    for code, lam in zip(resolved.council.members, loadings, strict=True):
        where = resolved.alignment_fields.get(code)
        if where is not None:
            check_variance(float(lam), common, cohesion.get(code, 0.0), where, hint)


def build_model(resolved: ResolvedScenario, calibrator: Calibrator | None = None) -> ModelSpec:
    """The draft's vote model: explicit probabilities, else calibrated, else the fallback."""
    calibrated = calibrator(resolved) if calibrator is not None else None
    free, free_prov = free_probabilities(resolved, calibrated)
    axis_cal = calibrated.alignment if calibrated is not None and uses_calibrated_axis(resolved) else None
    loadings = member_loadings(resolved, axis_cal)
    positioned = at_position(free, loadings, resolved.position)
    probs, prov = bind_parties(resolved, positioned, free_prov)
    common, blocs = _correlation(resolved, calibrated)
    if resolved.spec.correlation is None and resolved.alignment:
        common, blocs = make_room(loadings, common, blocs)
    model = to_vote_model(resolved, probs, common, blocs, resolved.spec.draft.procedural, loadings,
                          resolved.axis_name)
    used = calibrated is not None and any(v in ("calibrated", "shifted") for v in prov.values())
    mixture, forecast = None, None
    if moves_on_axis(resolved):
        forecast = MARGINALS_ON_AXIS if hurdle_applies(resolved, calibrated, prov) else None
    else:
        mixture = hurdle_mixture(resolved, calibrated, prov)
    return ModelSpec(model, prov, resolved, free, calibrated.as_of if used and calibrated else None,
                     mixture, loadings, resolved.axis_name, resolved.position, forecast)
