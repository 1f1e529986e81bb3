"""Where the app reads a validated scheme's plan terms: the one place that knows the scheme's shape.

The app never reaches into plan classes itself. It reads a scheme as the YAML mapping it stands for
(plan keys beside ``name``, ``policy`` below), through :func:`scheme_mapping`, and writes levers back
into that mapping by key path. If the scheme models change shape (a discriminated union keyed by
``type`` instead of a nested ``plan``), only this module needs re-pointing.
"""

from __future__ import annotations

from typing import Any

from sim.scenario import Scenario, Scheme

#: Keys of the YAML mapping that are not part of an app run (a run is one plan at one point).
NOT_RUN = ("sweep", "uncertain", "workshop")


def scheme_mapping(scheme: Scheme) -> dict[str, Any]:
    """The validated scheme as its YAML mapping with every default filled (JSON-ready values). Without
    ``match_cost_of``: the app runs one scheme at a time at its rate as written (``teamsim run`` solves it)."""
    dumped = scheme.model_dump(mode="json")
    dumped.pop("match_cost_of", None)
    plan = dumped.pop("plan", None)
    return {**dumped, **plan} if isinstance(plan, dict) else dumped


def plan_type(scheme: Scheme) -> str:
    """The scheme's plan type: ``salary``, ``individual``, ``team_pool`` or ``hybrid``."""
    return str(scheme_mapping(scheme)["type"])


def scenario_mapping(scenario: Scenario) -> dict[str, Any]:
    """The validated scenario as its YAML mapping, every default filled, without sweeps or scripts."""
    data = scenario.model_dump(mode="json")
    data["schemes"] = [scheme_mapping(s) for s in scenario.schemes]
    return {k: v for k, v in data.items() if k not in NOT_RUN}


def get_path(mapping: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a key path, or None where the path does not exist."""
    node: Any = mapping
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def set_path(mapping: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set a value at a key path, creating sections as needed (the mapping is the caller's copy)."""
    node = mapping
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[path[-1]] = value
