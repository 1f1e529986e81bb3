"""Cost matching: the pool rate or plan scale at which a scheme's expected variable pay equals another's.

For each scheme with ``match_cost_of: OTHER`` (what it solves is :data:`sim.scenario.matching.SOLVED`),
the cost curve is the scheme's mean variable pay (``commission_paid``: commission, pool, overrides and
draws net of recoveries and clawbacks) over replications ``0 .. R-1``, a function of the knob; OTHER's
mean over the same replications is the target. Replication r of both draws the same market (common
random numbers), so the gap is a paired difference.

Pay is close to proportional to a rate or a scale, so the search (:mod:`sim.experiment.matching_search`)
starts at the value as written, steps to the proportional guess, then takes secant steps inside the
bracket it has found: a handful of evaluations. Every evaluation runs its R replications on the batch's
executor, all schemes' evaluations of a round together, and the target's runs come from the first round;
the target's runs and each scheme's runs at its solved value are handed to the batch (``ready``), which
stores them instead of running them again (same run ids: a run's id hashes only its own scheme).

What "matched" means, stated honestly: the two means over those R replications. The knob is held to the
9 decimals a plan keeps (one step moves the reference firm's mean by about $0.10), and the curve jumps
where a tiny change moves a discrete event in some replication (measured on the reference firm: $5,138
between two values 2e-9 apart), so a cent is often out of reach. The search therefore stops at the first
value whose gap is within :data:`TOLERANCE`, or within :data:`NEGLIGIBLE` of the standard error of the
paired difference (a shift no interval of the comparison can see), or after :data:`MAX_EVALUATIONS`; it
keeps the evaluated value with the smallest gap, and the manifest and report state the gap, the bound it
met (or not), and the gaps at the two ends of the last bracket (``crossing``).
"""

from __future__ import annotations

import copy
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sim.experiment.executors import ExecutorSpec, Result, make_payload, open_executor, stream
from sim.experiment.matching_search import MAX_EVALUATIONS, Curve  # noqa: F401 - MAX_EVALUATIONS: re-exported
from sim.experiment.plan import Task, make_plan, run_id
from sim.model import run
from sim.scenario import Problem, Scenario, ScenarioError, resolved_dict, validate
from sim.scenario.matching import SOLVED
from sim.scenario.paths import nearest_mark

TOLERANCE = 0.01
"""Dollars: a gap of the two mean variable pays within this is matched to the cent."""
NEGLIGIBLE = 0.1
"""A gap within this share of the standard error of the paired difference of variable pay is matched too:
it moves the comparison's intervals by a tenth of a standard error, which no interval can see."""
PLACES = 9   # decimal places of a plan's rates (sim/comp/params.py)
KEEP_RUNS = 600
"""Solves whose batch needs up to this many of their runs keep those runs' tables for the batch; larger
ones keep only the pay (the batch then runs the target and the solved values again), so the driver's
memory stays bounded: a kept run of the reference firm holds about 0.12 MB in the driver (docs/finance.md)."""


@dataclass(frozen=True)
class Match:
    """One solved match, as the manifest and the report state it."""

    scheme: str
    match_cost_of: str
    key: str
    value: float
    rates: list[float]
    target_variable_pay: float
    variable_pay: float
    gap: float
    """Mean variable pay less the target's, at the solved value (dollars)."""
    tolerance: float
    """The bound the gap is held to: the larger of TOLERANCE and NEGLIGIBLE x ``standard_error``."""
    matched: bool
    """Whether ``|gap| <= tolerance`` (else the evaluations ran out: the gap is stated)."""
    standard_error: float | None
    """Standard error of the paired difference of variable pay over the replications (None for one)."""
    crossing: tuple[float, float]
    """The gaps at the nearest evaluated values below and above the target (the last bracket), or the gap twice."""
    replications: int
    evaluations: int


@dataclass
class Solution:
    """A scenario with its matches solved, the matches, and runs the batch can store instead of running."""

    scenario: Scenario
    matches: list[Match]
    ready: list[Result] = field(default_factory=list)


def _entry(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in raw["schemes"] if s["name"] == name)


def _leaves(rate: Any) -> list[float]:
    """The numbers of a rate as written: one value, or a mapping by role and/or business line."""
    return [x for v in rate.values() for x in _leaves(v)] if isinstance(rate, dict) else [float(rate)]


def _scaled(rate: Any, factor: float) -> Any:
    """A rate as written, every number in it times ``factor`` (a role's or a business line's alike)."""
    if isinstance(rate, dict):
        return {k: _scaled(v, factor) for k, v in rate.items()}
    return round(float(rate) * factor, PLACES)


def _written(entry: dict[str, Any]) -> Any:
    """The rates the solved knob acts on, as written: the pool's rate, or an individual plan's (tiers')."""
    if entry["type"] == "team_pool":
        return entry["rate"]
    if entry["type"] == "hybrid":
        return entry["team_pool"]["rate"]
    return [t["rate"] for t in entry["tiers"]] if entry.get("tiers") else entry["rate"]


