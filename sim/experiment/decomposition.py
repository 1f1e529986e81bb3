"""``teamsim run --decompose``: every scheme's difference from the baseline split into behaviour and selection.

The split itself is the model's (:func:`sim.model.decompose.decompose`: each scheme run again with the
baseline's workforce frozen); this module runs it for every replication and scheme, in worker processes
(results identical whatever their number: each task is a pure function of its inputs), and writes
``decomposition.csv`` (one row per scheme and metric: the total, behaviour and selection parts with
95% confidence intervals and selection's share) and the same parts as columns of ``summary.csv``.
A scenario with a sweep is decomposed at its base values (the file as written, no sweep point applied).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from sim.metrics import RUN_METRIC_NAMES
from sim.model.decompose import PARTS, decompose, summarise
from sim.scenario import Scenario

#: Columns added to summary.csv for each (scheme, metric) row.
SUMMARY_COLUMNS = tuple(f"{part}_{stat}" for part in PARTS[1:] for stat in ("mean", "ci_low", "ci_high"))


def _one(task: tuple[Scenario, str, str, int]) -> tuple[str, dict[str, dict[str, float]]]:
    scenario, baseline, scheme, replication = task
    return scheme, decompose(scenario, baseline, scheme, replication, RUN_METRIC_NAMES)


def run_decomposition(scenario: Scenario, baseline: str | None, out: Path, workers: int | None = None
                      ) -> pd.DataFrame:
    """Decompose every scheme against ``baseline`` (default: the first) over the scenario's replications;
    write decomposition.csv and the parts into summary.csv (if present) in ``out``; return the table."""
    names = [s.name for s in scenario.schemes]
    baseline = baseline or names[0]
    base = scenario.model_copy(update={"sweep": None})
    tasks = [(base, baseline, s, r) for s in names if s != baseline for r in range(scenario.replications)]
    if workers == 1 or len(tasks) < 4:
        results = [_one(t) for t in tasks]
    else:
        with ProcessPoolExecutor(workers) as ex:
            results = list(ex.map(_one, tasks, chunksize=max(1, len(tasks) // (4 * (workers or 2)))))
    table = pd.DataFrame(summarise(results))
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

