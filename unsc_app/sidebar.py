"""The sidebar: where to start from, how to compute, and share and save; with its callbacks."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import streamlit as st

from sim.api import MAX_HISTORY_BYTES, calibration_as_of
from sim.engine.result import SimulationResult
from sim.errors import InputError
from sim.io.files import MAX_SCENARIO_BYTES, result_record, scenario_from_bytes, table_bytes
from sim.scenario.council import FIRST_YEAR, LAST_YEAR
from sim.scenario.schema import parse_scenario, scenario_to_toml
from sim.scenario.whatif import normalize, year_scenario
from unsc_app import state
from unsc_app.compute import library, read_history_upload
from unsc_app.state import DRAW_CHOICES, MAX_SEED, METHOD_LABELS, START_MODES, session

#: Largest accepted upload in megabytes (Streamlit's smallest unit); the scenario reader caps
#: the bytes further at ``MAX_SCENARIO_BYTES``.
MAX_UPLOAD_MB = 1
#: The file reader's names for an error about the whole file, not one of its keys.
WHOLE_FILE = ("(toml)", "(file)", "")
#: The records reader's name for an error about the whole file (its fields are its columns).
RECORDS_WHOLE_FILE = ("file", "")


def results_bytes(result: SimulationResult, fmt: str) -> bytes:
    """The result as one flat row: CSV or Parquet (with run details in the Parquet metadata),
    by the table writer of ``run --out`` (:func:`sim.files.table_bytes`)."""
    meta = {
        "unsc_sim.version": result.version,
        "unsc_sim.seed": json.dumps(result.seed),
        "unsc_sim.method": result.method,
        "unsc_sim.draws": str(result.draws),
        "unsc_sim.command": "app.py (download)",
    }
    return table_bytes([result_record(result)], fmt, meta)


def upload_message(name: str, exc: InputError, whole: tuple[str, ...] = WHOLE_FILE) -> str:
    """A reader's error in words for the page: the uploaded file's name, then the key in the
    file that is wrong (the reader's "(toml)" and "(file)", or ``whole``, stand for the whole
    file)."""
    if exc.field in whole:
        what = exc.message if exc.message.startswith("is ") else f"is {exc.message}"
        return f"{name} {what}."
    return f"In {name}, at {exc.field}: {exc.message}."


def on_pick_library() -> None:
    """A scenario picked from the library (a cleared picker goes back to what the page shows)."""
    stem = session.library_pick
    if stem in library():
        state.load("library", stem, library()[stem])
    else:
        state.show_start()


def on_load_year() -> None:
    """Start from a year's Council."""
    year = int(session.year_pick)
    state.load("year", str(year), year_scenario(year))


def on_upload() -> None:
    """Read an upload; a bad file shows its error and leaves the current what-if alone."""
    file = session.upload
    if file is None:
        session.upload_error = None
        return
    try:
        data = normalize(scenario_from_bytes(file.getvalue(), file.name).to_dict())
    except InputError as exc:
        session.upload_error = upload_message(file.name, exc)
        return
    session.upload_error = None
    state.load("upload", file.name, data)


def on_history_upload() -> None:
    """Votes recorded after the calibration: a good file extends its history; a bad one shows its
    error and leaves the numbers as they were; a removed file goes back to the shipped model."""
    file = session.history_upload
    if file is None:
        session.history, session.history_error = None, None
        return
    try:
        session.history = read_history_upload(file.getvalue(), file.name)
    except InputError as exc:
        session.history_error = upload_message(file.name, exc, RECORDS_WHOLE_FILE)
        return
    session.history_error = None


