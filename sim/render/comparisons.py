"""Altair charts that set runs side by side: the amendment paths of one vote, a sensitivity
sweep, and several scenarios compared. Pure functions, as in :mod:`.charts`, whose colours,
labels and axes they share.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from sim.engine.amendments import VotePath
from sim.engine.result import AmendmentResult, SimulationResult

from .charts import AUTOSIZE, PCT, SHORT, VOTE_COLOURS, legend, member_label, member_labels, name_axis, pct_axis


def amendment_paths_frame(amendments: AmendmentResult) -> pd.DataFrame:
    """One row per path (amendment outcomes, then the draft's), with short labels A1, A2, ..."""
    rows = [
        {
            "path": path.short(),
            "draft": "Draft adopted" if path.draft else "Draft not adopted",
            "p": float(amendments.paths.get(path, 0.0)),
        }
        for path in VotePath.every(len(amendments.names))
    ]
    return pd.DataFrame(rows)


def amendment_paths_chart(amendments: AmendmentResult) -> alt.Chart:
    """Stacked bars: chance of each sequence of amendment outcomes, split by the draft's fate."""
    df = amendment_paths_frame(amendments)
    order = list(dict.fromkeys(df["path"]))
    return (
        alt.Chart(df, title="Paths through the amendments (voted in order, before the draft)")
        .mark_bar()
        .encode(
            x=alt.X("p:Q", axis=pct_axis("Chance"), stack="zero"),
            y=alt.Y("path:N", sort=order, title=None, axis=name_axis()),
            color=alt.Color(
                "draft:N",
                scale=alt.Scale(
                    domain=["Draft adopted", "Draft not adopted"],
                    range=[VOTE_COLOURS[0], VOTE_COLOURS[2]],
                ),
                legend=legend(),
            ),
            tooltip=[
                alt.Tooltip("path:N", title="Amendments"),
                alt.Tooltip("draft:N", title="Then"),
                alt.Tooltip("p:Q", title="Chance", format=PCT),
            ],
        )
        .properties(autosize=AUTOSIZE, height=max(80, 30 * len(order)))
    )


def sensitivity_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Long table of the change in P(adopted) per member and direction, most influential first."""
    spread = (df["change_yes"].abs() + df["change_no"].abs()).to_numpy()
    order = np.argsort(-spread, kind="stable")
    rows = []
    for i in order:
        r = df.iloc[int(i)]
        label = member_label(str(r["member"]), bool(r["permanent"]))
        for direction, col, p in (
            ("Leans toward yes", "change_yes", "toward_yes"),
            ("Leans toward no", "change_no", "toward_no"),
        ):
            rows.append(
                {"member": label, "direction": direction, "change": float(r[col]), "p": float(r[p])}
            )
    return pd.DataFrame(rows, columns=["member", "direction", "change", "p"])


def sensitivity_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Diverging bars: how P(adopted) moves when each member leans toward yes or toward no."""
    long = sensitivity_frame(df)
    order = list(dict.fromkeys(long["member"]))
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(
                "change:Q", axis=alt.Axis(title="Change in the chance of adoption", format="+%")
            ),
            y=alt.Y("member:N", sort=order, title=None, axis=name_axis()),
            color=alt.Color(
                "direction:N",
                scale=alt.Scale(
                    domain=["Leans toward yes", "Leans toward no"],
                    range=[VOTE_COLOURS[0], VOTE_COLOURS[2]],
                ),
                legend=legend(),
            ),
            tooltip=[
                alt.Tooltip("member:N", title="Member"),
                alt.Tooltip("direction:N", title="If it"),
                alt.Tooltip("change:Q", title="Change", format="+.1%"),
                alt.Tooltip("p:Q", title="Chance of adoption then", format=PCT),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=VOTE_COLOURS[3]).encode(x="x:Q")
    chart = alt.layer(bars, zero, title="What would change the outcome").properties(
        autosize=AUTOSIZE, height=max(120, 22 * len(order))
    )
    assert isinstance(chart, alt.LayerChart)
    return chart


def compare_frame(results: Mapping[str, SimulationResult]) -> pd.DataFrame:
    """Outcome probabilities of several labelled results, one row per result and outcome."""
    rows = []
    for label, r in results.items():
        outcomes = (("Adopted", r.p_adopted), ("Vetoed", r.p_vetoed), (SHORT, r.p_short))
        for outcome, p in outcomes:
            rows.append({"result": label, "outcome": outcome, "p": float(p)})
    return pd.DataFrame(rows, columns=["result", "outcome", "p"])


def compare_chart(results: Mapping[str, SimulationResult]) -> alt.Chart:
    """Grouped bars of P(adopted), P(vetoed) and P(too few votes) for labelled results."""
    df = compare_frame(results)
    labels = list(results)
    return (
        alt.Chart(df, title="Pinned result and the current what-if")
        .mark_bar()
        .encode(
            x=alt.X("p:Q", axis=pct_axis("Chance"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("outcome:N", sort=["Adopted", "Vetoed", SHORT], title=None),
            yOffset=alt.YOffset("result:N", sort=labels),
            color=alt.Color(
                "result:N",
                sort=labels,
                scale=alt.Scale(range=[VOTE_COLOURS[3], VOTE_COLOURS[0], VOTE_COLOURS[1]]),
                legend=legend(),
            ),
            tooltip=[
                alt.Tooltip("result:N", title="Result"),
                alt.Tooltip("outcome:N", title="Outcome"),
                alt.Tooltip("p:Q", title="Chance", format=PCT),
            ],
        )
        .properties(autosize=AUTOSIZE, height=200)
    )


#: A vote category as a state: "votes yes", "abstains", "votes no", "absent".
_STATE = ("yes", "abstain", "no", "absent")
_STATE_WORDS = ("votes yes", "abstains", "votes no", "absent")


def vote_state(probs: np.ndarray) -> str:
    """A member's four probabilities in words: its likeliest vote, with its chance unless sure:
    "absent", "96% no"."""
    c = int(np.argmax(probs))
    if probs[c] >= 0.995:
        return _STATE_WORDS[c]
    return f"{100 * float(probs[c]):.0f}% {_STATE[c]}"


def member_changes(before: SimulationResult, after: SimulationResult, tolerance: float = 0.005) -> list[str]:
    """Members whose vote changed between two results, in words: "Russia: absent, was 96% no".
    All four categories count: a no turned absence is a change even if P(yes) is the same."""
    from sim.scenario.names import readable_name

    was = {m: before.member_votes[i] for i, m in enumerate(before.members)}
    out = []
    for i, m in enumerate(after.members):
        old = was.get(m)
        new = after.member_votes[i]
        if old is None:
            out.append(f"{readable_name(m)}: {vote_state(new)}, was not a member")
        elif float(np.max(np.abs(new - old))) > tolerance:
            now_words, old_words = vote_state(new), vote_state(old)
            if now_words == old_words:  # the same likeliest vote: say how its chance moved
                c = int(np.argmax(new))
                old_words = f"{100 * float(old[c]):.0f}% {_STATE[c]}"
                now_words = f"{100 * float(new[c]):.0f}% {_STATE[c]}"
            out.append(f"{readable_name(m)}: {now_words}, was {old_words}")
    return out


def compare_members_chart(results: Mapping[str, SimulationResult]) -> alt.Chart:
    """Each member's four vote probabilities in several labelled results, side by side."""
    rows = []
    labels = list(results)
    order: list[str] = []
    for label, r in results.items():
        names = member_labels(r)
        order.extend(n for n in names if n not in order)
        for i, name in enumerate(names):
            for j, vote in enumerate(_STATE):
                rows.append({"result": label, "member": name, "vote": vote, "order": j,
                             "p": float(r.member_votes[i, j])})
    df = pd.DataFrame(rows, columns=["result", "member", "vote", "order", "p"])
    return (
        alt.Chart(df, title="How each member votes")
        .mark_bar()
        .encode(
            x=alt.X("p:Q", axis=pct_axis("Chance"), scale=alt.Scale(domain=[0, 1]), stack="zero"),
            y=alt.Y("member:N", sort=order, title=None, axis=name_axis()),
            yOffset=alt.YOffset("result:N", sort=labels),
            color=alt.Color("vote:N", sort=list(_STATE), scale=alt.Scale(domain=list(_STATE), range=list(VOTE_COLOURS)),
                            legend=legend()),
            order=alt.Order("order:Q"),
            opacity=alt.Opacity("result:N", sort=labels, scale=alt.Scale(range=[0.45, 1.0]), legend=legend()),
            tooltip=[
                alt.Tooltip("result:N", title="Result"),
                alt.Tooltip("member:N", title="Member"),
                alt.Tooltip("vote:N", title="Vote"),
                alt.Tooltip("p:Q", title="Chance", format=PCT),
            ],
        )
        .properties(autosize=AUTOSIZE, height=max(160, 34 * len(order)))
    )


def step_gains_chart(df: pd.DataFrame) -> alt.Chart:
    """Points of P(adopted) gained by each member's one-step move, veto holders apart from the
    members whose yes makes up the quota."""
    order = list(df.sort_values("points", ascending=False)["name"].drop_duplicates())
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("points:Q", title="Points of P(adopted) gained"),
        y=alt.Y("name:N", sort=order, title=None, axis=name_axis()),
        color=alt.Color("step:N", scale=alt.Scale(domain=["no to abstain", "abstain to yes"],
                                                  range=[VOTE_COLOURS[1], VOTE_COLOURS[0]]), legend=legend()),
        yOffset="step:N",
        tooltip=[alt.Tooltip("name:N", title="Member"), alt.Tooltip("step:N", title="If it moves"),
                 alt.Tooltip("points:Q", title="Points gained", format="+.1f"),
                 alt.Tooltip("p_after:Q", title="Chance of adoption then", format=PCT)],
    )
    chart = bars.facet(row=alt.Row("role:N", title=None, sort=["can veto"]), spacing=8).resolve_scale(
        y="independent").properties(title="Whom to lobby: what one step of each member's vote gains")
    assert isinstance(chart, alt.FacetChart)
    return chart  # type: ignore[return-value]
