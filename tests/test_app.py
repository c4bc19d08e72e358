"""AppTest coverage of the what-if app (app.py): every control path, without a browser."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import sim
from sim.engine import montecarlo
from sim.io.files import MAX_SCENARIO_BYTES
from sim.scenario import whatif
from sim.scenario.schema import scenario_from_toml
from unsc_app import display, members, sidebar, state, tabs

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")

TIMEOUT = 120


@pytest.fixture(autouse=True)
def clear_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return str(m.value)
    raise AssertionError(f"no metric {label_start!r} in {[m.label for m in at.metric]}")


def p_adopted(at: AppTest) -> float:
    """The headline P(adopted) as shown, in percent ('<0.1%' counts as 0.05)."""
    text = metric(at, "Chance of adoption").rstrip("%")
    if text.startswith("<"):
        return float(text[1:]) / 2
    return float(text.lstrip(">"))


def show_tab(at: AppTest, name: str) -> AppTest:
    at.session_state["view"] = name
    at.run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def scenario(at: AppTest) -> dict[str, Any]:
    data: dict[str, Any] = at.session_state["scn"]
    return data


def press(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


# --- starting points ------------------------------------------------------------------------------


def test_default_page_shows_the_headline_numbers() -> None:
    at = open_app()
    assert at.title[0].value == "Security Council what-if"
    assert scenario(at)["scenario"]["name"].startswith("What-if 2026")
    assert 0.0 < p_adopted(at) < 100.0
    assert metric(at, "What really happened") == "—"
    assert any("95% interval" in c.value for c in at.caption)
    assert at.query_params["scenario"] == state.DEFAULT_SCENARIO
    assert "edits" not in at.query_params
    assert [t.label for t in at.tabs] == list(tabs.TABS)


def test_scenario_picker_shows_name_and_description_and_loads() -> None:
    at = open_app()
    picker = at.selectbox(key="library_pick")
    assert "iran_2015_jcpoa_unanimous" in picker.options or any("Iran" in o for o in picker.options)
    picker.set_value("iran_2015_jcpoa_unanimous").run()
    assert not at.exception
    assert scenario(at)["scenario"]["name"].startswith("Iran 2015")
    assert any("Resolution 2231" in c.value for c in at.sidebar.caption)
    assert metric(at, "What really happened") == "Adopted"
    assert p_adopted(at) > 99.0
    assert at.query_params["scenario"] == "iran_2015_jcpoa_unanimous"


def test_start_from_a_years_council() -> None:
    at = open_app()
    at.radio(key="start_mode").set_value("A year's Council").run()
    at.number_input(key="year_pick").set_value(1950).run()
    press(at, "load_year")
    data = scenario(at)
    assert data["council"] == {"year": 1950, "parties_to_dispute": []}
    assert "votes" not in data or not data["votes"]
    assert any("7 of 11 needed" in c.value for c in at.caption)
    assert at.query_params["year"] == "1950"
    assert "scenario" not in at.query_params


def test_upload_a_good_scenario() -> None:
    at = open_app()
    at.radio(key="start_mode").set_value("Upload a file").run()
    data = (ROOT / "scenarios" / "ukraine_2022_russia_veto.toml").read_bytes()
    at.file_uploader(key="upload").set_value(("mine.toml", data, "application/toml")).run()
    assert not at.exception
    assert not errors(at)
    assert scenario(at)["scenario"]["name"].startswith("Ukraine 2022")
    assert metric(at, "What really happened") == "Vetoed"
    assert p_adopted(at) < 10.0
    # An upload cannot be refetched by a link, so the link carries the whole scenario.
    assert "scenario" not in at.query_params
    assert state.decode_edits(at.query_params["edits"])["scenario"]["name"].startswith("Ukraine 2022")


def test_bad_upload_shows_the_error_and_keeps_the_edits() -> None:
    at = open_app(scenario="iran_2015_jcpoa_unanimous")
    at.selectbox(key="member").set_value("USA").run()
    press(at, "qa_no")
    assert p_adopted(at) == 0.0
    at.radio(key="start_mode").set_value("Upload a file").run()
    bad = b'[scenario]\nname = "x"\n[council]\nyear = 2022\n[votes.Russia]\nyes = 0.5\n'
    at.file_uploader(key="upload").set_value(("bad.toml", bad, "application/toml")).run()
    assert not at.exception
    (msg,) = errors(at)
    assert "In bad.toml, at votes.Russia: probabilities must sum to 1" in msg
    # The app keeps working with the user's edited what-if.
    assert scenario(at)["scenario"]["name"].startswith("Iran 2015")
    assert p_adopted(at) == 0.0
    # Unknown members, bad TOML and oversize files are reported the same way.
    for name, content, expected in (
        (
            "who.toml",
            b'[scenario]\nname = "x"\n[council]\nyear = 2022\n[votes.Atlantis]\nyes = 1.0\n',
            "In who.toml, at votes.Atlantis",
        ),
        # issue 11: the reader's internal "(toml):" and "(file):" were shown on the page
        ("broken.toml", b"[scenario\n", "broken.toml is not valid TOML"),
        ("big.toml", b"#" * (MAX_SCENARIO_BYTES + 1), "big.toml is 262,145 bytes; the limit is 262,144"),
        ("latin1.toml", b'[scenario]\nname = "caf\xe9"\n', "latin1.toml is not UTF-8 text"),
        ("deep.toml", b"a = " + b"[" * 40 + b"]" * 40 + b"\n", "In deep.toml, at a: nested deeper than 32"),
    ):
        at.file_uploader(key="upload").set_value((name, content, "application/toml")).run()
        assert not at.exception
        assert expected in errors(at)[0]
        assert "(toml)" not in errors(at)[0] and "(file)" not in errors(at)[0]
        assert scenario(at)["scenario"]["name"].startswith("Iran 2015")
    # A good file clears the error.
    good = (ROOT / "scenarios" / "libya_2011_abstentions.toml").read_bytes()
    at.file_uploader(key="upload").set_value(("libya.toml", good, "application/toml")).run()
    assert not errors(at)
    assert scenario(at)["scenario"]["name"].startswith("Libya")


# --- votes recorded after the calibration ---------------------------------------------------------


@pytest.fixture(scope="module")
def later_votes() -> bytes:
    """Real records: the 2023 rows of the shipped file, relabelled as cast in 2024 and 2025
    (gzipped, as an upload of .csv.gz)."""
    import gzip

    import pandas as pd

    from sim.io.records import FILES
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / FILES["sc_draft_votes"]
    if not path.is_file():
        pytest.skip("../shared/data is absent")
    df = pd.read_csv(path, low_memory=False)
    df = df[df["Year"] == 2023]
    years = []
    for year in (2024, 2025):
        d = df.copy()
        d["Year"], d["ID"] = year, d["ID"] + 100_000 * (year - 2023)
        d["Date"] = d["Date"].astype(str).str.replace("2023", str(year), n=1, regex=False)
        years.append(d)
    return gzip.compress(pd.concat(years).to_csv(index=False).encode())


def as_of_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if "The calibrated forecast" in c.value]


def test_votes_recorded_after_the_calibration_update_the_numbers(later_votes: bytes) -> None:
    import gzip
    import io

    import pandas as pd

    from sim.scenario.calibrated import load_params

    shipped = load_params().as_of
    last = str(pd.to_datetime(pd.read_csv(io.BytesIO(gzip.decompress(later_votes)))["Date"]).max().date())
    at = open_app(year="2026")
    uploader = at.file_uploader(key="history_upload")
    assert uploader.label == f"Votes recorded after {shipped}"
    assert "share link does not carry the uploaded votes" in uploader.help
    (caption,) = as_of_captions(at)
    assert f"records through {shipped}" in caption
    before, link = [m.value for m in at.metric], {k: at.query_params[k] for k in at.query_params}
    uploader.set_value(("later.csv.gz", later_votes, "application/gzip")).run()
    assert not at.exception, at.exception
    assert not errors(at)
    (caption,) = as_of_captions(at)
    assert f"records through {last}" in caption
    after = [m.value for m in at.metric]
    assert after != before
    assert any("later.csv.gz (not in the share link)" in c.value for c in at.sidebar.caption)
    assert {k: at.query_params[k] for k in at.query_params} == link  # the link does not carry the votes
    # a bad file: its error in one line, and the numbers stay those of the good one
    for name, content, expected in (
        ("bad.csv", b"ID,Date,Member State,Outcome results\n1,2024-01-02,China,Adopted\n",
         "In bad.csv, at Vote: missing column."),
        ("big.csv", b"0" * (sim.api.MAX_HISTORY_BYTES + 1), "big.csv is 8,388,609 bytes; the limit is 8,388,608."),
        ("old.csv", gzip.decompress(later_votes).replace(b"2024-", b"2021-").replace(b"2025-", b"2022-"),
         "In old.csv, at Date: no cast vote recorded after 2023"),
    ):
        at.file_uploader(key="history_upload").set_value((name, content, "text/csv")).run()
        assert not at.exception, at.exception
        (msg,) = errors(at)
        assert expected in msg and "Still using later.csv.gz" in msg and "\n" not in msg
        assert [m.value for m in at.metric] == after
        assert f"records through {last}" in as_of_captions(at)[0]
    # removing the file goes back to the shipped calibration
    at.file_uploader(key="history_upload").set_value(None).run()
    assert not at.exception, at.exception
    assert not errors(at)
    assert [m.value for m in at.metric] == before
    assert f"records through {shipped}" in as_of_captions(at)[0]


def test_a_bad_first_file_of_later_votes_keeps_the_shipped_numbers() -> None:
    at = open_app(year="2026")
    before = [m.value for m in at.metric]
    at.file_uploader(key="history_upload").set_value(("notes.csv", b"\x1f\x8bnot gzip", "text/csv")).run()
    assert not at.exception, at.exception
    (msg,) = errors(at)
    assert "notes.csv is not a readable gzip file." in msg and "Still using" not in msg
    assert [m.value for m in at.metric] == before


# --- editing members ------------------------------------------------------------------------------


def test_quick_actions_on_a_permanent_member() -> None:
    at = open_app(scenario="iran_2015_jcpoa_unanimous")
    assert p_adopted(at) > 99.0
    at.selectbox(key="member").set_value("USA").run()
    assert at.button(key="qa_no").label == "Will veto"
    press(at, "qa_no")
    assert p_adopted(at) == 0.0
    # UN usage: vetoed = enough yes votes and a permanent no; the rest is short of votes
    veto = float(metric(at, "Chance of a veto").strip("<>%"))
    short = float(metric(at, "Chance of a shortfall").strip("<>%"))
    assert veto > 99.0
    assert veto + short == pytest.approx(100.0, abs=0.11)
    assert [at.number_input(key=f"num_{v}").value for v in ("yes", "abstain", "no", "absent")] == [0, 0, 100, 0]
    press(at, "qa_abstain")
    assert p_adopted(at) > 99.0  # an abstention is not a veto
    press(at, "qa_absent")
    assert at.number_input(key="num_absent").value == 100.0
    assert p_adopted(at) > 99.0
    press(at, "qa_yes")
    assert scenario(at)["votes"]["United States"] == {"yes": 1.0}
    press(at, "qa_reset")  # back to the scenario's numbers
    assert scenario(at)["votes"]["United States"] == {"yes": 0.99, "abstain": 0.01}
    assert at.button(key="qa_reset").disabled
    press(at, "qa_model")  # calibrated numbers: the scenario's own are dropped
    assert "United States" not in scenario(at).get("votes", {})
    assert any("Numbers now: your edit" in c.value for c in at.caption)


def test_elected_members_vote_no_rather_than_veto() -> None:
    at = open_app(scenario="iran_2015_jcpoa_unanimous")
    at.selectbox(key="member").set_value("NGA").run()
    assert at.button(key="qa_no").label == "Votes no"
    press(at, "qa_no")
    assert p_adopted(at) > 99.0  # one elected no is neither a veto nor a shortfall


def test_typing_a_probability_rescales_the_others() -> None:
    at = open_app(scenario="ukraine_2022_russia_veto")
    at.selectbox(key="member").set_value("CHN").run()
    assert at.number_input(key="num_abstain").value == 80.0
    at.number_input(key="num_yes").set_value(50.0).run()
    assert not at.exception
    vals = [at.number_input(key=f"num_{v}").value for v in ("yes", "abstain", "no", "absent")]
    assert vals[0] == 50.0
    assert sum(vals) == pytest.approx(100.0, abs=0.2)
    assert vals[1] / vals[2] == pytest.approx(80 / 18, rel=0.02)  # the others keep their ratio
    china = scenario(at)["votes"]["China"]
    assert sum(china.values()) == pytest.approx(1.0, abs=1e-9)


def test_provenance_is_shown_for_each_member() -> None:
    at = open_app(year="2022")
    table = at.table[0].value
    sources = set(table["Numbers from"])
    assert sources <= set(members.SOURCE_WORDS.values())
    assert "set in the scenario" not in sources
    at.selectbox(key="member").set_value("RUS").run()
    press(at, "qa_no")
    row = at.table[0].value.loc["Russia ★"]
    assert row["Numbers from"] == "your edit"
    assert row["No"] == 1.0
    at = open_app(scenario="iran_2015_jcpoa_unanimous")
    assert at.table[0].value.loc["United States ★", "Numbers from"] == "set in the scenario"


# --- blocs, rules, parties ------------------------------------------------------------------------


def test_procedural_toggle_removes_the_veto() -> None:
    at = open_app(scenario="ukraine_2022_russia_veto")
    before = p_adopted(at)
    show_tab(at, "Blocs and rules")
    at.toggle(key="procedural").set_value(True).run()
    assert not at.exception
    assert scenario(at)["draft"]["procedural"] is True
    assert metric(at, "Chance of a veto") == "0%"
    assert p_adopted(at) > before + 50
    assert any("Procedural vote: there is no veto" in c.value for c in at.caption)


def test_parties_to_the_dispute_must_abstain() -> None:
    at = open_app(scenario="ukraine_2022_russia_veto")
    before = p_adopted(at)
    show_tab(at, "Blocs and rules")
    at.multiselect(key="parties").set_value(["RUS"]).run()
    assert not at.exception
    assert scenario(at)["council"]["parties_to_dispute"] == ["Russia"]
    assert before < 10.0 and p_adopted(at) > 50.0  # Russia can no longer veto
    show_tab(at, "Members' votes")
    row = at.table[0].value.loc["Russia ★"]
    assert row["Numbers from"] == "party to the dispute: must abstain"


def test_common_correlation_and_blocs_are_editable() -> None:
    at = open_app(scenario="ukraine_2022_russia_veto")
    show_tab(at, "Blocs and rules")
    at.slider(key="common").set_value(0.3).run()
    assert scenario(at)["correlation"]["common"] == 0.3
    at.slider(key="bloc_cohesion_0").set_value(0.5).run()
    assert scenario(at)["correlation"]["blocs"][0]["cohesion"] == 0.5
    at.multiselect(key="bloc_members_0").set_value(["USA", "GBR"]).run()
    assert scenario(at)["correlation"]["blocs"][0]["members"] == ["United States", "United Kingdom"]
    n = len(scenario(at)["correlation"]["blocs"])
    press(at, "bloc_remove_0")
    assert len(scenario(at)["correlation"]["blocs"]) == n - 1
    at.text_input(key="new_bloc_name").set_value("Europeans").run()
    at.multiselect(key="new_bloc_members").set_value(["FRA", "IRL", "NOR"]).run()
    at.slider(key="new_bloc_cohesion").set_value(0.4).run()
    press(at, "bloc_add")
    new = scenario(at)["correlation"]["blocs"][-1]
    assert new == {"name": "Europeans", "members": ["France", "Ireland", "Norway"], "cohesion": 0.4}
    assert not errors(at)


def test_invalid_correlation_cannot_be_chosen() -> None:
    """0.9 + the Western bloc's 0.6 > 1: the slider stops at 0.4 (issue 11: it used to offer 0.9
    and then refuse it with a red box)."""
    at = open_app(scenario="ukraine_2022_russia_veto")
    show_tab(at, "Blocs and rules")
    slider = at.slider(key="common")
    assert slider.value == 0.15
    assert slider.max == pytest.approx(0.4)
    slider.set_value(0.4).run()
    assert not at.exception
    assert not errors(at)
    assert scenario(at)["correlation"]["common"] == pytest.approx(0.4)


def test_calibrated_correlation_becomes_the_users_own_when_edited() -> None:
    at = open_app(year="2024")
    assert "correlation" not in scenario(at)
    show_tab(at, "Blocs and rules")
    at.slider(key="common").set_value(0.25).run()
    assert scenario(at)["correlation"]["common"] == 0.25


# --- amendments -----------------------------------------------------------------------------------


def test_amendments_can_be_edited_and_dropped() -> None:
    at = open_app(scenario="whatif_2026_us_ukraine_text")
    show_tab(at, "Amendments")
    assert any("A1: European amendment 1" in m.value for m in at.markdown)
    show_tab(at, "Members' votes")
    assert set(at.selectbox(key="target").options) >= {"The draft"}
    at.selectbox(key="target").set_value("a1.votes").run()
    at.selectbox(key="member").set_value("RUS").run()
    assert at.button(key="qa_no").label == "Will veto"
    press(at, "qa_yes")
    assert scenario(at)["amendments"][1]["votes"]["Russian Federation"] == {"yes": 1.0}
    press(at, "qa_reset")
    assert scenario(at)["amendments"][1]["votes"]["Russian Federation"] == {"no": 0.95, "abstain": 0.05}
    press(at, "qa_model")  # "Vote as on the draft"
    assert "Russian Federation" not in scenario(at)["amendments"][1]["votes"]
    show_tab(at, "Amendments")
    press(at, "drop_amend_0")
    assert len(scenario(at)["amendments"]) == 1
    press(at, "drop_amend_0")
    assert not scenario(at).get("amendments")
    assert any("no amendments" in i.value for i in at.info)


# --- run settings, pin and compare, downloads, links ----------------------------------------------


def test_method_draws_and_seed() -> None:
    at = open_app(scenario="ukraine_2022_russia_veto")
    at.select_slider(key="draws").set_value(100_000).run()
    assert any("100,000 simulated votes" in c.value for c in at.caption)
    assert at.query_params["draws"] == "100000"
    first = p_adopted(at)
    at.number_input(key="seed").set_value(7).run()
    assert at.query_params["seed"] == "7"
    assert abs(p_adopted(at) - first) < 1.0
    at.radio(key="method").set_value("exact").run()
    assert not at.exception
    assert any(c.value == "Exact (no simulation noise)" for c in at.caption)
    assert at.query_params["method"] == "exact"
    exact = sim.simulate(scenario(at), method="exact")
    assert p_adopted(at) == pytest.approx(100 * exact.p_adopted, abs=0.051)


def test_long_runs_show_progress_and_finish() -> None:
    at = open_app(scenario="iran_2015_jcpoa_unanimous")
    at.select_slider(key="draws").set_value(1_000_000).run()
    assert not at.exception
    assert any("1,000,000 simulated votes" in c.value for c in at.caption)
    assert not at.get("progress")  # the bar is gone once the run is done


def _progress_script() -> None:
    """Run a long simulation through the app's cache with st.progress spied on."""
    import streamlit as st

    from sim.scenario.whatif import canonical
    from unsc_app.compute import cached_result, library

    real = st.progress

    class Spy:
        def __init__(self, bar: object) -> None:
            self.bar = bar

        def progress(self, value: float, text: str | None = None) -> None:
            st.session_state["ticks"].append(value)
            self.bar.progress(value, text=text)  # type: ignore[attr-defined]

        def empty(self) -> None:
            st.session_state["emptied"] = True
            self.bar.empty()  # type: ignore[attr-defined]

    st.progress = lambda *a, **k: Spy(real(*a, **k))  # type: ignore[assignment]
    try:
        data = library()["iran_2015_jcpoa_unanimous"]
        result = cached_result(canonical(data), 300_000, 0, "monte-carlo")
        st.session_state["draws"] = result.draws
    finally:
        st.progress = real


