"""The plan templates in scenarios/plans/: each is one scheme, as a scenario's ``schemes:`` entry takes it,
says its source or that it is typical practice, and pays in a run whose statements reconcile."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.model import run
from sim.scenario.loader import validate

PLANS = Path(__file__).resolve().parents[2] / "scenarios" / "plans"
TERMS_TEMPLATES = ("quarterly_quota", "per_role_split")


@pytest.mark.parametrize("name", TERMS_TEMPLATES)
def test_a_template_is_a_scheme_with_its_source_and_runs_with_reconciled_statements(name: str) -> None:
    text = (PLANS / f"{name}.yaml").read_text()
    assert text.startswith("# source:") and "# note:" in text
    template = yaml.safe_load(text)
    assert template["description"] and template["source"]
    scheme = {"plan": name}   # included by name, as a scenario does (docs/finance.md, "Plan library")
    scenario = validate({"name": "template", "seed": 3, "horizon_months": 7,
                         "firm": {"pods": 2, "recruiters_per_pod": 3, "account_managers_per_pod": 3},
                         "schemes": [scheme]})
    out = run(scenario, name, 0, detail=True)
    kinds = {line["kind"] for line in out["statements"]}
    expected = {"advance", "true_up"} if name == "quarterly_quota" else {"commission"}
    assert expected <= kinds, kinds
    pay = {}
    for line in out["statements"]:
        pay[line["person_id"]] = pay.get(line["person_id"], 0) + line["cents"]
    assert pay == {p["person_id"]: p["pay_cents"] for p in out["people"] if p["person_id"] in pay}
    assert sum(pay.values()) == round(100 * (out["run"]["commission_paid"] + out["run"]["base_pay"]))
