"""The firm model: reproducibility, free riding, cooperation dynamics and monotone responses."""

from __future__ import annotations

import statistics

from sim.model import behaviour as bh
from sim.model import run

from .conftest import scenario


def test_same_seed_gives_identical_run() -> None:
    sc = scenario("workshop_demo")
    a, b = run(sc, "team_pool", 3), run(sc, "team_pool", 3)
    a["run"].pop("wall_seconds"), b["run"].pop("wall_seconds")
    assert a == b


def test_different_replications_differ() -> None:
    sc = scenario("workshop_demo")
    a, b = run(sc, "individual", 0)["run"], run(sc, "individual", 1)["run"]
    assert a["seed"] != b["seed"]
    assert (a["placements"], a["gross_profit"]) != (b["placements"], b["gross_profit"])


def test_market_is_common_across_schemes_when_behaviour_is_off() -> None:
    """Common random numbers: with behaviour off, schemes differ only in pay, never in the market."""
    sc = scenario("workshop_demo", "behavior.enabled=false")
    runs = [run(sc, s.name, 2)["run"] for s in sc.schemes]
    assert len({(r["placements"], r["gross_profit"], r["revenue"]) for r in runs}) == 1
    assert len({r["commission_paid"] for r in runs}) > 1


def _selfish(sc_name: str, *extra: str) -> list[str]:
    return ["behavior.effort.social_weight=0", "behavior.effort.peer_pressure=0", "behavior.effort.intrinsic=0",
            "behavior.effort.career_concern=0", "behavior.effort.minimum=0", "warmup_months=0",
            "behavior.turnover.enabled=false", *extra]


def test_free_riding_grows_with_pool_size() -> None:
    """With the social terms off, first-month effort under an equal pool falls as the pool grows."""
    efforts = []
    for per_pod in (1, 2, 4, 8):
        sc = scenario("individual_vs_team", *_selfish("x", f"firm.recruiters_per_pod={per_pod}",
                                                      f"firm.account_managers_per_pod={per_pod}",
                                                      "firm.pods=2", "horizon_months=2"))
        efforts.append(run(sc, "team_pool", 0)["monthly"][0]["mean_effort"])
    assert all(a > b for a, b in zip(efforts, efforts[1:], strict=False)), efforts


def test_cooperation_falls_under_individual_and_holds_under_team_pool() -> None:
    sc = scenario("individual_vs_team", "warmup_months=0")
    start, end = {}, {}
    for scheme in ("individual", "team_pool"):
        monthly = [run(sc, scheme, r)["monthly"] for r in range(3)]
        start[scheme] = statistics.fmean(m[0]["mean_cooperation"] for m in monthly)
        end[scheme] = statistics.fmean(m[-1]["mean_cooperation"] for m in monthly)
    assert end["individual"] < start["individual"] - 0.05
    assert end["team_pool"] > start["team_pool"] - 0.05
    assert end["team_pool"] > end["individual"] + 0.05


def test_more_recruiters_never_give_fewer_placements_on_average() -> None:
    means = []
    for recruiters in (2, 3, 5):
        sc = scenario("individual_vs_team", f"firm.recruiters_per_pod={recruiters}", "firm.pods=3",
                      "horizon_months=12")
        means.append(statistics.fmean(run(sc, "individual", r)["run"]["placements"] for r in range(4)))
    assert means[0] <= means[1] <= means[2], means


def test_pay_statements_reconcile_with_run_totals() -> None:
    """Every pay line of every person adds up to the run's base pay plus commission, to the cent."""
    sc = scenario("workshop_demo")
    out = run(sc, "hybrid", 0, detail=True)
    lines = out["statements"]
    base = sum(x["cents"] for x in lines if x["kind"] == "base")
    variable = sum(x["cents"] for x in lines if x["kind"] != "base")
    assert base == round(out["run"]["base_pay"] * 100)
    assert variable == round(out["run"]["commission_paid"] * 100)
    assert sum(p["pay_cents"] for p in out["people"]) == base + variable
    monthly_variable = sum(round(m["commission_paid"] * 100) for m in out["monthly"])
    assert monthly_variable == variable


