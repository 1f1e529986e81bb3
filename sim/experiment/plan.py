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

import hashlib
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario import Problem, Scenario, ScenarioError, paths, resolved_dict, validate
from sim.scenario.limits import MAX_RUNS
from sim.scenario.paths import EXPERIMENT_KEYS
from sim.scenario.schema import Sweep

Overrides = dict[str, Any]

#: At most this many point problems are listed (a 10,000-point sweep could otherwise print 10,000 lines).
MAX_PROBLEMS = 10
STATEMENTS = ("all", "first", "none")
"""Choices of ``--statements``: which runs keep statements, trace and placements (default first)."""

#: A point's scenario: the resolved base with the point's dotted keys set (a deep copy).
apply_point = paths.with_values
get_dotted = paths.get


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


def sweep_size(sweep: Sweep | None) -> int:
    """How many points ``sweep`` expands to, computed without expanding it."""
    if sweep is None:
        return 1
    grid = math.prod(len(v) for v in sweep.grid.values()) if sweep.grid else 1
    return grid * (sweep.sample.n if sweep.sample else 1)


def check_size(points: int, schemes: int, replications: int, allow_large: bool = False,
               source: str = "<scenario>", what: str = "sweep") -> None:
    """Refuse (ScenarioError) a batch of more than MAX_RUNS runs unless ``allow_large``."""
    runs = points * schemes * replications
    if runs > MAX_RUNS and not allow_large:
        raise ScenarioError([Problem(source, what, f"{points:,} points x {schemes} schemes x {replications} "
                                     f"replications = {runs:,} runs, over the limit of {MAX_RUNS:,}; "
                                     "shrink it, or pass --allow-large")])


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
class BatchPlan:
    """The points of a batch, validated, with each point's identity; builds the task list."""

    base: dict[str, Any]                 # resolved scenario, sweep and uncertain removed
    points: list[Overrides]
    identities: list[dict[str, str]]     # per point: scheme -> identity of its runs
    keys: list[str]
    schemes: list[str]
    statements: str = "first"           # which runs keep statements, trace and placements: STATEMENTS

    def detail(self, point: int, replication: int) -> bool:
        """Whether the run keeps its statements: every run, the first (point 0, replication 0), or none."""
        return self.statements == "all" or (self.statements == "first" and point == 0 and replication == 0)

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
                        by_id[rid] = Task(rid, (p,), s, r, detail=self.detail(p, r))
        return list(by_id.values())


def value_checks(sweep: Sweep | None) -> list[tuple[tuple[str, ...], str, Any]]:
    """(location, key, value) for each grid value and each sample range end of ``sweep``."""
    if sweep is None:
        return []
    checks = [(("sweep", "grid", k), k, v) for k, values in sweep.grid.items() for v in values]
    if sweep.sample:
        checks += [(("sweep", "sample", "ranges", k), k, v) for k, pair in sweep.sample.ranges.items() for v in pair]
    return checks


def make_plan(scenario: Scenario, points: Sequence[Overrides] | None = None, source: str | None = None,
              marks: Mapping[tuple, tuple[int, int]] | None = None,
              checks: Sequence[tuple[tuple[str, ...], str, Any]] | None = None, label: str = "sweep",
              allow_large: bool = False) -> BatchPlan:
    """Expand and validate every point of ``scenario`` (or the explicit ``points``).

    A batch of more than :data:`~sim.scenario.limits.MAX_RUNS` runs is refused first, before any
    point is made, unless ``allow_large``. Each value in ``checks`` (default: every grid value and
    range end of the sweep) is then tried on its own, so a problem names its key and line; then every
    point is validated. Raises :class:`ScenarioError` naming the key, the value and the problem,
    before anything is run. ``source`` and ``marks`` default to the scenario's own.
    """
    source = scenario.source if source is None else source
    marks = scenario.marks if marks is None else marks
    size = sweep_size(scenario.sweep) if points is None else len(points)
    check_size(size, len(scenario.schemes), scenario.replications, allow_large, source, label)
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
            if not point:   # the scenario itself: valid, and its resolved form is the base
                identities.append({s.name: identity(base, s.name) for s in scenario.schemes})
                continue
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
    return BatchPlan(base, list(points), identities, list(keys), [s.name for s in scenario.schemes])


def check_ranges(scenario: Scenario, ranges: Mapping[str, tuple[float, float]], label: str = "uncertain",
                 max_corners: int = 1024) -> None:
    """Validate ``ranges`` (``uncertain:``) as a run would meet them: each end on its own (naming its line),
    then every corner of the box they span (when there are at most ``max_corners``), since a bound or a
    linear constraint holds over the whole box once it holds at its corners. Raises ScenarioError."""
    base = {**resolved_dict(scenario), "sweep": None, "uncertain": None}
    checks = [((label, k), k, v) for k, pair in ranges.items() for v in pair]
    problems = _single_value_problems(checks, base, scenario.source, scenario.marks)
    if problems:
        raise ScenarioError(problems)
    keys = list(ranges)
    if not keys or 2 ** len(keys) > max_corners:
        return
    ints = set(integer_keys(base, keys))
    corners = [{k: int(round(v)) if k in ints else v for k, v in zip(keys, combo, strict=True)}
               for combo in itertools.product(*(sorted(set(ranges[k])) for k in keys))]
    make_plan(scenario, corners, checks=[], label=label, allow_large=True)


def ranges_leaving_out(scenario: Scenario, ranges: Mapping[str, tuple[float, float]], label: str = "uncertain"
                       ) -> list[Problem]:
    """The ranges that leave out the scenario's own value of their key: worlds drawn from such a range
    describe another firm than the one the scenario states, so a robust answer (or a sensitivity
    index) drawn from it does not cover the firm as written. A warning, not an error: exploring
    elsewhere on purpose is allowed."""
    base = resolved_dict(scenario)
    out = []
    for key, (lo, hi) in ranges.items():
        own = get_dotted(base, key)
        if isinstance(own, bool) or not isinstance(own, int | float) or lo <= own <= hi:
            continue
        line, col = scenario.marks.get((label, key), (None, None))
        out.append(Problem(scenario.source, f"{label}.{key}",
                           f"warning: the range [{lo:g}, {hi:g}] leaves out the scenario's own value {own:g}, so "
                           "the worlds drawn from it describe another firm", line, col))
    return out


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
