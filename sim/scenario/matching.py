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


KNOBS: dict[str, tuple[tuple[str, ...], ...]] = {"team_pool": (("rate",),), "hybrid": (("team_pool", "rate"),),
                                                 "individual": (("rate",), ("tiers",))}
"""Where each plan type's solved knob is written, inside its scheme."""


def stated_knobs(data: dict[str, Any], where: Sequence[tuple]) -> dict[int, tuple]:
    """The precedence rule of ``--set`` and ``match_cost_of``: scheme index -> the override that states its
    knob, for each scheme whose ``match_cost_of`` is written in the file (no override sets it) and whose
    solved knob an override sets (e.g. ``schemes.team_pool.rate=0.25``, or a hybrid's whole ``team_pool``).
    Such a scheme runs at the stated value: the loader clears its ``match_cost_of``. A ``match_cost_of``
    given with ``--set`` is always solved (the knob's value is then where the solve starts)."""
    schemes = data.get("schemes")
    if not isinstance(schemes, list):
        return {}
    out: dict[int, tuple] = {}
    for raw in where:
        if len(raw) < 3 or raw[0] != "schemes" or not isinstance(raw[1], int) or raw[1] >= len(schemes):
            continue
        i, inside = raw[1], tuple(raw[2:])
        entry = schemes[i]
        if not isinstance(entry, dict) or entry.get("match_cost_of") is None:
            continue
        if any(w[:3] == ("schemes", i, "match_cost_of") or len(w) < 3 and w == tuple(raw[:len(w)]) for w in where):
            continue   # match_cost_of itself comes from the command line: it is solved
        knobs = KNOBS.get(str(entry.get("type")), ())
        if any(inside[:len(k)] == k or k[:len(inside)] == inside for k in knobs):
            out.setdefault(i, raw)
    return out


def stated_lines(data: dict[str, Any], stated: dict[int, tuple]) -> list[str]:
    """One line per scheme whose ``match_cost_of`` an override of its knob set aside (:func:`stated_knobs`),
    for the command's output and the manifest; ``data`` is the mapping before the match is cleared."""
    return [f"{data['schemes'][i]['name']}: {'.'.join(map(str, raw[2:]))} is stated with --set, which sets "
            f"aside its match_cost_of: {data['schemes'][i]['match_cost_of']}; it runs at the value given"
            for i, raw in stated.items()]
