"""The Python API: ``simulate`` a scenario by Monte Carlo or exactly; trace its ``frontier`` along
the alignment axis."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.engine import exact, montecarlo
from sim.engine.amendments import Path, VotePath, VoteSequence
from sim.engine.mixture import exact_mixture
from sim.engine.mixture_montecarlo import run_mixture
from sim.engine.model import VoteModel
from sim.engine.result import AmendmentResult, SimulationResult
from sim.engine.seeding import Seed, fresh_seed, recorded
from sim.scenario.build import MARGINALS_ON_AXIS, Calibration, Calibrator, ModelSpec, build_model
from sim.scenario.resolve import ResolvedScenario, resolve_scenario
from sim.scenario.schema import MAX_POSITION, Scenario, parse_scenario

from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from sim.calibration.parameters import CalibrationParams

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


#: What calibration sees of a scenario's draft: members, permanent members, year, sponsor,
#: topic, date (editing members' probabilities does not change it).
_DraftKey = tuple[tuple[str, ...], frozenset[str], int, str | None, str | None, dt.date | None]


def _draft_key(resolved: ResolvedScenario) -> _DraftKey | None:
    """The draft as calibration sees it, or None if its Council is not covered."""
    draft = resolved.spec.draft
    council = resolved.council
    year = council.year if council.year is not None else (draft.date.year if draft.date else None)
    if year is None or not CALIBRATED_YEARS[0] <= year <= CALIBRATED_YEARS[1]:
        return None
    return council.members, council.permanent, year, draft.sponsor, draft.topic, draft.date


def calibrated_inputs(resolved: ResolvedScenario) -> Calibration | None:
    """Calibrated probabilities and correlation for a scenario's draft, or None if not covered.

    Councils outside :data:`CALIBRATED_YEARS` (and explicit Councils with no draft date) use the
    documented fallback instead.
    """
    key = _draft_key(resolved)
    return None if key is None else _calibrated(*key)


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


# --- votes recorded after the calibration's training data ----------------------------------------

#: Largest file of later vote records read (on disk or uploaded; compressed, if it is .gz). The
#: thirty years of shipped records are 250 KB compressed and 6.8 MB as CSV.
MAX_HISTORY_BYTES = 8 * 1024 * 1024
#: Largest such file once decompressed (a small .gz can hold a great deal).
MAX_HISTORY_CSV_BYTES = 64 * 1024 * 1024


def calibrator_for(
    params: CalibrationParams, as_of: Callable[[int], str | None] | None = None
) -> Calibrator:
    """The calibrated model with ``params`` instead of the shipped ones, as a calibrator for
    :func:`simulate`, :func:`model_spec` and :func:`frontier`. It has a cache of its own, so the
    shipped model's is never touched. ``as_of(year)``, if given, is the date a draft of that
    year reports as the last record it was calibrated on (default: ``params.as_of``)."""
    from sim.scenario.calibrated import DraftContext, calibrate

    @lru_cache(maxsize=256)
    def cached(*key: Any) -> Calibration:
        cal = calibrate(DraftContext(*key), params)
        return cal if as_of is None else dataclasses.replace(cal, as_of=as_of(key[2]))

    def calibrator(resolved: ResolvedScenario) -> Calibration | None:
        key = _draft_key(resolved)
        return None if key is None else cached(*key)

    return calibrator


def history_calibrator(
    rows: pd.DataFrame, params: CalibrationParams | None = None, *, source: str | None = None
) -> Calibrator:
    """The calibrated model (``params``, default the shipped ones) whose vote history also holds
    the records ``rows`` of later years (as :func:`read_history` returns them; rows of years
    already fitted, or without a cast vote, are ignored: :func:`sim.calibration.prediction.
    later_records`). The model reads the history at the start of a draft's year, so a draft
    sees only the records of earlier calendar years, and its result's ``calibrated_as_of`` is
    the last of those. :class:`InputError` (naming ``source``) if no record is later."""
    from sim.calibration.prediction import extend_with_records, later_records
    from sim.scenario.calibrated import load_params

    base = params if params is not None else load_params()
    later = later_records(base, rows)
    if later.empty:
        raise InputError("Date", f"no cast vote recorded after {base.train_end_year}, the last year the "
                         f"parameters were fitted on (records through {base.as_of})", source)
    extended = extend_with_records(base, later)
    dates = later.assign(iso=[d.isoformat() for d in later["date"]]).groupby("year")["iso"].max()

    def as_of(year: int) -> str | None:
        before = dates[dates.index < year]
        return str(before.max()) if len(before) else base.as_of

    return calibrator_for(extended, as_of)


def read_history(source: str | os.PathLike[str] | bytes, name: str | None = None) -> pd.DataFrame:
    """Vote records (the format of ``sim.io.records.load_sc_draft_votes``, with ``Vote``) from a
    file or an upload's bytes (``name``: how errors name it), CSV or gzipped CSV, at most
    :data:`MAX_HISTORY_BYTES` (:data:`MAX_HISTORY_CSV_BYTES` decompressed). Bad input is an
    :class:`InputError` naming the file and the field."""
    import gzip
    import io
    import tempfile
    import zlib
    from pathlib import Path

    from sim.io.inputs import FileRefused, read_regular_file
    from sim.io.records import load_sc_draft_votes

    if isinstance(source, bytes):
        label = name or "(upload)"
        if len(source) > MAX_HISTORY_BYTES:
            raise InputError("file", f"is {len(source):,} bytes; the limit is {MAX_HISTORY_BYTES:,}", label)
        data = source
    else:
        label = name or os.fspath(source)
        try:
            data = read_regular_file(Path(source), MAX_HISTORY_BYTES)
        except FileRefused as exc:
            raise InputError("file", str(exc), label) from None
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                data = gz.read(MAX_HISTORY_CSV_BYTES + 1)
        except (OSError, EOFError, zlib.error):
            raise InputError("file", "not a readable gzip file", label) from None
        if len(data) > MAX_HISTORY_CSV_BYTES:
            raise InputError("file", f"is more than {MAX_HISTORY_CSV_BYTES:,} bytes decompressed (the limit)",
                             label)
    with tempfile.TemporaryDirectory(prefix="unsc-history-") as tmp:
        path = Path(tmp) / "votes.csv"
        path.write_bytes(data)
        try:
            return load_sc_draft_votes(path, outcomes=True)
        except InputError as exc:
            raise exc.with_source(label) from None


def calibration_as_of() -> str | None:
    """The date (ISO) of the last vote record the shipped parameters know."""
    from sim.scenario.calibrated import load_params

    return load_params().as_of


def model_spec(
    scenario: Scenario | ResolvedScenario | ModelSpec | Mapping[str, Any] | str | os.PathLike[str],
    calibrator: Calibrator | Literal["default"] | None = "default",
) -> ModelSpec:
    """Validate and resolve a scenario (dict, Scenario, ...) into the engine's model."""
    if isinstance(scenario, ModelSpec):
        return scenario
    source = None
    if isinstance(scenario, str | os.PathLike):
        from sim.io.files import read_scenario  # the file layer; the model core does no I/O

        source = os.fspath(scenario)
        scenario = read_scenario(source)
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
    try:
        return build_model(scenario, cal)
    except InputError as exc:  # a loading that the calibrated correlation leaves no room for
        raise exc.with_source(source) if source and exc.source is None else exc from None