def test_progress_bar_moves_to_the_end_of_a_long_run() -> None:
    at = AppTest.from_function(_progress_script, default_timeout=TIMEOUT)
    at.session_state["ticks"] = []
    at.run()
    assert not at.exception, at.exception
    ticks = at.session_state["ticks"]
    assert len(ticks) == len(montecarlo.chunk_sizes(300_000))  # one update per chunk of draws
    assert ticks == sorted(ticks) and ticks[-1] == 1.0
    assert at.session_state["emptied"] is True
    assert at.session_state["draws"] == 300_000


def test_pin_and_compare() -> None:
    at = open_app(scenario="iran_2015_jcpoa_unanimous")
    show_tab(at, "Compare")
    assert any("Pin a result" in i.value for i in at.info)
    press(at, "pin")
    at.session_state["view"] = "Members' votes"
    at.run()
    at.selectbox(key="member").set_value("CHN").run()
    press(at, "qa_no")
    adopted = next(m for m in at.metric if m.label.startswith("Chance of adoption"))
    assert adopted.delta is not None and adopted.delta.startswith("-")
    show_tab(at, "Compare")
    assert not at.info
    assert any("Changed since: members' votes." in c.value for c in at.caption)
    # Issue 11: the parts of the scenario had their internal names (correlation, council, ...)
    show_tab(at, "Blocs and rules")
    at.toggle(key="procedural").set_value(True).run()
    show_tab(at, "Compare")
    (caption,) = [c.value for c in at.caption if "Changed since" in c.value]
    assert "procedural or substantive" in caption and "draft" not in caption.split("Changed")[1]
    assert len(at.get("vega_lite_chart")) >= 4
    press(at, "unpin")
    assert at.session_state["pinned"] is None


