"""Sweep throughput: a 1,000-point study at 100,000 draws per point, on 1 worker and on 2.

Both runs are launched by this process, one after the other, on the same study; the tables
must be equal (the seed of each point does not depend on the workers). Study: a Latin
hypercube over four fields of the 2026 what-if scenario (two amendments, so three votes per
draw). Run standalone: ``python benchmarks/bench_sweep.py [--points N] [--draws D]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

import sim

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "whatif_2026_us_ukraine_text.toml"

STUDY = """
[study]
name = "benchmark: what-if 2026 Latin hypercube"
base = "{base}"
seed = 1

[vary.lhs]
samples = {points}
[vary.lhs.bounds]
"votes.CHN.no" = [0.0, 0.5]
'votes."Russian Federation".yes' = [0.2, 0.9]
"correlation.common" = [0.0, 0.35]
"amendments[0].votes.USA.yes" = [0.0, 0.8]
"""


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the local pool's workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(study: Path, draws: int, workers: int, executor: Any, quiet: bool) -> tuple[float, float, pd.DataFrame]:
    """Wall time and CPU time of one sweep, and its table."""
    t, c = time.perf_counter(), cpu_seconds()
    df = sim.sweep(study, draws=draws, seed=0, workers=workers, executor=executor, progress=not quiet)
    return time.perf_counter() - t, cpu_seconds() - c, df


def line(label: str, wall: float, cpu: float, points: int) -> str:
    return (f"  {label}: {wall:8.1f} s wall ({points / wall:6.2f} points/s), {cpu:8.1f} s CPU "
            f"= {cpu / wall:4.2f} cores busy on average")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="the parallel run's workers")
    parser.add_argument("--executor", choices=("local", "dask"), default="local")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args, _ = parser.parse_known_args(argv)  # `python -m benchmarks sweep` passes its own filter
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "bench.toml"
        study.write_text(STUDY.format(base=BASE.as_posix(), points=args.points))
        print(f"sweep: {args.points:,} points x {args.draws:,} draws, what-if 2026 scenario "
              f"(3 votes per draw); {os.cpu_count()} CPUs, load average "
              f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        t1, c1, df1 = timed(study, args.draws, 1, "local", args.quiet)
        print(line("1 worker ", t1, c1, args.points), flush=True)
        tn, cn, dfn = timed(study, args.draws, args.workers, args.executor, args.quiet)
        print(line(f"{args.workers} workers", tn, cn, args.points) + f", executor {args.executor}", flush=True)
        pd.testing.assert_frame_equal(df1, dfn)
        print(f"  speedup  : {t1 / tn:8.2f}x wall  (tables identical: yes)")
        print(f"  load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("  (CPU time of dask workers is not counted)" if args.executor == "dask" else "")


if __name__ == "__main__":
    main(sys.argv[1:])
