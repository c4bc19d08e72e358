"""The Yes votes and tallies tab: the yes-vote distribution with the nine-vote line, the
likeliest tallies, and what really happened."""

from __future__ import annotations

import streamlit as st

from sim.render import charts
from sim.render.text import reference_note
from unsc_app.compute import Page
from unsc_app.display import chart, one_column_legend, pct
from unsc_app.reference import reference_amendments, reference_chance


def outcome_tab(page: Page) -> None:
    """The yes-vote distribution with the nine-vote line, the likeliest tallies, and history."""
    result = page.result
    # one above the other: beside each other at 1024 px the tallies' long labels left no room
    # for the legend, which was cut off
    chart(one_column_legend(charts.yes_votes_chart(result)))
    chart(charts.tally_chart(result))
    ref = page.data.get("reference")
    if not ref:
        return
    n = result.n
    y, no, ab = ref["yes"], ref["no"], ref["abstain"]
    p_tally = float(result.tally[y, no, ab]) if max(y, no, ab) <= n else 0.0
    what = {"adopted": "adopted", "vetoed": "vetoed", "failed": "failed without a veto"}[ref["outcome"]]
    label = ref.get("resolution") or ref.get("draft") or "the draft"
    date = f" on {ref['date']}" if ref.get("date") else ""
    st.info(
        f"**What really happened:** {label} was {what}{date}, "
        f"{ref['yes']} yes, {ref['no']} no, {ref['abstain']} abstain"
        + (f", {ref['absent']} absent" if ref.get("absent") else "")
        + f". The model gives that outcome {pct(reference_chance(result, ref))} and that exact "
        f"tally {pct(p_tally)}."
        + "".join(
            f"  \nAmendment {name}: {reference_note(real)}."
            for name, real in reference_amendments(page.data).items()
        )
        + f"  \nSource: {ref['source']}"
    )
