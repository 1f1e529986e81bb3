"""``teamsim validate-model`` (the validation suite) and ``teamsim calibrate`` (fit to a firm's data)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli import EXIT_OK, bad_input

EXIT_CHECK_FAILED = 1


def register(sub: argparse._SubParsersAction) -> None:
    from sim.validation.runner import NAMES

    v = sub.add_parser("validate-model", help="run the validation checks and write a validation report")
    v.add_argument("--out", type=Path, default=Path("reports/validation"), help="output folder")
    v.add_argument("--size", choices=("full", "quick"), default="full",
                   help="quick: fewer replications (what the tests run)")
    v.add_argument("--only", action="append", choices=NAMES, default=[], help="run only this check (repeatable)")
    v.set_defaults(func=cmd_validate_model)


def cmd_validate_model(args: argparse.Namespace) -> int:
    """Run the checks, print the table, write the report. Exit 1 if any case failed."""
    from sim.validation import report, runner
    from sim.validation.result import Size

    if args.out.exists() and not args.out.is_dir():
        return bad_input([f"{args.out}: --out must be a folder"])
    outcomes = runner.run_all(Size.named(args.size), args.only,
                              progress=lambda name: print(f"running {name} ...", file=sys.stderr))
    print(runner.table(outcomes))
    print(f"report: {report.write(args.out, outcomes, args.size)}")
    return EXIT_OK if all(o.passed for o in outcomes) else EXIT_CHECK_FAILED
