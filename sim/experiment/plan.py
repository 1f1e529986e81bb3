"""What a batch runs: sweep points expanded from the scenario, and one task per (point, scheme, replication).

Everything here is pure. A *point* is a mapping of dotted keys to values (``{"schemes.team_pool.rate":
0.1}``) applied to a deep copy of the resolved scenario; the base scenario is never mutated. Points
come from ``sweep.grid`` (full factorial, the last key varying fastest), crossed with ``sweep.sample``
(a seeded Latin hypercube), or are given explicitly (a sensitivity design). A scenario without a
sweep has one point, ``{}``.

Every run has a deterministic id: a hash of what determines it (the point's resolved firm, market
and behaviour, the scheme's own settings) and the replication. Identical inputs give the same id,
so a run is never done twice: not on ``--resume``, not when two sweep points resolve to the same
scenario, and not for a scheme the swept keys do not touch.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario import Problem, Scenario, ScenarioError, resolved_dict, validate
from sim.scenario.schema import Sweep

Overrides = dict[str, Any]

#: Keys that describe the experiment rather than the firm: they never change a run's result.
EXPERIMENT_KEYS = ("name", "description", "replications", "sweep", "uncertain", "decision")
#: At most this many point problems are listed (a 10,000-point sweep could otherwise print 10,000 lines).
MAX_PROBLEMS = 10


# ------------------------------------------------------------------------------ dotted keys
def _locate(data: dict[str, Any], key: str) -> tuple[Any, str | int]:
    """The container holding ``key`` and the last part's index in it (schemes addressed by name)."""
    parts = key.split(".")
    node: Any = data
    for part in parts[:-1]:
        if isinstance(node, list):
            node = next(s for s in node if isinstance(s, dict) and s.get("name") == part)
        else:
            node = node[part]
    return node, parts[-1]


def get_dotted(data: dict[str, Any], key: str) -> Any:
    node, last = _locate(data, key)
    return node[last]