def test_downloads_are_offered() -> None:
    at = open_app(scenario="ukraine_2022_russia_veto")
    keys = {d.key for d in at.get("download_button")}
    assert keys >= {"dl_toml", "dl_csv", "dl_parquet"}


def test_download_contents_round_trip() -> None:
    text = (ROOT / "scenarios" / "ukraine_2022_russia_veto.toml").read_text()
    data = whatif.normalize(scenario_from_toml(text).to_dict())
    text = sim.scenario.schema.scenario_to_toml(sim.parse_scenario(data))
    assert whatif.jsonable(scenario_from_toml(text).to_dict()) == data
    result = sim.simulate(data, draws=2_000, seed=5)
    table = pq.read_table(io.BytesIO(sidebar.results_bytes(result, "parquet")))
    assert table.num_rows == 1
    assert table.column("p_adopted")[0].as_py() == result.p_adopted
    assert table.schema.metadata[b"unsc_sim.seed"] == b"5"
    csv = sidebar.results_bytes(result, "csv").decode()
    assert csv.splitlines()[0].startswith('"scenario","method","draws","seed","p_adopted"')
    with pytest.raises(ValueError, match=r"unknown table format 'xlsx'"):
        sidebar.results_bytes(result, "xlsx")


def test_query_params_reopen_the_same_what_if() -> None:
    at = open_app(scenario="ukraine_2022_russia_veto")
    at.selectbox(key="member").set_value("CHN").run()
    press(at, "qa_yes")
    show_tab(at, "Blocs and rules")
    at.toggle(key="procedural").set_value(True).run()
    at.number_input(key="seed").set_value(11).run()
    params = {k: at.query_params[k] for k in at.query_params}
    assert params["scenario"] == "ukraine_2022_russia_veto" and "edits" in params and params["seed"] == "11"
    shown = [m.value for m in at.metric]
    again = open_app(**params)
    assert scenario(again) == scenario(at)
    assert [m.value for m in again.metric] == shown
    assert again.session_state["seed"] == 11


