"""A Dask batch whose team_pool replication 1 kills its worker every time it is tried, run in a process
of its own (``python -m experiment.dask_kill_batch SCENARIO OUT`` in tests/): a lost worker of a
LocalCluster must never take the test process with it. Prints the batch's outcome as JSON."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

from sim.commands.run import report_failures
from sim.experiment import executors
from sim.experiment.batch import BatchRequest, run_batch
from sim.experiment.executors import ExecutorSpec
from sim.scenario import load_scenario

from .faulty import kills_its_worker_on_team_pool_replication_1


def main(scenario: str, out: str) -> None:
    executors.DASK_ALLOWED_FAILURES = 1   # the chunk's worker is killed twice
    # Dask now and then leaves the killed chunk pending for ever instead of failing it: given up after 30 s
    executors.DASK_STALL_SECONDS = 30.0
    sc = load_scenario(Path(scenario))
    result = run_batch(BatchRequest(sc, Path(out), ExecutorSpec("dask", 2),
                                    simulate=kills_its_worker_on_team_pool_replication_1))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = report_failures(result, "teamsim run x")
    runs = result.runs
    print(json.dumps({"interrupted": result.interrupted, "runs": len(runs), "code": code, "stderr": err.getvalue(),
                      "team_pool_1": int(((runs["scheme"] == "team_pool") & (runs["replication"] == 1)).sum())}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
