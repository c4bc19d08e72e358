"""The Python API of the Assembly: :func:`simulate_assembly` returns a tidy
:class:`AssemblyResult`. The CLI and the app are thin layers over it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from sim.engine.amendments import Path as VotePathBits
from sim.engine.model import VOTES
from sim.engine.result import AmendmentResult
from sim.engine.rules import AssemblyRule
from sim.engine.seeding import Seed

from . import exact
from . import montecarlo as amc
from .amendments import AssemblySequence, vote_seed, walk
from .model import AssemblyModel
from .scenario import AssemblyModelSpec, AssemblyScenario, build_assembly, parse_assembly

#: The interval the tally's figures carry: the central 90%.
INTERVAL = 0.90
Method = Literal["exact", "monte-carlo"]


def interval(dist: np.ndarray, level: float = INTERVAL) -> tuple[int, int]:
    """The central ``level`` interval of a count distribution (index = count): the smallest k
    with P(count <= k) >= (1 - level) / 2 and the smallest with P(count <= k) >= (1 + level) / 2."""
    cdf = np.cumsum(dist) / max(float(dist.sum()), 1e-300)
    lo = int(np.searchsorted(cdf, (1 - level) / 2 - 1e-12))
    hi = int(np.searchsorted(cdf, (1 + level) / 2 - 1e-12))
    return lo, min(hi, dist.size - 1)


def _group_order(group: str) -> tuple[int, str]:
    from .membership import REGIONAL_GROUPS

    return (REGIONAL_GROUPS.index(group) if group in REGIONAL_GROUPS else len(REGIONAL_GROUPS), group)


@dataclass(frozen=True)
class AssemblyResult:
    """The outcome of one Assembly vote: P(adopted), the tally's distributions and intervals,
    the margin, per-member and per-group probabilities, and the pivotal members (exact or counted).
    There is no veto and no permanent member: the Council's keys are absent, not zero.

    With amendments, ``amendments`` holds each one's P(adopted) and every path's probability,
    and the draft's figures are the mixture over the paths (the final vote's); Monte Carlo then
    runs ``draws`` draws for each vote of the sequence."""

    scenario_name: str
    question: str
    date: dt.date
    method: Method
    draws: int | None
    seed: Seed | None
    members: tuple[str, ...]
    regions: tuple[str, ...]
    member_votes: np.ndarray  # (n, 4)
    p_adopted: float
    yes: np.ndarray
    no: np.ndarray
    abstain: np.ndarray
    spare: np.ndarray
    offset: int
    pivotal: np.ndarray | None
    arrears: tuple[str, ...]
    provenance: Mapping[str, str] = field(default_factory=dict)
    version: str = ""
    amendments: AmendmentResult | None = None

    @property
    def n(self) -> int:
        return len(self.members)

    @property
    def p_adopted_se(self) -> float | None:
        """Monte Carlo's standard error of P(adopted); with amendments an upper bound, since
        each path's final vote has ``draws`` draws of its own."""
        if self.draws is None:
            return None
        return float(np.sqrt(self.p_adopted * (1 - self.p_adopted) / self.draws))

    @property
    def p_adopted_ci(self) -> tuple[float, float]:
        """The 95% interval of P(adopted): Wilson's for Monte Carlo (never of width 0 at 0 or 1),
        the value itself when exact."""
        from sim.engine.result import wilson_interval

        if self.draws is None:
            return (self.p_adopted, self.p_adopted)
        return wilson_interval(self.p_adopted, self.draws)

    def mean(self, dist: np.ndarray) -> float:
        return float(np.arange(dist.size) @ dist)

    @property
    def margins(self) -> np.ndarray:
        return np.arange(self.spare.size) - self.offset

    def tally(self) -> dict[str, dict[str, float]]:
        """Expected yes, no and abstentions with their 90% intervals."""
        out = {}
        for name, dist in (("yes", self.yes), ("no", self.no), ("abstain", self.abstain)):
            lo, hi = interval(dist)
            out[name] = {"mean": self.mean(dist), "lo": lo, "hi": hi}
        return out

    def margin(self) -> dict[str, float]:
        """The margin (:meth:`AssemblyRule.spare`): expected value and 90% interval."""
        lo, hi = interval(self.spare)
        return {"mean": float(self.margins @ self.spare), "lo": int(lo - self.offset), "hi": int(hi - self.offset)}

    def regional_groups(self) -> dict[str, dict[str, float]]:
        """Expected yes, abstain, no and absent per regional group, and its size."""
        out: dict[str, dict[str, float]] = {}
        for group in sorted(set(self.regions), key=_group_order):
            rows = [i for i, r in enumerate(self.regions) if r == group]
            sums = self.member_votes[rows].sum(axis=0)
            out[group] = {"members": len(rows), **{v: float(sums[j]) for j, v in enumerate(VOTES)}}
        return out

    def expected_voting(self) -> int:
        """The members expected to be present and voting (yes + no), to the nearest whole."""
        t = self.tally()
        return round(t["yes"]["mean"] + t["no"]["mean"])

    def expected_line(self) -> int:
        """The yes votes the question needs of the members expected present and voting
        (:meth:`AssemblyRule.line`): two thirds rounded up on an important question, more than
        half on a simple one, and at least 1 (54 voting: 36 and 28)."""
        return int(AssemblyRule(self.question).line(self.expected_voting(), 0))

    def tally_line(self) -> str:
        """``93 (85–101) – 18 (12–25) – 65 (58–72)``: yes – no – abstain, with 90% intervals."""
        t = self.tally()
        return " – ".join(f"{t[k]['mean']:.0f} ({t[k]['lo']}–{t[k]['hi']})" for k in ("yes", "no", "abstain"))

    def to_dict(self) -> dict[str, Any]:
        from sim.verdict import assembly_verdict

        out: dict[str, Any] = {
            "body": "assembly",
            "scenario": self.scenario_name,
            "verdict": assembly_verdict(self).text,
            "question": self.question,
            "date": self.date.isoformat(),
            "members_count": self.n,
            "method": self.method,
            "draws": self.draws,
            "seed": self.seed,
            "version": self.version,
            "p_adopted": self.p_adopted,
            "tally": self.tally(),
            "tally_line": self.tally_line(),
            "margin": self.margin(),
            "yes_distribution": self.yes.tolist(),
            "no_distribution": self.no.tolist(),
            "abstain_distribution": self.abstain.tolist(),
            "regional_groups": self.regional_groups(),
            "arrears": list(self.arrears),
            "members": {
                m: {"region": r, **{v: float(self.member_votes[i, j]) for j, v in enumerate(VOTES)},
                    "source": self.provenance.get(m, "")}
                for i, (m, r) in enumerate(zip(self.members, self.regions, strict=True))
            },
        }
        if self.p_adopted_se is not None:
            out["p_adopted_se"] = self.p_adopted_se
            out["p_adopted_ci"] = list(self.p_adopted_ci)
        if self.pivotal is not None:
            out["pivotal"] = {m: float(p) for m, p in zip(self.members, self.pivotal, strict=True)}
        if self.amendments is not None:
            out.update(self.amendments.to_dict())
        return out


