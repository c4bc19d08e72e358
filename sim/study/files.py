"""Reading a study file and its base scenario: the I/O edge of :mod:`sim.study`.

A study is read once, checked point by point before any work, and handed to the sweep as a
:class:`LoadedStudy` (picklable, so every worker rebuilds points from the same data).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.api import model_spec
from sim.errors import StudyError
from sim.io.files import scenario_from_bytes
from sim.io.inputs import FileRefused, parse_toml, read_regular_file
from sim.scenario.resolve import resolve_scenario
from sim.scenario.schema import FALLBACK_VOTE

from .overrides import check_design
from .points import Design, design
from .schema import Study, parse_study

#: Largest study file accepted, in bytes.
MAX_STUDY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BaseDefaults:
    """Effective draft probabilities of the base scenario's members (picklable callable)."""

    probs: Mapping[str, tuple[float, float, float, float]]

    def __call__(self, code: str) -> tuple[float, float, float, float]:
        return self.probs.get(code, FALLBACK_VOTE)


@dataclass(frozen=True)
class LoadedStudy:
    """A study read from disk, with its base scenario, expanded and checked point by point."""

    study: Study
    design: Design
    base: dict[str, Any]
    defaults: BaseDefaults
    source: str
    base_source: str
    study_sha256: str
    base_sha256: str


def _read_bytes(path: Path, field: str, source: str, limit: int) -> bytes:
    try:
        return read_regular_file(path, limit)
    except FileRefused as exc:
        message = str(exc) if field == "(file)" else f"{path}: {exc}"
        raise StudyError(field, message, source) from None


def load_study(path: str | Path) -> LoadedStudy:
    """Read a study file and its base scenario (relative to the study), expand and validate it."""
    p = Path(path)
    source = str(path)
    data = _read_bytes(p, "(file)", source, MAX_STUDY_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyError(
            "(file)", f"is not UTF-8 text ({exc.reason} at byte {exc.start})", source
        ) from None
    raw = parse_toml(text, source, StudyError)
    study = parse_study(raw, source)
    base_path = p.parent / study.study.base
    base_bytes = _read_bytes(base_path, "study.base", source, MAX_STUDY_BYTES)
    return prepare_study(
        study, base_bytes, source, str(base_path), hashlib.sha256(data).hexdigest()
    )


def prepare_study(
    study: Study, base_bytes: bytes, source: str, base_source: str, study_sha256: str
) -> LoadedStudy:
    """Validate the base scenario, expand the study and check every point's scenario."""
    spec = scenario_from_bytes(base_bytes, base_source)
    resolved = resolve_scenario(spec, base_source)
    model = model_spec(resolved).model
    defaults = BaseDefaults(
        {
            m: (float(p[0]), float(p[1]), float(p[2]), float(p[3]))
            for m, p in zip(model.members, model.probs, strict=True)
        }
    )
    base = spec.to_dict()
    des = design(study, source)
    check_design(des, base, defaults, source)
    return LoadedStudy(
        study,
        des,
        base,
        defaults,
        source,
        base_source,
        study_sha256,
        hashlib.sha256(base_bytes).hexdigest(),
    )
