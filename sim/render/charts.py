"""Altair charts of simulation results, built by pure functions (no Streamlit) tests read as data.

Colours are mid-tone so they read on light and dark backgrounds alike; axis and label colours are
left to the host theme (Streamlit's light or dark theme).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from sim.engine.result import SimulationResult
from sim.scenario.names import readable_name

#: Plain-word labels of the four votes, in the column order of ``member_votes``.
VOTE_LABELS = ("Yes", "Abstain", "No", "Absent")
#: Mid-tone colours that read in light and dark themes (blue, amber, red, grey).
VOTE_COLOURS = ("#4c9be8", "#e8b44c", "#e35d5d", "#9aa0a6")
#: The three outcomes of a vote in UN usage: a draft with enough yes votes and a permanent "no" is
#: vetoed; one short of the votes failed, whoever voted no.
OUTCOME_LABELS = (
    "Adopted",
    "Vetoed: enough votes, a permanent no",
    "Failed: too few yes votes",
)
OUTCOME_COLOURS = ("#4c9be8", "#e35d5d", "#e8b44c")
ENOUGH, SHORT = "Enough yes votes to pass", "Too few yes votes"
#: Enough yes votes on a substantive draft: it passes unless a permanent member votes no.
ENOUGH_UNLESS_VETO = "Enough yes votes (a permanent no would veto)"
#: A tally with enough yes votes and some no votes: adopted or vetoed, by who voted no.
ENOUGH_WITH_NO = "Enough yes votes, but a no may be a veto"
PASSES = "Adopted"
PERMANENT_MARK = " ★"
#: Where a member's numbers came from, in plain words (provenance keys of sim.scenario.schema).
SOURCE_WORDS = {
    "user": "set in the scenario",
    "calibrated": "calibrated on past votes",
    "default": "default guess",
    "shifted": "calibrated, then shifted",
    "party to dispute": "party to the dispute: must abstain",
}
PCT = ".1%"


def member_label(code: str, permanent: bool = False) -> str:
    """A member's plain name, marked with a star if it holds a veto."""
    return readable_name(code) + (PERMANENT_MARK if permanent else "")


def member_labels(result: SimulationResult) -> list[str]:
    perm = set(result.permanent)
    return [member_label(m, m in perm) for m in result.members]


def tip(field: str, title: str, fmt: str | None = None) -> alt.Tooltip:
    if fmt is None:
        return alt.Tooltip(field, title=title)
    return alt.Tooltip(field, title=title, format=fmt)


def legend(**kwargs: Any) -> alt.Legend:
    return alt.Legend(title=None, orient="bottom", offset=6, labelLimit=280, **kwargs)


#: Fit the width to the page and keep the given height for the plot itself.
AUTOSIZE = alt.AutoSizeParams(type="fit-x", contains="padding")


def name_axis() -> alt.Axis:
    return alt.Axis(labelLimit=320, labelOverlap=False)


def pct_axis(title: str) -> alt.Axis:
    return alt.Axis(title=title, format="%")


def outcome_breakdown(result: SimulationResult) -> pd.DataFrame:
    """How the vote ends: adopted, vetoed or failed for too few votes; they partition every outcome."""
    values = np.array([result.p_adopted, result.p_vetoed, result.p_short])
    values = np.where(values < 1e-12, 0.0, values)
    values = values / values.sum() if values.sum() > 0 else values
    return pd.DataFrame({"outcome": OUTCOME_LABELS, "p": values, "order": range(len(OUTCOME_LABELS))})


