"""Plan parameters: defaults, exact conversion, and loud validation errors that name the key."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from sim.comp import IndividualParams, PlanParams, build_plan, parse_plan_params
from sim.comp.terms import plain_loc


def error_of(params: dict) -> dict:
    """The single validation error raised by ``params``."""
    with pytest.raises(ValidationError) as caught:
        build_plan(params)
    errors = caught.value.errors()
    assert len(errors) == 1, errors
    return {**errors[0], "loc": plain_loc(errors[0]["loc"])}


@pytest.mark.parametrize(("params", "loc"), [
    ({"type": "individual", "split": {"recruiter": 0.6, "account_manager": 0.5}}, ("individual", "split")),
    ({"type": "salary", "split": {"recruiter": 0.7}}, ("salary", "split")),
    ({"type": "hybrid", "split": {"recruiter": 0.2, "account_manager": 0.2}}, ("hybrid", "split")),
])
def test_split_not_summing_to_one_is_rejected_at_split(params: dict, loc: tuple) -> None:
    error = error_of(params)
    assert error["loc"] == loc and "sum to exactly 1" in error["msg"]


@pytest.mark.parametrize(("params", "loc"), [
    ({"type": "individual", "rate": -0.1}, ("individual", "rate")),
    ({"type": "team_pool", "rate": -0.25}, ("team_pool", "rate")),
    ({"type": "individual", "tiers": [{"from": 0, "rate": -0.2}]}, ("individual", "tiers", 0, "rate")),
    ({"type": "hybrid", "team_pool": {"rate": -1}}, ("hybrid", "team_pool", "rate")),
    ({"type": "salary", "pod_lead": {"override_rate": -0.01}}, ("salary", "pod_lead", "override_rate")),
    ({"type": "individual", "rate": 1.5}, ("individual", "rate")),
    ({"type": "hybrid", "individual_weight": 1.1}, ("hybrid", "individual_weight")),
    ({"type": "team_pool", "sharing": "role_weights", "role_weights": {"recruiter": -1}},
     ("team_pool", "role_weights", "recruiter")),
    ({"type": "salary", "base_monthly": {"recruiter": -1}}, ("salary", "base_monthly", "recruiter")),
])
def test_negative_or_out_of_range_rates_and_amounts_are_rejected_at_their_key(params: dict, loc: tuple) -> None:
    assert error_of(params)["loc"] == loc


@pytest.mark.parametrize(("tiers", "message"), [
    ([{"from": 0, "rate": 0.2}, {"from": 0, "rate": 0.3}], "strictly ascending"),
    ([{"from": 0, "rate": 0.2}, {"from": 9000, "rate": 0.3}, {"from": 5000, "rate": 0.4}], "strictly ascending"),
    ([{"from": 100, "rate": 0.2}], "start from 0"),
    ([], "must not be empty"),
])
def test_tiers_not_ascending_from_zero_are_rejected_at_tiers(tiers: list, message: str) -> None:
    error = error_of({"type": "individual", "tiers": tiers})
    assert error["loc"] == ("individual", "tiers") and message in error["msg"]
    nested = error_of({"type": "hybrid", "individual": {"tiers": tiers}})
    assert nested["loc"] == ("hybrid", "individual", "tiers")


@pytest.mark.parametrize(("params", "loc"), [
    ({"type": "team_pool", "rat": 0.25}, ("team_pool", "rat")),
    ({"type": "salary", "rate": 0.25}, ("salary", "rate")),  # salary has no commission keys
    ({"type": "salary", "clawback": True}, ("salary", "clawback")),
    ({"type": "individual", "draw": {"month": 3}}, ("individual", "draw", "month")),
    ({"type": "individual", "tiers": [{"from": 0, "rates": 0.2}]}, ("individual", "tiers", 0, "rates")),
    ({"type": "hybrid", "individual": {"basis": "pod"}}, ("hybrid", "individual", "basis")),
    ({"type": "individual", "pod_lead": {"override": 0.1}}, ("individual", "pod_lead", "override")),
])
def test_unknown_key_is_rejected_with_its_dotted_path(params: dict, loc: tuple) -> None:
    error = error_of(params)
    assert error["type"] == "extra_forbidden" and error["loc"] == loc


def test_unknown_or_missing_type_is_rejected_naming_the_type_key() -> None:
    error = error_of({"type": "commission", "rate": 0.25})
    assert error["type"] == "union_tag_invalid"
    assert error["ctx"]["discriminator"] == "'type'" and error["ctx"]["tag"] == "commission"
    assert error_of({"rate": 0.25})["type"] == "union_tag_not_found"

    class Scheme(BaseModel):  # as a scenario embeds it: the loc then names the scheme's plan key
        plan: PlanParams

    with pytest.raises(ValidationError) as caught:
        Scheme.model_validate({"plan": {"type": "commission"}})
    assert caught.value.errors()[0]["loc"] == ("plan",)


def test_sub_cent_dollar_amounts_are_rejected() -> None:
    assert error_of({"type": "individual", "threshold": 1000.005})["loc"] == ("individual", "threshold")


def test_every_field_has_a_default_and_a_description() -> None:
    def check(model: type[BaseModel]) -> None:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            assert not field.is_required(), f"{model.__name__}.{name} has no default"
            annotation = field.annotation
            for sub in getattr(annotation, "__args__", (annotation,)):
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    check(sub)
    for model in PlanParams.__origin__.__args__:  # type: ignore[attr-defined]
        check(model)


def test_yaml_floats_are_read_as_exact_decimals_and_dollars_as_cents() -> None:
    params = parse_plan_params(yaml.safe_load("type: individual\nrate: 0.1\nthreshold: 1234.56\n"
                                              "split: {recruiter: 0.7, account_manager: 0.3}\n"))
    assert isinstance(params, IndividualParams)
    assert params.rate == Decimal("0.1") and params.split.recruiter + params.split.account_manager == 1
    plan = build_plan(params)
    assert plan.schedule is not None and plan.schedule.threshold_cents == 123_456


def test_rates_keep_nine_decimal_places_and_amounts_stay_within_a_billion_dollars() -> None:
    # The bounds under which the engine's int64 arithmetic is exact (sim/comp/money.py).
    params = parse_plan_params({"type": "team_pool", "rate": 1 / 3, "role_weights": {"recruiter": 0.1234567895}})
    assert params.rate == Decimal("0.333333333") and params.role_weights.recruiter == Decimal("0.123456790")
    assert parse_plan_params({"type": "individual", "rate": 0.25}).rate == Decimal("0.25")
    for bad in ({"type": "salary", "base_monthly": {"recruiter": 10**9 + 1}},
                {"type": "team_pool", "role_weights": {"account_manager": 1001}}):
        with pytest.raises(ValidationError):
            parse_plan_params(bad)


def test_defaults_fill_in_and_the_resolved_plan_round_trips_through_yaml() -> None:
    given = {"type": "hybrid", "team_pool": {"basis": "firm"}, "draw": {}}
    before = copy.deepcopy(given)
    plan = build_plan(given)
    assert given == before  # the caller's mapping is not touched
    resolved = plan.params.model_dump(mode="json", by_alias=True)
    assert resolved["individual_weight"] == 0.5 and resolved["base_monthly"]["pod_lead"] == 7000.0
    assert resolved["draw"] == {"months": 3, "amount": 2000.0, "recoverable": True}
    reloaded = parse_plan_params(yaml.safe_load(yaml.safe_dump(resolved)))
    assert reloaded == plan.params


def test_tier_from_key_round_trips_by_its_yaml_name() -> None:
    params = parse_plan_params({"type": "individual", "tiers": [{"from": 0, "rate": 0.2},
                                                                {"from": 20000, "rate": 0.3}]})
    dumped = params.model_dump(mode="json", by_alias=True)["tiers"]
    assert dumped == [{"from": 0.0, "rate": 0.2}, {"from": 20000.0, "rate": 0.3}]
