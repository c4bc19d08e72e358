"""Altair charts of a frontier along the alignment axis (:class:`sim.api.Frontier`): the three
outcomes against the position, with the draft's position and the best one marked; and each
member's P(yes), so that one sees who leaves first on each side. Pure: data in, chart spec out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from sim.scenario.names import readable_name
from sim.scenario.schema import axis_destinations

from .charts import AUTOSIZE, OUTCOME_COLOURS, OUTCOME_LABELS, PERMANENT_MARK, legend, pct_axis, tip

if TYPE_CHECKING:
    from sim.api import Frontier

PCT = ".1%"


def position_title(axis: str | None) -> str:
    """The x axis's title in plain words: ``← toward Russia/China · toward the West →``."""
    low, high = axis_destinations(axis)
    return f"← toward {low}   ·   where the text stands   ·   toward {high} →"


def frontier_frame(f: Frontier) -> pd.DataFrame:
    """Tidy rows: position, outcome (plain words), p, order; P(vetoed) left out on a procedural vote."""
    rows = []
    series = [f.p_adopted, f.p_vetoed, f.p_short]
    for k, x in enumerate(f.positions):
        for j, (label, values) in enumerate(zip(OUTCOME_LABELS, series, strict=True)):
            if j == 1 and f.procedural:
                continue
            rows.append({"position": float(x), "outcome": label, "p": float(values[k]), "order": j})
    return pd.DataFrame(rows)


def marks_frame(f: Frontier, current: float) -> pd.DataFrame:
    """The two marked positions: where the text stands now, and where P(adopted) is highest."""
    best = f.best_index
    return pd.DataFrame([
        {"position": float(current), "mark": "Where the text stands", "p": None},
        {"position": f.best_position, "mark": "Best chance of adoption", "p": float(f.p_adopted[best])},
    ])


def frontier_chart(f: Frontier, current: float, height: int = 260) -> alt.LayerChart:
    """P(adopted), P(vetoed) and P(short) against the position; a rule where the text stands,
    a point at the best position."""
    df = frontier_frame(f)
    labels = [label for j, label in enumerate(OUTCOME_LABELS) if not (j == 1 and f.procedural)]
    colours = [c for j, c in enumerate(OUTCOME_COLOURS) if not (j == 1 and f.procedural)]
    x = alt.X("position:Q", title=position_title(f.axis_name))
    lines = alt.Chart(df).mark_line(strokeWidth=2.5).encode(
        x=x,
        y=alt.Y("p:Q", axis=pct_axis("Chance"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("outcome:N", scale=alt.Scale(domain=labels, range=colours), legend=legend(),
                        sort=labels),
        tooltip=[tip("position:Q", "Position", ".2f"), tip("outcome:N", "Outcome"), tip("p:Q", "Chance", PCT)],
    )
    marks = marks_frame(f, current)
    now = alt.Chart(marks[marks["mark"] == "Where the text stands"]).mark_rule(
        strokeDash=[4, 3], strokeWidth=2, color="#9aa0a6").encode(
        x="position:Q", tooltip=[tip("mark:N", "Mark"), tip("position:Q", "Position", ".2f")])
    best = alt.Chart(marks[marks["mark"] == "Best chance of adoption"]).mark_point(
        shape="diamond", size=160, filled=True, color=OUTCOME_COLOURS[0]).encode(
        x="position:Q", y="p:Q",
        tooltip=[tip("mark:N", "Mark"), tip("position:Q", "Position", ".2f"), tip("p:Q", "P(adopted)", PCT)])
    chart = alt.layer(lines, now, best).properties(height=height, autosize=AUTOSIZE)
    assert isinstance(chart, alt.LayerChart)
    return chart


def member_yes_frame(f: Frontier) -> pd.DataFrame:
    """Tidy rows of P(yes) by member and position, for the members that load on the axis
    (the others do not move), with each member's loading."""
    perm = set(f.permanent)
    rows = []
    for i, m in enumerate(f.members):
        lam = f.loadings.get(m, 0.0)
        if lam == 0.0:
            continue
        name = readable_name(m) + (PERMANENT_MARK if m in perm else "")
        for k, x in enumerate(f.positions):
            rows.append({"position": float(x), "member": name, "code": m, "loading": lam,
                         "p_yes": float(f.member_yes[k, i])})
    return pd.DataFrame(rows)


def member_yes_chart(f: Frontier, current: float, height: int = 260) -> alt.LayerChart:
    """Each loading member's P(yes) against the position: lines fall on the side it leaves."""
    df = member_yes_frame(f)
    x = alt.X("position:Q", title=position_title(f.axis_name))
    lines = alt.Chart(df).mark_line(strokeWidth=2).encode(
        x=x,
        y=alt.Y("p_yes:Q", axis=pct_axis("Chance of a yes"), scale=alt.Scale(domain=[0, 1])),
        # 20 distinct colours: a Council's 15 members never share one (the default has 10)
        color=alt.Color("member:N", legend=legend(columns=3), scale=alt.Scale(scheme="tableau20"),
                        sort=alt.EncodingSortField("loading", order="descending")),
        tooltip=[tip("member:N", "Member"), tip("loading:Q", "Loading", "+.2f"),
                 tip("position:Q", "Position", ".2f"), tip("p_yes:Q", "Chance of a yes", PCT)],
    )
    now = alt.Chart(pd.DataFrame({"position": [float(current)]})).mark_rule(
        strokeDash=[4, 3], strokeWidth=2, color="#9aa0a6").encode(x="position:Q")
    chart = alt.layer(lines, now).properties(height=height, autosize=AUTOSIZE)
    assert isinstance(chart, alt.LayerChart)
    return chart


def leaves_first(f: Frontier, current: float) -> tuple[str | None, str | None]:
    """Toward each end from ``current``, the member whose P(yes) falls most over the range:
    (toward the negative end, toward the positive end), as plain names."""
    import numpy as np

    k = int(np.argmin(np.abs(f.positions - current)))
    out: list[str | None] = []
    for end in (0, len(f.positions) - 1):
        change = f.member_yes[end] - f.member_yes[k]  # moving from where the text stands to the end
        i = int(np.argmin(change))
        out.append(readable_name(f.members[i]) if end != k and change[i] < -0.005 else None)
    return out[0], out[1]
