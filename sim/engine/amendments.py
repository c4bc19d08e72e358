"""Amendments are voted in order before the draft, under the same rules.

An adopted amendment's ``effect`` replaces the draft's probabilities of the members it names.
Each vote of the sequence has its own latent draw: votes are independent given the path so far.
The amendments' outcomes are a tuple of booleans, one per amendment (True = adopted); a
:class:`VotePath` adds the draft's outcome, and keys the path probabilities of a result.

Positions on the alignment axis (docs/scenarios.md): the draft stands at its position, an
amendment's own vote at the amendment's position (else the draft's), and an adopted amendment's
``effect`` may move the draft (its ``effect_position``). Every table is a member's numbers at
position 0; a vote at position p moves member i's stance by λ_i·p.

Art. 27(3) is applied vote by vote: the parties to the dispute abstain on every substantive vote
(an amendment's or the draft's), whatever an amendment's ``votes`` or ``effect`` say, and vote
freely on a procedural one (docs/model.md).

The sequence is body-neutral: the General Assembly runs it on its latent models, with no parties
and every vote under the question's majority (:mod:`sim.assembly.amendments`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import NamedTuple

import numpy as np

from sim.scenario.build import ModelSpec, at_position, party_abstains, shift_probs
from sim.scenario.schema import VoteTable

from .model import VoteModel

Probs = dict[str, tuple[float, float, float, float]]
Path = tuple[bool, ...]


class VotePath(NamedTuple):
    """One way a vote sequence can go: each amendment adopted or not, then the draft."""

    amendments: Path
    draft: bool

    def label(self, names: Sequence[str]) -> str:
        """Readable name, e.g. 'A1 adopted, A2 rejected, draft not adopted'."""
        return path_label(names, self.amendments) + (", draft adopted" if self.draft else ", draft not adopted")

    def short(self) -> str:
        """The amendments' part with short names: 'A1 adopted, A2 rejected'."""
        return ", ".join(f"A{j + 1} {'adopted' if a else 'rejected'}" for j, a in enumerate(self.amendments))

    @classmethod
    def every(cls, k: int) -> list[VotePath]:
        """Every path of ``k`` amendments, adopted first, and the draft adopted before not."""
        return [cls(tuple(bits), draft) for bits in product((True, False), repeat=k) for draft in (True, False)]


@dataclass(frozen=True)
class Amendment:
    """One amendment: its own vote tables (relative to the draft's current probabilities)."""

    name: str
    #: Whether the vote on it is procedural (None: as the draft's, for a body whose every vote
    #: is decided alike, such as the General Assembly's latent models).
    procedural: bool | None
    votes: Mapping[str, VoteTable]
    effect: Mapping[str, VoteTable]
    #: Where the amendment's own text stands on the axis (None: where the draft stands).
    position: float | None = None
    #: Where the draft stands once the amendment is adopted (None: it does not move).
    effect_position: float | None = None


def _apply(probs: Probs, tables: Mapping[str, VoteTable]) -> Probs:
    out = dict(probs)
    for code, table in tables.items():
        out[code] = table.as_tuple() if table.has_probabilities else shift_probs(out[code], table.shift or 0.0)
    return out


@dataclass(frozen=True)
class VoteSequence:
    """The draft model and its amendments; builds the model of each vote given a path.

    ``parties`` are the members bound by Art. 27(3), and ``free`` their numbers before it (what
    they would vote on a procedural vote), at position 0; without ``free`` the draft model's
    numbers are used, as at ``position``. ``loadings`` are the members' loadings on the
    alignment axis and ``position`` the draft's, as tabled.
    """

    draft: VoteModel
    amendments: tuple[Amendment, ...]
    parties: frozenset[str] = frozenset()
    free: Mapping[str, tuple[float, float, float, float]] | None = None
    loadings: Mapping[str, float] = dataclasses.field(default_factory=dict)
    position: float = 0.0

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> VoteSequence:
        """The vote sequence of a scenario: its draft, its amendments in order, its parties."""
        amendments = tuple(
            Amendment(a.name, a.procedural, votes, effect, a.position, a.effect_position)
            for a, votes, effect in spec.resolved.amendments
        )
        return cls(spec.model, amendments, spec.resolved.parties, dict(spec.free_probs) or None,
                   dict(spec.alignment), spec.position)

    def _draft_probs(self, path: Path) -> tuple[Probs, float]:
        """The draft's numbers after the amendment outcomes ``path`` (at position 0), and where
        the draft then stands."""
        source = self.free if self.free is not None else dict(zip(self.draft.members, self.draft.probs, strict=True))
        probs: Probs = {m: (float(p[0]), float(p[1]), float(p[2]), float(p[3])) for m, p in source.items()}
        position = self.position
        for amend, adopted in zip(self.amendments, path, strict=False):
            if adopted:
                probs = _apply(probs, amend.effect)
                position = amend.effect_position if amend.effect_position is not None else position
        return probs, position

    def _model(self, probs: Probs, procedural: bool | None, position: float) -> VoteModel:
        # ``free`` is at position 0; the draft model's own numbers are at the draft's position
        procedural = self.draft.procedural if procedural is None else procedural
        origin = 0.0 if self.free is not None else self.position
        probs = at_position(probs, self.loadings, position - origin)
        bound = () if procedural else self.parties
        arr = [party_abstains(probs[m]) if m in bound else probs[m] for m in self.draft.members]
        model = self.draft.with_probs(np.asarray(arr, dtype=float))
        if model.procedural == procedural:
            return model
        return dataclasses.replace(model, procedural=procedural)

    def amendment_model(self, j: int, prefix: Path) -> VoteModel:
        """The model of the vote on amendment ``j`` after the earlier outcomes ``prefix``."""
        amend = self.amendments[j]
        draft, position = self._draft_probs(prefix)
        probs = _apply(draft, amend.votes)
        return self._model(probs, amend.procedural, amend.position if amend.position is not None else position)

    def draft_model(self, path: Path) -> VoteModel:
        """The model of the final vote on the draft after the amendment outcomes ``path``."""
        probs, position = self._draft_probs(path)
        return self._model(probs, self.draft.procedural, position)

    def paths(self) -> list[Path]:
        return [tuple(bits) for bits in product((True, False), repeat=len(self.amendments))]


def path_label(names: Sequence[str], path: Path) -> str:
    """Readable path name, e.g. 'A1 adopted, A2 rejected'."""
    return ", ".join(f"{n} {'adopted' if a else 'rejected'}" for n, a in zip(names, path, strict=True))