def outcome_chart(result: SimulationResult) -> alt.Chart:
    """One stacked bar: adopted, vetoed (enough votes and a permanent no), failed short of votes."""
    df = outcome_breakdown(result)
    return (
        alt.Chart(df, title="How the vote ends")
        .mark_bar()
        .encode(
            x=alt.X("sum(p):Q", axis=pct_axis("Chance"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "outcome:N",
                scale=alt.Scale(domain=list(OUTCOME_LABELS), range=list(OUTCOME_COLOURS)),
                legend=legend(columns=2),
            ),
            order=alt.Order("order:Q"),
            tooltip=[tip("outcome:N", "Outcome"), tip("p:Q", "Chance", PCT)],
        )
        .properties(autosize=AUTOSIZE, height=60)
    )


VETO_KINDS = (
    "A veto (the draft has the votes)",
    "A no that is not a veto",
)


def veto_frame(result: SimulationResult) -> pd.DataFrame:
    """Per permanent member: P(its no vetoes a draft with enough votes) and P(it votes no otherwise)."""
    rows = []
    for m, p_no in result.p_no_by.items():
        veto = result.p_veto_by[m]
        rows.append({"member": member_label(m), "kind": VETO_KINDS[0], "p": veto, "order": 0})
        rows.append({"member": member_label(m), "kind": VETO_KINDS[1], "p": max(0.0, p_no - veto), "order": 1})
    return pd.DataFrame(rows, columns=["member", "kind", "p", "order"])


def veto_chart(result: SimulationResult) -> alt.Chart:
    """Who would veto: each permanent member's chance of a no, split by whether it is a veto.

    In UN usage a no vetoes only a draft that has the votes; a no on a draft short of votes is
    not a veto.
    """
    df = veto_frame(result)
    title = "Who would veto"
    if result.procedural:
        title = "Procedural vote: no member can veto"
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            x=alt.X("sum(p):Q", axis=pct_axis("Chance of a no vote"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("member:N", sort=list(dict.fromkeys(df["member"])), title=None, axis=name_axis()),
            color=alt.Color("kind:N", scale=alt.Scale(domain=list(VETO_KINDS), range=[VOTE_COLOURS[2], "#f0a8a8"]),
                            legend=legend(columns=1)),
            order=alt.Order("order:Q"),
            tooltip=[tip("member:N", "Member"), tip("kind:N", "What"), tip("p:Q", "Chance", PCT)],
        )
        .properties(autosize=AUTOSIZE, height=max(60, 24 * len(dict.fromkeys(df["member"])) + 30))
    )


def yes_votes_chart(result: SimulationResult) -> alt.LayerChart:
    """The distribution of the number of yes votes, with a rule at the votes needed (9 of 15)."""
    thr = result.threshold
    k = np.arange(result.n + 1)
    enough = ENOUGH if result.procedural or not result.permanent else ENOUGH_UNLESS_VETO
    df = pd.DataFrame(
        {
            "yes": k,
            "p": np.asarray(result.yes_distribution, dtype=float),
            "enough": np.where(k >= thr, enough, SHORT),
            "left": k - 0.4,
            "right": k + 0.4,
        }
    )
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(
                "left:Q",
                title="Number of yes votes",
                scale=alt.Scale(domain=[-0.5, result.n + 0.5], nice=False),
                axis=alt.Axis(values=list(range(result.n + 1)), format="d"),
            ),
            x2="right:Q",
            y=alt.Y("p:Q", axis=pct_axis("Chance")),
            y2=alt.datum(0),
            color=alt.Color(
                "enough:N",
                scale=alt.Scale(domain=[enough, SHORT], range=[VOTE_COLOURS[0], VOTE_COLOURS[3]]),
                legend=legend(),
            ),
            tooltip=[tip("yes:Q", "Yes votes"), tip("p:Q", "Chance", PCT)],
        )
    )
    line = pd.DataFrame(
        {"threshold": [thr], "position": [thr - 0.5], "label": [f"{thr} votes needed"]}
    )
    rule = (
        alt.Chart(line)
        .mark_rule(strokeDash=[6, 4], size=2, color=VOTE_COLOURS[2])
        .encode(x="position:Q")
    )
    text = (
        alt.Chart(line)
        .mark_text(align="right", dx=-4, dy=-6, baseline="top", color=VOTE_COLOURS[2])
        .encode(x="position:Q", y=alt.value(0), text="label:N")
    )
    chart = alt.layer(bars, rule, text, title="How many yes votes").properties(autosize=AUTOSIZE, height=260)
    assert isinstance(chart, alt.LayerChart)
    return chart


