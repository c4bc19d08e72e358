"""The what-if app: explore a Security Council draft's chances in the browser (``make run``).

A thin Streamlit layer: every number comes from :mod:`sim` (``simulate``, ``model_spec``,
:mod:`sim.sensitivity`) and every chart from :mod:`sim.charts`. The state is one scenario dict
(the canonical form of :class:`sim.scenario.Scenario`) plus run settings; edits change the dict
through callbacks, and the URL's query parameters carry the starting point and a JSON merge patch
of the edits, so a link reopens the same what-if.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from sim import charts
from sim.api import default_calibrator, model_spec, simulate
from sim.council import FIRST_YEAR, LAST_YEAR, council_for_year
from sim.errors import InputError
from sim.files import MAX_SCENARIO_BYTES, result_record, scenario_from_bytes, table_bytes
from sim.model import VOTES
from sim.names import readable_bloc, readable_name, resolve, resolve_for_year
from sim.report import reference_note
from sim.result import SimulationResult
from sim.scenario import (
    AmendmentReferenceSpec,
    ModelSpec,
    parse_scenario,
    resolve_scenario,
    scenario_to_toml,
)
from sim.sensitivity import DEFAULT_SHIFT, sensitivity

ROOT = Path(__file__).resolve().parent
SCENARIO_DIR = ROOT / "scenarios"
DEFAULT_SCENARIO = "whatif_2026_us_ukraine_text"
DEFAULT_METHOD = "monte-carlo"
DEFAULT_DRAWS = 20_000
DEFAULT_SEED = 0
DRAW_CHOICES = (5_000, 20_000, 100_000, 1_000_000, 10_000_000)
#: Monte Carlo runs at least this long show a progress bar.
PROGRESS_FROM = 200_000
#: On a new page, how long the headline numbers are left to the browser before the rest of the
#: page is sent (benchmarks/bench_browser.py: without it the first number came with the rest).
FIRST_PAINT_S = 0.3
#: Largest seed the page can hold (a JavaScript number).
MAX_SEED = 2**53 - 1
#: Largest accepted upload in megabytes (Streamlit's smallest unit); the scenario reader caps
#: the bytes further at ``MAX_SCENARIO_BYTES``.
MAX_UPLOAD_MB = 1
METHOD_LABELS = {"monte-carlo": "Monte Carlo (fast)", "exact": "Exact"}
VOTE_WORDS = charts.VOTE_LABELS
SOURCE_WORDS = charts.SOURCE_WORDS
#: Six tabs, so that their names fit the page at 1024 px with the sidebar open (eight did not:
#: the last hid behind the tab bar's scroll arrow). Who votes together sits with the blocs,
#: what would change the outcome with whom to lobby.
TABS = (
    "Members' votes",
    "Blocs and rules",
    "Yes votes and tallies",
    "Whom to lobby",
    "Amendments",
    "Compare",
)
START_MODES = ("Scenario library", "A year's Council", "Upload a file")
#: What a changed part of the scenario is, in words (the Compare tab's "Changed since").
CHANGED_WORDS = {
    "amendments": "the amendments",
    "correlation": "how votes move together",
    "council": "the parties to the dispute",
    "draft": "procedural or substantive",
    "reference": "what really happened",
    "scenario": "the name",
    "votes": "members' votes",
}
#: The file reader's names for an error about the whole file, not one of its keys.
WHOLE_FILE = ("(toml)", "(file)", "")
#: The year box's value when the page's scenario names no Council year.
DEFAULT_YEAR = 2025
#: Less empty space above the title and at the sides, so the headline numbers fit a laptop
#: screen and labels, legends and tab names fit at 1024 px with the sidebar open (no colours).
PAGE_CSS = (
    "<style>.stMainBlockContainer { padding-top: 2.5rem; padding-left: 2rem; "
    "padding-right: 2rem; }</style>"
)

ss = st.session_state


# --- pure helpers (no Streamlit calls) ------------------------------------------------------


def jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario dict with JSON types only (dates become ISO strings)."""
    out: dict[str, Any] = json.loads(json.dumps(dict(data), default=str))
    return out