def check_run(draws: int, seed: Seed | None, method: str) -> None:
    """The run settings, checked: :class:`InputError` naming ``draws``, ``seed`` or ``method``."""
    _check(draws, seed, method)


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
    on_axis = spec.on_axis
    cls = AxisResult if on_axis else SimulationResult
    axis: dict[str, Any] = {}
    if on_axis:
        axis = {"axis_name": spec.axis_name or "", "position": spec.position,
                "loadings": {m: v for m, v in spec.alignment.items() if v != 0.0}}
    return cls(
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
        forecast="hurdle mixture" if mixture is not None else (spec.forecast or "marginals"),
        **axis,
    )


@dataclass(frozen=True)
class AxisResult(SimulationResult):
    """The result of a scenario that uses the alignment axis: also where the draft stood, the
    axis's label and the members' loadings (non-zero ones), which its JSON records."""

    axis_name: str = ""
    position: float = 0.0
    loadings: dict[str, float] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update({"axis": self.axis_name, "position": self.position, "loadings": dict(self.loadings)})
        return out


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


# --- the frontier: outcomes along the alignment axis ---------------------------------------------

#: The default range and number of positions of a frontier (standard deviations of the stance).
FRONTIER_FROM, FRONTIER_TO, FRONTIER_STEPS = -2.0, 2.0, 41
#: Most positions one frontier computes.
MAX_STEPS = 1001


