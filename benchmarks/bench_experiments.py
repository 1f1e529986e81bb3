"""Experiments at scale: parallel efficiency, Dask throughput, the driver's memory at 10,000+ runs, scaling.

Usage: ``python -m benchmarks.bench_experiments [--only pool,dask,memory,scaling] [--replications N]
[--runs 10000,50000]``.

* ``pool``: a 64-replication batch of the reference scenario (4 schemes, 256 runs) run serially
  and on a 2-worker local pool; parallel efficiency = serial time / (2 x pool time). Whole batches,
  pool start-up and result assembly included.
* ``dask``: the same batch on a Dask LocalCluster of 2 workers; throughput relative to the pool,
  with and without the cluster's start-up.
* ``memory``: for each size in ``--runs`` (about 10,000 and 50,000), two whole batches of the
  workshop scenario in fresh driver processes on 2 workers, from start to finished report: one
  without a sweep (3 schemes x N/3 replications) and one sweep (N/30 Latin-hypercube points x 3
  schemes x 10 replications). The driver's own peak resident memory (``VmHWM``, not the workers')
  at each size, and how much higher it is at the largest size than at the smallest. With
  ``--replay`` the workers hand out a few real runs again instead of simulating each (the driver
  gets the same rows; the batch takes minutes, not hours).
* ``scaling``: median wall time of one replication at 50-800 people (36 months) and 12-120 months
  (100 people), with the cost per person-month, to check it stays linear.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "individual_vs_team.yaml"
WORKSHOP = ROOT / "scenarios" / "workshop_demo.yaml"


def _batch_seconds(replications: int, spec, out: Path) -> float:
    from sim.experiment.batch import BatchRequest, run_batch
    from sim.scenario import load_scenario

    sc = load_scenario(REFERENCE, [f"replications={replications}"])
    started = time.perf_counter()
    run_batch(BatchRequest(sc, out, spec))
    return time.perf_counter() - started


def bench_pool(replications: int, tmp: Path) -> dict[str, float]:
    from sim.experiment.executors import ExecutorSpec

    serial = _batch_seconds(replications, ExecutorSpec("serial", 1), tmp / "serial")
    pool = _batch_seconds(replications, ExecutorSpec("pool", 2), tmp / "pool")
    runs = replications * 4
    res = {"runs": runs, "serial_s": serial, "pool2_s": pool, "efficiency": serial / (2 * pool)}
    print(f"pool: {runs} runs; serial {serial:.1f} s, 2-worker pool {pool:.1f} s; "
          f"parallel efficiency {res['efficiency']:.1%} (target >= 90%)")
    return res


def bench_dask(replications: int, tmp: Path, pool_s: float | None) -> dict[str, float]:
    # Imported before the clock starts, as the pool's modules are: a one-off per process (0.45-0.57 s here),
    # not a cost of the batch.
    from distributed import Client, LocalCluster

    from sim.experiment.executors import ExecutorSpec

    if pool_s is None:
        pool_s = _batch_seconds(replications, ExecutorSpec("pool", 2), tmp / "pool")
    total = _batch_seconds(replications, ExecutorSpec("dask", 2), tmp / "dask")
    started = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c, Client(c):
        startup = time.perf_counter() - started
    res = {"pool2_s": pool_s, "dask2_s": total, "dask_startup_s": startup,
           "throughput_vs_pool": pool_s / total, "throughput_vs_pool_without_startup": pool_s / (total - startup)}
    print(f"dask: LocalCluster(2) batch {total:.1f} s (cluster start-up {startup:.1f} s) vs pool {pool_s:.1f} s; "
          f"throughput {res['throughput_vs_pool']:.1%} of the pool, "
          f"{res['throughput_vs_pool_without_startup']:.1%} without start-up (target >= 90%)")
    return res


SWEEP_YAML = """\
sweep:
  sample:
    n: {points}
    seed: 1
    ranges:
      market.job_order_rate: [4.0, 8.0]
      market.candidate_rate: [4.0, 8.0]
