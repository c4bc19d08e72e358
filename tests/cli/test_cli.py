"""The command line: outputs, and one-line errors with exit code 2 for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sim.cli import main
from tests.conftest import ROOT

UKRAINE = ROOT / "scenarios" / "ukraine_2022_russia_veto.toml"

GOOD = """
[scenario]
name = "Test"
[council]
year = 2025
[votes."Russian Federation"]
yes = 0.05
abstain = 0.25
no = 0.70
[correlation]
common = 0.2
[[correlation.blocs]]
name = "Western P3"
members = ["United States", "United Kingdom", "France"]
cohesion = 0.5
"""

BAD = {
    "bad_toml": ("[scenario\nname = 'x'", "(toml): not valid TOML"),
    "unknown_member": (GOOD + '[votes.Atlantis]\nyes = 1.0\n', "votes.Atlantis: unknown UN member name"),
    "unknown_key": (GOOD.replace("[council]", "[council]\ncolour = 'red'"), "council.colour: unknown key"),
    "sum": (GOOD.replace("no = 0.70", "no = 0.60"), 'votes."Russian Federation": probabilities must sum to 1'),
    "cohesion": (GOOD.replace("cohesion = 0.5", "cohesion = 0.9"), "correlation.blocs[0].cohesion: common + cohesion"),
    "two_blocs": (GOOD + '[[correlation.blocs]]\nname = "b"\nmembers = ["USA"]\ncohesion = 0.1\n',
                  "correlation.blocs[1].members[0]: 'USA' (USA) is already in bloc"),
    "threshold": (GOOD.replace("year = 2025", "year = 2025\nthreshold = 20"), "council.threshold: must be between 1"),
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenarios_exit_2_with_one_line(case: str, tmp_path: Path) -> None:
    text, expected = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    code, out, err = run("run", str(path))
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith(f"{path}: ")
    assert expected in err
    assert "Traceback" not in err + out


def test_missing_file_in_a_real_process(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(missing)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 2
    assert proc.stderr == f"{missing}: (file): no such file\n"


def test_oversized_and_binary_files(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 300_000)
    code, _, err = run("run", str(big))
    assert code == 2 and "the limit is" in err
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    code, _, err = run("run", str(binary))
    assert code == 2 and "not UTF-8" in err


def test_bad_options(tmp_path: Path) -> None:
    code, _, err = run("run", str(UKRAINE), "--draws", "0")
    assert code == 2 and err.strip() == "--draws: must be between 1 and 100,000,000, got 0"
    code, _, err = run("power", "--year", "1900")
    assert code == 2 and "--year: must be between 1946 and 2027" in err
    code, _, err = run("run", str(UKRAINE), "--out", str(tmp_path / "x.txt"))
    assert code == 2 and "use a .json, .csv or .parquet" in err


def test_json_output_has_the_documented_keys(tmp_path: Path) -> None:
    code, out, _ = run("run", str(UKRAINE), "--format", "json", "--draws", "20000", "--seed", "7")
    assert code == 0
    data = json.loads(out)
    for key in ("p_adopted", "p_adopted_se", "p_adopted_ci", "p_vetoed", "p_short", "p_veto_by",
                "yes_distribution", "tally_top", "member_votes", "pivotal", "pairwise_agreement",
                "draws", "seed", "method", "version"):
        assert key in data
    assert data["seed"] == 7 and data["draws"] == 20000 and data["method"] == "monte-carlo"
    assert set(data["p_veto_by"]) == {"CHN", "FRA", "RUS", "GBR", "USA"}
    assert sum(data["yes_distribution"]) == pytest.approx(1.0)
    lo, hi = data["p_adopted_ci"]
    assert lo <= data["p_adopted"] <= hi
    again = json.loads(run("run", str(UKRAINE), "--format", "json", "--draws", "20000", "--seed", "7")[1])
    assert again == data
    code, out, _ = run("run", str(UKRAINE), "--exact", "--format", "json")
    exact = json.loads(out)
    assert exact["method"] == "exact" and exact["p_adopted_se"] == 0.0
    assert abs(exact["p_adopted"] - data["p_adopted"]) <= 4 * data["p_adopted_se"]


def test_table_output_is_readable() -> None:
    code, out, _ = run("run", str(UKRAINE), "--draws", "20000")
    assert code == 0
    assert "P(adopted)" in out and "P(vetoed)" in out and "P(short of 9 votes)" in out
    assert "95% CI" in out and "Russia" in out and "◀ needed" in out


def test_out_files_and_overwrite_refusal(tmp_path: Path) -> None:
    for suffix in ("json", "csv", "parquet"):
        out = tmp_path / f"r.{suffix}"
        code, _, err = run("run", str(UKRAINE), "--draws", "5000", "--out", str(out))
        assert code == 0, err
        assert out.stat().st_size > 0
    meta = pq.read_schema(tmp_path / "r.parquet").metadata
    assert json.loads(meta[b"unsc_sim.seed"]) == [0]
    code, _, err = run("run", str(UKRAINE), "--out", str(tmp_path / "r.csv"))
    assert code == 2 and "exists; pass --force" in err
    assert run("run", str(UKRAINE), "--draws", "5000", "--out", str(tmp_path / "r.csv"), "--force")[0] == 0


def test_several_files_and_compare(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text(GOOD)
    code, out, _ = run("run", str(UKRAINE), str(other), "--format", "json", "--draws", "5000")
    assert code == 0 and len(json.loads(out)) == 2
    code, out, _ = run("compare", str(UKRAINE), str(other), "--draws", "5000")
    assert code == 0 and "P(adopted)" in out and "other" in out


@pytest.mark.parametrize(
    ("year", "perm", "elected", "bz_perm", "bz_elected"),
    [(2025, "421/2145", "4/2145", "106/635", "21/1270"), (1960, "76/385", "1/462", "19/105", "1/63")],
)
def test_power_json_exact_fractions(year: int, perm: str, elected: str, bz_perm: str, bz_elected: str) -> None:
    code, out, _ = run("power", "--year", str(year), "--format", "json")
    assert code == 0
    data = json.loads(out)
    p5 = "USA"
    permanent = {"CHN", "ROC", "FRA", "RUS", "SUN", "GBR", "USA"}
    other = next(m for m in data["fractions"]["shapley_shubik"] if m not in permanent)
    assert data["fractions"]["shapley_shubik"][p5] == perm
    assert data["fractions"]["shapley_shubik"][other] == elected
    assert data["fractions"]["banzhaf"][p5] == bz_perm
    assert data["fractions"]["banzhaf"][other] == bz_elected
    assert data["shapley_shubik"][p5] == pytest.approx(float(Fraction(perm)))
    assert set(data) >= {"shapley_shubik", "banzhaf", "banzhaf_absolute"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "--draws", "abc", "x.toml"], "unsc-sim: Invalid value for '--draws': 'abc' is not a valid integer."),
        (["run"], "unsc-sim: Missing argument 'SCENARIOS...'."),
        (["run", str(UKRAINE), "--format", "xml"], "unsc-sim: Invalid value for '--format'"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], expected: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(expected)


def test_run_table_shows_what_really_happened_beside_each_amendment() -> None:
    path = ROOT / "scenarios" / "ukraine_2025_us_draft_s2025_112.toml"
    res = CliRunner().invoke(main, ["run", str(path), "--exact"])
    assert res.exit_code == 0, res.output
    assert "Really: adopted 10-0-5 (S/RES/2774 (2025))" in res.output
    lines = [line for line in res.output.splitlines() if "P(adopted)" in line and "really:" in line]
    assert len(lines) == 4
    assert lines[0].endswith("really: failed 6-1-8")
    assert lines[1].endswith("really: vetoed (9 yes) by Russian Federation")
    assert lines[3].endswith("really: failed")


def test_run_table_without_reference_has_no_real_outcome() -> None:
    path = ROOT / "scenarios" / "whatif_2026_us_ukraine_text.toml"
    res = CliRunner().invoke(main, ["run", str(path), "--exact"])
    assert res.exit_code == 0, res.output
    assert "really" not in res.output.lower()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_run_of_two_councils_writes_the_union_of_their_columns(tmp_path: Path, suffix: str) -> None:
    """Issue 11: the second scenario's members and amendments were silently dropped."""
    import pyarrow.csv as pacsv

    out = tmp_path / f"both{suffix}"
    a = ROOT / "scenarios" / "iran_2015_jcpoa_unanimous.toml"
    b = ROOT / "scenarios" / "gaza_2023_res2720_russian_amendment.toml"
    res = CliRunner().invoke(main, ["run", str(a), str(b), "--exact", "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = pacsv.read_csv(out) if suffix == ".csv" else pq.read_table(out)
    cols = set(table.column_names)
    assert {"NZL_yes", "MOZ_yes"} <= cols  # a 2015 member and a 2023 member
    assert any(c.startswith("amendment ") for c in cols)
    assert table.num_rows == 2
    rows = table.to_pylist()
    assert rows[0]["MOZ_yes"] is None and rows[1]["NZL_yes"] is None


def test_compare_json_keeps_every_entry_even_the_same_file_twice() -> None:
    """Issue 11: the JSON was keyed by path, so comparing A with A lost one entry."""
    res = CliRunner().invoke(main, ["compare", str(UKRAINE), str(UKRAINE), "--exact", "--format", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert [e["file"] for e in payload] == [str(UKRAINE), str(UKRAINE)]
    assert payload[0]["p_adopted"] == payload[1]["p_adopted"]


@pytest.mark.parametrize("args", [["power"], ["run", str(UKRAINE), "--exact", "--format", "json"]])
def test_a_reader_that_stops_early_is_not_an_error(args: list[str]) -> None:
    """Issue 11: `unsc-sim power | head -1` printed "(file): file: Broken pipe" and exited 2."""
    exe = Path(sys.executable).with_name("unsc-sim")
    for _ in range(5):
        proc = subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # like `head -1`
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 0, err
        assert err == ""


#: Modules no command of the engine needs: the app's, the report's plots' and Dask's.
NEVER = ("streamlit", "altair", "matplotlib", "dask", "distributed")
#: The sweep machinery, which only `sweep` needs.
SWEEP = ("sim.study.batch", "sim.study.plan", "sim.study.store", "sim.study.dask_pool", "tqdm")


def loaded_by(*args: str) -> set[str]:
    """The modules a real `unsc-sim ARGS` process has imported when it ends."""
    code = (
        "import sys\nfrom sim.cli import main\nsys.argv = ['unsc-sim', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "finally:\n    print(*sorted(sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stderr.split())


def test_help_and_run_import_only_what_they_use() -> None:
    """Issue 12: every call loaded the engine, the sweep machinery and pandas before it began."""
    helped = loaded_by("--help")
    assert not helped & {*NEVER, *SWEEP, "pandas", "pyarrow", "scipy", "pydantic", "sim.api"}
    korea = ROOT / "scenarios" / "korea_1950_ussr_absent.toml"  # before 1994: no calibrated model
    ran = loaded_by("run", str(korea), "--exact")
    assert "sim.engine.exact" in ran  # it did run
    assert not ran & {*NEVER, *SWEEP, "pandas", "pyarrow", "scipy.optimize", "sim.scenario.calibrated"}
