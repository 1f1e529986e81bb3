"""Small scenarios for the checks, built as plain mappings and validated like any YAML file."""

from __future__ import annotations

import copy
from typing import Any

from sim.comp import Plan, build_plan
from sim.scenario import Scenario, validate

#: A flat individual plan (no threshold: the margin is the rate everywhere) and an equal pod pool at
#: the same rate, so that a pool of one pays exactly what the individual plan pays.
RATE = 0.25
INDIVIDUAL = {"name": "individual", "type": "individual", "rate": RATE, "threshold": 0}
TEAM_POOL = {"name": "team_pool", "type": "team_pool", "rate": RATE, "basis": "pod", "sharing": "equal"}

#: Selfish people (Holmström's setting): no intrinsic motivation, career concerns, social weight or peer
#: pressure, no effort floor, no turnover, identical skill (so nobody's effort is clipped at the maximum).
SELFISH = {
    "effort": {"intrinsic": 0.0, "career_concern": 0.0, "social_weight": 0.0, "peer_pressure": 0.0, "minimum": 0.0},
    "turnover": {"enabled": False},
    "hiring": {"skill_sd": 0.0},
}


def plan(scheme: dict[str, Any]) -> Plan:
    """The payout engine's plan for one of the scheme mappings above."""
    return build_plan({k: v for k, v in scheme.items() if k != "name"})


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``extra`` into a copy of ``base``."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(name: str, *, seed: int = 20260501, horizon: int = 1, firm: dict[str, Any] | None = None,
             market: dict[str, Any] | None = None, behavior: dict[str, Any] | None = None,
             schemes: list[dict[str, Any]] | None = None) -> Scenario:
    raw: dict[str, Any] = {
        "name": name, "seed": seed, "replications": 1, "horizon_months": horizon,
        "firm": firm or {}, "market": market or {}, "behavior": behavior or {},
        "schemes": schemes or [INDIVIDUAL, TEAM_POOL],
    }
    return validate(raw, source=f"<validation:{name}>")


#: Why the effort checks in the firm compare the first month (horizon 1): the first month's effort is the
#: best response to the plan at the marginal product everyone expects before they have a record, the
#: setting of the algebra. From the second month each person's marginal product is their own record,
#: which under a pool is lower (a partner working less fills fewer of one's matches): complementarity
#: deepens free riding beyond 1/N, which the algebra leaves out.
FIRST_MONTH = 1
