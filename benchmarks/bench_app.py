"""Time from an edit in the what-if app to the rendered result, measured with Streamlit's AppTest.

Each timed edit is a fresh what-if (a new probability for a member, so the result cache misses)
under the default settings (Monte Carlo, 20,000 draws); a second series repeats earlier edits
(cache hits). The figure is the wall time of ``AppTest.run()``: callbacks, the simulation, the
charts and the page's elements. Run: ``.venv/bin/python benchmarks/bench_app.py [--edits N]``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
BUDGET_MS = 300.0


def _summary(name: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=10)
    return (
        f"  {name:<34} median {statistics.median(ms):6.1f} ms   p90 {q[-1]:6.1f} ms   "
        f"max {max(ms):6.1f} ms   (n={len(ms)})"
    )


def bench(edits: int, scenario: str) -> dict[str, list[float]]:
    """Median-ready timings (ms) of quick-action, typed and cached edits on one scenario."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["scenario"] = scenario
    at.run()
    at.selectbox(key="member").set_value("CHN").run()
    assert not at.exception, at.exception
    out: dict[str, list[float]] = {"typed probability (new result)": [], "quick action": [],
                                   "repeat of an edit (cached)": []}
    values = [20.0 + 60.0 * k / edits for k in range(edits)]
    for v in values:
        widget = at.number_input(key="num_yes").set_value(round(v, 1))
        t = time.perf_counter()
        widget.run()
        out["typed probability (new result)"].append(1000 * (time.perf_counter() - t))
    members = ["RUS", "USA", "FRA", "GBR"]
    actions = ["qa_no", "qa_abstain", "qa_yes", "qa_absent", "qa_reset"]
    for k in range(edits):
        at.selectbox(key="member").set_value(members[k % len(members)]).run()
        button = at.button(key=actions[k % len(actions)]).click()
        t = time.perf_counter()
        button.run()
        out["quick action"].append(1000 * (time.perf_counter() - t))
    at.selectbox(key="member").set_value("CHN").run()
    for v in values[: max(2, edits // 2)]:
        widget = at.number_input(key="num_yes").set_value(round(v, 1))
        t = time.perf_counter()
        widget.run()
        out["repeat of an edit (cached)"].append(1000 * (time.perf_counter() - t))
    assert not at.exception, at.exception
    return out


def main() -> None:
    """Print the edit-to-result times and whether the median meets the 300 ms budget."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=20, help="edits per series (default 20)")
    parser.add_argument("--scenario", default="ukraine_2022_russia_veto")
    args, _ = parser.parse_known_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    for name in ("ukraine_2022_russia_veto", "whatif_2026_us_ukraine_text") if args.scenario == "all" else (
        args.scenario,
    ):
        print(f"Edit to rendered result (AppTest), scenario {name}, Monte Carlo 20,000 draws:")
        results = bench(args.edits, name)
        for series, ms in results.items():
            print(_summary(series, ms))
        worst = max(statistics.median(ms) for ms in results.values())
        verdict = "within" if worst < BUDGET_MS else "OVER"
        print(f"  slowest median {worst:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")


if __name__ == "__main__":
    main()
