"""Runs for the app, in background processes: a warm spawn pool that calls the batch API.

The web server's threads never simulate: :meth:`Runner.run` splits the replications into one chunk
per worker, each worker calls :func:`sim.model.run` for its replications and sends
back only the run metrics and monthly rows, and the parent summarises them with
:mod:`sim.experiment.stats`. Workers ignore SIGINT so Ctrl-C stops the server, which then shuts
the pool down, without a traceback from every worker.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pandas as pd

from sim.experiment.stats import mean_ci, monthly_bands
from sim.scenario import Scenario

#: Run metrics the app compares and monthly series it draws.
APP_METRICS = ("profit", "placements", "turnover_rate_annual", "mean_cooperation", "pay_gini", "commission_paid")
APP_SERIES = ("placements", "mean_cooperation", "headcount")


def _quiet_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _warm() -> float:
    # Imported once so the first Run does not pay for it (scipy.special: a plan's marginal table needs it).
    import scipy.special  # noqa: F401

    import sim.model

    sim.model.warm_up()   # and its compiled parts loaded (compiled, the first time in a checkout)
    return time.perf_counter()


def run_chunk(scenario: Scenario, scheme: str, replications: list[int]) -> list[dict[str, Any]]:
    """Run replications of one scheme (in a worker); each comes back as metrics + monthly rows, or an error."""
    from sim.model import run

    out: list[dict[str, Any]] = []
    for r in replications:
        try:
            res = run(scenario, scheme, r)
        except Exception as exc:  # noqa: BLE001 - a failing run is reported on the page, not fatal to the app
            out.append({"error": f"{type(exc).__name__}: {exc}", "replication": r})
            continue
        out.append({"run": res["run"], "monthly": res["monthly"], "replication": r})
    return out


def summarise_runs(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Means and 95% intervals of the app's metrics, and monthly bands of its series (JSON-ready)."""
    ok = [r for r in results if "error" not in r]
    metrics = {}
    for m in APP_METRICS:
        mean, _sd, lo, hi = mean_ci([r["run"][m] for r in ok])
        metrics[m] = [mean, lo, hi]
    rows = [{"scheme": "plan", "replication": r["replication"], **row} for r in ok for row in r["monthly"]]
    monthly: dict[str, list[float]] = {}
    if rows:
        df = pd.DataFrame(rows)
        df["headcount"] = df["headcount_recruiters"] + df["headcount_ams"]
        b = monthly_bands(df, list(APP_SERIES)).sort_values("month")
        monthly = {c: [float(v) for v in b[c]] for c in b.columns if c != "scheme"}
    return {"metrics": metrics, "monthly": monthly, "replications": len(ok),
            "errors": sorted({r["error"] for r in results if "error" in r})}


class Runner:
    """A pool of ``workers`` spawned processes kept warm for the app's lifetime."""

    def __init__(self, workers: int = 2):
        self.workers = max(1, workers)
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"),
                                        initializer=_quiet_worker)
        self._warming = [self.pool.submit(_warm) for _ in range(self.workers)]

    def run(self, scenario: Scenario) -> dict[str, Any]:
        """Every replication of the scenario's one scheme; returns :func:`summarise_runs` plus seconds taken."""
        started = time.perf_counter()
        scheme = scenario.schemes[0].name
        reps = list(range(scenario.replications))
        chunks = [reps[i::self.workers] for i in range(self.workers) if reps[i::self.workers]]
        futures = [self.pool.submit(run_chunk, scenario, scheme, c) for c in chunks]
        results = [r for f in futures for r in f.result()]
        out = summarise_runs(sorted(results, key=lambda r: r["replication"]))
        out["seconds"] = round(time.perf_counter() - started, 3)
        return out

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
