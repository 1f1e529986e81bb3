"""The placements table of a run: one row per placement, so that every statement line ties to a deal.

Kept for the runs that keep statements (``--statements``): the rows are what the matching booked
(who placed, when, perm fee or contract GP per month) plus what happened after (fall-off, remedy,
refund) and the gross profit the firm recognised from it within the horizon. Free replacements for
fallen-off hires are not placements (no fee, no credit, no id) and are counted in the run metrics only.
Money is integer cents, as on statements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.desks import Placed

if TYPE_CHECKING:
    from sim.model.accounts import Accounts

#: Columns of a booked row, by name: placement id, day, perm flag, fee or monthly GP (cents), contract
#: months, recruiter id and pod, account manager id and pod (the order :func:`booked_rows` stacks them in).
BOOKED = ("placement_id", "day", "perm", "value", "contract_months", "recruiter_id", "recruiter_pod",
          "account_manager_id", "account_manager_pod")
REMEDIES = ("replacement", "prorated_refund", "full_refund", "none")


def booked_rows(rows: np.ndarray, pid: np.ndarray, pod: np.ndarray) -> np.ndarray:
    """A month's placement rows (:data:`sim.model.desks.PLACED_COLUMNS`) as booked rows, replacements left out.
    The seats are still held by the people who placed (quits happen between months)."""
    kept = rows[rows[:, Placed.ID] >= 0]
    r, a = kept[:, Placed.RECRUITER].astype(np.int64), kept[:, Placed.ACCOUNT_MANAGER].astype(np.int64)
    return np.column_stack((kept[:, Placed.ID], kept[:, Placed.TIME], kept[:, Placed.PERM], kept[:, Placed.VALUE],
                            kept[:, Placed.CONTRACT_MONTHS], pid[r], pod[r], pid[a], pod[a]))


def remedy_name(remedy_u: float, cut: tuple[float, float, float]) -> str:
    """The remedy the client contract gives a fall-off, from its uniform and the cumulative shares."""
    return REMEDIES[next((i for i, c in enumerate(cut) if remedy_u < c), 3)]


def placement_rows(acc: Accounts, days_per_month: int, horizon_months: int,
                   warmup_months: int = 0) -> list[dict[str, Any]]:
    """One dict per placement of the run, in placement-id order. Months count from the end of the warm-up,
    as statements do: a placement made during the warm-up has a month of 0 or less (measured months'
    statements can still pay on its contract), and its ``gp_cents`` is what it made in measured months."""
    if not acc.booked:
        return []
    booked = np.concatenate(acc.booked)
    booked = booked[booked[:, BOOKED.index("placement_id")].argsort(kind="stable")]
    start_day = warmup_months * days_per_month
    out = []
    for pid, day, perm, value, months, rec, rec_pod, am, am_pod in booked.tolist():
        pid, value, month = int(pid), int(value), int(day // days_per_month) + 1 - warmup_months
        fell = acc.fell.get(pid)
        refund = fell[2] if fell and fell[0] >= start_day else 0
        last = horizon_months if perm else min(month + int(months) - 1, horizon_months)
        billed = int(month >= 1) if perm else max(0, last - max(month, 1) + 1)
        out.append({
            "placement_id": pid, "month": month, "day": round(day - start_day, 4),
            "kind": "perm" if perm else "contract",
            "fee_cents": value if perm else 0, "monthly_gp_cents": 0 if perm else value,
            "contract_months": 0 if perm else int(months),
            "recruiter_id": int(rec), "recruiter_pod": int(rec_pod), "am_id": int(am), "am_pod": int(am_pod),
            "fell_off": fell is not None, "falloff_day": round(fell[0] - start_day, 4) if fell else None,
            "remedy": fell[1] if fell else None, "refund_cents": refund,
            "gp_cents": value * billed - refund,
        })
    return out