@dataclass(frozen=True)
class Frontier:
    """Outcome probabilities of one draft at each position along the alignment axis.

    Arrays have one entry per position (``member_yes``: positions × members). Every position
    uses the same seed (common random numbers), so differences between positions are not
    noise of different draws. ``forecast`` says which model: the marginals at every position
    (the calibrated hurdle mixture has no position, so a frontier never uses it).
    """

    scenario_name: str | None
    axis_name: str
    members: tuple[str, ...]
    permanent: tuple[str, ...]
    procedural: bool
    loadings: dict[str, float]
    tabled: float  # the draft's position in the scenario
    positions: np.ndarray
    p_adopted: np.ndarray
    p_adopted_se: np.ndarray
    p_vetoed: np.ndarray
    p_short: np.ndarray
    member_yes: np.ndarray
    method: str
    draws: int
    seed: int | None
    version: str
    forecast: str = "marginals"

    @property
    def best_index(self) -> int:
        """The position with the highest P(adopted) (the first, if several tie)."""
        return int(np.argmax(self.p_adopted))

    @property
    def best_position(self) -> float:
        """Where the text is likeliest to be adopted: for a substantive draft, the sweet spot
        between losing elected members on one side and meeting a veto on the other."""
        return float(self.positions[self.best_index])

    def rows(self) -> list[dict[str, Any]]:
        """One tidy row per position: the outcomes and each member's P(yes)."""
        return [
            {
                "position": float(x),
                "p_adopted": float(self.p_adopted[k]),
                "p_adopted_se": float(self.p_adopted_se[k]),
                "p_vetoed": float(self.p_vetoed[k]),
                "p_short": float(self.p_short[k]),
                "p_yes": {m: float(self.member_yes[k, i]) for i, m in enumerate(self.members)},
            }
            for k, x in enumerate(self.positions)
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the ``frontier`` command's JSON)."""
        best = self.best_index
        return {
            "scenario": self.scenario_name,
            "axis": self.axis_name,
            "tabled_position": self.tabled,
            "best_position": self.best_position,
            "best_p_adopted": float(self.p_adopted[best]),
            "loadings": dict(self.loadings),
            "positions": self.rows(),
            "procedural": self.procedural,
            "forecast": self.forecast,
            "method": self.method,
            "draws": self.draws,
            "seed": self.seed,
            "version": self.version,
        }


def frontier_positions(start: float, stop: float, steps: int) -> np.ndarray:
    """``steps`` evenly spaced positions from ``start`` to ``stop``; :class:`InputError` naming
    ``start``, ``stop`` or ``steps`` if the range is not one."""
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer) or not (
            math.isfinite(value) and -MAX_POSITION <= value <= MAX_POSITION
        ):
            raise InputError(name, f"must be a number between {-MAX_POSITION:g} and {MAX_POSITION:g}, got {value!r}")
    if start >= stop:
        raise InputError("start", f"must be below the end of the range ({stop:g}), got {start:g}")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or not 2 <= steps <= MAX_STEPS:
        raise InputError("steps", f"must be a whole number between 2 and {MAX_STEPS}, got {steps!r}")
    return np.linspace(float(start), float(stop), int(steps))


