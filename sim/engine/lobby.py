"""What would it take: the smallest set of moves that lifts P(adopted) to a target (issue 16).

A **move** shifts one member's latent stance toward yes by ``s`` standard deviations:

* ``to_yes`` moves the whole stance (the scenario's ``shift``): no turns to abstain and abstain
  to yes;
* ``no_to_abstain`` moves only the cut between no and abstain, so only no turns to abstain: the
  usual ask of a permanent member, whose no is a veto. (For an elected member a no and an
  abstention count the same in the Council, so this move is offered to veto holders only.)

A **plan** is a set of moves on distinct members with one common shift ``s``; its cost is the
number of moves, then ``s``. P(adopted) never falls as a shift grows (more yes and fewer no never
hurt a draft under Article 27), so for a set of moves the smallest shift on the grid that reaches
the target is found by bisection, after one check at the largest shift. The search runs through
sets of 1, 2, ... moves and stops at the first size with a plan: that size is minimal, and every
set of that size is tried, so the plans it returns are all the minimal ones. Exact throughout.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from sim.scenario.build import shift_probs

from .exact import event_probabilities
from .model import ABSENT, NO, YES, VoteModel

KINDS = ("to_yes", "no_to_abstain")
#: The shift grid: STEP, 2·STEP, ... up to MAX_SHIFT standard deviations.
STEP = 0.1
MAX_SHIFT = 3.0


@dataclass(frozen=True)
class Move:
    member: str
    kind: str
    shift: float


@dataclass(frozen=True)
class Plan:
    moves: tuple[Move, ...]
    p_adopted: float
    probs: np.ndarray  # (n, 4): every member's probabilities after the plan

    @property
    def shift(self) -> float:
        return self.moves[0].shift if self.moves else 0.0


@dataclass(frozen=True)
class LobbyPlans:
    target: float
    p_adopted_now: float
    reachable: bool
    plans: tuple[Plan, ...]  # the minimal plans, cheapest shift first (empty if unreachable)
    best: Plan | None  # unreachable: the best P(adopted) within max_moves at the largest shift
    max_moves: int
    evaluations: int
    #: False when the search stopped at its evaluation budget before trying every set of the
    #: size it reached: the plans found reach the target but may not be minimal.
    complete: bool = True


def moved(probs: Sequence[float], kind: str, shift: float) -> np.ndarray:
    """A member's (yes, abstain, no, absent) after a move of ``shift`` of ``kind``; absence kept.
    ``to_yes`` is the scenario's ``shift`` (:func:`sim.scenario.build.shift_probs`)."""
    if kind == "to_yes":
        return np.array(shift_probs(probs, shift))
    if kind != "no_to_abstain":
        raise ValueError(f"a move is one of {', '.join(KINDS)}, got {kind!r}")
    yes, abstain, no, absent = (float(x) for x in probs)
    present = 1.0 - absent
    if present <= 0 or shift == 0:
        return np.array([yes, abstain, no, absent])
    p_no = float(ndtr(ndtri(min(1.0, no / present)) - shift)) * present
    return np.array([yes, abstain + no - p_no, p_no, absent])


def options(model: VoteModel) -> list[tuple[int, str]]:
    """The moves worth trying: ``to_yes`` for every member who may not vote yes, and
    ``no_to_abstain`` for a veto holder who may vote no."""
    out = []
    veto = model.rule.veto
    for i in range(model.n):
        p = model.probs[i]
        if p[ABSENT] >= 1.0:
            continue
        if p[YES] < 1.0 - p[ABSENT] - 1e-12 and p[YES] > 0:
            out.append((i, "to_yes"))  # a member who never votes yes (P(yes) 0) cannot be won
        if veto[i] and p[NO] > 0:
            out.append((i, "no_to_abstain"))
    return out


def _apply(model: VoteModel, moves: Sequence[tuple[int, str]], shift: float) -> np.ndarray:
    probs = model.probs.copy()
    for i, kind in moves:
        probs[i] = moved(model.probs[i], kind, shift)
    return probs


class _Budget(Exception):
    """The search's evaluation budget is spent."""


