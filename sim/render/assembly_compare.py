"""Two Assembly results side by side (the app's Compare section): the headline figures, the
yes-count distributions with their majority lines, the regional groups, the members whose vote
changed and what changed in the scenario. Pure functions (no Streamlit), read by tests as data;
colours, legends and axes as in :mod:`.charts` and :mod:`.comparisons`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import altair as alt
import numpy as np
import pandas as pd

from sim.engine.model import VOTES
from sim.scenario.names import readable_name
from sim.scenario.whatif import make_patch

from .charts import AUTOSIZE, VOTE_COLOURS, legend, name_axis
from .comparisons import vote_state
from .text import pct_strict

if TYPE_CHECKING:
    from sim.assembly.api import AssemblyResult

#: The colours of the results compared, in order: the pinned one grey, the current one blue.
RESULT_COLOURS = (VOTE_COLOURS[3], VOTE_COLOURS[0], VOTE_COLOURS[1], VOTE_COLOURS[2])
#: Probabilities below this are left out of the yes-count chart (as in the page's tally chart).
SHOWN = 1e-5
#: A change of a member's numbers smaller than this (any of the four) is not a change.
TOLERANCE = 0.005
#: Nor, between Monte Carlo results, is one within this many standard errors of the difference.
NOISE_SE = 4.0
#: Names listed in a sentence before "and N more".
LISTED = 12


def _scale(labels: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=list(labels), range=list(RESULT_COLOURS[: len(labels)]))


# --- the headline figures -----------------------------------------------------------------------


def summary_frame(results: Mapping[str, AssemblyResult]) -> pd.DataFrame:
    """P(adopted), the expected tally with 90% intervals, the margin and the majority line of
    each labelled result, as text: one column per result."""
    rows: dict[str, dict[str, str]] = {}
    for label, r in results.items():
        t, m = r.tally(), r.margin()
        voting = r.expected_voting()
        col = {"P(adopted)": pct_strict(r.p_adopted)}
        for key, word in (("yes", "Yes"), ("no", "No"), ("abstain", "Abstain")):
            col[f"{word} (90% interval)"] = f"{t[key]['mean']:.0f} ({t[key]['lo']:.0f}–{t[key]['hi']:.0f})"
        col["Margin, yes votes to spare (90%)"] = f"{m['mean']:+.0f} ({m['lo']:+.0f} to {m['hi']:+.0f})"
        col["Yes votes needed (expected)"] = f"{r.expected_line()} of {voting} voting"
        col["Question"] = r.question
        col["Method"] = "exact" if r.draws is None else f"Monte Carlo, {r.draws:,} draws, seed {r.seed}"
        rows[label] = col
    return pd.DataFrame(rows)


# --- the yes-count distributions ------------------------------------------------------------------


def tally_frame(results: Mapping[str, AssemblyResult]) -> pd.DataFrame:
    """The yes-count distribution of each labelled result, long: result, yes votes, probability
    (counts with a probability under :data:`SHOWN` left out)."""
    rows = [
        {"result": label, "yes votes": k, "probability": float(p)}
        for label, r in results.items()
        for k, p in enumerate(r.yes)
        if p > SHOWN
    ]
    return pd.DataFrame(rows, columns=["result", "yes votes", "probability"])


def lines_frame(results: Mapping[str, AssemblyResult]) -> pd.DataFrame:
    """Each result's majority line: the share of the expected members present and voting that
    its question needs (:meth:`AssemblyResult.expected_line`)."""
    rows = []
    for label, r in results.items():
        what = "two thirds of those present and voting" if r.question == "important" else "majority of those voting"
        line = r.expected_line()
        rows.append({"result": label, "line": line, "what": f"{label}: {what} (expected): {line:.0f}"})
    return pd.DataFrame(rows, columns=["result", "line", "what"])


def compare_tally_chart(results: Mapping[str, AssemblyResult]) -> alt.LayerChart:
    """The yes-count distributions overlaid, each with its majority line (dashed)."""
    labels = list(results)
    colour = alt.Color("result:N", sort=labels, scale=_scale(labels), legend=legend())
    x = alt.X("yes votes:Q", title="Yes votes")
    areas = alt.Chart(tally_frame(results)).mark_area(interpolate="step", opacity=0.35, line=True).encode(
        x=x,
        y=alt.Y("probability:Q", title="Probability", axis=alt.Axis(format="%"), stack=None),
        color=colour,
        tooltip=[alt.Tooltip("result:N", title="Result"), "yes votes",
                 alt.Tooltip("probability:Q", format=".2%")],
    )
    rules = alt.Chart(lines_frame(results)).mark_rule(strokeDash=[5, 3], strokeWidth=2).encode(
        x="line:Q", color=alt.Color("result:N", sort=labels, scale=_scale(labels), legend=None),
        tooltip=[alt.Tooltip("what:N", title="Needed")])
    title = alt.TitleParams("How many yes votes", subtitle="Dashed: the yes votes needed (expected)")
    chart = alt.layer(areas, rules, title=title).properties(autosize=AUTOSIZE, height=240)
    assert isinstance(chart, alt.LayerChart)
    return chart


# --- the regional groups ------------------------------------------------------------------------


def groups_frame(results: Mapping[str, AssemblyResult]) -> pd.DataFrame:
    """Each regional group's expected yes, abstain, no and absent in each labelled result, long."""
    rows = [
        {"result": label, "group": group, "vote": vote, "order": j, "members": float(g[vote])}
        for label, r in results.items()
        for group, g in r.regional_groups().items()
        for j, vote in enumerate(VOTES)
    ]
    return pd.DataFrame(rows, columns=["result", "group", "vote", "order", "members"])


