"""What "better" means for a decision: an objective metric and bounds on others.

A decision is stated once, in a scenario's ``decision:`` block or on the command line
(``--objective profit --constraint turnover_rate_annual<=0.35``), and read by ``teamsim robust``
and ``teamsim optimize``. The objective's direction (higher or lower is better) comes from its
declaration in :mod:`sim.metrics`; an ``info`` metric has none and cannot be an objective.
Everything here is pure.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from sim.metrics import BY_NAME

_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$")


def check_metric(name: str, role: str = "--objective") -> None:
    """Raise ValueError (one line) unless ``name`` is a run metric with a direction."""
    if name not in BY_NAME:
        raise ValueError(f"{role}: unknown metric {name!r}; choose one of {', '.join(BY_NAME)}")
    if role == "--objective" and BY_NAME[name].direction == "info":
        raise ValueError(f"{role}: {name!r} has no better direction (it is descriptive); choose another metric")


@dataclass(frozen=True, slots=True)
class Constraint:
    """``metric <= bound`` or ``metric >= bound``, met by a world's (or a trial's) mean value."""

    metric: str
    op: str
    bound: float

    @property
    def text(self) -> str:
        return f"{self.metric}{self.op}{self.bound:g}"

    def slack(self, values: np.ndarray | float) -> np.ndarray:
        """How far a value is past the bound (positive: violated; zero or below: met), as Optuna wants it."""
        v = np.asarray(values, dtype=float)
        return v - self.bound if self.op == "<=" else self.bound - v

    def met(self, values: np.ndarray | float) -> np.ndarray:
        return np.asarray(self.slack(values) <= 0)


def parse_constraint(text: str) -> Constraint:
    """``"turnover_rate_annual<=0.35"`` as a :class:`Constraint`; ValueError with one clear line otherwise."""
    m = _CONSTRAINT.match(str(text))
    if not m:
        raise ValueError(f"--constraint: expected METRIC<=X or METRIC>=X, e.g. turnover_rate_annual<=0.35, "
                         f"got {text!r}")
    name, op, number = m.groups()
    check_metric(name, "--constraint")
    try:
        bound = float(number)
    except ValueError:
        raise ValueError(f"--constraint: the bound of {text!r} is not a number") from None
    if not math.isfinite(bound):
        raise ValueError(f"--constraint: the bound of {text!r} must be finite")
    return Constraint(name, op, bound)


@dataclass(frozen=True, slots=True)
class Decision:
    objective: str
    constraints: tuple[Constraint, ...] = ()

    @property
    def sign(self) -> float:
        """+1 when higher is better, -1 when lower is."""
        return 1.0 if BY_NAME[self.objective].direction == "max" else -1.0

    @property
    def metrics(self) -> list[str]:
        return list(dict.fromkeys([self.objective, *(c.metric for c in self.constraints)]))

    def describe(self) -> str:
        better = "higher" if self.sign > 0 else "lower"
        bounds = " and ".join(c.text for c in self.constraints)
        return f"{self.objective} ({better} is better)" + (f" subject to {bounds}" if bounds else "")

    def as_dict(self) -> dict[str, object]:
        return {"objective": self.objective, "constraints": [c.text for c in self.constraints]}


def make_decision(objective: str, constraints: list[str] | tuple[str, ...] = ()) -> Decision:
    """A :class:`Decision` from text; ValueError (one line) for an unknown metric or a malformed bound."""
    check_metric(objective)
    return Decision(objective, tuple(parse_constraint(c) for c in constraints))
