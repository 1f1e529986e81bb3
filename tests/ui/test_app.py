"""The workshop app's levers: read from the validated scenario, written back and validated by its schema."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sim.app.levers import BY_NAME, LEVERS, Caps, Forged, as_sent, build_scenario, changes, defaults, label, parse
from sim.app.session import Session
from sim.app.terms import scheme_mapping
from sim.cli import main
from sim.scenario import ScenarioError, load_scenario

from .conftest import ROOT, WORKSHOP

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def sc():
    return load_scenario(WORKSHOP)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_app_defaults_are_the_clis_scenario_for_every_scheme_of_every_file(path: Path) -> None:
    """What the CLI runs and what the app runs before a lever moves are the same validated scheme."""
    cli = load_scenario(path)
    for scheme in cli.schemes:
        app = build_scenario(cli, defaults(cli, scheme.name))
        assert [s.name for s in app.schemes] == [scheme.name]
        # the same plan and the same policy in effect (the app writes the whole policy into the scheme)
        def effective(s):
            return {**scheme_mapping(s), "policy": s.policy.model_dump(mode="json")}
        assert effective(app.schemes[0]) == effective(scheme)
        assert (app.firm, app.market, app.behavior, app.replications, app.seed, app.horizon_months) == (
            cli.firm, cli.market, cli.behavior, cli.replications, cli.seed, cli.horizon_months)


def test_a_pool_rate_left_out_of_the_file_takes_the_schemas_default(sc) -> None:
    data = sc.model_copy(update={"schemes": [s for s in sc.schemes if s.name == "team_pool"]})
    from sim.scenario import validate
    bare = validate({"name": "bare", "schemes": [{"name": "pool", "type": "team_pool"}]})
    assert defaults(bare)["pool_rate"] == float(bare.schemes[0].plan.rate) == 0.25   # not the old app's 0.13
    assert defaults(data, "team_pool")["pool_rate"] == 0.13   # the file's own value where it gives one


def test_every_lever_reaches_the_scenario_it_should(sc) -> None:
    hybrid = {**defaults(sc, "hybrid"), "rate": 0.3, "threshold": 2000.0, "pool_rate": 0.2, "pool_share": 0.7,
              "split": 0.6, "lead_override": 0.02, "lead_bonus": 1500.0, "leaderboard": True,
              "partnership_time": 0.1, "hiring_for_cooperation": 0.5, "remove_star_month": 6, "pod_leads": True,
              "pods": 3, "recruiters_per_pod": 4, "account_managers_per_pod": 2, "replications": 7}
    assert set(hybrid) == {"scheme", *BY_NAME}
    s = build_scenario(sc, hybrid)
    plan, policy = s.schemes[0].plan, s.schemes[0].policy
    assert plan.individual.rate == Decimal("0.3") and plan.individual.threshold == Decimal(2000)
    assert plan.team_pool.rate == Decimal("0.2") and plan.individual_weight == Decimal("0.3")
    assert (plan.split.recruiter, plan.split.account_manager) == (Decimal("0.6"), Decimal("0.4"))
    assert plan.pod_lead.override_rate == Decimal("0.02") and plan.pod_lead.development_bonus == Decimal(1500)
    assert policy.leaderboard and policy.partnership_time == 0.1 and policy.hiring_for_cooperation == 0.5
    assert policy.remove_star_month == 6
    assert (s.firm.pod_leads, s.firm.pods, s.firm.recruiters_per_pod, s.firm.account_managers_per_pod) == (
        True, 3, 4, 2)
    assert s.replications == 7
    pool = build_scenario(sc, {**defaults(sc, "team_pool"), "pool_rate": 0.4})
    assert pool.schemes[0].plan.rate == Decimal("0.4")
    ind = build_scenario(sc, {**defaults(sc, "individual"), "rate": 0.1, "threshold": 0.0})
    assert ind.schemes[0].plan.rate == Decimal("0.1") and ind.schemes[0].plan.threshold == 0


def test_changes_name_what_moved_from_the_baseline(sc) -> None:
    base = defaults(sc, "individual")
    pool = {**defaults(sc, "team_pool"), "pool_rate": 0.4}
    assert changes(pool, base, defaults(sc, "team_pool")) == ["team_pool", "pool 40%"]
    assert changes({**base, "leaderboard": True, "remove_star_month": 12}, base) == ["leaderboard on",
                                                                                     "star out at month 12"]
    assert label(base, base, 1, True) == "baseline (run 1)"
    assert label(base, base, 3, False) == "as baseline (run 3)"


def test_pod_lead_pay_is_a_change_only_with_pod_leads_on(sc) -> None:
    """Pod lead pay moves nothing without pod leads: it is ignored then (not a change, not run, no problem for
    what its disabled field holds), and is the run's term once pod leads are on."""
    base = parse(as_sent(defaults(sc, "individual")), sc, Caps())[0]
    moved = {**as_sent(defaults(sc, "individual")), "lead_override": 0.05, "lead_bonus": "abc"}
    off, problems = parse(moved, sc, Caps())
    assert not problems and off["lead_override"] is None and off["lead_bonus"] is None
    assert label(off, base, 2, False) == "as baseline (run 2)"
    assert build_scenario(sc, off).schemes[0].plan.pod_lead == sc.scheme("individual").plan.pod_lead
    on, problems = parse({**moved, "pod_leads": ["on"], "lead_bonus": "2500"}, sc, Caps())
    assert not problems and (on["lead_override"], on["lead_bonus"]) == (0.05, 2500)
    assert label(on, base, 3, False) == "lead override 5%, lead bonus $2,500, pod leads on (run 3)"
    lead = build_scenario(sc, on).schemes[0].plan.pod_lead
    assert (lead.override_rate, lead.development_bonus) == (Decimal("0.05"), Decimal(2500))


