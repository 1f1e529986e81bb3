"""Every scenario in scenarios/ validates and runs (every scheme) at a short horizon."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model import run
from sim.scenario import load_scenario

from .conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_there_are_lever_scenarios() -> None:
    assert len(FILES) >= 8


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_validates_and_runs_short(path: Path) -> None:
    sc = load_scenario(path, ["horizon_months=3"])
    for scheme in sc.schemes:
        out = run(sc, scheme.name, 0)
        assert len(out["monthly"]) == 3
        assert out["run"]["placements"] >= 0 and out["run"]["base_pay"] > 0