def search(model: VoteModel, target: float, max_moves: int = 3, step: float = STEP, max_shift: float = MAX_SHIFT,
           evaluate: Callable[[VoteModel], float] | None = None,
           max_evaluations: int | None = None) -> LobbyPlans:
    """The minimal plans that lift P(adopted) to ``target`` (see the module's docstring).

    ``max_evaluations`` caps the exact computations (for models whose every one is slow, such
    as those with the alignment axis); a search that hits it returns what it found so far with
    ``complete`` False."""
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target must be a probability in (0, 1], got {target!r}")
    if max_moves < 1:
        raise ValueError(f"max_moves must be at least 1, got {max_moves!r}")
    ev = evaluate or (lambda m: event_probabilities(m)[0])
    count = 0

    def p_at(moves: Sequence[tuple[int, str]], shift: float) -> tuple[float, np.ndarray]:
        nonlocal count
        if max_evaluations is not None and count >= max_evaluations:
            raise _Budget
        count += 1
        probs = _apply(model, moves, shift)
        return ev(model.with_probs(probs)), probs

    now = ev(model)
    levels = np.round(np.arange(1, round(max_shift / step) + 1) * step, 10)
    if now >= target:
        return LobbyPlans(target, now, True, (Plan((), now, model.probs.copy()),), None, max_moves, 1)
    opts = options(model)
    best: Plan | None = None
    found: list[Plan] = []
    try:
        for k in range(1, max_moves + 1):
            found = []
            best = _search_size(k, opts, levels, target, p_at, model, found, best)
            if found:
                found.sort(key=lambda p: (p.shift, -p.p_adopted, [m.member for m in p.moves]))
                return LobbyPlans(target, now, True, tuple(found), None, max_moves, count + 1)
    except _Budget:
        found.sort(key=lambda p: (p.shift, -p.p_adopted, [m.member for m in p.moves]))
        return LobbyPlans(target, now, bool(found), tuple(found), None if found else best, max_moves, count + 1,
                          complete=False)
    return LobbyPlans(target, now, False, (), best, max_moves, count + 1)


def _search_size(k: int, opts: list[tuple[int, str]], levels: np.ndarray, target: float,
                 p_at: Callable[[Sequence[tuple[int, str]], float], tuple[float, np.ndarray]],
                 model: VoteModel, found: list[Plan], best: Plan | None) -> Plan | None:
    """Every set of ``k`` moves: the plans that reach the target go into ``found`` (at their
    least shift); returns the best plan at the largest shift so far."""
    dead: set[tuple[tuple[int, str], ...]] = set()
    # sets with "to_yes" moves first: a "no_to_abstain" set can only reach the target if the
    # same set with "to_yes" for those members does (to_yes takes as much from no, and adds yes)
    for combo in sorted(itertools.combinations(opts, k), key=lambda c: sum(kind != "to_yes" for _, kind in c)):
        if len({i for i, _ in combo}) < k:
            continue  # one move per member
        upgraded = tuple((i, "to_yes") if (i, "to_yes") in opts else (i, kind) for i, kind in combo)
        if upgraded != combo and upgraded in dead:
            continue
        top, probs = p_at(combo, float(levels[-1]))
        if best is None or top > best.p_adopted:
            best = Plan(_moves(model, combo, float(levels[-1])), top, probs)
        if top < target:
            dead.add(combo)
            continue
        lo, hi = -1, len(levels) - 1  # levels[hi] reaches the target; levels[lo] (or none) does not
        reach, reach_probs = top, probs
        while hi - lo > 1:
            mid = (lo + hi) // 2
            p, pr = p_at(combo, float(levels[mid]))
            if p >= target:
                hi, reach, reach_probs = mid, p, pr
            else:
                lo = mid
        found.append(Plan(_moves(model, combo, float(levels[hi])), reach, reach_probs))
    return best


def _moves(model: VoteModel, combo: Sequence[tuple[int, str]], shift: float) -> tuple[Move, ...]:
    return tuple(Move(model.members[i], kind, shift) for i, kind in combo)


__all__ = ["KINDS", "MAX_SHIFT", "STEP", "LobbyPlans", "Move", "Plan", "moved", "options", "search"]
