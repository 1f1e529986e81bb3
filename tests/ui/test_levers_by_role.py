"""Levers of plan terms written by role or by business line: one number per control, never a mapping."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sim.app.levers import (
    BY_NAME,
    LEVERS,
    Caps,
    Forged,
    applies,
    as_sent,
    build_scenario,
    changes,
    check_rounds,
    defaults,
    offered,
    parse,
)
from sim.app.room import terms
from sim.scenario import ScenarioError, load_scenario, read_yaml, validate
from sim.scenario.library import LIBRARY

from .conftest import ROOT, WORKSHOP

PER_ROLE = ROOT / "scenarios" / "workshop_per_role.yaml"
TEMPLATES = sorted(p.stem for p in LIBRARY.glob("*.yaml"))
RATES = ("rate_recruiter_perm", "rate_recruiter_contract", "rate_account_manager_perm",
         "rate_account_manager_contract")


@pytest.fixture(scope="module")
def sc():
    return load_scenario(PER_ROLE)


@pytest.fixture(scope="module")
def library():
    """The workshop firm with every plan template of the library as a scheme."""
    data, _marks = read_yaml(WORKSHOP)
    return validate({**data, "schemes": [{"name": t, "plan": t} for t in TEMPLATES]}, "library")


def test_a_term_by_role_and_line_is_one_lever_per_entry_each_with_the_files_number(sc) -> None:
    values = defaults(sc, "split_60_40_by_role")
    assert values["rate"] is None and values["threshold"] is None   # the mapping is not handed to one control
    assert [values[n] for n in RATES] == [0.12, 0.08, 0.15, 0.10]
    assert (values["threshold_recruiter"], values["threshold_account_manager"]) == (4000.0, 4500.0)
    assert values["rate_recruiter"] is None and values["rate_perm"] is None   # by role then line, not by role alone
    quota = defaults(sc, "quarterly_quota")
    assert quota["rate"] == 0.10 and quota["threshold"] == 0.0 and quota["quota"] is None
    assert (quota["quota_recruiter"], quota["quota_account_manager"]) == (33000.0, 39000.0)
    assert BY_NAME["rate_account_manager_perm"].label == "Account manager commission rate on perm GP"
    assert {"rate", "threshold", *RATES, "quota_recruiter", "pool_rate"} <= offered(sc)
    assert not {"quota", "rate_perm", "rate_recruiter"} & offered(sc)   # no scheme writes them so: not shown


def test_every_scheme_of_every_plan_template_opens_and_runs_as_the_file_says(library) -> None:
    """What the page is given comes back through parse untouched, and builds the file's own plan."""
    for scheme in library.schemes:
        values = defaults(library, scheme.name)
        numeric = [lv for lv in LEVERS if lv.kind != "bool"]
        assert all(not isinstance(values[lv.name], dict | list) for lv in numeric), scheme.name
        levers, problems = parse(as_sent(values), library, Caps())
        assert not problems, (scheme.name, problems)
        built = build_scenario(library, levers).schemes[0]
        assert built.plan == scheme.plan, scheme.name


def test_a_rate_gives_way_to_tiers_and_a_lever_applies_only_where_one_number_is_written(library) -> None:
    tiered = library.scheme("tiered_20_30_40")
    assert not applies(BY_NAME["rate"], tiered) and applies(BY_NAME["threshold"], tiered)
    split = library.scheme("per_role_split")
    assert [applies(BY_NAME[n], split) for n in ("rate", "rate_recruiter", "rate_recruiter_perm")] == [
        False, False, True]
    pool = library.scheme("pod_pool")
    assert applies(BY_NAME["pool_rate"], pool) and not applies(BY_NAME["rate_recruiter_perm"], pool)


