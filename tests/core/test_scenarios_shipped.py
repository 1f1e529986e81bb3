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
def test_scenario_validates_runs_short_and_every_statement_ties_to_pay_on_record(path: Path) -> None:
    # Three months, or up to the start of the file's last demand period (a period must start in the horizon).
    horizon = max([3, *(p.from_month for p in load_scenario(path).market.demand.periods)])
    sc = load_scenario(path, [f"horizon_months={horizon}"])
    for scheme in sc.schemes:
        out = run(sc, scheme.name, 0, detail=True)
        assert len(out["monthly"]) == horizon
        lines: dict[int, int] = {}
        for line in out["statements"]:
            lines[line["person_id"]] = lines.get(line["person_id"], 0) + line["cents"]
        assert lines == {p["person_id"]: p["pay_cents"] for p in out["people"] if p["months_employed"]}


@pytest.mark.parametrize("path", [f for f in FILES if load_scenario(f).uncertain], ids=lambda p: p.stem)
def test_uncertain_ranges_hold_the_scenarios_own_values(path: Path) -> None:
    # Worlds drawn around another firm's values answer for another firm (the reference once drew demand
    # 50% above its own, and perm shares it does not have).
    from sim.experiment.plan import ranges_leaving_out

    sc = load_scenario(path)
    assert ranges_leaving_out(sc, sc.uncertain) == []


def test_every_levers_size_has_an_uncertain_range_in_a_shipped_scenario() -> None:
    # Each lever's size, and how the market answers demand, is an assumption (docs/model.md, "Levers",
    # "Demand that moves"): a robust study must be able to vary it.
    from sim.scenario.schema import Levers

    ranged = {key for path in FILES for key in load_scenario(path).uncertain or {}}
    knobs = {f"behavior.levers.{name}" for name in Levers.model_fields} | {
        "behavior.hiring.screening_delay", "market.demand.candidate_elasticity",
        "market.demand.outside_option_elasticity"}
    assert sorted(knobs - ranged) == []
