"""Runs for the app, in background processes: one job at a time, with progress and cancel.

The web server's threads never simulate. :meth:`Runner.start` splits a Run's replications into small
chunks and a driver thread keeps at most two chunks per worker in flight, so progress moves chunk by
chunk and :meth:`Runner.cancel` takes effect once the chunks in flight finish (a chunk is a few
replications). Each worker calls :func:`sim.model.run` and sends back only the run metrics and the
monthly rows; the parent summarises them with :mod:`sim.experiment.stats`. Workers ignore SIGINT
and die with their parent (Linux), so Ctrl-C or SIGTERM stops the server, which terminates the pool
at once: nothing a worker holds is worth keeping once the room has left.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import multiprocessing as mp
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.experiment.stats import mean_ci, monthly_bands
from sim.scenario import Scenario

#: Run metrics the app compares (the six panels) and monthly series it draws.
APP_METRICS = ("mean_effort", "mean_cooperation", "placements", "turnover_rate_annual", "commission_paid", "profit")
APP_SERIES = ("placements", "mean_effort", "mean_cooperation", "quits", "headcount")


def _quiet_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):   # die with the app, never orphaned under PID 1
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


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


def run_detail(scenario: Scenario, scheme: str, replication: int) -> dict[str, Any]:
    """One replication with its trace, people and statements (in a worker), for playback."""
    from sim.model import run

    return run(scenario, scheme, replication, detail=True)


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
    """A pool of ``workers`` spawned processes kept warm for the app's lifetime; one job at a time."""

    def __init__(self, workers: int = 2):
        self.workers = max(1, workers)
        self.pool = mp.get_context("spawn").Pool(self.workers, initializer=_quiet_worker)
        self._warming = [self.pool.apply_async(_warm) for _ in range(self.workers)]
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.job: Job | None = None

    def busy(self) -> bool:
        return self.job is not None and not self.job.finished.is_set()

    def start(self, scenario: Scenario, on_done: Callable[[Job], None] | None = None) -> Job | None:
        """Start every replication of the scenario's one scheme; None if a run is already in progress."""
        with self._lock:
            if self.busy():
                return None
            reps = list(range(scenario.replications))
            size = max(1, min(5, math.ceil(len(reps) / (self.workers * 4))))
            chunks = [reps[i:i + size] for i in range(0, len(reps), size)]
            self.job = job = Job(next(self._ids), len(reps))
        threading.Thread(target=self._drive, args=(job, scenario, chunks, on_done), daemon=True,
                         name=f"app-run-{job.ident}").start()
        return job

    def _drive(self, job: Job, scenario: Scenario, chunks: list[list[int]], on_done: Callable[[Job], None] | None):
        scheme = scenario.schemes[0].name
        pending, flying, results = list(reversed(chunks)), [], []
        try:
            while pending or flying:
                while pending and not job.cancelled and len(flying) < 2 * self.workers:
                    flying.append(self.pool.apply_async(run_chunk, (scenario, scheme, pending.pop())))
                if job.cancelled and not flying:
                    break
                flying[0].wait(0.02)
                for res in [f for f in flying if f.ready()]:
                    flying.remove(res)
                    got = res.get()
                    results.extend(got)
                    job.done += len(got)
            if not job.cancelled:
                job.summary = summarise_runs(sorted(results, key=lambda r: r["replication"]))
        except Exception as exc:  # noqa: BLE001 - e.g. the pool was terminated while the app stops
            job.error = f"{type(exc).__name__}: {exc}"
        job.seconds = round(time.perf_counter() - job.started, 3)
        try:
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
        """One replication with its trace, from a worker (the playback view)."""
        return self.pool.apply_async(run_detail, (scenario, scenario.schemes[0].name, replication)).get(timeout)

    def close(self) -> None:
        """Stop at once: the workers are terminated, whatever they were doing."""
        if self.job is not None:
            self.job.cancelled = True
        self.pool.terminate()
        self.pool.join()

