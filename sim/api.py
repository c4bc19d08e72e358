"""The Python API: ``simulate`` a scenario by Monte Carlo or exactly."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Any, Literal

import numpy as np

from sim.engine import exact, montecarlo
from sim.engine.amendments import Path, VotePath, VoteSequence
from sim.engine.mixture import exact_mixture
from sim.engine.mixture_montecarlo import run_mixture
from sim.engine.model import VoteModel
from sim.engine.result import AmendmentResult, SimulationResult
from sim.engine.seeding import Seed, fresh_seed, recorded
from sim.scenario.build import Calibration, Calibrator, ModelSpec, build_model
from sim.scenario.resolve import ResolvedScenario, resolve_scenario
from sim.scenario.schema import Scenario, parse_scenario

from .errors import InputError

Method = Literal["monte-carlo", "exact"]
METHODS = ("monte-carlo", "exact")
DEFAULT_DRAWS = 100_000
DEFAULT_SEED = 0
MAX_DRAWS = 100_000_000

try:
    __version__ = metadata.version("unsc-sim")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.1.0"


#: Councils the calibrated model covers: its vote records start in 1994 (docs/calibration.md).
CALIBRATED_YEARS = (1994, 2027)


def calibrated_inputs(resolved: ResolvedScenario) -> Calibration | None:
    """Calibrated probabilities and correlation for a scenario's draft, or None if not covered.

    Councils outside :data:`CALIBRATED_YEARS` (and explicit Councils with no draft date) use the
    documented fallback instead.
    """
    draft = resolved.spec.draft
    council = resolved.council
    year = council.year if council.year is not None else (draft.date.year if draft.date else None)
    if year is None or not CALIBRATED_YEARS[0] <= year <= CALIBRATED_YEARS[1]:
        return None
    return _calibrated(council.members, council.permanent, year, draft.sponsor, draft.topic, draft.date)


@lru_cache(maxsize=256)
def _calibrated(
    members: tuple[str, ...],
    permanent: frozenset[str],
    year: int,
    sponsor: str | None,
    topic: str | None,
    date: dt.date | None,
) -> Calibration:
    """Cached: editing members' probabilities does not change what calibration sees."""
    from sim.scenario.calibrated import DraftContext, calibrate

    return calibrate(DraftContext(members, permanent, year, sponsor, topic, date))


def default_calibrator() -> Calibrator | None:
    """The calibrated model shipped with the package."""
    return calibrated_inputs


def model_spec(
    scenario: Scenario | ResolvedScenario | ModelSpec | Mapping[str, Any] | str | os.PathLike[str],
    calibrator: Calibrator | Literal["default"] | None = "default",
) -> ModelSpec:
    """Validate and resolve a scenario (dict, Scenario, ...) into the engine's model."""
    if isinstance(scenario, ModelSpec):
        return scenario
    if isinstance(scenario, str | os.PathLike):
        from sim.io.files import read_scenario  # the file layer; the model core does no I/O

        scenario = read_scenario(os.fspath(scenario))
    if not isinstance(scenario, Mapping | Scenario | ResolvedScenario):
        raise TypeError(
            "pass a scenario file path, a dict as read from TOML, a Scenario, a ResolvedScenario or a "
            f"ModelSpec, not {type(scenario).__name__}"
        )
    if isinstance(scenario, Mapping):
        scenario = parse_scenario(scenario)
    if isinstance(scenario, Scenario):
        scenario = resolve_scenario(scenario)
    cal = default_calibrator() if calibrator == "default" else calibrator
    return build_model(scenario, cal)


def _check(draws: int, seed: Seed | None, method: str) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer):
        raise InputError("draws", f"must be a whole number, got {draws!r}")
    if seed is not None and not isinstance(seed, np.random.SeedSequence) and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer)
    ):
        raise InputError("seed", f"must be a whole number, a numpy SeedSequence or None, got {seed!r}")
    if not isinstance(method, str) or method not in METHODS:
        raise InputError("method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    if method == "monte-carlo" and not 1 <= draws <= MAX_DRAWS:
        raise InputError("draws", f"must be between 1 and {MAX_DRAWS:,}, got {draws}")
    if isinstance(seed, int | np.integer) and seed < 0:
        raise InputError("seed", f"must be a non-negative integer, got {seed}")


@dataclass(frozen=True)
class _Stats:
    """Linear statistics of one vote; mixtures over amendment paths are weighted sums."""

    p_adopted: float
    p_vetoed: float
    p_short: float
    p_permanent_no: float
    yes: np.ndarray
    tally: np.ndarray
    member: np.ndarray
    pivotal: np.ndarray
    pairwise: np.ndarray
    veto_by: np.ndarray

    def scaled(self, w: float) -> _Stats:
        return _Stats(*(getattr(self, f) * w for f in self.__dataclass_fields__))

    def __add__(self, other: _Stats) -> _Stats:
        return _Stats(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))


def _exact_stats(model: VoteModel) -> _Stats:
    return _outcome_stats(exact.exact_outcomes(model))


def _outcome_stats(o: exact.ExactOutcome) -> _Stats:
    return _Stats(o.p_adopted, o.p_vetoed, o.p_short, o.p_permanent_no, o.yes_distribution, o.tally,
                  o.member_votes, o.pivotal, o.pairwise_agreement, o.veto_by)


def _count_stats(c: montecarlo.Counts) -> _Stats:
    d = c.draws
    return _Stats(c.adopted / d, c.vetoed / d, c.short / d, c.permanent_no / d, c.yes_hist / d, c.tally / d,
                  c.member / d, c.pivotal / d, c.agree / d, c.veto_by / d)