def apply_point(base: Mapping[str, Any], point: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with each dotted key of ``point`` set; ``base`` is left untouched."""
    data = copy.deepcopy(dict(base))
    for key, value in point.items():
        node, last = _locate(data, key)
        node[last] = copy.deepcopy(value)
    return data


# -------------------------------------------------------------------------------- expansion
def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[Overrides]:
    """The full factorial of ``grid`` in key order, the last key varying fastest."""
    keys = list(grid)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(grid[k] for k in keys))]


def sample_points(ranges: Mapping[str, tuple[float, float]], n: int, seed: int,
                  integer_keys: Sequence[str] = ()) -> list[Overrides]:
    """``n`` Latin-hypercube points over ``ranges``; keys in ``integer_keys`` are rounded to whole numbers."""
    keys = list(ranges)
    rng = np.random.default_rng(seed)
    # One point in each of n equal strata per key, strata paired at random across keys (McKay et al. 1979).
    unit = np.column_stack([(rng.permutation(n) + rng.random(n)) / n for _ in keys]) if keys else np.empty((n, 0))
    low = np.array([ranges[k][0] for k in keys], dtype=float)
    high = np.array([ranges[k][1] for k in keys], dtype=float)
    values = low + unit * (high - low)
    points = []
    for row in values:
        points.append({k: int(round(v)) if k in integer_keys else float(v) for k, v in zip(keys, row, strict=True)})
    return points


def integer_keys(base: dict[str, Any], keys: Sequence[str]) -> list[str]:
    """The keys whose value in the base scenario is a whole number (so sampled values get rounded)."""
    out = []
    for k in keys:
        v = get_dotted(base, k)
        if isinstance(v, int) and not isinstance(v, bool):
            out.append(k)
    return out


def expand(sweep: Sweep | None, base: dict[str, Any], seed: int) -> list[Overrides]:
    """Every point of ``sweep`` (``[{}]`` without one): grid combinations crossed with sample points."""
    if sweep is None:
        return [{}]
    grid = grid_points(sweep.grid) if sweep.grid else [{}]
    if sweep.sample is None:
        return grid
    s = sweep.sample
    sample = sample_points(s.ranges, s.n, seed if s.seed is None else s.seed, integer_keys(base, list(s.ranges)))
    return [{**g, **p} for g in grid for p in sample]


# ------------------------------------------------------------------------------ identities
def identity(resolved: Mapping[str, Any], scheme: str) -> str:
    """A stable hash of what determines a run of ``scheme``: the firm, market and behaviour, and that
    scheme alone (other schemes and experiment-only keys left out). A sweep over one scheme's rate
    therefore reuses the other schemes' runs instead of running them again at every point."""
    kept = {k: v for k, v in resolved.items() if k not in (*EXPERIMENT_KEYS, "schemes")}
    kept["scheme"] = next(s for s in resolved["schemes"] if s["name"] == scheme)
    blob = json.dumps(kept, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def run_id(point_identity: str, scheme: str, replication: int) -> str:
    """The deterministic id of one run: same inputs, same id."""
    blob = f"{point_identity}|{scheme}|{replication}".encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Task:
    """One run to do. ``points`` lists every sweep point whose scenario this run is (usually one)."""

    run_id: str
    points: tuple[int, ...]
    scheme: str
    replication: int
    detail: bool

    @property
    def point(self) -> int:
        return self.points[0]


@dataclass
class Plan:
    """The points of a batch, validated, with each point's identity; builds the task list."""

    base: dict[str, Any]                 # resolved scenario, sweep and uncertain removed
    points: list[Overrides]
    identities: list[dict[str, str]]     # per point: scheme -> identity of its runs
    keys: list[str]
    schemes: list[str]

    def tasks(self, replications: Mapping[int, int] | int) -> list[Task]:
        """Tasks for ``replications`` per point (an int for all), point-major; duplicates merged."""
        by_id: dict[str, Task] = {}
        for p, ident in enumerate(self.identities):
            reps = replications if isinstance(replications, int) else replications.get(p, 0)
            for r in range(reps):
                for s in self.schemes:
                    rid = run_id(ident[s], s, r)
                    if rid in by_id:
                        t = by_id[rid]
                        by_id[rid] = Task(rid, (*t.points, p), s, r, t.detail)
                    else:
                        by_id[rid] = Task(rid, (p,), s, r, detail=(p == 0 and r == 0))
        return list(by_id.values())


def value_checks(sweep: Sweep | None) -> list[tuple[tuple[str, ...], str, Any]]:
    """(location, key, value) for each grid value and each sample range end of ``sweep``."""
    if sweep is None:
        return []
    checks = [(("sweep", "grid", k), k, v) for k, values in sweep.grid.items() for v in values]
    if sweep.sample:
        checks += [(("sweep", "sample", "ranges", k), k, v) for k, pair in sweep.sample.ranges.items() for v in pair]
    return checks


def make_plan(scenario: Scenario, points: Sequence[Overrides] | None = None, source: str = "<scenario>",
              marks: Mapping[tuple, tuple[int, int]] | None = None,
              checks: Sequence[tuple[tuple[str, ...], str, Any]] | None = None, label: str = "sweep") -> Plan:
    """Expand and validate every point of ``scenario`` (or the explicit ``points``).

    Each value in ``checks`` (default: every grid value and range end of the sweep) is first tried
    on its own, so a problem names its key and line; then every point is validated. Raises
    :class:`ScenarioError` naming the key, the value and the problem, before anything is run.
    """
    resolved = resolved_dict(scenario)
    base = {**resolved, "sweep": None, "uncertain": None}
    if points is None:
        points = expand(scenario.sweep, base, scenario.seed)
        keys = scenario.sweep.keys() if scenario.sweep else []
    else:
        keys = list(dict.fromkeys(k for p in points for k in p))
    checks = value_checks(scenario.sweep) if checks is None else checks
    problems = _single_value_problems(checks, base, source, marks or {})
    identities: list[dict[str, str]] = []
    if not problems:
        for i, point in enumerate(points):
            try:
                sc = validate(apply_point(base, point), source)
            except ScenarioError as err:
                where = ", ".join(f"{k}={v!r}" for k, v in point.items())
                problems.extend(Problem(source, label, f"point {i} ({where}): {p.path}: {p.message}")
                                for p in err.problems)
                if len(problems) >= MAX_PROBLEMS:
                    break
                continue
            res = resolved_dict(sc)
            identities.append({s.name: identity(res, s.name) for s in scenario.schemes})
    if problems:
        raise ScenarioError(problems[:MAX_PROBLEMS])
    return Plan(base, list(points), identities, list(keys), [s.name for s in scenario.schemes])


def _single_value_problems(checks: Sequence[tuple[tuple[str, ...], str, Any]], base: dict[str, Any], source: str,
                           marks: Mapping[tuple, tuple[int, int]]) -> list[Problem]:
    """Each value checked on its own against the base, so a problem names its key and its line."""
    problems = []
    ints = set(integer_keys(base, [c[1] for c in checks]))
    for loc, key, value in checks:
        if key in ints and isinstance(value, float):
            value = int(round(value))
        try:
            validate(apply_point(base, {key: value}), source)
        except ScenarioError as err:
            line, col = marks.get(loc, (None, None))
            problems.extend(Problem(source, ".".join(loc), f"value {value!r}: {p.message}", line, col)
                            for p in err.problems)
    return problems
