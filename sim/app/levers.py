"""The workshop's levers and how they become a scenario: overrides on the file, validated like ``--set``.

A run of the app is one plan (a type with its rates and split) under one policy, in a firm whose pod
size the room can change. :func:`build_scenario` starts from the scenario file's own scheme of that
type (so its thresholds, tiers and draws are kept), applies the lever values with
:func:`sim.scenario.apply_overrides` and validates with :func:`sim.scenario.validate`, so a bad value
gets the same one-line message as on the command line.
"""

from __future__ import annotations

import copy
from typing import Any

from sim.scenario import Scenario, apply_overrides, validate

PLAN_TYPES = ("salary", "individual", "team_pool", "hybrid")
PLAN_NAME = "plan"   # the single scheme the app runs; its label carries the lever values


def defaults(raw: dict[str, Any], replications: int = 20) -> dict[str, Any]:
    """Lever values read from the scenario file: its first scheme, its policy and its pod size."""
    first = (raw.get("schemes") or [{}])[0]
    kind = first.get("type", "individual")
    policy = {**(raw.get("policy") or {}), **(first.get("policy") or {})}
    firm = raw.get("firm") or {}
    rate = first.get("rate", 0.25) if kind == "individual" else (first.get("individual") or {}).get("rate", 0.25)
    pool = first.get("rate", 0.13) if kind == "team_pool" else (first.get("team_pool") or {}).get("rate", 0.13)
    return {"plan": kind if kind in PLAN_TYPES else "individual", "rate": float(rate), "pool_rate": float(pool),
            "split": float((first.get("split") or {}).get("recruiter", 0.5)),
            "pool_share": round(1 - float(first.get("individual_weight", 0.5)), 2),
            "recruiters_per_pod": int(firm.get("recruiters_per_pod", 5)),
            "account_managers_per_pod": int(firm.get("account_managers_per_pod", 5)),
            "leaderboard": bool(policy.get("leaderboard", False)),
            "partnership_time": float(policy.get("partnership_time", 0.0)),
            "hiring_for_cooperation": float(policy.get("hiring_for_cooperation", 0.0)),
            "replications": replications}


def _text(value: Any) -> str:
    """A lever value as override text; a missing number stays empty so validation names it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") or "0"
    return str(value)


def overrides(levers: dict[str, Any]) -> list[str]:
    """``KEY=VALUE`` overrides that set the lever values on a scenario whose only scheme is ``plan``."""
    kind = levers["plan"]
    s = f"schemes.{PLAN_NAME}"
    out = [f"replications={_text(levers['replications'])}",
           f"firm.recruiters_per_pod={_text(levers['recruiters_per_pod'])}",
           f"firm.account_managers_per_pod={_text(levers['account_managers_per_pod'])}",
           f"{s}.policy.leaderboard={_text(bool(levers['leaderboard']))}",
           f"{s}.policy.partnership_time={_text(levers['partnership_time'])}",
           f"{s}.policy.hiring_for_cooperation={_text(levers['hiring_for_cooperation'])}"]
    split = levers["split"]
    if split is not None:
        # Two decimals each, so the shares add to exactly 1 in the plan's decimal arithmetic.
        out += [f"{s}.split.recruiter={split:.2f}", f"{s}.split.account_manager={1 - round(split, 2):.2f}"]
    else:
        out.append(f"{s}.split.recruiter=")
    if kind == "individual":
        out.append(f"{s}.rate={_text(levers['rate'])}")
    elif kind == "team_pool":
        out.append(f"{s}.rate={_text(levers['pool_rate'])}")
    elif kind == "hybrid":
        share = levers["pool_share"]
        out += [f"{s}.individual.rate={_text(levers['rate'])}", f"{s}.team_pool.rate={_text(levers['pool_rate'])}",
                f"{s}.individual_weight={'' if share is None else f'{1 - round(float(share), 2):.2f}'}"]
    return out


def build_scenario(raw: dict[str, Any], levers: dict[str, Any], source: str = "<app>") -> Scenario:
    """The scenario for one Run; raises :class:`sim.scenario.ScenarioError` listing every bad value."""
    kind = levers.get("plan")
    if kind not in PLAN_TYPES:
        from sim.scenario import Problem, ScenarioError
        raise ScenarioError([Problem(source, "plan", f"choose one of {', '.join(PLAN_TYPES)}, not {kind!r}")])
    base = next((s for s in raw.get("schemes") or [] if isinstance(s, dict) and s.get("type") == kind), None)
    scheme = copy.deepcopy(base) if base else {"type": kind}
    scheme["name"] = PLAN_NAME
    # The app runs one plan at one point: a file's sweep or uncertainty ranges do not apply.
    data = {k: copy.deepcopy(v) for k, v in raw.items() if k not in ("sweep", "uncertain")}
    data["schemes"] = [scheme]
    return validate(apply_overrides(data, overrides(levers)), source)


def describe(levers: dict[str, Any]) -> str:
    """A short label of the lever values for the run history (plain text)."""
    kind = levers["plan"]
    terms = {"salary": "", "individual": f" {levers['rate']:.0%}", "team_pool": f" pool {levers['pool_rate']:.0%}",
             "hybrid": f" {levers['rate']:.0%} + pool {levers['pool_rate']:.0%} x {levers['pool_share']:.0%}"}[kind]
    return (f"{kind}{terms}; split {levers['split']:.0%}/{1 - levers['split']:.0%}; pods "
            f"{levers['recruiters_per_pod']}R+{levers['account_managers_per_pod']}AM; leaderboard "
            f"{'on' if levers['leaderboard'] else 'off'}; partnership {levers['partnership_time']:.0%}; "
            f"hiring for cooperation {levers['hiring_for_cooperation']:.0%}")
