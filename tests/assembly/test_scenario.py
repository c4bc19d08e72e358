"""Assembly scenario files: loading, clear one-line errors, the CLI, and the library."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.assembly import exact
from sim.assembly.api import interval, simulate_assembly
from sim.assembly.scenario import assembly_from_toml, build_assembly
from sim.cli import main
from sim.engine.rules import AssemblyRule
from sim.io.files import read_any_scenario
from tests.assembly.files import assert_refused, write
from tests.conftest import ROOT

LIBRARY = sorted((ROOT / "scenarios" / "assembly").glob("*.toml"))

GOOD = """
[scenario]
name = "Assembly test"
[assembly]
date = 2022-03-02
question = "important"
arrears = ["Venezuela"]
[votes."Russian Federation"]
no = 1.0
[votes.WEOG]
yes = 0.9
abstain = 0.1
[votes.France]
shift = 1.0
[correlation]
common = 0.1
regions = { "African States" = 0.3 }
"""

BAD = {
    "both_bodies": (GOOD + "[council]\nyear = 2022\n", "(top level): give [council] or [assembly], not both"),
    "no_date": (GOOD.replace("date = 2022-03-02\n", ""), "assembly: give the date of the vote or the session"),
    "question": (GOOD.replace('"important"', '"veto"'), "assembly.question: "),
    "unknown": (GOOD.replace('[votes.France]', '[votes.Atlantis]'), "votes.Atlantis: unknown UN member name"),
    "observer": (GOOD.replace('[votes.France]', '[votes."Holy See"]'), 'votes."Holy See": the Holy See is an '
                 "observer state and does not vote"),
    "not_yet": (GOOD.replace("2022-03-02", "2010-06-01").replace('[votes.France]', '[votes."South Sudan"]'),
                'votes."South Sudan": South Sudan (SSD) was not a UN member on 2010-06-01'),
    "arrears": (GOOD.replace('["Venezuela"]', '["Narnia"]'), "assembly.arrears[0]: unknown UN member name"),
    "region": (GOOD.replace('"African States" = 0.3', 'Oceania = 0.3'), "correlation.regions.Oceania: not a regional"),
    "cohesion": (GOOD.replace('"African States" = 0.3', '"African States" = 0.95'),
                 'correlation.regions."African States": common + cohesion must be at most 1, got 0.1 + 0.95'),
    "no_question": (GOOD.replace('question = "important"\n', ""), 'assembly: say which majority applies: question = '
                    '"important" (two thirds'),
    "arrears_voting": (GOOD + '[votes.Venezuela]\nyes = 1.0\n', "votes.Venezuela: Venezuela is in arrears "
                       "(assembly.arrears[0]) and has no vote (Art. 19); remove one of the two"),
    "group_twice": (GOOD + '[votes."Western European and other States"]\nyes = 0.5\nno = 0.5\n',
                    'votes."Western European and other States": Western European and other States is listed twice '
                    "under [votes] (under two names)"),
    "reference_rule": (GOOD + '[reference]\nsource = "s"\noutcome = "adopted"\nyes = 2\nno = 5\nabstain = 1\n',
                       "reference.outcome: 'adopted', but 2-5-1 does not reach two thirds of those present and "
                       "voting (an important question)"),
    "position_no_axis": (GOOD + '[draft]\nposition = 2.0\n', "draft.position: 2 moves no one: no member loads on "
                         "the alignment axis"),
    "amendment_position_no_axis": (GOOD + '[[amendments]]\nname = "x"\nposition = -1.0\n',
                                   "amendments[0].position: -1 moves no one"),
    "amendment_arrears": (GOOD + '[[amendments]]\nname = "x"\n[amendments.votes.Venezuela]\nyes = 1.0\n',
                          "amendments[0].votes.Venezuela: Venezuela is in arrears (assembly.arrears) and has no vote"),
    "amendment_reference_rule": (GOOD + '[[amendments]]\nname = "x"\n[reference]\nsource = "s"\n'
                                 'outcome = "adopted"\nyes = 100\nno = 10\nabstain = 5\n'
                                 '[[reference.amendments]]\nname = "x"\noutcome = "adopted"\nyes = 10\nno = 50\n',
                                 "reference.amendments[0].outcome: 'adopted', but 10-50-0 does not reach two thirds"),
    "procedural": (GOOD + '[[amendments]]\nname = "x"\nprocedural = true\n',
                   "amendments[0]: procedural: does not apply in the Assembly"),
    "sum": (GOOD.replace("abstain = 0.1", "abstain = 0.3"), "votes.WEOG: probabilities must sum to 1"),
    "tally": (GOOD + '[reference]\nsource = "s"\noutcome = "adopted"\nyes = 150\nno = 40\nabstain = 10\n',
              "reference: the tally 150-40-10 has more votes than the 193 members"),
}




@pytest.mark.parametrize(("name", "day", "code"), [
    ("China", "1950-06-01", "ROC"), ("China", "1971-06-01", "ROC"), ("China", "1971-11-01", "CHN"),
    ("Russia", "1950-06-01", "SUN"), ("Russian Federation", "1992-06-01", "RUS"), ("USSR", "1980-06-01", "SUN"),
])
def test_a_name_stands_for_the_seat_on_the_day(name: str, day: str, code: str) -> None:
    """As in Council files, "China" before the PRC was seated is the Republic of China's seat, and
    "Russia" before 1992 the Soviet Union's."""
    text = f'[scenario]\nname = "x"\n[assembly]\ndate = {day}\nquestion = "simple"\n[votes."{name}"]\nno = 1.0\n'
    built = build_assembly(assembly_from_toml(text, "x.toml"))
    assert built.provenance[code] == "user" and tuple(built.model.probs[built.model.members.index(code)])[2] == 1.0


