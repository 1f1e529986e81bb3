"""``teamsim report`` (rebuild report.html from stored results, without simulating) and ``teamsim app``."""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from pathlib import Path

from sim.cli import EXIT_OK, bad_input, non_negative_int, positive_int

DEFAULT_APP_SCENARIO = Path("scenarios/workshop_demo.yaml")


def register(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser("report", help="rebuild report.html from stored results, without simulating")
    rep.add_argument("dir", type=Path)
    rep.set_defaults(func=cmd_report)

    app = sub.add_parser("app", help="serve the live workshop page on 127.0.0.1 (Ctrl-C to stop)")
    app.add_argument("file", type=Path, nargs="?", default=DEFAULT_APP_SCENARIO,
                     help=f"scenario file (default {DEFAULT_APP_SCENARIO})")
    app.add_argument("--port", type=non_negative_int, default=0, help="port (default 0: a free one, printed)")
    app.add_argument("--workers", type=positive_int, default=2, help="background processes (default 2)")
    app.add_argument("--replications", type=positive_int, default=20, help="replications per Run (default 20)")
    app.add_argument("--max-replications", type=positive_int, default=500,
                     help="the most replications one Run may ask for (default 500)")
    app.add_argument("--out", type=Path, help="where the session is kept (default reports/<scenario name>/)")
    app.add_argument("--present", action="store_true", help="open in presenter mode (large type, one chart at a time)")
    app.set_defaults(func=cmd_app)


def _kind(out: Path) -> str | None:
    """The manifest's ``kind`` (``replay`` for a static replay; none for a batch), if it can be read."""
    import json
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return None   # reported below, with the rest of what cannot be read
    return manifest.get("kind") if isinstance(manifest, dict) else None


def cmd_report(args: argparse.Namespace) -> int:
    """Rebuild the report under the folder's writer lock (a batch writing there is not read half-done)."""
    import pyarrow as pa

    from sim.experiment.store import StoreError, writer_lock
    from sim.report import write_report

    if not (args.dir / "manifest.json").exists():
        return bad_input([f"{args.dir}: no stored results here (manifest.json missing); run 'teamsim run' first"])
    if _kind(args.dir) == "replay":
        return bad_input([f"{args.dir}: a static replay (teamsim replay), which has no report: its table is "
                          f"{args.dir.parent / 'replay.csv'}, its workbook 'teamsim export {args.dir}', and the "
                          f"forecast's report 'teamsim report {args.dir.parent / 'forecast'}'"])
    try:
        with writer_lock(args.dir):
            print(f"report: {write_report(args.dir)}")
    except StoreError as err:
        return bad_input([str(err)])
    except (OSError, ValueError, pa.ArrowException) as err:   # ValueError: JSON
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err).splitlines()[0][:160]
        return bad_input([f"{args.dir}: the stored results cannot be read ({reason}); run the batch again with "
                          "--resume to repair them"])
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    from sim.app.server import serve

    if args.port > 65535:
        return bad_input([f"--port: must be at most 65535, got {args.port}"])
    try:
        code = serve(args.file, args.port, args.workers, args.replications, out=args.out, present=args.present,
                     max_replications=args.max_replications)
    except OSError as err:   # e.g. the port is taken
        return bad_input([f"app: cannot listen on 127.0.0.1:{args.port}: {err.strerror or err}"])
    # Stopped, workers gone, session committed: skip the interpreter's teardown, which takes most of a
    # second on a busy machine (SIGTERM must end the app within 2 s).
    atexit._run_exitfuncs()   # multiprocessing's own clean-up (its semaphores) still runs
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
