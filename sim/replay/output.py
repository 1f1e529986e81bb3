"""The static replay on disk, laid out as a stored batch so ``teamsim export`` and readers of runs take it.

``DIR/static/`` holds ``runs.parquet`` (one row per plan, replication 0), ``monthly.parquet``,
``statements.parquet`` (every pay line, each commission and clawback naming its placements.csv row),
``placements.parquet`` (the history's deals, once per plan, in the simulation's columns),
``staff.parquet`` (the ledger id of each ATS person, role, pod), ``summary.csv``,
``scenario.resolved.yaml`` and ``manifest.json`` (the scenario, the input files and their hashes,
the replay's rules, the command line).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment import store
from sim.experiment.batch import versions
from sim.export.cells import write_csv
from sim.replay.history import History


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def write_static(out: Path, history: History, paid: Mapping[str, dict[str, Any]], resolved: dict[str, Any],
                 inputs: Mapping[str, Path], audit: Mapping[str, Any], current: str,
                 rules: Sequence[str]) -> pd.DataFrame:
    """Write the replay of every plan (``paid``: scheme -> :func:`~sim.replay.static.replay_plan`) to ``out``;
    returns the runs table."""
    from sim.experiment.stats import summarise
    from sim.metrics import SUMMARY_METRIC_NAMES

    out.mkdir(parents=True, exist_ok=True)
    names = list(paid)
    runs = pd.DataFrame([paid[s]["run"] for s in names])
    store.write_table(out, "runs", runs)
    store.write_table(out, "monthly", pd.DataFrame([row for s in names for row in paid[s]["monthly"]]))
    statements = pd.DataFrame([row for s in names for row in paid[s]["statements"]])
    statements["placement_id"] = statements["placement_id"].astype("Int64")
    store.write_table(out, "statements", statements)
    deals = pd.DataFrame(history.placements)
    store.write_table(out, "placements", pd.concat([deals.assign(scheme=s, replication=0) for s in names],
                                                   ignore_index=True))
    store.write_table(out, "staff", pd.DataFrame([
        {"person_id": s.person_id, "ats_id": s.ats_id, "role": s.role, "pod": s.pod, "pod_label": s.pod_label,
         "hire_date": s.hire_date.isoformat(), "exit_date": s.exit_date.isoformat() if s.exit_date else None}
        for s in history.staff.values()]))
    write_csv(summarise(runs, SUMMARY_METRIC_NAMES, baseline=current), out / "summary.csv")
    store.write_resolved(out, resolved)
    store.write_manifest(out, {
        "kind": "replay", "scenario": resolved["name"], "scenario_hash": store.scenario_hash(resolved),
        "resolved_scenario": resolved, "schemes": names, "baseline": current, "replications": 1,
        "runs": len(runs), "statements": "all", "sweep_keys": [],
        "inputs": {k: {"path": str(p), "sha256_16": file_hash(p)} for k, p in inputs.items()},
        "window": [history.months[0].isoformat(), history.months[-1].isoformat()],
        "months": len(history.months), "contract_months": history.contract_months, "rules": list(rules),
        "notes": history.notes, "versions": versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **audit})
    return runs