def _check_positions(positions: Sequence[float] | np.ndarray) -> np.ndarray:
    try:
        xs = np.asarray(positions, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InputError("positions", f"must be numbers, got {positions!r}") from None
    if len(xs) < 2 or len(xs) > MAX_STEPS:
        raise InputError("positions", f"give between 2 and {MAX_STEPS} positions, got {len(xs)}")
    if not np.all(np.isfinite(xs)) or np.any(np.abs(xs) > MAX_POSITION):
        raise InputError("positions", f"must be finite numbers between {-MAX_POSITION:g} and {MAX_POSITION:g}")
    return xs


def axis_loadings(spec: ModelSpec) -> dict[str, float]:
    """The members' non-zero loadings on the alignment axis; :class:`InputError` if there are
    none (a frontier of such a draft would be flat)."""
    loadings = {m: v for m, v in spec.alignment.items() if v != 0.0}
    if not loadings:
        raise InputError("alignment.loadings", "no member loads on the alignment axis: give an [alignment] "
                         "table (members it does not list take their calibrated loadings; "
                         "docs/scenarios.md), or the frontier is flat")
    return loadings


def spec_at_position(spec: ModelSpec, position: float, calibrator: Calibrator | None) -> ModelSpec:
    """The scenario's model with its draft at ``position`` on the alignment axis, on the marginal
    model (as every frontier point is: :class:`Frontier`)."""
    resolved = spec.resolved
    draft = resolved.spec.draft.model_copy(update={"position": float(position)})
    moved = dataclasses.replace(resolved, spec=resolved.spec.model_copy(update={"draft": draft}))
    out = build_model(moved, calibrator)
    if out.mixture is not None:  # the origin of a calibrated scenario: the marginals, as elsewhere
        out = dataclasses.replace(out, mixture=None, forecast=MARGINALS_ON_AXIS)
    return out


def frontier(
    scenario: Scenario | ResolvedScenario | ModelSpec | Mapping[str, Any] | str | os.PathLike[str],
    positions: Sequence[float] | np.ndarray | None = None,
    *,
    method: Method = "monte-carlo",
    draws: int = DEFAULT_DRAWS,
    seed: Seed | None = DEFAULT_SEED,
    calibrator: Calibrator | Literal["default"] | None = "default",
    progress: Callable[[int], None] | None = None,
) -> Frontier:
    """P(adopted), P(vetoed), P(short) and each member's P(yes) with the draft at each of
    ``positions`` on the alignment axis (default: :func:`frontier_positions` of -2 to 2 in 41
    steps), after any amendments. The same ``seed`` at every position; ``progress(1)`` is called
    as each position is done. :class:`InputError` if no member loads on the axis."""
    _check(draws, seed, method)
    xs = frontier_positions(FRONTIER_FROM, FRONTIER_TO, FRONTIER_STEPS) if positions is None else (
        _check_positions(positions))
    run_seed = fresh_seed() if seed is None else recorded(seed)
    cal = default_calibrator() if calibrator == "default" else calibrator
    base = model_spec(scenario, cal)
    loadings = axis_loadings(base)
    results = []
    for x in xs:
        results.append(simulate(spec_at_position(base, float(x), cal), draws=draws, seed=run_seed, method=method))
        if progress is not None:
            progress(1)
    first = results[0]
    return Frontier(
        scenario_name=first.scenario_name,
        axis_name=base.axis_name or "",
        members=first.members,
        permanent=first.permanent,
        procedural=first.procedural,
        loadings=loadings,
        tabled=base.position,
        positions=xs,
        p_adopted=np.array([r.p_adopted for r in results]),
        p_adopted_se=np.array([r.p_adopted_se for r in results]),
        p_vetoed=np.array([r.p_vetoed for r in results]),
        p_short=np.array([r.p_short for r in results]),
        member_yes=np.array([r.member_votes[:, 0] for r in results]),
        method=method,
        draws=first.draws,
        seed=first.seed,
        version=__version__,
        forecast="marginals",
    )
