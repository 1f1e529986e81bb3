"""Assembly of the final tables window by window: the same tables as one whole-table assembly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiment import assemble as asm
from sim.experiment import store
from sim.experiment.batch import BatchRequest, run_batch
from sim.experiment.executors import ExecutorSpec
from sim.experiment.plan import make_plan
from sim.scenario import load_scenario

from .conftest import assert_same_tables, tables, workshop_sweep

SCHEMES = ("a", "b")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A 3-point sweep whose first run alone keeps its statements, placements and trace."""
    sc = load_scenario(workshop_sweep(tmp_path_factory.mktemp("sweep")))
    out = tmp_path_factory.mktemp("out")
    run_batch(BatchRequest(sc, out, ExecutorSpec("serial", 1)))
    return out, sc


def _assembled(out: Path, sc: object, window_rows: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, pd.DataFrame]:
    plan = make_plan(sc)
    names = [s.name for s in sc.schemes]
    monkeypatch.setattr(asm, "WINDOW_ROWS", window_rows)
    asm.assemble(out, plan, {p: sc.replications for p in range(len(plan.points))}, names)
    return tables(out)


def test_tables_assembled_in_small_windows_equal_the_whole_table_assembly(batch, monkeypatch) -> None:
    out, sc = batch
    whole = _assembled(out, sc, 10**9, monkeypatch)   # every table in one window, sorted whole
    first = store.read_parquet(out / "statements.parquet", ["point", "scheme", "replication"]).to_pandas()
    # the case the windows are for: the statements all belong to runs far bigger than a window
    assert len(first) > 200 and (first[["point", "replication"]] == 0).all().all()
    small = _assembled(out, sc, 7, monkeypatch)   # whole points, (scheme, replications) pieces, runs cut in batches
    assert_same_tables(whole, small)
    assert set(whole) >= {"runs", "monthly", "people", "statements"}


def test_windows_hold_at_most_window_rows_unless_one_run_and_cover_every_run_in_order(monkeypatch) -> None:
    monkeypatch.setattr(asm, "WINDOW_ROWS", 10)
    rows = np.zeros((4, 2, 3), dtype=np.int64)   # [point, scheme, replication]
    rows[0] = [[1, 1, 1], [1, 1, 1]]    # point 0: 6 rows, grouped with point 1
    rows[1] = [[0, 0, 0], [2, 0, 0]]    # point 1: 2 rows
    rows[2] = [[25, 3, 3], [0, 0, 0]]   # point 2: bigger than a window; its first run bigger than one too
    # point 3: no rows, so no window
    got = asm.windows(rows, SCHEMES)
    assert got == [asm.Window(0, 2), asm.Window(2, 3, "a", 0, 1), asm.Window(2, 3, "a", 1, 3)]
    assert got[1].one_run and not got[2].one_run and not got[0].one_run


def test_run_rows_counts_each_planned_run_and_ignores_unplanned_ones(tmp_path: Path) -> None:
    part = tmp_path / "part.parquet"
    keys = pd.DataFrame({"point": [0, 0, 0, 1, 1, 1], "scheme": ["b", "b", "a", "a", "a", "c"],
                         "replication": [0, 0, 1, 0, 2, 0], "x": range(6)})
    keys.to_parquet(part, index=False)
    rows = asm.run_rows([part], {0: 2, 1: 2}, SCHEMES)   # replication 2 and scheme c are not planned
    expected = np.zeros((2, 2, 2), dtype=np.int64)
    expected[0, 1, 0], expected[0, 0, 1], expected[1, 0, 0] = 2, 1, 1
    np.testing.assert_array_equal(rows, expected)
