"""A simulation function that fails on purpose for one scheme and replication (to test failure capture).

It wraps the real model: every other run is the real thing. Module-level, so it pickles by reference
into pool workers.
"""

from __future__ import annotations

from typing import Any

from sim.model import run
from sim.scenario import Scenario


def fails_on_team_pool_replication_1(scenario: Scenario, scheme: str, replication: int,
                                     detail: bool = False) -> dict[str, Any]:
    if scheme == "team_pool" and replication == 1:
        raise RuntimeError("injected failure")
    return run(scenario, scheme, replication, detail=detail)


def kills_its_worker_on_team_pool_replication_1(scenario: Scenario, scheme: str, replication: int,
                                                detail: bool = False) -> dict[str, Any]:
    """Kill the worker process running it (as the OOM killer would), every time it is tried."""
    if scheme == "team_pool" and replication == 1:
        import os
        import signal
        os.kill(os.getpid(), signal.SIGKILL)
    return run(scenario, scheme, replication, detail=detail)