def test_a_good_file_builds_the_assembly_of_the_day() -> None:
    built = build_assembly(assembly_from_toml(GOOD, "good.toml"))
    model = built.model
    assert model.n == 193 and model.rule.question == "important"
    i = model.members.index
    assert tuple(model.probs[i("VEN")]) == (0.0, 0.0, 0.0, 1.0) and built.provenance["VEN"] == "arrears"
    assert tuple(model.probs[i("RUS")]) == (0.0, 0.0, 1.0, 0.0)
    assert built.provenance["DEU"] == "group" and tuple(model.probs[i("DEU")]) == (0.9, 0.1, 0.0, 0.0)
    assert built.provenance["FRA"] == "shifted"  # its own row wins over its group's
    assert built.provenance["BRA"] == "base rate"
    assert model.latent.bloc_names == ("African States",)
    # South Sudan is a member from 14 July 2011
    earlier = build_assembly(assembly_from_toml(GOOD.replace("2022-03-02", "2011-07-13").replace(
        '["Venezuela"]', "[]"), "x.toml"))
    assert earlier.model.n == 192 and "SSD" not in earlier.model.members


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_exit_2_with_one_line_naming_the_file_and_field(case: str, tmp_path: Path) -> None:
    text, expected = BAD[case]
    assert_refused(tmp_path, case, text, expected)


