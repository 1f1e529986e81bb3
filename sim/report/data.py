"""Stored results as the report reads them: tables from disk, never a simulation.

:func:`load` reads what ``teamsim run`` (or a sweep) wrote into a folder and keeps only what the
report needs. When the results come from a sweep, every section but the sweep section describes one
point (the baseline point, see :func:`baseline_point`) and the sweep section shows the whole sweep.
"""

from __future__ import annotations

import math
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


@dataclass
class Results:
    """Everything the report shows, read from one results folder."""

    out: Path
    manifest: dict[str, Any]
    schemes: list[str]
    baseline: str
    runs: pd.DataFrame
    monthly: pd.DataFrame
    people: pd.DataFrame
    statements: pd.DataFrame
    trace: pd.DataFrame
    sweep_runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    sweep_keys: list[str] = field(default_factory=list)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    point_note: str = ""


def baseline_point(runs: pd.DataFrame, manifest: dict[str, Any]) -> Any:
    """The sweep point the per-point sections describe: the manifest's ``baseline_point`` or the first."""
    points = sorted(runs["point"].dropna().unique().tolist())
    chosen = manifest.get("baseline_point")
    if isinstance(manifest.get("baseline"), dict):
        chosen = manifest["baseline"].get("point", chosen)
    return chosen if chosen in points else points[0]


def _at_point(df: pd.DataFrame, point: Any) -> pd.DataFrame:
    return df[df["point"] == point].reset_index(drop=True) if "point" in df.columns else df


def load(out: Path) -> Results:
    """Read the stored tables of ``out`` (missing optional tables come back empty)."""
    out = Path(out)
    manifest = store.read_manifest(out)
    schemes = [str(s) for s in manifest["schemes"]]
    base = manifest.get("baseline")
    baseline = base if isinstance(base, str) and base in schemes else schemes[0]
    runs = store.read_table(out, "runs")
    tables = {name: store.read_table(out, name) for name in ("monthly", "people")}
    tables.update({name: first_replication(out, name) for name in ("statements", "trace")})
    sweep_keys = [k for k in manifest.get("sweep_keys") or [] if k in runs.columns]
    res = Results(out, manifest, schemes, baseline, runs, sweep_keys=sweep_keys,
                  sensitivity=store.read_table(out, "sensitivity"), **tables)
    if "point" in runs.columns and runs["point"].notna().any():
        point = baseline_point(runs, manifest)
        res.sweep_runs = runs
        res.runs = _at_point(runs, point)
        for name in tables:
            setattr(res, name, _at_point(getattr(res, name), point))
        values = ", ".join(f"{k} = {res.runs[k].iloc[0]}" for k in sweep_keys if k in res.runs) if len(res.runs) else ""
        res.point_note = (f"The headline, over-time, people, money and explain sections show sweep point {point}"
                          + (f" ({values})." if values else "."))
    present = set(res.runs["scheme"]) if "scheme" in res.runs else set()
    res.schemes = [s for s in schemes if s in present] or schemes
    return res


def first_replication(out: Path, name: str, batch_rows: int = 65_536) -> pd.DataFrame:
    """The rows of the smallest replication in a stored table, read in batches: with ``--statements all``
    every run keeps statements, and the report explains only the first replication's."""
    path = Path(out) / f"{name}.parquet"
    if not path.exists():
        return pd.DataFrame()
    with pq.ParquetFile(path) as f:
        if "replication" not in f.schema_arrow.names:
            return f.read().to_pandas()
        reps = [pc.min(b.column(0)).as_py() for b in f.iter_batches(batch_size=batch_rows, columns=["replication"])]
        first = min((r for r in reps if r is not None), default=None)
        kept = [b.filter(pc.equal(b.column("replication"), first)) for b in f.iter_batches(batch_size=batch_rows)]
        table = pa.Table.from_batches(kept, schema=f.schema_arrow) if kept else f.schema_arrow.empty_table()
    return table.to_pandas()


def producers(people: pd.DataFrame) -> pd.DataFrame:
    """Recruiters and account managers who worked at least one month, with mean monthly pay in dollars."""
    if people.empty:
        return people
    p = people[people["role"].isin(PRODUCER_ROLES) & (people["months_employed"] > 0)].copy()
    p["monthly_pay"] = p["pay_cents"] / p["months_employed"] / 100.0
    return p


def gp_per_producer_month(runs: pd.DataFrame, monthly: pd.DataFrame) -> pd.Series:
    """Each run's gross profit per producer-month in dollars, indexed like ``runs``.

    Producer-months are the run's month-end headcounts of recruiters and account managers summed
    over the horizon; the report uses this rate to value months of lost output.
    """
    keys = ["scheme", "replication"]
    seats = (monthly["headcount_recruiters"] + monthly["headcount_ams"]).groupby(
        [monthly[k] for k in keys]).sum()
    months = runs.set_index(keys).index.map(seats.to_dict()).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = runs["gross_profit"].to_numpy(dtype=float) / months
    return pd.Series(np.where(months > 0, rate, math.nan), index=runs.index)
