"""Promotion from within (issue 18.1): who is promoted, the lead's climate, the promotion stake, and the
no-promotion path unchanged float for float."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.cli import main
from sim.model import RESULTS_VERSION, run
from sim.model import promotion as pr
from sim.model.decompose import decompose
from sim.model.firm import FirmModel
from sim.scenario import validate

FIXTURE = Path(__file__).parent / "fixtures" / "no_promotion.json"
IND = {"type": "individual", "rate": 0.25, "threshold": 6000}
HYB = {"type": "hybrid", "individual_weight": 0.5, "individual": {"rate": 0.25, "threshold": 6000},
       "team_pool": {"rate": 0.13, "basis": "pod", "sharing": "equal"},
       "pod_lead": {"override_rate": 0.03, "development_bonus": 1500}}


def scenario(promotion: dict[str, Any] | None, plan: dict[str, Any] = IND, horizon: int = 24,
             levers: dict[str, Any] | None = None, **extra: Any) -> Any:
    scheme = {"name": "s", **plan, **({"policy": {"promotion": promotion}} if promotion else {})}
    return validate({"name": "promo", "seed": 11, "replications": 1, "horizon_months": horizon,
                     "firm": {"pods": 4, "recruiters_per_pod": 4, "account_managers_per_pod": 4, "pod_leads": True},
                     "behavior": {"levers": levers or {}}, "schemes": [scheme], **extra}, source="<test>")


def model(sc: Any, replication: int = 0) -> FirmModel:
    m = FirmModel(sc, "s", replication)
    m.run()
    return m


# ------------------------------------------------------------------------------ unchanged without it
def _text(value: Any) -> str:
    """JSON text of plain data: floats by their shortest exact repr, so equal text is equal floats (NaN too)."""
    return json.dumps(value, sort_keys=True, default=str)


def test_without_promotion_results_equal_main_before_the_change_float_for_float() -> None:
    fixture = json.loads(FIXTURE.read_text())
    if fixture["results_version"] != RESULTS_VERSION:
        pytest.skip("RESULTS_VERSION moved: regenerate with tests/core/fixtures/make_no_promotion.py")
    sc = validate(fixture["scenario"], source="<fixture>")
    for key, want in fixture["runs"].items():
        scheme, leads = key.split("/leads=")
        s = sc.model_copy(update={"firm": sc.firm.model_copy(update={"pod_leads": leads == "True"})})
        got = run(s, scheme, 0)
        assert _text({k: got["run"][k] for k in want["run"]}) == _text(want["run"]), key
        assert got["run"]["promotions"] == 0 and math.isnan(got["run"]["promoted_lead_cooperation"])
        assert _text(got["monthly"]) == _text(want["monthly"]), key
        assert _text([{k: p[k] for k in want["people"][0]} for p in got["people"]]) == _text(want["people"]), key
        assert all(p["promotion_reason"] is None for p in got["people"])


# ------------------------------------------------------------------------------------ who is promoted
def test_by_partnership_the_lead_cooperates_at_least_the_pod_median_and_by_production_has_top_gp() -> None:
    seen = {"partnership": 0, "production": 0}
    for r in range(2):
        part = model(scenario({"by": "partnership", "every_months": 6}), r).month_end.promotion
        for e in part.events:
            assert e["cooperation"] >= e["pod_median_cooperation"], e
            seen["partnership"] += 1
        prod = model(scenario({"by": "production", "every_months": 6, "min_tenure_months": 0}), r).month_end.promotion
        for e in prod.events:
            assert e["gp"] == e["pod_top_gp"], e
            seen["production"] += 1
    assert min(seen.values()) >= 2 * 4 * 4   # four pods, at the start and every 6 months of 24, in 2 replications


def test_promoted_people_and_the_reason_are_recorded_and_their_seat_is_hired_like_any_other() -> None:
    out = run(scenario({"by": "partnership", "every_months": 6}), "s", 0)
    promoted = [p for p in out["people"] if p["promotion_reason"]]
    assert promoted and all(p["role"] == "pod_lead" and p["promoted_from"] in ("recruiter", "account_manager")
                            and p["promotion_reason"].startswith("partnership") for p in promoted)
    assert {p["exit_reason"] for p in promoted} >= {"promoted_away"}
    assert out["run"]["promotions"] == len(promoted)
    # Every producer seat a promotion opened was filled by a hire later in the run.
    assert sum(p["hire_month"] > 0 for p in out["people"]) >= len(promoted) - 4
    assert out["run"]["promoted_lead_cooperation_gap"] > 0


def test_composition_replay_with_promotions_reproduces_the_run() -> None:
    sc = scenario({"by": "production", "every_months": 6}, horizon=12)
    parts = decompose(sc, "s", "s", 0, ["placements", "gross_profit", "mean_cooperation"])
    assert all(v == 0.0 for p in parts.values() for v in p.values())


# ------------------------------------------------------------------------------------ climate
def test_climate_is_off_when_the_lead_cooperates_at_the_pods_mean() -> None:
    gap = np.array([0.0, 0.2, -0.3])
    assert pr.climate_shift(gap, 0.3).tolist() == pytest.approx([0.0, 0.06, -0.09])
    assert pr.development_scale(gap, 1.0).tolist() == pytest.approx([1.0, 1.2, 0.7])
    assert pr.climate_shift(np.zeros(3), 2.0).tolist() == [0.0, 0.0, 0.0]


def test_a_lead_whose_cooperation_equals_the_pods_mean_changes_nothing_paired(monkeypatch: pytest.MonkeyPatch) -> None:
    def results(climate: float, development: float) -> dict[str, Any]:
        sc = scenario({"by": "partnership", "every_months": 6}, plan=HYB, horizon=18,
                      levers={"lead_climate": climate, "lead_climate_development": development})
        return run(sc, "s", 0)["run"]

    strong, none = results(1.0, 2.0), results(0.0, 0.0)
    skip = ("wall_seconds",)
    assert {k: v for k, v in strong.items() if k not in skip} != {k: v for k, v in none.items() if k not in skip}

    refresh = pr.Promotions.refresh

    def at_the_mean(self: pr.Promotions) -> None:
        """The same runs, with every lead's cooperation put at their pod's mean before the climate is read."""
        wf = self.m.wf
        producers = wf.occ[: wf.producers].nonzero()[0]
        pods = wf.pod_arr[producers]
        mean = np.bincount(pods, weights=wf.coop[producers], minlength=wf.n_pods) / np.maximum(
            np.bincount(pods, minlength=wf.n_pods), 1)
        for p, s in wf.lead_seat.items():
            if wf.occ[s]:
                wf.coop[s] = mean[p]
        refresh(self)
        assert not self.gap.any()

    monkeypatch.setattr(pr.Promotions, "refresh", at_the_mean)
    strong, none = results(1.0, 2.0), results(0.0, 0.0)
    assert {k: v for k, v in strong.items() if k not in skip} == {k: v for k, v in none.items() if k not in skip}


# ------------------------------------------------------------------------------------ the stake
def test_pay_rise_zero_adds_no_stake() -> None:
    loud = {"promotion_effort": 5.0, "promotion_cooperation": 1.0, "promotion_hoarding": 1.0}
    quiet = {"promotion_effort": 0.0, "promotion_cooperation": 0.0, "promotion_hoarding": 0.0}
    skip = ("wall_seconds",)

    def metrics(rise: float, levers: dict[str, float]) -> dict[str, Any]:
        out = run(scenario({"by": "balanced", "pay_rise": rise}, levers=levers, horizon=12), "s", 0)["run"]
        return {k: v for k, v in out.items() if k not in skip}

    assert metrics(0.0, loud) == metrics(0.0, quiet)
    assert metrics(0.5, loud) != metrics(0.5, quiet)
    m = model(scenario({"by": "production", "pay_rise": 0.0}, horizon=3))
    assert not m.month_end.promotion.intensity.any()


def test_the_stake_grows_with_pay_rise_and_chance_and_its_sign_follows_the_rule() -> None:
    chance = pr.promotion_chance(np.array([1.2, 1.0, 0.8, 1.5]), np.array([True, True, True, False]),
                                 np.array([0, 0, 0, 0]), 1, 0.25)
    assert chance.sum() == pytest.approx(1.0) and chance[3] == 0.0 and chance[0] > chance[1] > chance[2]
    assert (pr.promotion_stake(0.0, chance) == 0.0).all()
    assert (pr.promotion_stake(0.6, chance) > pr.promotion_stake(0.3, chance))[:3].all()
    i = np.array([0.2, 0.5])
    assert (pr.career_shift(i, 0.0, cooperation=0.15, hoarding=0.15) > 0).all()   # partnership: help
    assert (pr.career_shift(i, 1.0, cooperation=0.15, hoarding=0.15) < 0).all()   # production: hoard
    assert (pr.career_shift(np.zeros(2), 1.0, cooperation=0.15, hoarding=0.15) == 0).all()


def test_promotion_by_partnership_raises_cooperation_over_promotion_by_production_paired() -> None:
    diffs = []
    for r in range(3):
        part = run(scenario({"by": "partnership"}), "s", r)["run"]["mean_cooperation"]
        prod = run(scenario({"by": "production"}), "s", r)["run"]["mean_cooperation"]
        diffs.append(part - prod)
    assert all(d > 0 for d in diffs), diffs


def test_those_passed_over_compare_their_pay_with_the_new_leads() -> None:
    median = np.array([6000.0, 6000.0])
    assert pr.passed_over_reference(median, np.array([9000.0, 5000.0]), 0.5).tolist() == [7500.0, 6000.0]
    m = model(scenario({"by": "production", "every_months": 6}, horizon=8))
    promo, wf = m.month_end.promotion, m.wf
    seats = wf.occ.nonzero()[0]
    passed = (promo.passed[seats] == wf.pid_arr[seats]) & (seats < wf.producers)
    assert passed.any()
    recent = wf.pay_hist[seats].sum(axis=1) / np.minimum(np.maximum(wf.pay_hist_n[seats], 1), 3)
    median = np.full(len(seats), 1.0)   # a median below every lead's pay: the passed over look up to the lead
    ref = promo.peer_reference(seats, recent, median)
    assert (ref[passed] > 1.0).all() and (ref[~passed] == 1.0).all()


# ------------------------------------------------------------------------------------ bad input
GOOD = """\
name: promo
horizon_months: 6
firm: {pods: 2, recruiters_per_pod: 2, account_managers_per_pod: 2, pod_leads: true}
policy:
  promotion: {by: partnership, every_months: 12, pay_rise: 0.3}
