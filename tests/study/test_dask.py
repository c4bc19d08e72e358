"""The Dask executor: a real LocalCluster gives the same table as the local executor."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.errors import InputError
from sim.study import dask_pool
from tests.conftest import ROOT

distributed = pytest.importorskip("distributed")

STUDY = ROOT / "studies" / "ukraine_2026_china_common.toml"
DRAWS = 2000


@pytest.fixture(scope="module")
def local() -> pd.DataFrame:
    return sim.sweep(STUDY, draws=DRAWS, progress=False)


def test_dask_local_cluster_matches_local_executor(local: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "dask.parquet"
    df = sim.sweep(STUDY, draws=DRAWS, progress=False, executor="dask", workers=2, chunk_size=4, out=out)
    pd.testing.assert_frame_equal(df, local)
    pd.testing.assert_frame_equal(pd.read_parquet(out), local)


def test_dask_scheduler_address(local: pd.DataFrame) -> None:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        df = sim.sweep(STUDY, draws=DRAWS, progress=False, executor="dask", scheduler=cluster.scheduler_address)
        assert len(cluster.scheduler.workers) == 2
    pd.testing.assert_frame_equal(df, local)


def test_missing_dask_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(InputError, match=r"dask is not installed; install the extra: pip install 'unsc-sim\[dask\]'"):
        sim.sweep(STUDY, draws=DRAWS, progress=False, executor="dask")


def test_unreachable_scheduler_is_one_clear_error() -> None:
    with pytest.raises(InputError, match=r"^scheduler: cannot connect to tcp://127\.0\.0\.1:9"):
        sim.sweep(STUDY, draws=DRAWS, progress=False, executor="dask", scheduler="tcp://127.0.0.1:9")


def _sweep_cli(tmp_path: Path, scheduler: str) -> tuple[int, str, float]:
    from click.testing import CliRunner

    from sim.cli import main

    t0 = time.monotonic()
    result = CliRunner().invoke(main, ["sweep", str(STUDY), "--out", str(tmp_path / "r.parquet"),
                                       "--draws", str(DRAWS), "--scheduler", scheduler])
    return result.exit_code, result.stderr, time.monotonic() - t0


def test_refused_scheduler_fails_at_once_and_leaves_nothing(tmp_path: Path) -> None:
    """Before: 10 s of retries behind a progress bar, then an empty r.parquet.parts that
    blocked the next run."""
    code, err, seconds = _sweep_cli(tmp_path, "tcp://127.0.0.1:1")
    assert code == 2
    assert err == "--scheduler: cannot connect to tcp://127.0.0.1:1: connection refused\n"
    assert seconds < 2.0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.timeout(60)  # before the fix it waited forever
def test_silent_scheduler_times_out_quickly_and_leaves_nothing(tmp_path: Path) -> None:
    """A server that accepts the connection but never answers (Dask's Client waits forever)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        code, err, seconds = _sweep_cli(tmp_path, address)
    assert code == 2
    assert err == f"--scheduler: cannot connect to {address}: no answer within {dask_pool.CONNECT_SECONDS:g} s\n"
    assert seconds < 2 * dask_pool.CONNECT_SECONDS + 1
    assert list(tmp_path.iterdir()) == []


def test_a_failure_before_any_point_leaves_no_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever fails after the parts folder is made, an empty one is not left to block a rerun."""
    def broken(*_args: object) -> None:
        raise InputError("scheduler", "lost")

    monkeypatch.setattr(dask_pool.DaskPool, "map", broken)
    out = tmp_path / "r.parquet"
    with pytest.raises(InputError, match="lost"):
        sim.sweep(STUDY, draws=DRAWS, progress=False, executor="dask", out=out)
    assert list(tmp_path.iterdir()) == []
    assert len(sim.sweep(STUDY, draws=DRAWS, progress=False, out=out)) == 30
