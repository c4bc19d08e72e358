"""The Whom to lobby tab: whose vote most often decides the outcome, then how the chance of
adoption moves when each member leans toward yes or toward no."""

from __future__ import annotations

import streamlit as st

from sim.engine.sensitivity import DEFAULT_SHIFT
from sim.render import charts, comparisons
from sim.scenario.names import readable_name
from unsc_app.compute import Page, cached_sensitivity
from unsc_app.display import chart, pct


def lobby_tab(page: Page) -> None:
    """Who is pivotal: whose vote most often decides the outcome; then what would change it."""
    result = page.result
    chart(charts.pivotal_chart(result))
    order = sorted(range(result.n), key=lambda i: -result.pivotal[i])[:3]
    names = ", ".join(f"{readable_name(result.members[i])} ({pct(result.pivotal[i])})" for i in order)
    st.caption(
        "A member is decisive when switching its vote between yes and no, with everyone else's "
        f"votes unchanged, changes whether the draft passes. Most often decisive: {names}."
    )
    leaning(page)


def leaning(page: Page) -> None:
    """How P(adopted) moves when each member leans toward yes or toward no."""
    shift = st.slider(
        "How far a member leans (in standard deviations of its stance)",
        0.1,
        2.0,
        value=DEFAULT_SHIFT,
        step=0.1,
        key="shift",
    )
    df = cached_sensitivity(page.canon, float(shift), page.history)
    chart(comparisons.sensitivity_chart(df))
    best = df.loc[df["change_yes"].idxmax()]
    worst = df.loc[df["change_no"].idxmin()]
    note = " (the draft as tabled, before amendments)" if page.data.get("amendments") else ""
    st.caption(
        f"Computed exactly{note}. Adoption is {pct(float(df['base'].iloc[0]))} as it stands. "
        f"The biggest gain: {best['name']} leaning toward yes "
        f"({100 * best['change_yes']:+.1f} points). The biggest loss: {worst['name']} leaning "
        f"toward no ({100 * worst['change_no']:+.1f} points)."
    )
