"""The Dask executor: a real LocalCluster gives the same table as the local executor."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.errors import InputError

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
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
    with pytest.raises(InputError, match=r"--scheduler: cannot connect to tcp://127\.0\.0\.1:9"):
        sim.sweep(STUDY, draws=DRAWS, progress=False, executor="dask", scheduler="tcp://127.0.0.1:9")
