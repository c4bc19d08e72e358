"""The Blocs and rules tab: procedural or substantive, the parties to the dispute, the common
correlation and the blocs, with their callbacks; then how often each pair votes the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from sim.engine.model import VoteModel
from sim.render import charts
from sim.scenario.names import member_code
from sim.scenario.whatif import (
    add_bloc,
    canonical,
    correlation_table,
    remove_bloc,
    set_bloc_cohesion,
    set_bloc_members,
    set_common,
    set_parties,
    set_procedural,
    year_of,
)
from unsc_app import state
from unsc_app.compute import Page, cached_spec
from unsc_app.display import chart
from unsc_app.state import session


def _model() -> VoteModel:
    """The engine model of the current scenario (the correlation as it now is)."""
    return cached_spec(canonical(state.scenario()), state.history()).model


def on_procedural() -> None:
    """Switch between a procedural vote (no veto) and a substantive one."""
    state.commit(set_procedural(state.scenario(), session.procedural))


def on_parties() -> None:
    """Set the parties to the dispute, who must abstain (Art. 27(3))."""
    state.commit(set_parties(state.scenario(), session.parties))


def on_common() -> None:
    """The common correlation among all members."""
    state.commit(set_common(state.scenario(), _model(), session.common))


def on_bloc_members(b: int) -> None:
    """Members of bloc ``b``."""
    state.commit(set_bloc_members(state.scenario(), _model(), b, state.bloc_members(b)))


def on_bloc_cohesion(b: int) -> None:
    """Cohesion of bloc ``b``."""
    state.commit(set_bloc_cohesion(state.scenario(), _model(), b, state.bloc_cohesion(b)))


def on_bloc_remove(b: int) -> None:
    """Drop bloc ``b``."""
    state.commit(remove_bloc(state.scenario(), _model(), b))


def on_bloc_add() -> None:
    """A new bloc of the chosen members."""
    codes = list(session.new_bloc_members)
    if not codes:
        session.edit_error = "Choose the members of the new bloc first."
        return
    name = (session.new_bloc_name or "").strip() or "New bloc"
    if state.commit(add_bloc(state.scenario(), _model(), name, codes, session.new_bloc_cohesion)):
        session.new_bloc_members = []
        session.new_bloc_name = ""


def the_vote(page: Page, label: Callable[[str], str]) -> None:
    """Procedural or substantive, the parties, and the common correlation."""
    data, model = page.data, page.spec.model
    members = list(model.members)
    st.subheader("The vote")
    session.procedural = bool(data.get("draft", {}).get("procedural", False))
    st.toggle("Procedural vote (nine votes suffice, no veto)", key="procedural", on_change=on_procedural)
    session.parties = sorted(page.spec.resolved.parties, key=members.index)
    st.multiselect(
        "Parties to the dispute (they must abstain, Charter Art. 27(3))",
        members,
        key="parties",
        format_func=label,
        on_change=on_parties,
    )
    st.subheader("How votes move together")
    session.common = float(model.common)
    # common + each bloc's cohesion must stay at most 1: the slider stops where it would not
    top_common = max(float(model.common), 1.0 - float(max(model.cohesion, default=0.0)))
    if top_common > 0:
        _correlation_slider("Common correlation (how much all members move together)", top_common,
                            "At most 1 minus the largest bloc cohesion.", "common", on_common)
    else:
        st.caption("Common correlation 0: a bloc has cohesion 1, which leaves no room for more.")
    if "correlation" not in data:
        st.caption("From calibration or the default; changing any of these makes them your own.")


def _correlation_slider(
    label: str, top: float, why: str, key: str, on_change: Callable[..., None], args: tuple[Any, ...] = ()
) -> None:
    """A correlation from 0 to ``top`` (where the sum with the others would pass 1)."""
    st.slider(label, 0.0, top, step=0.05 if top >= 0.05 else 0.01, help=why, key=key,
              on_change=on_change, args=args)


def blocs(page: Page, label: Callable[[str], str]) -> None:
    """Each bloc's members, cohesion and removal; and a new bloc."""
    data, model = page.data, page.spec.model
    members = list(model.members)
    st.subheader("Blocs")
    table = correlation_table(data, model)
    taken = {member_code(n, year_of(data)) for b in table["blocs"] for n in b["members"]}
    for b, bloc in enumerate(table["blocs"]):
        codes = [member_code(n, year_of(data)) for n in bloc["members"]]
        with st.container(border=True):
            st.markdown(f"**{bloc['name']}**")
            state.set_bloc_members(b, [c for c in codes if c in members])
            options = [m for m in members if m not in taken or m in codes]
            st.multiselect("Members", options, key=f"bloc_members_{b}", format_func=label,
                           on_change=on_bloc_members, args=(b,))
            state.set_bloc_cohesion(b, float(bloc["cohesion"]))
            top = max(float(bloc["cohesion"]), 1.0 - float(model.common), 0.01)
            _correlation_slider("Cohesion (extra correlation inside the bloc)", top,
                                "At most 1 minus the common correlation.", f"bloc_cohesion_{b}",
                                on_bloc_cohesion, (b,))
            st.button("Remove this bloc", key=f"bloc_remove_{b}", on_click=on_bloc_remove, args=(b,))
    with st.expander("Add a bloc"):
        st.text_input("Name", key="new_bloc_name", placeholder="e.g. African members (A3)")
        st.multiselect("Members", [m for m in members if m not in taken], key="new_bloc_members",
                       format_func=label)
        top_new = 1.0 - float(model.common)
        if top_new > 0:
            st.slider("Cohesion", 0.0, top_new, value=min(0.3, top_new), key="new_bloc_cohesion",
                      help="At most 1 minus the common correlation.")
        else:
            st.caption("With common correlation 1 a bloc can add no cohesion.")
        st.button("Add the bloc", key="bloc_add", on_click=on_bloc_add)
    st.caption("A member can be in one bloc only; common correlation + cohesion must be at most 1.")


def rules_tab(page: Page) -> None:
    """Procedural or substantive, parties to the dispute, common correlation and blocs; then
    how often each pair of members votes the same way."""
    perm = set(page.spec.resolved.council.permanent)

    def label(m: str) -> str:
        return charts.member_label(m, m in perm)

    left, right = st.columns(2, gap="large")
    with left:
        the_vote(page, label)
    with right:
        blocs(page, label)
    chart(charts.agreement_heatmap(page.result))
