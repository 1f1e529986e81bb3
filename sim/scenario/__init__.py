"""Scenario files: schema, loading, overrides and problem reporting."""

from sim.scenario.loader import apply_overrides, dump_yaml, load_scenario, read_yaml, resolved_dict, validate
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.schema import AnyScheme, Scenario, Scheme

__all__ = ["AnyScheme", "Problem", "Scenario", "ScenarioError", "Scheme", "apply_overrides", "dump_yaml",
           "load_scenario", "read_yaml", "resolved_dict", "validate"]
