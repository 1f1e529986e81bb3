"""The analysis step of ``teamsim robust``: stored runs in, robust tables, drivers and boxes out.

Reads the batch's ``runs.parquet`` (one row per world x scheme x replication) and writes:

* ``robust.parquet``: those rows with the drawn values of the uncertain keys as columns;
* ``robust_worlds.parquet``: per (world, scheme), each metric's mean and paired difference to the
  baseline with its interval (:func:`sim.experiment.robust.world_means`);
* ``robust.csv``: one row per (scheme, metric) (:func:`sim.experiment.robust.robust_table`);
* ``robust.json``: the decision, the drivers of each scheme's difference (SALib delta), the PRIM
  boxes where it loses, the count of worlds whose paired interval settles the comparison, the
  headline sentences and any warnings. The report reads these files and nothing else.

:func:`analyse_in_fresh_process` runs it in a new process: PRIM's library costs some 250 MB of
memory, which would otherwise stay in the driver of the batch for good.
"""

from __future__ import annotations

import json
import multiprocessing as mp
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.decision import Decision, make_decision
from sim.experiment import discovery, store
from sim.experiment.robust import DECISION, clear_counts, robust_table, wins, world_means
from sim.experiment.sensitivity import drivers, too_small
from sim.metrics import RUN_METRIC_NAMES

DRIVER_RESAMPLES = 100   # bootstrap resamples of the drivers' intervals


def _pct(x: float) -> str:
    return f"{100 * x:.0f}"


def headline(row: Mapping[str, Any], what: str, scheme: str, baseline: str, clear: Mapping[str, int],
             box: Mapping[str, Any]) -> str:
    """"hybrid beats individual on profit in 73% [65, 80] of plausible worlds; it loses when ..." with the
    worlds the simulation noise leaves open."""
    n = sum(clear.values())
    where = box["sentence"].split(" when ", 1)
    loses = f"; it loses when {where[1]}" if len(where) == 2 else f"; {box['sentence']}"
    return (f"{scheme} beats {baseline} on {what} in {_pct(row['win_share'])}% [{_pct(row['win_share_low'])}, "
            f"{_pct(row['win_share_high'])}] of {n} plausible worlds{loses}. In {clear['clear_win']} worlds it "
            f"wins and in {clear['clear_loss']} it loses beyond the replications' 95% interval; "
            f"{clear['unclear']} are too close to call.")


def analyse(out: Path, uncertain: Mapping[str, Sequence[float]], schemes: Sequence[str], baseline: str,
            decision: Mapping[str, Any], metrics: Sequence[str], seed: int, jobs: int = 1) -> dict[str, Any]:
    """Write the robust tables of the batch in ``out``; returns what ``robust.json`` holds. ``jobs``: processes
    the schemes' drivers are computed in (the same numbers at any count)."""
    from threadpoolctl import threadpool_limits

    # SALib's delta solves many tiny linear systems (kernel densities); a multi-threaded BLAS spends far
    # longer handing them out than solving them (measured: 18.7 s against 0.84 s on one thread).
    with threadpool_limits(limits=1):
        return _analyse(out, uncertain, schemes, baseline, decision, metrics, seed, jobs)


_LIMITS: Any = None


def _one_blas_thread() -> None:
    """Initialiser of a drivers process: one BLAS thread for good (see :func:`analyse`)."""
    global _LIMITS
    from threadpoolctl import threadpool_limits
    _LIMITS = threadpool_limits(limits=1)


def _drivers_of(uncertain: Mapping[str, Sequence[float]], inputs: Sequence[tuple[np.ndarray, np.ndarray]],
                seed: int, jobs: int, meanwhile: Callable[[], Any]) -> tuple[list[pd.DataFrame], Any]:
    """Each scheme's drivers (SALib delta over its worlds) and what ``meanwhile()`` returns, computed while
    ``jobs`` spawned processes work out the drivers when there are several schemes: delta is most of the
    analysis (seconds a scheme at 64 worlds x 25 keys), and each call seeds its own generator, so the
    tables do not depend on where they were computed."""
    if jobs <= 1 or len(inputs) <= 1:
        return [drivers(uncertain, X, y, seed, DRIVER_RESAMPLES) for X, y in inputs], meanwhile()
    with ProcessPoolExecutor(min(jobs, len(inputs)), mp_context=mp.get_context("spawn"),
                             initializer=_one_blas_thread) as ex:
        futures = [ex.submit(drivers, dict(uncertain), X, y, seed, DRIVER_RESAMPLES) for X, y in inputs]
        other = meanwhile()
        return [f.result() for f in futures], other


