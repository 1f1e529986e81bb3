"""The ``teamsim`` command: validate, show, run and report scenarios.

Exit codes: 0 success; 1 some runs failed (the rest are stored); 2 bad input (one line per
problem on stderr, no traceback, nothing run).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.scenario import Problem, ScenarioError, dump_yaml, load_scenario

EXIT_OK, EXIT_FAILED_RUNS, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as one line and exit code 2 (its default), without usage noise."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"teamsim: {message}\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="teamsim", description="Team-incentive compensation simulator for staffing firms.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="check scenario files and report every problem")
    v.add_argument("files", nargs="+", type=Path)

    s = sub.add_parser("show", help="print the resolved scenario (every default filled) as YAML")
    s.add_argument("file", type=Path)
    s.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    r = sub.add_parser("run", help="run every scheme for every replication and write results")
    r.add_argument("file", type=Path)
    r.add_argument("--out", type=Path, help="output folder (default reports/<scenario name>/)")
    r.add_argument("--replications", type=_positive)
    r.add_argument("--seed", type=_non_negative)
    r.add_argument("--workers", type=_positive, help="processes (default: all cores)")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key, e.g. firm.pods=20 or schemes.team.rate=0.3 (repeatable)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--no-report", action="store_true", help="skip report.html")

    rep = sub.add_parser("report", help="rebuild report.html from stored results, without simulating")
    rep.add_argument("dir", type=Path)
    return p


def _bad(problems: Sequence[Problem | str]) -> int:
    for problem in problems:
        print(str(problem), file=sys.stderr)
    return EXIT_BAD_INPUT


def _load(file: Path, overrides: Sequence[str], replications: int | None = None, seed: int | None = None):
    extra = list(overrides)
    if replications is not None:
        extra.append(f"replications={replications}")
    if seed is not None:
        extra.append(f"seed={seed}")
    return load_scenario(file, extra)


def cmd_validate(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    for f in args.files:
        try:
            load_scenario(f)
            print(f"{f}: ok")
        except ScenarioError as err:
            problems.extend(err.problems)
    return _bad(problems) if problems else EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    scenario = _load(args.file, args.overrides)
    sys.stdout.write(dump_yaml(scenario))
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from sim.experiment.batch import run_batch

    scenario = _load(args.file, args.overrides, args.replications, args.seed)
    out = args.out or Path("reports") / scenario.name
    if out.exists() and not out.is_dir():
        return _bad([f"{out}: --out must be a folder"])
    result = run_batch(scenario, out, workers=args.workers, quiet=args.quiet)
    if not args.no_report and not result.runs.empty:
        from sim.report import write_report
        path = write_report(out)
        print(f"report: {path}")
    print(f"results: {out} ({len(result.runs)} runs in {result.wall_seconds:.1f} s)")
    if result.failures:
        for f in result.failures:
            print(f"run failed: scheme {f['scheme']!r} replication {f['replication']}: {f['error']}",
                  file=sys.stderr)
        return EXIT_FAILED_RUNS
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from sim.report import write_report

    if not (args.dir / "manifest.json").exists():
        return _bad([f"{args.dir}: no stored results here (manifest.json missing); run 'teamsim run' first"])
    print(f"report: {write_report(args.dir)}")
    return EXIT_OK


COMMANDS = {"validate": cmd_validate, "show": cmd_show, "run": cmd_run, "report": cmd_report}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ScenarioError as err:
        return _bad(err.problems)
    except KeyboardInterrupt:
        print("teamsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
