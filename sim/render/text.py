"""Plain-text reports of results for people reading a terminal (pure: returns strings)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.model import VOTES
from sim.engine.power import PowerIndices
from sim.engine.result import SimulationResult
from sim.scenario.names import readable_name
from sim.scenario.schema import AmendmentReferenceSpec, ReferenceSpec, axis_destinations
from sim.verdict import council_verdict

if TYPE_CHECKING:
    from sim.api import Frontier
    from sim.lobbying import LobbyResult

BAR = 30


def pct(p: float, digits: int = 1) -> str:
    return f"{100 * p:.{digits}f}%"


def pct_strict(p: float, digits: int = 1) -> str:
    """As :func:`pct`, but a probability short of 1 (or above 0) never reads as 100% (or 0%):
    0.9998 is ">99.9%", 0.0001 is "<0.1%"."""
    step = 10.0 ** -(digits + 2)
    if 0 < p < step / 2:
        return f"<{pct(step, digits)}"
    if 1 - step / 2 <= p < 1:
        return f">{pct(1 - step, digits)}"
    return pct(p, digits)


def stacked_bar(probs: Sequence[float], width: int = BAR) -> str:
    """A bar of yes (█), abstain (▒), no (░) and absent (·) proportional to the probabilities."""
    marks = "█▒░·"
    cells = [round(p * width) for p in probs]
    diff = width - sum(cells)
    cells[max(range(len(cells)), key=lambda i: probs[i])] += diff
    return "".join(m * max(c, 0) for m, c in zip(marks, cells, strict=True))


def reference_note(ref: ReferenceSpec | AmendmentReferenceSpec) -> str:
    """What really happened, briefly: 'adopted 10-0-5', 'vetoed (9 yes) by Russian Federation'.

    Tallies the record leaves out are left out here too.
    """
    if ref.yes is not None and ref.no is not None and ref.abstain is not None:
        tally = f" {ref.yes}-{ref.no}-{ref.abstain}" + (f", {ref.absent} absent" if ref.absent else "")
    elif ref.yes is not None:
        tally = f" ({ref.yes} yes)"
    else:
        tally = ""
    by = f" by {', '.join(ref.vetoed_by)}" if ref.vetoed_by else ""
    return f"{ref.outcome}{tally}{by}"


def result_table(
    result: SimulationResult, title: str | None = None, reference: ReferenceSpec | None = None
) -> str:
    """Outcome probabilities with intervals, veto vs shortfall, and per-member bars.

    With the scenario's ``reference``, what really happened is shown beside the model: for the
    draft and for each amendment.
    """
    r = result
    lines = []
    head = title or r.scenario_name or "Scenario"
    kind = "procedural (no veto)" if r.procedural else "substantive"
    lines.append(f"{head}")
    lines.append(f"  {council_verdict(r).text}")
    how = "exact (quadrature)" if r.method == "exact" else f"Monte Carlo, {r.draws:,} draws, seed {r.seed}"
    lines.append(f"  {len(r.members)} members, {r.threshold} votes needed, {kind}; {how}; unsc-sim {r.version}")
    lines.append("")
    lo, hi = r.p_adopted_ci
    ci = "" if r.method == "exact" else f"   95% CI [{pct(lo, 2)}, {pct(hi, 2)}]  (se {pct(r.p_adopted_se, 2)})"
    lines.append(f"  P(adopted)           {pct(r.p_adopted, 2):>8}{ci}")
    if not r.procedural:
        by_veto = sorted(r.p_veto_by.items(), key=lambda kv: -kv[1])
        vetoes = ", ".join(f"{readable_name(m)} {pct(p)}" for m, p in by_veto)
        lines.append(f"  P(vetoed)            {pct(r.p_vetoed, 2):>8}   enough votes and a no by {vetoes}")
    lines.append(f"  P(short of {r.threshold} votes) {pct(r.p_short, 2):>8}   failed, whoever voted no")
    if r.permanent:
        by_no = sorted(r.p_no_by.items(), key=lambda kv: -kv[1])
        nos = ", ".join(f"{readable_name(m)} {pct(p)}" for m, p in by_no)
        lines.append(f"  P(permanent no)      {pct(r.p_permanent_no, 2):>8}   any permanent no: {nos}")
    if reference is not None:
        label = reference.resolution or reference.draft or "the draft"
        lines.append(f"  Really: {reference_note(reference)} ({label})")
    if r.amendments is not None:
        real = {a.name: a for a in reference.amendments} if reference is not None else {}
        lines.append("")
        lines.append("  Amendments (voted first, in order):")
        for name, p, (given_yes, given_no) in zip(
            r.amendments.names, r.amendments.p_adopted, r.amendments.p_draft_given, strict=True
        ):
            gy = "n/a" if given_yes is None else pct(given_yes)
            gn = "n/a" if given_no is None else pct(given_no)
            note = f"; really: {reference_note(real[name])}" if name in real else ""
            lines.append(f"    {name}: P(adopted) {pct(p)}; draft passes {gy} if adopted, {gn} if not{note}")
    lines.append("")
    legend = "█ yes ▒ abstain ░ no · absent"
    lines.append(
        f"  {'Member':<24} {'yes':>6} {'abst.':>6} {'no':>6} {'absent':>6}  {legend:<{BAR}}  pivotal  source"
    )
    for i, m in enumerate(r.members):
        p = r.member_votes[i]
        perm = "*" if m in r.permanent else " "
        src = r.provenance.get(m, "")
        lines.append(
            f"  {perm}{readable_name(m)[:19]:<19} {m:>3} "
            + " ".join(f"{pct(p[j], 0):>6}" for j in range(len(VOTES)))
            + f"  {stacked_bar(list(p))}  {pct(r.pivotal[i]):>7}  {src}"
        )
    lines.append("  * permanent member")
    if r.calibrated_as_of:
        lines.append(f"  calibrated on UN vote records through {r.calibrated_as_of}")
    if r.forecast == "hurdle mixture":
        lines.append("  forecast: the calibrated hurdle mixture (consensus, or a contested vote), as backtested")
    axis = getattr(r, "axis_name", None)  # a result on the alignment axis (sim.api.AxisResult)
    if axis is not None:
        where = position_words(getattr(r, "position", 0.0), axis)
        lines.append(f"  alignment axis {axis!r}: the draft stands at {where}")
        if r.forecast.startswith("marginals ("):
            lines.append(f"  forecast: {r.forecast}")
    lines.append("")
    lines.append("  Most likely tallies (yes-no-abstain, absent):")
    for t in r.tally_top(5):
        lines.append(f"    {t['yes']:>2}-{t['no']}-{t['abstain']}  absent {t['absent']}  {pct(t['p'])}")
    lines.append("")
    lines.append("  Yes votes:")
    peak = max(r.yes_distribution.max(), 1e-12)
    for k, p in enumerate(r.yes_distribution):
        if p < 5e-4 and k < r.threshold - 1:
            continue
        mark = " ◀ needed" if k == r.threshold else ""
        lines.append(f"    {k:>2} {'█' * round(40 * p / peak):<40} {pct(p):>6}{mark}")
    return "\n".join(lines)


def compare_table(results: Sequence[SimulationResult], labels: Sequence[str]) -> str:
    """Side-by-side outcome probabilities and member votes of several scenarios."""
    width = max(14, *(len(label) for label in labels))
    lines = ["  " + " " * 24 + "".join(f"{label[:width]:>{width + 2}}" for label in labels)]

    def row(name: str, values: Sequence[str]) -> None:
        lines.append(f"  {name:<24}" + "".join(f"{v:>{width + 2}}" for v in values))

    row("P(adopted)", [pct(r.p_adopted, 2) for r in results])
    row("  ± se", [pct(r.p_adopted_se, 2) for r in results])
    row("P(vetoed)", [pct(r.p_vetoed, 2) for r in results])
    row("P(short of votes)", [pct(r.p_short, 2) for r in results])
    row("P(permanent no)", [pct(r.p_permanent_no, 2) for r in results])
    members = sorted({m for r in results for m in r.members}, key=lambda m: (m not in results[0].permanent, m))
    for m in members:
        vals = []
        for r in results:
            if m in r.members:
                p = r.member_votes[r.members.index(m)]
                vals.append(f"{pct(p[0], 0)}/{pct(p[1], 0)}/{pct(p[2], 0)}")
            else:
                vals.append("-")
        row(f"{readable_name(m)[:18]} y/a/n", vals)
    return "\n".join(lines)


def power_table(power: PowerIndices) -> str:
    """A priori voting power per member, as fractions and percentages."""
    lines = [f"  {'Member':<26} {'Shapley–Shubik':>22} {'Banzhaf (normalized)':>24} {'Banzhaf (absolute)':>22}"]
    for m, ss in power.shapley_shubik.items():
        bz = power.banzhaf[m]
        ab = power.banzhaf_absolute[m]
        lines.append(f"  {readable_name(m)[:20]:<20} {m:>5} {_frac(ss):>22} {_frac(bz):>24} {_frac(ab):>22}")
    return "\n".join(lines)


def _frac(x: Fraction) -> str:
    return f"{x} ({pct(float(x), 2)})"


def position_words(position: float, axis: str | None) -> str:
    """A position in plain words: ``+0.50 (toward the West)``, ``0.00 (the middle)``."""
    low, high = axis_destinations(axis)
    where = "the origin" if position == 0 else f"toward {high if position > 0 else low}"
    return f"{position:+.2f} ({where})"


def frontier_table(f: Frontier) -> str:
    """P(adopted), P(vetoed), P(short) and the members' P(yes) at each position on the axis,
    the draft's own position (◆) and the one that maximizes P(adopted) (◀ best)."""
    low, high = axis_destinations(f.axis_name)
    how = "exact (quadrature)" if f.method == "exact" else (
        f"Monte Carlo, {f.draws:,} draws at each position, seed {f.seed} (the same at each)")
    lines = [
        f"{f.scenario_name or 'Scenario'}: along the axis {f.axis_name!r}",
        f"  negative: toward {low}; positive: toward {high}; {how}; unsc-sim {f.version}",
        "  loadings: " + ", ".join(f"{m} {v:+.2f}" for m, v in sorted(f.loadings.items(), key=lambda kv: kv[1])),
        "",
    ]
    veto = "" if f.procedural else f" {'vetoed':>7}"
    head = f"  {'position':>9} {'adopted':>8}{veto} {'short':>7}   P(yes): " + " ".join(f"{m:>4}" for m in f.members)
    lines.append(head)
    best = f.best_index
    for k, x in enumerate(f.positions):
        mark = ("◆" if np.isclose(x, f.tabled) else " ")
        v = "" if f.procedural else f" {pct(f.p_vetoed[k]):>7}"
        yes = " ".join(f"{round(100 * p):>4}" for p in f.member_yes[k])
        tail = "  ◀ best" if k == best else ""
        lines.append(f" {mark}{x:>+9.2f} {pct(f.p_adopted[k]):>8}{v} {pct(f.p_short[k]):>7}            {yes}{tail}")
    lines.append("")
    se = "" if f.method == "exact" else f" (se {pct(float(f.p_adopted_se[best]), 2)})"
    lines.append(f"  Best position: {position_words(f.best_position, f.axis_name)}, "
                 f"P(adopted) {pct(float(f.p_adopted[best]), 2)}{se}")
    if any(np.isclose(f.positions, f.tabled)):
        k = int(np.argmin(np.abs(f.positions - f.tabled)))
        lines.append(f"  As tabled (◆): {position_words(f.tabled, f.axis_name)}, "
                     f"P(adopted) {pct(float(f.p_adopted[k]), 2)}")
    else:
        lines.append(f"  As tabled: {position_words(f.tabled, f.axis_name)} (not on this range)")
    lines.append("  P(yes) in percent; the same seed at every position (common random numbers)"
                 if f.method != "exact" else "  P(yes) in percent")
    return "\n".join(lines)


