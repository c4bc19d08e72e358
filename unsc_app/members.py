"""The Members' votes tab: one member's numbers with quick actions (in the draft's votes or an
amendment's), everyone's votes as bars, and where each member's numbers come from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from sim.api import default_calibrator
from sim.engine.model import VOTES
from sim.render import charts
from sim.scenario.build import ModelSpec
from sim.scenario.names import readable_name
from sim.scenario.whatif import (
    Probs,
    canonical,
    edited_on_draft,
    member_entry,
    procedural_for,
    quick_vote,
    rescale,
    restore_member,
    set_vote,
    target_tables,
    targets,
    year_of,
)
from unsc_app import state
from unsc_app.compute import Page, cached_spec
from unsc_app.display import chart, one_column_legend
from unsc_app.reference import reference_votes
from unsc_app.state import session

VOTE_WORDS = charts.VOTE_LABELS
SOURCE_WORDS = charts.SOURCE_WORDS


def target_label(data: Mapping[str, Any], target: str) -> str:
    """A votes table in words: the draft's, or an amendment's vote or effect."""
    if target == "draft":
        return "The draft"
    j, part = target[1:].split(".")
    name = data["amendments"][int(j)]["name"]
    if part == "votes":
        return f"A{int(j) + 1} — the vote on amendment: {name}"
    return f"A{int(j) + 1} — draft votes if the amendment is adopted"


def edited_target() -> str:
    """The table the member editor changes; the draft's when the box is not drawn (Streamlit
    can forget the value of a box it no longer draws, before a callback reads it)."""
    target = session.target or "draft"
    return target if target in targets(state.scenario()) else "draft"


def current_probs(data: Mapping[str, Any], target: str, code: str, spec: ModelSpec) -> tuple[Probs, str]:
    """A member's probabilities in a target table and where they come from (plain words)."""
    idx = spec.model.members.index(code)
    draft = tuple(float(x) for x in spec.model.probs[idx])
    draft4 = (draft[0], draft[1], draft[2], draft[3])
    if target == "draft":
        return draft4, SOURCE_WORDS.get(spec.provenance.get(code, ""), "")
    entry = member_entry(target_tables(data, target), code, year_of(data))
    if entry is not None:
        table = entry[1]
        if "shift" in table:
            return draft4, f"the draft's numbers shifted by {table['shift']:+g}"
        vals = tuple(float(table.get(v, 0.0)) for v in VOTES)
        return (vals[0], vals[1], vals[2], vals[3]), "set for this amendment"
    what = "votes as on the draft" if target.endswith("votes") else "no change to the draft"
    return draft4, what


def model_numbers_label(data: Mapping[str, Any], target: str, code: str, spec: ModelSpec) -> str | None:
    """The button that drops a member's own numbers in ``target``, named for what it gives;
    None where it would give nothing new (on the draft, where no calibrated numbers exist)."""
    if target != "draft":
        if member_entry(target_tables(data, target), code, year_of(data)) is None:
            return None
        return "Vote as on the draft" if target.endswith("votes") else "No change to the draft"
    calibrator = default_calibrator()
    calibrated = calibrator(spec.resolved) if calibrator is not None else None
    has_own = member_entry(data.get("votes", {}), code, year_of(data)) is not None
    if calibrated is None or code not in calibrated.probs or not has_own:
        return None
    return "Calibrated numbers"


def chosen_member() -> str:
    """The member the editor shows (the box keeps it between tabs: state.HIDDEN_SETTINGS)."""
    code = session.member
    assert code is not None
    return code


def on_quick(action: str) -> None:
    """Quick actions on the chosen member: yes, abstain, will veto / no, absent, or "model"
    (drop its own numbers in the table edited: calibrated, or as on the draft)."""
    state.commit(quick_vote(state.scenario(), edited_target(), chosen_member(), action))


def on_number(index: int) -> None:
    """A member's probability typed in: the other three are rescaled to keep the total at 100%."""
    code, target, data = chosen_member(), edited_target(), state.scenario()
    probs, _ = current_probs(data, target, code, cached_spec(canonical(data), state.history()))
    value = state.number(index)
    if value is None:
        return
    state.commit(set_vote(data, target, code, rescale(probs, index, value / 100.0)))


def on_reset(restored: dict[str, Any]) -> None:
    """Back to the scenario's numbers: ``restored`` is the scenario with them (drawn with the button)."""
    state.commit(restored)


