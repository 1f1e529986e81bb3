"""Shared fixtures for the core tests: scenarios built from the shipped files, shortened."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def scenario(name: str, *overrides: str) -> Scenario:
    return load_scenario(SCENARIOS / f"{name}.yaml", list(overrides))


@pytest.fixture(scope="session")
def reference() -> Scenario:
    return scenario("individual_vs_team")
