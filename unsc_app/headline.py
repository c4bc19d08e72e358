"""The top of the page: the scenario's name, any error, the headline numbers, the pin and the
two summary charts (how the vote ends, who would veto)."""

from __future__ import annotations

import streamlit as st

from sim.engine.result import SimulationResult
from sim.render import charts
from sim.scenario.names import readable_name
from unsc_app import state
from unsc_app.display import chart, one_column_legend, pct
from unsc_app.reference import reference_chance
from unsc_app.state import session

#: Less empty space above the title and at the sides, so the headline numbers fit a laptop
#: screen and labels, legends and tab names fit at 1024 px with the sidebar open (no colours).
PAGE_CSS = (
    "<style>.stMainBlockContainer { padding-top: 2.5rem; padding-left: 2rem; "
    "padding-right: 2rem; }</style>"
)


def title() -> None:
    """The page's title, the scenario's name and description, and a bad link's or edit's error."""
    data = state.scenario()
    st.html(PAGE_CSS)
    st.title("Security Council what-if")
    st.markdown(f"**{data['scenario']['name']}**")
    if data["scenario"].get("description"):
        st.caption(data["scenario"]["description"])
    if session.link_error:
        st.warning(session.link_error)
    if session.edit_error:
        st.error(f"That edit was not applied: {session.edit_error}", icon="⚠️")


def headline(result: SimulationResult) -> None:
    """The one-line verdict; P(adopted) with its interval, veto vs shortfall, and what really happened."""
    from sim.verdict import council_verdict

    st.markdown(f"**{council_verdict(result).text}**")
    pinned = session.pinned
    c1, c2, c3, c4 = st.columns(4)
    with c1, st.container(key="p_adopted"):
        delta = None
        if pinned is not None:
            delta = f"{100 * (result.p_adopted - pinned['result'].p_adopted):+.1f} points vs pinned"
        st.metric("Chance of adoption", pct(result.p_adopted), delta=delta)
        lo, hi = result.p_adopted_ci
        if result.method == "exact":
            st.caption("Exact (no simulation noise)")
        else:
            st.caption(f"95% interval {pct(lo, 2)} to {pct(hi, 2)} ({result.draws:,} simulated votes)")
        if result.forecast == "hurdle mixture":
            st.caption(f"The calibrated forecast, as backtested (UN vote records through "
                       f"{result.calibrated_as_of}); your edits switch to member marginals.")
    with c2, st.container(key="p_vetoed"):
        st.metric("Chance of a veto", pct(result.p_vetoed))
        if result.procedural:
            st.caption("Procedural vote: there is no veto.")
        elif result.p_veto_by:
            top = max(result.p_veto_by, key=lambda m: result.p_veto_by[m])
            st.caption(
                f"Enough votes, then a permanent no. Most likely {readable_name(top)} "
                f"({pct(result.p_veto_by[top])}); any permanent no: {pct(result.p_permanent_no)}"
            )
    with c3, st.container(key="p_short"):
        st.metric("Chance of a shortfall", pct(result.p_short))
        kind = "procedural" if result.procedural else "substantive"
        st.caption(f"Fewer than {result.threshold} yes votes: fails without a veto, whoever "
                   f"votes no ({result.threshold} of {result.n} needed, a {kind} vote)")
    with c4, st.container(key="reference"):
        ref = state.scenario().get("reference")
        if ref:
            word = {"adopted": "Adopted", "vetoed": "Vetoed", "failed": "Failed"}[ref["outcome"]]
            st.metric("What really happened", word)
            tally = f"{ref['yes']}–{ref['no']}–{ref['abstain']}"
            st.caption(
                f"{tally} (yes–no–abstain); model's chance of that outcome: "
                f"{pct(reference_chance(result, ref))}"
            )
        else:
            st.metric("What really happened", "—")
            st.caption("A what-if: no historical answer.")


def on_pin(result: SimulationResult, label: str) -> None:
    """Keep the current result to compare the next what-ifs with."""
    session.pinned = {"result": result, "label": label, "scenario": state.scenario()}


def on_unpin() -> None:
    """Forget the pinned result."""
    session.pinned = None


def pin_row(result: SimulationResult, label: str) -> None:
    """Pin the result to compare (under the headline, where it is seen at once)."""
    pinned = session.pinned
    with st.container(horizontal=True, key="pin_row", vertical_alignment="center"):
        st.button(
            "Pin this result",
            icon=":material/push_pin:",
            key="pin",
            on_click=on_pin,
            args=(result, label),
            help="Keep this result to compare with your next edits.",
        )
        if pinned is not None:
            st.button("Unpin", key="unpin", on_click=on_unpin)
            st.caption(f"Pinned: {pinned['label']}. The Compare tab shows it beside this one.")
        else:
            st.caption("Pin it, edit the what-if, and see both in the Compare tab.")


def summary_charts(result: SimulationResult) -> None:
    """How the vote ends, and who would veto, side by side."""
    left, right = st.columns(2, gap="medium")
    with left:
        chart(one_column_legend(charts.outcome_chart(result)))
    with right:
        chart(charts.veto_chart(result))