def simulate(
    scenario: Scenario | ResolvedScenario | ModelSpec | Mapping[str, Any] | str | os.PathLike[str],
    draws: int = DEFAULT_DRAWS,
    seed: Seed | None = DEFAULT_SEED,
    method: Method = "monte-carlo",
    *,
    calibrator: Calibrator | Literal["default"] | None = "default",
    pool: montecarlo.MapPool | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Outcome probabilities of a scenario's draft, after any amendments.

    ``seed`` is an ``int`` or a :class:`numpy.random.SeedSequence` (run on its 63-bit derived
    seed, :func:`sim.engine.seeding.recorded`); ``seed=None`` draws fresh entropy. The ``int`` the run
    used is recorded in the result, so the run can be replayed. ``pool`` (anything with
    ``map``) spreads Monte Carlo chunks over workers; the numbers do not depend on it.
    """
    _check(draws, seed, method)
    seed = fresh_seed() if seed is None else recorded(seed)
    spec = model_spec(scenario, calibrator)
    seq = VoteSequence.from_spec(spec)
    mixture = spec.mixture if not seq.amendments else None
    if method == "exact":
        stats, amend = (_outcome_stats(exact_mixture(mixture)), None) if mixture else _exact_sequence(seq)
        n_draws = 0
    else:
        if mixture is not None:
            stats, amend = _count_stats(run_mixture(mixture, draws, seed, pool, progress)), None
        else:
            stats, amend = _mc_sequence(seq, draws, seed, pool, progress)
        n_draws = draws
    model = spec.model
    council = spec.resolved.council
    return SimulationResult(
        members=model.members,
        permanent=tuple(m for m in model.members if m in council.permanent),
        threshold=model.threshold,
        procedural=model.procedural,
        method=method,
        draws=n_draws,
        seed=seed if method == "monte-carlo" else None,
        version=__version__,
        p_adopted=float(stats.p_adopted),
        p_adopted_se=0.0 if method == "exact" else float(np.sqrt(stats.p_adopted * (1 - stats.p_adopted) / draws)),
        p_vetoed=float(stats.p_vetoed),
        p_short=float(stats.p_short),
        p_permanent_no=float(stats.p_permanent_no),
        veto_by=np.asarray(stats.veto_by, dtype=float),
        yes_distribution=np.asarray(stats.yes, dtype=float),
        tally=np.asarray(stats.tally, dtype=float),
        member_votes=np.asarray(stats.member, dtype=float),
        pivotal=np.asarray(stats.pivotal, dtype=float),
        pairwise=np.asarray(stats.pairwise, dtype=float),
        provenance=dict(spec.provenance),
        amendments=amend,
        scenario_name=spec.resolved.spec.scenario.name,
        calibrated_as_of=spec.calibrated_as_of,
        forecast="hurdle mixture" if mixture is not None else "marginals",
    )


def _summarize(
    seq: VoteSequence, path_probs: dict[Path, float], draft_given_path: dict[Path, float]
) -> AmendmentResult | None:
    k = len(seq.amendments)
    if k == 0:
        return None
    names = tuple(a.name for a in seq.amendments)
    p_adopted = []
    given = []
    for j in range(k):
        p_yes = sum(p for path, p in path_probs.items() if path[j])
        p_no = sum(p for path, p in path_probs.items() if not path[j])
        d_yes = sum(p * draft_given_path[path] for path, p in path_probs.items() if path[j])
        d_no = sum(p * draft_given_path[path] for path, p in path_probs.items() if not path[j])
        p_adopted.append(p_yes)
        given.append((d_yes / p_yes if p_yes > 0 else None, d_no / p_no if p_no > 0 else None))
    paths: dict[VotePath, float] = {}
    for path, p in path_probs.items():
        d = draft_given_path[path]
        paths[VotePath(path, True)] = p * d
        paths[VotePath(path, False)] = p * (1 - d)
    return AmendmentResult(names, tuple(p_adopted), tuple(given), paths)


def _exact_sequence(seq: VoteSequence) -> tuple[_Stats, AmendmentResult | None]:
    if not seq.amendments:
        return _exact_stats(seq.draft), None
    path_probs: dict[Path, float] = {}
    for path in seq.paths():
        p = 1.0
        for j, adopted in enumerate(path):
            pa, _ = exact.event_probabilities(seq.amendment_model(j, path[:j]))
            p *= pa if adopted else 1.0 - pa
        path_probs[path] = p
    total: _Stats | None = None
    given: dict[Path, float] = {}
    for path, p in path_probs.items():
        st = _exact_stats(seq.draft_model(path))
        given[path] = st.p_adopted
        total = st.scaled(p) if total is None else total + st.scaled(p)
    assert total is not None
    return total, _summarize(seq, path_probs, given)


def _mc_sequence(
    seq: VoteSequence,
    draws: int,
    seed: int,
    pool: montecarlo.MapPool | None,
    progress: Callable[[int], None] | None,
) -> tuple[_Stats, AmendmentResult | None]:
    if not seq.amendments:
        return _count_stats(montecarlo.run(seq.draft, draws, seed, pool, progress)), None
    counts = montecarlo.run_sequence(seq, draws, seed, pool, progress)
    total_draws = sum(c.draws for c in counts.values())
    stats: _Stats | None = None
    path_probs = {path: c.draws / total_draws for path, c in counts.items()}
    given = {path: c.adopted / c.draws if c.draws else 0.0 for path, c in counts.items()}
    for c in counts.values():
        if c.draws == 0:
            continue
        st = _count_stats(c).scaled(c.draws / total_draws)
        stats = st if stats is None else stats + st
    assert stats is not None
    for path in seq.paths():
        path_probs.setdefault(path, 0.0)
        given.setdefault(path, 0.0)
    return stats, _summarize(seq, path_probs, given)
