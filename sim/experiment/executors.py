"""Where runs execute, behind one protocol: this process, a local process pool, or Dask.

Every executor takes the same *payload* (the base scenario, the sweep points and the simulation
function) and runs chunks of tasks, returning each chunk's result records as a
:class:`concurrent.futures.Future`. One loop, :func:`stream`, feeds any of them: it keeps a bounded
number of chunks in flight (so the driver's memory stays flat) and sizes chunks by the time a run
takes (so a killed driver or worker loses at most about ``CHUNK_SECONDS`` of work per worker). A run
is a pure function of (scenario, scheme, seed), so the tables do not depend on the executor.

* ``serial``: this process (``--workers 1``).
* ``pool``: a local :class:`~concurrent.futures.ProcessPoolExecutor`, the default; the payload goes
  to each worker once, through its initializer. Workers die with their driver (a parent-death
  signal on Linux and a watchdog thread everywhere).
* ``dask``: an existing cluster (``--scheduler``) or a ``LocalCluster`` started here
  (``--dask-local N``), through ``Client.get_executor()``; the payload is sent once. A chunk
  whose worker dies is retried by the scheduler (``DASK_ALLOWED_FAILURES`` times on a LocalCluster,
  the cluster's own setting otherwise); after that its runs are given up and the batch goes on.
"""

from __future__ import annotations

import ctypes
import gc
import math
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Literal, NamedTuple, Protocol

from sim.experiment.plan import Task, apply_point
from sim.scenario import Scenario

Result = dict[str, Any]
MAX_CHUNK = 64            # runs per chunk at most
CHUNK_SECONDS = 1.0       # work per chunk at most, once a run's time is known
CONNECT_TIMEOUT_S = 5
DASK_ALLOWED_FAILURES = 2  # a LocalCluster retries a chunk this many times after its worker died
DASK_STALL_SECONDS = 600.0  # a Dask batch from which no chunk comes back this long is given up (resumable)
WATCHDOG_SECONDS = 0.5    # how often a pool worker checks that its driver is alive


class ExecutorError(Exception):
    """The executor cannot be used as asked (bad scheduler address, Dask not installed): bad input."""


class WorkerLost(Exception):
    """Workers died mid-batch; what finished is stored and ``--resume`` does the rest."""


@dataclass(frozen=True)
class ExecutorSpec:
    kind: Literal["serial", "pool", "dask"] = "pool"
    workers: int = 1
    scheduler: str | None = None   # dask: address of an existing scheduler; None = start a LocalCluster

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "workers": self.workers, "scheduler": self.scheduler}


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def choose(workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None) -> ExecutorSpec:
    """The executor the command-line options ask for (``--workers``, ``--scheduler``, ``--dask-local``)."""
    if scheduler is not None:
        return ExecutorSpec("dask", workers=0, scheduler=scheduler)
    if dask_local is not None:
        return ExecutorSpec("dask", workers=dask_local)
    n = default_workers() if workers is None else workers
    return ExecutorSpec("serial" if n <= 1 else "pool", workers=n)


def make_payload(base: dict[str, Any], points: list[dict[str, Any]], simulate: Callable[..., Result] | None = None,
                 columns: bool = True) -> dict[str, Any]:
    """What every worker needs once: the base scenario, the points and the simulation function.

    ``simulate(scenario, scheme, replication, detail=...)`` returns a result dict (default
    :func:`sim.model.run`); ``columns``: its tables come back as :class:`Columns` (what a batch
    stores), else as the rows ``simulate`` made (what the app reads).
    """
    if simulate is None:
        from sim.model import run as simulate
    return {"token": uuid.uuid4().hex, "base": base, "points": points, "simulate": simulate, "columns": columns}


# ------------------------------------------------------------------------------ worker side
_CACHE: OrderedDict[tuple[str, int], Scenario] = OrderedDict()
_CACHE_SIZE = 64
_PAYLOAD: dict[str, Any] | None = None


def _scenario(payload: dict[str, Any], point: int) -> Scenario:
    """The validated scenario of a point, built once per worker (tasks arrive point by point)."""
    key = (payload["token"], point)
    sc = _CACHE.get(key)
    if sc is None:
        sc = Scenario.model_validate(apply_point(payload["base"], payload["points"][point]))
        _CACHE[key] = sc
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return sc


