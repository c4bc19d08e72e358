"""A result in one plain sentence: the likely outcome, its main cause and the biggest lever, each
with its number, computed from the result's own figures (issue 16).

    Likely fails (P adopted 3%): Russia vetoes in 96% of runs; without a no from Russia, it passes 91% of the time.
    Likely passes (P adopted 86%): 10.4 yes votes expected, 9 needed; the risk is a no from China (9%).

Every number is read off the result, never guessed: for a permanent member m on a substantive
draft, adoption implies m did not vote no, so P(adopted | m does not vote no) is exactly
P(adopted) / (1 - P(m votes no)), in Monte Carlo and exact runs alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.names import readable_name

if TYPE_CHECKING:
    from sim.assembly.api import AssemblyResult
    from sim.engine.result import SimulationResult

#: P(adopted) at or above which a draft "likely passes", and at or below which it "likely fails".
LIKELY = 0.8
UNLIKELY = 0.2


#: Names that take "the" in a sentence ("a no from the United States").
_WITH_THE = ("United ", "USSR", "Republic of ", "Democratic Republic", "Netherlands", "Philippines",
             "Central African", "Dominican Republic", "Gambia", "Bahamas", "Comoros", "Maldives",
             "Marshall Islands", "Solomon Islands", "Czech Republic", "DR Congo", "Holy See")


def member_name(code: str) -> str:
    """A member's name as a sentence uses it: "Russia", "the United States"."""
    name = readable_name(code)
    return f"the {name}" if name.startswith(_WITH_THE) else name


def percent(p: float) -> str:
    """A probability as the verdict writes it: whole percents, "<1%" and ">99%" at the ends."""
    if p < 0.005:
        return "<1%" if p > 0 else "0%"
    if p > 0.995:
        return ">99%" if p < 1 else "100%"
    return f"{100 * p:.0f}%"


def outcome_word(p: float) -> str:
    if p >= LIKELY:
        return "Likely passes"
    if p <= UNLIKELY:
        return "Likely fails"
    return "Could go either way"


@dataclass(frozen=True)
class Verdict:
    """The sentence and the figures its clauses state (``figures``: name -> value)."""

    text: str
    outcome: str
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "outcome": self.outcome, "figures": self.figures}


def expected_yes(result: SimulationResult) -> float:
    return float(np.arange(result.yes_distribution.size) @ result.yes_distribution)


def council_verdict(result: SimulationResult) -> Verdict:
    """The Council's one-line verdict."""
    p = result.p_adopted
    word = outcome_word(p)
    head = f"{word} (P adopted {percent(p)})"
    yes = expected_yes(result)
    figures: dict[str, Any] = {"p_adopted": p, "expected_yes": yes, "threshold": result.threshold}
    vetoes = {m: v for m, v in result.p_veto_by.items() if v > 0}
    nos = result.p_no_by
    if word != "Likely passes" and not result.procedural and vetoes and result.p_vetoed >= result.p_short:
        m = max(vetoes, key=lambda k: vetoes[k])
        without = min(1.0, p / (1.0 - nos[m])) if nos[m] < 1.0 else 0.0
        figures.update({"vetoer": m, "p_veto": vetoes[m], "p_adopted_without_no": without})
        cause = f"{_cap(member_name(m))} vetoes in {percent(vetoes[m])} of runs"
        lever = f"without a no from {member_name(m)}, it passes {percent(without)} of the time"
        return Verdict(f"{head}: {cause}; {lever}.", word, figures)
    if word != "Likely passes":
        swing = _swing(result)
        figures.update({"p_short": result.p_short})
        cause = (f"it falls short of {result.threshold} yes votes in {percent(result.p_short)} of runs "
                 f"({yes:.1f} expected)")
        if swing is None:
            return Verdict(f"{head}: {cause}.", word, figures)
        figures.update({"swing": result.members[swing], "p_decisive": float(result.pivotal[swing])})
        lever = (f"the member most often decisive is {member_name(result.members[swing])} "
                 f"({percent(float(result.pivotal[swing]))} of runs)")
        return Verdict(f"{head}: {cause}; {lever}.", word, figures)
    cause = f"{yes:.1f} yes votes expected, {result.threshold} needed"
    if not result.procedural and nos and max(nos.values()) > 0:
        m = max(nos, key=lambda k: nos[k])
        figures.update({"risk": m, "p_no": nos[m]})
        return Verdict(f"{head}: {cause}; the risk is a no from {member_name(m)} ({percent(nos[m])}).",
                       word, figures)
    figures.update({"p_short": result.p_short})
    return Verdict(f"{head}: {cause}; the risk is falling short ({percent(result.p_short)}).", word, figures)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _swing(result: SimulationResult) -> int | None:
    """The member most often decisive among those not sure to vote yes."""
    candidates = [i for i in range(result.n) if result.member_votes[i, 0] < 0.999 and result.pivotal[i] > 0]
    if not candidates:
        return None
    return max(candidates, key=lambda i: float(result.pivotal[i]))


def assembly_verdict(result: AssemblyResult) -> Verdict:
    """The Assembly's one-line verdict: the tally against the majority line, and the margin."""
    p = result.p_adopted
    word = outcome_word(p)
    t = result.tally()
    yes, no = t["yes"]["mean"], t["no"]["mean"]
    line = result.expected_line()
    m = result.margin()
    figures = {"p_adopted": p, "expected_yes": yes, "expected_no": no, "line": line,
               "margin_lo": m["lo"], "margin_hi": m["hi"]}
    which = "two thirds" if result.question == "important" else "a majority"
    head = f"{word} (P adopted {percent(p)})"
    return Verdict(
        f"{head}: {yes:.0f} yes and {no:.0f} no expected, against {which} of those voting ({line}); "
        f"the margin runs from {m['lo']:+d} to {m['hi']:+d} yes votes (90%).", word, figures)