def member_votes_frame(
    result: SimulationResult, reference_votes: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Long table: one row per member and vote, with its probability (rows of a member sum to 1).

    With ``reference_votes`` ({ISO3: "yes" | "no" | ...}) a member's label says how it really voted.
    """
    labels = member_labels(result)
    if reference_votes:
        labels = [
            f"{label} (really: {reference_votes[m]})" if m in reference_votes else label
            for label, m in zip(labels, result.members, strict=True)
        ]
    rows = []
    for i, code in enumerate(result.members):
        for j, vote in enumerate(VOTE_LABELS):
            rows.append(
                {
                    "member": labels[i],
                    "code": code,
                    "vote": vote,
                    "order": j,
                    "p": float(result.member_votes[i, j]),
                    "source": SOURCE_WORDS.get(result.provenance.get(code, ""), result.provenance.get(code, "")),
                }
            )
    return pd.DataFrame(rows)


def member_votes_chart(
    result: SimulationResult, reference_votes: Mapping[str, str] | None = None
) -> alt.Chart:
    """Per-member stacked bars of yes/abstain/no/absent; ``reference_votes`` adds the real votes."""
    df = member_votes_frame(result, reference_votes)
    order = list(dict.fromkeys(df["member"]))
    return (
        alt.Chart(df, title="How each member votes")
        .mark_bar()
        .encode(
            x=alt.X("p:Q", axis=pct_axis("Chance"), scale=alt.Scale(domain=[0, 1]), stack="zero"),
            y=alt.Y("member:N", sort=order, title=None, axis=name_axis()),
            color=alt.Color(
                "vote:N",
                scale=alt.Scale(domain=list(VOTE_LABELS), range=list(VOTE_COLOURS)),
                legend=legend(),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("member:N", title="Member"),
                alt.Tooltip("vote:N", title="Vote"),
                alt.Tooltip("p:Q", title="Chance", format=PCT),
                alt.Tooltip("source:N", title="Numbers from"),
            ],
        )
        .properties(autosize=AUTOSIZE, height=max(120, 22 * result.n))
    )


def tally_frame(result: SimulationResult, k: int = 8) -> pd.DataFrame:
    """The ``k`` most likely tallies with a readable label, most likely first."""
    rows = []
    for t in result.tally_top(k):
        label = f"{t['yes']} yes, {t['no']} no, {t['abstain']} abstain"
        if t["absent"]:
            label += f", {t['absent']} absent"
        rows.append({**t, "tally": label, "enough": tally_kind(result, t["yes"], t["no"])})
    return pd.DataFrame(rows, columns=["yes", "no", "abstain", "absent", "p", "tally", "enough"])


def tally_kind(result: SimulationResult, yes: int, no: int) -> str:
    """What a tally means: adopted, enough votes but a no that may be a veto, or too few votes."""
    if yes < result.threshold:
        return SHORT
    if result.procedural or no == 0 or not result.permanent:
        return PASSES
    return ENOUGH_WITH_NO


def tally_chart(result: SimulationResult, k: int = 8) -> alt.Chart:
    """Horizontal bars of the most likely (yes, no, abstain, absent) tallies."""
    df = tally_frame(result, k)
    return (
        alt.Chart(df, title="Most likely tallies")
        .mark_bar()
        .encode(
            x=alt.X("p:Q", axis=pct_axis("Chance")),
            y=alt.Y("tally:N", sort=list(df["tally"]), title=None, axis=name_axis()),
            color=alt.Color(
                "enough:N",
                scale=alt.Scale(domain=[PASSES, ENOUGH_WITH_NO, SHORT],
                                range=[VOTE_COLOURS[0], "#b07cd8", VOTE_COLOURS[3]]),
                legend=legend(columns=1),
            ),
            tooltip=[tip("tally:N", "Tally"), tip("p:Q", "Chance", PCT)],
        )
        .properties(autosize=AUTOSIZE, height=max(80, 24 * len(df)))
    )


def pivotal_chart(result: SimulationResult) -> alt.Chart:
    """Whom to lobby: the chance each member's vote decides the outcome, most pivotal first."""
    df = pd.DataFrame(
        {"member": member_labels(result), "code": list(result.members), "p": result.pivotal.astype(float)}
    )
    df = df.sort_values("p", ascending=False, kind="stable")
    return (
        alt.Chart(df, title="Whom to lobby: chance a member's vote decides the outcome")
        .mark_bar(color=VOTE_COLOURS[0])
        .encode(
            x=alt.X("p:Q", axis=pct_axis("Chance that switching yes ↔ no changes the outcome")),
            y=alt.Y("member:N", sort=list(df["member"]), title=None, axis=name_axis()),
            tooltip=[tip("member:N", "Member"), tip("p:Q", "Decisive", PCT)],
        )
        .properties(autosize=AUTOSIZE, height=max(120, 22 * result.n))
    )


def agreement_frame(result: SimulationResult) -> pd.DataFrame:
    """Long table of P(two members cast the same vote) for every ordered pair of two members."""
    labels = member_labels(result)
    pairs = [(i, j) for i in range(result.n) for j in range(result.n) if i != j]
    return pd.DataFrame(
        {
            "a": [labels[i] for i, _ in pairs],
            "b": [labels[j] for _, j in pairs],
            "p": [float(result.pairwise[i, j]) for i, j in pairs],
        }
    )


def agreement_heatmap(result: SimulationResult) -> alt.Chart:
    """Heatmap of how often each pair of members casts the same vote."""
    df = agreement_frame(result)
    order = member_labels(result)
    return (
        alt.Chart(df, title="How often two members vote the same way")
        .mark_rect()
        .encode(
            x=alt.X(
                "b:N",
                sort=order,
                title=None,
                axis=alt.Axis(labelAngle=-45, labelOverlap=False, labelLimit=160),
            ),
            y=alt.Y("a:N", sort=order, title=None, axis=name_axis()),
            color=alt.Color(
                "p:Q",
                scale=alt.Scale(scheme="viridis", domain=[0, 1]),
                legend=alt.Legend(title="Same vote", format="%"),
            ),
            tooltip=[
                alt.Tooltip("a:N", title="Member"),
                alt.Tooltip("b:N", title="and"),
                alt.Tooltip("p:Q", title="Same vote", format=PCT),
            ],
        )
        .properties(autosize=AUTOSIZE, height=max(200, 26 * result.n))
    )


__all__ = (
    "OUTCOME_LABELS",
    "VOTE_COLOURS",
    "VOTE_LABELS",
    "agreement_heatmap",
    "member_votes_chart",
    "outcome_chart",
    "pivotal_chart",
    "tally_chart",
    "veto_chart",
    "yes_votes_chart",
)