def test_link_of_an_uploaded_scenario_reopens_it() -> None:
    text = (ROOT / "scenarios" / "libya_2011_abstentions.toml").read_text()
    data = whatif.normalize(scenario_from_toml(text).to_dict())
    at = open_app(edits=state.encode_edits(data))
    assert scenario(at) == data
    assert not at.warning


def test_damaged_link_falls_back_with_a_warning() -> None:
    at = open_app(scenario="ukraine_2022_russia_veto", edits="not-a-patch!")
    assert any("could not be opened" in w.value for w in at.warning)
    assert scenario(at)["scenario"]["name"].startswith("Ukraine 2022")
    at = open_app(scenario="no_such_scenario")
    assert any("no scenario 'no_such_scenario'" in w.value for w in at.warning)
    bad_edit = state.encode_edits({"votes": {"Russia": {"yes": 2.0}}})
    at = open_app(scenario="ukraine_2022_russia_veto", edits=bad_edit)
    assert any("votes.Russia" in w.value for w in at.warning)


def test_discard_edits_returns_to_the_start() -> None:
    at = open_app(scenario="iran_2015_jcpoa_unanimous")
    assert at.button(key="discard").disabled
    at.selectbox(key="member").set_value("USA").run()
    press(at, "qa_no")
    assert not at.button(key="discard").disabled
    press(at, "discard")
    assert p_adopted(at) > 99.0
    assert "edits" not in at.query_params


