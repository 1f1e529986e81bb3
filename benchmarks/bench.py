"""Speed of one replication against bare SimPy, measured in one process (ratios survive noisy machines).

Usage: ``python -m benchmarks.bench [--repeats N] [--scenario FILE]``. For each scheme of the reference
scenario it runs replications 0..N-1 and reports the median wall time of one replication, the model
events it scheduled (job orders and candidates that arrived, placements, fall-offs, quits, hires, payroll months),
the cost per model event, and that cost as a multiple of bare SimPy's cost per event (a loop of
``env.timeout`` in 10 processes, timed between the schemes; the lowest timing is used), plus
replications per second on one core.

``x bare`` divides by the lowest of the bare timings (the conservative figure); ``paired x`` is the
median over the replications of each one's cost per event over a bare timing taken just before it,
and over all schemes, every replication's time over what its events would cost in the bare loop
timed just before it (a burst of load on the machine then inflates both sides of the ratio).

It also splits each replication's time in two: the same scheme with the market's arrival rates set
to (almost) zero runs the month ends (payroll, behaviour, quits, hires) and the market's monthly calls
without job orders or candidates; that fixed part is reported as ``fixed ms``, and what the events add
above it per event as ``us/event above fixed`` (and as a multiple of bare SimPy).

``--clock cpu`` times everything (bare SimPy too) with the process's CPU time instead of the wall clock:
on a machine shared by many jobs, time spent waiting for a core then counts on neither side.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import simpy

from sim.model import run
from sim.scenario import load_scenario

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "individual_vs_team.yaml"
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = time.perf_counter   # read at import, so a caller that swaps time.perf_counter first times with its clock


def bare_simpy_cost(events: int = 200_000, repeats: int = 5) -> float:
    """Seconds per event of a bare SimPy loop of timeouts (best of ``repeats``)."""
    def proc(env: simpy.Environment, n: int):
        for _ in range(n):
            yield env.timeout(1)

    best = float("inf")
    for _ in range(repeats):
        env = simpy.Environment()
        for _ in range(10):
            env.process(proc(env, events // 10))
        start = _clock()
        env.run()
        best = min(best, (_clock() - start) / events)
    return best


def _median_time(sc, scheme: str, repeats: int) -> tuple[float, float, float, float, float]:
    """Median wall time of replications 0..repeats-1, their median count of model events, the median
    of each replication's cost per event over bare SimPy's timed just before it (a paired ratio: the
    machine's speed drifts by tens of percent over a minute here, rarely within 50 ms), and the sums of
    the replications' times and of their events' cost at those bare timings."""
    times, events, ratios, bare_cost = [], [], [], 0.0
    for rep in range(repeats):
        bare = bare_simpy_cost(20_000, 2)
        start = _clock()
        out = run(sc, scheme, rep)
        times.append(_clock() - start)
        events.append(out["run"]["events"])
        ratios.append(times[-1] / max(events[-1], 1) / bare)
        bare_cost += events[-1] * bare
    return statistics.median(times), statistics.median(events), statistics.median(ratios), sum(times), bare_cost


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--scenario", type=Path, default=REFERENCE)
    p.add_argument("--clock", choices=tuple(CLOCKS), default="wall",
                   help="wall clock, or the process's CPU time (fairer on a machine shared by many jobs)")
    args = p.parse_args(argv)
    global _clock
    _clock = CLOCKS[args.clock]
    sc = load_scenario(args.scenario)
    run(sc, sc.schemes[0].name, 0)  # warm imports and caches
    # Bare SimPy is timed before every scheme and once more at the end, and the lowest figure is used:
    # a burst of load on a shared machine then cannot flatter the ratios (a slow bare figure would).
    bares = [bare_simpy_cost()]
    # The fixed part: no arrivals (the schema wants rates > 0; a copy skips validation).
    quiet = sc.model_copy(update={"market": sc.market.model_copy(update={"job_order_rate": 1e-9,
                                                                         "candidate_rate": 1e-9})})
    rows, medians, paired_t, paired_bare = [], [], 0.0, 0.0
    for scheme in sc.schemes:
        bares.append(bare_simpy_cost())
        t, ev, paired, sum_t, sum_bare = _median_time(sc, scheme.name, args.repeats)
        paired_t, paired_bare = paired_t + sum_t, paired_bare + sum_bare
        fixed, fixed_ev, *_ = _median_time(quiet, scheme.name, args.repeats)
        rows.append((scheme.name, t, ev, paired, fixed, fixed_ev))
        medians.append(t)
    bares.append(bare_simpy_cost())
    bare = min(bares)
    print(f"scenario {sc.name}: {sc.firm.pods * (sc.firm.recruiters_per_pod + sc.firm.account_managers_per_pod)} "
          f"producers, {sc.horizon_months} months; bare SimPy {bare * 1e6:.2f} us/event "
          f"(lowest of {len(bares)} timings, {max(bares) * 1e6:.2f} highest)")
    print(f"{'scheme':<14}{'ms/rep':>9}{'events':>9}{'us/event':>10}{'x bare':>8}{'paired x':>10}{'reps/s':>8}"
          f"{'fixed ms':>10}{'us/event above fixed':>22}")
    total_t = total_ev = 0.0
    for name, t, ev, paired, fixed, fixed_ev in rows:
        per = t / ev
        above = (t - fixed) / (ev - fixed_ev)
        total_t, total_ev = total_t + t, total_ev + ev
        print(f"{name:<14}{t * 1e3:>9.1f}{ev:>9.0f}{per * 1e6:>10.2f}{per / bare:>8.2f}{paired:>10.2f}{1 / t:>8.1f}"
              f"{fixed * 1e3:>10.1f}{above * 1e6:>13.2f} ={above / bare:>5.2f}x")
    print(f"all schemes: median {statistics.median(medians) * 1e3:.1f} ms per replication; "
          f"{total_t / total_ev * 1e6:.2f} us per event over the schemes' medians "
          f"= {total_t / total_ev / bare:.2f}x bare; paired {paired_t / paired_bare:.2f}x")


if __name__ == "__main__":
    main()