class Columns(NamedTuple):
    """A run's table as columns: what a list of rows with the same keys holds, sent as one list per key.

    Transposed in the worker: it costs the worker what it saves the driver (which shares the cores
    with the workers), and it pickles without one dict per row.
    """

    names: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    rows: int


TABLE_ROWS = ("monthly", "people", "statements", "trace", "placements")
"""The per-run tables a result holds as rows (``run`` is one row)."""


def as_columns(rows: list[dict[str, Any]]) -> Columns:
    """``rows`` as :class:`Columns`; a key missing from a row is a null, as ``pa.Table.from_pylist`` makes it."""
    first = rows[0].keys() if rows else {}.keys()
    if all(r.keys() == first for r in rows):   # the usual case: one transpose, in C
        names = tuple(first)
        values = tuple(tuple(map(itemgetter(n), rows)) for n in names) if len(names) < 2 else \
            tuple(zip(*map(itemgetter(*names), rows), strict=True))
    else:
        names = tuple(dict.fromkeys(k for r in rows for k in r))
        values = tuple(tuple(r.get(c) for r in rows) for c in names)
    return Columns(names, values, len(rows))


def run_one(payload: dict[str, Any], task: Task) -> Result:
    """Run one task; never raises: a failure comes back as a record with its error."""
    try:
        res = payload["simulate"](_scenario(payload, task.point), task.scheme, task.replication, detail=task.detail)
        for name in TABLE_ROWS if payload.get("columns", True) else ():
            if res.get(name):
                res[name] = as_columns(res[name])
    except Exception as exc:  # noqa: BLE001 - a failing run is recorded, not fatal to the batch
        res = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    res["task"] = task
    return res


def run_chunk(payload: dict[str, Any], chunk: Sequence[Task]) -> list[Result]:
    """The runs of one chunk, in order: what every executor runs in its workers."""
    return [run_one(payload, t) for t in chunk]


def _exit_with(parent: int, main_thread: bool) -> None:
    """End this worker when its driver dies, so no worker outlives a killed batch.

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); it fires when the
    parent's *thread* that started the worker ends, so it is set only for pools started from the
    main thread. A watchdog thread covers the rest (and other systems): it notices the new parent
    within ``WATCHDOG_SECONDS``.
    """
    if main_thread and sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    if os.getppid() != parent:   # the driver died while this worker started
        os._exit(1)
    threading.Thread(target=watch, name="teamsim-watchdog", daemon=True).start()


def _init_pool_worker(payload: dict[str, Any] | None, parent: int, main_thread: bool, ready: bool) -> None:
    global _PAYLOAD
    _PAYLOAD = payload
    # Ctrl-C goes to the whole process group: the driver stops the batch and stores what finished.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with(parent, main_thread)
    if ready:
        from sim.model import warm_up
        warm_up()


def _pool_chunk(chunk: Sequence[Task]) -> list[Result]:
    assert _PAYLOAD is not None
    return run_chunk(_PAYLOAD, chunk)


# ------------------------------------------------------------------------------ the protocol
class Executor(Protocol):
    """What :func:`stream` needs of an executor (:class:`Serial`, :class:`Pool`, :class:`Dask`)."""

    workers: int
    in_flight: int                          # chunks submitted and not yet collected, at most
    lost: tuple[type[BaseException], ...]   # a chunk's error meaning its worker died
    survives_loss: bool                     # whether the other chunks go on after such a loss
    stall_seconds: float | None             # give up when no chunk comes back this long (None: wait)

    def submit(self, chunk: list[Task], payload: dict[str, Any] | None = None) -> Future:
        """Run ``chunk`` with the executor's payload, or with ``payload`` (sent along with the chunk)."""
        ...

    def close(self, fast: bool = False) -> None: ...


class Chunker:
    """Guided chunks sized by time: a quarter of each worker's remaining share, at most MAX_CHUNK runs
    and, once runs have been timed, at most CHUNK_SECONDS of work; never below one."""

    def __init__(self, tasks: Sequence[Task], workers: int):
        self.tasks, self.workers, self.i = tasks, max(1, workers), 0
        self.seconds, self.timed = 0.0, 0

    def observe(self, results: list[Result]) -> None:
        for r in results:
            wall = r.get("run", {}).get("wall_seconds")
            if wall is not None:
                self.seconds += float(wall)
                self.timed += 1

    def size(self) -> int:
        left = len(self.tasks) - self.i
        size = min(MAX_CHUNK, math.ceil(left / (4 * self.workers)))
        if self.timed:
            size = min(size, int(CHUNK_SECONDS / max(self.seconds / self.timed, 1e-6)))
        elif self.i < 2 * self.workers:
            size = min(size, 1)   # the first chunks time the runs
        return max(1, size)

    def next(self) -> list[Task] | None:
        if self.i >= len(self.tasks):
            return None
        size = self.size()
        chunk = list(self.tasks[self.i:self.i + size])
        self.i += size
        return chunk


