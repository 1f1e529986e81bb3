"""Who the report explains: the top producer, someone who quit, and a hire made during the run."""

from __future__ import annotations

import pandas as pd

from sim.comp import LINE_KINDS
from sim.report.explain import pick_people, statement_table


def test_new_hire_is_the_longest_serving_person_hired_during_the_run_not_initial_staff() -> None:
    people = pd.DataFrame([
        # initial staff (hire_month 0) with the longest service must not count as a new hire
        {"person_id": 1, "role": "recruiter", "hire_month": 0, "months_employed": 36, "pay_cents": 1,
         "credited_gp_cents": 900, "exit_reason": None},
        {"person_id": 2, "role": "recruiter", "hire_month": 0, "months_employed": 30, "pay_cents": 1,
         "credited_gp_cents": 100, "exit_reason": None},
        {"person_id": 3, "role": "account_manager", "hire_month": 7, "months_employed": 20, "pay_cents": 1,
         "credited_gp_cents": 50, "exit_reason": None},
        # the longest-serving of the hires made during the run is the one explained
        {"person_id": 4, "role": "recruiter", "hire_month": 3, "months_employed": 30, "pay_cents": 1,
         "credited_gp_cents": 40, "exit_reason": None},
    ])
    picked = {why: int(row["person_id"]) for why, row in pick_people(people)}
    assert picked["top producer"] == 1
    assert picked["a new hire"] == 4


def test_statement_columns_follow_the_engines_line_kinds_with_clawback_last() -> None:
    kinds = ["clawback", "draw_recovery", "draw_topup", "development_bonus", "commission", "base"]
    lines = pd.DataFrame([{"month": 1, "kind": k, "cents": 100, "placement_id": None} for k in kinds])
    trace = pd.DataFrame([{"month": 1, "credited_gp_cents": 0, "peer_median_pay_cents": 100, "effort": 1.0,
                           "cooperation": 0.5}])
    person = pd.Series({"pay_cents": 600, "person_id": 1})
    head = statement_table(person, lines, trace).split("</tr>")[0]
    shown = [k for k in LINE_KINDS if f"<th>{k}</th>" in head]
    assert shown == [k for k in LINE_KINDS if k in kinds]
    assert sorted(shown, key=head.index) == shown and shown[-1] == "clawback"
