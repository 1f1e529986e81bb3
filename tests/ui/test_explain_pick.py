"""Who the report explains: the top producer, someone who quit, and a hire made during the run."""

from __future__ import annotations

import pandas as pd

from sim.report.explain import pick_people


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
