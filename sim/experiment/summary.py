"""summary.csv of a stored batch, computed slice by slice so the driver never holds the runs table.

The summary's statistics are per sweep point (means and intervals of each point's runs; paired
differences pair a scheme's replication with the baseline's at the same point; the steady GP basis
of the turnover costs is the baseline's at the same point), so a slice of whole points gives exactly
the rows the whole table would. Each slice is summarised a few metrics at a time, reading only those
columns of ``runs.parquet``, and its rows are appended to the file: the driver holds one slice's
columns, never the table. A point larger than a slice is a slice of its own (its statistics need all
its runs), summarised with fewer metrics a pass, down to one (:func:`~sim.experiment.stats.metric_passes`),
so a pass holds about as much at any size. The file is identical to :func:`~sim.experiment.stats.summarise`
over the whole table (tested), since every statistic of a (point, scheme, metric) sees the same values in
the same order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.experiment import store
from sim.experiment.stats import metric_passes, ordered, summarise
from sim.export.cells import write_csv_slices
from sim.finance import TURNOVER_INPUTS, with_turnover_costs
from sim.metrics import DERIVED_METRICS, SUMMARY_METRIC_NAMES, floor_count_intervals

SLICE_RUNS = 1_000      # runs summarised at a time (whole points: a bigger point is one slice); a slice's
# summary rows carry every swept key, so its text grows with the keys (docs/experiments.md, robust memory)
DERIVED = tuple(m.name for m in DERIVED_METRICS)


def point_slices(points: np.ndarray, slice_runs: int = SLICE_RUNS) -> list[tuple[int, int]]:
    """Ranges [lo, hi) of sweep points holding about ``slice_runs`` runs each, from each run's point."""
    ids, counts = np.unique(points, return_counts=True)
    out: list[tuple[int, int]] = []
    lo, runs = None, 0
    for p, n in zip(ids.tolist(), counts.tolist(), strict=True):
        if lo is not None and runs + n > slice_runs:
            out.append((lo, p))
            lo, runs = None, 0
        lo = p if lo is None else lo
        runs += n
    if lo is not None:
        out.append((lo, int(ids[-1]) + 1))
    return out


class _Runs:
    """Column subsets of a slice of points of ``runs.parquet``, read by row group."""

    def __init__(self, path: Path):
        self.file = pq.ParquetFile(path)
        meta, names = self.file.metadata, self.file.schema_arrow.names
        self.names = names
        self.nullable = store.nullable_ints(path)
        self.groups: list[tuple[int, int]] = []
        col = names.index("point") if "point" in names else None
        for g in range(meta.num_row_groups):
            st = meta.row_group(g).column(col).statistics if col is not None else None
            self.groups.append((st.min, st.max) if st is not None and st.has_min_max else (0, 2**62))

    def schemes(self) -> list[str]:
        """The schemes in order of first appearance in the file (the whole table's order of schemes)."""
        seen: dict[str, None] = {}
        for batch in self.file.iter_batches(columns=["scheme"], use_threads=False):
            seen.update(dict.fromkeys(pc.unique(batch.column(0)).to_pylist()))
        return list(seen)

    def points(self) -> np.ndarray:
        if "point" not in self.names:
            return np.zeros(self.file.metadata.num_rows, dtype=np.int64)
        return self.file.read(columns=["point"], use_threads=False).column("point").to_numpy()

    def read(self, lo: int, hi: int, columns: Sequence[str]) -> pd.DataFrame:
        cols = [c for c in dict.fromkeys(columns) if c in self.names]
        if "point" not in self.names:
            return store.slice_to_pandas(self.file.read(columns=cols, use_threads=False), self.nullable)
        wanted = [g for g, (a, b) in enumerate(self.groups) if a < hi and b >= lo]
        t = self.file.read_row_groups(wanted, columns=list(dict.fromkeys([*cols, "point"])), use_threads=False)
        point = t.column("point")
        t = t.filter(pc.and_(pc.greater_equal(point, lo), pc.less(point, hi))).select(cols)
        return store.slice_to_pandas(t, self.nullable)


def summary_slices(path: Path, baseline: str, by: Sequence[str], steady: float | None,
                   slice_runs: int = SLICE_RUNS) -> Iterator[pd.DataFrame]:
    """The summary of the runs table at ``path``, one slice of points at a time, in the final row order."""
    runs = _Runs(path)
    by = list(by)
    # Grouped by the point alone: a point's swept keys have one value at every run of it, so grouping
    # by them too gives the same groups, only slower (the reference robust batch draws 25 keys); they are joined on.
    group = ["point"] if "point" in by else by
    swept = [k for k in by if k not in group]
    keys = [*group, "scheme", "replication"]
    stored = [m for m in SUMMARY_METRIC_NAMES if m in runs.names and m not in DERIVED]
    derived = "producer_months" in runs.names   # results stored before the finance metrics have none
    schemes = runs.schemes()
    points = runs.points()
    for lo, hi in point_slices(points, slice_runs):
        n = int(np.count_nonzero((points >= lo) & (points < hi)))
        pieces = [summarise(runs.read(lo, hi, [*keys, *metrics]), metrics, baseline=baseline, by=group)
                  for metrics in metric_passes(stored, n)]
        if derived:
            costed = with_turnover_costs(runs.read(lo, hi, [*keys, *TURNOVER_INPUTS]), baseline, group, steady)
            pieces.append(summarise(costed, DERIVED, baseline=baseline, by=group))
            del costed
        if not pieces:
            continue
        table = ordered(pd.concat(pieces, ignore_index=True), group, schemes, SUMMARY_METRIC_NAMES)
        if swept:
            values = runs.read(lo, hi, ["point", *swept]).drop_duplicates("point")
            table = table.merge(values, on="point", how="left", validate="many_to_one")
            table = table[[*by, *(c for c in table.columns if c not in by)]]
        yield floor_count_intervals(table)
        store.release_memory()


def write_summary(out: Path, baseline: str, by: Sequence[str], steady: float | None,
                  slice_runs: int = SLICE_RUNS) -> Path:
    """Write ``summary.csv`` of the stored ``runs.parquet`` slice by slice (atomically; safe cells)."""
    out = Path(out)
    return write_csv_slices(summary_slices(out / "runs.parquet", baseline, by, steady, slice_runs),
                            out / "summary.csv")
