"""The ``teamsim`` command: validate, show, run and report scenarios.

Exit codes: 0 success; 1 some runs failed (the rest are stored); 2 bad input (one line per
problem on stderr, no traceback, nothing run); 130 interrupted (Ctrl-C); 141 the reader of the
output went away (``teamsim plans | head``), quietly, as other tools do.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.scenario import Problem, ScenarioError, dump_yaml, load_scenario

EXIT_OK, EXIT_FAILED_RUNS, EXIT_BAD_INPUT = 0, 1, 2
EXIT_BROKEN_PIPE = 141   # 128 + SIGPIPE, what a shell reports for a command whose reader left

#: Modules that each add their sub-commands with ``register(subparsers)``; each sets ``func``.
COMMAND_MODULES = ("sim.commands.run", "sim.commands.sensitivity", "sim.commands.report", "sim.commands.validity",
                   "sim.commands.export", "sim.commands.robust", "sim.commands.optimize", "sim.commands.plans",
                   "sim.commands.replay")


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as one line and exit code 2 (its default), without usage noise."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"teamsim: {message}\n")


def _whole_number(lowest: int, words: str):
    """An argparse type: a whole number no lower than ``lowest``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"{words}, got {value}")
        return value
    return parse


positive_int = _whole_number(1, "must be at least 1")
non_negative_int = _whole_number(0, "must not be negative")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="teamsim", description="Team-incentive compensation simulator for staffing firms.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="check scenario files (every sweep point and uncertain range included)")
    v.add_argument("files", nargs="+", type=Path)
    v.add_argument("--allow-large", action="store_true", help="accept a sweep of more than 100,000 runs")

    s = sub.add_parser("show", help="print the resolved scenario (every default filled) as YAML")
    s.add_argument("file", type=Path)
    s.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    v.set_defaults(func=cmd_validate)
    s.set_defaults(func=cmd_show)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return p


def bad_input(problems: Sequence[Problem | str]) -> int:
    for problem in problems:
        print(str(problem), file=sys.stderr)
    return EXIT_BAD_INPUT


def load(file: Path, overrides: Sequence[str], replications: int | None = None, seed: int | None = None):
    extra = list(overrides)
    if replications is not None:
        extra.append(f"replications={replications}")
    if seed is not None:
        extra.append(f"seed={seed}")
    return load_scenario(file, extra)


def cmd_validate(args: argparse.Namespace) -> int:
    """Everything ``run`` checks before it starts: the file, every sweep point and every uncertain range."""
    from sim.experiment.plan import check_ranges, make_plan, ranges_leaving_out

    problems: list[Problem] = []
    for f in args.files:
        try:
            scenario = load_scenario(f)
            if scenario.sweep is not None:
                make_plan(scenario, allow_large=args.allow_large)
            if scenario.uncertain:
                check_ranges(scenario, scenario.uncertain)
                for warning in ranges_leaving_out(scenario, scenario.uncertain):
                    print(warning, file=sys.stderr)
            print(f"{f}: ok")
        except ScenarioError as err:
            problems.extend(err.problems)
    return bad_input(problems) if problems else EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    scenario = load(args.file, args.overrides)
    sys.stdout.write(dump_yaml(scenario))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)   # recorded in the manifest (audit trail)
    try:
        code = args.func(args)
        sys.stdout.flush()   # a reader gone away is found here, not in the interpreter's teardown
        return code
    except ScenarioError as err:
        return bad_input(err.problems)
    except KeyboardInterrupt as stop:   # a batch says what it stored and how to continue
        print("teamsim: interrupted" + (f"; {stop}" if str(stop) else ""), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # What is still buffered for the closed pipe goes nowhere, so the teardown's flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
