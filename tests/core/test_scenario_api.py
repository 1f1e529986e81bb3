"""The Scenario API others build on: schemes as a union of plan types, their plan terms, dotted paths,
the read-once document, and the bound that keeps every valid plan inside the engine's int64 cents."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sim.comp.params import HybridParams, IndividualParams, SalaryParams, TeamPoolParams
from sim.model import run
from sim.scenario import (
    ScenarioError,
    apply_overrides,
    dump_yaml,
    load_scenario,
    paths,
    read_yaml,
    resolved_dict,
    validate,
)
from sim.scenario.limits import MAX_AMOUNT, MAX_MONTHS
from sim.scenario.schema import SCHEME_CLASSES, HybridScheme, IndividualScheme, Scheme, TeamPoolScheme

from .conftest import SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


def test_each_scheme_is_its_plan_type_with_plan_terms_beside_its_name() -> None:
    sc = load_scenario(SCENARIOS / "workshop_demo.yaml")
    individual, pool, hybrid = sc.schemes
    assert isinstance(individual, IndividualScheme) and isinstance(individual, Scheme)
    assert isinstance(pool, TeamPoolScheme) and isinstance(hybrid, HybridScheme)
    assert individual.rate == Decimal("0.25") and individual.threshold == Decimal(6000)
    assert pool.rate == Decimal("0.13") and pool.basis == "pod"           # given, and a default
    assert hybrid.individual.threshold == Decimal(6000) and hybrid.team_pool.sharing == "equal"
    assert individual.split.recruiter == Decimal("0.5")                   # a default of every type


@pytest.mark.parametrize(("tag", "cls"), [("salary", SalaryParams), ("individual", IndividualParams),
                                          ("team_pool", TeamPoolParams), ("hybrid", HybridParams)])
def test_plan_is_the_engine_model_alone_with_every_default(tag: str, cls: type) -> None:
    assert SCHEME_CLASSES[tag].plan_class is cls
    sc = validate({"name": "t", "schemes": [{"name": "s", "type": tag}]})
    plan = sc.schemes[0].plan
    assert type(plan) is cls and plan == cls()
    assert "name" not in plan.model_dump() and "policy" not in plan.model_dump()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_resolved_scenario_round_trips_in_the_yaml_shape(path: Path) -> None:
    sc = load_scenario(path)
    resolved = resolved_dict(sc)
    assert all(list(s)[0] == "name" and list(s)[-1] == "policy" and "plan" not in s for s in resolved["schemes"])
    assert validate(resolved) == sc
    assert resolved_dict(validate(read_yaml_text(dump_yaml(sc), path))) == resolved


def read_yaml_text(text: str, path: Path) -> dict:
    from sim.scenario.document import parse_text
    data, _marks, problems = parse_text(text, str(path))
    assert not problems
    return data


def test_a_loaded_scenario_keeps_its_file_and_line_marks() -> None:
    path = SCENARIOS / "workshop_demo.yaml"
    sc = load_scenario(path)
    assert sc.source == str(path) and sc.marks == read_yaml(path)[1]
    assert sc.marks[("schemes", 1, "rate")] == (18, 5)
    assert validate({"name": "t", "schemes": [{"name": "s", "type": "salary"}]}).marks == {}


def test_top_level_policy_fills_each_scheme_key_by_key() -> None:
    sc = validate({"name": "t", "policy": {"leaderboard": True, "partnership_time": 0.1},
                   "schemes": [{"name": "a", "type": "salary"},
                               {"name": "b", "type": "salary", "policy": {"partnership_time": 0.2}}]})
    assert [(s.policy.leaderboard, s.policy.partnership_time) for s in sc.schemes] == [(True, 0.1), (True, 0.2)]


def test_dotted_paths_address_schemes_by_name_and_other_lists_by_index() -> None:
    data = resolved_dict(load_scenario(SCENARIOS / "team_targets.yaml"))
    name = next(s["name"] for s in data["schemes"] if s.get("tiers"))
    index = [s["name"] for s in data["schemes"]].index(name)
    assert paths.resolve(data, f"schemes.{name}.tiers.1.rate") == ("schemes", index, "tiers", 1, "rate")
    assert paths.display(data, ("schemes", index, "tiers", 1, "rate")) == f"schemes.{name}.tiers[1].rate"
    changed = paths.with_values(data, {f"schemes.{name}.tiers.1.rate": 0.3, "firm.pods": 7})
    assert changed["schemes"][index]["tiers"][1]["rate"] == 0.3 and changed["firm"]["pods"] == 7
    assert data["firm"]["pods"] != 7                                        # the base is untouched
    assert paths.from_loc(("schemes", index, "individual", "tiers", 1, "rate"), SCHEME_CLASSES) == \
        ("schemes", index, "tiers", 1, "rate")
    with pytest.raises(paths.PathError, match="did you mean 'firm.pods'"):
        paths.resolve(data, "firm.podz")
    with pytest.raises(paths.PathError, match="no scheme named"):
        paths.assign(data, "schemes.nobody.rate", 1)


@pytest.mark.parametrize(("key", "why"), [
    ("replications", "cannot be varied"), ("schemes", "scheme list"), ("schemes.team_pool", "whole scheme"),
    ("schemes.team_pool.name", "name cannot be varied"), ("schemes.team_pool.type", "type cannot be varied"),
    ("market.job_order_rat", "did you mean 'market.job_order_rate'"),
])
def test_keys_a_sweep_may_not_vary(key: str, why: str) -> None:
    view = resolved_dict(load_scenario(SCENARIOS / "workshop_demo.yaml"))
    assert why in paths.check_variable(view, key)
    assert paths.check_variable(view, "schemes.team_pool.rate") is None


def test_overrides_set_plan_terms_beside_the_name() -> None:
    data = read_yaml(SCENARIOS / "workshop_demo.yaml")[0]
    sc = validate(apply_overrides(data, ["schemes.team_pool.rate=0.2", "schemes.hybrid.individual.rate=0.3"]))
    assert sc.scheme("team_pool").rate == Decimal("0.2") and sc.scheme("hybrid").individual.rate == Decimal("0.3")


def test_the_largest_valid_amounts_run_without_overflowing_the_cents() -> None:
    """Every amount of a plan at its bound (the engine's bound on amounts; weights at theirs, 1000) still runs."""
    big = float(MAX_AMOUNT)
    terms = {"base_monthly": {"recruiter": big, "account_manager": big, "pod_lead": big},
             "pod_lead": {"override_rate": 1, "development_bonus": big, "milestone_months": 1},
             "draw": {"months": MAX_MONTHS, "amount": big}}
    sc = validate({
        "name": "bounds", "seed": 2**63 - 1, "replications": 1, "horizon_months": 3,
        "firm": {"pods": 2, "recruiters_per_pod": 2, "account_managers_per_pod": 2, "pod_leads": True},
        "schemes": [
            {"name": "individual", "type": "individual", "rate": 1, "threshold": big, "cap": big,
             "tiers": [{"from": 0, "rate": 1}, {"from": big, "rate": 1}], **terms},
            {"name": "pool", "type": "team_pool", "rate": 1, "sharing": "role_weights",
             "role_weights": {"recruiter": 1000, "account_manager": 1}, **terms},
        ]})
    for scheme in sc.schemes:
        result = run(sc, scheme.name, 0)["run"]
        assert result["base_pay"] >= 2 * 4 * 3 * float(MAX_AMOUNT) and result["commission_paid"] >= 0


@pytest.mark.parametrize(("key", "value"), [("threshold", float(MAX_AMOUNT) * 10), ("draw", {"months": 1201})])
def test_a_plan_term_past_its_bound_is_refused(key: str, value: object) -> None:
    with pytest.raises(ScenarioError, match=rf"schemes\.s\.{key}.*beyond the largest"):
        validate({"name": "t", "schemes": [{"name": "s", "type": "individual", key: value}]})


def test_every_plan_type_of_the_engine_has_a_scheme_class() -> None:
    """A plan type added to sim.comp.params.PlanParams needs its scheme class here, or scenarios cannot name it."""
    import typing

    from sim.comp.params import PlanParams

    members = typing.get_args(typing.get_args(PlanParams)[0])
    assert set(members) == {c.plan_class for c in SCHEME_CLASSES.values()}
