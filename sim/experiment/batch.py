"""Batches: every scheme for every replication of every sweep point, streamed to disk, then tables.

The experiment layer only calls the model (through an executor, see :mod:`sim.experiment.executors`);
it knows nothing of SimPy. A batch:

1. expands and validates every sweep point (:mod:`sim.experiment.plan`): bad input stops it here;
2. takes the folder's writer lock (one writer at a time, :func:`~sim.experiment.store.writer_lock`),
   writes ``batch.json`` (what the folder holds); ``--resume`` refuses a folder of another scenario
   and moves unreadable parts aside;
3. runs the tasks not yet stored, writing finished runs to disk as parts every second or so
   (``commit_seconds``, :mod:`sim.experiment.store`), so the driver's memory stays flat and an
   interruption loses at most the runs in flight and those not yet committed; a run that raises is
   recorded with its error and the rest go on;
4. with precision targets, adds replications to the points whose intervals are still too wide;
5. assembles the final tables sorted by (point, scheme order, replication): identical whatever
   the executor, the worker count or the completion order; then the summary and the manifest.
"""

from __future__ import annotations

import math
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from sim.experiment import store
from sim.experiment.assemble import assemble
from sim.experiment.executors import (
    TABLE_ROWS,
    Columns,
    ExecutorError,
    ExecutorSpec,
    Result,
    WorkerLost,
    choose,
    make_payload,
    open_executor,
    stream,
)
from sim.experiment.plan import BatchPlan, Overrides, Task, make_plan
from sim.experiment.precision import Loop
from sim.rng import replication_seed_record
from sim.scenario import Scenario, resolved_dict

FLUSH_SECONDS = 1.0   # default commit interval: finished runs are written as a part at least this often
WARM_DRIVER_RUNS = 2_000   # batches up to this many runs: the driver readies the model for its forked workers
FLUSH_ROWS = 10_000   # table rows buffered before a part is written (bounds the driver's memory)


class ResumeRefused(Exception):
    """``--resume`` against a folder that holds another scenario's results (bad input)."""


