"""The final tables of a batch, assembled from the parts on disk, one table at a time.

Rows are sorted by (sweep point, scheme order, replication), keeping each run's rows in the order
the model produced them, so the tables are identical whatever the executor, the worker count or
the order in which runs finished. Sweeps get a ``point`` column and one column per swept key, named
by its dotted key (a value that is a list or mapping is stored as JSON text); a batch without a
sweep keeps the plain layout (no ``point``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.experiment import store
from sim.experiment.plan import Plan

FRONT = ("scheme", "replication", "seed")
WINDOW_ROWS = 10_000   # rows of one table assembled at a time


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


@dataclass(frozen=True)
class Window:
    """Rows of points [lo, hi); with ``scheme``, only that scheme's replications [rep_lo, rep_hi).

    Windows follow the final order (point, scheme, replication), so writing them one after the
    other writes the sorted table.
    """

    lo: int
    hi: int
    scheme: str | None = None
    rep_lo: int = 0
    rep_hi: int = 2**62

    def mask(self, t: pa.Table) -> pa.ChunkedArray:
        point = t.column("point")
        keep = pc.and_(pc.greater_equal(point, self.lo), pc.less(point, self.hi))
        if self.scheme is not None:
            rep = t.column("replication")
            keep = pc.and_(keep, pc.and_(pc.equal(t.column("scheme"), self.scheme),
                                         pc.and_(pc.greater_equal(rep, self.rep_lo), pc.less(rep, self.rep_hi))))
        return keep

    def touches(self, ranges: dict[str, tuple[int, int]]) -> bool:
        """Whether a part whose (min, max) of point and replication are ``ranges`` can hold rows of this window."""
        p_lo, p_hi = ranges["point"]
        r_lo, r_hi = ranges["replication"]
        return p_lo < self.hi and p_hi >= self.lo and r_lo < self.rep_hi and r_hi >= self.rep_lo


def windows(reps: Mapping[int, int], schemes: Sequence[str], rows_per_run: float) -> list[Window]:
    """Windows of about WINDOW_ROWS rows: whole points grouped while they fit, a bigger point cut
    into (scheme, replication range) pieces."""
    per_window = max(1, int(WINDOW_ROWS / max(rows_per_run, 1e-9)))
    out: list[Window] = []
    lo, runs = 0, 0
    n_points = max(reps, default=-1) + 1
    for p in range(n_points):
        size = reps.get(p, 0) * len(schemes)
        if size <= per_window:
            if runs + size > per_window and p > lo:
                out.append(Window(lo, p))
                lo, runs = p, 0
            runs += size
            continue
        if p > lo:
            out.append(Window(lo, p))
        for s in schemes:
            out += [Window(p, p + 1, s, r, min(r + per_window, reps[p])) for r in range(0, reps[p], per_window)]
        lo, runs = p + 1, 0
    if lo < n_points:
        out.append(Window(lo, n_points))
    return out


def _ranges(path: Path) -> dict[str, tuple[int, int]]:
    """The smallest and largest point and replication in a part file, from its Parquet statistics."""
    meta = pq.read_metadata(path)
    out = {}
    for name in ("point", "replication"):
        col = meta.schema.names.index(name)
        lo, hi = [], []
        for g in range(meta.num_row_groups):
            st = meta.row_group(g).column(col).statistics
            if st is None or not st.has_min_max:
                lo, hi = [0], [2**62]
                break
            lo.append(st.min)
            hi.append(st.max)
        out[name] = (min(lo), max(hi)) if lo else (0, -1)
    return out


def _write(out: Path, name: str, files: list[Path], plan: Plan, reps: Mapping[int, int], schemes: Sequence[str],
           points: pd.DataFrame, runs_stored: int) -> None:
    """Assemble one table window by window (see :func:`windows`), so only a window is ever in memory.

    Parts are written in task order (point, replication, scheme), so each holds a narrow range of
    points and replications; a window reads only the parts whose ranges (from the Parquet
    statistics) overlap it.
    """
    schema = pa.unify_schemas([pq.read_schema(f) for f in files], promote_options="permissive")
    ranges = [(f, _ranges(f)) for f in files]
    n_rows = sum(pq.read_metadata(f).num_rows for f in files)
    path = out / f"{name}.parquet"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    writer = None
    try:
        for w in windows(reps, schemes, n_rows / max(1, runs_stored)):
            pieces = []
            for f, r in ranges:
                if w.touches(r):
                    t = store.read_parquet(f).select(schema.names).cast(schema)
                    pieces.append(t.filter(w.mask(t)))
            window = pa.concat_tables(pieces) if pieces else schema.empty_table()
            window = _arrange(window, plan, reps, schemes, keep_id=(name == "runs"), points=points)
            if writer is None:
                writer = pq.ParquetWriter(tmp, window.schema)
            writer.write_table(window)
            del window, pieces
            store.release_memory()
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, path)


def assemble(out: Path, plan: Plan, reps: Mapping[int, int], schemes: Sequence[str]) -> dict[str, Any]:
    """Write ``runs.parquet`` ... ``trace.parquet`` (and ``failures.parquet`` if any run failed).

    Returns the number of runs assembled (``runs``) and the failures still outstanding (a run that
    failed and then succeeded on ``--resume`` is no longer a failure), not the runs table: the
    driver never holds it whole.
    """
    out = Path(out)
    points = point_table(plan)
    runs_stored = sum(pq.read_metadata(f).num_rows for f in store.part_files(out, "runs"))
    for name in store.TABLES:
        files = store.part_files(out, name)
        if not files:
            if name == "runs":
                store.write_table(out, name, pd.DataFrame(columns=["scheme", "replication", "seed"]))
            else:
                (out / f"{name}.parquet").unlink(missing_ok=True)
            continue
        _write(out, name, files, plan, reps, schemes, points, runs_stored)
    n_runs = pq.read_metadata(out / "runs.parquet").num_rows
    fails = store.read_parts(out, "failures")
    if len(fails):
        ok = set(store.read_parquet(out / "runs.parquet", ["run_id"]).column("run_id").to_pylist()) if n_runs \
            else set()
        fails = fails[~fails["run_id"].isin(ok)].drop_duplicates(["run_id", "point"], keep="last")
        fails = fails[fails["replication"] < fails["point"].map(reps)].sort_values(["point", "scheme", "replication"])
    if len(fails):
        store.write_table(out, "failures", fails.reset_index(drop=True))
    else:
        (out / "failures.parquet").unlink(missing_ok=True)
    return {"runs": n_runs, "failures": fails.reset_index(drop=True) if len(fails) else pd.DataFrame()}
