"""General Assembly engine timings (issue 15), each against a baseline in the same run.

Scenario: 193 members in the five regional groups, each group a bloc (cohesion 0.2-0.4), common
0.2, and the alignment axis (WEOG +0.4, Eastern Europe +0.2, the rest -0.2), with every member able
to be absent. Bars: exact P(adopted) <= 50 ms; all exact statistics <= 1 s; Monte Carlo of 1e6
draws within 1.5x numpy generating the normals those draws need (float64, n + 1 + blocs + axis per
draw), with bounded memory. The Monte Carlo is also timed with each member its own loading on the
axis (as scenario files give them), where no two members share a shift of their stances.

Monte Carlo and baseline alternate ``MC_REPEATS`` times in this process; the median and the best
(best Monte Carlo over best baseline) of the ratios are printed, then the median ratio measured
chunk by chunk (each chunk's normals beside its Monte Carlo), which a shared machine's load sways
less. One BLAS thread is asked for
(before numpy loads, so only when this file runs on its own): neither side should use two cores.

    .venv/bin/python -m benchmarks assembly
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from statistics import median  # noqa: E402

import numpy as np  # noqa: E402

from sim.assembly import exact  # noqa: E402
from sim.assembly import montecarlo as amc  # noqa: E402
from sim.assembly.model import AssemblyModel, assembly_model  # noqa: E402
from sim.assembly.quadrature import assembly_grid  # noqa: E402
from sim.assembly.scenario import AssemblyScenario  # noqa: E402
from sim.engine import montecarlo  # noqa: E402
from sim.engine.quadrature import grid  # noqa: E402

GROUPS = ("African States", "Asia-Pacific States", "Eastern European States",
          "Latin American and Caribbean States", "Western European and other States")
COHESION = dict(zip(GROUPS, (0.3, 0.2, 0.3, 0.25, 0.4), strict=True))
DRAWS = 1_000_000
MC_REPEATS = 3


def assembly(axis: bool = True, seed: int = 1) -> AssemblyModel:
    rng = np.random.default_rng(seed)
    n = 193
    regions = [GROUPS[i % 5] for i in range(n)]
    probs = rng.dirichlet([5, 3, 1.5, 0.5], size=n)
    lam = np.select([np.array(regions) == GROUPS[4], np.array(regions) == GROUPS[2]], [0.4, 0.2], -0.2)
    return assembly_model([f"M{i:03d}" for i in range(n)], probs, regions, "important", common=0.2,
                          cohesion=COHESION, alignment=lam if axis else None)


def member_axis(seed: int = 3) -> AssemblyModel:
    """The scenario with each member its own loading on the axis, uniform on [-0.5, 0.5]."""
    m = assembly(True)
    lam = np.random.default_rng(seed).uniform(-0.5, 0.5, m.n)
    return assembly_model(m.members, m.probs, m.regions, "important", common=0.2, cohesion=COHESION, alignment=lam)


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


def paired(model: AssemblyModel) -> float:
    """Chunk by chunk, numpy's normals for chunk i and then the Monte Carlo of chunk i: the ratio
    of the two sums. Both sides see the same moments of a shared machine's load."""
    lat = model.latent
    k = lat.n + 1 + lat.n_blocs + int(lat.has_axis)
    p = montecarlo.prepare(lat)
    base = mc = 0.0
    for i, size in enumerate(montecarlo.chunk_sizes(DRAWS)):
        t = time.perf_counter()
        montecarlo.chunk_rng(0, i).standard_normal((k, size))
        t1 = time.perf_counter()
        amc.count_chunk(p, model.rule, size, 0, i)
        mc += time.perf_counter() - t1
        base += t1 - t
    return mc / base


