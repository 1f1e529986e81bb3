"""``teamsim sensitivity``: which uncertain assumption matters most? Sobol or Morris indices (SALib).

The scenario's ``uncertain:`` section gives a range per dotted key. The command designs the points
(:func:`sim.experiment.sensitivity.design`), runs them like any sweep (every scheme, the scenario's
replications, resumable, on any executor), then writes ``sensitivity.parquet`` and records the
analysis in ``manifest.json`` under ``"sensitivity"``. ``--difference SCHEME`` analyses the paired
difference between that scheme and the baseline (what drives the gap, not the levels). Indices too
uncertain to mean anything (see :func:`sim.experiment.sensitivity.too_small`) are warned about on
stderr and in the manifest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli import bad_input, load, non_negative_int, positive_int
from sim.commands.run import (
    add_executor_options,
    check_out,
    execute,
    refused,
    report_after,
    report_failed,
    report_failures,
)

DEFAULT_METRICS = ("profit", "gross_profit", "mean_cooperation", "turnover_rate_annual")


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("sensitivity", help="Sobol or Morris sensitivity of metrics to the scenario's uncertain keys")
    s.add_argument("file", type=Path)
    s.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    s.add_argument("--n", type=positive_int,
                   help="base sample size: Sobol runs N x (D+2) points (a power of two, default 64); "
                        "Morris N trajectories of D+1 points (default 16)")
    s.add_argument("--metrics", type=_names, default=list(DEFAULT_METRICS), metavar="M1,M2",
                   help=f"metrics to analyse (default {','.join(DEFAULT_METRICS)})")
    s.add_argument("--schemes", type=_names, metavar="S1,S2", help="schemes to run and analyse (default: all)")
    s.add_argument("--difference", metavar="SCHEME",
                   help="analyse the paired difference SCHEME - baseline instead of each scheme's level")
    s.add_argument("--baseline", metavar="SCHEME", help="baseline of --difference (default: the first scheme)")
    s.add_argument("--resamples", type=positive_int, default=200, help="bootstrap resamples for the intervals")
    s.add_argument("--out", type=Path, help="output folder (default reports/<scenario name>-sensitivity/)")
    s.add_argument("--replications", type=positive_int, help="replications averaged per point")
    s.add_argument("--seed", type=non_negative_int)
    s.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    add_executor_options(s)
    s.add_argument("--no-report", action="store_true", help="skip report.html")
    s.set_defaults(func=cmd_sensitivity)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.experiment import store
    from sim.experiment.batch import REFUSALS, BatchResult, Design
    from sim.experiment.plan import check_size, integer_keys
    from sim.experiment.sensitivity import DEFAULT_N, analyse, design, too_small
    from sim.metrics import BY_NAME
    from sim.scenario import resolved_dict

    scenario = load(args.file, args.overrides, args.replications, args.seed)
    out = args.out or Path("reports") / f"{scenario.name}-sensitivity"
    names = [s.name for s in scenario.schemes]
    problems = check_out(out)
    if not scenario.uncertain:
        problems.append(f"{args.file}: uncertain: nothing to analyse; give a range per key, "
                        "e.g. uncertain: {market.job_order_rate: [4, 8]}")
    if scenario.sweep is not None:
        problems.append(f"{args.file}: sweep: a sensitivity analysis designs its own points from 'uncertain:'; "
                        "remove 'sweep:' (or use teamsim run for the sweep)")
    for key, (lo, hi) in (scenario.uncertain or {}).items():
        if lo == hi:
            problems.append(f"{args.file}: uncertain.{key}: the range [{lo:g}, {hi:g}] is a single value")
    problems += [f"--metrics: unknown metric {m!r}" for m in args.metrics if m not in BY_NAME]
    problems += [f"--schemes: no scheme named {s!r}; choose from {', '.join(names)}" for s in args.schemes or ()
                 if s not in names]
    baseline = args.baseline or (args.schemes or names)[0]
    for flag, name in (("--difference", args.difference), ("--baseline", args.baseline)):
        if name is not None and name not in names:
            problems.append(f"{flag}: no scheme named {name!r}; choose from {', '.join(names)}")
    if args.difference is not None and args.difference == baseline:
        problems.append(f"--difference: {args.difference!r} is the baseline; choose another scheme or --baseline")
    if problems:
        return bad_input(problems)
    if args.difference is not None:   # only the two schemes compared need to run
        args.schemes = [baseline, args.difference]
    if args.schemes:
        keep = [s for s in scenario.schemes if s.name in args.schemes]
        scenario = scenario.model_copy(update={"schemes": keep})
    n = args.n or DEFAULT_N[args.method]
    # At most n x (D + 2) points (Sobol; Morris has n x (D + 1)): refused before they are designed.
    check_size(n * (len(scenario.uncertain) + 2), len(scenario.schemes), scenario.replications,
               args.allow_large, scenario.source, "uncertain")
    d = design(scenario.uncertain, args.method, n, scenario.seed)
    base = resolved_dict(scenario)
    points = d.points(integer_keys(base, list(scenario.uncertain)))
    checks = [(("uncertain", k), k, v) for k, pair in scenario.uncertain.items() for v in pair]
    info = {**d.describe(), "metrics": list(args.metrics), "schemes": [s.name for s in scenario.schemes],
            "replications": scenario.replications, "num_resamples": args.resamples, "conf_level": 0.95,
            "table": "sensitivity.parquet",
            "difference": None if args.difference is None else {"scheme": args.difference, "baseline": baseline}}
    report = report_after(args)
    pair = None if args.difference is None else (args.difference, baseline)
    what = f"{args.difference} - {baseline}" if pair else "levels"

    def then(result: BatchResult) -> None:   # under the folder's lock: the indices, then the report
        table = analyse(d, result.runs, args.metrics, info["schemes"], num_resamples=args.resamples, difference=pair)
        store.write_table(out, "sensitivity", table)
        warnings = too_small(table, len(points), f"{d.method} indices of {what}")
        for line in warnings:
            print(f"warning: {line}", file=sys.stderr)
        if warnings:
            manifest = store.read_manifest(out)
            manifest["sensitivity"]["warnings"] = warnings
            store.write_manifest(out, manifest)
        report(result)

    rerun = f"teamsim sensitivity {args.file} --out {out}"
    plan = Design(points, checks, "uncertain", identity={"sensitivity": {"method": d.method, "n": n}},
                  manifest={"sensitivity": info})
    try:
        result = execute(args, scenario, out, design=plan, then=then)
    except REFUSALS as err:
        return refused(err, rerun)
    except OSError as err:
        return report_failed(out, err)
    print(f"sensitivity: {out / 'sensitivity.parquet'} ({d.method}, {len(points)} points, "
          f"{len(result.runs)} runs in {result.wall_seconds:.1f} s)")
    return report_failures(result, rerun)
