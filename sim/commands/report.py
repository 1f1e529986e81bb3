"""``teamsim report``: rebuild report.html from stored results, without simulating."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import EXIT_OK, bad_input


def register(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser("report", help="rebuild report.html from stored results, without simulating")
    rep.add_argument("dir", type=Path)
    rep.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from sim.report import write_report

    if not (args.dir / "manifest.json").exists():
        return bad_input([f"{args.dir}: no stored results here (manifest.json missing); run 'teamsim run' first"])
    print(f"report: {write_report(args.dir)}")
    return EXIT_OK