@pytest.mark.parametrize("tab", tabs.TABS)
def test_every_tab_renders(tab: str) -> None:
    at = open_app(scenario="gaza_2023_res2720_russian_amendment")
    show_tab(at, tab)
    assert not errors(at)
    if tab != "Compare":
        assert at.get("vega_lite_chart"), f"no chart on {tab}"
    if tab == "Yes votes and tallies":
        assert any("What really happened" in i.value for i in at.info)
    # who votes together sits with the blocs; what would change it with whom to lobby
    more = {"Blocs and rules": 1, "What would it take": 3}.get(tab)  # one-step gains, pivots, leaning
    if more is not None:
        assert len(at.get("vega_lite_chart")) == 2 + more, f"{tab}: the headline's two and {more}"


# --- pure helpers -------------------------------------------------------------------------------


def test_merge_patch_round_trip() -> None:
    src = {"a": {"b": 1, "c": [1, 2]}, "d": 3}
    dst = {"a": {"b": 2, "c": [1, 2]}, "e": {"f": 4}}
    patch = whatif.make_patch(src, dst)
    assert patch == {"a": {"b": 2}, "d": None, "e": {"f": 4}}
    assert whatif.apply_patch(src, patch) == dst
    assert state.decode_edits(state.encode_edits(patch)) == patch
    with pytest.raises(ValueError, match="damaged"):
        state.decode_edits("%%%")


