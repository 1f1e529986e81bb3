"""The final tables of a batch, assembled from the parts on disk, one table at a time.

Rows are sorted by (sweep point, scheme order, replication), keeping each run's rows in the order
the model produced them, so the tables are identical whatever the executor, the worker count or
the order in which runs finished. Sweeps get a ``point`` column and one column per swept key, named
by its dotted key (a value that is a list or mapping is stored as JSON text); a batch without a
sweep keeps the plain layout (no ``point``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.experiment import store
from sim.experiment.plan import Plan

FRONT = ("scheme", "replication", "seed")
WINDOW_ROWS = 50_000   # rows of one table assembled at a time


def _cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def point_table(plan: Plan) -> pd.DataFrame:
    """One row per point: its id and the value of each swept key."""
    rows = [{"point": i, **{k: _cell(p.get(k)) for k in plan.keys}} for i, p in enumerate(plan.points)]
    return pd.DataFrame(rows, columns=["point", *plan.keys])


def _arrange(table: pa.Table, plan: Plan, reps: Mapping[int, int], schemes: Sequence[str], keep_id: bool,
             points: pd.DataFrame) -> pa.Table:
    """Filter to the planned replications, sort, add the swept keys, order the columns; all in Arrow.

    Arrow rather than pandas: no copies of the biggest tables, so the driver's memory stays low.
    """
    point = table.column("point")
    limit = pa.array([reps.get(p, 0) for p in range(len(plan.points))], type=pa.int64())
    table = table.filter(pc.less(table.column("replication"), pc.take(limit, point)))
    rank = pc.index_in(table.column("scheme"), value_set=pa.array(list(schemes)))
    table = table.append_column("_rank", rank)
    # Arrow's sort is stable: each run's rows keep the order the model produced them in.
    table = table.sort_by([("point", "ascending"), ("_rank", "ascending"), ("replication", "ascending")])
    front: list[str] = []
    if plan.keys:
        front = ["point", *plan.keys]
        for key in plan.keys:
            values = pa.Table.from_pandas(points[[key]], preserve_index=False).column(0).combine_chunks()
            table = table.append_column(key, pc.take(values, table.column("point")))
    names = table.column_names
    front += [c for c in FRONT if c in names]
    drop = {"_rank", *([] if plan.keys else ["point"]), *([] if keep_id else ["run_id"])}
    back = ["run_id"] if keep_id else []
    return table.select(front + [c for c in names if c not in front and c not in back and c not in drop] + back)


def _windows(n_points: int, n_rows: int) -> list[tuple[int, int]]:
    """Point ranges holding about WINDOW_ROWS rows each (rows per point are about equal)."""
    k = max(1, math.ceil(n_rows / WINDOW_ROWS))
    size = max(1, math.ceil(n_points / k))
    return [(lo, min(lo + size, n_points)) for lo in range(0, n_points, size)]


def _point_range(path: Path) -> tuple[int, int]:
    """The smallest and largest point in a part file, from its Parquet statistics (no data read)."""
    meta = pq.read_metadata(path)
    col = meta.schema.names.index("point")
    lo, hi = [], []
    for g in range(meta.num_row_groups):
        st = meta.row_group(g).column(col).statistics
        if st is None or not st.has_min_max:
            return 0, 2**62
        lo.append(st.min)
        hi.append(st.max)
    return (min(lo), max(hi)) if lo else (0, -1)


def _write(out: Path, name: str, files: list[Path], plan: Plan, reps: Mapping[int, int], schemes: Sequence[str],
           points: pd.DataFrame) -> None:
    """Assemble one table window by window of points, so only a window is ever in memory.

    Parts are written in point-major order, so each holds a narrow range of points; a window
    reads only the parts whose range (from the Parquet statistics) overlaps it.
    """
    schema = pa.unify_schemas([pq.read_schema(f) for f in files], promote_options="permissive")
    ranges = [(f, *_point_range(f)) for f in files]
    n_rows = sum(pq.read_metadata(f).num_rows for f in files)
    path = out / f"{name}.parquet"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    writer = None
    try:
        for lo, hi in _windows(len(plan.points), n_rows):
            pieces = []
            for f, first, last in ranges:
                if first < hi and last >= lo:
                    t = store.read_parquet(f).select(schema.names).cast(schema)
                    point = t.column("point")
                    pieces.append(t.filter(pc.and_(pc.greater_equal(point, lo), pc.less(point, hi))))
            window = pa.concat_tables(pieces) if pieces else schema.empty_table()
            window = _arrange(window, plan, reps, schemes, keep_id=(name == "runs"), points=points)
            if writer is None:
                writer = pq.ParquetWriter(tmp, window.schema)
            writer.write_table(window)
            del window, pieces
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, path)


def assemble(out: Path, plan: Plan, reps: Mapping[int, int], schemes: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Write ``runs.parquet`` ... ``trace.parquet`` (and ``failures.parquet`` if any run failed).

    Returns the runs table and the failures still outstanding (a run that failed and then
    succeeded on ``--resume`` is no longer a failure).
    """
    out = Path(out)
    points = point_table(plan)
    runs = pd.DataFrame()
    for name in store.TABLES:
        files = store.part_files(out, name)
        if not files:
            if name == "runs":
                store.write_table(out, name, pd.DataFrame(columns=["scheme", "replication", "seed"]))
            else:
                (out / f"{name}.parquet").unlink(missing_ok=True)
            continue
        _write(out, name, files, plan, reps, schemes, points)
        if name == "runs":
            runs = store.read_parquet(out / "runs.parquet").to_pandas()
    fails = store.read_parts(out, "failures")
    if len(fails):
        ok = set(runs["run_id"]) if len(runs) else set()
        fails = fails[~fails["run_id"].isin(ok)].drop_duplicates(["run_id", "point"], keep="last")
        fails = fails[fails["replication"] < fails["point"].map(reps)].sort_values(["point", "scheme", "replication"])
    if len(fails):
        store.write_table(out, "failures", fails.reset_index(drop=True))
    else:
        (out / "failures.parquet").unlink(missing_ok=True)
    return {"runs": runs, "failures": fails.reset_index(drop=True) if len(fails) else pd.DataFrame()}