def _analyse(out: Path, uncertain: Mapping[str, Sequence[float]], schemes: Sequence[str], baseline: str,
             decision: Mapping[str, Any], metrics: Sequence[str], seed: int, jobs: int = 1) -> dict[str, Any]:
    out = Path(out)
    dec: Decision = make_decision(decision["objective"], decision.get("constraints", ()))
    keys = list(uncertain)
    runs = store.read_table(out, "runs")
    present = [m for m in RUN_METRIC_NAMES if m in runs.columns]
    store.write_table(out, "robust", runs[["point", *keys, "scheme", "replication", "seed", *present]])
    metrics = list(dict.fromkeys([*dec.metrics, *(m for m in metrics if m in runs.columns)]))
    means = world_means(runs, metrics, baseline)
    drawn = runs.drop_duplicates("point").set_index("point")[keys]
    means = means.join(drawn, on="point")
    store.write_table(out, "robust_worlds", means)
    table = robust_table(means, schemes, baseline, metrics, dec)
    csv = out / "robust.csv"
    tmp = csv.with_name(".robust.csv.tmp")
    table.to_csv(tmp, index=False)
    tmp.replace(csv)

    what = dec.objective + (f" (meeting {' and '.join(c.text for c in dec.constraints)})" if dec.constraints else "")
    decision_metric = DECISION if dec.constraints else dec.objective
    won = wins(means, dec.objective, baseline, dec)
    n_worlds = int(means["point"].nunique())
    others = [s for s in schemes if s != baseline]
    inputs = []
    for scheme in others:
        mine = means[means["scheme"] == scheme].sort_values("point")
        inputs.append((mine[keys].to_numpy(float), mine[f"{dec.objective}_diff"].to_numpy(float)))
    found, boxes = _drivers_of(uncertain, inputs, seed, jobs,
                               lambda: discovery.boxes_for(means, keys, won, schemes, baseline, what))
    driver_rows, warnings, sentences, clear = [], [], [], {}
    for scheme, box, d in zip(others, boxes, found, strict=True):
        d.insert(0, "metric", f"{dec.objective}_diff")
        d.insert(0, "scheme", scheme)
        driver_rows.append(d)
        warnings += too_small(d, n_worlds, f"drivers of {scheme} - {baseline} {dec.objective}")
        clear[scheme] = clear_counts(means, dec.objective, scheme)
        row = table[(table["scheme"] == scheme) & (table["metric"] == decision_metric)].iloc[0]
        sentences.append(headline(row, what, scheme, baseline, clear[scheme], box))
    drv = pd.concat(driver_rows, ignore_index=True) if driver_rows else pd.DataFrame()
    info = {"decision": dec.as_dict(), "decision_metric": decision_metric, "baseline": baseline,
            "schemes": list(schemes), "worlds": n_worlds, "uncertain": {k: list(v) for k, v in uncertain.items()},
            "replications": int(means["replications"].min()) if len(means) else 0,
            "boxes": boxes, "drivers": json.loads(drv.to_json(orient="records")) if len(drv) else [],
            "clear": clear, "headline": sentences, "warnings": warnings,
            "win_interval": "Clopper-Pearson exact binomial, 95%, over the sampled worlds"}
    store.atomic_write_bytes(out / "robust.json", json.dumps(info, indent=2, default=_plain).encode())
    return info


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def analyse_in_fresh_process(*args: Any) -> dict[str, Any]:
    """:func:`analyse` in a new (spawned) process, so its libraries never weigh on this one."""
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        return ex.submit(analyse, *args).result()