def test_rescale_and_vote_tables() -> None:
    assert whatif.rescale((0.2, 0.3, 0.5, 0.0), 0, 0.6) == pytest.approx((0.6, 0.15, 0.25, 0.0))
    assert whatif.rescale((1.0, 0.0, 0.0, 0.0), 0, 0.4) == pytest.approx((0.4, 0.3, 0.3, 0.0))
    table = whatif.vote_table((1 / 3, 1 / 3, 1 / 3, 0.0))
    assert set(table) == {"yes", "abstain", "no"}
    assert abs(sum(table.values()) - 1.0) < 1e-9
    assert display.pct(0.0) == "0%" and display.pct(1.0) == "100%" and display.pct(0.0004) == "<0.1%"
    assert display.pct(0.9996) == ">99.9%" and display.pct(0.1234) == "12.3%"


def test_exact_then_monte_carlo_keeps_the_draws_and_the_seed() -> None:
    """Issue 11: Exact -> Monte Carlo raised KeyError: st.session_state has no key "draws"."""
    at = open_app(scenario="ukraine_2022_russia_veto")
    at.number_input(key="seed").set_value(7).run()
    at.radio(key="method").set_value("exact").run()
    assert not at.exception, at.exception
    at.radio(key="method").set_value("monte-carlo").run()
    assert not at.exception, at.exception
    assert at.number_input(key="seed").value == 7
    at.radio(key="method").set_value("exact").run()
    at.radio(key="method").set_value("monte-carlo").run()
    assert not at.exception, at.exception
    assert p_adopted(at) < 10.0


def test_will_veto_holds_on_every_amendment_path() -> None:
    """Issue 11: on the 2026 what-if "Will veto" left P(adopted) at 10%, because an adopted
    amendment's effect set Russia's vote again."""
    at = open_app(scenario="whatif_2026_us_ukraine_text")
    at.selectbox(key="member").set_value("RUS").run()
    assert any("holds on every amendment path" in c.value for c in at.caption)
    press(at, "qa_no")
    assert p_adopted(at) == 0.0
    for amend in scenario(at)["amendments"]:
        effect = amend.get("effect", {})
        if "Russian Federation" in effect:
            assert effect["Russian Federation"] == {"no": 1.0}


