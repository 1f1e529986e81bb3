"""Sweep expansion: counts, order, Latin hypercube strata, deterministic ids, deep-copy independence."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.experiment.plan import apply_point, grid_points, make_plan, run_id, sample_points
from sim.scenario import load_scenario, resolved_dict

from .conftest import SCENARIOS, workshop_sweep


def test_grid_is_full_factorial_with_last_key_fastest() -> None:
    points = grid_points({"a": [1, 2, 3], "b": ["x", "y"]})
    assert len(points) == 6
    assert points[:3] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}]


def test_latin_hypercube_has_one_point_per_stratum_within_range_and_is_seeded() -> None:
    ranges = {"x": (2.0, 4.0), "y": (0.0, 1.0)}
    points = sample_points(ranges, 20, seed=3)
    assert points == sample_points(ranges, 20, seed=3)
    assert points != sample_points(ranges, 20, seed=4)
    for key, (lo, hi) in ranges.items():
        values = np.array([p[key] for p in points])
        assert np.all((values >= lo) & (values <= hi))
        strata = np.floor((values - lo) / (hi - lo) * 20).astype(int)
        assert sorted(strata) == list(range(20))


def test_sample_rounds_whole_number_keys() -> None:
    points = sample_points({"firm.pods": (1.0, 5.0)}, 10, seed=1, integer_keys=["firm.pods"])
    assert all(isinstance(p["firm.pods"], int) and 1 <= p["firm.pods"] <= 5 for p in points)


def test_apply_point_leaves_the_base_and_other_points_untouched() -> None:
    base = resolved_dict(load_scenario(SCENARIOS / "workshop_demo.yaml"))
    before = repr(base)
    one = apply_point(base, {"schemes.team_pool.rate": 0.2, "firm.pods": 3})
    two = apply_point(base, {"schemes.team_pool.rate": 0.05})
    one["market"]["job_order_rate"] = 99.0          # mutating a result must not leak anywhere
    assert repr(base) == before
    assert two["market"]["job_order_rate"] == base["market"]["job_order_rate"]
    assert [s["rate"] for s in one["schemes"] if s["name"] == "team_pool"] == [0.2]
    assert [s["rate"] for s in two["schemes"] if s["name"] == "team_pool"] == [0.05]
    assert one["firm"]["pods"] == 3 and two["firm"]["pods"] == base["firm"]["pods"]


def test_grid_and_sample_cross_and_count(tmp_path: Path) -> None:
    path = workshop_sweep(tmp_path, grid={"firm.pods": [1, 2], "schemes.team_pool.rate": [0.1, 0.2, 0.3]})
    sc = load_scenario(path, ["sweep.sample={n: 4, ranges: {market.candidate_rate: [4, 8]}}"])
    plan = make_plan(sc)
    assert len(plan.points) == 2 * 3 * 4
    assert plan.keys == ["firm.pods", "schemes.team_pool.rate", "market.candidate_rate"]
    tasks = plan.tasks(sc.replications)
    ids = [t.run_id for t in tasks]
    assert len(ids) == len(set(ids))
    assert ids == [t.run_id for t in make_plan(sc).tasks(sc.replications)]   # deterministic


def test_run_ids_differ_by_scheme_replication_and_scenario() -> None:
    ids = {run_id(ident, s, r) for ident in ("a", "b") for s in ("x", "y") for r in range(3)}
    assert len(ids) == 12


def test_identical_inputs_share_one_run(tmp_path: Path) -> None:
    # A repeated value, and a scheme the swept key does not touch, give runs already planned.
    path = workshop_sweep(tmp_path, grid={"schemes.team_pool.rate": [0.1, 0.2, 0.1]})
    sc = load_scenario(path)
    plan = make_plan(sc)
    tasks = plan.tasks(2)
    by_scheme = {s: sum(t.scheme == s for t in tasks) for s in plan.schemes}
    assert by_scheme == {"individual": 2, "team_pool": 4, "hybrid": 2}
    shared = [t for t in tasks if t.scheme == "individual"]
    assert all(t.points == (0, 1, 2) for t in shared)


def test_set_composes_with_the_sweep(tmp_path: Path) -> None:
    path = workshop_sweep(tmp_path)
    sc = load_scenario(path, ["firm.pods=3", "schemes.team_pool.rate=0.2"])
    plan = make_plan(sc)
    for point in plan.points:
        data = apply_point(plan.base, point)
        assert data["firm"]["pods"] == 3
        assert [s["rate"] for s in data["schemes"] if s["name"] == "team_pool"] == [0.2]
    assert [p["market.job_order_rate"] for p in plan.points] == [4.0, 6.0, 8.0]
