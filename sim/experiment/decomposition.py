"""``teamsim run --decompose``: every scheme's difference from the baseline split into behaviour and selection.

The split itself is the model's (:func:`sim.model.decompose.decompose`: each scheme run again with the
baseline's workforce frozen); this module runs it for every replication and scheme on the batch's
executor (:mod:`sim.experiment.executors`: ``--workers``, ``--scheduler``, ``--dask-local``; results
identical whatever runs them, since each task is a pure function of its inputs), and writes
``decomposition.csv`` (one row per scheme and metric: the total, behaviour and selection parts with
95% confidence intervals and selection's share) and the same parts as columns of ``summary.csv``.
A scenario with a sweep is decomposed at its base values (the file as written, no sweep point applied).
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.executors import ExecutorSpec, WorkerLost, make_payload, open_executor, stream
from sim.experiment.plan import Task
from sim.metrics import RUN_METRIC_NAMES
from sim.model.decompose import PARTS, decompose, summarise
from sim.scenario import Scenario, resolved_dict

#: Columns added to summary.csv for each (scheme, metric) row.
SUMMARY_COLUMNS = tuple(f"{part}_{stat}" for part in PARTS[1:] for stat in ("mean", "ci_low", "ci_high"))


class DecompositionFailed(Exception):
    """Decomposition runs failed or their workers died: nothing is written (the batch's results are kept)."""


def decompose_run(scenario: Scenario, scheme: str, replication: int, detail: bool = False, *,
                  baseline: str) -> dict[str, Any]:
    """One task in a worker: ``scheme``'s parts against ``baseline`` in one replication (timed, so the
    executor sizes its chunks)."""
    started = time.perf_counter()
    parts = decompose(scenario, baseline, scheme, replication, RUN_METRIC_NAMES)
    return {"parts": parts, "run": {"wall_seconds": time.perf_counter() - started}}


def run_decomposition(scenario: Scenario, baseline: str | None, out: Path, executor: ExecutorSpec | None = None
                      ) -> pd.DataFrame:
    """Decompose every scheme against ``baseline`` (default: the first) over the scenario's replications,
    on ``executor`` (default: this process); write decomposition.csv and the parts into summary.csv (if
    present) in ``out``; return the table. Raises :class:`DecompositionFailed` (one line)."""
    names = [s.name for s in scenario.schemes]
    baseline = baseline or names[0]
    base = {**resolved_dict(scenario), "sweep": None, "uncertain": None}
    tasks = [Task(f"{s}/{r}", (0,), s, r, False) for s in names if s != baseline for r in range(scenario.replications)]
    order = {t.run_id: i for i, t in enumerate(tasks)}
    payload = make_payload(base, [{}], partial(decompose_run, baseline=baseline))
    try:
        with open_executor(executor or ExecutorSpec("serial"), payload) as ex:
            done = sorted(stream(ex, tasks), key=lambda r: order[r["task"].run_id])
    except WorkerLost as exc:
        raise DecompositionFailed(f"decomposition stopped: {exc}") from None
    failed = [r for r in done if "error" in r]
    if failed:
        t = failed[0]["task"]
        raise DecompositionFailed(f"decomposition: {len(failed)} run(s) failed, the first scheme {t.scheme!r} "
                                  f"replication {t.replication}: {failed[0]['error']}")
    table = pd.DataFrame(summarise((r["task"].scheme, r["parts"]) for r in done))
    if table.empty:
        table = pd.DataFrame(columns=["scheme", "metric", "replications"])
    table.insert(1, "baseline", baseline)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "decomposition.csv", index=False)
    summary = out / "summary.csv"
    if summary.exists():
        _merge_into_summary(summary, table)
    return table


def _merge_into_summary(path: Path, table: pd.DataFrame) -> None:
    s = pd.read_csv(path)
    s = s.drop(columns=[c for c in SUMMARY_COLUMNS if c in s.columns])
    parts = table[["scheme", "metric", *SUMMARY_COLUMNS]]
    if "point" in s.columns:   # a sweep: the parts belong to the base scenario, shown beside point 0
        parts = parts.assign(point=int(s["point"].min()))
        merged = s.merge(parts, on=["point", "scheme", "metric"], how="left")
    else:
        merged = s.merge(parts, on=["scheme", "metric"], how="left")
    merged.to_csv(path, index=False)

