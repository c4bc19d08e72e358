"""The app's General Assembly page (AppTest, no browser): it loads, edits by group and by
member, carries its edits in the share link, and keeps them through a bad upload."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")
PAGE = "unsc_app/assembly_entry.py"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def open_assembly(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()  # AppTest opens the default page first; a browser opens /assembly?... directly
    for k in list(at.query_params):
        del at.query_params[k]
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label.startswith(label))


def percent(text: str) -> float:
    """A shown percentage as a number: ">99.9%" is read as 99.9 (it is above)."""
    return float(text.lstrip("<>").rstrip("%"))


def test_the_page_opens_on_the_library_and_shows_the_tally() -> None:
    at = open_assembly()
    assert metric(at, "P(adopted)").endswith("%")
    yes, no, abstain = (int(x) for x in metric(at, "Expected tally").split(" – "))
    assert 0 < no < yes and yes + no + abstain <= 193
    assert any("Recorded: adopted, 141 – 5 – 35" in i.value for i in at.info)


def test_a_group_edit_moves_the_tally_and_goes_into_the_link() -> None:
    at = open_assembly()
    before = int(metric(at, "Expected tally").split(" – ")[1])
    at.selectbox(key="ga_group").set_value("Western European and other States")
    at.radio(key="ga_group_vote").set_value("no")
    at.button(key="ga_group_apply").click().run()
    after = int(metric(at, "Expected tally").split(" – ")[1])
    assert after >= before + 25  # the 29 members of WEOG now vote no
    # the edit replaces the file's own table for the group (ES-11/1 names it WEOG), in the link
    import json

    from sim.assembly.scenario import group_named

    assert [group_named(k) for k in json.loads(at.query_params["gv"])] == ["Western European and other States"]
    # the link reproduces the edit in a new session
    again = open_assembly(**dict(at.query_params.items()))
    assert metric(again, "Expected tally") == metric(at, "Expected tally")
    assert metric(again, "P(adopted)") == metric(at, "P(adopted)")


def test_a_member_edit_and_undo() -> None:
    at = open_assembly()
    start = metric(at, "Expected tally")
    at.selectbox(key="ga_member").set_value("India (IND)")
    at.radio(key="ga_member_vote").set_value("no")
    at.button(key="ga_member_apply").click().run()
    assert metric(at, "Expected tally") != start
    at.button(key="ga_reset").click().run()
    assert metric(at, "Expected tally") == start
    assert "gv" not in at.query_params


def test_the_simple_question_lowers_the_bar() -> None:
    at = open_assembly()
    at.selectbox(key="ga_pick").set_value("es11_7_european_text_2025").run()
    at.selectbox(key="ga_group").set_value("Western European and other States")
    at.radio(key="ga_group_vote").set_value("no")
    at.button(key="ga_group_apply").click().run()
    important = percent(metric(at, "P(adopted)"))
    at.radio(key="ga_question").set_value("simple").run()
    simple = percent(metric(at, "P(adopted)"))
    assert simple >= important
    assert at.query_params["gq"] == "simple"


def test_who_moves_it_and_a_pick_clears_an_old_upload_error() -> None:
    """The expander names the likeliest no votes (Russia first on ES-11/1) and says when no member
    decides the vote; picking a library scenario clears an upload's error and its upload state."""
    at = open_assembly()
    expander = next(e for e in at.expander if e.label.startswith("Who moves it"))
    frames = [d.value for d in expander.dataframe]
    assert frames[0]["member"].iloc[0] == "Russia" and frames[0]["P"].iloc[0] == "100%"
    assert any("does not turn on any one member" in c.value for c in expander.caption)
    at.session_state["ga_error"] = "bad.toml: votes.Atlantis: unknown UN member name"
    at.session_state["ga_uploaded"] = "bad"
    at.run()
    assert any("Atlantis" in e.value for e in at.error)
    assert "ga" not in at.query_params  # an upload is not carried by the link
    at.selectbox(key="ga_pick").set_value("es11_8_us_text_with_amendments_2025").run()
    assert not [e for e in at.error if "Atlantis" in e.value]
    assert at.query_params["ga"] == "es11_8_us_text_with_amendments_2025"


def test_the_tally_chart_marks_the_line_and_the_recorded_count() -> None:
    from sim.assembly.api import simulate_assembly
    from unsc_app.assembly import tally_chart

    r = simulate_assembly(ROOT / "scenarios" / "assembly" / "es11_1_aggression_against_ukraine_2022.toml",
                          method="exact")
    layers = tally_chart(r, 141).to_dict()["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["bar", "rule", "rule"]
    assert len(tally_chart(r).to_dict()["layer"]) == 2
    datasets = tally_chart(r, 141).to_dict()["datasets"]
    lines = sorted(row["line"] for rows in datasets.values() for row in rows if "line" in row)
    assert lines == sorted([r.expected_line(), 141])


def test_a_link_with_a_bad_edit_keeps_the_good_ones_and_says_which_it_left_out() -> None:
    good = {"India": {"no": 1.0}}
    at = open_assembly(ga="es11_1_aggression_against_ukraine_2022", gq="important",
                       gv='{"India":{"no":1.0},"Atlantis":{"yes":1.0},"Brazil":{"yes":0.7}}')
    assert any("Atlantis (" in w.value and "Brazil (" in w.value for w in at.warning)  # unknown; not summing to 1
    assert at.session_state["ga_edits"] == good and metric(at, "P(adopted)").endswith("%")
    assert not [e for e in at.error if "Could not compute" in e.value]
    at.selectbox(key="ga_pick").set_value("es11_7_european_text_2025").run()
    assert not at.warning


def test_the_amendments_scenario_shows_each_amendment_and_the_paths() -> None:
    from sim.assembly.api import simulate_assembly

    stem = "es11_8_us_text_with_amendments_2025"
    at = open_assembly(ga=stem, gq="important")
    r = simulate_assembly(ROOT / "scenarios" / "assembly" / f"{stem}.toml", method="exact")
    assert r.amendments is not None
    table = next(d.value for d in at.dataframe if "amendment" in d.value.columns)
    assert len(table) == len(r.amendments.names)
    assert table["amendment"].iloc[0] == f"A1: {r.amendments.names[0]}"
    assert table["P(adopted)"].iloc[0] == f"{100 * r.amendments.p_adopted[0]:.1f}%"
    assert any(c.value.startswith("Likeliest paths: A1 adopted") for c in at.caption)


def test_an_edit_an_adopted_amendment_replaces_is_flagged() -> None:
    """The US text with amendments: an adopted A1 sets the United States' numbers, so an edit of
    the United States is replaced on that path (the page says so); a shift effect (WEOG) moves an
    edit rather than replacing it, so an edit of France is not flagged."""
    at = open_assembly(ga="es11_8_us_text_with_amendments_2025", gq="important")
    at.selectbox(key="ga_member").set_value("France (FRA)")
    at.radio(key="ga_member_vote").set_value("no")
    at.button(key="ga_member_apply").click().run()
    assert not [w for w in at.warning if "replacing" in w.value]
    at.selectbox(key="ga_member").set_value("United States (USA)")
    at.radio(key="ga_member_vote").set_value("no")
    at.button(key="ga_member_apply").click().run()
    flagged = [w.value for w in at.warning if "replacing" in w.value]
    assert flagged and "your edit of United States (if A1 is adopted)" in flagged[0] and "France" not in flagged[0]
