"""``teamsim robust`` at scale: throughput against a plain batch, the driver's memory, the demo's wall time.

Usage: ``python -m benchmarks.bench_robust [--rounds N] [--points P] [--replications R] [--only batch,demo]``.

* ``batch``: in each round, alternately, a plain batch of the reference scenario with P x R
  replications of its 4 schemes (2,560 runs at the defaults; cost-matched schemes at their rates as
  written, as ``robust`` runs them) and ``teamsim robust`` of the same
  scenario at P worlds x 4 schemes x R replications (the same number of runs), both on the
  2-worker local pool, each in a fresh driver process. Prints runs per second of each (the robust
  batch alone, and with its analysis), their ratio (target >= 85%), the robust driver's own peak
  resident memory (``VmHWM``; target < 250 MB) and the analysis process's share. Before the rounds, the
  single-replication rate: replications 0-2 of every scheme of the reference run one after another in a
  fresh process (after one warm-up run each), giving runs per second on one core and on the pool's 2
  (the most a 2-worker batch could reach); each batch's rate is printed against it as well.
* ``demo``: ``teamsim robust scenarios/robust_demo.yaml`` end to end (target < 60 s).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "individual_vs_team.yaml"
DEMO = ROOT / "scenarios" / "robust_demo.yaml"

_DRIVER = """
import json, resource, sys, time
from pathlib import Path
from sim.cli import main
started = time.perf_counter()
code = main(sys.argv[1:])
wall = time.perf_counter() - started
hwm = next(int(l.split()[1]) / 1024 for l in Path("/proc/self/status").read_text().splitlines()
           if l.startswith("VmHWM:"))
print(json.dumps({"code": code, "wall_s": wall, "driver_peak_rss_mb": hwm,
                  "largest_child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def _driver(args: list[str]) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", _DRIVER, *args], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def _as_written(path: Path) -> list[str]:
    """``--set``s that run the cost-matched schemes at their rates as written, as ``teamsim robust`` does:
    otherwise the plain batch's manifest times only what the match's solve left it to run."""
    from sim.scenario import load_scenario

    return [a for s in load_scenario(path).schemes if s.match_cost_of is not None
            for a in ("--set", f"schemes.{s.name}.match_cost_of=null")]


_SINGLE = """
import json, sys, time
from sim.model import run
from sim.scenario import load_scenario
sc = load_scenario(sys.argv[1])
names = [s.name for s in sc.schemes]
for n in names:
    run(sc, n, 3)   # warm-up: compiled parts loaded
started = time.perf_counter()
for n in names:
    for r in range(3):
        run(sc, n, r)
print(json.dumps({"runs": 3 * len(names), "seconds": time.perf_counter() - started}))
"""


def single_rate() -> float:
    """Runs per second of the reference's replications one after another on one core (its written rates)."""
    proc = subprocess.run([sys.executable, "-c", _SINGLE, str(REFERENCE)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["runs"] / out["seconds"]


def bench_batch(points: int, replications: int, rounds: int, tmp: Path) -> list[dict[str, float]]:
    results = []
    runs = points * replications * 4
    one = single_rate()
    print(f"single replication: {one:.1f} runs/s on one core, {2 * one:.1f} runs/s on 2 (the most a 2-worker "
          "batch could reach)")
    for r in range(rounds):
        plain_out, robust_out = tmp / f"plain{r}", tmp / f"robust{r}"
        plain = _driver(["run", str(REFERENCE), "--replications", str(points * replications), "--workers", "2",
                         "--quiet", "--no-report", "--out", str(plain_out), *_as_written(REFERENCE)])
        robust = _driver(["robust", str(REFERENCE), "--points", str(points), "--replications", str(replications),
                          "--workers", "2", "--quiet", "--no-report", "--out", str(robust_out)])
        plain_batch = _manifest(plain_out)["wall_seconds"]
        robust_batch = _manifest(robust_out)["wall_seconds"]
        res = {"runs": runs, "single_rate": one, "plain_batch_s": plain_batch, "robust_batch_s": robust_batch,
               "robust_total_s": robust["wall_s"], "plain_rate": runs / plain_batch,
               "robust_rate": runs / robust_batch, "robust_rate_with_analysis": runs / robust["wall_s"],
               "ratio": plain_batch / robust_batch, "ratio_with_analysis": plain_batch / robust["wall_s"],
               "driver_peak_rss_mb": robust["driver_peak_rss_mb"],
               "plain_driver_peak_rss_mb": plain["driver_peak_rss_mb"],
               "largest_child_rss_mb": robust["largest_child_rss_mb"]}
        print(f"round {r + 1}: plain batch {runs} runs in {plain_batch:.1f} s ({res['plain_rate']:.1f} runs/s); "
              f"robust batch {robust_batch:.1f} s ({res['robust_rate']:.1f} runs/s, {res['ratio']:.1%} of plain; "
              f"target >= 85%); with its analysis {robust['wall_s']:.1f} s ({res['ratio_with_analysis']:.1%}); "
              f"robust driver peak RSS {res['driver_peak_rss_mb']:.0f} MB (target < 250; the plain batch's "
              f"{res['plain_driver_peak_rss_mb']:.0f} MB); largest child "
              f"(a pool worker or the analysis) {res['largest_child_rss_mb']:.0f} MB; against the single "
              f"replication's 2-core rate: plain {res['plain_rate'] / (2 * one):.0%}, robust "
              f"{res['robust_rate'] / (2 * one):.0%}")
        results.append(res)
    return results


def bench_demo(tmp: Path) -> dict[str, float]:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "robust", str(DEMO), "--quiet", "--out", str(tmp / "demo")],
                   cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - started
    print(f"demo: teamsim robust scenarios/robust_demo.yaml (report included) {wall:.1f} s (target < 60)")
    return {"wall_s": wall}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--points", type=int, default=64)
    p.add_argument("--replications", type=int, default=10)
    p.add_argument("--only", default="batch,demo")
    args = p.parse_args(argv)
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="teamsim-bench-robust-") as tmp:
        if "batch" in only:
            bench_batch(args.points, args.replications, args.rounds, Path(tmp))
        if "demo" in only:
            bench_demo(Path(tmp))
    print(f"(benchmark process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
