"""Reading scenario files and writing results: the I/O edge of the CLI, the app and sweeps.

One table writer (:func:`table_bytes`) makes every CSV and Parquet file: ``run --out``, the
app's downloads and a sweep's table. Every file is written whole or not at all
(:func:`write_atomic`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.model import VOTES
from sim.engine.result import SimulationResult
from sim.errors import InputError, ScenarioError
from sim.scenario.resolve import resolve_scenario
from sim.scenario.schema import Scenario, parse_scenario, scenario_from_toml

from .inputs import FileRefused, parse_toml, read_regular_file

if TYPE_CHECKING:
    from sim.assembly.scenario import AssemblyScenario

#: Largest scenario file or upload accepted, in bytes.
MAX_SCENARIO_BYTES = 256 * 1024


def scenario_from_bytes(data: bytes, source: str) -> Scenario:
    """Decode and fully validate an uploaded or read scenario; errors name ``source``."""
    text = _text(data, source)
    try:
        spec = scenario_from_toml(text, source)
        resolve_scenario(spec, source)  # names and Council checks, attributed to the file
    except ScenarioError as exc:
        raise exc.with_source(source) from None
    return spec


def _text(data: bytes, source: str) -> str:
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError("(file)", f"is {len(data):,} bytes; the limit is {MAX_SCENARIO_BYTES:,}", source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError("(file)", f"is not UTF-8 text ({exc.reason} at byte {exc.start})", source) from None


def any_scenario_from_bytes(data: bytes, source: str) -> Scenario | AssemblyScenario:
    """A Council scenario, or an Assembly one when the file has an ``[assembly]`` table; fully
    validated (names, members on the day), errors naming ``source``."""
    from sim.assembly.scenario import build_assembly, is_assembly, parse_assembly

    text = _text(data, source)
    try:
        plain = parse_toml(text, source, ScenarioError)
        if not is_assembly(plain):
            council = parse_scenario(plain, source)
            resolve_scenario(council, source)  # names and Council checks, as scenario_from_bytes
            return council
        spec = parse_assembly(plain, source)
        build_assembly(spec)  # names, members on the day and the correlation, attributed to the file
    except ScenarioError as exc:
        raise exc.with_source(source) from None
    return spec


def read_any_scenario(path: str | Path) -> Scenario | AssemblyScenario:
    """Read and validate one Council or Assembly scenario file."""
    try:
        data = read_regular_file(path, MAX_SCENARIO_BYTES)
    except FileRefused as exc:
        raise ScenarioError("(file)", str(exc), str(path)) from None
    return any_scenario_from_bytes(data, str(path))


def read_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file (a regular file of at most MAX_SCENARIO_BYTES)."""
    try:
        data = read_regular_file(path, MAX_SCENARIO_BYTES)
    except FileRefused as exc:
        raise ScenarioError("(file)", str(exc), str(path)) from None
    return scenario_from_bytes(data, str(path))


def result_record(result: SimulationResult) -> dict[str, Any]:
    """One flat row: outcome probabilities, their errors, and per-member vote probabilities."""
    row: dict[str, Any] = {
        "scenario": result.scenario_name,
        "method": result.method,
        "draws": result.draws,
        "seed": result.seed,
        "p_adopted": result.p_adopted,
        "p_adopted_se": result.p_adopted_se,
        "p_adopted_ci_low": result.p_adopted_ci[0],
        "p_adopted_ci_high": result.p_adopted_ci[1],
        "p_vetoed": result.p_vetoed,
        "p_vetoed_se": result.se(result.p_vetoed),
        "p_short": result.p_short,
        "p_short_se": result.se(result.p_short),
        "p_permanent_no": result.p_permanent_no,
        "p_permanent_no_se": result.se(result.p_permanent_no),
    }
    for i, m in enumerate(result.members):
        for j, v in enumerate(VOTES):
            row[f"{m}_{v}"] = float(result.member_votes[i, j])
    for i, m in enumerate(result.members):
        row[f"{m}_pivotal"] = float(result.pivotal[i])
    for m, p in result.p_veto_by.items():
        row[f"{m}_veto"] = p
    if result.amendments is not None:
        for name, p in zip(result.amendments.names, result.amendments.p_adopted, strict=True):
            row[f"amendment {name}: p_adopted"] = p
    return row


