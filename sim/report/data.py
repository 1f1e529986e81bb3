"""Stored results as the report reads them: tables from disk, never a simulation, never whole.

:func:`load` reads what ``teamsim run`` (or a sweep) wrote into a folder and keeps only what the
report needs. The runs table is read a few columns at a time, when a section asks for them
(:class:`PointRuns`); the per-month and per-person tables are read in batches of ``READ_ROWS`` rows
and reduced as they stream past: bands of the monthly series (:class:`~sim.experiment.stats.Moments`),
time-in-seat counts, each producer's mean monthly pay, the production curve's bands, and replication
0's people for section 6. So the report of a large batch holds aggregates and single columns, not tables. When the
results come from a sweep, sections 1-4 and 6 describe one point (see :func:`baseline_point`)
and section 5 shows the whole sweep.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.comp import PRODUCER_ROLES
from sim.experiment import store
from sim.experiment.stats import Moments
from sim.metrics import floor_count_bands

READ_ROWS = 16_384
RUN_KEY = ["scheme", "replication"]
GRID = np.linspace(0.0, 1.0, 21)   # the x grid of the Lorenz and production curves
#: (column, title, unit) of the monthly series in section 2; headcount is recruiters + account managers.
OVER_TIME = (("placements", "Placements per month", "placements"), ("revenue", "Revenue per month", "$"),
             ("headcount", "Headcount (recruiters + account managers)", "people"),
             ("mean_cooperation", "Mean cooperation of producers", "0-1"),
             ("mean_effort", "Mean effort of producers", "effort (1 = standard)"),
             ("demand_index", "Demand index (job orders relative to plan)", "x plan"))


def with_headcount(monthly: pd.DataFrame) -> pd.DataFrame:
    if "headcount" not in monthly and {"headcount_recruiters", "headcount_ams"} <= set(monthly.columns):
        monthly = monthly.assign(headcount=monthly["headcount_recruiters"] + monthly["headcount_ams"])
    return monthly


def producers(people: pd.DataFrame) -> pd.DataFrame:
    """Recruiters and account managers who worked at least one month, with mean monthly pay in dollars."""
    if people.empty:
        return people
    p = people[people["role"].isin(PRODUCER_ROLES) & (people["months_employed"] > 0)].copy()
    p["monthly_pay"] = p["pay_cents"] / p["months_employed"] / 100.0
    return p


def curve(values: np.ndarray) -> np.ndarray:
    """Cumulative share of the total held by the first x of ``values`` (in their order), at :data:`GRID`."""
    cum = np.concatenate([[0.0], np.cumsum(values) / values.sum()])
    return np.interp(GRID, np.linspace(0, 1, cum.size), cum)


@dataclass
class People:
    """The per-person table reduced in one streaming pass (see :func:`read_people`)."""

    horizon: int
    tenure: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """(scheme, role) -> (producers by months employed 0..horizon, those of them who quit)."""
    pay: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    """(scheme, role) -> each producer's mean monthly pay in dollars, all replications pooled."""
    production: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Bands over runs of the share of credited GP made by the top x of producers: scheme, top, share..."""
    rep0: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Every person of replication 0 (section 6 explains some of them)."""


@dataclass
class Results:
    """Everything the report shows, read from one results folder."""

    out: Path
    manifest: dict[str, Any]
    schemes: list[str]
    baseline: str
    runs: PointRuns
    bands: pd.DataFrame      # per (scheme, month): mean and 95% band of every monthly series
    people: People
    statements: pd.DataFrame
    trace: pd.DataFrame
    sweep_runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    sweep_keys: list[str] = field(default_factory=list)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    point_note: str = ""
    point: Any = None        # the sweep point sections 1-4 and 6 describe (None: not a sweep)