def test_run_json_has_no_council_keys_and_records_the_seed(tmp_path: Path) -> None:
    path = write(tmp_path, "good", GOOD)
    res = CliRunner().invoke(main, ["run", str(path), "--draws", "20000", "--seed", "7", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["body"] == "assembly" and out["seed"] == 7 and out["draws"] == 20_000
    for key in ("p_vetoed", "p_veto_by", "permanent", "p_short"):
        assert key not in out
    assert set(out["regional_groups"]) == {"African States", "Asia-Pacific States", "Eastern European States",
                                           "Latin American and Caribbean States", "Western European and other States"}
    assert out["members"]["VEN"]["absent"] == 1.0
    # Wilson's 95% interval around P(adopted): a positive width even where the estimate is near 1
    lo, hi = out["p_adopted_ci"]
    p, n, z = out["p_adopted"], out["draws"], 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (lo, hi) == pytest.approx((centre - half, centre + half), abs=1e-12) and lo < hi


def test_monte_carlo_of_a_file_agrees_with_exact(tmp_path: Path) -> None:
    built = build_assembly(assembly_from_toml(GOOD, "good.toml"))
    ex = simulate_assembly(built, method="exact")
    draws = 100_000
    mc = simulate_assembly(built, draws=draws, seed=3)
    # P(adopted) is near 1 here: compare P(not adopted), within 4 standard errors (and a floor)
    q = 1 - ex.p_adopted
    assert abs((1 - mc.p_adopted) - q) <= 4 * np.sqrt(max(q, 1 / draws) * (1 - q) / draws)
    for key in ("yes", "no", "abstain"):
        e, m = ex.tally()[key], mc.tally()[key]
        sd = np.sqrt(float(np.arange(ex.n + 1) ** 2 @ getattr(ex, key)) - e["mean"] ** 2)
        assert abs(m["mean"] - e["mean"]) <= 4 * sd / np.sqrt(draws)
    assert ex.margin()["mean"] == pytest.approx(float(ex.margins @ ex.spare))
    # both methods give every member's P(decisive): Monte Carlo's counts within 5 standard errors
    assert mc.pivotal is not None and ex.pivotal is not None
    se = np.sqrt(np.maximum(ex.pivotal, 1 / draws) * (1 - ex.pivotal) / draws)
    assert np.all(np.abs(mc.pivotal - ex.pivotal) <= 5 * se)
    assert simulate_assembly(built, method="exact").to_dict()["pivotal"]["VEN"] == 0.0  # in arrears


def test_interval_is_the_central_ninety_percent() -> None:
    dist = np.full(101, 1 / 101)
    assert interval(dist) == (5, 95)
    point = np.zeros(10)
    point[4] = 1.0
    assert interval(point) == (4, 4)


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_library_files_load_run_and_carry_a_consistent_record(path: Path) -> None:
    spec = read_any_scenario(path)
    built = build_assembly(spec)  # type: ignore[arg-type]
    ref = spec.reference  # type: ignore[union-attr]
    assert ref is not None and ref.outcome == "adopted"
    assert ref.yes + ref.no + ref.abstain <= built.model.n
    p = exact.p_adopted(built.model)
    assert 0.0 <= p <= 1.0
    if len(ref.votes) == built.model.n:  # a full record: its lists reproduce the tally
        kinds = list(ref.votes.values())
        assert (kinds.count("yes"), kinds.count("no"), kinds.count("abstain")) == (ref.yes, ref.no, ref.abstain)


def test_es11_1_record_is_the_unxml_extract() -> None:
    """The file's 193 member votes against the UNxml long file (skips without ../shared)."""
    data = ROOT.parent / "shared" / "data" / "unxml_ga_recorded_votes_2019_2023_long.csv.gz"
    if not data.exists():
        pytest.skip("../shared/data is absent")
    import pandas as pd

    from sim.scenario.names import resolve

    rows = pd.read_csv(data, dtype={"session_file": str})
    rows = rows[rows["symbol"] == "A/RES/ES-11/1"]
    spec = read_any_scenario(ROOT / "scenarios" / "assembly" / "es11_1_aggression_against_ukraine_2022.toml")
    ref = spec.reference
    assert ref is not None
    words = {"Y": "yes", "N": "no", "A": "abstain"}
    recorded = {resolve(m): words[v] for m, v in zip(rows["member_state"], rows["vote"], strict=True)}
    in_file = {k: v for k, v in ref.votes.items() if v != "absent"}
    assert in_file == recorded


@pytest.mark.parametrize("command", [["lobby"], ["frontier"], ["compare", "OTHER"]])
def test_council_only_commands_say_the_file_is_an_assembly_scenario(command: list[str], tmp_path: Path) -> None:
    path = write(tmp_path, "ga", GOOD)
    other = str(ROOT / "scenarios" / "libya_2011_abstentions.toml")
    args = [command[0], str(path), *([other] if "OTHER" in command else [])]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert res.stderr.startswith(f"{path}: assembly: this is a General Assembly scenario"), res.stderr


@pytest.mark.parametrize(("question", "yes", "no", "line"), [
    ("simple", 54, 54, 55), ("simple", 78, 78, 79), ("simple", 0, 0, 1), ("important", 93, 18, 74),
    ("important", 54, 28, 55), ("important", 0, 0, 1), ("important", 10, 0, 7),
])
def test_the_required_line_is_article_18s_on_the_expected_tally(question: str, yes: int, no: int, line: int,
                                                                   tmp_path: Path) -> None:
    """A vote certain to be yes-no-abstain as given needs Art. 18's line of those voting: more than
    half (54-54 is a tie and fails: 55 needed), two thirds rounded up, and at least one yes."""
    from sim.assembly.membership import members_on

    day = dt.date(2024, 1, 10)
    codes = list(members_on(day))
    votes = "".join(f'[votes.{c}]\n{v} = 1.0\n' for c, v in zip(codes, ["yes"] * yes + ["no"] * no
                                                                 + ["abstain"] * (len(codes) - yes - no), strict=True))
    path = write(tmp_path, "line", f'[scenario]\nname = "line"\n[assembly]\ndate = {day}\nquestion = "{question}"\n'
                  + votes)
    r = simulate_assembly(build_assembly(assembly_from_toml(path.read_text(), str(path))), method="exact")
    assert r.expected_voting() == yes + no and r.expected_line() == line
    rule = AssemblyRule(question)
    assert bool(rule.passes(yes, no)) == (yes >= line) == (r.p_adopted > 1 - 1e-12)
    assert r.p_adopted == pytest.approx(float(yes >= line), abs=1e-12)
    res = CliRunner().invoke(main, ["run", str(path), "--exact"])
    assert f"Required: {line} yes of about {yes + no} present and voting" in res.stdout


def test_run_history_with_only_assembly_files_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "good", GOOD)
    hist = tmp_path / "h.csv"
    hist.write_text("date,symbol,member_state,vote,title\n")
    res = CliRunner().invoke(main, ["run", str(path), "--history", str(hist)])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert res.stderr.startswith("--history: extends the Council's calibration"), res.stderr


def test_exact_without_pivots_gives_the_same_figures() -> None:
    built = build_assembly(assembly_from_toml(GOOD, "good.toml"))
    full, lean = simulate_assembly(built, method="exact"), simulate_assembly(built, method="exact", pivots=False)
    assert full.pivotal is not None and lean.pivotal is None and "pivotal" not in lean.to_dict()
    assert lean.p_adopted == full.p_adopted and np.array_equal(lean.yes, full.yes)
    assert np.array_equal(lean.spare, full.spare) and np.array_equal(lean.member_votes, full.member_votes)


@pytest.mark.parametrize(("session", "day"), [
    (74, "2019-09-17"), (75, "2020-09-15"), (76, "2021-09-14"), (77, "2022-09-13"), (78, "2023-09-05"),
    (79, "2024-09-10"), (80, "2025-09-09"), (1, "1946-01-10"),
])
def test_a_session_is_read_as_its_opening_day(session: int, day: str) -> None:
    from sim.assembly.scenario import session_opening

    assert session_opening(session).isoformat() == day
    text = GOOD.replace("date = 2022-03-02", f"session = {session}").replace('arrears = ["Venezuela"]', "arrears = []")
    assert assembly_from_toml(text, "s.toml").assembly.day.isoformat() == day


def test_the_table_lists_no_abstainers_when_no_member_can_abstain(tmp_path: Path) -> None:
    text = GOOD.replace('[votes."Russian Federation"]\nno = 1.0\n', "").replace("abstain = 0.1", "no = 0.1")
    text = text.replace("[votes.France]\nshift = 1.0\n", "")
    text += "".join(f'[votes."{g}"]\nyes = 0.8\nno = 0.2\n' for g in ("African States", "Asia-Pacific States",
                                                                     "Eastern European States", "GRULAC"))
    res = CliRunner().invoke(main, ["run", str(write(tmp_path, "noabstain", text)), "--exact"])
    assert res.exit_code == 0, res.output
    assert "Likeliest to abstain: none (no member can)" in res.stdout
    assert "Likeliest to vote no:\n" in res.stdout
