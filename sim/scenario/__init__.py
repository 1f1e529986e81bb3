"""Scenario files: schema, loading, overrides and problem reporting."""

from sim.scenario.loader import apply_overrides, dump_yaml, load_scenario, read_yaml, resolved_dict, validate
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.schema import Scenario, Scheme

__all__ = ["Problem", "Scenario", "ScenarioError", "Scheme", "apply_overrides", "dump_yaml", "load_scenario",
           "read_yaml", "resolved_dict", "validate"]
