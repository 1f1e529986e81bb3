"""How much finished work a ``kill -9`` of a batch's driver loses (the ``kill`` section of bench_experiments).

A batch of the reference scenario runs on a 2-worker pool with a simulation function that logs every
run its worker finishes (one appended line each: scheme, replication, seconds). The driver is killed
with SIGKILL at a random moment; the runs finished in a worker but not in a committed part are what
the kill lost (a run still in progress when its worker died is lost too: at most one per worker).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "individual_vs_team.yaml"
LOG = "TEAMSIM_KILL_LOG"


def logged_run(scenario: Any, scheme: str, replication: int, detail: bool = False) -> dict[str, Any]:
    """:func:`sim.model.run`, then one line in the file named by $TEAMSIM_KILL_LOG."""
    from sim.model import run

    res = run(scenario, scheme, replication, detail=detail)
    with open(os.environ[LOG], "a") as f:
        f.write(f"{scheme} {replication} {res['run']['wall_seconds']}\n")
    return res


DRIVER = """
import sys
from pathlib import Path
from benchmarks.kill_loss import logged_run
from sim.experiment.batch import BatchRequest, run_batch
from sim.experiment.executors import ExecutorSpec
from sim.scenario import load_scenario
sc = load_scenario(sys.argv[1], ["replications=200"])
run_batch(BatchRequest(sc, Path(sys.argv[2]), ExecutorSpec("pool", 2), simulate=logged_run))
"""


def one_kill(tmp: Path, delay: float) -> dict[str, float]:
    from sim.experiment import store

    out, log = tmp / "out", tmp / "finished.log"
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(REFERENCE), str(out)], cwd=ROOT,
                            env={**os.environ, LOG: str(log)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while store.count_runs(out) < 100:   # past the workers' first runs (they load the compiled model)
        time.sleep(0.01)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(1.0)   # the workers finish the run in hand or die with the driver
    finished = {}
    for line in log.read_text().splitlines():
        scheme, rep, seconds = line.split()
        finished[(scheme, int(rep))] = float(seconds)
    stored = {(s, r) for t in store.iter_parts(out, "runs", ["scheme", "replication"])
              for s, r in zip(t.column("scheme").to_pylist(), t.column("replication").to_pylist(), strict=True)}
    lost = [s for k, s in finished.items() if k not in stored]
    per_run = sum(finished.values()) / max(1, len(finished))
    return {"delay_s": delay, "finished": len(finished), "stored": len(stored), "lost_runs": len(lost),
            "lost_work_s": sum(lost), "seconds_per_run": per_run}


def measure(kills: int = 6, seed: int = 1) -> list[dict[str, float]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(kills):
        with tempfile.TemporaryDirectory() as tmp:
            row = one_kill(Path(tmp), rng.uniform(0.5, 6.0))
        rows.append(row)
        print(f"kill: after {row['delay_s']:.1f} s: {row['finished']} runs finished in workers, {row['stored']} "
              f"stored, {row['lost_runs']} lost = {row['lost_work_s']:.2f} s of work on 2 workers "
              f"({row['seconds_per_run'] * 1000:.0f} ms a run)", flush=True)
    worst = max(r["lost_work_s"] for r in rows)
    print(f"kill: at most {worst:.2f} s of finished work lost in {kills} kills ({worst / 2:.2f} s per worker)")
    return rows


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 6)))
