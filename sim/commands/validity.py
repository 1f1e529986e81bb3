"""``teamsim validate-model`` (the validation suite) and ``teamsim calibrate`` (fit to a firm's data)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli import EXIT_OK, bad_input, positive_int

EXIT_CHECK_FAILED = 1


def register(sub: argparse._SubParsersAction) -> None:
    from sim.validation import CHECK_NAMES as NAMES

    v = sub.add_parser("validate-model", help="run the validation checks and write a validation report")
    v.add_argument("--out", type=Path, default=Path("reports/validation"), help="output folder")
    v.add_argument("--size", choices=("full", "quick"), default="full",
                   help="quick: fewer replications (what the tests run)")
    v.add_argument("--only", action="append", choices=NAMES, default=[], help="run only this check (repeatable)")
    v.set_defaults(func=cmd_validate_model)

    c = sub.add_parser("calibrate", help="estimate market and turnover from ATS exports and write a scenario")
    c.add_argument("placements", type=Path, help="placements.csv: one row per placement")
    c.add_argument("--people", type=Path, help="people.csv: one row per person (for head counts and turnover)")
    c.add_argument("--out", type=Path, required=True, help="scenario YAML to write")
    c.add_argument("--template", type=Path, default=None,
                   help="scenario whose schemes the calibrated scenario keeps "
                        "(default: scenarios/individual_vs_team.yaml if present)")
    c.add_argument("--scheme", help="the firm's current scheme in the template (default: its first)")
    c.add_argument("--name", default="calibrated", help="name of the written scenario")
    c.add_argument("--pod-size", type=positive_int, default=5, help="recruiters (and AMs) per pod")
    c.add_argument("--replications", type=positive_int, default=8, help="replications of the final rerun")
    c.set_defaults(func=cmd_calibrate)


def cmd_validate_model(args: argparse.Namespace) -> int:
    """Run the checks, print the table, write the report. Exit 1 if any case failed."""
    from sim.commands.run import check_out
    from sim.validation import report, runner
    from sim.validation.result import Size

    problems = check_out(args.out)
    if problems:
        return bad_input(problems)
    outcomes = runner.run_all(Size.named(args.size), args.only,
                              progress=lambda name: print(f"running {name} ...", file=sys.stderr))
    print(runner.table(outcomes))
    print(f"report: {report.write(args.out, outcomes, args.size)}")
    return EXIT_OK if all(o.passed for o in outcomes) else EXIT_CHECK_FAILED


def _fmt(x: float) -> str:
    return "-" if x != x else f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}"


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Read, estimate, tune, write, rerun. Bad files: one line per problem, exit 2, nothing written."""
    from sim.calibration import fit
    from sim.calibration.estimate import estimate
    from sim.calibration.readers import read_people, read_placements
    from sim.commands.run import check_out_file
    from sim.scenario import ScenarioError, dump_yaml, load_scenario, resolved_dict
    from sim.scenario.limits import SLUG_RULE, is_slug

    problems = []
    placements = people = None
    try:
        placements = read_placements(args.placements)
    except ScenarioError as err:
        problems += err.problems
    if args.people is not None:
        try:
            people = read_people(args.people)
        except ScenarioError as err:
            problems += err.problems
    template = args.template or (Path("scenarios/individual_vs_team.yaml")
                                 if Path("scenarios/individual_vs_team.yaml").is_file() else None)
    schemes = fit.DEFAULT_SCHEMES
    if template is not None:
        try:
            schemes = resolved_dict(load_scenario(template))["schemes"]
        except ScenarioError as err:
            problems += err.problems
    names = [s["name"] for s in schemes]
    if not is_slug(args.name):   # before the estimates and the tuning, which take a while
        problems.append(f"--name: {args.name!r} {SLUG_RULE}")
    if args.scheme is not None and args.scheme not in names:
        problems.append(f"--scheme: {args.scheme!r} is not a scheme of the template ({', '.join(names)})")
    problems += check_out_file(args.out)
    if problems:
        return bad_input(problems)
    scheme = args.scheme or names[0]
    est = estimate(placements, people)
    print(f"observation window {est.window.start} to {est.window.end} ({est.window.months:.1f} months)")
    print(f"{'estimate':34} {'value':>10}  {'95% interval':>24}  basis")
    for e in est.items.values():
        interval = "" if e.low != e.low else f"[{_fmt(e.low)}, {_fmt(e.high)}]"
        print(f"{e.name:34} {_fmt(e.value):>10}  {interval:>24}  {e.basis}")
    base = fit.direct_knobs(est, args.pod_size)
    base.update(name=args.name, description=f"Calibrated from {args.placements.name}"
                + (f" and {args.people.name}" if args.people else "") + f"; current scheme {scheme!r}.",
                schemes=schemes)
    tuned = fit.tune(est, base, scheme, progress=lambda m: print(f"tuning {m}", file=sys.stderr))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(f".{args.out.name}.tmp")
    tmp.write_text(dump_yaml(tuned), encoding="utf-8")
    tmp.replace(args.out)   # all or nothing: a reader never sees half a scenario
    m, t = tuned.market, tuned.behavior.turnover
    print(f"wrote {args.out}: {tuned.firm.pods} pods of {tuned.firm.recruiters_per_pod}+"
          f"{tuned.firm.account_managers_per_pod}, {tuned.horizon_months} months, job_order_rate "
          f"{m.job_order_rate:g}, candidate_rate {m.candidate_rate:g}, annual_base {t.annual_base:g}, "
          f"first_year_multiplier {t.first_year_multiplier:g}")
    sim = fit.simulate(tuned, scheme, args.replications)
    print(f"\nrerun of {args.out} under {scheme!r}, {args.replications} replications:")
    print(f"{'quantity':36} {'data [95% CI]':>28}  {'simulated [95% CI]':>28}")
    for name, d, s_ in fit.comparison(est, sim):
        dtxt = _fmt(d[0]) if d[1] == d[2] else f"{_fmt(d[0])} [{_fmt(d[1])}, {_fmt(d[2])}]"
        print(f"{name:36} {dtxt:>28}  {_fmt(s_[0]) + ' [' + _fmt(s_[1]) + ', ' + _fmt(s_[2]) + ']':>28}")
    return EXIT_OK