def test_will_veto_on_a_party_to_the_dispute_says_why_it_does_nothing() -> None:
    """Issue 11: the button did nothing, silently."""
    at = open_app(scenario="ukraine_2022_russia_veto")
    at.selectbox(key="member").set_value("USA").run()
    assert not any("party to the dispute" in c.value for c in at.caption)
    data = scenario(at)
    data["council"]["parties_to_dispute"] = ["United States"]
    at.session_state["scn"] = data
    at.run()
    at.selectbox(key="member").set_value("USA").run()
    assert any("party to the dispute: under Article 27(3)" in c.value for c in at.caption)


def test_correlation_sliders_stop_where_the_scenario_stays_valid() -> None:
    """Issue 11: common went to 1.0 whatever the cohesions, then a red box named a cohesion."""
    at = show_tab(open_app(scenario="palestine_2014_failed_nine_votes"), "Blocs and rules")
    common = at.slider(key="common")
    cohesions = [at.slider(key=f"bloc_cohesion_{b}") for b in range(2)]
    assert common.max == pytest.approx(1.0 - max(c.value for c in cohesions))
    for c in cohesions:
        assert c.max == pytest.approx(1.0 - common.value)
    common.set_value(common.max).run()
    assert not at.exception
    assert not [e for e in at.error if "cohesion" in e.value]


def test_a_bad_number_in_the_link_is_named_in_plain_words() -> None:
    """Issue 11: `?draws=abc` showed "invalid literal for int()"."""
    at = open_app(draws="abc")
    text = " ".join(w.value for w in at.warning)
    assert "draws must be a whole number, not 'abc'" in text
    assert "invalid literal" not in text


def test_the_chosen_member_survives_a_tab_change() -> None:
    """Issue 11: the member picked on "Members' votes" was forgotten on a tab change."""
    at = open_app(scenario="ukraine_2022_russia_veto")
    at.selectbox(key="member").set_value("GAB").run()
    show_tab(at, "What would it take")
    show_tab(at, "Members' votes")
    assert at.selectbox(key="member").value == "GAB"


def test_calibrated_blocs_have_plain_names() -> None:
    """Issue 11: bloc ids such as ru_cn and latin_american were shown on the page."""
    at = show_tab(open_app(year="2024"), "Blocs and rules")
    shown = " ".join(m.value for m in at.markdown)
    assert "Russia and China" in shown
    assert "ru_cn" not in shown and "latin_american" not in shown


def test_the_picker_and_the_year_box_show_what_the_page_shows() -> None:
    """Issue 11: after ?year=2025 the library picker showed "What-if 2026" (so picking it did
    nothing), and coming back to "A year's Council" reset the year box to 1946."""
    at = open_app(year="2025")
    assert at.number_input(key="year_pick").value == 2025
    at.radio(key="start_mode").set_value("Scenario library").run()
    picker = at.selectbox(key="library_pick")
    assert picker.value is None  # the page shows no library scenario: the picker says so
    assert any("The page shows The 2025 Council" in c.value for c in at.sidebar.caption)
    at.radio(key="start_mode").set_value("A year's Council").run()
    assert at.number_input(key="year_pick").value == 2025
    at.radio(key="start_mode").set_value("Scenario library").run()
    at.selectbox(key="library_pick").set_value(state.DEFAULT_SCENARIO).run()
    assert not at.exception, at.exception
    assert scenario(at)["scenario"]["name"].startswith("What-if 2026")
    assert at.query_params["scenario"] == state.DEFAULT_SCENARIO
    # the year box follows the page too: the 2026 what-if sits on the 2026 Council
    at.radio(key="start_mode").set_value("A year's Council").run()
    assert at.number_input(key="year_pick").value == 2026
    # and the picker shows the library scenario on the page
    at.radio(key="start_mode").set_value("Scenario library").run()
    assert at.selectbox(key="library_pick").value == state.DEFAULT_SCENARIO


def test_a_quick_action_when_streamlit_has_forgotten_the_edited_table() -> None:
    """Found with issue 11 in the browser: from the 2026 what-if (amendments, so an "Edit the
    votes on" box) to Iran 2015 (none), a quick "Will veto" crashed the page with KeyError
    'target': Streamlit can drop the value of a box it no longer draws before a callback
    reads it. The callbacks then edit the draft."""
    at = open_app(scenario="iran_2015_jcpoa_unanimous")
    at.selectbox(key="member").set_value("USA").run()
    del at.session_state["target"]
    press(at, "qa_no")
    assert p_adopted(at) == 0.0
    del at.session_state["target"]
    at.number_input(key="num_yes").set_value(50.0).run()
    assert not at.exception, at.exception
    assert scenario(at)["votes"]["United States"]["yes"] == 0.5