def stream(ex: Executor, tasks: Sequence[Task], payload: dict[str, Any] | None = None) -> Iterator[Result]:
    """Every task's result, as chunks finish: the one bounded, chunked submit loop of every executor.

    ``payload``: run these tasks with it rather than the executor's own (a long-lived executor
    serving many scenarios, such as the workshop app's, sends each batch's payload with its chunks).

    Raises :class:`WorkerLost` when workers died: at once if the executor cannot go on, else after
    the other chunks finished (the lost runs are missing, and ``--resume`` runs them).
    """
    feed = Chunker(tasks, ex.workers)
    pending: dict[Future, list[Task]] = {}
    lost: list[str] = []
    lost_runs = 0

    def fill() -> None:
        while len(pending) < ex.in_flight and (chunk := feed.next()) is not None:
            pending[ex.submit(chunk, payload)] = chunk

    try:
        fill()
        while pending:
            stall = getattr(ex, "stall_seconds", None)
            done, _ = wait(pending, timeout=stall, return_when=FIRST_COMPLETED)
            if not done:   # a cluster that lost workers can leave a chunk pending for ever (seen with Dask)
                left = sum(len(c) for c in pending.values()) + len(feed.tasks) - feed.i
                raise WorkerLost(f"workers died or stalled: no run came back from the cluster in {stall:.0f} s; "
                                 f"{left} run(s) not finished")
            for f in done:
                chunk = pending.pop(f)
                try:
                    results = f.result()
                except ex.lost as exc:
                    why = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    if not ex.survives_loss:
                        raise WorkerLost(f"a worker process died ({why})") from None
                    lost.append(why)
                    lost_runs += len(chunk)
                    continue
                feed.observe(results)
                fill()   # before the results are stored, so the workers stay busy meanwhile
                yield from results
    finally:
        for f in pending:
            f.cancel()
    if lost:
        raise WorkerLost(f"workers died running {lost_runs} run(s), each retried within the cluster's budget "
                         f"of lost workers ({lost[0][:160]})")


def _done(fn: Callable[..., Any], *args: Any) -> Future:
    f: Future = Future()
    f.set_result(fn(*args))
    return f


class Serial:
    """Runs each chunk in this process when it is submitted."""

    lost: tuple[type[BaseException], ...] = ()
    survives_loss = False
    stall_seconds: float | None = None

    def __init__(self, payload: dict[str, Any]):
        self.payload = payload
        self.workers = self.in_flight = 1

    def submit(self, chunk: list[Task], payload: dict[str, Any] | None = None) -> Future:
        return _done(run_chunk, self.payload if payload is None else payload, chunk)

    def close(self, fast: bool = False) -> None:
        pass


def _start_method() -> mp.context.BaseContext:
    """``fork`` when this process runs a single thread and the platform has it; ``spawn`` otherwise.

    A forked worker starts with the driver's imports (numpy, pydantic, the model) instead of loading
    them again (docs/performance.md). Forking a process that runs other threads (the app's web server)
    can copy a lock another thread holds, so then workers are spawned.
    """
    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    return mp.get_context("spawn")


