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
    app.add_argument("--replications", type=positive_int,
                     help="replications per Run (default: the file's replications, as teamsim run uses)")
    app.add_argument("--max-replications", type=positive_int, default=500,
                     help="the most replications one Run may ask for (default 500)")
    app.add_argument("--out", type=Path, help="where the session is kept (default reports/<scenario name>/)")
    app.add_argument("--present", action="store_true", help="open in presenter mode (large type, one chart at a time)")
    play = app.add_argument_group("the room plays (--play)")
    play.add_argument("--play", action="store_true",
                      help="participants join from their browsers with a code and play seats (docs/report.md)")
    play.add_argument("--host",
                      help="with --play: the address to listen on, as players will type it (default 127.0.0.1)")
    play.add_argument("--rounds",
                      help="with --play: the rounds' schemes, comma-separated (default: individual, then team pool)")
    play.add_argument("--months", type=positive_int, default=6, help="with --play: months a round (default 6)")
    play.add_argument("--players-per-pod", type=positive_int,
                      help="with --play: the most players a pod (default: its seats less one, so the model plays one)")
    app.set_defaults(func=cmd_app)


def cmd_report(args: argparse.Namespace) -> int:
    """Rebuild the report under the folder's writer lock (a batch writing there is not read half-done)."""
    import pyarrow as pa

    from sim.experiment import store
    from sim.experiment.store import StoreError, writer_lock
    from sim.report import write_report

    try:
        manifest = store.read_batch_manifest(args.dir)
    except StoreError as err:
        return bad_input([str(err)])
    if manifest.get("kind") == "replay":   # a static replay: laid out as a batch, but with no report
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
    if args.play:
        return cmd_play(args)
    if args.host is not None or args.rounds is not None or args.players_per_pod is not None:
        return bad_input(["app: --host, --rounds and --players-per-pod go with --play "
                          "(the workshop page is local only)"])
    try:
        code = serve(args.file, args.port, args.workers, args.replications, out=args.out, present=args.present,
                     max_replications=args.max_replications)
    except OSError as err:   # e.g. the port is taken
        return bad_input([f"app: cannot listen on 127.0.0.1:{args.port}: {err.strerror or err}"])
    return _exit(code)


def cmd_play(args: argparse.Namespace) -> int:
    """``teamsim app FILE --play``: validate, seat the room (sim.app.room) and serve it (sim.app.play)."""
    from sim.app.play import check_host, serve_room
    from sim.app.room import Room, RoomError, pick_rounds
    from sim.scenario import load_scenario

    host = "127.0.0.1" if args.host is None else args.host.strip()
    problem = check_host(host)
    if problem:
        return bad_input([problem])
    if args.months > 120:
        return bad_input([f"--months: at most 120 a round, got {args.months}"])
    scenario = load_scenario(args.file, [f"horizon_months={args.months}"])   # a bad file: one line per problem
    try:
        rounds = pick_rounds(scenario, [n.strip() for n in args.rounds.split(",")] if args.rounds else None)
    except RoomError as err:
        return bad_input([str(err)])
    seats = scenario.firm.recruiters_per_pod + scenario.firm.account_managers_per_pod
    per_pod = args.players_per_pod if args.players_per_pod is not None else max(1, seats - 1)
    if per_pod > seats:
        return bad_input([f"--players-per-pod: a pod has {seats} seats, got {per_pod}"])
    try:
        return _exit(serve_room(Room(scenario, rounds, per_pod), host, args.port))
    except OSError as err:   # the port is taken, or the address is not this machine's
        return bad_input([f"app: cannot listen on {host}:{args.port}: {err.strerror or err}"])


def _exit(code: int) -> int:
    """Stopped, workers gone, session committed: skip the interpreter's teardown, which takes most of a
    second on a busy machine (SIGTERM must end the app within 2 s)."""
    atexit._run_exitfuncs()   # multiprocessing's own clean-up (its semaphores) still runs
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