def test_back_to_the_scenarios_numbers() -> None:
    """Issue 11: "Back to calibrated numbers" did not restore the scenario's numbers, and on
    Korea 1950 (no calibration before 1994) it gave a default guess."""
    at = open_app(scenario="korea_1950_ussr_absent")
    before, shown = scenario(at), p_adopted(at)
    at.selectbox(key="member").set_value("USA").run()
    assert at.button(key="qa_reset").disabled
    assert not [b for b in at.button if b.key == "qa_model"]  # no calibrated numbers in 1950
    press(at, "qa_no")
    assert any("Numbers now: your edit" in c.value for c in at.caption)
    press(at, "qa_reset")
    assert scenario(at) == before
    assert p_adopted(at) == shown
    assert any("Numbers now: set in the scenario" in c.value for c in at.caption)
    assert not any("default guess" in c.value for c in at.caption)
    # On the draft of a scenario with amendments, the amendments' effects come back too.
    at = open_app(scenario="whatif_2026_us_ukraine_text")
    before = scenario(at)
    at.selectbox(key="member").set_value("RUS").run()
    press(at, "qa_no")
    assert p_adopted(at) == 0.0
    press(at, "qa_reset")
    assert scenario(at) == before
    # Another member's edit is kept.
    at.selectbox(key="member").set_value("CHN").run()
    press(at, "qa_no")
    at.selectbox(key="member").set_value("RUS").run()
    press(at, "qa_no")
    press(at, "qa_reset")
    assert scenario(at)["votes"]["China"] == {"no": 1.0}
    assert scenario(at)["votes"]["Russian Federation"] == before["votes"]["Russian Federation"]


# --- where the text stands on the alignment axis (issue 14) ---------------------------------------

AXIS_SCENARIO = {
    "scenario": {"name": "Axis what-if"},
    "council": {"year": 2025},
    "votes": {"Russian Federation": {"yes": 0.6, "abstain": 0.3, "no": 0.1},
              "France": {"yes": 0.5, "abstain": 0.4, "no": 0.1}},
    "correlation": {"common": 0.1, "blocs": [{"name": "RC", "members": ["Russia", "China"], "cohesion": 0.3}]},
    "alignment": {"name": "West – Russia/China",
                  "loadings": {"United States": 0.7, "France": 0.6, "Russian Federation": -0.7, "China": -0.5}},
}


def _engine_draws_the_axis() -> bool:
    import numpy as np

    from sim.engine.model import VoteModel

    model = VoteModel(("A", "B"), np.array([[0.5, 0.2, 0.3, 0.0]] * 2), np.array([True, False]),
                      np.array([-1, -1]), np.zeros(0), 0.1, 1, alignment=np.array([0.5, -0.5]))
    try:
        montecarlo.prepare(model)
    except ValueError:
        return False
    return True


needs_axis = pytest.mark.skipif(not _engine_draws_the_axis(), reason="the engine does not draw the axis yet")


def test_a_scenario_without_loadings_has_no_position_slider() -> None:
    at = open_app(scenario="ukraine_2022_russia_veto")
    assert not [s for s in at.slider if s.key == "position"]


@needs_axis
def test_the_position_slider_moves_the_draft_and_the_link_carries_it() -> None:
    at = open_app(edits=state.encode_edits(whatif.normalize(AXIS_SCENARIO)))
    slider = at.slider(key="position")
    assert slider.value == 0.0 and "toward Russia/China" in slider.label and "toward the West" in slider.label
    before = p_adopted(at)
    slider.set_value(1.5).run()
    assert not at.exception, at.exception
    assert scenario(at)["draft"]["position"] == 1.5
    assert p_adopted(at) != before
    params = {k: at.query_params[k] for k in at.query_params}
    assert state.decode_edits(params["edits"])["draft"]["position"] == 1.5
    again = open_app(**params)
    assert again.slider(key="position").value == 1.5
    assert scenario(again) == scenario(at)
    assert [m.value for m in again.metric] == [m.value for m in at.metric]
    at.slider(key="position").set_value(0.0).run()
    assert "position" not in scenario(at)["draft"] or scenario(at)["draft"]["position"] == 0.0


def test_what_would_it_take_applies_a_plan_as_edits_and_the_link_carries_it() -> None:
    """Issue 16: the tab's plan, applied, reaches its target, and a new session from the link
    shows the same chance."""
    at = show_tab(open_app(scenario="libya_2011_abstentions", method="exact"), "What would it take")
    assert not errors(at)
    plans = [m.value for m in at.markdown if m.value.startswith("**1. ")]
    assert plans and "→" in plans[0]
    target_pct = float(plans[0].rsplit("→", 1)[1].strip(" *%"))
    at.button(key="lobby_apply_0").click().run()
    assert not at.exception and not errors(at)
    assert p_adopted(at) == pytest.approx(target_pct, abs=0.06)
    assert p_adopted(at) >= 90.0
    again = open_app(**{k: v for k, v in at.query_params.items()})
    assert p_adopted(again) == pytest.approx(p_adopted(at), abs=1e-9)
