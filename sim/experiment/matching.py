"""Cost matching: the pool rate or plan scale at which a scheme's expected variable pay equals another's.

For each scheme with ``match_cost_of: OTHER`` (what it solves is :data:`sim.scenario.matching.SOLVED`),
the cost curve is the scheme's mean variable pay (``commission_paid``: commission, pool, overrides and
draws net of recoveries and clawbacks) over replications ``0 .. R-1`` of the scenario, a function of
the knob; OTHER's mean over the same replications is the target. Replication r of both draws the same
market (common random numbers), so the difference is a paired one. :func:`scipy.optimize.brentq` finds
where curve - target changes sign on ``[0, top]`` (a rate of at most 1; a scale that keeps every rate at
most 1); the knob is then held to the 9 decimal places a plan keeps, choosing the neighbour with the
smallest gap. The curve rises with the knob (more pay per dollar of GP, and effort that answers it), but
brentq needs only the change of sign.

What "matched" means, stated honestly: the two means over those ``R`` replications, not every run, and
not replications added later (``--precision``). The curve is continuous between jumps; a jump comes
where a tiny change of the knob moves a discrete event (a placement made or not, a quit) in some
replication, which happens more often in larger firms, longer horizons and plans with thresholds.
Where the curve is continuous at the crossing, the gap is within :data:`TOLERANCE` (cents, tested);
where the crossing is a jump, no value of the knob does better than the nearer side of the jump, and
the match records both sides (``crossing``) so the gap is never hidden. The batch then runs with the
solved values, so its stored means show the same gap.
"""

from __future__ import annotations

import copy
import math
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from scipy.optimize import brentq

from sim.model import run
from sim.scenario import Problem, Scenario, ScenarioError, resolved_dict, validate
from sim.scenario.matching import SOLVED
from sim.scenario.paths import nearest_mark

TOLERANCE = 0.01
"""Dollars: the largest gap between the two mean variable pays that counts as matched."""
PLACES = 9   # decimal places of a plan's rates (sim/comp/params.py)


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
    crossing: tuple[float, float]
    """The gaps a few steps of the 9th decimal below and above the root: both within cents where the curve is
    continuous there; far apart where it jumps (then no value does better than ``gap``)."""
    replications: int
    evaluations: int


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


def mean_variable_pay(sc: Scenario, scheme: str, replications: int) -> float:
    """Mean ``commission_paid`` of ``scheme`` over replications 0 .. replications - 1 (dollars)."""
    return statistics.fmean(run(sc, scheme, r)["run"]["commission_paid"] for r in range(replications))


def _refuse(sc: Scenario, name: str, message: str) -> ScenarioError:
    i = next(i for i, s in enumerate(sc.schemes) if s.name == name)
    return ScenarioError([Problem(sc.source, f"schemes.{name}.match_cost_of", message,
                                  *nearest_mark(sc.marks, ("schemes", i, "match_cost_of")))])


def _closest(f: Callable[[float], float], root: float) -> tuple[float, float, float]:
    """Of the values at the plan's 9 decimals around ``root`` (a scale's neighbours may round to the same
    rates, so four of them), the one with the smaller gap; with the gaps just below and above the root."""
    step = 10.0 ** -PLACES
    low = math.floor(root / step) * step
    near = [round(low + k * step, PLACES) for k in (-1, 0, 1, 2)]
    return min(near, key=lambda x: abs(f(x))), f(near[0]), f(near[-1])


def solve_match(sc: Scenario, name: str, progress: Callable[[str], None] | None = None,
                targets: dict[str, float] | None = None) -> Match:
    """Solve scheme ``name``'s knob against its ``match_cost_of`` over the scenario's replications."""
    scheme = sc.scheme(name)
    target_name, key, reps = scheme.match_cost_of, SOLVED[scheme.type], sc.replications
    assert target_name is not None
    base = resolved_dict(sc)
    written = _written(_entry(base, name))
    top = 1.0 if key != "scale" else 1.0 / max(max(_rates(_entry(base, name))), 1e-9)
    targets = {} if targets is None else targets   # mean variable pay of each target, computed once
    if target_name not in targets:
        targets[target_name] = mean_variable_pay(sc, target_name, reps)
    target = targets[target_name]
    seen: dict[float, tuple[float, list[float]]] = {}

    def pay(x: float) -> float:
        x = round(x, PLACES)
        if x not in seen:
            raw = copy.deepcopy(base)
            rates = _set(raw, name, x, written)
            seen[x] = (mean_variable_pay(validate(raw, sc.source), name, reps), rates)
            if progress is not None:
                progress(f"matching {name} to {target_name}: {key} {x:.9g} pays ${seen[x][0]:,.2f} a run "
                         f"(target ${target:,.2f})")
        return seen[x][0]

    if pay(0.0) >= target:
        value, below, above = 0.0, pay(0.0) - target, pay(0.0) - target
    elif pay(top) < target:
        raise _refuse(sc, name, f"even at {key} {top:g} {name} pays ${pay(top):,.2f} of variable pay a run on "
                                f"average, below {target_name}'s ${target:,.2f}: no value matches")
    else:
        root = brentq(lambda x: pay(x) - target, 0.0, top, xtol=10.0 ** -(PLACES + 1), maxiter=200)
        value, below, above = _closest(lambda x: pay(x) - target, root)
    got, rates = pay(value), seen[round(value, PLACES)][1]
    return Match(name, target_name, key, round(value, PLACES), rates, round(target, 2), round(got, 2),
                 round(got - target, 4), (round(below, 4), round(above, 4)), reps, len(seen))


def solve_matches(sc: Scenario, progress: Callable[[str], None] | None = None) -> tuple[Scenario, list[Match]]:
    """The scenario with every ``match_cost_of`` solved (its knobs set, the key cleared), and the matches.
    A scenario without one is returned as it is."""
    names = [s.name for s in sc.schemes if s.match_cost_of is not None]
    if not names:
        return sc, []
    if sc.sweep is not None:
        raise _refuse(sc, names[0], "a cost-matched scheme cannot be swept (each point would need its own solve): "
                                    "run the sweep without match_cost_of, or one scenario per point")
    targets: dict[str, float] = {}
    matches = [solve_match(sc, name, progress, targets) for name in names]
    raw = resolved_dict(sc)
    for m in matches:
        _set(raw, m.scheme, m.value, _written(_entry(raw, m.scheme)))
    return validate(raw, sc.source, sc.marks).read_from(sc.source, sc.marks), matches


def unsolved(sc: Scenario) -> list[Problem]:
    """Problems for a batch of a scenario whose ``match_cost_of`` is not solved (only ``teamsim run`` and
    ``teamsim match`` solve it; another command would run the rate as written): one per such scheme."""
    return [Problem(sc.source, f"schemes.{s.name}.match_cost_of", "cost matching is solved by teamsim run and "
                    "teamsim match only; this command would run the rate as written: run the scenario that "
                    "'teamsim match FILE --out SOLVED.yaml' writes, or leave the key out",
                    *nearest_mark(sc.marks, ("schemes", i, "match_cost_of")))
            for i, s in enumerate(sc.schemes) if s.match_cost_of is not None]


def records(matches: list[Match]) -> list[dict[str, Any]]:
    return [asdict(m) for m in matches]
