"""``teamsim export DIR --format xlsx|csv``: a stored batch as a workbook or Excel-ready CSVs, for finance."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import EXIT_OK, bad_input


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("export", help="write a stored batch as an Excel workbook or Excel-ready CSVs")
    e.add_argument("dir", type=Path, help="a results folder written by 'teamsim run'")
    e.add_argument("--format", choices=("xlsx", "csv"), default="xlsx",
                   help="xlsx: one workbook (default); csv: a folder of CSV files")
    e.add_argument("--out", type=Path, help="the workbook file or CSV folder (default DIR/export.xlsx or DIR/export/)")
    e.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from sim.export.tables import Batch, NotABatch
    from sim.export.workbook import write_csvs, write_xlsx

    target = args.out or args.dir / ("export.xlsx" if args.format == "xlsx" else "export")
    if args.format == "xlsx" and target.is_dir():
        return bad_input([f"{target}: --out is a folder; give the workbook's file name"])
    if args.format == "csv" and target.exists() and not target.is_dir():
        return bad_input([f"{target}: --out must be a folder for --format csv"])
    try:
        batch = Batch.read(args.dir)
        path = write_xlsx(batch, target) if args.format == "xlsx" else write_csvs(batch, target)
    except NotABatch as err:
        return bad_input([str(err)])
    except OSError as err:
        return bad_input([f"{target}: cannot write the export: {err.strerror or err}"])
    print(f"export: {path}")
    return EXIT_OK
