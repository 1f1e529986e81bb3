"""The end of ``teamsim optimize``: run the search, then the best plan, the Pareto front and the fresh rerun.

Writes ``trials.parquet`` (one row per finished trial), ``best.yaml`` (the scenario with the best
settings), ``confirm/`` (the best plan against the scheme as it stands, with fresh replications, a
normal results folder with its own report), ``optimize.json`` and ``optimize.html``.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from typing import Any

from sim.cli import EXIT_FAILED_RUNS, EXIT_OK, bad_input
from sim.decision import Decision
from sim.experiment import store
from sim.experiment.optimize import Dimension, TrialsFailed, best_and_closest, pareto, search, trial_table

PARTNER = "turnover_rate_annual"   # the front's second axis when no constraint names one


def _fmt(v: Any) -> str:
    return f"{v:,.4g}" if isinstance(v, float) and abs(v) < 1000 else f"{v:,.0f}" if isinstance(v, float) else str(v)


def _trial_words(row: Any, space: list[Dimension], metrics: list[str]) -> str:
    return (f"trial {int(row['trial'])} (" + ", ".join(f"{d.key}={_fmt(float(row[d.key]))}" for d in space) + "; "
            + ", ".join(f"{m}={_fmt(float(row[m]))}" for m in metrics) + ")")


def confirm(args: argparse.Namespace, scenario: Any, space: list[Dimension], best: Any, seed: int) -> Any:
    """The scheme as it stands against its best settings (named ``<scheme>_best``), fresh replications."""
    from sim.commands.run import executor_spec
    from sim.experiment.batch import BatchRequest, run_batch
    from sim.experiment.plan import apply_point
    from sim.scenario import resolved_dict, validate

    data = resolved_dict(scenario)
    tuned = apply_point(data, {d.key: _value(d, best) for d in space})
    current = next(s for s in data["schemes"] if s["name"] == args.scheme)
    better = copy.deepcopy(next(s for s in tuned["schemes"] if s["name"] == args.scheme))
    better["name"] = f"{args.scheme}_best"
    reps = args.confirm_replications or scenario.replications
    pair = {**data, "name": f"{scenario.name}-confirm", "schemes": [current, better], "seed": seed,
            "replications": reps, "sweep": None, "uncertain": None}
    result = run_batch(BatchRequest(validate(pair, str(args.file)), args.out / "confirm", executor=executor_spec(args)))
    return tuned, result


def _value(d: Dimension, row: Any) -> float | int:
    return int(row[d.key]) if d.integer else float(row[d.key])


def conclude(args: argparse.Namespace, scenario: Any, one: Any, space: list[Dimension], decision: Decision,
             study: Any) -> int:
    from sim.commands.optimize import evaluator, fresh_seed, progress
    from sim.scenario import dump_yaml, validate

    metrics = list(dict.fromkeys([*decision.metrics, PARTNER]))
    try:
        search(study, space, decision, args.trials, one.seed, evaluator(args, one, metrics, decision),
               progress(args.trials, args.quiet))
    except TrialsFailed as err:
        print(f"optimize: {err}; see {args.out / 'evaluation' / 'failures.parquet'}", file=sys.stderr)
        return EXIT_FAILED_RUNS
    trials = trial_table(study, space, decision, metrics)
    axes = list(dict.fromkeys([decision.objective, *(c.metric for c in decision.constraints)] or [PARTNER]))
    if len(axes) == 1:
        axes.append(PARTNER)
    from sim.experiment.robust import sign_of
    trials["pareto"] = pareto(trials, axes, [sign_of(a) for a in axes]) if len(trials) else []
    store.write_table(args.out, "trials", trials)
    best, closest = best_and_closest(trials, decision)
    if best is None:
        bounds = " and ".join(c.text for c in decision.constraints)
        return bad_input([f"optimize: no trial met {bounds}; the closest was {_trial_words(closest, space, metrics)}"])
    seed = fresh_seed(one.seed)
    tuned, result = confirm(args, scenario, space, best, seed)
    best_file = args.out / "best.yaml"
    store.atomic_write_bytes(best_file, dump_yaml(validate(tuned, str(args.file))).encode())
    summary = _confirmed(result.out, decision, args.scheme)
    info = {"settings": study.user_attrs["settings"], "decision": decision.as_dict(), "axes": axes,
            "best": {k: (v.item() if hasattr(v, "item") else v) for k, v in best.items()},
            "best_file": str(best_file), "confirm": {"seed": seed, "folder": str(result.out), **summary},
            "trials": int(len(trials)), "pareto_trials": trials.loc[trials["pareto"], "trial"].astype(int).tolist(),
            # with --worlds, trials' metrics are their unfavourable 10th/90th percentile across the worlds;
            # the confirmation runs the best plan in the scenario as written
            "scored": (f"across {len(args.world_points)} worlds at the 10th percentile (90th for a metric to "
                       "minimise)") if getattr(args, "world_points", None) else "mean over replications"}
    store.atomic_write_bytes(args.out / "optimize.json", json.dumps(info, indent=2, default=str).encode())
    print(f"best plan: {_trial_words(best, space, metrics)}")
    print(f"Pareto front ({' against '.join(axes)}):")
    for _, row in trials[trials["pareto"]].sort_values(axes[0]).iterrows():
        print(f"  {_trial_words(row, space, metrics)}")
    print(f"fresh replications (seed {seed}, {summary['replications']} each): {summary['sentence']}")
    print(f"best plan written to {best_file}")
    if not args.no_report:
        from sim.report import write_report
        from sim.report.optimization import write_optimize_report
        write_report(result.out)
        print(f"report: {write_optimize_report(args.out)}")
    return EXIT_OK


def _confirmed(folder: Any, decision: Decision, scheme: str) -> dict[str, Any]:
    """The objective of the best plan against the current one, from the confirmation's summary."""
    import pandas as pd

    s = pd.read_csv(folder / "summary.csv")
    row = s[(s["scheme"] == f"{scheme}_best") & (s["metric"] == decision.objective)].iloc[0]
    base = s[(s["scheme"] == scheme) & (s["metric"] == decision.objective)].iloc[0]
    sentence = (f"{scheme}_best {decision.objective} {_fmt(row['mean'])} [{_fmt(row['ci_low'])}, "
                f"{_fmt(row['ci_high'])}] against {scheme} as it stands {_fmt(base['mean'])}; difference "
                f"{_fmt(row['diff_mean'])} [{_fmt(row['diff_ci_low'])}, {_fmt(row['diff_ci_high'])}] (paired)")
    return {"replications": int(row["n"]), "best_mean": float(row["mean"]), "current_mean": float(base["mean"]),
            "diff_mean": float(row["diff_mean"]), "diff_ci_low": float(row["diff_ci_low"]),
            "diff_ci_high": float(row["diff_ci_high"]), "sentence": sentence}