def compare_groups_chart(results: Mapping[str, AssemblyResult]) -> alt.Chart:
    """Each regional group's expected votes, one bar per result (the earlier one paler)."""
    df = groups_frame(results)
    labels = list(results)
    groups = list(dict.fromkeys(df["group"]))
    return (
        alt.Chart(df, title=alt.TitleParams("The regional groups: expected votes",
                                            subtitle=f"Each group: {labels[0]} (paler) above, {labels[1]} below"
                                            if len(labels) == 2 else "One bar per result, the first palest"))
        .mark_bar()
        .encode(
            x=alt.X("members:Q", title="Expected members", stack="zero"),
            y=alt.Y("group:N", sort=groups, title=None, axis=name_axis()),
            yOffset=alt.YOffset("result:N", sort=labels),
            color=alt.Color("vote:N", sort=list(VOTES), scale=alt.Scale(domain=list(VOTES), range=list(VOTE_COLOURS)),
                            legend=legend()),
            order=alt.Order("order:Q"),
            # the subtitle says which bar is which (a second legend was cut off at 1024 px)
            opacity=alt.Opacity("result:N", sort=labels, scale=alt.Scale(range=[0.45, 1.0]), legend=None),
            tooltip=[alt.Tooltip("result:N", title="Result"), alt.Tooltip("group:N", title="Group"),
                     alt.Tooltip("vote:N", title="Vote"), alt.Tooltip("members:Q", title="Expected members",
                                                                       format=".1f")],
        )
        .properties(autosize=AUTOSIZE, height=max(160, 44 * len(groups)))
    )


def _moved(was: float, now: float, fmt: str) -> str:
    """``25.1 → 27.6``, or the one figure if both read the same."""
    a, b = format(was, fmt), format(now, fmt)
    return b if a == b else f"{a} → {b}"


def groups_table(before: AssemblyResult, after: AssemblyResult) -> pd.DataFrame:
    """Each group's expected votes as text: ``25.1 → 27.6`` where it moved (to one decimal), else
    the one figure; groups in either result, in the order of :meth:`AssemblyResult.regional_groups`."""
    old, new = before.regional_groups(), after.regional_groups()
    empty = {"members": 0.0, **{v: 0.0 for v in VOTES}}
    rows = {}
    for group in dict.fromkeys([*new, *old]):
        a, b = old.get(group, empty), new.get(group, empty)
        rows[group] = {"members": _moved(a["members"], b["members"], ".0f"),
                       **{v: _moved(a[v], b[v], ".1f") for v in VOTES}}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("Regional group")


# --- the members whose vote changed -------------------------------------------------------------


@dataclass(frozen=True)
class MemberChange:
    """One member's change: how far its numbers moved (the largest of the four) and in words."""

    code: str
    size: float
    words: str


def _share(probs: np.ndarray, c: int, digits: int = 0) -> str:
    return f"{100 * float(probs[c]):.{digits}f}% {VOTES[c]}"


def _now_and_was(new: np.ndarray, old: np.ndarray) -> tuple[str, str]:
    """The vote now in words (:func:`.comparisons.vote_state`: "votes no", "61% yes") and the
    vote before as its likeliest vote's chance; when the likeliest vote is the same, how its
    chance moved (to a tenth of a point if whole points would not show it)."""
    c, was = int(np.argmax(new)), int(np.argmax(old))
    now_words = vote_state(new)
    if c != was or float(new[c]) >= 0.995:
        return now_words, _share(old, was)
    for digits in (0, 1):
        now_words, old_words = _share(new, c, digits), _share(old, c, digits)
        if now_words != old_words:
            break
    return now_words, old_words