def test_profit_is_gross_profit_less_pay_and_hiring() -> None:
    r = run(scenario("workshop_demo"), "individual", 1)["run"]
    assert round(r["profit"] * 100) == round(
        (r["gross_profit"] - r["commission_paid"] - r["base_pay"] - r["hiring_cost"]) * 100)


def test_quits_are_counted_in_people_and_monthly() -> None:
    out = run(scenario("individual_vs_team", "horizon_months=12"), "individual", 0)
    quits = sum(1 for p in out["people"] if p["exit_reason"] == "quit")
    assert quits == out["run"]["voluntary_quits"] == sum(m["quits"] for m in out["monthly"]) > 0


def test_nobody_quits_with_turnover_off() -> None:
    out = run(scenario("workshop_demo", "behavior.turnover.enabled=false"), "individual", 0)
    assert out["run"]["voluntary_quits"] == 0 and all(p["exit_month"] is None for p in out["people"])


def test_removing_the_star_removes_a_low_cooperator() -> None:
    sc = scenario("workshop_demo", "policy.remove_star_month=6", "behavior.turnover.enabled=false")
    out = run(sc, "individual", 0)
    removed = [p for p in out["people"] if p["exit_reason"] == "removed"]
    assert len(removed) == 1 and removed[0]["exit_month"] == 6


def test_gini_known_values() -> None:
    assert bh.gini([1, 1, 1, 1]) == 0.0
    assert abs(bh.gini([0, 0, 0, 1]) - 0.75) < 1e-12


def _leaver_with_a_queue(policy: str) -> tuple[object, list[float]]:
    """A firm at time 0 whose first recruiter holds two waiting candidates, one of them already expired, and
    then quits; returns the model and the expiry times of what is left waiting at the next recruiter."""
    import numpy as np

    from sim.model.firm import FirmModel

    sc = scenario("individual_vs_team", "horizon_months=2", "warmup_months=0",
                  f"behavior.hiring.pipeline_on_quit={policy}")
    m = FirmModel(sc, sc.schemes[0].name, 0)
    m.start()
    m.env.run(until=5.0)   # the clock at day 5: an item expiring on day 3 is stale
    mate = next(s for s in m.wf.pod_seats[m.wf.pod[0]] if s != 0 and s < m.wf.n_rec)
    before = m.desks.waiting(mate)[:, 0].tolist()
    m.desks.clear(0)
    m.desks.append(0, np.array([[40.0, 0.1, 0.2, 0.3, 0.4, 1.0], [3.0, 0.1, 0.2, 0.3, 0.4, 1.0]]))
    m.staffing.leave(0, 0, "quit")
    after = m.desks.waiting(mate)[:, 0].tolist()
    assert m.desks.waiting(0).size == 0   # the leaver's desk is empty either way
    return m, after[len(before):]


def test_a_leavers_waiting_items_are_lost_or_handed_to_a_pod_mate() -> None:
    lost, moved = _leaver_with_a_queue("lost")
    assert lost.month_end.tally.lost_candidates == 1 and moved == []   # only the unexpired one counts as lost
    kept, moved = _leaver_with_a_queue("handover")
    assert kept.month_end.tally.lost_candidates == 0 and moved == [40.0, 3.0]   # all of them, in order


def _hire_after_a_leaver_ranked(rank: float) -> float:
    """First-month effort of the person hired into seat 0 under a published leaderboard, after its previous
    occupant, ranked ``rank`` (0 bottom, 1 top), quit."""
    from sim.model.firm import FirmModel

    sc = scenario("leaderboard", "warmup_months=0")
    m = FirmModel(sc, "individual_leaderboard", 0)
    m.start()
    m.env.run(until=5.0)
    m.month_end.rank[0] = rank
    m.staffing.leave(0, 0, "quit")
    m.ready_seats = [0]
    m.month_end.start_month(1)
    return float(m.wf.effort[0])


def test_a_newcomers_first_effort_under_a_leaderboard_does_not_depend_on_the_leavers_rank() -> None:
    # A hire has nothing on the board yet: ranked at the bottom, as the month-end ranking ranks no record.
    assert _hire_after_a_leaver_ranked(1.0) == _hire_after_a_leaver_ranked(0.0)
