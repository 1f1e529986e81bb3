"""``teamsim replay placements.csv --people people.csv --scenario FILE``: last year's deals through every plan,
beside what the calibrated model expects once people respond (docs/finance.md, "Replay")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli import EXIT_OK, bad_input, load, positive_int

RULES = ("members: everyone employed on any day of a month, paid the role's whole monthly base",
         "perm: the whole fee credited in the start month",
         "contract: fee (total GP) spread evenly over contract_months months from the start",
         "fell_off: full refund and full clawback, half the guarantee after the start",
         "GP after the window's last month is not paid (counted in the notes)")
#: What the replay writes in --out: the static replay, the forecast's batch and the table beside them.
WRITES = {"static": "folder", "forecast": "folder", "replay.csv": "file"}


def register(sub: argparse._SubParsersAction) -> None:
    from sim.commands.run import add_executor_options

    r = sub.add_parser("replay", help="pay a firm's actual history through every plan of a scenario, beside the "
                                      "calibrated model's forecast")
    r.add_argument("placements", type=Path, help="placements.csv (the ATS export teamsim calibrate reads)")
    r.add_argument("--people", type=Path, required=True, help="people.csv (optional column pod: each person's team)")
    r.add_argument("--scenario", type=Path, required=True, help="scenario whose schemes are the plans to replay")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key of the scenario (repeatable)")
    r.add_argument("--out", type=Path, help="output folder (default reports/replay-<scenario name>/)")
    r.add_argument("--current", metavar="SCHEME", help="the firm's current plan (default: the scenario's first)")
    r.add_argument("--contract-months", type=positive_int,
                   help="months a contract's GP is spread over (default: market.contract_months_mean, rounded)")
    r.add_argument("--replications", type=positive_int, default=20, help="replications of the forecast (default 20)")
    r.add_argument("--tune-steps", type=positive_int, default=4, help="calibration's tuning steps (default 4)")
    r.add_argument("--pod-size", type=positive_int, default=5, help="recruiters (and AMs) per pod of the forecast")
    r.add_argument("--static-only", action="store_true", help="the replay alone, no forecast")
    add_executor_options(r)
    r.set_defaults(func=cmd_replay, no_report=True)


def _read(args: argparse.Namespace) -> tuple[list, list, list, object]:
    from sim.calibration.readers import read_people, read_placements
    from sim.scenario import ScenarioError

    problems: list = []
    placements = people = scenario = None
    for reader, path in ((read_placements, args.placements), (read_people, args.people)):
        try:
            rows = reader(path)
        except ScenarioError as err:
            problems += err.problems
            continue
        placements, people = (rows, people) if reader is read_placements else (placements, rows)
    try:
        scenario = load(args.scenario, args.overrides)
    except ScenarioError as err:
        problems += err.problems
    return problems, placements, people, scenario


def cmd_replay(args: argparse.Namespace) -> int:
    from sim.commands.run import check_out
    from sim.experiment.matching import unsolved
    from sim.replay.history import build_history
    from sim.replay.output import write_static
    from sim.replay.static import replay_plan
    from sim.scenario import ScenarioError, resolved_dict

    problems, placements, people, sc = _read(args)
    names = [s.name for s in sc.schemes] if sc is not None else []
    if sc is not None and args.current is not None and args.current not in names:
        problems.append(f"--current: no scheme named {args.current!r}; choose one of {', '.join(names)}")
    out = args.out or Path("reports") / f"replay-{sc.name if sc is not None else 'scenario'}"
    writes = {"static": "folder"} if args.static_only else WRITES
    problems += check_out(out) or [f"{out / name}: is in the way: the replay writes a {kind} there; move it or give "
                                   "another --out" for name, kind in writes.items()
                                   if (out / name).exists() and (out / name).is_dir() != (kind == "folder")]
    if problems:
        return bad_input(problems)
    for note in unsolved(sc):   # plans are replayed as written, and a cost match is not solved: said so
        print(note, file=sys.stderr)
    contract_months = args.contract_months or max(1, round(sc.market.contract_months_mean))
    try:
        history = build_history(placements, people, contract_months=contract_months,
                                guarantee_days=sc.market.guarantee_days, placements_source=str(args.placements),
                                people_source=str(args.people))
    except ScenarioError as err:
        return bad_input(err.problems)
    current = args.current or names[0]
    f = sc.finance
    paid = {s.name: replay_plan(history, s.name, s.plan, f.payroll_burden, f.overhead_per_seat_month)
            for s in sc.schemes}
    history.notes += [note for p in paid.values() for note in p["notes"]]   # in the manifest and printed
    audit = {"command_line": ["teamsim", *getattr(args, "argv", sys.argv[1:])], "overrides": list(args.overrides)}
    inputs = {"placements": args.placements, "people": args.people, "scenario": args.scenario}
    try:
        static = write_static(out / "static", history, paid, resolved_dict(sc), inputs, audit, current,
                              [*RULES, f"contract_months: {contract_months}"])
    except OSError as err:
        return bad_input([f"{out / 'static'}: cannot write the replay: {err.strerror or err}"])
    for note in history.notes:
        print(f"note: {note}", file=sys.stderr)
    months, deals = len(history.months), len(history.placements)
    print(f"replay of {deals:,} placements over {months} months ({history.months[0]:%Y-%m} to "
          f"{history.months[-1]:%Y-%m}), every plan of {args.scenario}: {out / 'static'}")
    print(f"{'plan':24} {'pay':>14} {'variable pay':>14} {'gross profit':>14}")
    for _, r in static.iterrows():
        print(f"{r['scheme']:24} {r['commission_paid'] + r['base_pay']:>14,.2f} {r['commission_paid']:>14,.2f} "
              f"{r['gross_profit']:>14,.2f}")
    if args.static_only:
        return EXIT_OK
    return _forecast(args, sc, placements, people, months, deals, current, static, out)


def _forecast(args, sc, placements, people, months, deals, current, static, out) -> int:
    from sim.commands.run import execute, refused, report_failures
    from sim.experiment.batch import REFUSALS
    from sim.export.cells import write_csv
    from sim.replay.forecast import calibrated, comparison, sentences

    print(f"\ncalibrating the model on the history under {current!r} ...", file=sys.stderr)
    tuned = calibrated(sc, placements, people, months, current, args.replications, pod_size=args.pod_size,
                       steps=args.tune_steps, progress=lambda m: print(f"tuning {m}", file=sys.stderr))
    rerun = f"teamsim replay {args.placements} --people {args.people} --scenario {args.scenario} --out {out}"
    try:
        result = execute(args, tuned, out / "forecast", baseline=current)
    except REFUSALS as err:
        return refused(err, rerun)
    table = comparison(static, result.runs, current)
    try:
        write_csv(table, out / "replay.csv")
    except OSError as err:
        return bad_input([f"{out / 'replay.csv'}: cannot write the table: {err.strerror or err}; the replay and the "
                          f"forecast are stored in {out / 'static'} and {out / 'forecast'}"])
    print(f"\nforecast: {out / 'forecast'} ({len(result.runs)} runs, {args.replications} replications per plan, "
          "common random numbers)")
    for line in sentences(table, current, months, deals):
        print(line)
    print(f"table: {out / 'replay.csv'}")
    return report_failures(result, rerun)
