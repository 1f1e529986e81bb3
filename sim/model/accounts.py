"""The firm's books within a month: placements, contract billings, fall-offs and refunds.

Everything here is recorded as facts (what was placed, what fell off, what was refunded); the
payout engine turns those facts into pay at month end. Money is integer cents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.comp import FallOff

#: Columns of a credit row: what the payout engine needs, plus the seats, to credit the people in them.
PLACEMENT, REC_ID, REC_POD, AM_ID, AM_POD, GP, REC_SEAT, AM_SEAT = range(8)

if TYPE_CHECKING:
    from sim.model.firm import FirmModel


class Accounts:
    """Placements and the money they make, for one replication."""

    def __init__(self, model: FirmModel):
        self.m = model
        market = model.sc.market
        self.margin = market.contract_margin
        self.guarantee = market.guarantee_days
        self.p_falloff = market.falloff_probability
        r = market.falloff_remedy
        self.remedy_cut = (r.replacement, r.replacement + r.prorated_refund,
                           r.replacement + r.prorated_refund + r.full_refund)
        self.next_id = 0
        # Running contracts: one credit row each (the same every month) and the months left to bill.
        self.contracts = np.zeros((0, 8), dtype=np.int64)
        self.contract_months = np.zeros(0, dtype=np.int64)
        self.new_contracts: list[tuple] = []
        self.new_contract_months: list[int] = []
        self.perm_credits: list[tuple] = []
        self.falloffs: list[FallOff] = []
        self.placements = 0
        self.fell_off = 0     # perm placements that fell off this month, whatever the remedy
        self.replacements = 0
        self.arrived = (0, 0)  # job orders and candidates that arrived this month
        self.revenue = 0      # cents, this month
        self.gross_profit = 0
        self.placed_by: dict[int, int] = {}

    def start_month(self) -> None:
        self.perm_credits = []
        self.falloffs = []
        self.placements = 0
        self.fell_off = 0
        self.revenue = 0
        self.gross_profit = 0

    def place(self, t: float, r: int, a: int, jo: tuple, cand: tuple) -> None:
        """Record a placement of recruiter seat r's candidate on AM seat a's job order."""
        m = self.m
        wf = m.wf
        pid_r, pid_a, pod_r, pod_a = wf.pid[r], wf.pid[a], wf.pod[r], wf.pod[a]
        m.events += 1
        if jo[5]:  # a free replacement for a fall-off: no fee
            self.replacements += 1
            return
        pid = self.next_id
        self.next_id += 1
        self.placements += 1
        self.placed_by[pid_r] = self.placed_by.get(pid_r, 0) + 1
        self.placed_by[pid_a] = self.placed_by.get(pid_a, 0) + 1
        value = jo[3]
        if jo[2]:
            self.perm_credits.append((pid, pid_r, pod_r, pid_a, pod_a, value, r, a))
            self.revenue += value
            self.gross_profit += value
            if cand[2] < self.p_falloff:
                delay = cand[3] * self.guarantee
                ev = m.env.timeout(t + delay - m.env.now)
                ev.callbacks.append(lambda _ev, f=(pid, pid_r, pod_r, pid_a, pod_a, a, value, cand[4], cand[3]):
                                    self._fall_off(*f))
        else:
            self.new_contracts.append((pid, pid_r, pod_r, pid_a, pod_a, value, r, a))
            self.new_contract_months.append(jo[4])

    def _fall_off(self, pid: int, pid_r: int, pod_r: int, pid_a: int, pod_a: int, seat_a: int, fee: int,
                  remedy_u: float, elapsed_share: float) -> None:
        """A perm hire left within the guarantee: apply the remedy the client contract gives."""
        cut = self.remedy_cut
        self.fell_off += 1
        self.m.events += 1
        if remedy_u < cut[0]:
            refund, claw = 0, 0.0
            m = self.m
            if m.wf.pid[seat_a] >= 0:   # the AM owes the client a free replacement
                now = m.env.now
                life = m.sc.market.job_order_life_days * (0.5 + m.u())
                m.job_orders[seat_a].append((now + life, now, True, 0, 0, True))
        elif remedy_u < cut[1]:
            claw = 1.0 - elapsed_share
            refund = round(fee * claw)
        elif remedy_u < cut[2]:
            refund, claw = fee, 1.0
        else:
            return
        self.revenue -= refund
        self.gross_profit -= refund
        self.falloffs.append(FallOff(pid, pid_r, pod_r, pid_a, pod_a, refund, claw))

    def open_job_orders(self, now: float) -> int:
        """Job orders still open (not filled, not expired) at time ``now``."""
        return sum(1 for lst in self.m.job_orders for jo in lst if jo[0] > now)

    def month_credits(self) -> np.ndarray:
        """This month's recognised GP, one row per credit (columns above): perm fees placed this month,
        then every running contract's month (each contract bills its first month the month it starts)."""
        if self.new_contracts:
            self.contracts = np.concatenate((self.contracts, np.array(self.new_contracts, dtype=np.int64)))
            self.contract_months = np.concatenate((self.contract_months, self.new_contract_months))
            self.new_contracts, self.new_contract_months = [], []
        contracts = self.contracts
        if len(contracts):
            gp = contracts[:, GP]
            self.revenue += int(np.rint(gp / self.margin).sum())
            self.gross_profit += int(gp.sum())
            self.contract_months -= 1
            running = self.contract_months > 0
            self.contracts, self.contract_months = contracts[running], self.contract_months[running]
        if not self.perm_credits:
            return contracts
        return np.concatenate((np.array(self.perm_credits, dtype=np.int64).reshape(-1, 8), contracts))
