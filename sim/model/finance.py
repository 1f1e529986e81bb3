"""A run's finance books: the money metrics finance asks for, kept beside the model's own totals.

Recorded at each month end from the payroll's totals by line kind and the month's credits, never by
the payout engine: draws paid, recovered, written off at exit and outstanding at the end; credited GP
reconciled to the firm's GP (forfeited, refunded); the lead override; the base saved by empty seats;
payroll burden, overhead and operating profit, by month (so that the annual P&L sums months).
Money is integer cents until it is reported in dollars.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.accounts import GP

if TYPE_CHECKING:
    from sim.model.monthly import MonthEnd


class FinanceBooks:
    """Running sums of one replication's measured months (cents), updated by :meth:`close_month`; a fresh
    one starts with the measured months, as the tally does."""

    def __init__(self, me: MonthEnd):
        m = me.m
        self.me = me
        plan = m.scheme.plan
        draw = getattr(plan, "draw", None)
        self.recoverable = bool(draw is not None and draw.recoverable)
        base = plan.base_monthly
        # Base a vacant seat does not draw, by seat (cents): what the plan would pay its role.
        def role_base(role: str) -> float:   # plan terms by role: an object with a field per role, or a mapping
            return float(base[role] if isinstance(base, Mapping) else getattr(base, role))

        cents = {role: round(role_base(role) * 100) for role in set(m.wf.role)}
        self.seat_base = np.array([cents[role] for role in m.wf.role], dtype=np.int64)
        self.producers = m.wf.producers
        self.producer_base = int(self.seat_base[: self.producers].sum())
        f = m.sc.finance
        self.burden = f.payroll_burden
        self.overhead = round(f.overhead_per_seat_month * 100) * m.wf.n_seats   # cents a month, every seat
        self.sums = dict.fromkeys(("draw_topup", "draw_recovery", "override", "credit_gross", "credited",
                                   "refunded", "base_saved", "burden", "overhead"), 0)
        self.hiring_before = 0

    def close_month(self, credits: np.ndarray, got: np.ndarray, seats: np.ndarray, totals: dict[str, int],
                    row: dict[str, Any]) -> None:
        """Book one month: ``credits`` the month's credit rows, ``got`` the GP credited to each of ``seats``
        (the occupied seats at payroll), ``totals`` the payroll by line kind; adds its columns to ``row``
        (the month's monthly row)."""
        me, s = self.me, self.sums
        for kind in ("draw_topup", "draw_recovery", "override"):
            s[kind] += totals.get(kind, 0)
        s["credit_gross"] += int(np.add.reduce(credits[:, GP])) if len(credits) else 0   # add.reduce: .sum, unwrapped
        s["credited"] += int(np.add.reduce(np.rint(got)))
        refunded = sum(f.refund_cents for f in me.m.acc.falloffs)
        s["refunded"] += refunded
        # Producer seats are 0 .. producers - 1 and ``seats`` ascends: the filled ones are a prefix of it.
        filled = seats[: int(seats.searchsorted(self.producers))]
        s["base_saved"] += self.producer_base - int(np.add.reduce(self.seat_base[filled]))
        burden = round(self.burden * totals["total"])
        s["burden"] += burden
        s["overhead"] += self.overhead
        hiring = me.tally.hiring_cost - self.hiring_before
        self.hiring_before = me.tally.hiring_cost
        gp = me.m.acc.gross_profit
        row.update(hiring_cost=hiring / 100, payroll_burden=burden / 100, overhead=self.overhead / 100,
                   operating_profit=(gp - totals["total"] - hiring - burden - self.overhead) / 100,
                   draws_paid=totals.get("draw_topup", 0) / 100)

    def run_metrics(self, profit_cents: int) -> dict[str, float]:
        """The run's finance metrics in dollars (declared in :mod:`sim.metrics`)."""
        s = self.sums
        state = self.me.state
        outstanding = sum(state.draw_balances.values()) if self.recoverable else 0
        recovered = -s["draw_recovery"]
        written_off = s["draw_topup"] - recovered - outstanding if self.recoverable else 0
        return {
            "draws_paid": s["draw_topup"] / 100,
            "draws_recovered": recovered / 100,
            "draws_written_off": written_off / 100,
            "draws_outstanding": outstanding / 100,
            "gp_credited": s["credited"] / 100,
            "gp_forfeited": (s["credit_gross"] - s["credited"]) / 100,
            "gp_refunded": s["refunded"] / 100,
            "lead_override": s["override"] / 100,
            "producer_months": self.me.tally.prod_months,
            "base_saved_vacancy": s["base_saved"] / 100,
            "payroll_burden": s["burden"] / 100,
            "overhead": s["overhead"] / 100,
            "operating_profit": (profit_cents - s["burden"] - s["overhead"]) / 100,
        }
