"""The Compare tab: the pinned result beside the current what-if, and what changed since."""

from __future__ import annotations

import streamlit as st

from sim.render import comparisons
from sim.scenario.whatif import make_patch
from unsc_app.compute import Page
from unsc_app.display import chart
from unsc_app.state import session

#: What a changed part of the scenario is, in words (the Compare tab's "Changed since").
CHANGED_WORDS = {
    "amendments": "the amendments",
    "correlation": "how votes move together",
    "council": "the parties to the dispute",
    "draft": "procedural or substantive",
    "reference": "what really happened",
    "scenario": "the name",
    "votes": "members' votes",
}


def compare_tab(page: Page) -> None:
    """The pinned result beside the current what-if."""
    pinned = session.pinned
    if pinned is None:
        st.info("Pin a result (the button under the headline numbers), edit the what-if, and "
                "compare the two here.")
        return
    results = {"Pinned": pinned["result"], "Now": page.result}
    left, right = st.columns(2, gap="large")
    with left:
        chart(comparisons.compare_chart(results))
    with right:
        chart(comparisons.compare_members_chart(results))
    changes = comparisons.member_changes(pinned["result"], page.result)
    if changes:
        st.markdown("**Members whose vote changed:** " + "; ".join(changes) + ".")
    patch = make_patch(pinned["scenario"], page.data)
    if patch:
        changed = ", ".join(CHANGED_WORDS.get(k, k) for k in sorted(patch))
        st.caption(f"Pinned: {pinned['label']}. Changed since: {changed}.")
    else:
        st.caption(f"Pinned: {pinned['label']}. The scenario is unchanged since (run settings may differ).")