def baseline_point(runs: pd.DataFrame, manifest: dict[str, Any]) -> Any:
    """The sweep point the per-point sections describe: the manifest's ``baseline_point`` or the first."""
    points = sorted(runs["point"].dropna().unique().tolist())
    chosen = manifest.get("baseline_point")
    if isinstance(manifest.get("baseline"), dict):
        chosen = manifest["baseline"].get("point", chosen)
    return chosen if chosen in points else points[0]


def arrow_batches(out: Path, name: str, point: Any = None, columns: Sequence[str] | None = None
                  ) -> Iterator[pa.Table]:
    """``name``'s rows (of sweep point ``point`` if given) as Arrow tables of at most READ_ROWS rows."""
    path = Path(out) / f"{name}.parquet"
    if not path.exists():
        return
    with pq.ParquetFile(path) as f:
        names = f.schema_arrow.names
        cols = None if columns is None else [c for c in dict.fromkeys([*columns, "point"]) if c in names]
        for batch in f.iter_batches(batch_size=READ_ROWS, columns=cols, use_threads=False):
            t = pa.Table.from_batches([batch])
            if point is not None and "point" in names:
                t = t.filter(pc.equal(t.column("point"), point))
            if t.num_rows:
                yield t
            del t, batch
            store.release_memory()   # else glibc keeps each batch's freed pages: +70 MB over 60 row groups


