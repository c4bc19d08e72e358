"""The Assembly page's pin and its Compare section: the pinned result beside the current
what-if, and what changed since (as the Council page's Compare tab, :mod:`unsc_app.compare`).

The pin is kept in ``st.session_state["ga_pinned"]``: the result, a copy of the scenario dict
it came from and a label. It survives edits, reruns and a new library scenario (as on the
Council page); every number and word comes from :mod:`sim.render.assembly_compare`.
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from sim.assembly.api import AssemblyResult
from sim.render import assembly_compare as ac
from sim.render.text import pct_strict

PINNED = "ga_pinned"


def pinned() -> dict[str, Any] | None:
    """The pinned result, its scenario and label, or None."""
    got: dict[str, Any] | None = st.session_state.get(PINNED)
    return got


def _label(result: AssemblyResult, data: dict[str, Any]) -> str:
    how = "exact" if result.draws is None else f"Monte Carlo, {result.draws:,} draws"
    return f"{data['scenario']['name']} ({result.question} question, {how})"


def _pin(result: AssemblyResult, data: dict[str, Any]) -> None:
    st.session_state[PINNED] = {"result": result, "scenario": data, "label": _label(result, data)}


def _unpin() -> None:
    st.session_state[PINNED] = None


def delta(result: AssemblyResult) -> str | None:
    """P(adopted) now against the pinned result's, for the headline metric."""
    pin = pinned()
    if pin is None:
        return None
    return f"{100 * (result.p_adopted - pin['result'].p_adopted):+.1f} points vs pinned"


def pin_row(result: AssemblyResult, data: dict[str, Any]) -> None:
    """Pin the result to compare (under the headline figures, where it is seen at once)."""
    pin = pinned()
    with st.container(horizontal=True, key="ga_pin_row", vertical_alignment="center"):
        # a copy: the page edits its scenario dict in place
        st.button("Pin this result", icon=":material/push_pin:", key="ga_pin", on_click=_pin,
                  args=(result, copy.deepcopy(data)), help="Keep this result to compare with your next edits.")
        if pin is not None:
            st.button("Unpin", key="ga_unpin", on_click=_unpin)
            st.caption(f"Pinned: {pin['label']}. Compare it with this one under “Compare”, below the edits.")
        else:
            st.caption("Pin it, edit the votes or the question, and see both under “Compare”, below the edits.")


def compare_section(result: AssemblyResult, data: dict[str, Any]) -> None:
    """The pinned result beside the current what-if."""
    st.subheader("Compare", anchor="compare")
    pin = pinned()
    if pin is None:
        st.info("Pin a result (“Pin this result”, under the headline figures), then edit the votes or the "
                "question, or pick another scenario: the pinned result and the current one are compared here.")
        return
    before: AssemblyResult = pin["result"]
    results = {"Pinned": before, "Now": result}
    other = pin["scenario"]["scenario"]["name"] != data["scenario"]["name"]
    if other:
        st.warning(f"The pinned result is of another scenario ({pin['scenario']['scenario']['name']}): "
                   "this sets two different votes side by side.")
    c1, c2, c3 = st.columns(3)
    c1.metric("P(adopted), pinned", pct_strict(before.p_adopted))
    c2.metric("P(adopted), now", pct_strict(result.p_adopted), delta=delta(result))
    now_m, was_m = result.margin()["mean"], before.margin()["mean"]
    c3.metric("Margin now, yes votes to spare", f"{now_m:+.0f}", delta=f"{now_m - was_m:+.0f} vs pinned ({was_m:+.0f})")
    st.table(ac.summary_frame(results))
    # one above the other: side by side, the groups' long names left their bars no room at 1024 px
    st.altair_chart(ac.compare_tally_chart(results), width="stretch")
    st.altair_chart(ac.compare_groups_chart(results), width="stretch")
    st.caption("Expected votes of each regional group: pinned → now, where they moved.")
    st.table(ac.groups_table(before, result))  # a table wraps; a dataframe hid its last column at 1024 px
    changes = ac.member_changes(before, result)
    if changes:
        st.markdown(f"**Members whose vote changed ({len(changes)}), biggest change first:** "
                    + ac.listed([c.words for c in changes]) + ".")
    else:
        st.markdown("**No member's vote changed.**")
    words = ac.changed_since(pin["scenario"], data)
    if words:
        st.caption(f"Pinned: {pin['label']}. Changed since: " + "; ".join(words) + ".")
    else:
        st.caption(f"Pinned: {pin['label']}. The scenario is unchanged since (the method or draws may differ).")
