"""Speed of one replication against a step-per-day Mesa model of the same flow, in one process (issue #2).

Usage: ``python -m benchmarks.bench_mesa [--repeats N] [--scenario FILE]``. Needs Mesa 3
(``pip install "mesa>=3"``; without it this prints that and exits). The baseline is
:mod:`benchmarks.mesa_flow`. Both models are warmed once; then for each scheme of the scenario
replications 0..N-1 of each are run interleaved (alternating which goes first, so machine noise
hits both), and it reports the median wall time of one replication of each, the speed-up
(Mesa / teamsim) and, as a sanity check that they model the same flow, both models' mean
placements and model events per replication.

``--check R`` (no timing) runs replications 0..R-1 of each scheme in both models and reports each
scheme's mean placements (measured months) and their difference; the models draw their own random
numbers, so they agree in distribution: the mean over all schemes must agree within
``TOLERANCE`` (exit 1 otherwise), and each scheme's difference is printed beside the standard error
of the difference of the two means.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sim.model import run
from sim.scenario import load_scenario

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "individual_vs_team.yaml"
TOLERANCE = 0.05
"""Largest relative difference of mean placements (Mesa vs teamsim, over all schemes) for the two to
count as the same flow."""


def check(sc, replications: int, run_mesa) -> bool:
    """Mean placements of both models per scheme and over all: True if they agree within TOLERANCE."""
    print(f"{'scheme':<12}{'Mesa plc':>10}{'teamsim plc':>13}{'diff':>8}{'se of diff':>12}")
    total_mesa = total_sim = 0.0
    for scheme in sc.schemes:
        mesa_p = [run_mesa(sc, scheme.name, rep)["placements"] for rep in range(replications)]
        sim_p = [run(sc, scheme.name, rep)["run"]["placements"] for rep in range(replications)]
        m, t = statistics.fmean(mesa_p), statistics.fmean(sim_p)
        se = ((statistics.variance(mesa_p) + statistics.variance(sim_p)) / replications) ** 0.5 \
            if replications > 1 else float("nan")
        total_mesa, total_sim = total_mesa + m, total_sim + t
        print(f"{scheme.name:<12}{m:>10.1f}{t:>13.1f}{m / t - 1:>+8.1%}{se / t:>11.1%}")
    diff = total_mesa / total_sim - 1
    ok = abs(diff) <= TOLERANCE
    print(f"all schemes: Mesa {total_mesa:.1f} vs teamsim {total_sim:.1f} placements, {diff:+.1%} "
          f"({'within' if ok else 'OUTSIDE'} the {TOLERANCE:.0%} tolerance; {replications} replications each)")
    return ok


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--scenario", type=Path, default=REFERENCE)
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall clock, or the process's CPU time (fairer on a machine shared by many jobs)")
    p.add_argument("--check", type=int, default=0, metavar="R",
                   help="compare mean placements over R replications per scheme instead of timing")
    args = p.parse_args(argv)
    try:
        import mesa

        from benchmarks.mesa_flow import run_mesa
    except ImportError:
        print('Mesa is not installed: pip install "mesa>=3" to run this comparison')
        return

    sc = load_scenario(args.scenario)
    if args.check:
        if not check(sc, args.check, run_mesa):
            raise SystemExit(1)
        return
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    first = sc.schemes[0].name
    run_mesa(sc, first, 0)   # warm imports and caches
    run(sc, first, 0)
    producers = sc.firm.pods * (sc.firm.recruiters_per_pod + sc.firm.account_managers_per_pod)
    print(f"scenario {sc.name}: {producers} producers, {sc.horizon_months} months, {args.repeats} replications "
          f"per scheme; Mesa {mesa.__version__}")
    print(f"{'scheme':<12}{'Mesa ms':>9}{'teamsim ms':>12}{'speed-up':>10}"
          f"{'Mesa plc':>10}{'teamsim plc':>13}{'Mesa ev':>9}{'teamsim ev':>12}")
    all_mesa, all_sim = [], []
    for scheme in sc.schemes:
        t_mesa, t_sim, p_mesa, p_sim, e_mesa, e_sim = [], [], [], [], [], []
        for rep in range(args.repeats):
            for which in ((0, 1) if rep % 2 == 0 else (1, 0)):
                start = clock()
                if which == 0:
                    out = run_mesa(sc, scheme.name, rep)
                    t_mesa.append(clock() - start)
                    p_mesa.append(out["placements"])
                    e_mesa.append(out["events"])
                else:
                    res = run(sc, scheme.name, rep)["run"]
                    t_sim.append(clock() - start)
                    p_sim.append(res["placements"])
                    e_sim.append(res["events"])
        tm, ts = statistics.median(t_mesa), statistics.median(t_sim)
        all_mesa.extend(t_mesa)
        all_sim.extend(t_sim)
        print(f"{scheme.name:<12}{tm * 1e3:>9.1f}{ts * 1e3:>12.1f}{tm / ts:>9.2f}x"
              f"{statistics.fmean(p_mesa):>10.0f}{statistics.fmean(p_sim):>13.0f}"
              f"{statistics.fmean(e_mesa):>9.0f}{statistics.fmean(e_sim):>12.0f}")
    tm, ts = statistics.median(all_mesa), statistics.median(all_sim)
    print(f"all schemes: median {tm * 1e3:.1f} ms (Mesa) vs {ts * 1e3:.1f} ms (teamsim) per replication, "
          f"speed-up {tm / ts:.2f}x")


if __name__ == "__main__":
    main()
