"""Finance figures that need more than one run: turnover cost on one basis, and the annual P&L.

Turnover cost is valued at one *steady GP per filled producer seat-month* for every scheme (a scheme's
own GP per head would make the scheme that loses the most output look cheapest): the scenario's
``finance.steady_gp_per_seat_month`` if set, else the baseline scheme's gross profit per filled producer
seat-month at the same sweep point (ratio of sums over its replications). Its three parts are all
already inside profit: hiring cost is deducted from it, and the GP that empty seats and ramp-up did not
make never entered it (nor did the base the empty seats did not draw). They say where profit went; they
are never to be subtracted from profit again. Pure functions over stored tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.experiment.store import release_memory

KNOB = "finance.steady_gp_per_seat_month"
PNL = ("revenue", "gross_profit", "commission_paid", "base_pay", "hiring_cost", "payroll_burden", "overhead",
       "operating_profit")
"""Lines of the annual P&L, in order (monthly metrics, summed by year)."""
TURNOVER_INPUTS = ("gross_profit", "producer_months", "vacant_seat_months", "base_saved_vacancy",
                   "ramp_shortfall_months", "hiring_cost", KNOB)
"""The run metrics :func:`with_turnover_costs` reads (the swept basis, if swept, included)."""


def steady_basis(runs: pd.DataFrame, baseline: str, by: Sequence[str] = (),
                 steady: float | None = None) -> pd.Series:
    """The steady GP per filled producer seat-month for each run (indexed like ``runs``)."""
    by = [k for k in by if k in runs.columns]
    if KNOB in runs.columns:   # swept: each point's own value
        return runs[KNOB].astype(float)
    if steady is not None:
        return pd.Series(float(steady), index=runs.index)
    base = runs[runs["scheme"] == baseline]
    if by:
        g = base.groupby(by, dropna=False)[["gross_profit", "producer_months"]].sum()
        rate = (g["gross_profit"] / g["producer_months"].where(g["producer_months"] > 0)).rename("_rate")
        return runs[by].merge(rate.reset_index(), on=by, how="left")["_rate"].set_axis(runs.index)
    months = base["producer_months"].sum()
    return pd.Series(base["gross_profit"].sum() / months if months > 0 else np.nan, index=runs.index)


def with_turnover_costs(runs: pd.DataFrame, baseline: str, by: Sequence[str] = (),
                        steady: float | None = None) -> pd.DataFrame:
    """``runs`` with the derived metrics of :data:`sim.metrics.DERIVED_METRICS` added (dollars)."""
    if "producer_months" not in runs.columns:   # results stored before the finance metrics existed
        return runs
    out = runs.copy()
    basis = steady_basis(runs, baseline, by, steady)
    out["steady_gp_per_seat_month"] = basis
    out["vacancy_cost"] = runs["vacant_seat_months"] * basis - runs["base_saved_vacancy"]
    out["ramp_cost"] = runs["ramp_shortfall_months"] * basis
    out["turnover_cost"] = out["hiring_cost"] + out["vacancy_cost"] + out["ramp_cost"]
    return out


def stored_annual_pnl(out: Path, point: Any = None, batch_rows: int = 65_536) -> pd.DataFrame:
    """:func:`annual_pnl` of a stored ``monthly.parquet`` (of sweep ``point`` if given), read in batches of rows
    and summed as they stream past, so only one row per run and year is ever held."""
    path = Path(out) / "monthly.parquet"
    if not path.exists():
        return pd.DataFrame()
    parts = []
    with pq.ParquetFile(path) as f:
        names = f.schema_arrow.names
        keys = [k for k in ("point", "scheme", "replication") if k in names]
        cols = [*keys, "month", *[c for c in PNL if c in names]]
        for batch in f.iter_batches(batch_size=batch_rows, columns=cols, use_threads=False):
            if point is not None and "point" in names:
                batch = batch.filter(pc.equal(batch.column("point"), point))
            frame = batch.to_pandas()
            if len(frame):
                parts.append(annual_pnl(frame, keys))
            del frame, batch
            release_memory()   # else glibc keeps each batch's freed pages (measured: +67 MB over 62 row groups)
    if not parts:
        return pd.DataFrame()
    keys = [k for k in ("point", "scheme", "replication", "year") if k in parts[0].columns]
    # A run's year can straddle two batches: its partial sums are added (months counted likewise).
    return pd.concat(parts).groupby(keys, sort=False).sum().reset_index()


def annual_pnl(monthly: pd.DataFrame, keys: Sequence[str] = ("scheme", "replication")) -> pd.DataFrame:
    """Per run and year of the horizon (months 1-12 are year 1): each P&L line summed, in dollars.
    A last, partial year is labelled with its months."""
    lines = [c for c in PNL if c in monthly.columns]
    m = monthly.assign(year=(monthly["month"] - 1) // 12 + 1)
    out = m.groupby([*keys, "year"], sort=False)[[*lines, "month"]].agg(
        {**{c: "sum" for c in lines}, "month": "count"}).rename(columns={"month": "months"})
    return out.reset_index()
