"""The app's Runner through its public methods: the model's numbers, cancel, and a worker that dies."""

from __future__ import annotations

import os
import signal
import time

from sim.app.levers import build_scenario, defaults
from sim.app.runner import Runner, summarise_runs
from sim.model import run
from sim.scenario import load_scenario

from .conftest import WORKSHOP


def _scenario(replications: int):
    file = load_scenario(WORKSHOP, ["horizon_months=4"])
    return build_scenario(file, defaults(file, None, replications))


def test_runs_give_the_models_numbers_cancel_stops_and_a_killed_worker_fails_only_its_run() -> None:
    small, big = _scenario(4), _scenario(400)
    scheme = small.schemes[0].name
    expected = summarise_runs([{**run(small, scheme, r), "replication": r} for r in range(4)])
    runner = Runner(1)
    try:
        got = runner.run(small)
        assert {k: got[k] for k in expected} == expected and got["replications"] == 4
        assert sorted(runner.detail(small, 2)) == sorted(run(small, scheme, 2, detail=True))

        job = runner.start(big)
        assert runner.start(small) is None   # one job at a time
        while job.done == 0:
            time.sleep(0.01)
        assert runner.cancel()
        assert job.finished.wait(60) and job.cancelled and job.summary is None and job.done < job.total

        job = runner.start(big)
        while job.done == 0:
            time.sleep(0.01)
        for pid in runner.executor.pids():
            os.kill(pid, signal.SIGKILL)
        assert job.finished.wait(60) and job.summary is None
        assert "worker" in job.error and "\n" not in job.error
        again = runner.run(small)   # on fresh workers
        assert {k: again[k] for k in expected} == expected
    finally:
        runner.close()
