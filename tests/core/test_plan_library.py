"""The plan library: every template in scenarios/plans/ loads, states its source, runs; scenarios include
templates by name with overrides; bad names and bad templates are one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.model import run
from sim.scenario import ScenarioError, load_scenario, resolved_dict, validate
from sim.scenario.library import LIBRARY, expand_plans, library, read_template

from .conftest import SCENARIOS

TEMPLATES = sorted(LIBRARY.glob("*.yaml"))
BRIEF = {"split_50_50", "split_60_40", "threshold_2_5x_base", "tiered_20_30_40", "full_desk", "pod_pool",
         "new_hire_draw"}


def _scenario(tmp_path: Path, schemes: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text("name: lib\nreplications: 1\nhorizon_months: 4\nfirm: {pods: 2}\nschemes:\n" + schemes)
    return path


def test_library_holds_the_common_staffing_plans() -> None:
    assert BRIEF <= {p.stem for p in TEMPLATES}
    assert SCENARIOS / "plans" == LIBRARY


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_template_loads_names_its_source_and_runs_paying_its_own_terms(path: Path) -> None:
    t = read_template(path)
    assert t.description and "\n" not in t.description and t.source
    sc = validate({"name": "smoke", "horizon_months": 4, "firm": {"pods": 2},
                   "schemes": [{"name": "x", "plan": t.name}, {"name": "y", **t.keys}]})
    first, second = (resolved_dict(sc)["schemes"][i] for i in (0, 1))
    assert {**first, "name": "y"} == second          # including by name = writing the keys out
    out = run(sc, "x", 0, detail=True)
    assert len(out["monthly"]) == 4
    variable = sum(line["cents"] for line in out["statements"] if line["kind"] != "base")
    assert (variable > 0) == (t.type != "salary")     # every template pays variable pay on its terms


def test_scheme_overrides_a_template_key_by_key_and_name_defaults_to_the_plan(tmp_path: Path) -> None:
    sc = load_scenario(_scenario(tmp_path, "  - plan: tiered_20_30_40\n  - name: s64\n    plan: split_60_40\n"
                                           "    rate: 0.2\n    base_monthly: {recruiter: 3500}\n"))
    tiered, s64 = sc.schemes
    assert tiered.name == "tiered_20_30_40" and [float(t.rate) for t in tiered.tiers] == [0.2, 0.3, 0.4]
    assert float(s64.rate) == 0.2 and float(s64.split.recruiter) == 0.6
    assert float(s64.base_monthly.recruiter) == 3500 and float(s64.base_monthly.account_manager) == 4500


def test_set_reaches_an_included_scheme(tmp_path: Path) -> None:
    sc = load_scenario(_scenario(tmp_path, "  - name: pool\n    plan: pod_pool\n"), ["schemes.pool.rate=0.12"])
    assert float(sc.schemes[0].rate) == 0.12 and sc.schemes[0].basis == "pod"


def test_unknown_plan_is_one_line_with_its_line_and_did_you_mean(tmp_path: Path, capsys) -> None:
    path = _scenario(tmp_path, "  - name: a\n    plan: tierd\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{path}:7:5: schemes[0].plan: no plan template named 'tierd'" in err[0]
    assert "did you mean 'tiered_20_30_40'?" in err[0]


def test_bad_override_of_a_template_names_the_scheme_key(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario(tmp_path, "  - name: a\n    plan: pod_pool\n    rat: 0.3\n"))
    assert str(err.value).endswith("s.yaml:8:5: schemes.a.rat: unknown key (did you mean 'rate'?)")
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario(tmp_path, "  - name: b\n    plan: pod_pool\n    type: individual\n"))
    assert str(err.value).endswith("s.yaml:8:5: schemes[0].type: plan 'pod_pool' is a team_pool plan; leave out "
                                   "type (or write the scheme without plan)")


def test_any_file_dropped_in_the_folder_is_a_template_and_a_broken_one_is_named(tmp_path: Path) -> None:
    (tmp_path / "quarterly_quota.yaml").write_text("description: A quota plan.\nsource: typical practice\n"
                                                   "type: individual\nrate: 0.2\n")
    (tmp_path / "broken.yaml").write_text("description: Broken.\ntype: individual\nrte: 0.2\n")
    templates, problems = library(tmp_path)
    assert list(templates) == ["quarterly_quota"]
    assert sorted(p.path for p in problems) == ["rte", "source"]
    data = {"name": "x", "schemes": [{"name": "q", "plan": "quarterly_quota"}, {"name": "b", "plan": "broken"}]}
    with pytest.raises(ScenarioError) as err:
        expand_plans(data, "s.yaml", {}, tmp_path)
    assert str(err.value).count("\n") == 0 and "plan 'broken' cannot be read" in str(err.value)


def test_plans_command_lists_every_template_with_type_description_and_source(capsys) -> None:
    assert main(["plans"]) == 0
    out = capsys.readouterr().out
    for path in TEMPLATES:
        t = read_template(path)
        assert f"{t.name}" in out and t.type in out and t.description in out
    assert out.count("source: ") == len(TEMPLATES)
    assert main(["plans", "pod_pool"]) == 0 and "type: team_pool" in capsys.readouterr().out