def editor(page: Page) -> None:
    """The chosen member's numbers in the chosen table, with quick actions."""
    data, spec = page.data, page.spec
    tg = targets(data)
    if session.target != edited_target():
        session.target = edited_target()
    if len(tg) > 1:
        st.selectbox("Edit the votes on", tg, key="target", format_func=lambda t: target_label(data, t))
    members = list(spec.model.members)
    if session.member not in members:
        session.member = members[0]
    perm = set(spec.resolved.council.permanent)
    st.selectbox("Member", members, key="member", format_func=lambda m: charts.member_label(m, m in perm))
    code, target = chosen_member(), edited_target()
    probs, source = current_probs(data, target, code, spec)
    restored = restore_member(data, session.base["original"], target, code)
    if restored != data:
        source = "your edit"
    if source == charts.SOURCE_WORDS["calibrated"] and spec.calibrated_as_of:
        source += f" (UN vote records through {spec.calibrated_as_of})"
    st.caption(f"Numbers now: {source}.")
    vetoes = code in perm and not procedural_for(data, target)
    actions = [
        ("yes", "Votes yes"),
        ("abstain", "Abstains"),
        ("no", "Will veto" if vetoes else "Votes no"),
        ("absent", "Absent"),
    ]
    with st.container(horizontal=True, key="quick_actions"):
        for action, label in actions:
            st.button(label, key=f"qa_{action}", on_click=on_quick, args=(action,))
        st.button(
            "Back to the scenario's numbers",
            key="qa_reset",
            on_click=on_reset,
            args=(restored,),
            disabled=restored == data,
            help="This member's numbers as the scenario you started from had them.",
        )
        model_numbers = model_numbers_label(data, target, code, spec)
        if model_numbers is not None:
            st.button(model_numbers, key="qa_model", on_click=on_quick, args=("model",))
    if target == "draft" and data.get("amendments"):
        st.caption("On the draft, a quick action holds on every amendment path: an amendment's "
                   "effect on this member is set to the same vote.")
    if code in spec.resolved.parties and not procedural_for(data, target):
        st.caption(f"{readable_name(code)} is a party to the dispute: under Article 27(3) it "
                   "abstains on this substantive vote, whatever is set here.")
    ncols = [c for _ in range(2) for c in st.columns(2)]  # 2 x 2: the numbers fit
    for j, (col, word) in enumerate(zip(ncols, VOTE_WORDS, strict=True)):
        state.set_number(j, round(100 * probs[j], 1))
        col.number_input(
            f"{word} %",
            min_value=0.0,
            max_value=100.0,
            step=5.0,
            format="%.1f",
            key=f"num_{VOTES[j]}",
            on_change=on_number,
            args=(j,),
        )
    st.caption("Type one chance; the other three are rescaled so they add up to 100%.")


def sources(page: Page, ref: Mapping[str, str]) -> None:
    """Each member's numbers on the draft, where they come from, and how it really voted."""
    data, spec = page.data, page.spec
    model = spec.model
    perm = set(spec.resolved.council.permanent)
    original = session.base["original"]
    rows = []
    for i, m in enumerate(model.members):
        source = SOURCE_WORDS.get(spec.provenance.get(m, ""), "")
        if spec.provenance.get(m) in ("user", "shifted") and edited_on_draft(data, original, m):
            source = "your edit"
        row = {
            "Member": charts.member_label(m, m in perm),
            **{w: float(model.probs[i, j]) for j, w in enumerate(VOTE_WORDS)},
            "Numbers from": source,
        }
        if ref:
            row["Really voted"] = ref.get(m, "")
        rows.append(row)
    # a plain table, not st.dataframe: the data grid was the page's heaviest element to draw
    # and held back the first number on a new page
    table = pd.DataFrame(rows).set_index("Member")
    st.table(table.style.format("{:.0%}", subset=list(VOTE_WORDS)))
    if data.get("amendments"):
        st.caption("The draft's numbers before any amendment; the chart above shows votes after them.")


def members_tab(page: Page) -> None:
    """Per-member editor with quick actions, and the stacked bars of everyone's votes."""
    left, right = st.columns([2, 3], gap="large")
    with left:
        editor(page)
    ref = reference_votes(page.data)
    with right:
        chart(one_column_legend(charts.member_votes_chart(page.result, ref), columns=2))
    st.subheader("Where each member's numbers come from")
    sources(page, ref)
