"""The engine blocs of Council members: a fixed rule (the cohesions are fitted)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .features import P3, RUCN

BLOCS = ("western", "ru_cn", "african", "latin_american", "asia_pacific")


def bloc_of(member: str, group: str, member_lean: float) -> str | None:
    """The engine bloc of a member (a fixed rule; the cohesions are fitted)."""
    if member in P3:
        return "western"
    if member in RUCN:
        return "ru_cn"
    if group == "WEOG" or (group == "EEG" and member_lean > 0.0) or member_lean > 0.35:
        return "western"
    if group == "AFR":
        return "african"
    if group == "GRULAC":
        return "latin_american"
    if group in ("APG", "EEG"):
        return "asia_pacific"
    return None


def bloc_names(m: pd.DataFrame) -> np.ndarray:
    """The bloc of each member row (``member``, ``group``, ``lean``), None outside any."""
    return np.array([bloc_of(a, g, float(ln))
                     for a, g, ln in zip(m["member"], m["group"], m["lean"], strict=True)],
                    dtype=object)


def bloc_index(m: pd.DataFrame) -> np.ndarray:
    """The index in :data:`BLOCS` of each member row's bloc, -1 outside any."""
    return np.array([BLOCS.index(b) if b is not None else -1 for b in bloc_names(m)])