def later_votes() -> None:
    """The uploader of votes recorded after the calibrated parameters' data."""
    st.file_uploader(
        f"Votes recorded after {calibration_as_of()}",
        type=["csv", "gz"],
        key="history_upload",
        max_upload_size=max(1, MAX_HISTORY_BYTES // 2**20),
        on_change=on_history_upload,
        help=("Security Council draft votes recorded since the calibration's data, in the format of "
              "its records (CSV or CSV.gz, with Vote: docs/calibration.md). The calibrated numbers then "
              "read them as history. The model reads the history at the start of a draft's year, so a "
              "draft sees only the votes of earlier calendar years. The share link does not carry "
              "the uploaded votes."),
    )
    history = state.history()
    if session.history_error:
        kept = f" Still using {history.name}." if history is not None else ""
        st.error(f"Those votes could not be used. {session.history_error}{kept}", icon="⚠️")
    elif history is not None:
        st.caption(f"Calibrated numbers use the votes in {history.name} (not in the share link).")


def on_discard() -> None:
    """Go back to the starting scenario, dropping every edit."""
    state.commit(session.base["original"])


def start_from() -> None:
    """A library scenario, a year's Council, or an uploaded file; and "Discard my edits"."""
    lib = library()
    st.header("Start from")
    # another way to start: the picker and the year box show what the page shows
    mode = st.radio("Start from", START_MODES, key="start_mode", label_visibility="collapsed",
                    on_change=state.show_start)
    if not (state.has("library_pick") and state.has("year_pick")) or session.library_pick not in (None, *lib):
        state.show_start()
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
        pick = session.library_pick
        if pick is None:
            st.caption(f"The page shows {state.scenario()['scenario']['name']}, which is not from the "
                       "library. Choose a scenario to start from it instead.")
        else:
            st.caption(lib[pick]["scenario"].get("description", ""))
    elif mode == START_MODES[1]:
        st.number_input("Year", min_value=FIRST_YEAR, max_value=LAST_YEAR, step=1, key="year_pick")
        st.button(f"Load the {int(session.year_pick)} Council", key="load_year", on_click=on_load_year)
    else:
        st.file_uploader(
            f"Scenario file (.toml, up to {MAX_SCENARIO_BYTES // 1024} KB)",
            type=["toml"],
            key="upload",
            max_upload_size=MAX_UPLOAD_MB,
            on_change=on_upload,
        )
        st.caption("See docs/scenarios.md for the format.")
    if session.upload_error:
        st.error(f"That file could not be used. {session.upload_error}", icon="⚠️")
    st.button("Discard my edits", key="discard", on_click=on_discard,
              disabled=session.base["original"] == state.scenario())


def how_to_compute() -> None:
    """Monte Carlo or exact; the number of simulated votes and the seed."""
    st.header("How to compute")
    st.radio(
        "Method",
        list(METHOD_LABELS),
        key="method",
        format_func=METHOD_LABELS.__getitem__,
        horizontal=True,
        help="Monte Carlo simulates many votes; Exact integrates the model (slower, no noise).",
    )
    if session.method == "monte-carlo":
        st.select_slider("Simulated votes", DRAW_CHOICES, key="draws", format_func=lambda n: f"{n:,}")
        st.number_input("Random seed", min_value=0, max_value=MAX_SEED, step=1, key="seed")
    later_votes()


def share_and_save(result: SimulationResult | None) -> None:
    """The scenario as TOML, the result as CSV or Parquet."""
    st.header("Share and save")
    st.caption("The page address carries this what-if: copy it to share the same view.")
    base = session.base
    name = Path(base["ref"]).stem if base["kind"] != "year" else f"council_{base['ref']}"
    st.download_button(
        "Scenario (TOML)",
        scenario_to_toml(parse_scenario(state.scenario())),
        file_name=f"{name}_whatif.toml",
        mime="application/toml",
        key="dl_toml",
    )
    if result is None:
        return
    for fmt, label, mime in (
        ("csv", "Results (CSV)", "text/csv"),
        ("parquet", "Results (Parquet)", "application/vnd.apache.parquet"),
    ):
        st.download_button(
            label,
            partial(results_bytes, result, fmt),  # written only when clicked
            file_name=f"{name}_results.{fmt}",
            mime=mime,
            key=f"dl_{fmt}",
        )


def sidebar(result: SimulationResult | None) -> None:
    """Start, run settings, share and save."""
    with st.sidebar:
        start_from()
        how_to_compute()
        share_and_save(result)