def normalize(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a scenario dict (schema and Council) and return its canonical JSON-typed form."""
    spec = parse_scenario(data)
    resolve_scenario(spec)
    return jsonable(spec.to_dict())


def canonical(data: Mapping[str, Any]) -> str:
    """The cache key of a scenario: its canonical JSON with sorted keys."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def make_patch(src: Any, dst: Any) -> Any:
    """A JSON merge patch (RFC 7386) that turns ``src`` into ``dst``."""
    if not isinstance(src, dict) or not isinstance(dst, dict):
        return dst
    patch: dict[str, Any] = {k: None for k in src if k not in dst}
    for k, v in dst.items():
        if k not in src:
            patch[k] = v
        elif isinstance(v, dict) and isinstance(src[k], dict):
            sub = make_patch(src[k], v)
            if sub:
                patch[k] = sub
        elif v != src[k]:
            patch[k] = v
    return patch


def apply_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON merge patch (RFC 7386); ``None`` deletes a key."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = apply_patch(out.get(k), v)
    return out


def encode_edits(patch: Mapping[str, Any]) -> str:
    """Compact, URL-safe text of a patch (compressed JSON in base64url)."""
    raw = json.dumps(patch, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode_edits(text: str) -> dict[str, Any]:
    """Read :func:`encode_edits` text back; raise ``ValueError`` saying why if unreadable."""
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_SCENARIO_BYTES)
        if inflater.unconsumed_tail:
            raise ValueError(f"the edits are larger than {MAX_SCENARIO_BYTES:,} bytes")
        data = json.loads(raw)
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the edits in the link are damaged ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ValueError("the edits in the link are not a table")
    return data


def rescale(
    probs: tuple[float, ...], index: int, value: float
) -> tuple[float, float, float, float]:
    """Set one of (yes, abstain, no, absent) and rescale the other three to keep the sum at 1."""
    value = min(max(float(value), 0.0), 1.0)
    out = [float(p) for p in probs]
    others = [j for j in range(4) if j != index]
    rest = sum(out[j] for j in others)
    out[index] = value
    if rest > 0:
        for j in others:
            out[j] = out[j] * (1.0 - value) / rest
    else:
        votes = [j for j in range(3) if j != index]
        for j in votes:
            out[j] = (1.0 - value) / len(votes)
    return (out[0], out[1], out[2], out[3])


def vote_table(probs: tuple[float, ...]) -> dict[str, float]:
    """A scenario votes table (non-zero entries only) whose values sum to exactly 1."""
    vals = [round(max(float(p), 0.0), 6) for p in probs]
    big = max(range(4), key=lambda j: vals[j])
    vals[big] = round(1.0 - sum(v for j, v in enumerate(vals) if j != big), 9)
    return {v: p for v, p in zip(VOTES, vals, strict=True) if p > 0}


def member_code(name: str, year: int | None) -> str | None:
    """The ISO3 code a scenario's member name stands for (None if unknown)."""
    try:
        return resolve_for_year(name, year) if year is not None else resolve(name)
    except ValueError:
        return None


def set_member_table(
    tables: dict[str, Any], code: str, year: int | None, table: dict[str, float] | None
) -> dict[str, Any]:
    """A copy of a votes table with ``code``'s entry replaced (or removed if ``table`` is None)."""
    keys = [k for k in tables if member_code(k, year) == code]
    out = {k: v for k, v in tables.items() if k not in keys}
    if table is not None:
        name = keys[0] if keys else readable_name(code)
        if member_code(name, year) != code:
            name = code
        out[name] = table
    return out


def year_scenario(year: int) -> dict[str, Any]:
    """A blank what-if for a year's Council: every member calibrated (or the default guess)."""
    council = council_for_year(year)
    return {
        "scenario": {
            "name": f"The {year} Council: a draft of your own",
            "description": (
                f"All {council.size} members of the {year} Council, with calibrated vote "
                "probabilities where available. Edit them to build your what-if."
            ),
        },
        "council": {"year": year},
        "draft": {"procedural": False},
    }


def results_bytes(result: SimulationResult, fmt: str) -> bytes:
    """The result as one flat row: CSV or Parquet (with run details in the Parquet metadata)."""
    meta = {
        "unsc_sim.version": result.version,
        "unsc_sim.seed": json.dumps(result.seed),
        "unsc_sim.method": result.method,
        "unsc_sim.draws": str(result.draws),
        "unsc_sim.command": "app.py (download)",
    }
    return table_bytes([result_record(result)], fmt, meta)


def pct(p: float, digits: int = 1) -> str:
    """A probability in plain percent; tiny non-zero values are not shown as 0."""
    if p <= 0:
        return "0%"
    if p >= 1:
        return "100%"
    scale = 10.0**-digits
    if 100 * p < scale:
        return f"<{scale:g}%"
    if 100 * p > 100 - scale:
        return f">{100 - scale:g}%"
    return f"{100 * p:.{digits}f}%"


# --- cached computation -------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=256)
def library() -> dict[str, dict[str, Any]]:
    """The scenario library: file stem -> canonical scenario dict (invalid files are left out)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            out[path.stem] = normalize(scenario_from_bytes(path.read_bytes(), path.name).to_dict())
        except InputError:
            continue
    return out


@st.cache_resource(show_spinner=False, max_entries=64)
def cached_spec(canon: str) -> ModelSpec:
    """The engine model of a scenario (members' numbers and where they came from)."""
    return model_spec(json.loads(canon))


@st.cache_data(show_spinner=False, max_entries=256)
def cached_result(canon: str, draws: int, seed: int, method: str) -> SimulationResult:
    """Simulate a scenario; long Monte Carlo runs show a progress bar (replayed from the cache)."""
    if method != "monte-carlo" or draws < PROGRESS_FROM:
        return simulate(cached_spec(canon), draws=max(draws, 1), seed=seed, method=method)  # type: ignore[arg-type]
    bar = st.progress(0.0, text=f"Simulating {draws:,} votes…")
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        bar.progress(min(1.0, done[0] / draws), text=f"Simulated {done[0]:,} of {draws:,} votes…")

    result = simulate(cached_spec(canon), draws=draws, seed=seed, method="monte-carlo", progress=tick)
    bar.empty()
    return result


@st.cache_data(show_spinner=False, max_entries=64)
def cached_sensitivity(canon: str, shift: float) -> pd.DataFrame:
    """P(adopted) when each member leans toward yes or no (exact, the draft as tabled)."""
    return sensitivity(cached_spec(canon), shift)


# --- state and edits ----------------------------------------------------------------------------


def scn() -> dict[str, Any]:
    """The current (edited) scenario dict."""
    current: dict[str, Any] = ss["scn"]
    return current


def load(kind: str, ref: str, data: Mapping[str, Any]) -> None:
    """Start from a new base scenario; edits are dropped."""
    base = normalize(data)
    # Links carry a patch from "scenario" (empty for uploads, which the server cannot refetch).
    ss["base"] = {
        "kind": kind,
        "ref": ref,
        "scenario": base if kind != "upload" else {},
        "original": base,
    }
    ss["scn"] = base
    ss["edit_error"] = None
    ss["pending_edits"] = None
    show_start(ss["base"], base)


def show_start(base: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Set the library picker and the year box to what the page shows.

    The picker shows the library scenario on the page, or nothing (so that any pick loads);
    the year box shows the page's Council year. Streamlit forgets a widget's value in a run
    that does not draw it, so this runs on every load and whenever the way to start changes.
    """
    ss["library_pick"] = base["ref"] if base["kind"] == "library" else None
    ss["year_pick"] = year_of(data) or DEFAULT_YEAR


def commit(new: Mapping[str, Any]) -> bool:
    """Replace the current scenario with an edited one if it is valid; else keep it and say why."""
    try:
        ss["scn"] = normalize(new)
    except InputError as exc:
        ss["edit_error"] = str(exc)
        return False
    ss["edit_error"] = None
    return True


def year_of(data: Mapping[str, Any]) -> int | None:
    """The Council year of a scenario, if it names one."""
    year = data.get("council", {}).get("year")
    return int(year) if year is not None else None


def targets(data: Mapping[str, Any]) -> dict[str, str]:
    """Which votes table the member editor changes: the draft, or an amendment's tables."""
    out = {"draft": "The draft"}
    for j, amend in enumerate(data.get("amendments", [])):
        out[f"a{j}.votes"] = f"A{j + 1} — the vote on amendment: {amend['name']}"
        out[f"a{j}.effect"] = f"A{j + 1} — draft votes if the amendment is adopted"
    return out


def edited_target() -> str:
    """The table the member editor changes; the draft's when the box is not drawn (Streamlit
    can forget the value of a box it no longer draws, before a callback reads it)."""
    target = ss.get("target", "draft")
    return target if target in targets(scn()) else "draft"


def target_tables(data: Mapping[str, Any], target: str) -> dict[str, Any]:
    """The votes table a target names."""
    if target == "draft":
        tables: dict[str, Any] = data.get("votes", {})
        return tables
    j, part = target[1:].split(".")
    amend_tables: dict[str, Any] = data["amendments"][int(j)].get(part, {})
    return amend_tables


def with_target_tables(
    data: Mapping[str, Any], target: str, tables: dict[str, Any]
) -> dict[str, Any]:
    """A copy of the scenario with one target's votes table replaced."""
    new = json.loads(json.dumps(data))
    if target == "draft":
        new["votes"] = tables
    else:
        j, part = target[1:].split(".")
        new["amendments"][int(j)][part] = tables
    return new


def current_probs(
    target: str, code: str, spec: ModelSpec
) -> tuple[tuple[float, float, float, float], str]:
    """A member's probabilities in a target table and where they come from (plain words)."""
    idx = spec.model.members.index(code)
    draft = tuple(float(x) for x in spec.model.probs[idx])
    draft4 = (draft[0], draft[1], draft[2], draft[3])
    if target == "draft":
        return draft4, SOURCE_WORDS.get(spec.provenance.get(code, ""), "")
    tables = target_tables(scn(), target)
    for name, table in tables.items():
        if member_code(name, year_of(scn())) == code:
            if "shift" in table:
                return draft4, f"the draft's numbers shifted by {table['shift']:+g}"
            vals = tuple(float(table.get(v, 0.0)) for v in VOTES)
            return (vals[0], vals[1], vals[2], vals[3]), "set for this amendment"
    what = "votes as on the draft" if target.endswith("votes") else "no change to the draft"
    return draft4, what


def set_member(target: str, code: str, probs: tuple[float, ...] | None) -> None:
    """Set (or reset, with None) one member's probabilities in the chosen target table."""
    data = scn()
    tables = set_member_table(
        target_tables(data, target),
        code,
        year_of(data),
        None if probs is None else vote_table(probs),
    )
    commit(with_target_tables(data, target, tables))


def on_quick(action: str) -> None:
    """Quick actions on the chosen member: yes, abstain, will veto / no, absent, or "model"
    (drop its own numbers in the table edited: calibrated, or as on the draft)."""
    code, target = ss["member"], edited_target()
    probs = {
        "yes": (1.0, 0.0, 0.0, 0.0),
        "abstain": (0.0, 1.0, 0.0, 0.0),
        "no": (0.0, 0.0, 1.0, 0.0),
        "absent": (0.0, 0.0, 0.0, 1.0),
    }.get(action)
    data = scn()
    if target == "draft" and probs is not None:
        data = held_on_every_path(data, code, probs)
    table = None if probs is None else vote_table(probs)
    commit(with_target_tables(data, target, set_member_table(target_tables(data, target), code, year_of(data), table)))


def held_on_every_path(data: Mapping[str, Any], code: str, probs: tuple[float, ...]) -> dict[str, Any]:
    """The scenario with a quick action on the draft holding whatever amendments pass: each
    amendment ``effect`` that names the member gets the same vote."""
    out = dict(data)
    for j, amend in enumerate(data.get("amendments", [])):
        if any(member_code(k, year_of(data)) == code for k in amend.get("effect", {})):
            target = f"a{j}.effect"
            out = with_target_tables(out, target, set_member_table(
                target_tables(out, target), code, year_of(data), vote_table(probs)))
    return out


def member_entry(tables: Mapping[str, Any], code: str, year: int | None) -> tuple[str, Any] | None:
    """A member's (name, table) in a votes table, if the table names the member."""
    for name, table in tables.items():
        if member_code(name, year) == code:
            return name, table
    return None


def restore_entry(
    tables: Mapping[str, Any], original: Mapping[str, Any], code: str, year: int | None
) -> dict[str, Any]:
    """A copy of ``tables`` with ``code``'s entry as in ``original`` (or none, if it had none)."""
    out = {k: v for k, v in tables.items() if member_code(k, year) != code}
    entry = member_entry(original, code, year)
    if entry is not None:
        out[entry[0]] = entry[1]
    return out


def restore_member(
    data: Mapping[str, Any], original: Mapping[str, Any], target: str, code: str
) -> dict[str, Any]:
    """The scenario with one member's numbers in ``target`` as the starting scenario had them.

    Amendments are matched by name (one may have been dropped). On the draft, the member's
    entries in the amendments' effects come back too, as a quick action on the draft sets them.
    """
    year = year_of(data)
    new: dict[str, Any] = json.loads(json.dumps(data))
    before = {a["name"]: a for a in original.get("amendments", [])}
    if target == "draft":
        new["votes"] = restore_entry(new.get("votes", {}), original.get("votes", {}), code, year)
        parts = ["effect"]
    else:
        parts = [target.split(".")[1]]
    for j, amend in enumerate(new.get("amendments", [])):
        if target != "draft" and target != f"a{j}.{parts[0]}":
            continue
        for part in parts:
            old = before.get(amend["name"], {}).get(part, {})
            tables = restore_entry(amend.get(part, {}), old, code, year)
            if tables or part in amend:
                amend[part] = tables
    if target == "draft" and not new["votes"] and "votes" not in data:
        del new["votes"]
    return new


def edited_on_draft(data: Mapping[str, Any], code: str) -> bool:
    """Whether the member's numbers on the draft differ from the starting scenario's."""
    year = year_of(data)
    now = member_entry(data.get("votes", {}), code, year)
    before = member_entry(ss["base"]["original"].get("votes", {}), code, year)
    return (now and now[1]) != (before and before[1])


def model_numbers_label(target: str, code: str, spec: ModelSpec) -> str | None:
    """The button that drops a member's own numbers in ``target``, named for what it gives;
    None where it would give nothing new (on the draft, where no calibrated numbers exist)."""
    if target != "draft":
        named = member_entry(target_tables(scn(), target), code, year_of(scn())) is not None
        if not named:
            return None
        return "Vote as on the draft" if target.endswith("votes") else "No change to the draft"
    calibrator = default_calibrator()
    calibrated = calibrator(spec.resolved) if calibrator is not None else None
    has_own = member_entry(scn().get("votes", {}), code, year_of(scn())) is not None
    if calibrated is None or code not in calibrated.probs or not has_own:
        return None
    return "Calibrated numbers"


def on_number(index: int) -> None:
    """A member's probability typed in: the other three are rescaled to keep the total at 100%."""
    code, target = ss["member"], edited_target()
    probs, _ = current_probs(target, code, cached_spec(canonical(scn())))
    value = ss[f"num_{VOTES[index]}"]
    if value is None:
        return
    set_member(target, code, rescale(probs, index, value / 100.0))


def on_pick_library() -> None:
    """A scenario picked from the library (a cleared picker goes back to what the page shows)."""
    stem = ss["library_pick"]
    if stem in library():
        load("library", stem, library()[stem])
    else:
        show_start(ss["base"], scn())


def on_start_mode() -> None:
    """Another way to start: the picker and the year box show what the page shows."""
    show_start(ss["base"], scn())


def on_load_year() -> None:
    """Start from a year's Council."""
    year = int(ss["year_pick"])
    load("year", str(year), year_scenario(year))


def on_upload() -> None:
    """Read an upload; a bad file shows its error and leaves the current what-if alone."""
    file = ss.get("upload")
    if file is None:
        ss["upload_error"] = None
        return
    try:
        data = normalize(scenario_from_bytes(file.getvalue(), file.name).to_dict())
    except InputError as exc:
        ss["upload_error"] = upload_message(file.name, exc)
        return
    ss["upload_error"] = None
    load("upload", file.name, data)


def upload_message(name: str, exc: InputError) -> str:
    """A reader's error in words for the page: the uploaded file's name, then the key in the
    file that is wrong (the reader's "(toml)" and "(file)" stand for the whole file)."""
    if exc.field in WHOLE_FILE:
        what = exc.message if exc.message.startswith("is ") else f"is {exc.message}"
        return f"{name} {what}."
    return f"In {name}, at {exc.field}: {exc.message}."


def on_discard() -> None:
    """Go back to the starting scenario, dropping every edit."""
    commit(ss["base"]["original"])


def on_procedural() -> None:
    """Switch between a procedural vote (no veto) and a substantive one."""
    new = json.loads(json.dumps(scn()))
    new.setdefault("draft", {})["procedural"] = bool(ss["procedural"])
    commit(new)


def on_parties() -> None:
    """Set the parties to the dispute, who must abstain (Art. 27(3))."""
    new = json.loads(json.dumps(scn()))
    names = [readable_name(c) for c in ss["parties"]]
    year = year_of(new)
    new["council"]["parties_to_dispute"] = [
        n if member_code(n, year) is not None else c
        for n, c in zip(names, ss["parties"], strict=True)
    ]
    commit(new)


def correlation_table(spec: ModelSpec) -> dict[str, Any]:
    """The scenario's correlation table, or the model's current one (calibrated or default)."""
    data = scn()
    if "correlation" in data:
        table: dict[str, Any] = json.loads(json.dumps(data["correlation"]))
        table.setdefault("blocs", [])
        return table
    model = spec.model
    blocs = []
    for b, name in enumerate(model.bloc_names):
        members = [readable_name(m) for m, g in zip(model.members, model.bloc, strict=True) if g == b]
        if members:
            blocs.append({"name": readable_bloc(name), "members": members, "cohesion": float(model.cohesion[b])})
    return {"common": float(model.common), "blocs": blocs}


def _with_correlation(change: Callable[[dict[str, Any]], None]) -> None:
    spec = cached_spec(canonical(scn()))
    table = correlation_table(spec)
    change(table)
    new = json.loads(json.dumps(scn()))
    new["correlation"] = table
    commit(new)


def on_common() -> None:
    """The common correlation among all members."""
    _with_correlation(lambda t: t.__setitem__("common", float(ss["common"])))


def on_bloc_members(b: int) -> None:
    """Members of bloc ``b``."""

    def change(t: dict[str, Any]) -> None:
        t["blocs"][b]["members"] = [readable_name(c) for c in ss[f"bloc_members_{b}"]]
        if not t["blocs"][b]["members"]:
            del t["blocs"][b]

    _with_correlation(change)


def on_bloc_cohesion(b: int) -> None:
    """Cohesion of bloc ``b``."""
    _with_correlation(
        lambda t: t["blocs"][b].__setitem__("cohesion", float(ss[f"bloc_cohesion_{b}"]))
    )


def on_bloc_remove(b: int) -> None:
    """Drop bloc ``b``."""
    _with_correlation(lambda t: t["blocs"].pop(b))


def on_bloc_add() -> None:
    """A new bloc of the chosen members."""
    members = [readable_name(c) for c in ss.get("new_bloc_members", [])]
    if not members:
        ss["edit_error"] = "Choose the members of the new bloc first."
        return
    name = (ss.get("new_bloc_name") or "").strip() or "New bloc"

    def change(t: dict[str, Any]) -> None:
        t["blocs"].append(
            {"name": name, "members": members, "cohesion": float(ss["new_bloc_cohesion"])}
        )

    _with_correlation(change)
    if ss["edit_error"] is None:
        ss["new_bloc_members"] = []
        ss["new_bloc_name"] = ""


def on_drop_amendment(j: int) -> None:
    """Remove amendment ``j`` from the sequence, with its real outcome if the reference has one."""
    new = json.loads(json.dumps(scn()))
    name = new["amendments"][j]["name"]
    del new["amendments"][j]
    if not new["amendments"]:
        del new["amendments"]
    ref = new.get("reference") or {}
    if ref.get("amendments"):
        ref["amendments"] = [a for a in ref["amendments"] if a["name"] != name]
        if not ref["amendments"]:
            del ref["amendments"]
    if commit(new):
        ss["target"] = "draft"


def on_pin(result: SimulationResult, label: str) -> None:
    """Keep the current result to compare the next what-ifs with."""
    ss["pinned"] = {"result": result, "label": label, "scenario": scn()}


def on_unpin() -> None:
    """Forget the pinned result."""
    ss["pinned"] = None


# --- start-up: query parameters -----------------------------------------------------------------


def init_state() -> None:
    """First run of a session: start from the link's query parameters, else the default scenario."""
    ss["initialized"] = True
    ss["upload_error"] = None
    ss["edit_error"] = None
    ss["pinned"] = None
    ss["link_error"] = None
    qp = st.query_params
    lib = library()
    try:
        if "scenario" in qp:
            stem = qp["scenario"]
            if stem not in lib:
                raise ValueError(f"there is no scenario {stem!r} in the library")
            load("library", stem, lib[stem])
        elif "year" in qp:
            year = int(qp["year"])
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValueError(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
            load("year", str(year), year_scenario(year))
        elif "edits" in qp:
            data = decode_edits(qp["edits"])
            load("upload", "scenario from the link", data)
        else:
            load("library", DEFAULT_SCENARIO, lib[DEFAULT_SCENARIO])
        if (
            "edits" in qp
            and ss["base"]["kind"] != "upload"
            and not commit(apply_patch(scn(), decode_edits(qp["edits"])))
        ):
            raise ValueError(ss["edit_error"])
        method = qp.get("method", DEFAULT_METHOD)
        ss["method"] = method if method in METHOD_LABELS else DEFAULT_METHOD
        draws = link_number(qp, "draws", DEFAULT_DRAWS)
        ss["draws"] = draws if draws in DRAW_CHOICES else DEFAULT_DRAWS
        ss["seed"] = min(MAX_SEED, max(0, link_number(qp, "seed", DEFAULT_SEED)))
    except (ValueError, InputError) as exc:
        ss["link_error"] = f"The link could not be opened as given: {exc}"
        if "scn" not in ss:
            load("library", DEFAULT_SCENARIO, lib[DEFAULT_SCENARIO])
        ss.setdefault("method", DEFAULT_METHOD)
        ss.setdefault("draws", DEFAULT_DRAWS)
        ss.setdefault("seed", DEFAULT_SEED)
    ss["start_mode"] = {"library": START_MODES[0], "year": START_MODES[1]}.get(
        ss["base"]["kind"], START_MODES[2]
    )
    show_start(ss["base"], scn())


def link_number(qp: Any, key: str, default: int) -> int:
    """A whole number from the page address, or a plain-words error naming the parameter."""
    text = qp.get(key)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{key} must be a whole number, not {text!r}") from None


#: Widgets that are not drawn in every run (the Monte Carlo settings are hidden under Exact).
HIDDEN_SETTINGS: dict[str, Any] = {"draws": DEFAULT_DRAWS, "seed": DEFAULT_SEED, "member": None}


def keep_hidden_settings() -> None:
    """Keep the values of widgets hidden in this run.

    Streamlit drops a widget's state in a run that does not draw it, so the number of draws,
    the seed (hidden under Exact) and the chosen member (on another tab) are mirrored under keys
    of their own and restored when they come back.
    """
    for key, default in HIDDEN_SETTINGS.items():
        if key in ss:
            ss[f"kept_{key}"] = ss[key]
        elif ss.get(f"kept_{key}", default) is not None:
            ss[key] = ss.get(f"kept_{key}", default)


def share_params() -> dict[str, str]:
    """The query parameters that reopen the current what-if."""
    base = ss["base"]
    params: dict[str, str] = {}
    if base["kind"] == "library":
        params["scenario"] = base["ref"]
    elif base["kind"] == "year":
        params["year"] = base["ref"]
    patch = make_patch(base["scenario"], scn())
    if patch:
        params["edits"] = encode_edits(patch)
    if ss["method"] != DEFAULT_METHOD:
        params["method"] = ss["method"]
    if ss["method"] == "monte-carlo" and ss["draws"] != DEFAULT_DRAWS:
        params["draws"] = str(ss["draws"])
    if ss["seed"] != DEFAULT_SEED:
        params["seed"] = str(ss["seed"])
    return params


# --- the page -----------------------------------------------------------------------------------


def sidebar(result: SimulationResult | None) -> None:
    """Start, run settings, share and save."""
    lib = library()
    with st.sidebar:
        st.header("Start from")
        mode = st.radio(
            "Start from",
            START_MODES,
            key="start_mode",
            label_visibility="collapsed",
            on_change=on_start_mode,
        )
        if ss.get("library_pick", "") not in (None, *lib) or "year_pick" not in ss:
            show_start(ss["base"], scn())
        if mode == START_MODES[0]:
            st.selectbox(
                "Scenario",
                list(lib),
                index=None,
                key="library_pick",
                format_func=lambda s: lib[s]["scenario"]["name"],
                placeholder="Choose a scenario",
                on_change=on_pick_library,
            )
            if ss["library_pick"] is None:
                st.caption(f"The page shows {scn()['scenario']['name']}, which is not from the "
                           "library. Choose a scenario to start from it instead.")
            else:
                st.caption(lib[ss["library_pick"]]["scenario"].get("description", ""))
        elif mode == START_MODES[1]:
            st.number_input(
                "Year", min_value=FIRST_YEAR, max_value=LAST_YEAR, step=1, key="year_pick"
            )
            st.button(
                f"Load the {int(ss['year_pick'])} Council", key="load_year", on_click=on_load_year
            )
        else:
            st.file_uploader(
                f"Scenario file (.toml, up to {MAX_SCENARIO_BYTES // 1024} KB)",
                type=["toml"],
                key="upload",
                max_upload_size=MAX_UPLOAD_MB,
                on_change=on_upload,
            )
            st.caption("See docs/scenarios.md for the format.")
        if ss.get("upload_error"):
            st.error(f"That file could not be used. {ss['upload_error']}", icon="⚠️")
        st.button(
            "Discard my edits",
            key="discard",
            on_click=on_discard,
            disabled=ss["base"]["original"] == scn(),
        )

        st.header("How to compute")
        st.radio(
            "Method",
            list(METHOD_LABELS),
            key="method",
            format_func=METHOD_LABELS.__getitem__,
            horizontal=True,
            help="Monte Carlo simulates many votes; Exact integrates the model (slower, no noise).",
        )
        if ss["method"] == "monte-carlo":
            st.select_slider(
                "Simulated votes", DRAW_CHOICES, key="draws", format_func=lambda n: f"{n:,}"
            )
            st.number_input("Random seed", min_value=0, max_value=MAX_SEED, step=1, key="seed")

        st.header("Share and save")
        st.caption("The page address carries this what-if: copy it to share the same view.")
        name = (
            Path(ss["base"]["ref"]).stem
            if ss["base"]["kind"] != "year"
            else f"council_{ss['base']['ref']}"
        )
        st.download_button(
            "Scenario (TOML)",
            scenario_to_toml(parse_scenario(scn())),
            file_name=f"{name}_whatif.toml",
            mime="application/toml",
            key="dl_toml",
        )
        if result is not None:
            st.download_button(
                "Results (CSV)",
                lambda: results_bytes(result, "csv"),
                file_name=f"{name}_results.csv",
                mime="text/csv",
                key="dl_csv",
            )
            st.download_button(
                "Results (Parquet)",
                lambda: results_bytes(result, "parquet"),
                file_name=f"{name}_results.parquet",
                mime="application/vnd.apache.parquet",
                key="dl_parquet",
            )


def headline(result: SimulationResult) -> None:
    """P(adopted) with its interval, veto vs shortfall, and what really happened."""
    data = scn()
    pinned = ss.get("pinned")
    c1, c2, c3, c4 = st.columns(4)
    with c1, st.container(key="p_adopted"):
        delta = None
        if pinned is not None:
            delta = f"{100 * (result.p_adopted - pinned['result'].p_adopted):+.1f} points vs pinned"
        st.metric("Chance of adoption", pct(result.p_adopted), delta=delta)
        lo, hi = result.p_adopted_ci
        if result.method == "exact":
            st.caption("Exact (no simulation noise)")
        else:
            st.caption(
                f"95% interval {pct(lo, 2)} to {pct(hi, 2)} ({result.draws:,} simulated votes)"
            )
    with c2, st.container(key="p_vetoed"):
        st.metric("Chance of a veto", pct(result.p_vetoed))
        if result.procedural:
            st.caption("Procedural vote: there is no veto.")
        elif result.p_veto_by:
            top = max(result.p_veto_by, key=lambda m: result.p_veto_by[m])
            st.caption(
                f"Enough votes, then a permanent no. Most likely {readable_name(top)} "
                f"({pct(result.p_veto_by[top])}); any permanent no: {pct(result.p_permanent_no)}"
            )
    with c3, st.container(key="p_short"):
        st.metric("Chance of a shortfall", pct(result.p_short))
        kind = "procedural" if result.procedural else "substantive"
        st.caption(f"Fewer than {result.threshold} yes votes: fails without a veto, whoever "
                   f"votes no ({result.threshold} of {result.n} needed, a {kind} vote)")
    with c4, st.container(key="reference"):
        ref = data.get("reference")
        if ref:
            word = {"adopted": "Adopted", "vetoed": "Vetoed", "failed": "Failed"}[ref["outcome"]]
            st.metric("What really happened", word)
            tally = f"{ref['yes']}–{ref['no']}–{ref['abstain']}"
            st.caption(
                f"{tally} (yes–no–abstain); model's chance of that outcome: "
                f"{pct(reference_chance(result, ref))}"
            )
        else:
            st.metric("What really happened", "—")
            st.caption("A what-if: no historical answer.")


def reference_chance(result: SimulationResult, ref: Mapping[str, Any]) -> float:
    """The model's probability of the outcome that really happened."""
    if ref["outcome"] == "adopted":
        return result.p_adopted
    if ref["outcome"] == "vetoed":
        return result.p_vetoed
    return result.p_short


def reference_amendments(data: Mapping[str, Any]) -> dict[str, AmendmentReferenceSpec]:
    """The real outcome of each amendment the reference records, by amendment name."""
    entries = (data.get("reference") or {}).get("amendments", [])
    return {e["name"]: AmendmentReferenceSpec.model_validate(e) for e in entries}


def reference_votes(data: Mapping[str, Any]) -> dict[str, str]:
    """The real votes of a scenario's reference, by ISO3 code."""
    ref = data.get("reference") or {}
    year = year_of(data)
    out = {}
    for name, vote in ref.get("votes", {}).items():
        code = member_code(name, year)
        if code is not None:
            out[code] = vote
    return out


def one_column_legend(c: Any, columns: int = 1) -> Any:
    """The chart (or each layer of it) with its colour legend in ``columns`` columns: at part
    of a 1024 px page, a row of long labels is wider than the chart and was cut off."""
    out = c.copy(deep=True)
    for part in getattr(out, "layer", None) or [out]:
        encoding = getattr(part, "encoding", None)
        color = getattr(encoding, "color", None) if encoding is not alt.Undefined else None
        if color is None or color is alt.Undefined:
            continue
        legend = color["legend"]  # item access: .legend is Altair's setter
        if legend is not None and legend is not alt.Undefined:
            legend["columns"] = columns
    return out


def chart(c: Any) -> None:
    """Show an Altair chart in the Streamlit theme (light or dark)."""
    st.altair_chart(c, theme="streamlit", width="stretch")


def members_tab(result: SimulationResult, spec: ModelSpec) -> None:
    """Per-member editor with quick actions, and the stacked bars of everyone's votes."""
    data = scn()
    model = spec.model
    left, right = st.columns([2, 3], gap="large")
    with left:
        tg = targets(data)
        if ss.get("target") != edited_target():
            ss["target"] = edited_target()
        if len(tg) > 1:
            st.selectbox("Edit the votes on", list(tg), key="target", format_func=tg.__getitem__)
        members = list(model.members)
        if ss.get("member") not in members:
            ss["member"] = members[0]
        perm = set(spec.resolved.council.permanent)
        st.selectbox(
            "Member",
            members,
            key="member",
            format_func=lambda m: charts.member_label(m, m in perm),
        )
        code, target = ss["member"], ss["target"]
        probs, source = current_probs(target, code, spec)
        restored = restore_member(data, ss["base"]["original"], target, code)
        if restored != data:
            source = "your edit"
        st.caption(f"Numbers now: {source}.")
        vetoes = code in perm and not _procedural_for(target)
        actions = [
            ("yes", "Votes yes"),
            ("abstain", "Abstains"),
            ("no", "Will veto" if vetoes else "Votes no"),
            ("absent", "Absent"),
        ]
        with st.container(horizontal=True, key="quick_actions"):
            for action, label in actions:
                st.button(label, key=f"qa_{action}", on_click=on_quick, args=(action,))
            st.button(
                "Back to the scenario's numbers",
                key="qa_reset",
                on_click=commit,
                args=(restored,),
                disabled=restored == data,
                help="This member's numbers as the scenario you started from had them.",
            )
            model_numbers = model_numbers_label(target, code, spec)
            if model_numbers is not None:
                st.button(model_numbers, key="qa_model", on_click=on_quick, args=("model",))
        if target == "draft" and data.get("amendments"):
            st.caption("On the draft, a quick action holds on every amendment path: an amendment's "
                       "effect on this member is set to the same vote.")
        if code in spec.resolved.parties and not _procedural_for(target):
            st.caption(f"{readable_name(code)} is a party to the dispute: under Article 27(3) it "
                       "abstains on this substantive vote, whatever is set here.")
        ncols = [c for _ in range(2) for c in st.columns(2)]  # 2 x 2: the numbers fit
        for j, (col, word) in enumerate(zip(ncols, VOTE_WORDS, strict=True)):
            ss[f"num_{VOTES[j]}"] = round(100 * probs[j], 1)
            col.number_input(
                f"{word} %",
                min_value=0.0,
                max_value=100.0,
                step=5.0,
                format="%.1f",
                key=f"num_{VOTES[j]}",
                on_change=on_number,
                args=(j,),
            )
        st.caption("Type one chance; the other three are rescaled so they add up to 100%.")
    ref = reference_votes(data)
    with right:
        chart(one_column_legend(charts.member_votes_chart(result, ref), columns=2))
    st.subheader("Where each member's numbers come from")
    rows = []
    for i, m in enumerate(model.members):
        source = SOURCE_WORDS.get(spec.provenance.get(m, ""), "")
        if spec.provenance.get(m) in ("user", "shifted") and edited_on_draft(data, m):
            source = "your edit"
        row = {
            "Member": charts.member_label(m, m in perm),
            **{w: float(model.probs[i, j]) for j, w in enumerate(VOTE_WORDS)},
            "Numbers from": source,
        }
        if ref:
            row["Really voted"] = ref.get(m, "")
        rows.append(row)
    # a plain table, not st.dataframe: the data grid was the page's heaviest element to draw
    # and held back the first number on a new page
    table = pd.DataFrame(rows).set_index("Member")
    st.table(table.style.format("{:.0%}", subset=list(VOTE_WORDS)))
    if data.get("amendments"):
        st.caption(
            "The draft's numbers before any amendment; the chart above shows votes after them."
        )


def _procedural_for(target: str) -> bool:
    data = scn()
    if target == "draft":
        return bool(data.get("draft", {}).get("procedural", False))
    j = int(target[1:].split(".")[0])
    if target.endswith("votes"):
        return bool(data["amendments"][j].get("procedural", False))
    return bool(data.get("draft", {}).get("procedural", False))


def rules_tab(spec: ModelSpec, result: SimulationResult) -> None:
    """Procedural or substantive, parties to the dispute, common correlation and blocs; then
    how often each pair of members votes the same way."""
    data = scn()
    model = spec.model
    members = list(model.members)
    perm = set(spec.resolved.council.permanent)

    def label(m: str) -> str:
        return charts.member_label(m, m in perm)

    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("The vote")
        ss["procedural"] = bool(data.get("draft", {}).get("procedural", False))
        st.toggle(
            "Procedural vote (nine votes suffice, no veto)",
            key="procedural",
            on_change=on_procedural,
        )
        ss["parties"] = sorted(spec.resolved.parties, key=members.index)
        st.multiselect(
            "Parties to the dispute (they must abstain, Charter Art. 27(3))",
            members,
            key="parties",
            format_func=label,
            on_change=on_parties,
        )
        st.subheader("How votes move together")
        ss["common"] = float(model.common)
        # common + each bloc's cohesion must stay at most 1: the slider stops where it would not
        top_common = max(float(model.common), 1.0 - float(max(model.cohesion, default=0.0)))
        if top_common > 0:
            st.slider(
                "Common correlation (how much all members move together)",
                0.0,
                top_common,
                step=0.05 if top_common >= 0.05 else 0.01,
                key="common",
                on_change=on_common,
                help="At most 1 minus the largest bloc cohesion.",
            )
        else:
            st.caption("Common correlation 0: a bloc has cohesion 1, which leaves no room for more.")
        if "correlation" not in data:
            st.caption(
                "From calibration or the default; changing any of these makes them your own."
            )
    with right:
        st.subheader("Blocs")
        table = correlation_table(spec)
        taken = {member_code(n, year_of(data)) for b in table["blocs"] for n in b["members"]}
        for b, bloc in enumerate(table["blocs"]):
            codes = [member_code(n, year_of(data)) for n in bloc["members"]]
            with st.container(border=True):
                st.markdown(f"**{bloc['name']}**")
                ss[f"bloc_members_{b}"] = [c for c in codes if c in members]
                options = [m for m in members if m not in taken or m in codes]
                st.multiselect(
                    "Members",
                    options,
                    key=f"bloc_members_{b}",
                    format_func=label,
                    on_change=on_bloc_members,
                    args=(b,),
                )
                ss[f"bloc_cohesion_{b}"] = float(bloc["cohesion"])
                top = max(float(bloc["cohesion"]), 1.0 - float(model.common), 0.01)
                st.slider(
                    "Cohesion (extra correlation inside the bloc)",
                    0.0,
                    top,
                    step=0.05 if top >= 0.05 else 0.01,
                    help="At most 1 minus the common correlation.",
                    key=f"bloc_cohesion_{b}",
                    on_change=on_bloc_cohesion,
                    args=(b,),
                )
                st.button(
                    "Remove this bloc", key=f"bloc_remove_{b}", on_click=on_bloc_remove, args=(b,)
                )
        with st.expander("Add a bloc"):
            st.text_input("Name", key="new_bloc_name", placeholder="e.g. African members (A3)")
            st.multiselect(
                "Members",
                [m for m in members if m not in taken],
                key="new_bloc_members",
                format_func=label,
            )
            top_new = 1.0 - float(model.common)
            if top_new > 0:
                st.slider("Cohesion", 0.0, top_new, value=min(0.3, top_new), key="new_bloc_cohesion",
                          help="At most 1 minus the common correlation.")
            else:
                st.caption("With common correlation 1 a bloc can add no cohesion.")
            st.button("Add the bloc", key="bloc_add", on_click=on_bloc_add)
        st.caption(
            "A member can be in one bloc only; common correlation + cohesion must be at most 1."
        )
    chart(charts.agreement_heatmap(result))


def outcome_tab(result: SimulationResult) -> None:
    """The yes-vote distribution with the nine-vote line, the likeliest tallies, and history."""
    # one above the other: beside each other at 1024 px the tallies' long labels left no room
    # for the legend, which was cut off
    chart(one_column_legend(charts.yes_votes_chart(result)))
    chart(charts.tally_chart(result))
    ref = scn().get("reference")
    if ref:
        n = result.n
        y, no, ab = ref["yes"], ref["no"], ref["abstain"]
        p_tally = float(result.tally[y, no, ab]) if max(y, no, ab) <= n else 0.0
        what = {"adopted": "adopted", "vetoed": "vetoed", "failed": "failed without a veto"}[
            ref["outcome"]
        ]
        label = ref.get("resolution") or ref.get("draft") or "the draft"
        date = f" on {ref['date']}" if ref.get("date") else ""
        st.info(
            f"**What really happened:** {label} was {what}{date}, "
            f"{ref['yes']} yes, {ref['no']} no, {ref['abstain']} abstain"
            + (f", {ref['absent']} absent" if ref.get("absent") else "")
            + f". The model gives that outcome {pct(reference_chance(result, ref))} and that exact "
            f"tally {pct(p_tally)}."
            + "".join(
                f"  \nAmendment {name}: {reference_note(real)}."
                for name, real in reference_amendments(scn()).items()
            )
            + f"  \nSource: {ref['source']}"
        )


def lobby_tab(result: SimulationResult, canon: str) -> None:
    """Who is pivotal: whose vote most often decides the outcome; then what would change it."""
    chart(charts.pivotal_chart(result))
    order = sorted(range(result.n), key=lambda i: -result.pivotal[i])[:3]
    names = ", ".join(f"{readable_name(result.members[i])} ({pct(result.pivotal[i])})" for i in order)
    st.caption(
        "A member is decisive when switching its vote between yes and no, with everyone else's "
        f"votes unchanged, changes whether the draft passes. Most often decisive: {names}."
    )
    sensitivity_tab(canon)


def sensitivity_tab(canon: str) -> None:
    """How P(adopted) moves when each member leans toward yes or toward no."""
    shift = st.slider(
        "How far a member leans (in standard deviations of its stance)",
        0.1,
        2.0,
        value=DEFAULT_SHIFT,
        step=0.1,
        key="shift",
    )
    df = cached_sensitivity(canon, float(shift))
    chart(charts.sensitivity_chart(df))
    best = df.loc[df["change_yes"].idxmax()]
    worst = df.loc[df["change_no"].idxmin()]
    note = " (the draft as tabled, before amendments)" if scn().get("amendments") else ""
    st.caption(
        f"Computed exactly{note}. Adoption is {pct(float(df['base'].iloc[0]))} as it stands. "
        f"The biggest gain: {best['name']} leaning toward yes "
        f"({100 * best['change_yes']:+.1f} points). The biggest loss: {worst['name']} leaning "
        f"toward no ({100 * worst['change_no']:+.1f} points)."
    )


def amendments_tab(result: SimulationResult) -> None:
    """The amendments, their chances, and the paths through them."""
    data = scn()
    amend = result.amendments
    if not data.get("amendments") or amend is None:
        st.info(
            "This scenario has no amendments. Pick or upload one with `[[amendments]]` "
            "to see the paths through them."
        )
        return
    chart(charts.amendment_paths_chart(amend))
    real = reference_amendments(data)
    for j, (name, p, (given_yes, given_no)) in enumerate(
        zip(amend.names, amend.p_adopted, amend.p_draft_given, strict=True)
    ):
        with st.container(border=True):
            c1, c2 = st.columns([4, 1])
            c1.markdown(f"**A{j + 1}: {name}**")
            gy = "—" if given_yes is None else pct(given_yes)
            gn = "—" if given_no is None else pct(given_no)
            c1.caption(
                f"Chance it is adopted: {pct(p)}. The draft then passes {gy} of the time if it is "
                f"adopted, {gn} if it is rejected."
            )
            if name in real:
                chance = p if real[name].outcome == "adopted" else 1.0 - p
                c1.caption(
                    f"What really happened: {reference_note(real[name])}. The model gives that "
                    f"{'outcome' if real[name].outcome == 'adopted' else 'rejection'} {pct(chance)}."
                )
            c2.button("Drop it", key=f"drop_amend_{j}", on_click=on_drop_amendment, args=(j,))
    st.caption(
        "Edit an amendment's votes in the Members' votes tab: choose it under 'Edit the votes on'."
    )


def compare_tab(result: SimulationResult) -> None:
    """The pinned result beside the current what-if."""
    pinned = ss.get("pinned")
    if pinned is None:
        st.info("Pin a result (the button under the headline numbers), edit the what-if, and "
                "compare the two here.")
        return
    results = {"Pinned": pinned["result"], "Now": result}
    left, right = st.columns(2, gap="large")
    with left:
        chart(charts.compare_chart(results))
    with right:
        chart(charts.compare_members_chart(results))
    patch = make_patch(pinned["scenario"], scn())
    if patch:
        changed = ", ".join(CHANGED_WORDS.get(k, k) for k in sorted(patch))
        st.caption(f"Pinned: {pinned['label']}. Changed since: {changed}.")
    else:
        st.caption(
            f"Pinned: {pinned['label']}. The scenario is unchanged since (run settings may differ)."
        )


def pin_row(result: SimulationResult, label: str) -> None:
    """Pin the result to compare (under the headline, where it is seen at once)."""
    pinned = ss.get("pinned")
    with st.container(horizontal=True, key="pin_row", vertical_alignment="center"):
        st.button(
            "Pin this result",
            icon=":material/push_pin:",
            key="pin",
            on_click=on_pin,
            args=(result, label),
            help="Keep this result to compare with your next edits.",
        )
        if pinned is not None:
            st.button("Unpin", key="unpin", on_click=on_unpin)
            st.caption(f"Pinned: {pinned['label']}. The Compare tab shows it beside this one.")
        else:
            st.caption("Pin it, edit the what-if, and see both in the Compare tab.")


def main() -> None:
    """Render the page: the headline numbers first, then the rest.

    On a new page the browser has yet to load the code that draws each kind of element; sent
    all at once, the charts, tables and widgets held the first number back by seconds. So the
    headline comes first, and on a session's first run the rest waits ``FIRST_PAINT_S``.
    """
    st.set_page_config(page_title="Security Council what-if", page_icon="🗳️", layout="wide")
    first_run = not ss.get("initialized")
    if first_run:
        init_state()
    keep_hidden_settings()
    data = scn()
    canon = canonical(data)
    st.html(PAGE_CSS)
    st.title("Security Council what-if")
    st.markdown(f"**{data['scenario']['name']}**")
    if data["scenario"].get("description"):
        st.caption(data["scenario"]["description"])
    if ss.get("link_error"):
        st.warning(ss["link_error"])
    if ss.get("edit_error"):
        st.error(f"That edit was not applied: {ss['edit_error']}", icon="⚠️")
    spec = cached_spec(canon)
    result: SimulationResult | None = None
    try:
        draws = int(ss["draws"]) if ss["method"] == "monte-carlo" else 0
        result = cached_result(canon, draws, int(ss["seed"]), ss["method"])
    except InputError as exc:
        st.error(f"Could not compute: {exc}")
    if result is not None:
        headline(result)
        if first_run:
            time.sleep(FIRST_PAINT_S)  # let the browser draw the number before the rest comes
    sidebar(result)
    if result is None:
        return
    pin_row(result, f"{data['scenario']['name']} ({METHOD_LABELS[ss['method']]})")
    left, right = st.columns(2, gap="medium")
    with left:
        chart(one_column_legend(charts.outcome_chart(result)))
    with right:
        chart(charts.veto_chart(result))
    tabs = st.tabs(list(TABS), key="view", on_change="rerun")
    views: dict[str, Callable[[], None]] = {
        TABS[0]: lambda: members_tab(result, spec),
        TABS[1]: lambda: rules_tab(spec, result),
        TABS[2]: lambda: outcome_tab(result),
        TABS[3]: lambda: lobby_tab(result, canon),
        TABS[4]: lambda: amendments_tab(result),
        TABS[5]: lambda: compare_tab(result),
    }
    for tab, name in zip(tabs, TABS, strict=True):
        if tab.open:
            with tab:
                views[name]()
    params = share_params()
    if dict(st.query_params.to_dict()) != params:
        st.query_params.from_dict(params)


if __name__ == "__main__":
    main()
