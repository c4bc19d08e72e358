"""How P(adopted) moves when one member at a time leans toward yes or toward no (exact method).

Each member's latent stance is shifted by ``+shift`` (toward yes) or ``-shift`` (toward no) with
:func:`sim.scenario.schema.shift_probs`, everyone else unchanged, and P(adopted) of the draft (as tabled,
before any amendments) is recomputed exactly with :func:`sim.engine.exact.event_probabilities`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.scenario.build import ModelSpec, shift_probs
from sim.scenario.names import readable_name

from .exact import event_probabilities
from .model import VoteModel

#: Default latent shift: half a standard deviation of a member's stance.
DEFAULT_SHIFT = 0.5

COLUMNS = (
    "member",
    "name",
    "permanent",
    "p_yes",
    "base",
    "toward_yes",
    "toward_no",
    "change_yes",
    "change_no",
)


def sensitivity(
    spec: ModelSpec | VoteModel, shift: float = DEFAULT_SHIFT, nodes: int | None = None
) -> pd.DataFrame:
    """P(adopted) when each member shifts toward yes / toward no; one row per member, Council order.

    Columns: ``member`` (ISO3), ``name``, ``permanent``, ``p_yes`` (the member's current P(yes)),
    ``base`` (P(adopted) as is), ``toward_yes`` and ``toward_no`` (P(adopted) after the shift) and
    ``change_yes`` / ``change_no`` (their differences from ``base``).
    """
    if not np.isfinite(shift) or shift < 0:
        raise ValueError(f"shift must be a non-negative number, got {shift}")
    model = spec.model if isinstance(spec, ModelSpec) else spec
    base, _ = event_probabilities(model, nodes)
    rows = []
    for i, code in enumerate(model.members):
        moved = []
        for direction in (1.0, -1.0):
            probs = model.probs.copy()
            probs[i] = shift_probs(tuple(float(x) for x in probs[i]), direction * shift)
            moved.append(event_probabilities(model.with_probs(probs), nodes)[0])
        rows.append(
            {
                "member": code,
                "name": readable_name(code),
                "permanent": bool(model.permanent[i]),
                "p_yes": float(model.probs[i, 0]),
                "base": base,
                "toward_yes": moved[0],
                "toward_no": moved[1],
                "change_yes": moved[0] - base,
                "change_no": moved[1] - base,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


STEP_COLUMNS = ("member", "name", "role", "step", "p_before", "p_after", "points")
#: The one-step moves of a member's vote: all of its no turned abstain, all of its abstain turned yes.
STEPS = ("no to abstain", "abstain to yes")


def step_gains(spec: ModelSpec | VoteModel, nodes: int | None = None) -> pd.DataFrame:
    """Points of P(adopted) each member's one-step move gains: its no mass turned abstention, or
    its abstention mass turned yes, everyone else unchanged (exact). One row per (member, step)
    with something to move; a member who never casts a yes or a no (obliged to abstain, or sure
    to be absent) is not listed. ``role`` is "can veto" for a veto holder on this vote, else
    "the ninth vote" (a quota vote)."""
    model = spec.model if isinstance(spec, ModelSpec) else spec
    base, _ = event_probabilities(model, nodes)
    veto = model.rule.veto
    rows = []
    for i, code in enumerate(model.members):
        y, a, n, away = (float(x) for x in model.probs[i])
        if y + n <= 0 or away >= 1.0:
            continue
        for step, new in ((STEPS[0], (y, a + n, 0.0, away)), (STEPS[1], (y + a, 0.0, n, away))):
            if new == (y, a, n, away):
                continue
            probs = model.probs.copy()
            probs[i] = new
            after = event_probabilities(model.with_probs(probs), nodes)[0]
            rows.append({"member": code, "name": readable_name(code),
                         "role": "can veto" if veto[i] else f"one of the {model.threshold} yes votes needed",
                         "step": step, "p_before": base, "p_after": after, "points": 100 * (after - base)})
    return pd.DataFrame(rows, columns=list(STEP_COLUMNS))
