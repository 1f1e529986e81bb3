"""The final tables of a batch, assembled from the parts on disk, one table at a time.

Rows are sorted by (sweep point, scheme order, replication), keeping each run's rows in the order
the model produced them, so the tables are identical whatever the executor, the worker count or
the order in which runs finished. Sweeps get a ``point`` column and one column per swept key, named
by its dotted key (a value that is a list or mapping is stored as JSON text); a batch without a
sweep keeps the plain layout (no ``point``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment import store
from sim.experiment.plan import Plan

FRONT = ("scheme", "replication", "seed")


def _cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def point_table(plan: Plan) -> pd.DataFrame:
    """One row per point: its id and the value of each swept key."""
    rows = [{"point": i, **{k: _cell(p.get(k)) for k in plan.keys}} for i, p in enumerate(plan.points)]
    return pd.DataFrame(rows, columns=["point", *plan.keys])


def _arrange(df: pd.DataFrame, plan: Plan, reps: Mapping[int, int], schemes: Sequence[str], keep_id: bool,
             points: pd.DataFrame) -> pd.DataFrame:
    df = df[df["replication"] < df["point"].map(reps)]
    rank = {s: i for i, s in enumerate(schemes)}
    df = df.assign(_rank=df["scheme"].map(rank))
    df = df.sort_values(["point", "_rank", "replication"], kind="stable").drop(columns="_rank")
    df = df.reset_index(drop=True)
    if plan.keys:
        df = df.merge(points, on="point", how="left", sort=False)
        front = ["point", *plan.keys]
    else:
        df = df.drop(columns="point")
        front = []
    front += [c for c in FRONT if c in df.columns]
    back = ["run_id"] if keep_id else []
    if not keep_id:
        df = df.drop(columns="run_id")
    return df[front + [c for c in df.columns if c not in front and c not in back] + back]


def assemble(out: Path, plan: Plan, reps: Mapping[int, int], schemes: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Write ``runs.parquet`` ... ``trace.parquet`` (and ``failures.parquet`` if any run failed).

    Returns the runs table and the failures still outstanding (a run that failed and then
    succeeded on ``--resume`` is no longer a failure).
    """
    out = Path(out)
    points = point_table(plan)
    runs = pd.DataFrame()
    for name in store.TABLES:
        table = store.concat(store.iter_parts(out, name))
        if table is None:
            if name == "runs":
                store.write_table(out, name, pd.DataFrame(columns=["scheme", "replication", "seed"]))
            else:
                (out / f"{name}.parquet").unlink(missing_ok=True)
            continue
        df = _arrange(table.to_pandas(), plan, reps, schemes, keep_id=(name == "runs"), points=points)
        del table
        store.write_table(out, name, df)
        if name == "runs":
            runs = df
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
