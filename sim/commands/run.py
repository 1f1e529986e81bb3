"""``teamsim run``: every scheme for every replication, results and report on disk."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli import EXIT_FAILED_RUNS, EXIT_OK, bad_input, load, non_negative_int, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("run", help="run every scheme for every replication and write results")
    r.add_argument("file", type=Path)
    r.add_argument("--out", type=Path, help="output folder (default reports/<scenario name>/)")
    r.add_argument("--replications", type=positive_int)
    r.add_argument("--seed", type=non_negative_int)
    r.add_argument("--workers", type=positive_int, help="processes (default: all cores)")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key, e.g. firm.pods=20 or schemes.team.rate=0.3 (repeatable)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--no-report", action="store_true", help="skip report.html")
    r.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from sim.experiment.batch import run_batch

    scenario = load(args.file, args.overrides, args.replications, args.seed)
    out = args.out or Path("reports") / scenario.name
    if out.exists() and not out.is_dir():
        return bad_input([f"{out}: --out must be a folder"])
    result = run_batch(scenario, out, workers=args.workers, quiet=args.quiet)
    if not args.no_report and not result.runs.empty:
        from sim.report import write_report
        print(f"report: {write_report(out)}")
    print(f"results: {out} ({len(result.runs)} runs in {result.wall_seconds:.1f} s)")
    if result.failures:
        for f in result.failures:
            print(f"run failed: scheme {f['scheme']!r} replication {f['replication']}: {f['error']}",
                  file=sys.stderr)
        return EXIT_FAILED_RUNS
    return EXIT_OK
