"""A sweep's results on disk: points saved as they finish, resumable, then one table.

Finished rows are appended to JSON-lines files in ``<out>.parts/`` (flushed and fsynced before
they count as done), beside a manifest of the run's settings and a lock; the final table is
written atomically and the parts removed (the layout is documented in docs/studies.md). The
store is handed to the sweep like emcee's backends: the sweep computes, the store keeps.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sim.errors import InputError
from sim.io.files import write_atomic, write_table
from sim.io.inputs import FileRefused, check_regular_file

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]

#: Suffixes a sweep's table may have.
OUT_SUFFIXES = (".parquet", ".csv")
#: Version of the part-file format in ``<out>.parts/manifest.json``.
PARTS_FORMAT = 1

#: File descriptors a forked worker must not keep: the sweep's lock and part file. A lock held
#: by a worker's inherited copy would outlive a killed parent ("being written by another sweep").
_PARENT_ONLY_FDS: set[int] = set()


def _drop_parent_only_fds() -> None:
    """In a forked child: let go of the parent's lock and part file (``os.register_at_fork``).

    Each descriptor is pointed at /dev/null rather than closed, so its number stays taken and
    the inherited file objects never close someone else's file. The parent's lock is kept: a
    ``flock`` belongs to the open file, and the parent still holds it.
    """
    if not _PARENT_ONLY_FDS:
        return
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in _PARENT_ONLY_FDS:
        with contextlib.suppress(OSError):
            os.dup2(devnull, fd)
    os.close(devnull)
    _PARENT_ONLY_FDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_parent_only_fds)


def parts_dir(out: Path) -> Path:
    """Where a sweep writing ``out`` keeps finished points until it is done."""
    return out.with_name(out.name + ".parts")


def read_parts(parts: Path) -> dict[int, Row]:
    """Finished rows from the part files, by point; a torn last line (killed writer) is ignored."""
    done: dict[int, Row] = {}
    for part in sorted(parts.glob("part-*.jsonl")):
        with part.open("rb") as f:
            for line in f:
                if not line.endswith(b"\n"):
                    break  # written by a process killed mid-line
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(row, dict) and isinstance(row.get("point"), int):
                    done.setdefault(row["point"], row)
    return done


@dataclass
class SweepStore:
    """Part files of one sweep writing ``out``: a manifest, a lock, and one append-only file per
    session. ``done`` holds the rows saved by earlier sessions (after :meth:`open` to resume)."""

    out: Path
    manifest: dict[str, Any]
    done: dict[int, Row] = field(default_factory=dict)
    _lock: IO[str] | None = None
    _part: IO[bytes] | None = None

    @property
    def parts(self) -> Path:
        return parts_dir(self.out)

    def open(self, resume: bool) -> None:
        """Create ``<out>.parts`` or, to resume, check it belongs to this run and load its rows."""
        parts = self.parts
        parts.mkdir(parents=True, exist_ok=True)
        self._lock = (parts / "lock").open("w")
        _PARENT_ONLY_FDS.add(self._lock.fileno())
        try:
            import fcntl

            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        except OSError:
            self.close()
            raise InputError("out", f"{self.out} is being written by another sweep") from None
        manifest_path = parts / "manifest.json"
        if resume and manifest_path.exists():
            self._check_manifest(manifest_path)
            self.done = {
                i: r for i, r in read_parts(parts).items() if 0 <= i < self.manifest["points"]
            }
        else:
            for old_part in parts.glob("part-*.jsonl"):
                old_part.unlink()
            text = json.dumps(self.manifest, indent=2, sort_keys=True)
            write_atomic(manifest_path, text.encode())
        n = len(list(parts.glob("part-*.jsonl")))
        self._part = (parts / f"part-{n:05d}-{os.getpid()}.jsonl").open("ab")
        _PARENT_ONLY_FDS.add(self._part.fileno())

    def _check_manifest(self, path: Path) -> None:
        try:
            old = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            old = {}
        if not isinstance(old, dict):
            old = {}
        for key, value in self.manifest.items():
            if old.get(key) != value:
                raise InputError(
                    "resume",
                    f"{self.parts} was written by a different run ({key}: {old.get(key)!r}, "
                    f"now {value!r}); pass force=True to start over",
                )

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append finished rows and make them durable before counting them as done."""
        assert self._part is not None
        self._part.write(b"".join(json.dumps(r).encode() + b"\n" for r in rows))
        self._part.flush()
        os.fsync(self._part.fileno())

    def saved(self) -> int:
        """How many of the run's points are on disk (after :meth:`close`)."""
        return sum(1 for i in read_parts(self.parts) if 0 <= i < self.manifest["points"])

    def close(self) -> None:
        for f in (self._part, self._lock):
            if f is not None:
                _PARENT_ONLY_FDS.discard(f.fileno())
                f.close()
        self._part = self._lock = None

    def remove(self) -> None:
        """Remove the parts: the run is finished, or nothing was computed."""
        self.close()
        shutil.rmtree(self.parts, ignore_errors=True)

    def finish(self, rows: Sequence[Mapping[str, Any]], metadata: Mapping[str, str]) -> None:
        """Write the table (atomically; Parquet keeps ``metadata``), then remove the parts."""
        write_table(rows, self.out, metadata)
        self.remove()