schemes:
  - name: individual
    type: individual
    rate: 0.25
"""


def test_the_good_promotion_block_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD)
    assert main(["validate", str(path)]) == 0


@pytest.mark.parametrize(("old", "new", "needle"), [
    ("by: partnership", "by: seniority", "policy.promotion.by"),
    ("every_months: 12", "every_months: 0", "policy.promotion.every_months"),
    ("pay_rise: 0.3", "pay_rise: -0.1", "policy.promotion.pay_rise"),
    ("pay_rise: 0.3", "pay_raise: 0.3", "pay_raise"),
    ("pod_leads: true", "pod_leads: false", "pod_leads"),
    ("{by: partnership, every_months: 12, pay_rise: 0.3}", "{every_months: 12}", "policy.promotion.by"),
])
def test_bad_promotion_input_gets_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str,
                                                      new: str, needle: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace(old, new))
    code = main(["validate", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and needle in err[0], err


# ------------------------------------------------------------------------------------ report
def test_the_report_shows_promotions_in_the_people_section_and_explains_a_promoted_person(tmp_path: Path) -> None:
    scenarios = Path(__file__).parents[2] / "scenarios"
    out = tmp_path / "out"
    code = main(["run", str(scenarios / "promotion.yaml"), "--out", str(out), "--replications", "2", "--workers", "1",
                 "--set", "horizon_months=6", "--set", "warmup_months=0", "--quiet"])
    assert code == 0
    page = (out / "report.html").read_text()
    people = page[page.index("id='people'"):page.index("id='money'")]
    assert "Promotions from within" in people and "individual_by_partnership" in people
    explain = page[page.index("id='explain'"):]
    assert "someone promoted" in explain and "Promoted from " in explain and "to pod lead" in explain