def _rates(entry: dict[str, Any]) -> list[float]:
    written = _written(entry)
    return [x for r in written for x in _leaves(r)] if isinstance(written, list) else _leaves(written)


def _set(raw: dict[str, Any], name: str, value: float, written: Any) -> list[float]:
    """Set the solved knob of scheme ``name`` in ``raw`` (in place); ``written``: its rates as written before
    (:func:`_written`), which a plan's scale multiplies. Returns the rates it then holds."""
    entry = _entry(raw, name)
    entry["match_cost_of"] = None
    if entry["type"] == "team_pool":
        entry["rate"] = value
    elif entry["type"] == "hybrid":
        entry["team_pool"]["rate"] = value
    elif entry.get("tiers"):
        for tier, rate in zip(entry["tiers"], written, strict=True):
            tier["rate"] = _scaled(rate, value)
    else:
        entry["rate"] = _scaled(written, value)
    return _rates(entry)


def _point(base: dict[str, Any], name: str, value: float) -> tuple[dict[str, Any], list[float]]:
    """The sweep-style point (dotted keys) that sets scheme ``name``'s knob to ``value``, and its rates."""
    entry = _entry(base, name)
    new = copy.deepcopy(entry)
    rates = _set({"schemes": [new]}, name, value, _written(entry))
    return {f"schemes.{name}.{k}": v for k, v in new.items() if v != entry.get(k)}, rates


def mean_variable_pay(sc: Scenario, scheme: str, replications: int) -> float:
    """Mean ``commission_paid`` of ``scheme`` over replications 0 .. replications - 1 (dollars)."""
    return statistics.fmean(run(sc, scheme, r)["run"]["commission_paid"] for r in range(replications))


def _refuse(sc: Scenario, name: str, message: str) -> ScenarioError:
    i = next(i for i, s in enumerate(sc.schemes) if s.name == name)
    return ScenarioError([Problem(sc.source, f"schemes.{name}.match_cost_of", message,
                                  *nearest_mark(sc.marks, ("schemes", i, "match_cost_of")))])


def _top(base: dict[str, Any], name: str, key: str) -> float:
    """The largest knob value: a rate of 1, or the scale at which the plan's largest rate reaches 1."""
    return 1.0 if key != "scale" else 1.0 / max(max(_rates(_entry(base, name))), 1e-9)


def _start(base: dict[str, Any], name: str, key: str) -> float:
    """The knob as written: the rate, or a scale of 1."""
    return 1.0 if key == "scale" else float(_rates(_entry(base, name))[0])


def _round(sc: Scenario, asks: Sequence[tuple[str, float]], statements: str,
           with_target: Sequence[str]) -> tuple[dict[str, Any], list[Task], list[list[float]]]:
    """One round's payload and tasks: point 0 the scenario as it is (the targets' runs, if asked), point
    i + 1 scheme ``asks[i][0]`` at knob ``asks[i][1]``; with each ask's rates."""
    base = resolved_dict(sc)
    made = [_point(base, name, value) for name, value in asks]
    points = [{}] + [p for p, _ in made]
    plan = make_plan(sc, points, checks=[], allow_large=True)
    plan.statements = statements
    wanted = [(0, t) for t in with_target] + [(i + 1, name) for i, (name, _) in enumerate(asks)]
    tasks = [Task(run_id(plan.identities[p][s], s, r), (p,), s, r, plan.detail(0, r))
             for r in range(sc.replications) for p, s in wanted]
    return make_payload(plan.base, points), tasks, [rates for _, rates in made]


