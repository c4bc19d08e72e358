"""The Assembly page's pin and Compare section (AppTest, no browser), and the pure functions of
:mod:`sim.render.assembly_compare` on small hand-made results whose figures can be checked by hand."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sim.assembly.api import AssemblyResult, simulate_assembly
from sim.render import assembly_compare as ac
from sim.render.text import pct_strict
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
PAGE = "unsc_app/assembly_entry.py"
FIRST = "es11_1_aggression_against_ukraine_2022"
AFRICA = "African States"


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def _fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def open_assembly() -> AppTest:
    """The Assembly page on its first library scenario, in Monte Carlo (100,000 draws, seed 0)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for k in list(at.query_params):
        del at.query_params[k]
    at.session_state["ga_method"] = "monte-carlo"  # the page's default, exact, takes ~12 s a run
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def scenario(stem: str) -> dict[str, Any]:
    with open(ROOT / "scenarios" / "assembly" / f"{stem}.toml", "rb") as fh:
        return tomllib.load(fh)


def p_text(data: dict[str, Any]) -> str:
    """P(adopted) as the page shows it, computed here as the page does (the same draws and seed)."""
    return pct_strict(simulate_assembly(data, method="monte-carlo", draws=100_000, seed=0).p_adopted)


@pytest.mark.usefixtures("_fresh_caches")
def test_before_a_pin_the_compare_section_says_how_to_use_it() -> None:
    at = open_assembly()
    assert any("Pin a result" in i.value for i in at.info)
    assert not [m for m in at.metric if m.label.startswith("P(adopted), ")]


@pytest.mark.usefixtures("_fresh_caches")
def test_pin_edit_a_group_and_compare() -> None:
    at = open_assembly()
    at.button(key="ga_pin").click().run()
    assert not any("Pin a result" in i.value for i in at.info)
    at.selectbox(key="ga_group").set_value(AFRICA)
    at.radio(key="ga_group_vote").set_value("no")
    at.button(key="ga_group_apply").click().run()
    assert not at.exception, at.exception

    before = scenario(FIRST)
    after = copy.deepcopy(before)
    after["votes"][AFRICA] = {"no": 1.0}
    pinned, now = p_text(before), p_text(after)
    assert pinned != now  # 100.0% and 56.8%: the 54 African members now vote no
    assert metric(at, "P(adopted), pinned") == pinned
    assert metric(at, "P(adopted), now") == now
    assert metric(at, "P(adopted)") == now  # the headline, with its delta
    table = at.table[0].value
    assert list(table.columns) == ["Pinned", "Now"]
    assert table.loc["P(adopted)"].tolist() == [pinned, now]
    groups = at.table[1].value
    assert groups.loc[AFRICA, "no"].endswith(" → 54.0") and groups.loc[AFRICA, "yes"].endswith(" → 0.0")
    assert "→" not in groups.loc["Western European and other States", "no"]
    changed = next(m.value for m in at.markdown if "Members whose vote changed" in m.value)
    assert "Members whose vote changed (54)" in changed  # the African group, and no one else
    assert "Benin: votes no, was 61% yes" in changed and "and 42 more." in changed
    assert any("Changed since: the votes of African States." in c.value for c in at.caption)


@pytest.mark.usefixtures("_fresh_caches")
def test_the_pin_survives_the_question_and_another_scenario_and_unpins() -> None:
    at = open_assembly()
    at.button(key="ga_pin").click().run()
    at.radio(key="ga_question").set_value("simple").run()
    assert any("Changed since: the question (simple, was important)." in c.value for c in at.caption)
    assert any("No member's vote changed" in m.value for m in at.markdown)

    at.selectbox(key="ga_pick").set_value("es11_7_european_text_2025").run()
    assert not at.exception, at.exception
    assert at.radio(key="ga_question").value == "important"  # the new file's question, not the last
    assert metric(at, "P(adopted), pinned") == p_text(scenario(FIRST))
    assert metric(at, "P(adopted), now") == p_text(scenario("es11_7_european_text_2025"))
    assert any("another scenario" in w.value for w in at.warning)

    at.button(key="ga_unpin").click().run()
    assert any("Pin a result" in i.value for i in at.info)


# --- the pure functions, on hand-made results ---------------------------------------------------


def result(votes: list[list[float]], yes: list[float], no: list[float], *, question: str = "important",
           p: float = 0.5, draws: int | None = None, members: tuple[str, ...] = ("FRA", "GHA", "IND"),
           regions: tuple[str, ...] = ("Western European and other States", AFRICA, "Asia-Pacific States"),
           ) -> AssemblyResult:
    n = len(members)
    spare = np.zeros(2 * n + 2)
    spare[n] = 1.0  # offset n: the margin is 0 for sure
    return AssemblyResult(
        scenario_name="hand-made", question=question, date=dt.date(2025, 2, 24),
        method="exact" if draws is None else "monte-carlo", draws=draws, seed=None if draws is None else 0,
        members=members, regions=regions, member_votes=np.array(votes, dtype=float), p_adopted=p,
        yes=np.array(yes), no=np.array(no), abstain=np.eye(n + 1)[0], spare=spare, offset=n,
        pivotal=None, arrears=())


YES, ABSTAIN, NO, ABSENT = np.eye(4).tolist()
#: Two yes votes for sure and one no: yes - 2 no = 0, the margin; the line is 2/3 of 3 = 2.
BEFORE = result([YES, YES, NO], [0, 0, 1, 0], [0, 1, 0, 0], p=1.0)


