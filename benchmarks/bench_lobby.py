""""What would it take" (issue 16): seconds to find the minimal plans for library drafts of the
15-member Council, exact throughout, beside one exact P(adopted) of the same draft in the same run.
Bar: a plan for a 15-member draft in <= 2 s.

    .venv/bin/python -m benchmarks lobby
"""

from __future__ import annotations

import time
from pathlib import Path

import sim
from sim.engine import exact
from sim.engine.lobby import search

ROOT = Path(__file__).resolve().parents[1]
CASES = (("libya_2011_abstentions", 0.9), ("palestine_2014_failed_nine_votes", 0.5),
         ("ukraine_2022_russia_veto", 0.5), ("whatif_2026_us_ukraine_text", 0.8))


def main() -> None:
    for stem, target in CASES:
        model = sim.model_spec(ROOT / "scenarios" / f"{stem}.toml").model
        t = time.perf_counter()
        exact.event_probabilities(model)
        one = time.perf_counter() - t
        t = time.perf_counter()
        found = search(model, target, max_moves=3)
        took = time.perf_counter() - t
        k = len(found.plans[0].moves) if found.plans else None
        print(f"  {stem}, target {target:.0%}: {took:.2f} s (bar: <= 2 s), {found.evaluations} exact evaluations "
              f"of {one * 1e3:.1f} ms; {'plans of ' + str(k) + ' moves' if k else 'not reachable in 3 moves'}")


if __name__ == "__main__":
    main()