def solve(sc: Scenario, executor: ExecutorSpec | None = None, statements: str = "first",
          progress: Callable[[str], None] | None = None) -> Solution:
    """Every ``match_cost_of`` of ``sc`` solved, on ``executor`` (default: this process); see the module."""
    names = [s.name for s in sc.schemes if s.match_cost_of is not None]
    if not names:
        return Solution(sc, [])
    if sc.sweep is not None:
        raise _refuse(sc, names[0], "a cost-matched scheme cannot be swept (each point would need its own solve): "
                                    "run the sweep without match_cost_of, or one scenario per point")
    base = {**resolved_dict(sc), "sweep": None, "uncertain": None}
    reps = sc.replications
    keep = reps * (len(names) + len({sc.scheme(n).match_cost_of for n in names})) <= KEEP_RUNS
    curves = {n: Curve(_start(base, n, SOLVED[sc.scheme(n).type]), _top(base, n, SOLVED[sc.scheme(n).type]),
                       PLACES, TOLERANCE, NEGLIGIBLE) for n in names}
    targets = sorted({str(sc.scheme(n).match_cost_of) for n in names}, key=[s.name for s in sc.schemes].index)
    pays: dict[str, list[float]] = {}
    kept: dict[str, list[Result]] = {}        # each target's runs (when kept)
    best_runs: dict[str, list[Result]] = {}   # each scheme's runs at its best value so far (when kept)
    rates_at: dict[tuple[str, float], list[float]] = {}
    first = True
    with open_executor(executor or ExecutorSpec("serial", 1), make_payload(base, [{}]), warm=True) as ex:
        while asks := [(n, x) for n, c in curves.items() if (x := c.ask()) is not None]:
            payload, tasks, rates = _round(sc, asks, statements, targets if first else [])
            got: dict[tuple[int, str], dict[int, Result]] = {}
            for res in stream(ex, tasks, payload):
                task = res["task"]
                if "error" in res:
                    raise _refuse(sc, task.scheme if task.point else asks[0][0],
                                  f"a run failed while solving the match (scheme {task.scheme!r}, replication "
                                  f"{task.replication}): {res['error']}")
                got.setdefault((task.point, task.scheme), {})[task.replication] = res
            for t in targets if first else []:
                runs = [got[(0, t)][r] for r in range(reps)]
                pays[t] = [r["run"]["commission_paid"] for r in runs]
                kept[t] = runs if keep else []
            first = False
            for i, (name, x) in enumerate(asks):
                runs = [got[(i + 1, name)][r] for r in range(reps)]   # in replication order, whatever the workers
                per = [r["run"]["commission_paid"] for r in runs]
                target_name = str(sc.scheme(name).match_cost_of)
                target = statistics.fmean(pays[target_name])
                curves[name].tell(x, statistics.fmean(per), target, _se(per, pays[target_name]))
                rates_at[(name, x)] = rates[i]
                if curves[name].best == x:
                    best_runs[name] = runs if keep else []
                if progress is not None:
                    progress(f"matching {name} to {target_name}: {SOLVED[sc.scheme(name).type]} {x:.9g} pays "
                             f"${statistics.fmean(per):,.2f} a run (target ${target:,.2f})")
    matches = [_match(sc, n, curves[n], pays, rates_at) for n in names]
    raw = resolved_dict(sc)
    for m in matches:
        _set(raw, m.scheme, m.value, _written(_entry(raw, m.scheme)))
    solved = validate(raw, sc.source, sc.marks).read_from(sc.source, sc.marks)
    ready = [r for t in targets for r in kept[t]] + [r for n in names for r in best_runs[n]]
    return Solution(solved, matches, [{**r, "task": Task(r["task"].run_id, (0,), *_rest(r["task"]))} for r in ready])


def _rest(task: Task) -> tuple[str, int, bool]:
    return task.scheme, task.replication, task.detail


def _se(per: list[float], target: list[float]) -> float | None:
    """Standard error of the mean paired difference (None for a single replication)."""
    if len(per) < 2:
        return None
    return statistics.stdev([a - b for a, b in zip(per, target, strict=True)]) / math.sqrt(len(per))


def _match(sc: Scenario, name: str, curve: Curve, pays: dict[str, list[float]],
           rates_at: dict[tuple[str, float], list[float]]) -> Match:
    scheme = sc.scheme(name)
    key, target = SOLVED[scheme.type], statistics.fmean(pays[str(scheme.match_cost_of)])
    value = curve.best
    gap = curve.gaps[value]
    if gap < 0 and value >= curve.top:
        raise _refuse(sc, name, f"even at {key} {curve.top:g} {name} pays ${target + gap:,.2f} of variable pay a "
                                f"run on average, below {scheme.match_cost_of}'s ${target:,.2f}: no value matches")
    below, above = curve.crossing()
    se = curve.se_at_best
    return Match(name, str(scheme.match_cost_of), key, value, rates_at[(name, value)], round(target, 2),
                 round(target + gap, 2), round(gap, 4), round(curve.tolerance, 4), abs(gap) <= curve.tolerance,
                 None if se is None else round(se, 2), (round(below, 4), round(above, 4)), sc.replications,
                 len(curve.order))


def solve_matches(sc: Scenario, progress: Callable[[str], None] | None = None,
                  executor: ExecutorSpec | None = None) -> tuple[Scenario, list[Match]]:
    """The scenario with every ``match_cost_of`` solved (its knobs set, the key cleared), and the matches.
    A scenario without one is returned as it is."""
    solution = solve(sc, executor, progress=progress)
    return solution.scenario, solution.matches


def unsolved(sc: Scenario) -> list[str]:
    """One note per scheme whose ``match_cost_of`` is not solved: only ``teamsim run`` and ``teamsim match``
    solve it, so any other command runs (or replays) that scheme's rate as written, and says so."""
    return [f"note: schemes.{s.name}.match_cost_of is solved by teamsim run and teamsim match only; this command "
            f"runs {s.name} at its rate as written ({_described(sc, s.name)}): to compare at equal cost, run the "
            f"scenario that 'teamsim match FILE --out SOLVED.yaml' writes"
            for s in sc.schemes if s.match_cost_of is not None]


def _described(sc: Scenario, name: str) -> str:
    entry = _entry(resolved_dict(sc), name)
    key = SOLVED[entry["type"]]
    return f"{'rates' if key == 'scale' else key} " + ", ".join(f"{r:.9g}" for r in _rates(entry))


def records(matches: list[Match]) -> list[dict[str, Any]]:
    return [asdict(m) for m in matches]