@dataclass
class BatchResult:
    """What a batch did. ``runs`` reads the assembled runs table from disk when asked for: the driver
    does not hold it (a big batch's is tens of MB), and a report or summary streams it instead."""

    out: Path
    n_runs: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    wall_seconds: float = 0.0
    ran: int = 0            # runs executed by this call
    reused: int = 0         # runs found already stored (--resume)
    interrupted: str | None = None   # why the batch stopped early, if it did
    notes: list[str] = field(default_factory=list)   # repairs made on the way (one line each)

    @property
    def runs(self) -> pd.DataFrame:
        return store.read_table(self.out, "runs")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("teamsim", "simpy", "numpy", "scipy", "pandas", "pyarrow", "plotly", "pydantic", "SALib",
                "distributed"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _progress(total: int, done: int, quiet: bool) -> Any:
    from tqdm import tqdm
    # No monitor thread: it outlives the bar, and a process running threads spawns its next pool's
    # workers instead of forking them (see executors._start_method), which costs each batch after
    # the first its workers' imports of the model.
    tqdm.monitor_interval = 0
    return tqdm(total=total, initial=done, unit="run", disable=quiet or not sys.stderr.isatty(), file=sys.stderr,
                dynamic_ncols=True, smoothing=0.1)


class _Sink:
    """Buffers finished runs and writes them as a part every ``commit_seconds`` (0: after every run) or
    10,000 rows.

    A run's per-month, per-person and per-line tables arrive as columns (transposed in the worker, see
    :class:`~sim.experiment.executors.Columns`) and are joined column by column when a part is written:
    in a pool the driver shares the cores with the workers, so its time per run is kept small.
    """

    def __init__(self, out: Path, plan: BatchPlan, commit_seconds: float = FLUSH_SECONDS):
        self.writer = store.PartWriter(out)
        self.plan = plan
        self.commit_seconds = commit_seconds
        self.rows: dict[str, list[dict[str, Any]]] = {"runs": [], "failures": []}
        self.blocks: dict[str, list[tuple[dict[str, Any], Columns]]] = {name: [] for name in TABLE_ROWS}
        self.buffered = 0    # rows
        self.last = time.monotonic()
        self.failures: list[dict[str, Any]] = []

    def add(self, res: Result) -> None:
        task: Task = res["task"]
        for point in task.points:
            key = {"run_id": task.run_id, "point": point, "scheme": task.scheme, "replication": task.replication}
            if "error" in res:
                fail = {**key, "error": res["error"], "traceback": res["traceback"]}
                self.rows["failures"].append(fail)
                self.failures.append(fail)
                continue
            self.rows["runs"].append({**key, **res["run"]})
            for name, blocks in self.blocks.items():
                cols = res.get(name)
                if cols:
                    blocks.append((key, cols))
                    self.buffered += cols.rows
        self.buffered += 1
        if self.buffered >= FLUSH_ROWS or time.monotonic() - self.last >= self.commit_seconds:
            self.flush()

    def discard(self) -> None:
        """Drop what is buffered (it could not be written; those runs are run again on --resume)."""
        self.rows = {name: [] for name in self.rows}
        self.blocks = {name: [] for name in self.blocks}
        self.buffered = 0

    def flush(self) -> None:
        tables: dict[str, pa.Table | list[dict[str, Any]]] = dict(self.rows)
        for name, blocks in self.blocks.items():
            if blocks:
                tables[name] = _joined(blocks)
        self.writer.write(tables)
        self.rows = {name: [] for name in self.rows}
        self.blocks = {name: [] for name in self.blocks}
        self.buffered = 0
        self.last = time.monotonic()


def _store_ready(sink: _Sink, tasks: list[Task], ready: Sequence[Result]) -> list[Task]:
    """Store the runs of ``ready`` that are tasks of this batch (same id and detail); the tasks left to run."""
    by_id = {t.run_id: t for t in tasks}
    stored = set()
    for res in ready:
        task = by_id.get(res["task"].run_id)
        if task is not None and task.detail == res["task"].detail and task.run_id not in stored:
            sink.add({**res, "task": task})
            stored.add(task.run_id)
    return [t for t in tasks if t.run_id not in stored]


def _joined(blocks: list[tuple[dict[str, Any], Columns]]) -> pa.Table:
    """One table of runs' columns, each run's key columns first (as ``{**key, **row}`` rows would give)."""
    names = list(blocks[0][0])
    for _, cols in blocks:
        names += [c for c in cols.names if c not in names]
    data: dict[str, list[Any]] = {c: [] for c in names}
    for key, cols in blocks:
        n = cols.rows
        for c, v in key.items():
            data[c] += [v] * n
        held = dict(zip(cols.names, cols.values, strict=True))
        for c in names:
            if c not in key:
                data[c] += held.get(c, (None,) * n)
    return pa.Table.from_pydict(data)


def _identity(scenario: Scenario, plan: BatchPlan, extra: Mapping[str, Any]) -> dict[str, Any]:
    from sim.model import RESULTS_VERSION

    resolved = {k: v for k, v in resolved_dict(scenario).items() if k != "replications"}
    ident = {"scenario": scenario.name, "results_version": RESULTS_VERSION, "resolved": resolved,
             "points": plan.points, **extra}
    return {**ident, "hash": store.scenario_hash(ident)}


def check_resume(out: Path, identity: dict[str, Any]) -> None:
    """Refuse (:class:`ResumeRefused`) to resume in a folder that holds another experiment; reads only."""
    old = store.read_identity(out)
    if old is None or old.get("hash") == identity["hash"]:
        return
    version = old.get("results_version", 1)   # folders written before the key existed hold version 1
    if version != identity["results_version"]:
        raise ResumeRefused(f"{out}: --resume refused: the folder holds results of an earlier version of the model "
                            f"(results version {version}, this one is {identity['results_version']}), whose "
                            f"seeds give other numbers; run into a new folder")
    diff = store.differing_keys(old.get("resolved"), identity["resolved"])
    if old.get("points") != identity["points"]:
        diff.append("sweep points")
    for key in sorted(set(old) | set(identity)):
        if key not in ("resolved", "points", "hash", "scenario", "results_version") \
                and old.get(key) != identity.get(key):
            diff.append(key)
    reason = (", ".join(diff[:5]) + (f" and {len(diff) - 5} more" if len(diff) > 5 else "")) if diff else \
        "their settings"
    raise ResumeRefused(f"{out}: --resume refused: the folder holds results of scenario {old.get('scenario')!r} "
                        f"that differ from this one in {reason}")


def prepare(out: Path, identity: dict[str, Any], resume: bool) -> tuple[set[str], list[str]]:
    """Set up ``out`` (after every check passed, under its lock): the ids of the runs already stored, and
    a note per unreadable part moved aside on ``--resume``."""
    out.mkdir(parents=True, exist_ok=True)
    if resume and store.read_identity(out) is not None:
        store.remove_unfinished(out)
        notes = store.quarantine_unreadable(out)
        return store.done_run_ids(out), notes
    store.start_fresh(out)
    store.write_identity(out, identity)
    return set(), []


@dataclass(frozen=True)
class Design:
    """Points other than the scenario's own sweep (e.g. a sensitivity design), and what they add to the record.

    ``checks`` are (location, key, value) triples validated first, reported at ``label``;
    ``identity`` joins the folder's identity (``--resume`` compares it), ``manifest`` the manifest.
    """

    points: Sequence[Overrides]
    checks: Sequence[tuple] = ()
    label: str = "sweep"
    identity: Mapping[str, Any] = field(default_factory=dict)
    manifest: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchRequest:
    """One batch: which scenario, where its results go, and how it runs. See :func:`run_batch`.

    ``source`` and ``marks`` (the scenario file's name and its key -> (line, column) marks) let a
    bad sweep point be reported at its line; ``simulate`` replaces the model (tests); ``then`` runs
    once the tables are written, still holding the folder's lock (so no other writer starts meanwhile).
    """

    scenario: Scenario
    out: Path
    executor: ExecutorSpec = field(default_factory=choose)
    resume: bool = False
    baseline: str | None = None
    precision: Loop | None = None   # --precision: replications added in steps until its targets are met
    design: Design | None = None
    source: str = "<scenario>"
    marks: Mapping[tuple, tuple[int, int]] | None = None
    quiet: bool = True
    statements: str = "first"   # which runs keep statements, placements and traces: all, first, none
    allow_large: bool = False   # more than MAX_RUNS runs
    audit: Mapping[str, Any] = field(default_factory=dict)   # into the manifest: command line, overrides
    simulate: Callable[..., Result] | None = None
    then: Callable[[BatchResult], None] | None = None   # run under the folder's lock at the end (the report)
    ready: Sequence[Result] = ()   # runs already made (by the cost-matching solve): stored, not run again
    #: --commit-every: finished runs are committed to ``out`` as a part at least this often (seconds);
    #: 0 commits after every run. What a kill loses beyond the runs in flight; smaller writes more parts.
    commit_seconds: float = FLUSH_SECONDS

    def __post_init__(self) -> None:
        check_commit_seconds(self.commit_seconds)


def check_commit_seconds(value: float) -> float:
    """``value`` if it is a commit interval (a finite number of seconds, 0 or more); else ValueError, one line."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"the commit interval must be a number of seconds, 0 or more, got {value!r}")
    return float(value)


#: Refusals of a batch: one line each, exit 2. A :class:`~sim.experiment.store.StoreError` whose
#: ``resumable`` is true stopped a batch whose committed runs stay (``--resume`` continues it).
REFUSALS = (ResumeRefused, ExecutorError, store.StoreError)


def _io_error(out: Path, err: OSError | pa.ArrowException, what: str) -> store.StoreError:
    stored = store.count_runs(out)
    reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err).splitlines()[0][:160]
    where = f" ({err.filename})" if isinstance(err, OSError) and err.filename else ""
    return store.StoreError(f"{out}: {what} failed: {reason}{where}; {stored} finished runs are stored",
                            resumable=True)


def run_batch(req: BatchRequest) -> BatchResult:
    """Run every scheme x replication x sweep point; write tables, summary and manifest to ``req.out``.

    Holds ``out``'s writer lock throughout. Raises one of :data:`REFUSALS`: before anything is run or
    deleted for bad input (an invalid sweep point raises :class:`~sim.scenario.ScenarioError`), a
    refused ``--resume``, a busy folder or a scheduler that does not answer; or when an I/O error
    stops the batch, with every committed run kept.
    """
    started = time.perf_counter()
    # The system allocator gives memory back between parts and windows; Arrow's default (mimalloc)
    # keeps it, which roughly doubled the driver's peak on a 10,000-run sweep (measured: 269 vs 203 MB).
    pa.set_memory_pool(pa.system_memory_pool())
    sc, out, spec = req.scenario, Path(req.out), req.executor
    names = [s.name for s in sc.schemes]
    design = req.design
    plan = make_plan(sc, design.points if design else None, req.source, req.marks,
                     design.checks if design else None, design.label if design else "sweep", req.allow_large)
    plan.statements = req.statements
    # A folder keeps one choice of statements: --resume with another is refused (as for other settings).
    identity = _identity(sc, plan, {**(design.identity if design else {}),
                                    **({"statements": req.statements} if req.statements != "first" else {})})
    reps = {p: sc.replications for p in range(len(plan.points))}
    payload = make_payload(plan.base, plan.points, req.simulate)
    # teamsim run solves match_cost_of before this; any other batch runs the rate as written, noted here
    ran, interrupted, reused, notes, from_solve = 0, None, 0, [], 0
    if any(s.match_cost_of is not None for s in sc.schemes):
        # Imported only then: the matching module loads the model, which the driver would keep for the
        # whole batch.
        from sim.experiment.matching import unsolved
        notes = unsolved(sc)
    # A small batch has the driver ready the model before its workers fork (they inherit it), since
    # loading it costs each worker 0.4-0.6 s; a big one does not, since it would stay in the driver's
    # memory (some 130 MB) for the whole batch, and its workers' load is a trifle of the batch there.
    warm = len(plan.points) * len(names) * sc.replications <= WARM_DRIVER_RUNS
    with store.writer_lock(out) as takeover:
        notes += [takeover] if takeover else []
        if req.resume:
            check_resume(out, identity)
        # The executor is set up before the folder is changed: a scheduler that does not answer is bad
        # input, and bad input never costs stored results.
        with open_executor(spec, payload, warm=warm) as ex:
            try:
                done, repaired = prepare(out, identity, req.resume)
                notes += repaired
                reused = len(done)
                store.write_resolved(out, resolved_dict(sc))
                sink = _Sink(out, plan, req.commit_seconds)
            except OSError as err:
                raise _io_error(out, err, "preparing the folder") from None
            planned = plan.tasks(reps)
            tasks = [t for t in planned if t.run_id not in done]
            bar = _progress(len(planned), len(planned) - len(tasks), req.quiet)
            try:
                left = _store_ready(sink, tasks, req.ready)
                from_solve = len(tasks) - len(left)
                ran += from_solve
                bar.update(from_solve)
                tasks = left
                while tasks:
                    for res in stream(ex, tasks):
                        sink.add(res)
                        ran += 1
                        bar.update(1)
                    sink.flush()
                    if not req.precision:
                        break
                    reps = req.precision.next(store.read_parts(out, "runs", req.precision.columns), reps)
                    done = store.done_run_ids(out)
                    tasks = [t for t in plan.tasks(reps) if t.run_id not in done]
                    bar.total += len(tasks)
                    bar.refresh()
            except WorkerLost as exc:
                interrupted = str(exc)
            except OSError as err:
                sink.discard()
                raise _io_error(out, err, "writing finished runs") from None
            finally:
                try:
                    sink.flush()   # everything finished is kept, whatever stopped the batch (Ctrl-C included)
                except OSError:
                    sink.discard()   # the error above, or the next step, says so
                bar.close()
        # The plan's tasks (one object per run, some 15 MB at 50,000 runs) are not needed to assemble.
        del planned, tasks, done
        try:
            result = _finish(req, plan, identity, reps, started, ran, reused, interrupted, notes, from_solve)
        except (OSError, pa.ArrowException) as err:
            raise _io_error(out, err, "assembling the tables") from None
        if req.then is not None:
            req.then(result)
        return result


def _finish(req: BatchRequest, plan: BatchPlan, identity: dict[str, Any], reps: dict[int, int], started: float,
            ran: int, reused: int, interrupted: str | None, notes: list[str], from_solve: int = 0) -> BatchResult:
    """Assemble the tables, write the summary and the manifest."""
    sc, out, spec = req.scenario, Path(req.out), req.executor
    names = [s.name for s in sc.schemes]
    baseline = req.baseline or names[0]
    tables = assemble(out, plan, reps, names)
    store.release_memory()
    n_runs, failures = tables["runs"], tables["failures"]
    wall = time.perf_counter() - started
    if n_runs:
        from sim.experiment.summary import write_summary
        write_summary(out, baseline, ["point", *plan.keys] if plan.keys else [], sc.finance.steady_gp_per_seat_month)
    resolved = resolved_dict(sc)
    max_reps = max(reps.values())
    manifest = {
        "scenario": sc.name,
        "scenario_hash": store.scenario_hash(resolved),
        "batch_hash": identity["hash"],
        "results_version": identity["results_version"],
        "resolved_scenario": resolved,
        "seed": sc.seed,
        "replication_seeds": {r: replication_seed_record(sc.seed, r) for r in range(max_reps)},
        "schemes": names,
        "baseline": baseline,
        "baseline_point": 0,
        "statements": req.statements,
        "replications": max_reps,
        "sweep_keys": plan.keys,
        "points": len(plan.points),
        "runs": n_runs,
        "failures": failures[["scheme", "replication", "point", "error"]].to_dict("records") if len(failures) else [],
        "workers": spec.workers,
        "executor": spec.describe(),
        "resumed": req.resume,
        "runs_executed": ran,
        "runs_reused": reused,
        "versions": versions(),
        "wall_seconds": round(wall, 3),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if from_solve:
        manifest["runs_from_cost_matching"] = from_solve   # made by the solve, stored as they came (in runs_executed)
    if as_written := [s.name for s in sc.schemes if s.match_cost_of is not None]:
        manifest["cost_matching_not_solved"] = as_written   # run at their rates as written (see unsolved)
    if req.precision:
        manifest["precision"] = req.precision.record(reps)
    if req.design:
        manifest.update(req.design.manifest)
    manifest.update(req.audit)
    store.write_manifest(out, manifest)
    fail_list = failures.to_dict("records") if len(failures) else []
    return BatchResult(out, n_runs, fail_list, wall, ran=ran, reused=reused, interrupted=interrupted, notes=notes)

