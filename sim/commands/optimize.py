"""``teamsim optimize``: search one scheme's settings for the best objective under constraints (Optuna TPE).

Every trial runs the scheme for the same replications (common random numbers) through the
experiment layer; Optuna's SQLite storage in the output folder (``optuna.db``) makes the search
resumable (``--resume``). At the end it prints the best plan and the Pareto front, writes the best plan
as a scenario file (``best.yaml``) and re-runs it against the scheme as it stands with fresh
replications (a seed no trial used), for an estimate the search's selection has not flattered.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.cli import bad_input, load, non_negative_int, positive_int
from sim.commands.robust import add_decision_options, decision_of
from sim.commands.run import add_executor_options, check_out

DEFAULT_TRIALS = 24


def vary_arg(text: str) -> Any:
    from sim.experiment.optimize import parse_vary
    try:
        return parse_vary(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--vary: ")) from None


def register(sub: argparse._SubParsersAction) -> None:
    o = sub.add_parser("optimize", help="search a scheme's settings for the best objective under constraints")
    o.add_argument("file", type=Path)
    o.add_argument("--scheme", required=True, metavar="NAME", help="the scheme whose settings are searched")
    o.add_argument("--vary", type=vary_arg, action="append", required=True, metavar="KEY=LO..HI",
                   help="a setting of the scheme and its range, e.g. schemes.hybrid.individual_weight=0.2..0.8")
    add_decision_options(o)
    o.add_argument("--trials", type=positive_int, default=DEFAULT_TRIALS, help=f"trials (default {DEFAULT_TRIALS})")
    o.add_argument("--replications", type=positive_int, help="replications per trial (the same for every trial)")
    o.add_argument("--confirm-replications", type=positive_int, help="fresh replications of the best plan "
                   "(default: as many as a trial)")
    o.add_argument("--worlds", type=positive_int, metavar="N",
                   help="evaluate every trial in the same N worlds drawn from the scenario's uncertain ranges (a "
                        "Latin hypercube) and score it at its 10th percentile across them (90th for a metric to "
                        "minimise; each constraint at its unfavourable 10th/90th): a plan that holds up")
    o.add_argument("--seed", type=non_negative_int)
    o.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    o.add_argument("--out", type=Path, help="output folder (default reports/<scenario name>-optimize/)")
    add_executor_options(o)
    o.add_argument("--no-report", action="store_true", help="skip optimize.html")
    o.set_defaults(func=cmd_optimize)


def fresh_seed(seed: int) -> int:
    """A seed for the confirmation run that no trial used (trials all use ``seed``)."""
    return int((seed * 6364136223846793005 + 1442695040888963407) % (2**63 - 1)) or 1


def _problems(args: argparse.Namespace, scenario: Any) -> list[str]:
    from sim.scenario import resolved_dict
    from sim.scenario.paths import check_variable

    names = [s.name for s in scenario.schemes]
    problems = check_out(args.out)
    if args.scheme not in names:
        return problems + [f"--scheme: no scheme named {args.scheme!r}; choose one of {', '.join(names)}"]
    prefix = f"schemes.{args.scheme}."
    problems += [f"--vary: {d.key}: not a setting of scheme {args.scheme!r} (keys start with {prefix!r})"
                 for d in args.vary if not d.key.startswith(prefix)]
    view = resolved_dict(scenario)
    problems += [f"--vary: {d.key}: {why}" for d in args.vary
                 if d.key.startswith(prefix) and (why := check_variable(view, d.key))]
    if getattr(args, "worlds", None) and not scenario.uncertain:
        problems.append(f"--worlds: {args.file} has no uncertain: ranges to draw worlds from")
    keys = [d.key for d in args.vary]
    problems += [f"--vary: {k} is given twice" for k in dict.fromkeys(k for k in keys if keys.count(k) > 1)]
    return problems


def cmd_optimize(args: argparse.Namespace) -> int:
    from sim.decision import make_decision
    from sim.experiment.optimize import Dimension, open_study
    from sim.experiment.plan import integer_keys, make_plan
    from sim.scenario import resolved_dict

    scenario = load(args.file, args.overrides, args.replications, args.seed)
    args.out = args.out or Path("reports") / f"{scenario.name}-optimize"
    problems = _problems(args, scenario)
    if problems:
        return bad_input(problems)
    one = scenario.model_copy(update={"schemes": [scenario.scheme(args.scheme)], "sweep": None, "uncertain": None})
    ints = set(integer_keys(resolved_dict(one), [d.key for d in args.vary]))
    space = [Dimension(d.key, d.low, d.high, d.key in ints) for d in args.vary]
    # Each end of each range on its own: a value the scenario refuses is bad input before any trial runs.
    checks = [(("--vary", d.key), d.key, int(v) if d.integer else v) for d in space for v in (d.low, d.high)]
    make_plan(one, [{}], str(args.file), checks=checks, label="--vary")
    args.world_points = []
    if args.worlds:
        from sim.experiment.robust import design, points_of
        unc = scenario.uncertain
        args.world_points = points_of(unc, design(unc, args.worlds, scenario.seed),
                                      integer_keys(resolved_dict(scenario), list(unc)))
        make_plan(one, [{}], str(args.file), checks=[(("uncertain", k), k, v) for k, pair in unc.items() for v in pair],
                  label="uncertain")
    dec = decision_of(args, scenario)
    decision = make_decision(dec["objective"], dec["constraints"])
    settings = {"scheme": args.scheme, "space": [d.text for d in space], "decision": decision.as_dict(),
                "replications": scenario.replications, "seed": scenario.seed,
                "scenario": resolved_dict(one), "worlds": args.world_points}
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        study = open_study(f"sqlite:///{args.out / 'optuna.db'}", decision, settings, args.resume)
    except ValueError as err:
        return bad_input([f"{args.out}: {err}"])
    from sim.commands.optimize_results import conclude
    return conclude(args, scenario, one, space, decision, study)


def evaluator(args: argparse.Namespace, one: Any, metrics: list[str], decision: Any = None) -> Any:
    """The one coupling to the experiment layer: a batch of trials run as the sweep points of one batch
    (with ``--worlds``, every trial in every world, scored across them by :func:`across_worlds`)."""
    from sim.commands.run import commit_option, executor_spec
    from sim.experiment.batch import BatchRequest, Design, run_batch
    from sim.experiment.optimize import across_worlds

    worlds = getattr(args, "world_points", None) or [{}]

    def evaluate(points: list[dict[str, Any]]) -> list[dict[str, float]]:
        expanded = [{**w, **p} for p in points for w in worlds]
        result = run_batch(BatchRequest(one, args.out / "evaluation", executor=executor_spec(args),
                                        design=Design(expanded, label="--vary"), source=str(args.file),
                                        **commit_option(args)))
        means = result.runs.groupby("point")[metrics].mean() if len(result.runs) else None
        per_point = [{m: float(means.loc[i, m]) for m in metrics} if means is not None and i in means.index else {}
                     for i in range(len(expanded))]
        if len(worlds) == 1:
            return per_point
        n = len(worlds)
        return [across_worlds(per_point[i * n:(i + 1) * n], decision) for i in range(len(points))]
    return evaluate


def progress(total: int, quiet: bool) -> Any:
    def say(done: int) -> None:
        if not quiet:
            print(f"trials: {done}/{total}", file=sys.stderr)
    return say

