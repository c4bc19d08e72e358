"""Engine speed: Monte Carlo against numpy's own normal generator, exact P(adopted), memory.

Ratios are measured in the same process, best of several repeats, so machine noise cancels.
Scenario: a 15-member Council, common factor plus two blocs (docs/model.md); the "axis" section
adds signed loadings on the alignment axis (:func:`axis_scenario`).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from statistics import median

import numpy as np

from sim.engine import exact, montecarlo
from sim.engine.model import VoteModel

DRAWS = 1_000_000
REPEATS = 5


def scenario(absent: float = 0.0, common: float = 0.2, cohesion: tuple[float, float] = (0.5, 0.6)) -> VoteModel:
    rng = np.random.default_rng(2026)
    n = 15
    probs = rng.dirichlet([6, 1.5, 1.5], size=n)
    probs = np.c_[probs * (1 - absent), np.full(n, absent)]
    perm = np.zeros(n, dtype=bool)
    perm[:5] = True
    bloc = -np.ones(n, dtype=int)
    bloc[[1, 3, 4]] = 0  # Western P3
    bloc[[0, 2]] = 1  # China and Russia
    return VoteModel(tuple(f"M{i}" for i in range(n)), probs, perm, bloc, np.array(cohesion), common, 9)


#: Loadings on the alignment axis: the P3 (M1, M3, M4) +0.6, China and Russia (M0, M2) -0.6, four
#: elected members ±0.3, the rest 0.
AXIS_LOADINGS = np.array([-0.6, 0.6, -0.6, 0.6, 0.6, 0.3, 0.3, -0.3, -0.3, 0, 0, 0, 0, 0, 0])


def axis_scenario(absent: float = 0.0) -> VoteModel:
    """The benchmark Council with the alignment axis. Loadings of ±0.6 leave room for blocs of
    cohesion 0.3 and 0.2 beside common 0.2 (λ² + common + cohesion <= 1; the no-axis scenario's
    0.5 and 0.6 would not)."""
    model = scenario(absent, common=0.2, cohesion=(0.3, 0.2))
    return dataclasses.replace(model, alignment=AXIS_LOADINGS, axis_name="West")


def baseline(model: VoteModel, draws: int) -> float:
    """numpy generating the standard normals the draws need: n + 1 + blocs per draw, + 1 with an
    alignment axis."""
    k = model.n + 1 + model.n_blocs + int(model.has_axis)
    t = time.perf_counter()
    for i, size in enumerate(montecarlo.chunk_sizes(draws)):
        montecarlo.chunk_rng(0, i).standard_normal((k, size))
    return time.perf_counter() - t


def votes_only(model: VoteModel, draws: int) -> float:
    """Correlated vote draws plus the outcome of each (adopted or not)."""
    p = montecarlo.prepare(model)
    t = time.perf_counter()
    adopted = 0
    for i, size in enumerate(montecarlo.chunk_sizes(draws)):
        adopted += int(montecarlo.adopted_votes(p, montecarlo.draw_votes(p, montecarlo.chunk_rng(0, i), size)).sum())
    return time.perf_counter() - t


def full(model: VoteModel, draws: int) -> float:
    """Draws and every statistic of a result (tallies, pivots, pairwise agreement)."""
    t = time.perf_counter()
    montecarlo.run(model, draws, seed=0)
    return time.perf_counter() - t


def peak_memory_mb(draws: int) -> float:
    """Peak resident memory of a fresh process running ``draws`` full draws, minus its start."""
    code = (
        "import resource, sys; from benchmarks.bench_engine import scenario; from sim.engine import montecarlo;"
        "m = scenario(); montecarlo.run(m, 10_000, 0);"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        f"montecarlo.run(m, {draws}, 0);"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "print(after / 1024, (after - before) / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0])


def exact_times(model: VoteModel) -> tuple[float, float, float, float]:
    """Median seconds of exact P(adopted) (50 runs) and of all exact statistics (7 runs), then the
    best of each (on a shared machine the best is the nearer to a quiet one)."""
    exact.exact_outcomes(model)
    times = []
    for _ in range(50):
        t = time.perf_counter()
        exact.event_probabilities(model)
        times.append(time.perf_counter() - t)
    full_times = []
    for _ in range(7):
        t = time.perf_counter()
        exact.exact_outcomes(model)
        full_times.append(time.perf_counter() - t)
    return median(times), median(full_times), min(times), min(full_times)


def axis_section() -> None:
    """Monte Carlo and exact with the alignment axis, beside the same Council without it."""
    print("Alignment axis: P3 +0.6, China and Russia -0.6, four elected ±0.3; common 0.2, blocs 0.3/0.2")
    for absent in (0.0, 0.02):
        with_axis = axis_scenario(absent)
        without = dataclasses.replace(with_axis, alignment=None)
        for label, model in (("without the axis", without), ("with the axis", with_axis)):
            montecarlo.run(model, 50_000, 0)
            base = min(baseline(model, DRAWS) for _ in range(REPEATS))
            votes = min(votes_only(model, DRAWS) for _ in range(REPEATS))
            every = min(full(model, DRAWS) for _ in range(REPEATS))
            print(f"  Monte Carlo {label}, absence {absent:.0%}: numpy normals {base * 1e3:.1f} ms, votes + outcome "
                  f"{votes * 1e3:.1f} ms (ratio {votes / base:.2f}x, bar: <= 1.5x), all statistics "
                  f"{every * 1e3:.1f} ms (ratio {every / base:.2f}x)")
        plain_ev, plain_full, plain_ev_best, plain_full_best = exact_times(without)
        ev, every_stat, ev_best, every_best = exact_times(with_axis)
        outer = exact.grid(with_axis).weights.size
        print(f"  Exact, absence {absent:.0%} ({outer} outer nodes): P(adopted) median {ev * 1e3:.1f} ms "
              f"(bar: <= 20 ms; {ev / plain_ev:.1f}x the no-axis {plain_ev * 1e3:.1f} ms), best {ev_best * 1e3:.1f} ms "
              f"({ev_best / plain_ev_best:.1f}x {plain_ev_best * 1e3:.1f} ms); all exact statistics median "
              f"{every_stat * 1e3:.1f} ms (bar: <= 150 ms; {every_stat / plain_full:.1f}x the no-axis "
              f"{plain_full * 1e3:.1f} ms), best {every_best * 1e3:.1f} ms ({every_best / plain_full_best:.1f}x "
              f"{plain_full_best * 1e3:.1f} ms)")


def main() -> None:
    for absent in (0.0, 0.02):
        model = scenario(absent)
        montecarlo.run(model, 50_000, 0)  # warm up
        base = min(baseline(model, DRAWS) for _ in range(REPEATS))
        votes = min(votes_only(model, DRAWS) for _ in range(REPEATS))
        every = min(full(model, DRAWS) for _ in range(REPEATS))
        label = "no absences" if absent == 0 else f"absence {absent:.0%} each"
        print(f"Monte Carlo, 1,000,000 draws, 15 members, common + 2 blocs, {label}:")
        print(f"  numpy normals baseline {base * 1e3:8.1f} ms")
        print(f"  votes + outcome        {votes * 1e3:8.1f} ms   ratio {votes / base:.2f}x  (bar: <= 1.5x)")
        print(f"  all statistics         {every * 1e3:8.1f} ms   ratio {every / base:.2f}x")
    for label, model in (
        ("benchmark scenario", scenario()),
        ("with 2% absences", scenario(0.02)),
        ("common 0.95, blocs 0.04/0.04", scenario(0.0, common=0.95, cohesion=(0.04, 0.04))),
        ("common 0.3, cohesion 0.7 (= 1)", scenario(0.02, common=0.3, cohesion=(0.7, 0.7))),
    ):
        p_adopted, full, _best, _best_full = exact_times(model)
        print(f"Exact, {label}: P(adopted) median {p_adopted * 1e3:.1f} ms (bar: <= 20 ms); "
              f"all exact statistics {full * 1e3:.1f} ms (bar: <= 40 ms)")
    axis_section()
    print(f"Peak resident memory at 10,000,000 draws: {peak_memory_mb(10_000_000):.0f} MB (bar: < 300 MB)")


if __name__ == "__main__":
    main()
