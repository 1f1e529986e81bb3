"""Do two versions of the model give the same numbers? A stored copy of every shipped scenario's results.

Usage: ``python -m benchmarks.identical store FILE`` before a change, ``python -m benchmarks.identical check
FILE`` after it (exit 1 and the first differences if any table differs). For every scenario in
``scenarios/`` and every scheme, replications 0 and 1 at the scenario's own horizon, it keeps the
``run``, ``monthly`` and ``people`` tables of a plain run and, of a run with ``detail``, those and the
``statements``, ``trace`` and ``placements`` tables. Equality is exact (float for float, cent for cent;
NaN equals NaN), except the ``run`` table's ``wall_seconds``. ``--months M`` shortens every horizon.

A speed-up is meant to change none of these numbers: this is how one checks that it did not.
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from pathlib import Path
from typing import Any

from sim.model import run
from sim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REPLICATIONS = (0, 1)


def results(months: int = 0, only: str | None = None) -> dict[tuple[str, str, int, bool], dict[str, Any]]:
    """Every shipped scenario's tables, keyed by (scenario file, scheme, replication, detail)."""
    out = {}
    for path in sorted(SCENARIOS.glob("*.yaml")):
        if only and only not in path.name:
            continue
        sc = load_scenario(path, [f"horizon_months={months}"] if months else [])
        for scheme in sc.schemes:
            for rep in REPLICATIONS:
                for detail in (False, True):
                    res = run(sc, scheme.name, rep, detail)
                    res["run"].pop("wall_seconds", None)
                    out[(path.name, scheme.name, rep, detail)] = res
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def differences(old: dict, new: dict, limit: int = 20) -> list[str]:
    """Where ``new`` differs from ``old``: one line per differing table (at most ``limit``)."""
    found = [f"{key}: missing" for key in old if key not in new] + [f"{key}: new" for key in new if key not in old]
    for key in old.keys() & new.keys():
        for table in old[key].keys() | new[key].keys():
            a, b = old[key].get(table), new[key].get(table)
            if _same(a, b):
                continue
            where = ""
            if isinstance(a, list) and isinstance(b, list):
                rows = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if not _same(x, y)]
                where = f" (lengths {len(a)}/{len(b)}; first differing row {rows[0] if rows else '-'})"
                if rows:
                    x, y = a[rows[0]], b[rows[0]]
                    cols = [c for c in x if not _same(x.get(c), y.get(c))] if isinstance(x, dict) else []
                    where += f" columns {cols[:5]}"
            elif isinstance(a, dict) and isinstance(b, dict):
                where = f" keys {[c for c in a.keys() | b.keys() if not _same(a.get(c), b.get(c))][:5]}"
            found.append(f"{key} {table}{where}")
    return found[:limit]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("action", choices=("store", "check"))
    p.add_argument("file", type=Path)
    p.add_argument("--months", type=int, default=0, help="horizon of every scenario (0: as written)")
    p.add_argument("--only", help="only the scenario files whose name contains this")
    args = p.parse_args(argv)
    new = results(args.months, args.only)
    if args.action == "store":
        args.file.write_bytes(pickle.dumps(new))
        print(f"stored {len(new)} runs in {args.file}")
        return 0
    old = pickle.loads(args.file.read_bytes())
    if args.only:
        old = {k: v for k, v in old.items() if args.only in k[0]}
    diff = differences(old, new)
    for line in diff:
        print(line)
    print(f"{len(new)} runs: {'identical' if not diff else 'DIFFERENT'}")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
