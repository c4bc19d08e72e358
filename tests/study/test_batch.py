"""Tests for sim.study.batch: reproducible sweeps, Parquet/CSV output, refusal to overwrite, resume."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sim
from sim.errors import InputError
from sim.study import apply, batch, point_seed
from sim.study import plan as sweep_plan
from tests.conftest import ROOT

UKRAINE = ROOT / "scenarios" / "ukraine_2022_russia_veto.toml"
DRAWS = 2000

STUDY = f"""
[study]
name = "test sweep"
base = "{UKRAINE}"
seed = 11

[vary.grid]
"votes.CHN.no" = [0.0, 0.4, 0.8]
"correlation.common" = [0.0, 0.3]

[vary.lhs]
samples = 2
[vary.lhs.bounds]
'votes."United Arab Emirates".yes' = [0.0, 1.0]
"""


@pytest.fixture
def study(tmp_path: Path) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(STUDY)
    return path


def run(study: Path, **kw: Any) -> pd.DataFrame:
    kw.setdefault("draws", DRAWS)
    kw.setdefault("progress", False)
    return sim.sweep(study, **kw)


@pytest.fixture
def reference(study: Path) -> pd.DataFrame:
    return run(study)


def test_rows_are_tidy_and_seeded_per_point(study: Path, reference: pd.DataFrame) -> None:
    df = reference
    assert list(df["point"]) == list(range(12))
    assert list(df.columns[:4]) == ["point", "votes.CHN.no", "correlation.common", 'votes."United Arab Emirates".yes']
    for col in ("p_adopted", "p_adopted_se", "p_vetoed", "p_short", "CHN_no", "RUS_yes", "USA_pivotal"):
        assert col in df.columns
    assert list(df["seed"]) == [point_seed(11, i) for i in range(12)]
    assert df["CHN_no"].iloc[-1] > df["CHN_no"].iloc[0] + 0.5  # P(no) 0.8 vs 0.0 shows in the votes
    # a row is exactly the simulation of its point's scenario with its point seed
    k = 7
    row = df.iloc[k]
    data = apply(sim.files.read_scenario(UKRAINE).to_dict(),
                 {c: row[c] for c in ("votes.CHN.no", "correlation.common", 'votes."United Arab Emirates".yes')})
    direct = sim.simulate(data, draws=DRAWS, seed=point_seed(11, k))
    assert row["p_adopted"] == direct.p_adopted
    assert row["CHN_no"] == float(direct.member_votes[direct.members.index("CHN"), 2])


def test_workers_and_chunk_size_do_not_change_the_table(study: Path, reference: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(run(study, workers=2, chunk_size=1), reference)
    pd.testing.assert_frame_equal(run(study, chunk_size=5), reference)


def test_seed_changes_results_and_common_random_numbers(study: Path, reference: pd.DataFrame) -> None:
    other = run(study, seed=12)
    assert not other["p_adopted"].equals(reference["p_adopted"])
    study.write_text(STUDY.replace("seed = 11", "seed = 11\ncommon_random_numbers = true"))
    crn = run(study)
    assert set(crn["seed"]) == {11}
    # the LHS design comes from the study seed, so the points are the same
    pd.testing.assert_series_equal(crn["votes.CHN.no"], reference["votes.CHN.no"])


def test_parquet_metadata_and_no_timings_in_the_table(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    df = run(study, out=out, command="unsc-sim sweep study.toml --out r.parquet")
    assert out.exists() and not batch.parts_dir(out).exists()
    back = pd.read_parquet(out)
    pd.testing.assert_frame_equal(back, df)
    meta = batch.read_metadata(out)
    assert meta["unsc_sim.seed"] == "11"
    assert meta["unsc_sim.version"] == sim.__version__
    assert meta["unsc_sim.study_sha256"] == hashlib.sha256(study.read_bytes()).hexdigest()
    assert meta["unsc_sim.base_sha256"] == hashlib.sha256(UKRAINE.read_bytes()).hexdigest()
    assert meta["unsc_sim.command"] == "unsc-sim sweep study.toml --out r.parquet"
    assert meta["unsc_sim.draws"] == str(DRAWS)
    timings = json.loads(meta["unsc_sim.timings"])
    assert timings["points_computed"] == 12 and timings["wall_seconds"] >= 0
    assert not any("time" in c or "second" in c for c in df.columns)
    # a second run gives an equal table (the timings differ, in the metadata only)
    pd.testing.assert_frame_equal(run(study, out=tmp_path / "again.parquet"), df)


def test_refuses_to_overwrite_without_resume_or_force(study: Path, tmp_path: Path, reference: pd.DataFrame) -> None:
    out = tmp_path / "r.parquet"
    out.write_text("precious")
    with pytest.raises(InputError, match=r"r\.parquet exists; pass force=True"):
        run(study, out=out)
    assert out.read_text() == "precious"
    pd.testing.assert_frame_equal(run(study, out=out, force=True), reference)
    pd.testing.assert_frame_equal(pd.read_parquet(out), reference)
    with pytest.raises(InputError, match=r"use a \.parquet or \.csv file name"):
        run(study, out=tmp_path / "r.xlsx")
    with pytest.raises(InputError, match="not both"):
        run(study, out=out, resume=True, force=True)


def test_csv_output(study: Path, tmp_path: Path, reference: pd.DataFrame) -> None:
    out = tmp_path / "r.csv"
    run(study, out=out)
    back = pd.read_csv(out)
    assert list(back.columns) == list(reference.columns)
    pd.testing.assert_frame_equal(back, reference, check_dtype=False)


class Boom(KeyboardInterrupt):
    pass


def test_interrupted_sweep_resumes_to_the_same_table(
    study: Path, tmp_path: Path, reference: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.parquet"
    real = batch.run_points
    calls = {"n": 0}

    def flaky(b: sweep_plan.PointBatch) -> list[dict[str, Any]]:
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return real(b)

    monkeypatch.setattr(batch, "run_points", flaky)
    with pytest.raises(batch.SweepInterrupted, match="6 of 12 points done") as info:
        run(study, out=out, chunk_size=3)
    assert (info.value.done, info.value.total) == (6, 12)
    parts = batch.parts_dir(out)
    assert not out.exists() and len(batch.read_parts(parts)) == 6
    # a writer killed mid-line leaves a torn line; it is ignored
    part = next(parts.glob("part-*.jsonl"))
    with part.open("ab") as f:
        f.write(b'{"point": 11, "p_adop')
    with pytest.raises(InputError, match="holds an interrupted sweep; pass resume=True"):
        run(study, out=out)
    with pytest.raises(InputError, match=r"different run \(seed: 11, now 12\)"):
        run(study, out=out, resume=True, seed=12)
    monkeypatch.setattr(batch, "run_points", real)
    df = run(study, out=out, resume=True, chunk_size=4)
    pd.testing.assert_frame_equal(df, reference)
    pd.testing.assert_frame_equal(pd.read_parquet(out), reference)
    assert json.loads(batch.read_metadata(out)["unsc_sim.timings"])["points_resumed"] == 6
    assert not parts.exists()
    # --resume on a finished sweep of the same run returns its table
    pd.testing.assert_frame_equal(run(study, out=out, resume=True), reference)


def _complete_lines(parts: Path) -> int:
    n = 0
    for part in parts.glob("part-*.jsonl"):
        n += part.read_bytes().count(b"\n")
    return n


def test_resume_after_a_killed_subprocess(tmp_path: Path) -> None:
    study = tmp_path / "big.toml"
    study.write_text(f"""