def read_small(out: Path, name: str, point: Any = None) -> pd.DataFrame:
    """The first replication's rows of a table the report explains (statements, trace), read in batches:
    a batch run with ``--statements all`` keeps them for every run, and the report needs only one."""
    firsts = [pc.min(t.column("replication")).as_py() for t in arrow_batches(out, name, point, ["replication"])
              if "replication" in t.column_names]
    first = min((r for r in firsts if r is not None), default=None)
    parts = [(t if first is None or "replication" not in t.column_names
              else t.filter(pc.equal(t.column("replication"), first))).to_pandas()
             for t in arrow_batches(out, name, point)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def read_monthly(out: Path, point: Any) -> pd.DataFrame:
    """Bands per (scheme, month) of the report's monthly series, in one pass."""
    moments: Moments | None = None
    wanted = ["scheme", "replication", "month", "headcount_recruiters", "headcount_ams",
              *[c for c, _t, _u in OVER_TIME], "quits"]
    for t in arrow_batches(out, "monthly", point, wanted):
        m = with_headcount(t.to_pandas())
        if moments is None:
            moments = Moments(["scheme", "month"], [c for c in [*[c for c, _t, _u in OVER_TIME], "quits"] if c in m])
        moments.add(m)
    bands = floor_count_bands(moments.bands()) if moments else pd.DataFrame(columns=["scheme", "month"])
    return bands.sort_values(["scheme", "month"], kind="stable").reset_index(drop=True)


class _Production:
    """Per run, the share of credited GP made by the top x of its producers, as bands over runs.

    A run's rows are contiguous in the stored table (sorted by run), so the rows of the last run
    of a batch are carried into the next one until the run is complete.
    """

    def __init__(self) -> None:
        self.moments = Moments(["scheme", "top"], ["share"])
        self.carry: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def add(self, scheme: np.ndarray, rep: np.ndarray, gp: np.ndarray, last: bool = False) -> None:
        if self.carry is not None:
            scheme, rep, gp = (np.concatenate([a, b]) for a, b in zip(self.carry, (scheme, rep, gp), strict=True))
            self.carry = None
        if scheme.size == 0:
            return
        starts = np.flatnonzero(np.r_[True, (scheme[1:] != scheme[:-1]) | (rep[1:] != rep[:-1])])
        ends = np.r_[starts[1:], scheme.size]
        if not last:
            self.carry = (scheme[starts[-1]:], rep[starts[-1]:], gp[starts[-1]:])
            starts, ends = starts[:-1], ends[:-1]
        names, shares = [], []
        for a, b in zip(starts, ends, strict=True):
            values = np.sort(gp[a:b])[::-1]
            if values.sum() > 0:
                names.append(scheme[a])
                shares.append(curve(values))
        if shares:
            self.moments.add(pd.DataFrame({"scheme": np.repeat(names, GRID.size), "top": np.tile(GRID, len(names)),
                                           "share": np.concatenate(shares)}))


PEOPLE_COLUMNS = ("scheme", "replication", "role", "months_employed", "pay_cents", "exit_reason", "credited_gp_cents")


def read_people(out: Path, point: Any, horizon: int) -> People:
    """The per-person table of ``point``, reduced batch by batch in Arrow and numpy (see :class:`People`)."""
    res = People(horizon)
    counts: dict[tuple[str, str], list[np.ndarray]] = {}
    pay: dict[tuple[str, str], list[np.ndarray]] = {}
    production = _Production()
    rep0 = []
    roles = pa.array(PRODUCER_ROLES)
    for t in arrow_batches(out, "people", point):
        first = t.filter(pc.equal(t.column("replication"), 0))
        if first.num_rows:
            rep0.append(first.to_pandas())
        t = t.select([c for c in PEOPLE_COLUMNS if c in t.column_names])
        t = t.filter(pc.and_(pc.is_in(t.column("role"), value_set=roles), pc.greater(t.column("months_employed"), 0)))
        if not t.num_rows:
            continue
        scheme = t.column("scheme").to_numpy(zero_copy_only=False)
        role = t.column("role").to_numpy(zero_copy_only=False)
        months = t.column("months_employed").to_numpy(zero_copy_only=False).astype(int)
        monthly_pay = t.column("pay_cents").to_numpy(zero_copy_only=False) / months / 100.0
        quit = pc.fill_null(pc.equal(t.column("exit_reason"), "quit"), False).to_numpy(zero_copy_only=False)
        production.add(scheme, t.column("replication").to_numpy(zero_copy_only=False),
                       t.column("credited_gp_cents").to_numpy(zero_copy_only=False).astype(float))
        clipped = months.clip(0, horizon)
        for key in dict.fromkeys(zip(scheme.tolist(), role.tolist(), strict=True)):
            rows = (scheme == key[0]) & (role == key[1])
            seen = counts.setdefault(key, [np.zeros(horizon + 1, int), np.zeros(horizon + 1, int)])
            seen[0] += np.bincount(clipped[rows], minlength=horizon + 1)
            seen[1] += np.bincount(clipped[rows & quit], minlength=horizon + 1)
            pay.setdefault(key, []).append(monthly_pay[rows])
    production.add(np.empty(0, object), np.empty(0, int), np.empty(0), last=True)
    res.tenure = {k: (v[0], v[1]) for k, v in counts.items()}
    res.pay = {k: np.concatenate(v) for k, v in pay.items()}
    res.production = production.moments.bands()
    res.rep0 = pd.concat(rep0, ignore_index=True) if rep0 else pd.DataFrame()
    return res


def _point_column(out: Path) -> pd.Series:
    """The ``point`` column of the runs table (empty if the results are not a sweep's)."""
    path = Path(out) / "runs.parquet"
    if not path.exists() or "point" not in pq.read_schema(path).names:
        return pd.Series(dtype=float)
    return store.read_parquet(path, ["point"]).column("point").to_pandas()



UNSHOWN = ("run_id", "seed")   # columns of the runs table no section reads (text: the largest in pandas)


def read_runs(out: Path, point: Any = None, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The runs table (of sweep point ``point`` if given; only ``columns`` if given, else all but
    :data:`UNSHOWN`), read in batches, typed as the whole table would be (see
    :func:`~sim.experiment.store.slice_to_pandas`)."""
    path = Path(out) / "runs.parquet"
    if not path.exists():
        return pd.DataFrame()
    names = pq.read_schema(path).names
    cols = [c for c in names if c not in UNSHOWN] if columns is None else [c for c in dict.fromkeys(columns)
                                                                            if c in names]
    if point is None:   # the whole table at once: batches and their concatenation would be held twice
        t = store.read_parquet(path, cols)
        nullable = store.nullable_ints(path)
        if not nullable & set(cols):
            # Each column's Arrow buffers are freed as it is converted: the table is never held twice.
            return t.to_pandas(split_blocks=True, self_destruct=True)
    else:
        parts = list(arrow_batches(out, "runs", point, cols))
        t = pa.concat_tables(parts).select(cols) if parts else pq.read_schema(path).empty_table().select(cols)
        del parts
    return store.slice_to_pandas(t, store.nullable_ints(path))


class PointRuns:
    """The runs of the point the report describes, read from ``runs.parquet`` a few columns at a time.

    Indexed like a DataFrame: ``runs[["scheme", "profit"]]`` reads those columns (of this point, typed as
    the whole table would be) and ``runs["scheme"]`` one column, so the report holds the columns a
    statistic needs while it is computed, never the whole table of a large batch (50,000 runs: ~20 MB in
    pandas). ``columns`` are the stored columns but :data:`UNSHOWN`.
    """

    def __init__(self, out: Path, point: Any = None):
        self.out, self.point = Path(out), point
        path = self.out / "runs.parquet"
        names = pq.read_schema(path).names if path.exists() else []
        self.columns = pd.Index([c for c in names if c not in UNSHOWN])
        first = names[0] if names else None
        self._n = len(read_runs(self.out, point, [first])) if first else 0

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, key: str | list[str]) -> pd.DataFrame | pd.Series:
        if isinstance(key, str):
            if key not in self.columns:
                raise KeyError(key)
            return read_runs(self.out, self.point, [key])[key]
        missing = [c for c in key if c not in self.columns]
        if missing:
            raise KeyError(missing)
        return read_runs(self.out, self.point, list(key))


def load(out: Path) -> Results:
    """Read the stored results of ``out`` (missing optional tables come back empty).

    The runs are never read whole: the columns each section asks for, of the point sections 1-4 and 6
    describe (:class:`PointRuns`), and for a sweep's section 5 only the columns it plots
    (:func:`~sim.report.sweep.sweep_columns`) of every point.
    """
    from sim.report.sweep import sweep_columns

    out = Path(out)
    manifest = store.read_manifest(out)
    schemes = [str(s) for s in manifest["schemes"]]
    base = manifest.get("baseline")
    baseline = base if isinstance(base, str) and base in schemes else schemes[0]
    points = _point_column(out)
    point, sweep_runs, note, sweep_keys = None, pd.DataFrame(), "", []
    if points.notna().any():
        point = baseline_point(points.to_frame(), manifest)
    del points
    runs = PointRuns(out, point)
    sweep_keys = [k for k in manifest.get("sweep_keys") or [] if k in runs.columns]
    if point is not None:
        sweep_runs = read_runs(out, columns=sweep_columns(sweep_keys))
        first = runs[sweep_keys].head(1) if sweep_keys and len(runs) else pd.DataFrame()
        values = ", ".join(f"{k} = {first[k].iloc[0]}" for k in sweep_keys) if len(first) else ""
        note = f"Sections 1-4 and 6 show sweep point {point}" + (f" ({values})." if values else ".")
    bands = read_monthly(out, point)
    store.release_memory()
    horizon = manifest.get("resolved_scenario", {}).get("horizon_months")
    horizon = int(horizon or (bands["month"].max() if len(bands) else 0))
    small = {name: read_small(out, name, point) for name in ("statements", "trace")}
    people = read_people(out, point, horizon)
    store.release_memory()
    res = Results(out, manifest, schemes, baseline, runs, bands, people,
                  sweep_runs=sweep_runs, sweep_keys=sweep_keys, sensitivity=store.read_table(out, "sensitivity"),
                  point_note=note, point=point, **small)
    present = set(res.runs["scheme"].unique()) if "scheme" in res.runs.columns else set()
    res.schemes = [s for s in schemes if s in present] or schemes
    return res
