"""The page's session state and its share link: the only module that touches ``st.session_state``.

The state is one scenario dict (``session.scn``, canonical: :func:`sim.scenario.whatif.normalize`), where
it started from (``session.base``) and the run settings. Every key is a typed field of
:class:`Session`; a widget's ``key=`` is the name of its field, so that Streamlit keeps the
widget's value there. The page address carries the starting point and a JSON merge patch of the
edits (:func:`share_params`, read back by :func:`start`), so a link reopens the same what-if.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from typing import Any, Generic, TypedDict, TypeVar, overload

import streamlit as st

from sim.engine.model import VOTES
from sim.engine.result import SimulationResult
from sim.errors import InputError
from sim.io.files import MAX_SCENARIO_BYTES
from sim.scenario.council import FIRST_YEAR, LAST_YEAR
from sim.scenario.whatif import apply_patch, make_patch, normalize, year_of, year_scenario
from unsc_app.compute import History, library

DEFAULT_SCENARIO = "whatif_2026_us_ukraine_text"
DEFAULT_METHOD = "monte-carlo"
DEFAULT_DRAWS = 20_000
DEFAULT_SEED = 0
DRAW_CHOICES = (5_000, 20_000, 100_000, 1_000_000, 10_000_000)
#: Largest seed the page can hold (a JavaScript number).
MAX_SEED = 2**53 - 1
METHOD_LABELS = {"monte-carlo": "Monte Carlo (fast)", "exact": "Exact"}
START_MODES = ("Scenario library", "A year's Council", "Upload a file")
#: The year box's value when the page's scenario names no Council year.
DEFAULT_YEAR = 2025

T = TypeVar("T")
_MISSING: Any = object()


class Key(Generic[T]):
    """One session-state key, read and written with its type; reading a missing key gives the
    default if there is one, else raises ``KeyError``."""

    def __init__(self, default: T = _MISSING) -> None:
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Key[T]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> T: ...
    def __get__(self, obj: object | None, owner: type) -> Key[T] | T:
        if obj is None:
            return self
        if self.default is _MISSING:
            value: T = st.session_state[self.name]
            return value
        got: T = st.session_state.get(self.name, self.default)
        return got

    def __set__(self, obj: object, value: T) -> None:
        st.session_state[self.name] = value


class Base(TypedDict):
    """Where the what-if started: a library stem, a year, or an upload (or a link's scenario)."""

    kind: str
    ref: str
    #: What the link's patch is taken from: the starting scenario ({} for uploads, which the
    #: server cannot fetch again).
    scenario: dict[str, Any]
    original: dict[str, Any]


class Pinned(TypedDict):
    result: SimulationResult
    label: str
    scenario: dict[str, Any]


class Session:
    """Every key of the session state (widget keys are the names of their fields)."""

    initialized = Key[bool](False)
    scn = Key[dict[str, Any]]()
    base = Key[Base]()
    edit_error = Key[str | None](None)
    upload_error = Key[str | None](None)
    link_error = Key[str | None](None)
    pinned = Key[Pinned | None](None)
    view = Key[str | None](None)
    # the sidebar
    start_mode = Key[str]()
    library_pick = Key[str | None](None)
    year_pick = Key[int]()
    upload = Key[Any](None)
    #: votes recorded after the calibration: the uploader, what it gave, and a bad file's error
    history_upload = Key[Any](None)
    history = Key[History | None](None)
    history_error = Key[str | None](None)
    method = Key[str]()
    draws = Key[int]()
    seed = Key[int]()
    # the members' tab
    target = Key[str | None](None)
    member = Key[str | None](None)
    # the rules' tab
    procedural = Key[bool]()
    parties = Key[list[str]]()
    common = Key[float]()
    new_bloc_name = Key[str | None](None)
    new_bloc_members = Key[list[str]]([])
    new_bloc_cohesion = Key[float]()
    # the lobby tab (the slider's value is read where it is drawn)
    shift = Key[float]()
    # where the text stands on the alignment axis
    position = Key[float]()


session = Session()


def has(name: str) -> bool:
    """Whether the session holds ``name`` (Streamlit drops the key of a widget not drawn)."""
    return name in st.session_state


def number(index: int) -> float | None:
    """The members' tab's box for vote ``index`` (percent)."""
    value: float | None = st.session_state[f"num_{VOTES[index]}"]
    return value


def set_number(index: int, value: float) -> None:
    st.session_state[f"num_{VOTES[index]}"] = value


def bloc_members(b: int) -> list[str]:
    """The members box of bloc ``b`` (codes)."""
    codes: list[str] = st.session_state[f"bloc_members_{b}"]
    return codes


def set_bloc_members(b: int, codes: list[str]) -> None:
    st.session_state[f"bloc_members_{b}"] = codes


def bloc_cohesion(b: int) -> float:
    """The cohesion slider of bloc ``b``."""
    return float(st.session_state[f"bloc_cohesion_{b}"])


def set_bloc_cohesion(b: int, value: float) -> None:
    st.session_state[f"bloc_cohesion_{b}"] = value


# --- the scenario and its edits -----------------------------------------------------------------


def scenario() -> dict[str, Any]:
    """The current (edited) scenario dict."""
    return session.scn


def load(kind: str, ref: str, data: Mapping[str, Any]) -> None:
    """Start from a new base scenario; edits are dropped."""
    base = normalize(data)
    session.base = {"kind": kind, "ref": ref, "scenario": base if kind != "upload" else {}, "original": base}
    session.scn = base
    session.edit_error = None
    show_start()


def show_start() -> None:
    """Set the library picker and the year box to what the page shows.

    The picker shows the library scenario on the page, or nothing (so that any pick loads);
    the year box shows the page's Council year. Streamlit forgets a widget's value in a run
    that does not draw it, so this runs on every load and whenever the way to start changes.
    """
    base = session.base
    session.library_pick = base["ref"] if base["kind"] == "library" else None
    session.year_pick = year_of(scenario()) or DEFAULT_YEAR


def commit(new: Mapping[str, Any]) -> bool:
    """Replace the current scenario with an edited one if it is valid; else keep it and say why."""
    try:
        session.scn = normalize(new)
    except InputError as exc:
        session.edit_error = str(exc)
        return False
    session.edit_error = None
    return True


def history() -> History | None:
    """The later votes the user uploaded (the share link does not carry them), or None."""
    return session.history


# --- the share link -----------------------------------------------------------------------------


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


def link_number(qp: Any, key: str, default: int) -> int:
    """A whole number from the page address, or a plain-words error naming the parameter."""
    text = qp.get(key)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{key} must be a whole number, not {text!r}") from None


def start() -> bool:
    """On a session's first run, start from the link's query parameters, else the default
    scenario; then keep the hidden settings. Return whether this was the first run."""
    first = not session.initialized
    if first:
        _init_from_link()
    keep_hidden_settings()
    return first


def _init_from_link() -> None:
    session.initialized = True
    session.upload_error = None
    session.edit_error = None
    session.pinned = None
    session.link_error = None
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
            load("upload", "scenario from the link", decode_edits(qp["edits"]))
        else:
            load("library", DEFAULT_SCENARIO, lib[DEFAULT_SCENARIO])
        if (
            "edits" in qp
            and session.base["kind"] != "upload"
            and not commit(apply_patch(scenario(), decode_edits(qp["edits"])))
        ):
            raise ValueError(session.edit_error)
        method = qp.get("method", DEFAULT_METHOD)
        session.method = method if method in METHOD_LABELS else DEFAULT_METHOD
        draws = link_number(qp, "draws", DEFAULT_DRAWS)
        session.draws = draws if draws in DRAW_CHOICES else DEFAULT_DRAWS
        session.seed = min(MAX_SEED, max(0, link_number(qp, "seed", DEFAULT_SEED)))
    except (ValueError, InputError) as exc:
        session.link_error = f"The link could not be opened as given: {exc}"
        if not has("scn"):
            load("library", DEFAULT_SCENARIO, lib[DEFAULT_SCENARIO])
        for name, default in (("method", DEFAULT_METHOD), ("draws", DEFAULT_DRAWS), ("seed", DEFAULT_SEED)):
            st.session_state.setdefault(name, default)
    session.start_mode = {"library": START_MODES[0], "year": START_MODES[1]}.get(
        session.base["kind"], START_MODES[2]
    )
    show_start()


#: Widgets that are not drawn in every run (the Monte Carlo settings are hidden under Exact).
HIDDEN_SETTINGS: dict[str, Any] = {"draws": DEFAULT_DRAWS, "seed": DEFAULT_SEED, "member": None}


def keep_hidden_settings() -> None:
    """Keep the values of widgets hidden in this run.

    Streamlit drops a widget's state in a run that does not draw it, so the number of draws,
    the seed (hidden under Exact) and the chosen member (on another tab) are mirrored under keys
    of their own and restored when they come back.
    """
    ss = st.session_state
    for key, default in HIDDEN_SETTINGS.items():
        if key in ss:
            ss[f"kept_{key}"] = ss[key]
        elif ss.get(f"kept_{key}", default) is not None:
            ss[key] = ss.get(f"kept_{key}", default)


def share_params() -> dict[str, str]:
    """The query parameters that reopen the current what-if."""
    base = session.base
    params: dict[str, str] = {}
    if base["kind"] == "library":
        params["scenario"] = base["ref"]
    elif base["kind"] == "year":
        params["year"] = base["ref"]
    patch = make_patch(base["scenario"], scenario())
    if patch:
        params["edits"] = encode_edits(patch)
    if session.method != DEFAULT_METHOD:
        params["method"] = session.method
    if session.method == "monte-carlo" and session.draws != DEFAULT_DRAWS:
        params["draws"] = str(session.draws)
    if session.seed != DEFAULT_SEED:
        params["seed"] = str(session.seed)
    return params


def update_link() -> None:
    """Put the current what-if in the page address (only if it changed: each write reruns)."""
    params = share_params()
    if dict(st.query_params.to_dict()) != params:
        st.query_params.from_dict(params)