class Pool:
    """A local process pool; a dead worker breaks it, so the batch stops (its results stored)."""

    lost = (BrokenProcessPool,)
    survives_loss = False
    stall_seconds: float | None = None

    def __init__(self, payload: dict[str, Any] | None, workers: int, warm: bool = False, ready: bool = False):
        """``payload``: the workers' own (None: every chunk brings its payload, as the app's do).

        ``warm``: ready the model's compiled parts in this process first, so that forked workers inherit
        them (else each loads them on its first run, in parallel; they then stay out of this process).
        ``ready``: each worker readies them itself as it starts, and this returns without waiting for
        the workers (a long-lived pool, such as the app's, warms while its server starts).
        """
        self.workers = workers
        self.in_flight = 2 * workers
        context = _start_method()
        if warm and context.get_start_method() == "fork":
            from sim.model import run, warm_up
            if payload is None or payload.get("simulate") is run:
                warm_up()
        main = threading.current_thread() is threading.main_thread()
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_pool_worker,
                                        initargs=(payload, os.getpid(), main, ready))
        # Start the workers now, while this process is still single-threaded (see _start_method): a
        # forking pool starts them all in its first submit. The objects alive now are frozen out of the
        # cyclic collector across the fork, so a worker's collections do not write to (and so copy)
        # every page it shares with the driver.
        gc.freeze()
        try:
            started = self.pool.submit(int)
        finally:
            gc.unfreeze()
        if not ready:
            started.result()

    def submit(self, chunk: list[Task], payload: dict[str, Any] | None = None) -> Future:
        return self.pool.submit(_pool_chunk, chunk) if payload is None else self.pool.submit(run_chunk, payload, chunk)

    def pids(self) -> list[int]:
        return [p.pid for p in (self.pool._processes or {}).values()]   # noqa: SLF001 - for tests and tools

    def close(self, fast: bool = False) -> None:
        """Shut the pool down; ``fast`` (after Ctrl-C, an error, or the app stopping): without waiting for
        the chunks in flight, whose results would be dropped anyway, and with its workers terminated."""
        processes = list((self.pool._processes or {}).values()) if fast else []   # noqa: SLF001
        self.pool.shutdown(wait=not fast, cancel_futures=True)
        for p in processes:
            if p.is_alive():
                p.terminate()


def _same(payload: dict[str, Any]) -> dict[str, Any]:
    return payload


class Dask:
    """A Dask cluster through ``Client.get_executor()``; a lost worker costs only its chunk."""

    survives_loss = True

    @property
    def stall_seconds(self) -> float:
        return DASK_STALL_SECONDS

    def __init__(self, payload: dict[str, Any], spec: ExecutorSpec):
        try:
            import dask
            from distributed import Client, KilledWorker, LocalCluster
        except ImportError:
            raise ExecutorError("Dask is not installed: pip install 'teamsim[dask]'") from None
        self.lost = (KilledWorker, CancelledError)
        self.cluster = None
        if spec.scheduler is not None:
            try:
                self.client = Client(spec.scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                raise ExecutorError(f"--scheduler {spec.scheduler}: no Dask scheduler answered within "
                                    f"{CONNECT_TIMEOUT_S} s ({type(exc).__name__}: {exc})") from None
        else:
            import logging

            # The worker's statistical profiler samples every thread's stack every 10 ms, which costs the
            # one simulation thread a few percent of a core; nobody reads those profiles here.
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.scheduler.allowed-failures": DASK_ALLOWED_FAILURES}):
                self.cluster = LocalCluster(n_workers=spec.workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.CRITICAL)
            self.client = Client(self.cluster)
        self.workers = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
        self.in_flight = 2 * self.workers
        # Shipped once as a task of its own, which each chunk refers to instead of carrying it. Not
        # scattered: scattered data dies with the workers holding it, while a task's result is
        # computed again on a new worker when the old ones were lost.
        self.payload = self.client.submit(_same, payload, pure=False)
        self.executor = self.client.get_executor(pure=False)

    def submit(self, chunk: list[Task], payload: dict[str, Any] | None = None) -> Future:
        return self.executor.submit(run_chunk, self.payload if payload is None else payload, chunk)

    def close(self, fast: bool = False) -> None:
        self.executor.shutdown(wait=False)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def start_executor(spec: ExecutorSpec, payload: dict[str, Any], warm: bool = False) -> Executor:
    """The executor ``spec`` describes, set up with ``payload``; the caller closes it. ``warm``: see :class:`Pool`."""
    if spec.kind == "serial":
        return Serial(payload)
    if spec.kind == "pool":
        return Pool(payload, spec.workers, warm)
    return Dask(payload, spec)


@contextmanager
def open_executor(spec: ExecutorSpec, payload: dict[str, Any], warm: bool = False) -> Iterator[Executor]:
    """:func:`start_executor`, closed on exit (at once, workers terminated, after an error or Ctrl-C)."""
    ex = start_executor(spec, payload, warm)
    try:
        yield ex
    except BaseException:
        ex.close(fast=True)
        raise
    ex.close()
