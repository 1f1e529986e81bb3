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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.experiment import store
from sim.experiment.plan import BatchPlan

FRONT = ("scheme", "replication", "seed")
WINDOW_ROWS = 10_000   # rows of one table assembled at a time


def _cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def point_table(plan: BatchPlan) -> pd.DataFrame:
    """One row per point: its id and the value of each swept key."""
    rows = [{"point": i, **{k: _cell(p.get(k)) for k in plan.keys}} for i, p in enumerate(plan.points)]
    return pd.DataFrame(rows, columns=["point", *plan.keys])


def point_values(plan: BatchPlan) -> dict[str, pa.Array]:
    """Each swept key's value per point, as the Arrow column a table's rows take theirs from."""
    points = point_table(plan)
    return {key: pa.Table.from_pandas(points[[key]], preserve_index=False).column(0).combine_chunks()
            for key in plan.keys}


def _arrange(table: pa.Table, plan: BatchPlan, reps: Mapping[int, int], schemes: Sequence[str], keep_id: bool,
             values: Mapping[str, pa.Array]) -> pa.Table:
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
            table = table.append_column(key, pc.take(values[key], table.column("point")))
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

    @property
    def one_run(self) -> bool:
        return self.scheme is not None and self.hi - self.lo == 1 and self.rep_hi - self.rep_lo == 1

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


def run_rows(files: Sequence[Path], reps: Mapping[int, int], schemes: Sequence[str]) -> np.ndarray:
    """Rows of each planned run in the parts, as ``[point, scheme, replication]`` (a scheme by its
    order), counted from the parts' key columns alone; rows of runs not planned are not counted."""
    n_points = max(reps, default=-1) + 1
    shape = (n_points, len(schemes), max(reps.values(), default=0))
    limit = np.array([reps.get(p, 0) for p in range(n_points)], dtype=np.int64)
    value_set = pa.array(list(schemes))
    counts = np.zeros(int(np.prod(shape)), dtype=np.int64)
    for f in files:
        t = store.read_parquet(f, ["point", "scheme", "replication"])
        point, rep = t.column("point").to_numpy(), t.column("replication").to_numpy()
        rank = pc.fill_null(pc.index_in(t.column("scheme"), value_set=value_set), -1).to_numpy()
        ok = (point >= 0) & (point < n_points) & (rank >= 0)
        ok[ok] = rep[ok] < limit[point[ok]]
        flat = np.ravel_multi_index((point[ok], rank[ok], rep[ok]), shape)
        counts += np.bincount(flat, minlength=counts.size)
    return counts.reshape(shape)


def windows(rows: np.ndarray, schemes: Sequence[str]) -> list[Window]:
    """Windows of at most WINDOW_ROWS rows (``rows``: see :func:`run_rows`), none empty: whole points
    grouped while they fit, a bigger point cut into (scheme, replication range) pieces; a run bigger
    than WINDOW_ROWS is a window of its own."""
    out: list[Window] = []
    lo, held = 0, 0
    n_points = rows.shape[0]
    for p in range(n_points):
        size = int(rows[p].sum())
        if size <= WINDOW_ROWS:
            if held and held + size > WINDOW_ROWS:
                out.append(Window(lo, p))
                lo, held = p, 0
            held += size
            continue
        if held:
            out.append(Window(lo, p))
        for s, scheme in enumerate(schemes):
            per_run = rows[p, s].tolist()
            r = 0
            while r < len(per_run):
                end, n = r + 1, per_run[r]
                while end < len(per_run) and n + per_run[end] <= WINDOW_ROWS:
                    n += per_run[end]
                    end += 1
                if n:
                    out.append(Window(p, p + 1, scheme, r, end))
                r = end
        lo, held = p + 1, 0
    if held:
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


def _windows_of(files: list[Path], schema: pa.Schema, reps: Mapping[int, int],
                schemes: Sequence[str]) -> Iterator[pa.Table]:
    """The rows of each window in turn, in the final order (one empty table if no planned run has rows).

    Parts are written in task order (point, replication, scheme), so each holds a narrow range of
    points and replications; a window reads only the parts whose ranges (from the Parquet
    statistics) overlap it, WINDOW_ROWS rows at a time. A window of one run (a run with more rows
    than a window, such as a run that keeps its statements) comes out in those pieces, as read:
    the rows of one run need no sorting (they keep the model's order), so no more than WINDOW_ROWS
    of them are ever in memory at once.
    """
    ranges = [(f, _ranges(f)) for f in files]
    cuts = windows(run_rows(files, reps, schemes), schemes)
    for w in cuts:
        pieces = []
        for f, r in ranges:
            if w.touches(r):
                for t in store.read_batches(f, WINDOW_ROWS, schema.names):
                    t = t.select(schema.names).cast(schema)
                    pieces.append(t.filter(w.mask(t)))
                    if w.one_run:
                        yield from (piece for piece in pieces if len(piece))
                        pieces = []
        if not w.one_run:
            yield pa.concat_tables(pieces) if pieces else schema.empty_table()
        del pieces
    if not cuts:
        yield schema.empty_table()


def _write(out: Path, name: str, files: list[Path], plan: BatchPlan, reps: Mapping[int, int], schemes: Sequence[str],
           values: Mapping[str, pa.Array]) -> None:
    """Assemble one table window by window (see :func:`windows`), so only a window is ever in memory."""
    schema = pa.unify_schemas([pq.read_schema(f) for f in files], promote_options="permissive")
    path = out / f"{name}.parquet"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    writer = None
    try:
        for window in _windows_of(files, schema, reps, schemes):
            window = _arrange(window, plan, reps, schemes, keep_id=(name == "runs"), values=values)
            if writer is None:
                writer = pq.ParquetWriter(tmp, window.schema)
            writer.write_table(window)
            del window
            store.release_memory()
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, path)


def assemble(out: Path, plan: BatchPlan, reps: Mapping[int, int], schemes: Sequence[str]) -> dict[str, Any]:
    """Write ``runs.parquet`` ... ``trace.parquet`` (and ``failures.parquet`` if any run failed).

    Returns the number of runs assembled (``runs``) and the failures still outstanding (a run that
    failed and then succeeded on ``--resume`` is no longer a failure), not the runs table: the
    driver never holds it whole.
    """
    out = Path(out)
    values = point_values(plan)
    for name in store.TABLES:
        files = store.part_files(out, name)
        if not files:
            if name == "runs":
                store.write_table(out, name, pd.DataFrame(columns=["scheme", "replication", "seed"]))
            else:
                (out / f"{name}.parquet").unlink(missing_ok=True)
            continue
        _write(out, name, files, plan, reps, schemes, values)
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