def monte_carlo(model: AssemblyModel, label: str) -> None:
    """Monte Carlo of ``DRAWS`` draws (every statistic, pivots included) against the normals:
    whole runs alternating with whole baselines, then chunk-interleaved (:func:`paired`)."""
    amc.run(model, 50_000, seed=0)  # warm up
    bases, mcs = [], []
    for _ in range(MC_REPEATS):
        bases.append(normals(model, DRAWS))
        t = time.perf_counter()
        amc.run(model, DRAWS, seed=0)
        mcs.append(time.perf_counter() - t)
    ratios = [m / b for m, b in zip(mcs, bases, strict=True)]
    pairs = [paired(model) for _ in range(MC_REPEATS)]
    print(f"  Monte Carlo{label}, {DRAWS:,} draws with every statistic: median {median(mcs):.2f} s, numpy normals "
          f"median {median(bases):.2f} s; ratio median {median(ratios):.2f}x, best {min(mcs) / min(bases):.2f}x "
          f"(bar: <= 1.5x; runs: {' '.join(f'{r:.2f}' for r in ratios)}); chunk-interleaved median "
          f"{median(pairs):.2f}x ({' '.join(f'{r:.2f}' for r in pairs)})")


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of a fresh process after 100,000 and then after 2,000,000 draws:
    equal when memory is bounded by the chunk."""
    code = ("import resource; from benchmarks.bench_assembly import assembly; from sim.assembly import montecarlo;"
            "m = assembly(True); peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024;"
            "montecarlo.run(m, 100_000, 0); a = peak(); montecarlo.run(m, 2_000_000, 0); print(a, peak())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "assembly"


def library() -> None:
    """The library's 2025 scenarios (an axis with member-specific loadings): exact statistics on
    the Assembly's grid, against the Council's adaptive grid in the same run."""
    from sim.assembly.scenario import build_assembly
    from sim.io.files import read_any_scenario

    for stem in ("es11_7_european_text_2025", "es11_8_us_text_amended_2025"):
        spec = read_any_scenario(LIBRARY / f"{stem}.toml")
        assert isinstance(spec, AssemblyScenario)
        model = build_assembly(spec).model
        ev, _ = timed(lambda m=model: exact.p_adopted(m), 5)
        full, _ = timed(lambda m=model: exact.exact_outcomes(m), 3)
        piv, _ = timed(lambda m=model: exact.pivotal(m), 3)
        t = time.perf_counter()
        (diff,), nobody = _council_grid_sums(model)
        adaptive = time.perf_counter() - t
        gap = abs(exact._adopted(model, diff, nobody) - exact.p_adopted(model))
        print(f"Library {stem}: exact P(adopted) {ev * 1e3:.0f} ms (the Council's adaptive grid: {adaptive:.1f} s, "
              f"{adaptive / ev:.0f}x; they differ by {gap:.1e}); all statistics {full * 1e3:.0f} ms; "
              f"pivots {piv * 1e3:.0f} ms")


def _council_grid_sums(model: AssemblyModel) -> tuple[list[np.ndarray], float]:
    """P(adopted)'s one distribution on the Council's adaptive grid (the baseline)."""
    import unittest.mock

    with unittest.mock.patch.object(exact, "assembly_grid", lambda m, nodes=None: grid(m.latent, nodes)):
        return exact._sums(model, [exact._difference(model)], None)


def main() -> None:
    for axis in (False, True):
        model = assembly(axis)
        label = "with the axis" if axis else "without the axis"
        outer = assembly_grid(model).weights.size
        ev, ev_best = timed(lambda m=model: exact.p_adopted(m), 20)
        full, full_best = timed(lambda m=model: exact.exact_outcomes(m), 5)
        piv, piv_best = timed(lambda m=model: exact.pivotal(m), 5)
        print(f"Assembly, 193 members, common 0.2, five regional blocs, {label} ({outer} outer nodes):")
        print(f"  Exact P(adopted): median {ev * 1e3:.1f} ms, best {ev_best * 1e3:.1f} ms (bar: <= 50 ms)")
        print(f"  All exact statistics: median {full * 1e3:.1f} ms, best {full_best * 1e3:.1f} ms (bar: <= 1000 ms)")
        print(f"  Exact pivots of every member: median {piv * 1e3:.1f} ms, best {piv_best * 1e3:.1f} ms")
        monte_carlo(model, "")
    monte_carlo(member_axis(), " with each member its own axis loading")
    library()
    small, large = peak_memory_mb()
    print(f"  Peak resident memory: {small:.0f} MB after 100,000 draws, {large:.0f} MB after 2,000,000 "
          "(bounded: equal)")


if __name__ == "__main__":
    main()