def test_typed_values_that_do_not_fit_echo_what_was_typed(sc) -> None:
    values = as_sent(defaults(sc))
    for typed in ("0", "2.5", "501", "abc"):
        _levers, problems = parse({**values, "replications": typed}, sc, Caps())
        assert set(problems) == {"replications"} and typed in problems["replications"]
    _levers, problems = parse({**values, "replications": ""}, sc, Caps())
    assert "enter a value" in problems["replications"]
    levers, problems = parse({**values, "replications": " 40 ", "remove_star_month": ""}, sc, Caps())
    assert not problems and levers["replications"] == 40 and levers["remove_star_month"] is None


@pytest.mark.parametrize("forged", [
    {"scheme": "nope"}, {"scheme": ["individual"]}, {"rate": 0.9}, {"rate": "0.2"}, {"rate": {"a": 1}},
    {"leaderboard": "yes"}, {"leaderboard": ["on", "on"]}, {"pods": 1000}, {"replications": ["1"]},
    {"replications": 10**6}, {"surprise": 1}, {"split": True}])
def test_values_no_page_could_send_are_forged(sc, forged: dict) -> None:
    with pytest.raises(Forged):
        parse({**as_sent(defaults(sc)), **forged}, sc, Caps())


def test_replications_are_capped_server_side(sc) -> None:
    _levers, problems = parse({**as_sent(defaults(sc)), "replications": "1000000"}, sc, Caps())
    assert "from 1 to 500" in problems["replications"]
    _levers, problems = parse({**as_sent(defaults(sc)), "replications": "60"}, sc, Caps(replications=50))
    assert "from 1 to 50" in problems["replications"]


def test_schema_problems_come_back_one_line_each(sc) -> None:
    with pytest.raises(ScenarioError) as err:
        build_scenario(sc, {**defaults(sc), "remove_star_month": 700})
    assert all("\n" not in str(p) for p in err.value.problems)


def test_session_keeps_runs_and_baseline_and_moves_another_scenarios_file_aside(tmp_path: Path) -> None:
    s = Session(tmp_path, "abc")
    v0 = s.version()
    n1 = s.add({"scheme": "x"}, {"metrics": {}})
    n2 = s.add({"scheme": "y"}, {"metrics": {}})
    assert (n1, n2) == (1, 2) and s.baseline() == 1 and s.version() > v0
    s.pin(2)
    again = Session(tmp_path, "abc")
    assert [r["n"] for r in again.runs()] == [1, 2] and again.baseline() == 2 and again.moved is None
    other = Session(tmp_path, "def")
    assert other.runs() == [] and other.moved is not None and other.moved.exists()


def test_every_lever_has_a_human_label_and_phrase() -> None:
    for lv in LEVERS:
        assert "_" not in lv.label and "{}" in lv.phrase


def test_app_command_with_a_missing_file_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["app", "no/such/scenario.yaml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "file not found" in err[0]


def test_the_scripts_lever_names_are_the_apps() -> None:
    from sim.scenario.workshop import LEVER_NAMES
    assert LEVER_NAMES == tuple(lv.name for lv in LEVERS)


def test_the_shipped_script_walks_the_five_questions_and_every_round_builds() -> None:
    from sim.app.levers import check_rounds
    sc = load_scenario(ROOT / "scenarios" / "workshop_script.yaml")
    assert len(sc.workshop.rounds) == 6   # a baseline and the five questions
    check_rounds(sc, "workshop_script.yaml", Caps())


@pytest.mark.parametrize("round_, message", [
    ({"question": "q", "scheme": "nope"}, "names scheme 'nope'"),
    ({"question": "q", "scheme": "individual", "levers": {"speed": 1}}, "workshop.rounds[0].levers.speed"),
])
def test_a_bad_round_is_one_line_naming_it(round_: dict, message: str) -> None:
    from sim.scenario import read_yaml, validate
    data, _marks = read_yaml(WORKSHOP)
    with pytest.raises(ScenarioError) as err:
        validate({**data, "workshop": {"rounds": [round_]}}, "f.yaml")
    lines = [str(p) for p in err.value.problems]
    assert len(lines) == 1 and message in lines[0], lines


def test_a_round_whose_levers_do_not_fit_its_scheme_stops_the_app_with_one_line_each() -> None:
    from sim.app.levers import check_rounds
    from sim.scenario import read_yaml, validate
    data, _marks = read_yaml(WORKSHOP)
    sc = validate({**data, "workshop": {"rounds": [{"question": "q", "scheme": "individual",
                                                     "levers": {"pool_rate": 0.2, "replications": 0}}]}})
    with pytest.raises(ScenarioError) as err:
        check_rounds(sc, "f.yaml", Caps())
    lines = sorted(str(p) for p in err.value.problems)
    assert len(lines) == 2 and "pool_rate" in lines[0] and "replications" in lines[1], lines


def test_a_round_setting_pod_lead_pay_without_pod_leads_stops_the_app_with_one_line() -> None:
    from sim.app.levers import check_rounds
    from sim.scenario import read_yaml, validate
    data, _marks = read_yaml(WORKSHOP)
    rounds = [{"question": "q", "scheme": "individual", "levers": {"lead_override": 0.02}},
              {"question": "q", "scheme": "individual", "levers": {"lead_override": 0.02, "pod_leads": True}}]
    sc = validate({**data, "workshop": {"rounds": rounds}})
    with pytest.raises(ScenarioError) as err:
        check_rounds(sc, "f.yaml", Caps())
    lines = [str(p) for p in err.value.problems]
    assert len(lines) == 1 and "rounds[0].levers.lead_override" in lines[0] and "pod_leads" in lines[0], lines