def test_each_entry_reaches_only_its_own_term(sc) -> None:
    values = {**defaults(sc, "split_60_40_by_role"), "rate_account_manager_perm": 0.2, "threshold_recruiter": 3000.0}
    plan = build_scenario(sc, values).schemes[0].plan
    assert plan.rate.account_manager.perm == Decimal("0.2") and plan.rate.account_manager.contract == Decimal("0.1")
    assert plan.rate.recruiter.perm == Decimal("0.12") and plan.rate.recruiter.contract == Decimal("0.08")
    assert plan.threshold.recruiter == Decimal(3000) and plan.threshold.account_manager == Decimal(4500)
    quota = build_scenario(sc, {**defaults(sc, "quarterly_quota"), "quota_account_manager": 30000.0}).schemes[0].plan
    assert quota.quota.account_manager == Decimal(30000) and quota.quota.recruiter == Decimal(33000)
    base = defaults(sc, "split_60_40_by_role")
    assert changes(values, base) == ["AM perm commission 20%", "recruiter threshold $3,000"]


def test_a_disabled_lever_sends_what_it_holds_and_is_ignored(sc) -> None:
    """The single-number control of a term written by role is disabled, but still sends its slider value."""
    sent = {**as_sent(defaults(sc, "split_60_40_by_role")), "rate": 0.3, "threshold": "100"}
    levers, problems = parse(sent, sc, Caps())
    assert not problems and levers["rate"] is None and levers["threshold"] is None
    assert build_scenario(sc, levers).schemes[0].plan.rate.recruiter.perm == Decimal("0.12")


@pytest.mark.parametrize("forged", [
    {"rate_recruiter_perm": {"recruiter": 0.1}}, {"rate_recruiter_perm": "0.1"}, {"rate_recruiter_perm": 0.9},
    {"rate_account_manager_contract": True}, {"rate_account_manager_contract": [0.1]},
    {"rate_recruiter_perm": float("nan")}, {"threshold_recruiter": 3000}, {"threshold_account_manager": "9" * 41},
    {"threshold_recruiter": {"a": 1}}])
def test_values_no_page_could_send_to_a_by_role_lever_are_forged(sc, forged: dict) -> None:
    with pytest.raises(Forged):
        parse({**as_sent(defaults(sc, "split_60_40_by_role")), **forged}, sc, Caps())


def test_a_typed_by_role_value_that_does_not_fit_is_echoed_next_to_its_field(sc) -> None:
    sent = as_sent(defaults(sc, "split_60_40_by_role"))
    _levers, problems = parse({**sent, "threshold_account_manager": "lots"}, sc, Caps())
    assert set(problems) == {"threshold_account_manager"} and "'lots'" in problems["threshold_account_manager"]
    assert problems["threshold_account_manager"].startswith("Account manager commission threshold")


def test_a_round_setting_the_one_number_of_a_term_written_by_role_names_the_levers_to_set(sc) -> None:
    data, _marks = read_yaml(PER_ROLE)
    bad = validate({**data, "workshop": {"rounds": [
        {"question": "q", "scheme": "split_60_40_by_role", "levers": {"rate": 0.2}},
        {"question": "q", "scheme": "split_60_40_by_role", "levers": {"rate_account_manager_perm": 0.2}}]}})
    with pytest.raises(ScenarioError) as err:
        check_rounds(bad, "f.yaml", Caps())
    [line] = [str(p) for p in err.value.problems]
    assert "workshop.rounds[0].levers.rate" in line and "rate_account_manager_perm" in line, line


def test_players_read_their_own_roles_terms(sc) -> None:
    split = sc.scheme("split_60_40_by_role")
    assert "15% of perm and 10% of contract" in terms(split, "account_manager")
    assert "$4,500.00 a month" in terms(split, "account_manager") and "12%" not in terms(split, "account_manager")
    assert "for recruiters and" in terms(split)
    assert "a quarter" in terms(sc.scheme("quarterly_quota"), "recruiter")


@pytest.mark.parametrize("forged", [{"rate": {"recruiter": 0.1}}, {"quota": 5}, {"pool_share": "1"},
                                    {"pool_rate": float("inf")}, {"threshold": ["1"]}])
def test_a_disabled_control_must_still_hold_what_it_can(sc, forged: dict) -> None:
    with pytest.raises(Forged):
        parse({**as_sent(defaults(sc, "split_60_40_by_role")), **forged}, sc, Caps())
