"""``teamsim robust``: which scheme wins across the plausible worlds, where it loses, and what drives it.

Draws ``--points`` worlds from the scenario's ``uncertain:`` ranges (a seeded Latin hypercube), runs
every scheme for the same replications in each world (common random numbers: paired within a
world) through the experiment layer (any executor, resumable), then analyses the stored runs
(:mod:`sim.experiment.robust_analysis`). "Better" is the scenario's ``decision:`` block, or
``--objective`` and ``--constraint`` (default: profit).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from sim.cli import EXIT_OK, bad_input, load, non_negative_int, positive_int
from sim.commands.run import add_executor_options, check_out, execute, refused, report_failed, report_failures

DEFAULT_POINTS = 64


def constraint_arg(text: str) -> str:
    from sim.decision import parse_constraint
    try:
        return parse_constraint(text).text
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--constraint: ")) from None


def objective_arg(text: str) -> str:
    from sim.decision import check_metric
    try:
        check_metric(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--objective: ")) from None
    return text


def add_decision_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--objective", type=objective_arg, metavar="METRIC",
                   help="metric that says which scheme is better (default: the scenario's decision:, else profit)")
    p.add_argument("--constraint", type=constraint_arg, action="append", default=None, metavar="METRIC<=X",
                   help="a bound a scheme must meet to count as better, e.g. turnover_rate_annual<=0.35 (repeatable)")


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("robust", help="compare the schemes across plausible worlds drawn from 'uncertain:'")
    r.add_argument("file", type=Path)
    r.add_argument("--points", type=positive_int, default=DEFAULT_POINTS,
                   help=f"worlds drawn from the uncertain ranges (default {DEFAULT_POINTS})")
    r.add_argument("--replications", type=positive_int, help="replications of every scheme in each world")
    r.add_argument("--seed", type=non_negative_int)
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    r.add_argument("--baseline", metavar="SCHEME", help="scheme the others are compared with (default: the first)")
    add_decision_options(r)
    r.add_argument("--out", type=Path, help="output folder (default reports/<scenario name>-robust/)")
    add_executor_options(r)
    r.add_argument("--no-report", action="store_true", help="skip report.html")
    r.set_defaults(func=cmd_robust)


def decision_of(args: argparse.Namespace, scenario: Any) -> dict[str, Any]:
    """The command line's objective and constraints, else the scenario's ``decision:``, else profit."""
    block = scenario.decision
    objective = args.objective or (block.objective if block else "profit")
    constraints = args.constraint if args.constraint is not None else (list(block.constraints) if block else [])
    return {"objective": objective, "constraints": constraints}


def range_problems(file: Path, scenario: Any) -> list[str]:
    """No ``uncertain:`` block, a sweep beside it, or a range whose low is not below its high."""
    from sim.scenario import Problem, read_yaml

    if not scenario.uncertain:
        return [f"{file}: uncertain: no uncertain ranges to draw worlds from; give a range per key, "
                "e.g. uncertain: {market.conversion_max: [0.6, 0.98]}"]
    problems = []
    if scenario.sweep is not None:
        problems.append(f"{file}: sweep: a robust comparison draws its own worlds from 'uncertain:'; remove 'sweep:'")
    marks = read_yaml(file)[1] if file.is_file() else {}
    for key, (lo, hi) in scenario.uncertain.items():
        if not lo < hi:
            line = marks.get(("uncertain", key), (None, None))
            problems.append(str(Problem(str(file), f"uncertain.{key}",
                                        f"the range [{lo:g}, {hi:g}] needs its low below its high", *line)))
    return problems


def run_worlds(args: argparse.Namespace, scenario: Any, out: Path, points: list[dict[str, Any]], baseline: str,
               info: dict[str, Any], then: Any) -> Any:
    """The one coupling to the experiment layer: the worlds run as the points of one batch; ``then`` runs
    under the folder's lock once they are stored (the analysis and the report)."""
    from sim.experiment.batch import Design

    checks = [(("uncertain", k), k, v) for k, pair in scenario.uncertain.items() for v in pair]
    design = Design(points, checks, "uncertain", identity={"robust": {"points": len(points)}},
                    manifest={"robust": info})
    return execute(args, scenario, out, design=design, baseline=baseline, then=then)


def cmd_robust(args: argparse.Namespace) -> int:
    from sim.experiment.batch import REFUSALS
    from sim.experiment.plan import integer_keys, ranges_leaving_out
    from sim.experiment.robust import DEFAULT_METRICS, design_elsewhere, points_of
    from sim.experiment.robust_analysis import analyse_in_fresh_process
    from sim.scenario import resolved_dict

    scenario = load(args.file, args.overrides, args.replications, args.seed)
    out = args.out or Path("reports") / f"{scenario.name}-robust"
    names = [s.name for s in scenario.schemes]
    problems = check_out(out) + range_problems(args.file, scenario)
    if args.baseline is not None and args.baseline not in names:
        problems.append(f"--baseline: no scheme named {args.baseline!r}; choose one of {', '.join(names)}")
    if len(names) < 2:
        problems.append(f"{args.file}: schemes: a robust comparison needs at least two schemes")
    if problems:
        return bad_input(problems)
    baseline = args.baseline or names[0]
    decision = decision_of(args, scenario)
    leaving_out = [str(w) for w in ranges_leaving_out(scenario, scenario.uncertain)]
    for line in leaving_out:
        print(line, file=sys.stderr)
    X = design_elsewhere(scenario.uncertain, args.points, scenario.seed)
    points = points_of(scenario.uncertain, X, integer_keys(resolved_dict(scenario), list(scenario.uncertain)))
    info = {"points": args.points, "seed": scenario.seed, "sampler": "scipy.stats.qmc.LatinHypercube (scrambled)",
            "uncertain": {k: list(v) for k, v in scenario.uncertain.items()}, "decision": decision,
            "replications": scenario.replications, "tables": ["robust.parquet", "robust.csv", "robust.json"],
            "range_warnings": leaving_out}
    analysis: dict[str, Any] = {}

    def then(result: Any) -> None:   # under the folder's lock: the analysis, then the report
        if result.runs.empty or result.failures or result.interrupted:
            return
        jobs = args.workers or args.dask_local or os.cpu_count() or 1   # the cores the batch was given
        analysis.update(analyse_in_fresh_process(out, scenario.uncertain, names, baseline, decision,
                                                 list(DEFAULT_METRICS), scenario.seed, jobs))
        if not args.no_report:
            from sim.report import write_report
            print(f"report: {write_report(out)}")

    rerun = f"teamsim robust {args.file} --out {out}"
    try:
        result = run_worlds(args, scenario, out, points, baseline, info, then)
    except REFUSALS as err:
        return refused(err, rerun)
    except OSError as err:
        return report_failed(out, err)
    code = report_failures(result, rerun)
    if not analysis:
        return code
    for line in analysis["warnings"]:
        print(f"warning: {line}", file=sys.stderr)
    for line in analysis["headline"]:
        print(line)
    print(f"robust: {out / 'robust.csv'} ({args.points} worlds x {len(names)} schemes x {scenario.replications} "
          f"replications, {len(result.runs)} runs in {result.wall_seconds:.1f} s)")
    return EXIT_OK
