"""Runs for the app, in background processes: one job at a time, with progress and cancel.

The web server's threads never simulate. The app keeps one :class:`~sim.experiment.executors.Pool` of
warm workers for its whole session (each worker readies the model as it starts, while the server
starts), and every Run goes through the batch layer's one submit loop,
:func:`~sim.experiment.executors.stream`, with its own payload (the Run's scenario): chunks sized by
a run's time, at most two per worker in flight, so progress moves chunk by chunk and
:meth:`Runner.cancel` takes effect as the next chunk finishes (what is in flight is dropped). Each
worker calls :func:`sim.model.run` and sends back only the run metrics and the monthly rows; the
parent summarises them with :mod:`sim.experiment.stats`. Workers ignore SIGINT and die with the app,
which terminates them at once on Ctrl-C or SIGTERM: nothing a worker holds is worth keeping once the
room has left.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.experiment.executors import Pool, WorkerLost, make_payload, stream
from sim.experiment.plan import Task
from sim.experiment.stats import mean_ci, monthly_bands
from sim.scenario import Scenario, resolved_dict

#: Run metrics the app compares (the six panels) and monthly series it draws.
APP_METRICS = ("mean_effort", "mean_cooperation", "placements", "turnover_rate_annual", "commission_paid", "profit")
APP_SERIES = ("placements", "mean_effort", "mean_cooperation", "quits", "headcount")


def simulate(scenario: Scenario, scheme: str, replication: int, detail: bool = False) -> dict[str, Any]:
    """One replication in a worker: with ``detail`` all of it (playback), else what the app summarises."""
    from sim.model import run

    res = run(scenario, scheme, replication, detail=detail)
    return res if detail else {"run": res["run"], "monthly": res["monthly"]}


def _payload(scenario: Scenario) -> dict[str, Any]:
    return make_payload(resolved_dict(scenario), [{}], simulate, columns=False)


def _tasks(scenario: Scenario, replications: list[int], detail: bool = False) -> list[Task]:
    scheme = scenario.schemes[0].name
    return [Task(f"{scheme}/{r}", (0,), scheme, r, detail) for r in replications]


def summarise_runs(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Means and 95% intervals of the app's metrics, each replication's values (for paired differences)
    and monthly bands of its series (JSON-ready)."""
    ok = [r for r in results if "error" not in r]
    metrics, values = {}, {}
    for m in APP_METRICS:
        xs = [float(r["run"][m]) for r in ok]
        mean, _sd, lo, hi = mean_ci(xs)
        metrics[m], values[m] = [mean, lo, hi], xs
    rows = [{"scheme": "plan", "replication": r["replication"], **row} for r in ok for row in r["monthly"]]
    monthly: dict[str, list[float]] = {}
    if rows:
        df = pd.DataFrame(rows)
        df["headcount"] = df["headcount_recruiters"] + df["headcount_ams"]
        b = monthly_bands(df, list(APP_SERIES)).sort_values("month")
        monthly = {c: [float(v) for v in b[c]] for c in b.columns if c != "scheme" and not c.endswith("_n")}
    return {"metrics": metrics, "values": values, "seeds": [r["replication"] for r in ok], "monthly": monthly,
            "replications": len(ok), "errors": sorted({r["error"] for r in results if "error" in r})}


@dataclass
class Job:
    """One Run in progress: how far it is, whether it was cancelled, and its summary once done."""

    ident: int
    total: int
    done: int = 0
    cancelled: bool = False
    summary: dict[str, Any] | None = None
    error: str | None = None
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0
    finished: threading.Event = field(default_factory=threading.Event)

    def state(self) -> dict[str, Any]:
        return {"job": self.ident, "done": self.done, "total": self.total, "cancelled": self.cancelled,
                "finished": self.finished.is_set(), "error": self.error,
                "seconds": round(self.seconds or time.perf_counter() - self.started, 3)}


