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
