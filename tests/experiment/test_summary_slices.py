"""summary.csv written slice by slice equals the summary of the whole runs table, byte for byte."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.experiment import stats, store
from sim.experiment.batch import BatchRequest, run_batch
from sim.experiment.executors import ExecutorSpec
from sim.experiment.stats import metric_passes, summarise
from sim.experiment.summary import point_slices, write_summary
from sim.export.cells import write_csv
from sim.finance import with_turnover_costs
from sim.metrics import SUMMARY_METRIC_NAMES, floor_count_intervals
from sim.scenario import load_scenario

from .conftest import workshop_sweep


def whole(runs: pd.DataFrame, baseline: str, by: list[str], steady: float | None, path: Path) -> bytes:
    """The all-at-once summary (how the batch wrote it before it was sliced): the oracle."""
    costed = with_turnover_costs(runs, baseline, by, steady)
    write_csv(floor_count_intervals(summarise(costed, SUMMARY_METRIC_NAMES, baseline=baseline, by=by)), path)
    return path.read_bytes()


def stored_runs(tmp: Path) -> pd.DataFrame:
    """A sweep's runs table with what slicing could get wrong: points of different sizes, a scheme absent
    from the first point (so schemes first appear in another order), NaN metrics, an integer key with a
    null at one point only, a formula-looking scheme name, and small row groups."""
    rng = np.random.default_rng(7)
    rows = []
    for point in range(7):
        for scheme in ("=base", "team", "hybrid"):
            if point == 0 and scheme == "team":
                continue
            for rep in range(2 + point % 3):
                rows.append({"point": point, "knob": None if point == 5 else point * 10, "scheme": scheme,
                             "replication": rep, "seed": f"1/{rep}"})
    runs = pd.DataFrame(rows)
    n = len(runs)
    runs["knob"] = runs["knob"].astype("Int64")
    for metric in ("profit", "placements", "gross_profit", "turnover_rate_annual", "pay_gini"):
        runs[metric] = rng.normal(100, 30, n)
    runs.loc[runs.index % 5 == 0, "pay_gini"] = np.nan
    runs["producer_months"] = rng.integers(0, 40, n).astype(float)
    for metric in ("vacant_seat_months", "base_saved_vacancy", "ramp_shortfall_months", "hiring_cost"):
        runs[metric] = rng.uniform(0, 10, n)
    table = pa.Table.from_pandas(runs, preserve_index=False).replace_schema_metadata(None)   # as a batch writes it
    pq.write_table(table, tmp / "runs.parquet", row_group_size=5)
    return store.read_table(tmp, "runs")


@pytest.mark.parametrize("slice_runs", [1, 4, 13, 10_000])
def test_sliced_summary_equals_the_whole_tables(tmp_path: Path, slice_runs: int) -> None:
    runs = stored_runs(tmp_path)
    by = ["point", "knob"]
    expected = whole(runs, "=base", by, None, tmp_path / "whole.csv")
    assert write_summary(tmp_path, "=base", by, None, slice_runs).read_bytes() == expected
    assert b"\n1,10.0,'=base," in expected   # safe cells; the key with a null is float at every point


def test_point_slices_keep_whole_points() -> None:
    points = np.repeat([0, 1, 2, 3, 5], [3, 9, 2, 2, 4])
    assert point_slices(points, 4) == [(0, 1), (1, 2), (2, 5), (5, 6)]
    assert point_slices(points, 100) == [(0, 6)]


def test_a_batch_writes_the_summary_of_its_whole_table(tmp_path: Path) -> None:
    sc = load_scenario(workshop_sweep(tmp_path, {"market.job_order_rate": [4.0, 8.0]}))
    out = tmp_path / "out"
    run_batch(BatchRequest(sc, out, ExecutorSpec("serial", 1)))
    runs = store.read_table(out, "runs")
    expected = whole(runs, sc.schemes[0].name, ["point", "market.job_order_rate"],
                     sc.finance.steady_gp_per_seat_month, tmp_path / "whole.csv")
    assert (out / "summary.csv").read_bytes() == expected
    assert write_summary(out, sc.schemes[0].name, ["point", "market.job_order_rate"],
                         sc.finance.steady_gp_per_seat_month, 1).read_bytes() == expected


def test_metric_passes_take_fewer_metrics_for_more_runs() -> None:
    metrics = [f"m{i}" for i in range(10)]
    assert metric_passes(metrics, 100) == [metrics[:8], metrics[8:]]
    assert metric_passes(metrics, 5_000) == [metrics[:8], metrics[8:]]
    assert metric_passes(metrics, 10_000) == [metrics[:4], metrics[4:8], metrics[8:]]
    assert metric_passes(metrics, 50_001) == [[m] for m in metrics]


def test_one_metric_a_pass_gives_the_whole_tables_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A point of many runs is summarised one metric at a time: the same bytes as all metrics at once."""
    runs = stored_runs(tmp_path)
    by = ["point", "knob"]
    expected = whole(runs, "=base", by, None, tmp_path / "whole.csv")
    monkeypatch.setattr(stats, "PASS_RUNS", 1)
    assert metric_passes(["a", "b"], 8) == [["a"], ["b"]]   # the one slice here holds more than 8 runs
    assert write_summary(tmp_path, "=base", by, None, 10_000).read_bytes() == expected