def test_summary_frame_reads_each_result() -> None:
    after = result([YES, [0.5, 0, 0.5, 0], NO], [0, 0.5, 0.5, 0], [0, 0.5, 0.5, 0], question="simple", p=0.25,
                   draws=1000)
    df = ac.summary_frame({"Pinned": BEFORE, "Now": after})
    assert df["Pinned"].to_dict() == {
        "P(adopted)": "100.0%", "Yes (90% interval)": "2 (2–2)", "No (90% interval)": "1 (1–1)",
        "Abstain (90% interval)": "0 (0–0)", "Margin, yes votes to spare (90%)": "+0 (+0 to +0)",
        "Yes votes needed (expected)": "2 of 3 voting", "Question": "important", "Method": "exact",
    }
    # yes 1 or 2 and no 1 or 2, half and half: 1.5 each expected, more than half of 3 voting needed
    assert df.loc["Yes (90% interval)", "Now"] == "2 (1–2)"  # 1.5 shown as 2 (round half to even)
    assert df.loc["Yes votes needed (expected)", "Now"] == "2 of 3 voting"
    assert df.loc["P(adopted)", "Now"] == "25.0%"
    assert df.loc["Method", "Now"] == "Monte Carlo, 1,000 draws, seed 0"


def test_the_tally_chart_overlays_both_distributions_with_their_lines() -> None:
    after = result([YES, YES, YES], [0, 0, 0, 1], [1, 0, 0, 0], question="simple")
    results = {"Pinned": BEFORE, "Now": after}
    frame = ac.tally_frame(results)
    assert frame.values.tolist() == [["Pinned", 2, 1.0], ["Now", 3, 1.0]]  # zero counts left out
    lines = ac.lines_frame(results)
    assert lines["line"].tolist() == [2, 2]  # two thirds of 3 voting; more than half of 3 voting
    assert lines["what"].iloc[1] == "Now: majority of those voting (expected): 2"
    spec = ac.compare_tally_chart(results).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "rule"]


def test_the_groups_table_and_chart() -> None:
    after = result([YES, ABSTAIN, NO], [0, 1, 0, 0], [0, 1, 0, 0])
    table = ac.groups_table(BEFORE, after)
    assert table.loc[AFRICA].to_dict() == {"members": "1", "yes": "1.0 → 0.0", "abstain": "0.0 → 1.0",
                                           "no": "0.0", "absent": "0.0"}
    assert table.loc["Asia-Pacific States", "no"] == "1.0"
    frame = ac.groups_frame({"Pinned": BEFORE, "Now": after})
    assert len(frame) == 2 * 3 * 4 and frame["members"].sum() == 6.0  # 3 members, 4 votes, twice
    ac.compare_groups_chart({"Pinned": BEFORE, "Now": after}).to_dict()  # a valid spec


def test_member_changes_biggest_first_in_words() -> None:
    after = result([[0.96, 0.04, 0, 0], NO, [0.004, 0, 0.996, 0]], [0, 1, 0, 0], [0, 0, 1, 0])
    changes = ac.member_changes(BEFORE, after)
    assert [c.words for c in changes] == ["Ghana: votes no, was 100% yes", "France: 96% yes, was 100% yes"]
    assert [c.size for c in changes] == [1.0, pytest.approx(0.04)]  # India's 0.004 is under 0.005


def test_member_changes_leaves_out_monte_carlo_noise() -> None:
    # 1,000 draws each: the difference of two runs at 50% has a standard error of 0.022, so a
    # 0.05 move (2.2 se) is noise and a 0.1 move (4.5 se) is not
    half = [[0.5, 0.5, 0, 0]] * 3
    before = result(half, [0, 0, 0, 1], [1, 0, 0, 0], draws=1000)
    after = result([[0.55, 0.45, 0, 0], [0.6, 0.4, 0, 0], [0.5, 0.5, 0, 0]], [0, 0, 0, 1], [1, 0, 0, 0],
                   draws=1000)
    assert [c.code for c in ac.member_changes(before, after)] == ["GHA"]
    exact = result([[0.55, 0.45, 0, 0], [0.6, 0.4, 0, 0], [0.5, 0.5, 0, 0]], [0, 0, 0, 1], [1, 0, 0, 0])
    assert [c.code for c in ac.member_changes(result(half, [0, 0, 0, 1], [1, 0, 0, 0]), exact)] == ["GHA", "FRA"]


def test_member_changes_of_another_membership() -> None:
    after = result([YES, ABSENT], [0, 0, 1], [1, 0, 0], members=("FRA", "SSD"),
                   regions=("Western European and other States", AFRICA))
    words = [c.words for c in ac.member_changes(BEFORE, after)]
    assert words == ["Ghana: not a member, was 100% yes", "India: not a member, was 100% no",
                     "South Sudan: absent, was not a member"]


def test_listed_caps_the_list() -> None:
    assert ac.listed(["a", "b", "c"], 2) == "a; b; and 1 more"
    assert ac.listed(["a", "b"], 2) == "a; b"
    assert ac.listed([], 2) == ""


def test_changed_since_in_words() -> None:
    pinned = scenario("es11_7_european_text_2025")
    assert ac.changed_since(pinned, copy.deepcopy(pinned)) == []
    now = copy.deepcopy(pinned)
    now["assembly"]["question"] = "simple"
    now["votes"][AFRICA] = {"no": 1.0}
    now["votes"]["India"] = {"yes": 1.0}
    now["draft"]["position"] = 0.2
    now["correlation"]["common"] = 0.3
    assert ac.changed_since(pinned, now) == [
        "the question (simple, was important)", "the votes of African States, India",
        "the text's position (+0.20, was +0.50)", "how votes move together"]
    del now["draft"]["position"]
    assert "the text's position (not set, was +0.50)" in ac.changed_since(pinned, now)
