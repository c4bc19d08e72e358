"""Reading a study file and its base scenario: the I/O edge of :mod:`sim.study`.

A study is read once, checked point by point before any work, and handed to the sweep as a
:class:`LoadedStudy` (picklable, so every worker rebuilds points from the same data). The base
may be a Council or an Assembly scenario (:func:`sim.io.files.any_scenario_from_bytes`); the
study's paths are checked against that body's schema (:mod:`sim.study.bodies`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import StudyError
from sim.io.files import any_scenario_from_bytes
from sim.io.inputs import FileRefused, parse_toml, read_regular_file

from .bodies import BaseDefaults, body_of
from .overrides import check_design
from .points import Design, design
from .schema import Study, parse_study

#: Largest study file accepted, in bytes.
MAX_STUDY_BYTES = 1024 * 1024


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
    """Validate the base scenario (Council or Assembly), expand the study against its body's
    schema and check every point's scenario."""
    spec = any_scenario_from_bytes(base_bytes, base_source)
    base = spec.to_dict()
    body = body_of(base)
    defaults = body.defaults(spec, base_source)
    des = design(study, source, body)
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
