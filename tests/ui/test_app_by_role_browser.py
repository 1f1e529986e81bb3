"""The app on plans written by role (scenarios/workshop_per_role.yaml): a lever per role and line in a real
browser, Runs that use the changed value (the stored run's resolved terms), and forged values refused."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from sim.app.levers import NAMES, as_sent, defaults
from sim.scenario import load_scenario

from .app_server import App
from .conftest import ROOT
from .test_app_browser import _open, _post, _run, _set

pytestmark = pytest.mark.usefixtures("browser")
PER_ROLE = ROOT / "scenarios" / "workshop_per_role.yaml"
SCHEME = "split_60_40_by_role"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    running = App(tmp_path_factory.mktemp("by-role-session"), scenario=PER_ROLE)
    yield running
    running.kill()


def _run_request(app: App, **values: Any) -> dict[str, Any]:
    """The Run callback's request exactly as the page sends it, with ``values`` in place of the controls'."""
    deps = json.loads(urllib.request.urlopen(app.url + "_dash-dependencies", timeout=30).read())
    run = next(d for d in deps if d["output"].startswith("..job.data"))
    sent = {**as_sent(defaults(load_scenario(PER_ROLE), SCHEME, 3)), "view": "results", "present": [], "watch": None,
            **values}
    state = [{"id": s["id"], "property": s["property"], "value": sent[s["id"]]} for s in run["state"]]
    assert {s["id"] for s in state} >= set(NAMES)
    outputs = [dict(zip(("id", "property"), o.split("@")[0].rsplit(".", 1), strict=True))
               for o in run["output"].strip(".").split("...")]
    return {"output": run["output"], "outputs": outputs, "changedPropIds": ["run.n_clicks"],
            "inputs": [{"id": "run", "property": "n_clicks", "value": 1}], "state": state}


@pytest.mark.parametrize("forged", [
    {"rate_recruiter_perm": {"recruiter": 0.1}}, {"rate_account_manager_perm": "0.2"},
    {"rate_account_manager_contract": 0.9}, {"rate_recruiter_contract": [0.1]}, {"threshold_recruiter": 3000},
    {"threshold_account_manager": {"$gt": 0}}, {"quota_recruiter": True}])
def test_forged_values_of_by_role_levers_get_400_and_never_run(app: App, forged: dict[str, Any]) -> None:
    assert _post(app, _run_request(app, **forged)) == 400
    assert app.runs() == []


def test_the_same_request_with_what_the_controls_send_runs(app: App) -> None:
    """The control for the forged tests above: only the forged value made them fail."""
    assert _post(app, _run_request(app, rate_recruiter_contract=0.1)) == 200
    deadline = time.monotonic() + 60
    while not app.runs() and time.monotonic() < deadline:
        time.sleep(0.1)
    [run] = app.runs()
    assert run["levers"]["rate_recruiter_contract"] == 0.1 and run["terms"]["rate"]["recruiter"]["contract"] == 0.1


def test_a_lever_per_role_and_line_in_the_browser_and_runs_that_use_it(app: App, browser: Any) -> None:
    ctx, page, errors = _open(browser, app.url)
    assert page.locator("#field-rate").is_hidden() is False   # the quarterly quota writes one rate
    assert page.locator("#field-rate_perm").is_hidden() and page.locator("#field-quota").is_hidden()
    label = page.locator("#field-rate_account_manager_perm label").inner_text()
    assert label == "Account manager commission rate on perm GP"
    page.locator("#scheme input[value=split_60_40_by_role]").check()
    page.wait_for_function("document.querySelector('#rate input').disabled === true")
    assert page.locator("#rate_account_manager_perm input").first.is_enabled()
    assert page.locator("#threshold_account_manager").input_value() == "4500"
    base = _run(page, app)
    assert base["terms"]["rate"]["account_manager"]["perm"] == 0.15

    _set(page, "rate_account_manager_perm", "0.25")
    _set(page, "threshold_recruiter", "2000")
    run = _run(page, app)
    assert run["levers"]["rate_account_manager_perm"] == 0.25 and run["levers"]["threshold_recruiter"] == 2000.0
    was = base["terms"]   # the page opened on the latest run's values (the request test's recruiter contract rate)
    assert run["terms"]["rate"] == {**was["rate"], "account_manager": {"perm": 0.25, "contract": 0.1}}
    assert run["terms"]["threshold"] == {"recruiter": 2000.0, "account_manager": 4500.0}
    assert run["values"]["commission_paid"] != base["values"]["commission_paid"]
    row = page.locator("#runs tr.run-row").first.inner_text()
    assert "AM perm commission 25%" in row and "recruiter threshold $2,000" in row, row

    page.locator("#scheme input[value=quarterly_quota]").check()
    page.wait_for_function("document.querySelector('#rate_account_manager_perm input').disabled === true")
    assert page.locator("#quota_recruiter").input_value() == "33000"
    _set(page, "quota_recruiter", "20000")
    run = _run(page, app)
    assert run["terms"]["quota"] == {"recruiter": 20000.0, "account_manager": 39000.0}
    assert run["terms"]["period"] == "quarterly" and run["terms"]["rate"] == 0.1
    assert errors == []
    ctx.close()