def read_metadata(path: str | Path) -> dict[str, str]:
    """The ``unsc_sim.*`` metadata of a sweep's Parquet file ({} if it has none).

    A path that is not a readable Parquet file is an :class:`InputError` naming it.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        check_regular_file(path, sys.maxsize)
    except FileRefused as exc:
        raise InputError("(file)", str(exc), str(path)) from None
    try:
        meta = pq.read_schema(path).metadata or {}
    except pa.ArrowInvalid:
        raise InputError("(file)", "is not a Parquet file, or is damaged", str(path)) from None
    except OSError as exc:
        raise InputError("(file)", f"cannot be read: {exc.strerror or exc}", str(path)) from None
    return {k.decode(): v.decode() for k, v in meta.items() if k.startswith(b"unsc_sim.")}


# --- resume of a finished sweep -------------------------------------------------------------------

#: How the settings that ``resume`` checks are named in messages.
_SETTING_NAMES = {"common_random_numbers": "common random numbers", "format": "part-file format"}


def finished_table(out: Path, manifest: Mapping[str, Any], study: str, base: str) -> pd.DataFrame:
    """``resume`` on a finished sweep: its table if it is this run's, else say why not.

    ``study`` and ``base`` are the names of this run's study file and base scenario.
    """
    import pandas as pd

    force = "pass force=True to overwrite it"
    if out.suffix != ".parquet":
        raise InputError(
            "resume",
            f"{out} is a finished table, and a CSV file keeps no record of the run that made it, "
            f"so it cannot be checked against this one; {force} (Parquet output can be resumed)",
        )
    meta = read_metadata(out)
    run = meta.get("unsc_sim.run")
    try:
        old = json.loads(run) if run is not None else None
    except json.JSONDecodeError:
        old = None
    if not isinstance(old, dict):
        raise InputError("resume", f"{out} is not the output of a sweep (no unsc_sim.run metadata); {force}")
    if old == dict(manifest):
        return pd.read_parquet(out)
    how = _how_it_differs(old, manifest, meta.get("unsc_sim.study"), study, base)
    raise InputError("resume", f"{out} is a finished run of {how}; {force}")


def _how_it_differs(
    old: Mapping[str, Any], new: Mapping[str, Any], old_study: str | None, study: str, base: str
) -> str:
    """``this study with draws = 2000, not 5000`` and the like: what another run did otherwise."""
    if old.get("study_sha256") != new["study_sha256"]:
        if old_study and Path(old_study) != Path(study):
            return f"{old_study}, not {study}"
        return f"{study} as it was before it was changed"
    if old.get("base_sha256") != new["base_sha256"]:
        return f"this study on {base} as it was before it was changed"
    if old.get("version") != new["version"]:
        return f"this study made by unsc-sim {old.get('version')}, not {new['version']}"
    skip = {"draws"} if old.get("method") != new["method"] else set()  # exact runs have no draws
    diffs = [
        f"{_SETTING_NAMES.get(key, key)} = {_setting(old.get(key))}, not {_setting(value)}"
        for key, value in new.items()
        if old.get(key) != value and key not in skip
    ]
    diffs += [f"{key} = {_setting(value)}" for key, value in old.items() if key not in new]
    return "this study with " + (", and ".join(diffs) or "other settings")


def _setting(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        return value
    return json.dumps(value)