def lobby_table(result: LobbyResult, shown: int = 5) -> str:
    """The minimal plans in words, each with P(adopted) after it and the members it moves."""
    from sim.lobbying import describe

    r = result
    lines = [f"{r.scenario_name or 'Scenario'}: what would it take to reach P(adopted) {pct(r.target, 0)}?",
             f"  Now {pct(r.p_adopted_now)} (exact). A move shifts a member's stance toward yes by s standard "
             "deviations: \"win\" moves it from no to abstain to yes; \"abstains instead of voting no\" only "
             "lifts a veto threat."]
    if r.note:
        lines.append(f"  Note: {r.note}.")
    if r.p_adopted_now >= r.target:
        lines.append("  Already there: no move is needed.")
        return "\n".join(lines)
    if not r.reachable:
        best = r.found.best
        most = best.shift if best else 0.0
        lines.append(f"  Not reachable with at most {r.found.max_moves} moves of up to {most:.1f}.")
        if best is not None:
            lines.append(f"  Best within that: {describe(best)} -> {pct(best.p_adopted)}")
        return "\n".join(lines)
    k = len(r.plans[0].moves)
    lines.append(f"  {len(r.plans)} plan(s) of {k} move(s), cheapest first:")
    index = {m: i for i, m in enumerate(r.members)}
    for j, plan in enumerate(r.plans[:shown], start=1):
        lines.append(f"  {j}. {describe(plan)} -> {pct(plan.p_adopted)}")
        for move in plan.moves:
            p = plan.probs[index[move.member]]
            lines.append(f"       {readable_name(move.member)}: yes {pct(p[0], 0)}, abstain {pct(p[1], 0)}, "
                         f"no {pct(p[2], 0)}, absent {pct(p[3], 0)}")
    return "\n".join(lines)
