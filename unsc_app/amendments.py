"""The Amendments tab: each amendment's chance, the draft's chance after it, the paths through
them, and a button to drop one."""

from __future__ import annotations

import streamlit as st

from sim.render import comparisons
from sim.render.text import reference_note
from sim.scenario.whatif import drop_amendment
from unsc_app import state
from unsc_app.compute import Page
from unsc_app.display import chart, pct
from unsc_app.reference import reference_amendments
from unsc_app.state import session


def on_drop_amendment(j: int) -> None:
    """Remove amendment ``j`` from the sequence, with its real outcome if the reference has one."""
    if state.commit(drop_amendment(state.scenario(), j)):
        session.target = "draft"


def amendments_tab(page: Page) -> None:
    """The amendments, their chances, and the paths through them."""
    amend = page.result.amendments
    if not page.data.get("amendments") or amend is None:
        st.info(
            "This scenario has no amendments. Pick or upload one with `[[amendments]]` "
            "to see the paths through them."
        )
        return
    chart(comparisons.amendment_paths_chart(amend))
    real = reference_amendments(page.data)
    for j, (name, p, (given_yes, given_no)) in enumerate(
        zip(amend.names, amend.p_adopted, amend.p_draft_given, strict=True)
    ):
        with st.container(border=True):
            c1, c2 = st.columns([4, 1])
            c1.markdown(f"**A{j + 1}: {name}**")
            gy = "—" if given_yes is None else pct(given_yes)
            gn = "—" if given_no is None else pct(given_no)
            c1.caption(
                f"Chance it is adopted: {pct(p)}. The draft then passes {gy} of the time if it is "
                f"adopted, {gn} if it is rejected."
            )
            if name in real:
                chance = p if real[name].outcome == "adopted" else 1.0 - p
                c1.caption(
                    f"What really happened: {reference_note(real[name])}. The model gives that "
                    f"{'outcome' if real[name].outcome == 'adopted' else 'rejection'} {pct(chance)}."
                )
            c2.button("Drop it", key=f"drop_amend_{j}", on_click=on_drop_amendment, args=(j,))
    st.caption("Edit an amendment's votes in the Members' votes tab: choose it under 'Edit the votes on'.")