def _variance(r: AssemblyResult) -> np.ndarray:
    """The variance of each member's four simulated frequencies (zero for an exact result)."""
    p = r.member_votes
    return np.zeros_like(p) if r.draws is None else p * (1 - p) / r.draws


def member_changes(before: AssemblyResult, after: AssemblyResult, tolerance: float = TOLERANCE) -> list[MemberChange]:
    """The members whose vote changed, biggest change first (then by name): "France: votes
    yes, was 95% yes". All four votes count (a no turned absence is a change) if one moved by
    more than ``tolerance`` and, for Monte Carlo results, by more than :data:`NOISE_SE`
    standard errors of the difference of two independent runs (else it is simulation noise:
    at 20,000 draws a member at 50% moves by up to 0.8 points from one edit of another member).
    A member of only one result (another date) is listed as having joined or left."""
    was = {m: before.member_votes[i] for i, m in enumerate(before.members)}
    now = {m: after.member_votes[i] for i, m in enumerate(after.members)}
    var_was = dict(zip(before.members, _variance(before), strict=True))
    var_now = dict(zip(after.members, _variance(after), strict=True))
    out = []
    for m in dict.fromkeys([*after.members, *before.members]):
        name = readable_name(m)
        if m not in was:
            out.append(MemberChange(m, 1.0, f"{name}: {vote_state(now[m])}, was not a member"))
        elif m not in now:
            out.append(MemberChange(m, 1.0, f"{name}: not a member, was {_share(was[m], int(np.argmax(was[m])))}"))
        else:
            diff = np.abs(now[m] - was[m])
            bar = np.maximum(tolerance, NOISE_SE * np.sqrt(var_was[m] + var_now[m]))
            size = float(np.max(diff))
            if bool(np.any(diff > bar)):
                now_words, old_words = _now_and_was(now[m], was[m])
                out.append(MemberChange(m, size, f"{name}: {now_words}, was {old_words}"))
    return sorted(out, key=lambda c: (-round(c.size, 3), readable_name(c.code)))


def listed(items: Sequence[str], cap: int = LISTED, sep: str = "; ") -> str:
    """The first ``cap`` items joined, then "and N more" if there are more."""
    shown = sep.join(items[:cap])
    more = len(items) - cap
    return f"{shown}{sep}and {more} more" if more > 0 else shown


# --- what changed in the scenario -----------------------------------------------------------------


#: What a changed part of an Assembly scenario is, in words, in the order listed (the question
#: first, then the votes by name and the text's position with its values, said more finely).
PART_WORDS = {
    "assembly": "the date or the members in arrears",
    "draft": "the draft's topic or sponsor",
    "correlation": "how votes move together",
    "alignment": "the alignment axis",
    "reference": "what really happened",
    "scenario": "the name or description",
}


def _get(data: Mapping[str, Any], *keys: str) -> Any:
    got: Any = data
    for key in keys:
        got = got.get(key) if isinstance(got, Mapping) else None
    return got


def changed_since(pinned: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """What differs between two Assembly scenario dicts, in words, from their JSON merge patch
    (:func:`sim.scenario.whatif.make_patch`): the question and the text's position with their
    values, the vote tables by name, the other parts by what they are. Empty if nothing does."""
    patch: dict[str, Any] = make_patch(dict(pinned), dict(now))
    rest = {part: dict(sub) if isinstance(sub, dict) else sub for part, sub in patch.items()}
    out = []
    if "question" in (rest.get("assembly") or {}):
        rest["assembly"].pop("question")
        new, old = (_get(d, "assembly", "question") or "important" for d in (now, pinned))
        out.append(f"the question ({new}, was {old})")
    if "votes" in rest:
        sub = rest.pop("votes")
        names = sorted(sub) if sub else sorted({*(_get(pinned, "votes") or {}), *(_get(now, "votes") or {})})
        out.append("the votes of " + listed(names, 6, ", "))
    if "position" in (rest.get("draft") or {}):
        rest["draft"].pop("position")
        new, old = ("not set" if v is None else f"{float(v):+.2f}"
                    for v in (_get(now, "draft", "position"), _get(pinned, "draft", "position")))
        out.append(f"the text's position ({new}, was {old})")
    order = [*PART_WORDS, *sorted(set(rest) - set(PART_WORDS))]
    out += [PART_WORDS.get(part, part) for part in order if part in rest and rest[part] != {}]
    return out
