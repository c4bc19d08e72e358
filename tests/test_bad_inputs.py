"""Inputs that must fail cleanly and fast: exit code 2, one line on stderr naming the file and
the field, no traceback, bounded memory and time (issue 11, "Unbreakable in use")."""

from __future__ import annotations

import datetime as dt
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sim.errors import InputError, ScenarioError
from sim.io.files import read_scenario, scenario_from_bytes
from tests.conftest import ROOT

UKRAINE = ROOT / "scenarios" / "ukraine_2022_russia_veto.toml"
#: A child that goes over this address space fails instead of swapping the machine.
MEMORY_CAP = 2 << 30


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def python(code: str, *args: str) -> tuple[int, str]:
    """Run Python code in a child with a time and memory cap; return (exit code, stderr)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True, text=True, timeout=30, preexec_fn=_cap_memory,
    )
    return done.returncode, done.stderr


def cli(*args: str) -> tuple[int, str]:
    """Run ``unsc-sim`` in a child with a time and memory cap; return (exit code, stderr)."""
    return python("from sim.cli import main; main()", *args)


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr[-2000:]
    assert "Traceback" not in stderr
    return lines[0]


def study(tmp_path: Path, base: Path | str = UKRAINE, vary: str = '[vary.grid]\n"votes.CHN.no" = [0.1]\n') -> Path:
    path = tmp_path / "study.toml"
    path.write_text(f'[study]\nname = "bad"\nbase = "{base}"\n\n{vary}\n')
    return path


# 1. Deep nesting ---------------------------------------------------------------------------

DEEP = "[" * 500 + "]" * 500


def deep_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "deep.toml"
    path.write_text(UKRAINE.read_text().replace('sponsor = "United States and Albania"', f"sponsor = {DEEP}"))
    return path


def test_deep_nesting_read_scenario(tmp_path: Path) -> None:
    path = deep_scenario(tmp_path)
    with pytest.raises(ScenarioError, match=r"deep\.toml: draft\.sponsor: nested deeper than \d+ levels"):
        read_scenario(path)


def test_deep_nesting_in_inline_tables_and_dotted_keys() -> None:
    inline = "x = " + "{a = " * 300 + "1" + "}" * 300
    with pytest.raises(ScenarioError, match=r"up\.toml: x: nested deeper than \d+ levels"):
        scenario_from_bytes(inline.encode(), "up.toml")
    dotted = "[draft]\nx." + ".".join(["a"] * 2000) + " = 1\n"
    with pytest.raises(ScenarioError, match=r"up\.toml: draft\.x\.a\.a.*: nested deeper than \d+ levels"):
        scenario_from_bytes(dotted.encode(), "up.toml")


def test_deep_nesting_not_fooled_by_brackets_in_strings() -> None:
    text = UKRAINE.read_text().replace("[draft]", "[draft]  # " + "[" * 100, 1)
    text = text.replace('sponsor = "United States and Albania"', "sponsor = '''" + "[" * 100 + "'''''")
    text = text.replace('topic = "Ukraine', 'topic = "\\"' + "[" * 100 + "{" * 100 + ' Ukraine')
    scenario_from_bytes(text.encode(), "ok.toml")


def test_deep_nesting_run(tmp_path: Path) -> None:
    code, err = cli("run", str(deep_scenario(tmp_path)))
    assert code == 2
    assert one_line(err).endswith("deep.toml: draft.sponsor: nested deeper than 32 levels")


def test_deep_nesting_sweep(tmp_path: Path) -> None:
    code, err = cli("sweep", str(study(tmp_path, vary=f'[vary.grid]\n"votes.CHN.no" = {DEEP}\n')),
                    "--out", str(tmp_path / "out.parquet"))
    assert code == 2
    assert 'study.toml: vary.grid."votes.CHN.no": nested deeper than 32 levels' in one_line(err)


def test_deep_nesting_study_base(tmp_path: Path) -> None:
    code, err = cli("sweep", str(study(tmp_path, base=deep_scenario(tmp_path))),
                    "--out", str(tmp_path / "out.parquet"))
    assert code == 2
    assert one_line(err).endswith("deep.toml: draft.sponsor: nested deeper than 32 levels")


# 2. Files that are not regular files -------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo.toml"
    os.mkfifo(path)
    return path


def test_special_files_read_scenario(fifo: Path) -> None:
    # in a child, so that before the fix the test fails in 30 s instead of hanging or
    # filling the memory
    for path, kind in ((fifo, "a FIFO"), ("/dev/zero", "a character device")):
        code, err = python(f"from sim.io.files import read_scenario; read_scenario({str(path)!r})")
        assert code == 1
        assert err.strip().splitlines()[-1].endswith(f"{path}: (file): is not a regular file ({kind})")


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_special_files_cli(special: str, fifo: Path, tmp_path: Path) -> None:
    path = str(fifo) if special == "fifo" else special
    kind = "a FIFO" if special == "fifo" else "a character device"
    out = str(tmp_path / "out.parquet")
    cases = [
        (["run", path], f"{path}: (file): is not a regular file ({kind})"),
        (["sweep", path, "--out", out], f"{path}: (file): is not a regular file ({kind})"),
        (["sweep", str(study(tmp_path, base=path)), "--out", out],
         f"study.base: {path}: is not a regular file ({kind})"),
        (["predict", path, "--out", str(tmp_path / "p.csv")], f"{path}: file: is not a regular file ({kind})"),
    ]
    for args, message in cases:  # each in a child capped at 30 s and 2 GB
        code, err = cli(*args)
        assert code == 2, (args, err[-2000:])
        line = one_line(err)
        assert line.endswith(message), (args, line)


def test_special_files_predict_params_and_history(fifo: Path, tmp_path: Path) -> None:
    drafts = tmp_path / "drafts.csv"
    drafts.write_text("ID,Date,Member State\n1,2024-03-01,China\n")
    for option in ("--params", "--history"):
        code, err = cli("predict", str(drafts), option, str(fifo), "--out", str(tmp_path / "p.csv"))
        assert code == 2
        assert one_line(err).endswith(f"{fifo}: file: is not a regular file (a FIFO)"), (option, err)


def test_csv_over_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.errors import InputError
    from sim.io import records

    monkeypatch.setattr(records, "MAX_CSV_BYTES", 10)
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" * 10)
    with pytest.raises(InputError, match=r"big\.csv: file: is 40 bytes; the limit is 10"):
        records.load_sc_draft_votes(path, outcomes=False)


# 3. Symbolic link loops --------------------------------------------------------------------


@pytest.fixture
def loop(tmp_path: Path) -> Path:
    path = tmp_path / "loop.toml"
    path.symlink_to(path)
    return path


def test_symlink_loop_read_scenario(loop: Path) -> None:
    with pytest.raises(ScenarioError, match=r"loop\.toml: \(file\): symbolic link loop"):
        read_scenario(loop)


def test_symlink_loop_cli(loop: Path, tmp_path: Path) -> None:
    drafts = tmp_path / "drafts.csv"
    drafts.write_text("ID,Date,Member State\n1,2024-03-01,China\n")
    out = str(tmp_path / "out.parquet")
    cases = [
        (["run", str(loop)], f"{loop}: (file): symbolic link loop"),
        (["sweep", str(loop), "--out", out], f"{loop}: (file): symbolic link loop"),
        (["sweep", str(study(tmp_path, base=loop)), "--out", out], f"study.base: {loop}: symbolic link loop"),
        (["predict", str(loop), "--out", str(tmp_path / "p.csv")], f"{loop}: file: symbolic link loop"),
        (["predict", str(drafts), "--params", str(loop), "--out", str(tmp_path / "p.csv")],
         f"{loop}: file: symbolic link loop"),
        (["predict", str(drafts), "--history", str(loop), "--out", str(tmp_path / "p.csv")],
         f"{loop}: file: symbolic link loop"),
    ]
    for args, message in cases:
        code, err = cli(*args)
        assert code == 2, (args, err[-2000:])
        assert one_line(err).endswith(message), (args, err)


# 4. Wrong types are not coerced ------------------------------------------------------------


def with_line(old: str, new: str) -> bytes:
    text = UKRAINE.read_text()
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("procedural = false", 'procedural = "yes"', "draft.procedural"),
        ("procedural = false", "procedural = 1", "draft.procedural"),
        ("year = 2022", "year = true", "council.year"),
        ("year = 2022", 'year = "2022"', "council.year"),
        ("year = 2022", "year = 2022.0", "council.year"),
        ('sponsor = "United States and Albania"', "sponsor = 1", "draft.sponsor"),
        ('date = "2022-02-25"', "date = 20220225", "draft.date"),
        ('date = "2022-02-25"', 'date = "25 Feb 2022"', "draft.date"),
        ("[votes.China]", '[votes.China]\nshift = "0.5"', "votes.China.shift"),
    ],
)
def test_wrong_types_are_refused(old: str, new: str, field: str) -> None:
    with pytest.raises(ScenarioError, match=rf"^bad\.toml: {re.escape(field)}: "):
        scenario_from_bytes(with_line(old, new), "bad.toml")


def test_string_probability_is_refused() -> None:
    data = with_line("[votes.China]", '[votes.Chad]\nno = "0.9"\nyes = 0.1\n\n[votes.China]')
    with pytest.raises(ScenarioError, match=r"^bad\.toml: votes\.Chad\.no: Input should be a valid number"):
        scenario_from_bytes(data, "bad.toml")


def test_dates_as_toml_dates_or_iso_strings() -> None:
    native = scenario_from_bytes(with_line('date = "2022-02-25"', "date = 2022-02-25"), "ok.toml")
    text = scenario_from_bytes(UKRAINE.read_bytes(), "ok.toml")
    assert native.draft.date == text.draft.date == dt.date(2022, 2, 25)
    assert scenario_from_bytes(with_line("[votes.China]", "[votes.China]"), "ok.toml").council.year == 2022


def test_study_axis_with_a_bool_among_numbers(tmp_path: Path) -> None:
    from sim.study.batch import load_study

    path = study(tmp_path, vary='[vary.grid]\n"correlation.common" = [0, 0.1, true]\n')
    message = r"study\.toml: vary\.grid\.correlation\.common: values must all be of one type, got booleans and numbers"
    with pytest.raises(InputError, match=message):
        load_study(path)


# 5. A study whose values do not fit the field ----------------------------------------------


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ('[vary.grid]\n"draft.procedural" = [true, false, "yes"]', 'vary.grid.draft.procedural: '),
        ('[vary.grid]\n"draft.sponsor" = ["a", 1]', "vary.grid.draft.sponsor: "),
    ],
)
def test_study_values_of_the_wrong_type_fail_before_any_point(tmp_path: Path, vary: str, message: str) -> None:
    out = tmp_path / "out.parquet"
    code, err = cli("sweep", str(study(tmp_path, vary=vary)), "--out", str(out))
    assert code == 2
    assert f"study.toml: {message}" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study.toml"]  # no out, no out.parquet.parts


def test_study_axis_of_mixed_types_is_refused() -> None:
    from sim.study import StudyError, design, parse_study

    data = {"study": {"name": "mixed", "base": "x.toml"},
            "vary": {"grid": {"draft.date": ["2022-02-25", dt.date(2022, 2, 26), 3]}}}
    with pytest.raises(StudyError, match=r"vary\.grid\.draft\.date: values must all be of one type"):
        design(parse_study(data))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"study": {"name": "s", "base": "x.toml", "seed": "1"}, "vary": {"grid": {"votes.CHN.no": [0.1]}}},
         "study.seed"),
        ({"study": {"name": "s", "base": "x.toml", "draws": True}, "vary": {"grid": {"votes.CHN.no": [0.1]}}},
         "study.draws"),
        ({"study": {"name": "s", "base": "x.toml", "common_random_numbers": 1},
          "vary": {"grid": {"votes.CHN.no": [0.1]}}}, "study.common_random_numbers"),
        ({"study": {"name": "s", "base": "x.toml"}, "vary": {"lhs": {"samples": True, "bounds": {"x": [0, 1]}}}},
         "vary.lhs.samples"),
    ],
)
def test_study_settings_of_the_wrong_type(data: dict[str, object], field: str) -> None:
    from sim.study import StudyError, parse_study

    with pytest.raises(StudyError, match=rf"^{re.escape(field)}: "):
        parse_study(data)


def test_study_lhs_bounds_still_read_from_toml_arrays() -> None:
    from sim.study import parse_study

    spec = parse_study({"study": {"name": "s", "base": "x.toml"},
                        "vary": {"lhs": {"samples": 3, "bounds": {"votes.CHN.no": [0, 0.5]}}}})
    assert spec.vary.lhs is not None and spec.vary.lhs.bounds["votes.CHN.no"] == (0, 0.5)
