"""Where runs execute, behind one interface: in this process, a local process pool, or Dask.

All three take the same *payload* (the base scenario, the sweep points and the simulation
function) and the same tasks, and yield the same result records: a run is a pure function of
(scenario, scheme, seed), so the tables do not depend on the executor or the worker count.

* ``serial``: a loop in this process (``--workers 1``).
* ``pool``: a local process pool, the default (embedded, nothing to set up). The payload goes to
  each worker once, through the pool's initializer.
* ``dask``: an existing cluster (``--scheduler tcp://HOST:8786``) or a ``LocalCluster`` started
  here (``--dask-local N``). The payload is scattered to every worker once and tasks refer to it.

Tasks are sent in chunks (guided scheduling: big chunks first, small ones at the end so no worker
idles long), and only a bounded number of chunks is in flight, so the driver's memory stays flat.
"""

from __future__ import annotations

import gc
import math
import multiprocessing as mp
import os
import signal
import threading
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from sim.experiment.plan import Task, apply_point
from sim.scenario import Scenario

Result = dict[str, Any]
MAX_CHUNK = 64
CONNECT_TIMEOUT_S = 5


class ExecutorError(Exception):
    """The executor cannot be used as asked (bad scheduler address, Dask not installed): bad input."""


class WorkerLost(Exception):
    """A worker died mid-batch; what finished is stored and ``--resume`` does the rest."""


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


def make_payload(base: dict[str, Any], points: list[dict[str, Any]], simulate: Callable[..., Result] | None = None
                 ) -> dict[str, Any]:
    """What every worker needs once: the base scenario, the points and the simulation function."""
    if simulate is None:
        from sim.model import run as simulate
    return {"token": uuid.uuid4().hex, "base": base, "points": points, "simulate": simulate}


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
        for name in TABLE_ROWS:
            if res.get(name):
                res[name] = as_columns(res[name])
    except Exception as exc:  # noqa: BLE001 - a failing run is recorded, not fatal to the batch
        res = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    res["task"] = task
    return res


def run_chunk(payload: dict[str, Any], chunk: Sequence[Task]) -> list[Result]:
    return [run_one(payload, t) for t in chunk]


def _init_pool_worker(payload: dict[str, Any]) -> None:
    global _PAYLOAD
    _PAYLOAD = payload
    # Ctrl-C goes to the whole process group: the driver stops the batch and stores what finished.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool_chunk(chunk: Sequence[Task]) -> list[Result]:
    assert _PAYLOAD is not None
    return run_chunk(_PAYLOAD, chunk)


# ------------------------------------------------------------------------------ driver side
def chunks(tasks: Sequence[Task], workers: int) -> Iterator[list[Task]]:
    """Guided chunks: a quarter of each worker's remaining share (at most MAX_CHUNK), never below one."""
    i, n = 0, len(tasks)
    while i < n:
        size = max(1, min(MAX_CHUNK, math.ceil((n - i) / (4 * max(1, workers)))))
        yield list(tasks[i:i + size])
        i += size


class Serial:
    def __init__(self, payload: dict[str, Any]):
        self.payload = payload

    def map(self, tasks: Sequence[Task]) -> Iterator[Result]:
        for t in tasks:
            yield run_one(self.payload, t)


def _start_method() -> mp.context.BaseContext:
    """``fork`` when this process runs a single thread and the platform has it; ``spawn`` otherwise.

    A forked worker starts with the driver's imports (numpy, pydantic, the model): measured on the
    reference batch, a spawned worker took ~0.5 s to import them and build its first plan, a tenth of a
    64-replication batch on two cores. Forking a process that runs other threads (the app's web server)
    can copy a lock another thread holds, so then workers are spawned.
    """
    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    return mp.get_context("spawn")


class Pool:
    def __init__(self, payload: dict[str, Any], workers: int, warm: bool = False):
        """``warm``: ready the model's compiled parts in this process first, so that forked workers inherit
        them (else each loads them on its first run, in parallel; they then stay out of this process)."""
        self.workers = workers
        context = _start_method()
        if warm and context.get_start_method() == "fork":
            from sim.model import run, warm_up
            if payload.get("simulate") is run:
                warm_up()
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                        initializer=_init_pool_worker, initargs=(payload,))
        # Start the workers now, while this process is still single-threaded (see _start_method). The
        # objects alive now are frozen out of the cyclic collector across the fork, so a worker's
        # collections do not write to (and so copy) every page it shares with the driver.
        gc.freeze()
        try:
            self.pool.submit(int).result()
        finally:
            gc.unfreeze()

    def map(self, tasks: Sequence[Task]) -> Iterator[Result]:
        pending: set[Future] = set()
        feed = chunks(tasks, self.workers)
        try:
            for chunk in feed:
                pending.add(self.pool.submit(_pool_chunk, chunk))
                if len(pending) >= 2 * self.workers:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    nxt = next(feed, None)
                    if nxt is not None:
                        pending.add(self.pool.submit(_pool_chunk, nxt))
                    yield from f.result()
        except BrokenProcessPool as exc:
            raise WorkerLost(f"a worker process died ({exc})") from None
        finally:
            for f in pending:
                f.cancel()

    def close(self, fast: bool = False) -> None:
        # After Ctrl-C or an error, do not wait for chunks in flight: their results would be dropped anyway.
        self.pool.shutdown(wait=not fast, cancel_futures=True)


class Dask:
    def __init__(self, payload: dict[str, Any], spec: ExecutorSpec):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError("Dask is not installed: pip install 'teamsim[dask]'") from None
        self.cluster = None
        if spec.scheduler is not None:
            try:
                self.client = Client(spec.scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                raise ExecutorError(f"--scheduler {spec.scheduler}: no Dask scheduler answered within "
                                    f"{CONNECT_TIMEOUT_S} s ({type(exc).__name__}: {exc})") from None
        else:
            import logging

            import dask
            # The worker's statistical profiler samples every thread's stack every 10 ms, which costs the
            # one simulation thread a few percent of a core; nobody reads those profiles here.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self.cluster = LocalCluster(n_workers=spec.workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.workers = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
        # Shipped once to every worker; each task refers to it instead of carrying it.
        self.payload = self.client.scatter(payload, broadcast=True, hash=False)

    def map(self, tasks: Sequence[Task]) -> Iterator[Result]:
        from distributed import as_completed

        feed = chunks(tasks, self.workers)
        first = [self.client.submit(run_chunk, self.payload, c, pure=False) for _, c in
                 zip(range(2 * self.workers), feed, strict=False)]
        ac = as_completed(first)
        try:
            for f in ac:
                nxt = next(feed, None)
                if nxt is not None:
                    ac.add(self.client.submit(run_chunk, self.payload, nxt, pure=False))
                yield from f.result()
                f.release()
        finally:
            ac.clear()

    def close(self, fast: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@contextmanager
def open_executor(spec: ExecutorSpec, payload: dict[str, Any], warm: bool = False) -> Iterator[Serial | Pool | Dask]:
    """The executor ``spec`` describes, set up with ``payload``; closed on exit. ``warm``: see :class:`Pool`."""
    ex: Serial | Pool | Dask
    if spec.kind == "serial":
        ex = Serial(payload)
    elif spec.kind == "pool":
        ex = Pool(payload, spec.workers, warm)
    else:
        ex = Dask(payload, spec)
    try:
        yield ex
    except BaseException:
        if not isinstance(ex, Serial):
            ex.close(fast=True)
        raise
    if not isinstance(ex, Serial):
        ex.close()
