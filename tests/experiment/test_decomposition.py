"""``--decompose`` runs on the batch's executors: the same table in this process, on a pool and on Dask."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.experiment.decomposition import run_decomposition
from sim.experiment.executors import ExecutorSpec
from sim.scenario import load_scenario

from .conftest import SCENARIOS


@pytest.mark.dask_in_process
def test_the_decomposition_is_identical_in_this_process_on_two_workers_and_on_a_dask_cluster(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    sc = load_scenario(SCENARIOS / "workshop_demo.yaml", ["replications=3", "horizon_months=4"])
    specs = {"serial": ExecutorSpec("serial", 1), "pool": ExecutorSpec("pool", 2), "dask": ExecutorSpec("dask", 2)}
    tables = {k: run_decomposition(sc, "individual", tmp_path / k, spec) for k, spec in specs.items()}
    reference = tables["serial"]
    assert set(reference["scheme"]) == {"team_pool", "hybrid"} and (reference["replications"] == 3).all()
    assert reference["total_mean"].abs().sum() > 0
    for kind in ("pool", "dask"):
        pd.testing.assert_frame_equal(reference, tables[kind], obj=kind)
        written = (tmp_path / kind / "decomposition.csv").read_bytes()
        assert written == (tmp_path / "serial" / "decomposition.csv").read_bytes()
