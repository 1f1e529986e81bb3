"""The stepping interface (sim.model.stepping): one replication month by month, some seats chosen outside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.model import run
from sim.model.stepping import Choice, Replication
from sim.scenario import Scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _scenario(name: str, *overrides: str) -> Scenario:
    return load_scenario(SCENARIOS / f"{name}.yaml", list(overrides))


def _walk(sc: Scenario, scheme: str, choices: dict[int, Choice] | None = None) -> tuple[list[dict], dict]:
    walk = Replication(sc, scheme, 0)
    months = []
    while not walk.done:
        months.append(walk.step(choices))
    return months, walk.results()


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    a, b = dict(a), dict(b)
    a["run"] = {k: v for k, v in a["run"].items() if k != "wall_seconds"}
    b["run"] = {k: v for k, v in b["run"].items() if k != "wall_seconds"}
    assert a == b


@pytest.mark.parametrize(("name", "scheme", "overrides"), [
    ("workshop_demo", "individual", ()),
    ("workshop_demo", "team_pool", ()),
    # a warm-up, pod leads, and vacancies filled with no delay (a hire due the moment a month starts)
    ("individual_vs_team", "team_pool", ("firm.pods=2", "horizon_months=8", "warmup_months=3",
                                         "behavior.hiring.delay_days_mean=0")),
    ("pod_lead_pay", "lead_on_results", ("firm.pods=2", "horizon_months=6")),
])
def test_walk_without_outside_choices_is_the_model_run(name: str, scheme: str, overrides: tuple[str, ...]) -> None:
    sc = _scenario(name, *overrides)
    months, results = _walk(sc, scheme)
    _same(results, run(sc, scheme, 0, detail=True))
    assert [m["month"] for m in months] == list(range(1, sc.horizon_months + 1))
    assert [m["firm"] for m in months] == [{k: row[k] for k in m["firm"]} for m, row in zip(months, results["monthly"],
                                                                                          strict=True)]


def test_chosen_seats_get_their_choices_and_statements_reconcile() -> None:
    sc = _scenario("workshop_demo")
    walk = Replication(sc, "team_pool", 0)
    lo, hi = walk.effort_range
    proposed = walk.proposed()
    assert set(proposed) == set(range(12)) and all(lo <= c.effort <= hi for c in proposed.values())
    choices = {0: Choice(hi, 1.0), 3: Choice(lo, 0.0), 7: Choice(99.0, -5.0)}   # out of range: clipped
    seen_pay = {s: 0 for s in choices}
    while not walk.done:
        month = walk.step(choices)
        for seat, c in choices.items():
            got = month["seats"].get(seat)
            if got is None:   # the seat was vacant this month (its person left)
                continue
            assert seat in month["overridden"]
            assert got["effort"] == min(max(c.effort, lo), hi)
            assert got["cooperation"] == min(max(c.cooperation, 0.0), 1.0)
            seen_pay[seat] += got["pay_cents"]
        for got in month["seats"].values():
            assert all(isinstance(ln["cents"], int) for ln in got["lines"])
            assert sum(ln["cents"] for ln in got["lines"]) == got["pay_cents"]
        for pod in month["pods"]:
            mine = [s for s in month["seats"].values() if s["pod"] == pod["pod"]]
            assert pod["pay_cents"] == sum(s["pay_cents"] for s in mine)
        assert sum(p["pay_cents"] for p in month["pods"]) == round(
            (month["firm"]["commission_paid"] + month["firm"]["base_pay"]) * 100)
    results = walk.results()
    # The statements of the run are the ones the months showed, and the trace records the choices.
    by_person: dict[int, int] = {}
    for line in results["statements"]:
        by_person[line["person_id"]] = by_person.get(line["person_id"], 0) + line["cents"]
    for person in results["people"]:
        assert by_person.get(person["person_id"], 0) == person["pay_cents"]
    assert all(v > 0 for v in seen_pay.values())


def test_choices_change_the_run_and_the_model_answers() -> None:
    sc = _scenario("workshop_demo")
    _months0, free = _walk(sc, "individual")
    pod0_seats = [s["seat"] for s in Replication(sc, "individual", 0).seats if s["pod"] == 0]
    assert len(pod0_seats) == 6
    lazy = {s: Choice(0.2, 0.0) for s in pod0_seats}   # pod 0 slacks and never shares
    months, chosen = _walk(sc, "individual", lazy)
    assert chosen["run"]["placements"] < free["run"]["placements"]
    pod0 = sum(m["pods"][0]["placements"] for m in months)
    pod1 = sum(m["pods"][1]["placements"] for m in months)
    assert pod0 < pod1
    # Same inputs, same walk: a pure function of (scenario, scheme, seed, choices).
    _same(_walk(sc, "individual", lazy)[1], chosen)


def test_walk_refuses_what_it_cannot_do() -> None:
    sc = _scenario("workshop_demo", "horizon_months=1")
    walk = Replication(sc, "individual", 0)
    with pytest.raises(RuntimeError, match="at month 0 of 1"):
        walk.results()
    with pytest.raises(ValueError, match="seat 12"):
        walk.step({12: Choice(1.0, 1.0)})
    walk.step()
    assert walk.done
    with pytest.raises(RuntimeError, match="no month left"):
        walk.step()
