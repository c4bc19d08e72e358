"""The numbers of one Assembly vote: the latent vote model of its members and Article 18."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine.model import ABSENT, VoteModel
from sim.engine.rules import AssemblyRule


@dataclass(frozen=True)
class AssemblyModel:
    """One vote of the General Assembly.

    ``latent`` is the Council's latent vote model applied to the Assembly's members: its
    ``probs`` are the members' (yes, abstain, no, absent) probabilities, its blocs are regional
    groups, and it has no permanent member and no veto (it is built procedural, so nothing in
    it can veto). ``regions[i]`` is member i's regional group, for the breakdowns; ``arrears``
    are the members who have lost their vote under Article 19, absent with certainty.
    """

    latent: VoteModel
    rule: AssemblyRule
    regions: tuple[str, ...]
    arrears: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.regions) != self.latent.n:
            raise ValueError(f"regions needs one group per member ({self.latent.n}), got {len(self.regions)}")
        if self.latent.permanent.any() or not self.latent.procedural:
            raise ValueError("the Assembly has no permanent members and no veto")
        index = {m: i for i, m in enumerate(self.latent.members)}
        for code in self.arrears:
            if code not in index:
                raise ValueError(f"arrears: {code} is not a member of this Assembly")
            if self.latent.probs[index[code], ABSENT] != 1.0:
                raise ValueError(f"arrears: {code} has lost its vote (Art. 19) and must be absent with certainty")

    @property
    def members(self) -> tuple[str, ...]:
        return self.latent.members

    @property
    def n(self) -> int:
        return self.latent.n

    @property
    def probs(self) -> np.ndarray:
        return self.latent.probs


def assembly_model(
    members: Sequence[str],
    probs: np.ndarray,
    regions: Sequence[str],
    question: str = "important",
    *,
    arrears: Sequence[str] = (),
    common: float = 0.0,
    cohesion: Mapping[str, float] | None = None,
    alignment: np.ndarray | None = None,
    axis_name: str = "",
) -> AssemblyModel:
    """An :class:`AssemblyModel` from per-member probabilities (rows yes, abstain, no, absent).

    ``cohesion`` gives a regional group's bloc cohesion (groups not listed, or at 0, have no bloc
    factor). Members in ``arrears`` are made absent with certainty, whatever their row said.
    """
    members = tuple(members)
    probs = np.array(probs, dtype=float).reshape(len(members), 4)
    arrears = tuple(dict.fromkeys(arrears))
    index = {m: i for i, m in enumerate(members)}
    for code in arrears:
        if code not in index:
            raise ValueError(f"arrears: {code} is not a member of this Assembly")
        probs[index[code]] = (0.0, 0.0, 0.0, 1.0)
    blocs = tuple(g for g, c in (cohesion or {}).items() if c > 0.0 and g in set(regions))
    bloc_of = {g: b for b, g in enumerate(blocs)}
    bloc = np.array([bloc_of.get(r, -1) for r in regions], dtype=int)
    latent = VoteModel(
        members=members, probs=probs, permanent=np.zeros(len(members), dtype=bool), bloc=bloc,
        cohesion=np.array([(cohesion or {})[g] for g in blocs], dtype=float), common=common,
        threshold=0, procedural=True, bloc_names=blocs, alignment=alignment, axis_name=axis_name,
    )
    return AssemblyModel(latent, AssemblyRule(question), tuple(regions), arrears)
