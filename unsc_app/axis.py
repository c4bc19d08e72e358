"""Where the text stands: a slider along the scenario's alignment axis, the chances of adoption,
veto and shortfall at every position (the current one and the best marked), and the members'
chances of a yes, so that one sees who leaves first on each side. Drawn only for a scenario
whose members load on the axis. The position is a scenario edit, so the share link carries it."""

from __future__ import annotations

import numpy as np
import streamlit as st

from sim.errors import InputError
from sim.render import frontier as frontier_charts
from sim.scenario.schema import axis_destinations
from sim.scenario.whatif import canonical, position_of, set_position
from unsc_app import state
from unsc_app.compute import Page, cached_frontier
from unsc_app.display import chart, one_column_legend, pct
from unsc_app.state import session

#: The slider's range (standard deviations of a member's stance), widened to hold the position.
SPAN = 2.0
#: Positions of the app's frontier (the CLI's default is finer: 41).
STEPS = 21
#: Most Monte Carlo draws at each position of the app's frontier (the headline uses the setting).
MAX_FRONTIER_DRAWS = 20_000


def on_position() -> None:
    """The slider moved: the draft now stands there."""
    state.commit(set_position(state.scenario(), float(session.position), session.base["original"]))


def _range(position: float) -> tuple[float, float]:
    top = max(SPAN, float(np.ceil(abs(position))))
    return -top, top


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ". "


def alignment_section(page: Page) -> None:
    """The slider, the chart of outcomes along the axis, and the members' yes chances."""
    loadings = {m: v for m, v in page.spec.alignment.items() if v != 0.0}
    if not loadings:
        return
    axis = page.spec.axis_name or "alignment"
    low, high = axis_destinations(axis)
    position = position_of(page.data)
    lo, hi = _range(position)
    st.subheader("Where the text stands")
    session.position = position
    st.slider(
        f"Where the text stands: from toward {low} to toward {high}",
        lo, hi, step=0.1, key="position", on_change=on_position,
        format="%+.1f",
        help=(f"The text's position on the axis {axis!r}, in standard deviations of a member's stance. "
              f"Moving it toward {high} makes the members with positive loadings likelier to vote yes and "
              f"those with negative loadings likelier to vote no (docs/scenarios.md)."),
    )
    st.caption(f"← toward {low}  ·  0 is where the members' numbers were set  ·  toward {high} →")
    origin = dict(page.data)
    origin["draft"] = {k: v for k, v in page.data.get("draft", {}).items() if k != "position"}
    positions = tuple(float(x) for x in np.round(np.linspace(lo, hi, STEPS), 6))
    draws = min(int(session.draws), MAX_FRONTIER_DRAWS) if session.method == "monte-carlo" else 0
    try:
        f = cached_frontier(canonical(origin), positions, draws, int(session.seed),
                            session.method, page.history)
    except (InputError, ValueError) as exc:
        st.error(f"Could not compute the chances along the axis: {exc}")
        return
    left, right = st.columns(2, gap="medium")
    with left:
        chart(one_column_legend(frontier_charts.frontier_chart(f, position)))
    with right:
        chart(frontier_charts.member_yes_chart(f, position))
    best = f.best_index
    toward_low, toward_high = frontier_charts.leaves_first(f, position)
    who = []
    if toward_low:
        who.append(f"toward {low}, {toward_low} leaves first")
    if toward_high:
        who.append(f"toward {high}, {toward_high}")
    st.caption(
        f"Best chance of adoption: {pct(float(f.p_adopted[best]))} at {f.best_position:+.1f} "
        f"(here: {pct(page.result.p_adopted)} at {position:+.1f}). "
        + (_sentence("; ".join(who)) if who else "")
        + (f"Each position is simulated with the same seed ({f.draws:,} votes each)."
           if f.method == "monte-carlo" else "Computed exactly.")
        + " Along the axis every member votes by its marginals (not the calibrated mixture)."
    )
