"""Plain-text tables of an Assembly result (:class:`sim.assembly.api.AssemblyResult`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.scenario.names import display_name
from sim.verdict import assembly_verdict

from .text import pct, pct_strict, stacked_bar

if TYPE_CHECKING:
    from sim.assembly.api import AssemblyResult
    from sim.assembly.scenario import AssemblyAmendmentReference, AssemblyReference
    from sim.engine.result import AmendmentResult

#: Members listed by name in the table: those likeliest to vote no and to abstain.
LISTED = 8
#: Paths through the amendments below this probability are counted, not listed.
PATH_FLOOR = 0.0005


def _majority(question: str) -> str:
    if question == "important":
        return "important question (Art. 18(2)): two thirds of the members present and voting"
    return "simple question (Art. 18(3)): a majority of the members present and voting"


def _recorded(ref: AssemblyAmendmentReference) -> str:
    """'adopted 94 – 15 – 66', or just 'adopted' when the record's tally is not given."""
    tally = [ref.yes, ref.no, ref.abstain]
    return ref.outcome + (" " + " – ".join(str(v) for v in tally) if None not in tally else "")


def _amendment_lines(a: AmendmentResult, recorded: list[AssemblyAmendmentReference]) -> list[str]:
    """Each amendment's P(adopted) and the draft's chances after it, then the paths."""
    from sim.engine.amendments import VotePath

    real = {ref.name: ref for ref in recorded}
    lines = ["", "  Amendments (voted first, in order, each by the same majority as the draft):"]
    for j, (name, p, (if_yes, if_no)) in enumerate(zip(a.names, a.p_adopted, a.p_draft_given, strict=True)):
        gy = "n/a" if if_yes is None else pct(if_yes)
        gn = "n/a" if if_no is None else pct(if_no)
        note = f"; recorded: {_recorded(real[name])}" if name in real else ""
        lines.append(f"    A{j + 1} {name}: P(adopted) {pct(p)}; the draft passes {gy} if adopted, {gn} if not{note}")
    lines.append("  Paths (each amendment, then the draft):")
    rare = 0
    for path in VotePath.every(len(a.names)):
        p = a.paths.get(path, 0.0)
        if p < PATH_FLOOR:
            rare += p > 0.0
            continue
        lines.append(f"    {pct(p):>6}  {path.short()}, draft {'adopted' if path.draft else 'not adopted'}")
    if rare:
        lines.append(f"    ({rare} other path{'s' if rare > 1 else ''}, each below {pct(PATH_FLOOR, 2)})")
    return lines


def _signed(x: float) -> str:
    """A whole number with its sign, never "-0"."""
    k = round(x)
    return f"{k:+d}"


def likeliest(p: np.ndarray, k: int, least: float = 1e-300) -> list[int]:
    """The members (indices) of the ``k`` highest ``p``, highest first (ties in member order),
    leaving out those below ``least``: none when no member can vote so, or decides the vote."""
    return [int(i) for i in np.argsort(-p, kind="stable")[:k] if p[i] >= least]


#: The least P(decisive) the table names a member for (0.01%): below it, pivots are noise.
PIVOT_SHOWN = 1e-4


def assembly_table(r: AssemblyResult, reference: AssemblyReference | None = None) -> str:
    """The tally with its intervals, the margin, the majority line, any amendments and the paths
    through them, the regional groups and the members likeliest to vote no or abstain; the
    recorded vote beside it when there is one."""
    how = "exact" if r.method == "exact" else f"Monte Carlo, {r.draws:,} draws, seed {r.seed}"
    t = r.tally()
    voting = r.expected_voting()
    line = r.expected_line()
    m = r.margin()
    se = r.p_adopted_se
    lines = [
        f"{r.scenario_name}: General Assembly, {r.date.isoformat()}, {r.n} members ({how}; unsc-sim {r.version})",
        f"  {assembly_verdict(r).text}",
        f"  {_majority(r.question)}; abstentions and absences do not count",
        f"  P(adopted) {pct_strict(r.p_adopted)}" + (
            f" (95% interval {pct_strict(r.p_adopted_ci[0], 2)}–{pct_strict(r.p_adopted_ci[1], 2)})"
            if se is not None else ""),
        f"  Expected tally, yes – no – abstain (90% intervals): {r.tally_line()}",
        f"  Required: {line} yes of about {voting} present and voting; margin {_signed(m['mean'])} "
        f"({m['lo']:+d} to {m['hi']:+d}): the yes votes that could turn to abstentions and it still pass",
    ]
    if r.arrears:
        lines.append("  In arrears (Art. 19), no vote: " + ", ".join(display_name(c) for c in r.arrears))
    if r.amendments is not None:
        lines += _amendment_lines(r.amendments, reference.amendments if reference is not None else [])
    lines += ["", f"  {'Regional group':<38} {'members':>7} {'yes':>6} {'abstain':>8} {'no':>6} {'absent':>7}"]
    for group, g in r.regional_groups().items():
        lines.append(f"  {group:<38} {g['members']:>7.0f} {g['yes']:>6.1f} {g['abstain']:>8.1f} {g['no']:>6.1f} "
                     f"{g['absent']:>7.1f}")
    order_no, order_ab = likeliest(r.member_votes[:, 2], LISTED), likeliest(r.member_votes[:, 1], LISTED)
    for title, order in (("Likeliest to vote no", order_no), ("Likeliest to abstain", order_ab)):
        if not order:
            lines += ["", f"  {title}: none (no member can)"]
            continue
        lines += ["", f"  {title}:"]
        for i in order:
            code = r.members[i]
            lines.append(f"  {display_name(code)[:24]:<24} {code:>4} {stacked_bar(r.member_votes[i])} "
                         f"yes {pct(r.member_votes[i, 0], 0):>4}  abstain {pct(r.member_votes[i, 1], 0):>4}  "
                         f"no {pct(r.member_votes[i, 2], 0):>4}")
    if r.pivotal is not None:
        top = likeliest(r.pivotal, 5, PIVOT_SHOWN)
        if top:
            lines += ["", "  Pivotal (P their yes-or-no decides the vote): " + ", ".join(
                f"{display_name(r.members[i])} {pct(float(r.pivotal[i]), 2)}" for i in top)]
        else:
            lines += ["", f"  Pivotal: no member's yes-or-no decides the vote in as many as "
                          f"{pct(PIVOT_SHOWN, 2)} of cases"]
    if reference is not None:
        yes_lo, yes_hi = t["yes"]["lo"], t["yes"]["hi"]
        inside = "inside" if yes_lo <= reference.yes <= yes_hi else "outside"
        lines += ["", f"  Recorded: {reference.outcome}, {reference.yes} – {reference.no} – {reference.abstain}"
                      f" ({reference.resolution or reference.draft or 'vote'}; {reference.source})",
                  f"  The recorded yes count is {inside} the 90% interval {yes_lo}–{yes_hi}."]
    return "\n".join(lines)
