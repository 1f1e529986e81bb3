"""Two versions of the model timed alternately, each in its own process: is a change faster, and by how much?

Usage: ``python -m benchmarks.compare OLD_CHECKOUT [NEW_CHECKOUT] [--rounds N] [--replications R] [--months M]
[--bare-events E] [--clock cpu]``,
e.g. after ``git worktree add /tmp/before HEAD~1``: ``python -m benchmarks.compare /tmp/before``.
``NEW_CHECKOUT`` defaults to this one. Each round runs one process per checkout (old first), each of
which times replications 0..R-1 of every scheme of the reference scenario (``--months`` shortens its
horizon and ``--bare-events`` bare SimPy's loop, for a quick check that the tool works; the best of two runs of each
replication), and prints per scheme the median replication time and the cost per model event over
all schemes against bare SimPy timed in the same process. The machine's speed drifts over minutes, so
only rounds next to each other compare fairly; the figures are for reading, nothing is asserted.
``--clock cpu`` times with the process's CPU time instead of the wall clock (bare SimPy too): on a machine
shared by many jobs, time spent waiting for a core then counts on neither side.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

# Run in a child process whose sys.path starts with the checkout being timed.
_CHILD = """
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
if sys.argv[5] == "cpu":
    time.perf_counter = time.process_time   # every timing below, bare SimPy's included
from benchmarks.bench import REFERENCE, bare_simpy_cost
from sim.model import run
from sim.scenario import load_scenario
sc = load_scenario(REFERENCE, [f"horizon_months={sys.argv[3]}"] if sys.argv[3] != "0" else [])
run(sc, sc.schemes[0].name, 0)
bare = min(bare_simpy_cost(int(sys.argv[4])) for _ in range(2))
out, total_t, total_ev = {}, 0.0, 0
for scheme in sc.schemes:
    times = []
    for rep in range(int(sys.argv[2])):
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            res = run(sc, scheme.name, rep)
            best = min(best, time.perf_counter() - start)
        times.append(best)
        total_ev += res["run"]["events"]
    total_t += sum(times)
    out[scheme.name] = statistics.median(times)
print(json.dumps({"ms": {k: v * 1e3 for k, v in out.items()}, "x_bare": total_t / total_ev / bare}))
"""


def _time(checkout: Path, replications: int, months: int, bare_events: int, clock: str = "wall") -> dict:
    args = [str(checkout), str(replications), str(months), str(bare_events), clock]
    done = subprocess.run([sys.executable, "-c", _CHILD, *args], cwd=checkout, capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise SystemExit(f"{checkout}: the timing failed: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path, nargs="?", default=HERE)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--replications", type=int, default=6)
    p.add_argument("--months", type=int, default=0, help="horizon of the reference scenario (0: as written)")
    p.add_argument("--bare-events", type=int, default=200_000, help="events of the bare SimPy loop timed")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall clock, or the process's CPU time (fairer on a machine shared by many jobs)")
    args = p.parse_args(argv)
    for path in (args.old, args.new):
        if not (path / "sim" / "model").is_dir():
            p.error(f"{path}: not a teamsim checkout (no sim/model)")
    x = {"old": [], "new": []}
    wall = time.perf_counter()
    for r in range(args.rounds):
        for label, path in (("old", args.old), ("new", args.new)):
            res = _time(path.resolve(), args.replications, args.months, args.bare_events, args.clock)
            x[label].append(res["x_bare"])
            schemes = "  ".join(f"{k} {v:5.1f}" for k, v in res["ms"].items())
            print(f"round {r + 1} {label}: {schemes} ms | all schemes {res['x_bare']:.2f}x bare", flush=True)
    print(f"median over rounds: old {statistics.median(x['old']):.2f}x, new {statistics.median(x['new']):.2f}x bare "
          f"({time.perf_counter() - wall:.0f} s)")


if __name__ == "__main__":
    main()