"""


REPLAYED = 3   # distinct real replications per (scheme, detail) a replaying worker runs and then hands out


_REAL: dict[tuple[str, int, bool], dict[str, Any]] = {}


def _real_run(scenario: Any, scheme: str, replication: int, detail: bool) -> dict[str, Any]:
    from sim.model import run

    key = (scheme, replication, detail)
    if key not in _REAL:
        _REAL[key] = run(scenario, scheme, replication, detail=detail)
    return _REAL[key]


def replayed(scenario: Any, scheme: str, replication: int, detail: bool = False) -> dict[str, Any]:
    """A run of the real model's shape for the driver's memory at scale: each worker runs the first
    scenario it meets for REPLAYED replications of each scheme and hands them out again, so the driver
    receives, stores, assembles and reports as many rows as a real batch's, minus the simulation's time.
    (The run a worker returns is only read by ``run_one``, which replaces the table entries of its dict.)"""
    res = _real_run(scenario, scheme, replication % REPLAYED, detail)
    run = {**res["run"], "replication": replication}
    if "seed" in run:
        run["seed"] = f"{str(run['seed']).split('/')[0]}/{replication}"
    return {**res, "run": run}


def _memory_driver(scenario: Path, out: Path, replay: bool = False) -> None:
    """Runs in a fresh process: one whole batch and its report, then prints the driver's own peak memory."""
    from sim.experiment.batch import BatchRequest, run_batch
    from sim.experiment.executors import ExecutorSpec
    from sim.report import write_report
    from sim.scenario import load_scenario

    sc = load_scenario(scenario)
    started = time.perf_counter()
    result = run_batch(BatchRequest(sc, out, ExecutorSpec("pool", 2), simulate=replayed if replay else None))
    batch_s = time.perf_counter() - started
    write_report(out)
    print(json.dumps({"runs": result.n_runs, "batch_s": batch_s, "report_s": time.perf_counter() - started - batch_s,
                      "driver_peak_rss_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's ``ru_maxrss`` keeps the peak of the process image
    before ``exec``, i.e. of the benchmark that started this driver (hundreds of MB after the Dask
    section); ``VmHWM`` belongs to this image only."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _scenario(tmp: Path, runs: int, sweep: bool) -> Path:
    import yaml

    data = yaml.safe_load(WORKSHOP.read_text())
    schemes = len(data["schemes"])
    if sweep:
        data["replications"] = 10
        data.update(yaml.safe_load(SWEEP_YAML.format(points=math.ceil(runs / (schemes * 10)))))
    else:
        data["replications"] = math.ceil(runs / schemes)
    path = tmp / f"{'sweep' if sweep else 'batch'}{runs}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def bench_memory(tmp: Path, sizes: list[int], replay: bool = False) -> dict[str, dict[str, float]]:
    res: dict[str, dict[str, float]] = {}
    for runs in sizes:
        for sweep in (False, True):
            name = f"{'sweep' if sweep else 'batch'}_{runs}"
            scenario = _scenario(tmp, runs, sweep)
            cmd = [sys.executable, "-m", "benchmarks.bench_experiments", "--driver", str(scenario), str(tmp / name),
                   *(["--replay"] if replay else [])]
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
            res[name] = json.loads(proc.stdout.strip().splitlines()[-1])
            shutil.rmtree(tmp / name, ignore_errors=True)
            r = res[name]
            print(f"memory: {name}: {r['runs']} runs, batch {r['batch_s']:.0f} s, report {r['report_s']:.1f} s; "
                  f"driver peak (VmHWM) {r['driver_peak_rss_mb']:.0f} MB (target < 250)", flush=True)
    lo, hi = min(sizes), max(sizes)
    for kind in ("batch", "sweep"):
        if lo != hi:
            rise = res[f"{kind}_{hi}"]["driver_peak_rss_mb"] / res[f"{kind}_{lo}"]["driver_peak_rss_mb"] - 1
            print(f"memory: {kind} at {hi} runs is {rise:+.1%} against {lo} runs (target <= +10%)")
    return res


def bench_scaling(repeats: int = 3) -> list[dict[str, float]]:
    from sim.model import run
    from sim.scenario import load_scenario

    configs = [(p, 36) for p in (50, 100, 200, 400, 800)] + [(100, m) for m in (12, 24, 60, 120)] + [(800, 120)]
    rows = []
    print(f"{'people':>7}{'months':>7}{'scheme':>11}{'s/rep':>9}{'us/person-month':>17}")
    for people, months in configs:
        sc = load_scenario(REFERENCE, [f"firm.pods={people // 10}", f"horizon_months={months}"])
        for scheme in ("individual", "team_pool"):
            times = []
            for rep in range(repeats if people * months < 40_000 else 1):
                started = time.perf_counter()
                run(sc, scheme, rep)
                times.append(time.perf_counter() - started)
            t = statistics.median(times)
            row = {"people": people, "months": months, "scheme": scheme, "s_per_rep": t,
                   "us_per_person_month": t / (people * months) * 1e6}
            rows.append(row)
            print(f"{people:>7}{months:>7}{scheme:>11}{t:>9.3f}{row['us_per_person_month']:>17.1f}")
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", default="pool,dask,memory,scaling")
    p.add_argument("--runs", default="10000,50000", help="batch sizes of the memory section")
    p.add_argument("--replications", type=int, default=64, help="replications of the reference batch (pool, dask)")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--replay", action="store_true",
                   help="memory: workers hand out a few real runs again (see replayed): the driver's load at scale, "
                        "without the simulation's hours")
    p.add_argument("--driver", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.driver:
        _memory_driver(*args.driver, replay=args.replay)
        return
    only = set(args.only.split(","))
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "pool" in only:
            figures["pool"] = bench_pool(args.replications, tmp)
        if "dask" in only:
            pool_s = figures["pool"]["pool2_s"] if "pool" in figures else None   # type: ignore[index]
            figures["dask"] = bench_dask(args.replications, tmp, pool_s)
        if "memory" in only:
            figures["memory"] = bench_memory(tmp, [int(n) for n in args.runs.split(",")], args.replay)
        if "scaling" in only:
            figures["scaling"] = bench_scaling()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