[study]
name = "kill me"
base = "{UKRAINE}"
seed = 5
[vary.range]
"votes.CHN.no" = {{ start = 0.0, stop = 0.95, step = 0.05 }}
[vary.grid]
"correlation.common" = [0.0, 0.2, 0.4]
""")
    out = tmp_path / "k.parquet"
    parts = batch.parts_dir(out)
    cmd = [sys.executable, "-m", "sim.cli", "sweep", str(study), "--out", str(out), "--draws", "20000", "--quiet"]
    proc = subprocess.Popen([*cmd, "--chunk-size", "1"], start_new_session=True, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while _complete_lines(parts) < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    saved = batch.read_parts(parts)
    assert 5 <= len(saved) < 60, "the sweep was not killed mid-run"
    assert not out.exists()

    done = subprocess.run([*cmd, "--resume", "--workers", "2"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    df = pd.read_parquet(out)
    assert list(df["point"]) == list(range(60))  # none lost, none twice
    timings = json.loads(batch.read_metadata(out)["unsc_sim.timings"])
    assert timings["points_resumed"] == len(saved)
    assert timings["points_computed"] == 60 - len(saved)
    uninterrupted = sim.sweep(study, draws=20000, progress=False)
    pd.testing.assert_frame_equal(df, uninterrupted)
    for i, row in saved.items():  # the points saved before the kill are in the table as they were
        assert df.loc[i, "p_adopted"] == row["p_adopted"]


def test_ctrl_c_keeps_finished_points_and_says_how_to_resume(tmp_path: Path) -> None:
    study = ROOT / "studies" / "ukraine_2026_china_common.toml"
    out = tmp_path / "c.parquet"
    parts = batch.parts_dir(out)
    cmd = [sys.executable, "-m", "sim.cli", "sweep", str(study), "--out", str(out), "--draws", "50000",
           "--quiet", "--workers", "2", "--chunk-size", "1"]
    proc = subprocess.Popen(cmd, start_new_session=True, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while _complete_lines(parts) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = proc.communicate(timeout=60)
    saved = batch.read_parts(parts)
    assert proc.returncode == 130, err
    assert err == (f"sweep interrupted: {len(saved)} of 30 points done; saved in {parts}, "
                   "run again with --resume to finish\n")
    assert 2 <= len(saved) < 30
    df = sim.sweep(study, draws=50000, out=out, resume=True, progress=False)
    assert list(df["point"]) == list(range(30))
    for i, row in saved.items():
        assert df.loc[i, "p_adopted"] == row["p_adopted"]


@pytest.mark.parametrize("path", sorted((ROOT / "studies").glob("*.toml")), ids=lambda p: p.name)
def test_example_studies_validate(path: Path) -> None:
    loaded = batch.load_study(path)
    assert len(loaded.design) >= 20
    assert loaded.base["scenario"]["name"]


def test_a_second_sweep_cannot_write_the_same_output(study: Path, tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "r.parquet"
    parts = batch.parts_dir(out)
    parts.mkdir()
    with (parts / "lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(InputError, match=r"r\.parquet is being written by another sweep"):
            run(study, out=out, resume=True)
    assert len(run(study, out=out, resume=True)) == 12  # the lock died with its holder


def test_resume_of_a_finished_run_says_what_differs(study: Path, tmp_path: Path) -> None:
    """Before: only "not an unfinished run of this study", whatever the difference."""
    out = tmp_path / "r.parquet"
    run(study, out=out)
    force = "; pass force=True to overwrite it"
    finished = re.escape(f"resume: {out} is a finished run of ")
    with pytest.raises(InputError, match=finished + re.escape(f"this study with draws = {DRAWS}, not 5000")) as info:
        run(study, out=out, resume=True, draws=5000)
    assert str(info.value) == f"resume: {out} is a finished run of this study with draws = {DRAWS}, not 5000{force}"
    with pytest.raises(InputError, match=finished + re.escape("this study with seed = 11, not 12, ")) as info:
        run(study, out=out, resume=True, draws=5000, seed=12)
    assert str(info.value) == (f"resume: {out} is a finished run of this study with seed = 11, not 12, "
                               f"and draws = {DRAWS}, not 5000{force}")
    with pytest.raises(InputError, match=finished + re.escape("this study with method = monte-carlo, ")) as info:
        run(study, out=out, resume=True, method="exact")
    assert str(info.value) == (f"resume: {out} is a finished run of this study with method = monte-carlo, "
                               f"not exact{force}")
    other = tmp_path / "other.toml"
    other.write_text(STUDY + "# another study\n")
    with pytest.raises(InputError, match=finished + re.escape(f"{study}, not {other}")) as info:
        run(other, out=out, resume=True)
    assert str(info.value) == f"resume: {out} is a finished run of {study}, not {other}{force}"
    study.write_text(STUDY + "# changed\n")
    with pytest.raises(InputError, match=finished + re.escape(f"{study} as it was before it was changed")) as info:
        run(study, out=out, resume=True)
    assert str(info.value) == f"resume: {out} is a finished run of {study} as it was before it was changed{force}"


def test_resume_of_a_finished_csv_or_of_another_table(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    run(study, out=out)
    with pytest.raises(InputError, match=r"r\.csv is a finished table, and a CSV file keeps no record of the run"):
        run(study, out=out, resume=True)
    table = tmp_path / "t.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(table)
    with pytest.raises(InputError, match=r"t\.parquet is not the output of a sweep \(no unsc_sim\.run metadata\)"):
        run(study, out=table, resume=True)


def test_read_metadata_of_what_is_not_a_sweeps_parquet(tmp_path: Path) -> None:
    """Before: ArrowInvalid, FileNotFoundError or OSError straight from pyarrow."""
    csv = tmp_path / "x.csv"
    csv.write_text("a,b\n1,2\n")
    empty = tmp_path / "empty.parquet"
    empty.write_bytes(b"")
    plain = tmp_path / "plain.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(plain)
    torn = tmp_path / "torn.parquet"
    torn.write_bytes(plain.read_bytes()[:100])
    cases = [
        (csv, "is not a Parquet file, or is damaged"),
        (empty, "is not a Parquet file, or is damaged"),
        (torn, "is not a Parquet file, or is damaged"),
        (tmp_path / "missing.parquet", "no such file"),
        (tmp_path, "is a directory, not a file"),
        (Path("/dev/zero"), "is not a regular file (a character device)"),
    ]
    for path, message in cases:
        with pytest.raises(InputError, match=re.escape(f"{path}: (file): {message}")) as info:
            batch.read_metadata(path)
        assert str(info.value) == f"{path}: (file): {message}"
    assert batch.read_metadata(plain) == {}  # a Parquet file without a sweep's metadata


def test_any_pool_with_map_gives_the_same_table(study: Path, tmp_path: Path, reference: pd.DataFrame) -> None:
    """Issue 12: a pool is handed in (emcee's pattern); results arrive in any order."""
    from concurrent.futures import ThreadPoolExecutor
    from multiprocessing.pool import ThreadPool

    with ThreadPoolExecutor(2) as executor:
        pd.testing.assert_frame_equal(run(study, pool=executor, chunk_size=1), reference)
    out = tmp_path / "r.parquet"
    with ThreadPool(3) as pool:  # has imap_unordered: rows are saved as they finish
        pd.testing.assert_frame_equal(run(study, pool=pool, workers=3, out=out), reference)
    timings = json.loads(batch.read_metadata(out)["unsc_sim.timings"])
    assert (timings["executor"], timings["workers"]) == ("ThreadPool", 3)
