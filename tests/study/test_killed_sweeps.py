"""A sweep killed by SIGKILL or SIGTERM leaves nothing running and nothing locked (issue 11).

docs/studies.md promises that "the lock dies with its process, so a killed run leaves no stale
lock". Each test starts a real ``unsc-sim sweep`` in a child, waits for its first saved point,
kills the main process only (as ``kill -9 PID`` or ``kill PID`` would), and then checks that

* no process started by the sweep is alive (workers, Dask nannies, helpers): every one of them
  carries a marker in its environment, so the check finds them however they were started;
* whoever reads the sweep's stdout and stderr sees end-of-file at once;
* the part directory's lock is free (a non-blocking ``flock`` gets it);
* ``--resume`` works at once and gives the table of an uninterrupted run.

Before the fix, workers forked by a ``--workers 2`` sweep kept the lock, stdout and stderr for
minutes, and SIGTERM ended the sweep without saying what was saved.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sim
from sim.study import batch
from sim.study import store as sweep_store
from tests.conftest import ROOT

psutil = pytest.importorskip("psutil")

UKRAINE = ROOT / "scenarios" / "ukraine_2022_russia_veto.toml"
DRAWS = 20_000
POINTS = 40
#: Seconds within which a killed sweep's pipes must close and its processes be gone. Before
#: the fix the workers lived on for minutes.
PROMPT = 10.0
#: Seconds to wait for the first saved point (a Dask LocalCluster takes a while to start).
START = 90.0
MARK = "UNSC_SIM_TEST_SWEEP"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("killed") / "study.toml"
    path.write_text(f"""
[study]
name = "killed sweep"
base = "{UKRAINE}"
seed = 3
[vary.range]
"votes.CHN.no" = {{ start = 0.0, stop = 0.95, step = 0.05 }}
[vary.grid]
"correlation.common" = [0.0, 0.3]
""")
    return path


@pytest.fixture(scope="module")
def uninterrupted(study: Path) -> pd.DataFrame:
    df = sim.sweep(study, draws=DRAWS, progress=False)
    assert len(df) == POINTS
    return df


def saved_lines(parts: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in parts.glob("part-*.jsonl"))


def marked(mark: str) -> list[Any]:
    """Live processes (not zombies) whose environment carries ``MARK=mark``."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARK) == mark and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def lock_is_free(parts: Path) -> bool:
    with (parts / "lock").open("w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(f, fcntl.LOCK_UN)
        return True


def sweep_command(study: Path, out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sim.cli", "sweep", str(study), "--out", str(out),
            "--draws", str(DRAWS), "--quiet", *args]


EXECUTORS = [
    pytest.param(["--workers", "1"], id="workers-1"),
    pytest.param(["--workers", "2"], id="workers-2"),
    pytest.param(["--executor", "dask", "--workers", "2"], id="dask", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("executor", EXECUTORS)
def test_killed_sweep_leaves_no_process_no_lock_no_open_pipe(
    executor: list[str], how: signal.Signals, study: Path, uninterrupted: pd.DataFrame, tmp_path: Path
) -> None:
    if "dask" in executor:
        pytest.importorskip("distributed")
    out = tmp_path / "r.parquet"
    parts = batch.parts_dir(out)
    mark = uuid.uuid4().hex
    proc = subprocess.Popen(
        sweep_command(study, out, *executor, "--chunk-size", "1"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, MARK: mark},
    )
    try:
        deadline = time.monotonic() + START
        while saved_lines(parts) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the sweep ended before it could be killed"
        started = marked(mark)
        assert proc.pid in {p.pid for p in started}
        if executor != ["--workers", "1"]:
            assert len(started) >= 3, "the sweep has no worker processes to leave behind"
        proc.send_signal(how)  # the main process only, as `kill PID` does
        try:
            stdout, stderr = proc.communicate(timeout=PROMPT)  # reads both pipes to end-of-file
        except subprocess.TimeoutExpired:
            pytest.fail(f"stdout or stderr still open {PROMPT} s after {how.name}: held by {marked(mark)}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    deadline = time.monotonic() + PROMPT
    while marked(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marked(mark) == [], f"processes of the killed sweep still alive after {PROMPT} s"
    assert lock_is_free(parts), "a stale lock"
    saved = batch.read_parts(parts)
    assert 1 <= len(saved) < POINTS, "the sweep was not killed mid-run"
    assert not out.exists()
    if how == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:  # like Ctrl-C: what is done is saved, one line says so, exit 128 + 15
        assert proc.returncode == 128 + signal.SIGTERM, stderr
        assert stderr == (f"sweep stopped by SIGTERM: {len(saved)} of {POINTS} points done; "
                          f"saved in {parts}, run again with --resume to finish\n")
    assert stdout == ""

    # --resume at once: not "being written by another sweep"
    done = subprocess.run(sweep_command(study, out, "--resume"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{POINTS} points written to {out}\n"
    df = pd.read_parquet(out)
    pd.testing.assert_frame_equal(df, uninterrupted)
    for i, row in saved.items():  # the points saved before the kill are in the table as they were
        assert df.loc[i, "p_adopted"] == row["p_adopted"]
    assert not parts.exists()


def _live_on(started: Any) -> None:
    started.set()
    time.sleep(60)


def test_a_forked_child_does_not_keep_the_lock(tmp_path: Path) -> None:
    """The lock is a ``flock`` on an open file, which a forked child shares: the child must let
    go of it, or the lock outlives the sweep as long as the child lives."""
    import multiprocessing

    out = tmp_path / "r.parquet"
    store = sweep_store.SweepStore(out, {"format": sweep_store.PARTS_FORMAT})
    store.open(resume=False)
    assert not lock_is_free(store.parts)
    ctx = multiprocessing.get_context("fork")
    started = ctx.Event()
    child = ctx.Process(target=_live_on, args=(started,))
    child.start()
    try:
        assert started.wait(30)
        store.close()  # the sweep ends (or is killed) while the child lives on
        assert lock_is_free(store.parts)
    finally:
        child.kill()
        child.join()