def table_bytes(rows: Sequence[Mapping[str, Any]], fmt: str, metadata: Mapping[str, str]) -> bytes:
    """Rows as CSV or Parquet bytes; Parquet keeps ``metadata`` in its schema."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    # the union of every row's columns, in order of first appearance (results of different
    # Councils or amendments have different member and amendment columns)
    columns = list(dict.fromkeys(k for r in rows for k in r))
    table = pa.Table.from_pylist([{k: r.get(k) for k in columns} for r in rows])
    buf = io.BytesIO()
    if fmt == "parquet":
        meta = {**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in metadata.items()}}
        pq.write_table(table.replace_schema_metadata(meta), buf)
    elif fmt == "csv":
        pacsv.write_csv(table, buf)
    else:
        raise ValueError(f"unknown table format {fmt!r}")
    return buf.getvalue()


def write_table(rows: Sequence[Mapping[str, Any]], path: str | Path, metadata: Mapping[str, str]) -> None:
    """Write rows as CSV or Parquet (by suffix); Parquet keeps ``metadata`` in its schema."""
    p = Path(path)
    if p.suffix not in {".parquet", ".csv"}:
        raise InputError("path", f"{path}: use a .json, .csv or .parquet file name")
    write_atomic(p, table_bytes(rows, p.suffix[1:], metadata))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it, fsynced, then
    renamed over ``path``. An error names ``path``, not the temporary file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in directory ``path`` durable (where the system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def assembly_record(result: Any) -> dict[str, Any]:
    """One flat row of an Assembly result: P(adopted) and its Monte Carlo standard error (0 when
    exact, as in Council sweeps), the tally with intervals, the margin, per-member vote
    probabilities and, with amendments, each one's P(adopted) as ``amendment NAME: p_adopted``
    (the Council's column). No Council column: no veto, no permanent member."""
    row: dict[str, Any] = {"scenario": result.scenario_name, "body": "assembly", "question": result.question,
                           "date": result.date.isoformat(), "method": result.method, "draws": result.draws,
                           "seed": result.seed, "p_adopted": result.p_adopted,
                           "p_adopted_se": result.p_adopted_se or 0.0}
    for k, t in result.tally().items():
        row.update({f"{k}_mean": t["mean"], f"{k}_lo": t["lo"], f"{k}_hi": t["hi"]})
    margin = result.margin()
    row.update({"margin_mean": margin["mean"], "margin_lo": margin["lo"], "margin_hi": margin["hi"]})
    for i, m in enumerate(result.members):
        for j, v in enumerate(VOTES):
            row[f"{m}_{v}"] = float(result.member_votes[i, j])
    if result.amendments is not None:
        for name, p in zip(result.amendments.names, result.amendments.p_adopted, strict=True):
            row.setdefault(f"amendment {name}: p_adopted", p)
    return row


def write_results(results: Sequence[Any], path: str | Path, command: str) -> None:
    """Write results as JSON (full), or CSV/Parquet (one flat row per result). Council and
    Assembly results have different columns: a table holds one body's results."""
    from sim.assembly.api import AssemblyResult

    p = Path(path)
    if p.suffix == ".json":
        payload: Any = [r.to_dict() for r in results]
        text = json.dumps(payload[0] if len(payload) == 1 else payload, indent=2, default=_json_default)
        write_atomic(p, text.encode())
        return
    bodies = {isinstance(r, AssemblyResult) for r in results}
    if len(bodies) > 1:
        raise InputError("--out", f"{p}: a .csv or .parquet table holds one body's results; "
                                  "write Council and Assembly scenarios to separate files, or use .json")
    meta = {
        "unsc_sim.version": results[0].version if results else "",
        "unsc_sim.seed": json.dumps([r.seed for r in results]),
        "unsc_sim.command": command,
    }
    rows = [assembly_record(r) if isinstance(r, AssemblyResult) else result_record(r) for r in results]
    write_table(rows, p, meta)


def _json_default(obj: object) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")