class Runner:
    """A pool of ``workers`` processes kept warm for the app's lifetime; one job at a time.

    Its methods may be called from any thread (the web server's, or a play mode's).
    """

    def __init__(self, workers: int = 2):
        self.workers = max(1, workers)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.job: Job | None = None
        self._closed = False
        self.executor = self._pool()

    def _pool(self) -> Pool:
        return Pool(None, self.workers, ready=True)

    def _executor(self) -> Pool:
        with self._lock:
            if self._closed:
                raise RuntimeError("the app is stopping")
            return self.executor

    def _replace(self, broken: Pool) -> None:
        """A worker died (killed, out of memory): the next Run gets a fresh pool."""
        with self._lock:
            if self._closed or self.executor is not broken:
                return
            try:
                self.executor = self._pool()
            finally:
                broken.close(fast=True)

    def busy(self) -> bool:
        return self.job is not None and not self.job.finished.is_set()

    def start(self, scenario: Scenario, on_done: Callable[[Job], None] | None = None) -> Job | None:
        """Start every replication of the scenario's one scheme; None if a run is already in progress."""
        with self._lock:
            if self.busy():
                return None
            self.job = job = Job(next(self._ids), scenario.replications)
        threading.Thread(target=self._drive, args=(job, scenario, on_done), daemon=True,
                         name=f"app-run-{job.ident}").start()
        return job

    def _drive(self, job: Job, scenario: Scenario, on_done: Callable[[Job], None] | None) -> None:
        results: list[dict[str, Any]] = []
        ex: Pool | None = None
        lost = False
        try:
            ex = self._executor()
            runs = stream(ex, _tasks(scenario, list(range(job.total))), _payload(scenario))
            try:
                for res in runs:
                    results.append(_entry(res))
                    job.done += 1
                    if job.cancelled:
                        break
            finally:
                runs.close()   # a cancelled Run's chunks not yet started are dropped
            if not job.cancelled:
                job.summary = summarise_runs(sorted(results, key=lambda r: r["replication"]))
        except (WorkerLost, *Pool.lost) as exc:   # lost while streaming, or already broken at submit
            job.error, lost = f"{exc}; the workers are restarted for the next Run", True
        except Exception as exc:  # noqa: BLE001 - e.g. the pool was shut down while the app stops
            job.error = f"{type(exc).__name__}: {exc}"
        job.seconds = round(time.perf_counter() - job.started, 3)
        try:
            if lost and ex is not None:
                self._replace(ex)   # before on_done: the page's next Run finds the fresh pool
            if on_done is not None:
                on_done(job)
        finally:
            job.finished.set()

    def cancel(self) -> bool:
        """Cancel the run in progress (what is in flight finishes, nothing more starts)."""
        job = self.job
        if job is None or job.finished.is_set():
            return False
        job.cancelled = True
        return True

    def run(self, scenario: Scenario) -> dict[str, Any]:
        """Every replication, waited for: :func:`summarise_runs` plus seconds taken (benchmarks, tests)."""
        job = self.start(scenario)
        if job is None:
            raise RuntimeError("a run is already in progress")
        job.finished.wait()
        if job.error:
            raise RuntimeError(job.error)
        return {**(job.summary or {}), "seconds": job.seconds}

    def detail(self, scenario: Scenario, replication: int = 0, timeout: float = 120) -> dict[str, Any]:
        """One replication with its trace, people and statements, from a worker (the playback view)."""
        ex = self._executor()
        try:
            [res] = ex.submit(_tasks(scenario, [replication], detail=True), _payload(scenario)).result(timeout)
        except ex.lost as exc:
            self._replace(ex)
            raise RuntimeError(f"a worker process died ({type(exc).__name__}); the workers are restarted") from None
        if "error" in res:
            raise RuntimeError(res["error"])
        res.pop("task")
        return res

    def close(self) -> None:
        """Stop at once: the workers are terminated, whatever they were doing."""
        with self._lock:
            self._closed = True
            if self.job is not None:
                self.job.cancelled = True
        self.executor.close(fast=True)


def _entry(res: dict[str, Any]) -> dict[str, Any]:
    """A streamed result as :func:`summarise_runs` reads it: metrics and monthly rows, or the error."""
    r = res["task"].replication
    if "error" in res:
        return {"error": res["error"], "replication": r}
    return {"run": res["run"], "monthly": res["monthly"], "replication": r}
