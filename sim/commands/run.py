"""``teamsim run``: every scheme for every replication (of every sweep point), results and report on disk."""

from __future__ import annotations

import argparse
import sys
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
    add_executor_options(r)
    r.add_argument("--no-report", action="store_true", help="skip report.html")
    r.set_defaults(func=cmd_run)


def executor_spec(args: argparse.Namespace) -> Any:
    from sim.experiment.executors import choose
    return choose(args.workers, args.scheduler, args.dask_local)


def check_out(out: Path) -> list[str]:
    return [f"{out}: --out must be a folder"] if out.exists() and not out.is_dir() else []


def execute(args: argparse.Namespace, scenario: Any, out: Path, **kwargs: Any) -> Any:
    """Run a batch, turning refusals of the experiment layer into bad input (exit 2, nothing lost)."""
    from sim.experiment.batch import ResumeRefused, run_batch
    from sim.experiment.executors import ExecutorError
    from sim.scenario.loader import read_yaml

    try:
        marks = read_yaml(args.file)[1]
        return run_batch(scenario, out, quiet=args.quiet, executor=executor_spec(args), resume=args.resume,
                         source=str(args.file), marks=marks, **kwargs)
    except (ResumeRefused, ExecutorError) as err:
        return bad_input([str(err)])


def report_failures(result: Any, rerun: str) -> int:
    if result.interrupted:
        print(f"batch stopped early: {result.interrupted}; {len(result.runs)} runs stored. "
              f"Continue with: {rerun} --resume", file=sys.stderr)
    for f in result.failures[:MAX_LISTED]:
        where = f" point {f['point']}" if "point" in f else ""
        print(f"run failed:{where} scheme {f['scheme']!r} replication {f['replication']}: {f['error']}",
              file=sys.stderr)
    if len(result.failures) > MAX_LISTED:
        print(f"... and {len(result.failures) - MAX_LISTED} more failed runs (see failures.parquet)", file=sys.stderr)
    return EXIT_FAILED_RUNS if result.failures or result.interrupted else EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    scenario = load(args.file, args.overrides, args.replications, args.seed)
    out = args.out or Path("reports") / scenario.name
    names = [s.name for s in scenario.schemes]
    problems = check_out(out)
    if args.baseline is not None and args.baseline not in names:
        problems.append(f"--baseline: no scheme named {args.baseline!r}; choose one of {', '.join(names)}")
    if problems:
        return bad_input(problems)
    from sim.experiment.precision import Loop
    loop = Loop(tuple(args.precision), args.max_replications, args.baseline or names[0], args.precision_step) \
        if args.precision else None
    result = execute(args, scenario, out, baseline=args.baseline, precision=loop,
                     max_replications=args.max_replications)
    if isinstance(result, int):
        return result
    if loop is not None:
        from sim.experiment import store
        from sim.experiment.precision import cap_warnings
        for line in cap_warnings(store.read_manifest(out).get("precision", {})):
            print(f"warning: {line}", file=sys.stderr)
    if not args.no_report and not result.runs.empty:
        from sim.report import write_report
        print(f"report: {write_report(out)}")
    print(f"results: {out} ({len(result.runs)} runs in {result.wall_seconds:.1f} s"
          + (f"; {result.reused} already stored" if result.reused else "") + ")")
    return report_failures(result, f"teamsim run {args.file} --out {out}")
