"""The What would it take tab: the smallest lobbying plan that lifts the chance of adoption to a
target, with a button that applies it as edits (so the share link carries it); then whose vote
most often decides the outcome, and how the chance moves when each member leans."""

from __future__ import annotations

import streamlit as st

from sim.engine.lobby import Plan
from sim.engine.sensitivity import DEFAULT_SHIFT
from sim.errors import InputError
from sim.lobbying import describe
from sim.render import charts, comparisons
from sim.scenario import whatif
from sim.scenario.names import readable_name
from unsc_app import state
from unsc_app.compute import Page, cached_lobby, cached_sensitivity, cached_step_gains
from unsc_app.display import chart, pct


def lobby_tab(page: Page) -> None:
    """The plan search first; then who is pivotal, and what each member's lean would change."""
    plans(page)
    st.subheader("Whom to lobby")
    gains = cached_step_gains(page.canon, page.history)
    if gains.empty:
        st.caption("No member has a vote left to move.")
    else:
        chart(comparisons.step_gains_chart(gains))
        top = gains.sort_values("points", ascending=False).iloc[0]
        st.caption(f"One step of a member's vote: all its chance of a no turned into an abstention, or all "
                   f"its abstention into a yes. The biggest lever: {top['name']}, {top['step']}, "
                   f"{top['points']:+.1f} points. Members who never cast a yes or a no are not listed.")
    result = page.result
    with st.expander("Pivot probabilities (detail)"):
        chart(charts.pivotal_chart(result))
        order = sorted(range(result.n), key=lambda i: -result.pivotal[i])[:3]
        names = ", ".join(f"{readable_name(result.members[i])} ({pct(result.pivotal[i])})" for i in order)
        st.caption(
            "A member is decisive when switching its vote between yes and no, with everyone else's "
            f"votes unchanged, changes whether the draft passes. Most often decisive: {names}."
        )
    leaning(page)


def plans(page: Page) -> None:
    """The target slider, the minimal plans in words, and a button per plan that applies it."""
    st.subheader("What would it take")
    c1, c2 = st.columns([3, 1])
    target = c1.slider("Chance of adoption to reach", 0.05, 0.99, 0.9, 0.01, key="lobby_target", format="%.2f")
    max_moves = int(c2.number_input("At most this many members", 1, 3, 3, key="lobby_moves"))
    try:
        found = cached_lobby(page.canon, float(target), max_moves, page.history)
    except (InputError, ValueError) as exc:
        st.error(f"Could not search: {exc}")
        return
    st.caption(f"Now {pct(found.p_adopted_now)} (exact, the draft as tabled). A move shifts a member's stance "
               "toward yes; \"win\" turns no into abstain and abstain into yes, \"abstains instead of voting no\" "
               "only lifts a veto threat." + (f" Note: {found.note}." if found.note else ""))
    if found.p_adopted_now >= found.target:
        st.success("Already there: no move is needed.")
        return
    if not found.reachable:
        best = found.found.best
        st.warning(f"Not reachable with at most {max_moves} member(s)." + (
            f" The best within that: {describe(best)} → {pct(best.p_adopted)}." if best else ""))
        return
    for j, plan in enumerate(found.plans[:5]):
        a, b = st.columns([4, 1])
        a.markdown(f"**{j + 1}. {describe(plan)} → {pct(plan.p_adopted)}**")
        if b.button("Apply", key=f"lobby_apply_{j}"):
            apply_plan(page, plan)
            st.rerun()


def apply_plan(page: Page, plan: Plan) -> None:
    """The plan as edits on the draft: each moved member gets its numbers after the plan."""
    data = page.data
    index = {m: i for i, m in enumerate(page.result.members)}
    for move in plan.moves:
        probs = tuple(float(x) for x in plan.probs[index[move.member]])
        data = whatif.set_vote(data, "draft", move.member, probs)
    state.commit(data)


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