Source = AssemblyScenario | AssemblyModelSpec | Mapping[str, Any] | str | os.PathLike[str]


def _spec(scenario: Source) -> AssemblyModelSpec:
    if isinstance(scenario, AssemblyModelSpec):
        return scenario
    if isinstance(scenario, AssemblyScenario):
        return build_assembly(scenario)
    if isinstance(scenario, Mapping):
        return build_assembly(parse_assembly(scenario))
    from sim.io.files import read_any_scenario

    spec = read_any_scenario(Path(scenario))
    if not isinstance(spec, AssemblyScenario):
        raise ValueError(f"{scenario}: not an Assembly scenario (it has no [assembly] table)")
    return build_assembly(spec)


@dataclass(frozen=True)
class _Vote:
    """One vote's figures, as :class:`AssemblyResult` holds them; votes mix by weight."""

    p_adopted: float
    member_votes: np.ndarray
    yes: np.ndarray
    no: np.ndarray
    abstain: np.ndarray
    spare: np.ndarray
    offset: int
    pivotal: np.ndarray | None

    def fields(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def _mixed(votes: list[tuple[float, _Vote]]) -> _Vote:
    """The mixture of votes of weights summing to 1 (the paths of a sequence)."""
    first = votes[0][1]
    out: dict[str, Any] = {"offset": first.offset}
    for name in ("p_adopted", "member_votes", "yes", "no", "abstain", "spare"):
        out[name] = sum(w * getattr(v, name) for w, v in votes)
    pivots = [(w, v.pivotal) for w, v in votes if v.pivotal is not None]
    out["pivotal"] = sum(w * p for w, p in pivots) if len(pivots) == len(votes) else None
    out["p_adopted"] = float(out["p_adopted"])
    return _Vote(**out)


def _exact_vote(model: AssemblyModel, pivots: bool = True) -> _Vote:
    o = exact.exact_outcomes(model)
    return _Vote(o.p_adopted, o.member_votes, o.yes, o.no, o.abstain, o.spare, o.offset,
                 exact.pivotal(model) if pivots else None)


def _counted_vote(model: AssemblyModel, counts: amc.AssemblyCounts) -> _Vote:
    d = float(counts.draws)
    y, k = np.indices(counts.tally.shape)
    spare_values = model.rule.spare(y, k)
    offset = -int(spare_values.min())
    spare = np.bincount((spare_values + offset).ravel(), weights=counts.tally.ravel(),
                        minlength=int(spare_values.max()) + offset + 1) / d
    return _Vote(counts.adopted / d, counts.member_votes / d, counts.tally.sum(axis=1) / d,
                 counts.tally.sum(axis=0) / d, counts.abstain / d, spare, offset, counts.pivotal / d)


def _sequence(
    seq: AssemblySequence, method: Method, draws: int, seed: Seed, pool: amc.MapPool | None,
    progress: Callable[[int], None] | None, pivots: bool = True,
) -> tuple[_Vote, AmendmentResult]:
    """The draft's figures mixed over the paths, and the amendments' summary. Monte Carlo runs
    every vote of the tree with ``draws`` draws on its own stream; ``progress`` counts the
    draws of the whole sequence in units of one vote's."""
    from sim.api import _summarize  # the Council's summary of a sequence: body-neutral

    if method == "exact":
        paths, votes = walk(seq, lambda j, prefix, m: exact.p_adopted(m), lambda path, m: _exact_vote(m, pivots))
    else:
        share = _Progress(progress, draws, (2 ** (seq.k + 1)) - 1)

        def amendment(j: int, prefix: VotePathBits, model: AssemblyModel) -> float:
            counts = amc.run(model, draws, vote_seed(seed, j + 1, prefix), pool, share)
            return counts.adopted / counts.draws

        def draft(path: VotePathBits, model: AssemblyModel) -> _Vote:
            return _counted_vote(model, amc.run(model, draws, vote_seed(seed, 0, path), pool, share))

        paths, votes = walk(seq, amendment, draft)
        share.finish()
    mixed = _mixed([(paths[path], vote) for path, vote in votes.items()])
    given = {path: votes[path].p_adopted if path in votes else 0.0 for path in paths}
    summary = _summarize(seq.votes, paths, given)
    assert summary is not None
    return mixed, summary


class _Progress:
    """``progress`` of a sequence of up to ``votes`` runs of ``draws`` each, reported as the
    draws of one run: it reaches ``draws`` at the end (:meth:`finish`, for pruned paths)."""

    def __init__(self, progress: Callable[[int], None] | None, draws: int, votes: int) -> None:
        self.progress, self.draws, self.votes, self.done, self.told = progress, draws, votes, 0, 0

    def __call__(self, k: int) -> None:
        self.done += k
        self._tell(self.done // self.votes)

    def finish(self) -> None:
        self._tell(self.draws)

    def _tell(self, upto: int) -> None:
        if self.progress is not None and upto > self.told:
            self.progress(upto - self.told)
            self.told = upto


def simulate_assembly(
    scenario: Source,
    *,
    draws: int = 100_000,
    seed: Seed = 0,
    method: Method = "monte-carlo",
    pool: amc.MapPool | None = None,
    progress: Callable[[int], None] | None = None,
    pivots: bool = True,
) -> AssemblyResult:
    """Simulate one Assembly vote, after any amendments: Monte Carlo (``draws``, ``seed``; the
    numbers do not depend on ``pool``) or ``method="exact"``. ``pivots=False`` skips the exact
    pivots (about half an exact run's time; Monte Carlo counts them anyway)."""
    from sim.api import __version__

    built = _spec(scenario)
    model = built.model
    common = dict(scenario_name=built.spec.scenario.name, question=model.rule.question, date=built.day,
                  members=model.members, regions=model.regions, arrears=model.arrears,
                  provenance=dict(built.provenance), version=__version__)
    seq = AssemblySequence.from_spec(built)
    amendments: AmendmentResult | None = None
    if seq.k:
        vote, amendments = _sequence(seq, method, draws, seed, pool, progress, pivots)
    elif method == "exact":
        vote = _exact_vote(model, pivots)
    else:
        vote = _counted_vote(model, amc.run(model, draws, seed, pool, progress))
    run = {"method": "exact", "draws": None, "seed": None} if method == "exact" else {
        "method": "monte-carlo", "draws": draws, "seed": seed}
    return AssemblyResult(**run, **vote.fields(), **common, amendments=amendments)  # type: ignore[arg-type]
