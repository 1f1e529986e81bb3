"""``teamsim run``: every scheme for every replication (of every sweep point), results and report on disk."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

from sim.cli import EXIT_FAILED_RUNS, EXIT_OK, bad_input, load, non_negative_int, positive_int

#: Failures listed on stderr at most (the rest are in failures.parquet and manifest.json).
MAX_LISTED = 20


def add_executor_options(p: argparse.ArgumentParser) -> None:
    """Options shared by every command that runs a batch: where it runs, resuming, progress."""
    p.add_argument("--workers", type=positive_int, help="local processes (default: all cores)")
    dask = p.add_mutually_exclusive_group()
    dask.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://host:8786")
    dask.add_argument("--dask-local", type=positive_int, metavar="N", help="start a Dask LocalCluster of N workers")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted batch in --out: run only what is missing")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--allow-large", action="store_true", help="run a batch of more than 100,000 runs")
    p.add_argument("--statements", choices=("all", "first", "none"), default="first",
                   help="which runs keep pay statements, placements and traces: every run, the first "
                        "replication (default), or none")
    p.add_argument("--commit-every", dest="commit_seconds", type=commit_interval, metavar="SECONDS",
                   help="commit finished runs to --out at least this often (default 1; 0: after every run); "
                        "a kill or crash loses at most these and the runs in flight, and --resume runs them")


def commit_option(args: argparse.Namespace) -> dict[str, float]:
    """The batch's ``commit_seconds`` if ``--commit-every`` was given (else the batch's default)."""
    seconds = getattr(args, "commit_seconds", None)
    return {} if seconds is None else {"commit_seconds": seconds}


def commit_interval(text: str) -> float:
    """An argparse type: a commit interval in seconds (0 or more)."""
    from sim.experiment.batch import check_commit_seconds
    try:
        return check_commit_seconds(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 or more, got {text!r}") from None


def precision_target(text: str) -> Any:
    from sim.experiment.precision import parse_target
    try:
        return parse_target(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("run", help="run every scheme for every replication (and sweep point); write results")
    r.add_argument("file", type=Path)
    r.add_argument("--out", type=Path, help="output folder (default reports/<scenario name>/)")
    r.add_argument("--replications", type=positive_int)
    r.add_argument("--seed", type=non_negative_int)
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key, e.g. firm.pods=20 or schemes.team.rate=0.3 (repeatable)")
    r.add_argument("--baseline", metavar="SCHEME", help="scheme the others are compared with (default: the first)")
    r.add_argument("--precision", type=precision_target, action="append", default=[], metavar="METRIC=REL",
                   help="add replications in steps until METRIC's 95%% CI half-width is at most REL x |mean| "
                        "for every scheme and point; diff:METRIC=REL targets the paired difference to the "
                        "baseline, within REL x |baseline mean| (repeatable)")
    r.add_argument("--precision-step", type=positive_int, default=5,
                   help="replications added per step with --precision (default 5)")
    r.add_argument("--max-replications", type=positive_int, default=200,
                   help="cap on replications per point with --precision (default 200)")
    r.add_argument("--decompose", action="store_true",
                   help="split each scheme's difference from the baseline into behaviour (workforce held fixed) "
                        "and selection (who stays and joins), with CIs: decomposition.csv, summary.csv, report")
    add_executor_options(r)
    r.add_argument("--no-report", action="store_true", help="skip report.html")
    r.set_defaults(func=cmd_run)

    m = sub.add_parser("match", help="solve every match_cost_of of a scenario and print (or write) the solved "
                                     "scenario, without running the batch")
    m.add_argument("file", type=Path)
    m.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    m.add_argument("--replications", type=positive_int, help="replications the match is solved over")
    m.add_argument("--out", type=Path, help="write the solved scenario here (YAML), e.g. for teamsim robust")
    m.add_argument("--quiet", action="store_true", help="no line per evaluation")
    m.add_argument("--workers", type=positive_int, help="local processes the evaluations run on (default: all cores)")
    m.set_defaults(scheduler=None, dask_local=None)
    m.set_defaults(func=cmd_match)


def executor_spec(args: argparse.Namespace) -> Any:
    from sim.experiment.executors import choose
    return choose(args.workers, args.scheduler, args.dask_local)


def check_out(out: Path) -> list[str]:
    """Why ``out`` cannot hold results (one line), or nothing. Leaves no trace: a folder it had to
    create to find out is removed again, and only such a folder."""
    try:
        if out.exists():
            if not out.is_dir():
                return [f"{out}: --out must be a folder, and this is a file"]
            with tempfile.TemporaryFile(dir=out):
                return []
        missing = [out, *(p for p in out.parents if not p.exists())]
        top = missing[-1].parent
        if top.exists() and not top.is_dir():
            return [f"{out}: --out lies under {top}, which is a file"]
        created = []
        try:
            for folder in reversed(missing):
                folder.mkdir()
                created.append(folder)
        finally:
            for folder in reversed(created):
                os.rmdir(folder)
    except NotADirectoryError:
        return [f"{out}: --out lies under a file"]
    except OSError as err:
        batch = (out / "batch.json").exists()
        kept = "; its stored runs are kept: fix that, then continue with --resume" if batch else ""
        return [f"{out}: --out cannot be written: {err.strerror or err}{kept}"]
    return []


def check_out_file(path: Path) -> list[str]:
    """Why a file (a scenario a command writes) cannot be written at ``path`` (one line), or nothing."""
    if path.is_dir():
        return [f"{path}: --out must be a file name, not a folder"]
    return [p.replace("--out", "--out's folder") for p in check_out(path.parent)]


def execute(args: argparse.Namespace, scenario: Any, out: Path, manifest: dict[str, Any] | None = None,
            **fields: Any) -> Any:
    """Run a batch with the command line's executor, resume and progress options; returns its BatchResult.
    ``manifest``: more entries for the manifest (e.g. the solved cost matches).

    Raises one of :data:`sim.experiment.batch.REFUSALS` (see :func:`refused`).
    """
    from sim.experiment.batch import BatchRequest, run_batch

    command = ["teamsim", *getattr(args, "argv", sys.argv[1:])]
    audit = {"command_line": command, "overrides": list(getattr(args, "overrides", [])), **(manifest or {})}
    try:
        result = run_batch(BatchRequest(scenario, out, executor=executor_spec(args), resume=args.resume,
                                        source=scenario.source, marks=scenario.marks, quiet=args.quiet,
                                        statements=getattr(args, "statements", "first"),
                                        allow_large=getattr(args, "allow_large", False), audit=audit,
                                        **commit_option(args), **fields))
    except KeyboardInterrupt:   # the batch has stored what finished: say how much, and how to go on
        from sim.experiment import store
        stored = len(store.done_run_ids(out)) if (out / store.PARTS).is_dir() else 0
        again = shlex.join(command + ([] if "--resume" in command else ["--resume"]))
        raise KeyboardInterrupt(f"{stored} finished runs are stored in {out}; continue with: {again}") from None
    for note in result.notes:
        print(note, file=sys.stderr)
    return result


def refused(err: Exception, rerun: str) -> int:
    """A refusal or an I/O error of the experiment layer as one line (exit 2); says how to resume if it can."""
    line = str(err)
    if getattr(err, "resumable", False):
        line += f"; fix that, then continue with: {rerun} --resume"
    return bad_input([line])


class AfterBatch:
    """What runs under the folder's lock once the batch is done: the decomposition if ``--decompose``
    (``scenario`` given), on the batch's executor, then the report, unless ``--no-report``. ``failed``:
    the decomposition failed (said in one line; the batch's results and the report are kept)."""

    def __init__(self, args: argparse.Namespace, scenario: Any = None):
        self.args, self.scenario, self.failed = args, scenario, False

    def __call__(self, result: Any) -> None:
        args = self.args
        if getattr(args, "decompose", False) and self.scenario is not None and result.n_runs:
            from sim.experiment.decomposition import DecompositionFailed, run_decomposition
            try:
                run_decomposition(self.scenario, args.baseline, result.out, executor_spec(args))
                print(f"decomposition: {result.out / 'decomposition.csv'}")
            except DecompositionFailed as err:
                print(err, file=sys.stderr)
                self.failed = True
        if not args.no_report and result.n_runs:
            from sim.report import write_report
            print(f"report: {write_report(result.out)}")


def report_after(args: argparse.Namespace, scenario: Any = None) -> AfterBatch:
    return AfterBatch(args, scenario)


def report_failed(out: Path, err: OSError) -> int:
    return bad_input([f"{out}: writing the report failed: {err.strerror or err}; the results are stored: "
                      f"rebuild it with: teamsim report {out}"])


def report_failures(result: Any, rerun: str) -> int:
    if result.interrupted:
        print(f"batch stopped early: {result.interrupted}; {result.n_runs} runs stored. "
              f"Continue with: {rerun} --resume", file=sys.stderr)
    for f in result.failures[:MAX_LISTED]:
        where = f" point {f['point']}" if "point" in f else ""
        print(f"run failed:{where} scheme {f['scheme']!r} replication {f['replication']}: {f['error']}",
              file=sys.stderr)
    if len(result.failures) > MAX_LISTED:
        print(f"... and {len(result.failures) - MAX_LISTED} more failed runs (see failures.parquet)", file=sys.stderr)
    return EXIT_FAILED_RUNS if result.failures or result.interrupted else EXIT_OK


def solve_cost_matches(args: argparse.Namespace, scenario: Any) -> tuple[Any, dict[str, Any], list[Any]]:
    """The scenario with its ``match_cost_of`` solved on the command's executor (sim/experiment/matching.py),
    the manifest entry, and the runs the solve made that the batch stores instead of running again."""
    from sim.experiment.matching import records, solve

    stated = list(scenario.stated_over_match)
    for line in stated:
        print(f"not cost-matched: {line}", file=sys.stderr)
    solution = solve(scenario, executor_spec(args), getattr(args, "statements", "first"),
                     None if args.quiet else lambda m: print(m, file=sys.stderr))
    for m in solution.matches:
        rates = ", ".join(f"{r:.9g}" for r in m.rates)
        bound = "within" if m.matched else "NOT within"
        print(f"cost-matched: {m.scheme} {m.key} = {m.value:.9g} (rates {rates}): mean variable pay "
              f"${m.variable_pay:,.2f} a run against {m.match_cost_of}'s ${m.target_variable_pay:,.2f} over "
              f"{m.replications} replications (gap ${m.gap:+,.2f}, {bound} the tolerance ${m.tolerance:,.2f}; "
              f"{m.evaluations} evaluations)")
    entry = {"cost_matching": records(solution.matches)} if solution.matches else {}
    if stated:
        entry["cost_matching_stated"] = stated
    return solution.scenario, entry, solution.ready


def cmd_match(args: argparse.Namespace) -> int:
    """Solve the scenario's cost matches; print them, and write the solved scenario with ``--out``."""
    from sim.scenario import dump_yaml

    scenario = load(args.file, args.overrides, args.replications)
    if not any(s.match_cost_of for s in scenario.schemes):
        return bad_input([f"{args.file}: no scheme has match_cost_of: nothing to solve"])
    problems = check_out_file(args.out) if args.out is not None else []   # before the solve, which takes minutes
    if problems:
        return bad_input(problems)
    solved, _, _ = solve_cost_matches(args, scenario)
    if args.out is not None:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(dump_yaml(solved), encoding="utf-8")
        except OSError as err:
            return bad_input([f"{args.out}: cannot write the solved scenario: {err.strerror or err}"])
        print(f"solved scenario: {args.out}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from sim.experiment.batch import REFUSALS
    from sim.experiment.plan import check_size, sweep_size
    from sim.experiment.precision import Loop, cap_warnings

    scenario = load(args.file, args.overrides, args.replications, args.seed)
    # A huge sweep is refused before the experiment layer is even imported.
    check_size(sweep_size(scenario.sweep), len(scenario.schemes), scenario.replications, args.allow_large,
               scenario.source)
    out = args.out or Path("reports") / scenario.name
    names = [s.name for s in scenario.schemes]
    problems = check_out(out)
    if args.baseline is not None and args.baseline not in names:
        problems.append(f"--baseline: no scheme named {args.baseline!r}; choose one of {', '.join(names)}")
    if problems:
        return bad_input(problems)
    precision = Loop(tuple(args.precision), args.max_replications, args.baseline or names[0], args.precision_step) \
        if args.precision else None
    rerun = f"teamsim run {args.file} --out {out}"
    try:
        scenario, matched, ready = solve_cost_matches(args, scenario)
    except REFUSALS as err:
        return refused(err, rerun)
    after = report_after(args, scenario)
    try:
        result = execute(args, scenario, out, matched, baseline=args.baseline, precision=precision, then=after,
                         ready=ready)
    except REFUSALS as err:
        return refused(err, rerun)
    except OSError as err:
        return report_failed(out, err)
    if precision is not None:
        from sim.experiment import store
        for line in cap_warnings(store.read_manifest(out).get("precision", {})):
            print(f"warning: {line}", file=sys.stderr)
    print(f"results: {out} ({result.n_runs} runs in {result.wall_seconds:.1f} s"
          + (f"; {result.reused} already stored" if result.reused else "") + ")")
    code = report_failures(result, rerun)
    return EXIT_FAILED_RUNS if after.failed else code
