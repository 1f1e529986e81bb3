"""Cost-matched schemes: what ``match_cost_of`` solves for each plan type, and its validation.

``match_cost_of: OTHER`` on a scheme asks for the value of one knob at which the scheme's expected
variable pay equals OTHER's (solved by :mod:`sim.experiment.matching`): a pool's ``rate`` (team_pool),
a hybrid's ``team_pool.rate`` (before its ``1 - w``), or the *scale* of an individual schedule (its
``rate``, or every tier's rate, times one factor). A salary plan has no variable pay to set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.scenario.paths import hint

SOLVED: dict[str, str] = {"team_pool": "rate", "hybrid": "team_pool.rate", "individual": "scale"}
"""The knob solved per plan type (``scale`` multiplies the individual schedule's rates)."""


def _error(i: int, message: str, **ctx: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("match_cost_of", message, ctx),
                            loc=("schemes", i, "match_cost_of"), input={})


def match_errors(schemes: Sequence[Any]) -> list[InitErrorDetails]:
    """One error per bad ``match_cost_of``: an unknown or own name, a chain, or a salary plan."""
    names = {s.name: s for s in schemes}
    errors = []
    for i, s in enumerate(schemes):
        target = s.match_cost_of
        if target is None:
            continue
        if s.type not in SOLVED:
            errors.append(_error(i, "a {kind} plan has no variable pay to match; match a team_pool, hybrid or "
                                    "individual scheme", kind=s.type))
        elif target == s.name:
            errors.append(_error(i, "a scheme cannot match its own cost"))
        elif target not in names:
            errors.append(_error(i, "no scheme named {target}{hint}; choose one of {names}", target=repr(target),
                                 hint=hint(target, names), names=", ".join(n for n in names if n != s.name)))
        elif names[target].match_cost_of is not None:
            errors.append(_error(i, "{target} is cost-matched itself: match a scheme whose terms are set",
                                 target=repr(target)))
    return errors
