"""Batches: every scheme for every replication, on a local process pool, then tables on disk.

The experiment layer only calls the model (:func:`sim.model.run`); it knows nothing of SimPy. The
scenario is shipped once per worker (pool initializer), tasks are (scheme, replication) pairs sent
in chunks, and results are sorted by (scheme order, replication) so the tables are identical
whatever the worker count or completion order. A run that raises is recorded with its error and
the rest go on.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment import store
from sim.experiment.stats import summarise
from sim.metrics import RUN_METRIC_NAMES
from sim.model import run as simulate
from sim.rng import replication_seed_record
from sim.scenario import Scenario, resolved_dict

Task = tuple[str, int]   # (scheme name, replication)


@dataclass
class BatchResult:
    out: Path
    runs: pd.DataFrame
    failures: list[dict[str, Any]] = field(default_factory=list)
    wall_seconds: float = 0.0


_WORKER_SCENARIO: Scenario | None = None


def _init_worker(scenario: Scenario) -> None:
    global _WORKER_SCENARIO
    _WORKER_SCENARIO = scenario


def run_task(scenario: Scenario, task: Task, detail_replications: int = 1) -> dict[str, Any]:
    """Run one (scheme, replication); never raises: a failure comes back as an ``error`` record."""
    scheme, rep = task
    try:
        return simulate(scenario, scheme, rep, detail=rep < detail_replications)
    except Exception as exc:  # noqa: BLE001 - a failing run is recorded, not fatal to the batch
        return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(),
                "run": {"scheme": scheme, "replication": rep}}


def _pool_task(task: Task) -> dict[str, Any]:
    assert _WORKER_SCENARIO is not None
    return run_task(_WORKER_SCENARIO, task)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def execute(scenario: Scenario, tasks: list[Task], workers: int | None = None,
            on_result: Callable[[], None] | None = None) -> Iterator[dict[str, Any]]:
    """Yield results of ``tasks`` (in completion order) from a serial loop or a process pool."""
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_task(scenario, task)
            if on_result:
                on_result()
        return
    chunk = max(1, min(16, len(tasks) // (workers * 4)))
    ctx = mp.get_context("spawn")   # chosen at call time: no fork of a threaded parent
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(scenario,)) as pool:
        for res in pool.map(_pool_task, tasks, chunksize=chunk):
            yield res
            if on_result:
                on_result()


def tasks_for(scenario: Scenario) -> list[Task]:
    return [(s.name, r) for r in range(scenario.replications) for s in scenario.schemes]


def _progress(total: int, quiet: bool) -> Any:
    from tqdm import tqdm
    return tqdm(total=total, unit="run", disable=quiet or not sys.stderr.isatty(), file=sys.stderr,
                dynamic_ncols=True, smoothing=0.1)


def collect(results: Iterable[dict[str, Any]], scheme_order: list[str]) -> dict[str, pd.DataFrame | list]:
    """Stack per-run outputs into long tables, sorted by (scheme order, replication)."""
    rank = {s: i for i, s in enumerate(scheme_order)}
    results = sorted(results, key=lambda r: (rank[r["run"]["scheme"]], r["run"]["replication"]))
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in store.TABLES}
    failures = []
    for res in results:
        key = {"scheme": res["run"]["scheme"], "replication": res["run"]["replication"]}
        if "error" in res:
            failures.append({**key, "error": res["error"], "traceback": res["traceback"]})
            continue
        tables["runs"].append(res["run"])
        for name in ("monthly", "people", "statements", "trace"):
            tables[name].extend({**key, **row} for row in res.get(name, ()))
    out: dict[str, pd.DataFrame | list] = {name: pd.DataFrame(rows) for name, rows in tables.items()}
    out["failures"] = failures
    return out


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("teamsim", "simpy", "numpy", "scipy", "pandas", "pyarrow", "plotly", "pydantic"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def run_batch(scenario: Scenario, out: Path, workers: int | None = None, quiet: bool = False) -> BatchResult:
    """Run every scheme x replication; write the tables, summary and manifest to ``out``."""
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    resolved = resolved_dict(scenario)
    store.write_resolved(out, resolved)
    tasks = tasks_for(scenario)
    bar = _progress(len(tasks), quiet)
    try:
        results = list(execute(scenario, tasks, workers, on_result=lambda: bar.update(1)))
    finally:
        bar.close()
    names = [s.name for s in scenario.schemes]
    tables = collect(results, names)
    runs = tables["runs"]
    if not runs.empty:
        front = ["scheme", "replication", "seed"]
        runs = runs[front + [c for c in runs.columns if c not in front]]
    for name in store.TABLES:
        df = runs if name == "runs" else tables[name]
        if name == "runs" or not df.empty:
            store.write_table(out, name, df)
    if not runs.empty:
        summary = summarise(runs, RUN_METRIC_NAMES, baseline=names[0])
        summary.to_csv(out / "summary.csv", index=False)
    wall = time.perf_counter() - started
    store.write_manifest(out, {
        "scenario": scenario.name,
        "scenario_hash": store.scenario_hash(resolved),
        "resolved_scenario": resolved,
        "seed": scenario.seed,
        "replication_seeds": {r: replication_seed_record(scenario.seed, r) for r in range(scenario.replications)},
        "schemes": names,
        "baseline": names[0],
        "replications": scenario.replications,
        "runs": len(tasks),
        "failures": [{k: f[k] for k in ("scheme", "replication", "error")} for f in tables["failures"]],
        "workers": workers if workers is not None else default_workers(),
        "versions": versions(),
        "wall_seconds": round(wall, 3),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    })
    return BatchResult(out, runs, tables["failures"], wall)
