"""General Assembly engine timings (issue 15), each against a baseline in the same run.

Scenario: 193 members in the five regional groups, each group a bloc (cohesion 0.2-0.4), common
0.2, and the alignment axis (WEOG +0.4, Eastern Europe +0.2, the rest -0.2), with every member able
to be absent. Bars: exact P(adopted) <= 50 ms; all exact statistics <= 1 s; Monte Carlo of 1e6
draws within 1.5x numpy generating the normals those draws need.

    .venv/bin/python -m benchmarks assembly
"""

from __future__ import annotations

import time
from statistics import median

import numpy as np

from sim.assembly import exact
from sim.assembly import montecarlo as amc
from sim.assembly.model import AssemblyModel, assembly_model
from sim.engine import montecarlo
from sim.engine.quadrature import grid

GROUPS = ("African States", "Asia-Pacific States", "Eastern European States",
          "Latin American and Caribbean States", "Western European and other States")
COHESION = dict(zip(GROUPS, (0.3, 0.2, 0.3, 0.25, 0.4), strict=True))


def assembly(axis: bool = True, seed: int = 1) -> AssemblyModel:
    rng = np.random.default_rng(seed)
    n = 193
    regions = [GROUPS[i % 5] for i in range(n)]
    probs = rng.dirichlet([5, 3, 1.5, 0.5], size=n)
    lam = np.select([np.array(regions) == GROUPS[4], np.array(regions) == GROUPS[2]], [0.4, 0.2], -0.2)
    return assembly_model([f"M{i:03d}" for i in range(n)], probs, regions, "important", common=0.2,
                          cohesion=COHESION, alignment=lam if axis else None)


def timed(fn: object, runs: int) -> tuple[float, float]:
    """(median, best) seconds of ``runs`` calls, after one warm-up."""
    assert callable(fn)
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return median(times), min(times)


def normals(model: AssemblyModel, draws: int) -> float:
    """numpy generating the standard normals the draws need: n + 1 + blocs (+ 1 with the axis)."""
    lat = model.latent
    k = lat.n + 1 + lat.n_blocs + int(lat.has_axis)
    t = time.perf_counter()
    for i, size in enumerate(montecarlo.chunk_sizes(draws)):
        montecarlo.chunk_rng(0, i).standard_normal((k, size))
    return time.perf_counter() - t


def main() -> None:
    for axis in (False, True):
        model = assembly(axis)
        label = "with the axis" if axis else "without the axis"
        outer = grid(model.latent).weights.size
        ev, ev_best = timed(lambda m=model: exact.p_adopted(m), 20)
        full, full_best = timed(lambda m=model: exact.exact_outcomes(m), 5)
        print(f"Assembly, 193 members, common 0.2, five regional blocs, {label} ({outer} outer nodes):")
        print(f"  Exact P(adopted): median {ev * 1e3:.1f} ms, best {ev_best * 1e3:.1f} ms (bar: <= 50 ms)")
        print(f"  All exact statistics: median {full * 1e3:.1f} ms, best {full_best * 1e3:.1f} ms (bar: <= 1000 ms)")
        draws = 1_000_000
        base = normals(model, draws)
        t = time.perf_counter()
        amc.run(model, draws, seed=0)
        mc = time.perf_counter() - t
        print(f"  Monte Carlo, {draws:,} draws with every statistic (pivots included): {mc:.2f} s; numpy normals "
              f"{base:.2f} s; ratio {mc / base:.2f}x (bar: <= 1.5x)")


if __name__ == "__main__":
    main()
