"""The firm's books within a month: placements, contract billings, fall-offs and refunds.

Everything here is recorded as facts (what was placed, what fell off, what was refunded); the
payout engine turns those facts into pay at month end. Money is integer cents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import simpy
from numba import njit

from sim.comp import FallOff
from sim.model.desks import Placed
from sim.model.placements import booked_rows, remedy_name

#: Columns of a credit row: what the payout engine needs, plus the seats, to credit the people in them.
PLACEMENT, REC_ID, REC_POD, AM_ID, AM_POD, GP, REC_SEAT, AM_SEAT = range(8)

if TYPE_CHECKING:
    from sim.model.firm import FirmModel



class FallOffDue(simpy.Timeout):
    """A perm placement that will fall off: when it fires, the books apply the client contract's remedy."""

    def __init__(self, env: simpy.Environment, delay: float, books: Accounts, facts: tuple):
        super().__init__(env, delay)
        self.books, self.facts = books, facts
        self.callbacks.append(FallOffDue.fall)

    @staticmethod
    def fall(ev: simpy.Event) -> None:
        ev.books._fall_off(*ev.facts)   # type: ignore[attr-defined]


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
        # Running contracts: one credit row each (the same every month) and the months left to bill.
        self.contracts = np.zeros((0, 8), dtype=np.int64)
        self.contract_months = np.zeros(0, dtype=np.int64)
        self.new_contracts: list[np.ndarray] = []        # credit rows of contracts placed this month
        self.new_contract_months: list[np.ndarray] = []
        self.perm_credits = np.zeros((0, 8), dtype=np.int64)   # credit rows of perm placements this month
        self.falloffs: list[FallOff] = []
        self.placements = 0
        self.fell_off = 0     # perm placements that fell off this month, whatever the remedy
        self.replacements = 0
        self.arrived = (0, 0)  # job orders and candidates that arrived this month
        self.revenue = 0      # cents, this month
        self.gross_profit = 0
        self.placed_by = np.zeros(256, dtype=np.int64)   # placements by person id (either side)
        self.placed_seat = np.zeros(model.wf.n_seats, dtype=np.int64)   # this month's placements by seat
        self.placed_value = np.zeros(model.wf.n_seats)   # their expected GP credited to each seat (cents)
        # Runs that keep statements keep their placements too (see sim.model.placements).
        self.booked: list[np.ndarray] | None = [] if model.detail else None
        self.fell: dict[int, tuple[float, str, int]] = {}   # placement id -> (day, remedy, refund cents)

    def start_measuring(self) -> None:
        """The warm-up is over: placements per person and replacements count from now."""
        self.placed_by[:] = 0
        self.replacements = 0

    def start_month(self) -> None:
        self.perm_credits = self.perm_credits[:0]
        self.falloffs = []
        self.placements = 0
        self.fell_off = 0
        self.revenue = 0
        self.gross_profit = 0

    def book(self, rows: np.ndarray) -> None:
        """Record the month's placements, one row each as the matching wrote them
        (:data:`sim.model.desks.PLACED_COLUMNS`: time, recruiter seat, AM seat, the job order's fields, the
        candidate's fields, the placement id). Seats are still held by the people who placed: quits and
        hires happen between months."""
        m = self.m
        m.events += len(rows)
        wf = m.wf
        self.placed_seat, self.placed_value = _placed(rows, wf.n_seats, m.month_end.share_r,
                                                      m.sc.market.contract_months_mean)
        if not len(rows):
            return
        if len(self.placed_by) < wf.next_pid:
            self.placed_by = np.concatenate((self.placed_by, np.zeros(wf.next_pid, dtype=np.int64)))
        perm, contract, months, replacements, fees = _booked(rows, wf.pid_arr, wf.pod_arr, self.placed_by)
        if self.booked is not None:
            self.booked.append(booked_rows(rows, wf.pid_arr, wf.pod_arr))
        self.replacements += replacements
        self.placements += len(perm) + len(contract)
        self.perm_credits = perm
        self.revenue += fees
        self.gross_profit += fees
        if len(contract):
            self.new_contracts.append(contract)
            self.new_contract_months.append(months)

    def schedule_falloffs(self, rows: np.ndarray) -> None:
        """Perm placements that will fall off (placement rows, in placement order): a SimPy timeout each, at
        its moment within the guarantee period."""
        env, wf = self.m.env, self.m.wf
        pid, pod = wf.pid, wf.pod
        for row in rows.tolist():
            r, a = int(row[Placed.RECRUITER]), int(row[Placed.ACCOUNT_MANAGER])
            at = row[Placed.FALLOFF_AT]
            FallOffDue(env, row[Placed.TIME] + at * self.guarantee - env.now, self,
                       (int(row[Placed.ID]), pid[r], pod[r], pid[a], pod[a], a, int(row[Placed.VALUE]),
                        row[Placed.REMEDY_U], at))

    def _fall_off(self, pid: int, pid_r: int, pod_r: int, pid_a: int, pod_a: int, seat_a: int, fee: int,
                  remedy_u: float, elapsed_share: float) -> None:
        """A perm hire left within the guarantee: apply the remedy the client contract gives."""
        cut = self.remedy_cut
        self.fell_off += 1
        self.m.events += 1
        if self.booked is not None:
            self.fell[pid] = (self.m.env.now, remedy_name(remedy_u, cut), 0)
        if remedy_u < cut[0]:
            refund, claw = 0, 0.0
            m = self.m
            if m.wf.pid[seat_a] >= 0:   # the AM owes the client a free replacement
                now = m.env.now
                life = m.sc.market.job_order_life_days * (0.5 + m.u())
                m.desks.append(seat_a, (now + life, now, 1.0, 0.0, 0.0, 1.0))
        elif remedy_u < cut[1]:
            claw = 1.0 - elapsed_share
            refund = round(fee * claw)
        elif remedy_u < cut[2]:
            refund, claw = fee, 1.0
        else:
            return
        self.revenue -= refund
        self.gross_profit -= refund
        if self.booked is not None:
            self.fell[pid] = (*self.fell[pid][:2], refund)
        self.falloffs.append(FallOff(pid, pid_r, pod_r, pid_a, pod_a, refund, claw))

    def open_job_orders(self, now: float) -> int:
        """Job orders still open (not filled, not expired) at time ``now``."""
        wf = self.m.wf
        return self.m.desks.alive(slice(wf.n_rec, wf.producers), now)

    def month_credits(self) -> np.ndarray:
        """This month's recognised GP, one row per credit (columns above): perm fees placed this month,
        then every running contract's month (each contract bills its first month the month it starts)."""
        if self.new_contracts:
            self.contracts = np.concatenate((self.contracts, *self.new_contracts))
            self.contract_months = np.concatenate((self.contract_months, *self.new_contract_months))
            self.new_contracts, self.new_contract_months = [], []
        contracts = self.contracts
        if len(contracts):
            revenue, gp, self.contracts, self.contract_months = _bill(contracts, self.contract_months, self.margin)
            self.revenue += revenue
            self.gross_profit += gp
        if not len(self.perm_credits):
            return contracts
        return np.concatenate((self.perm_credits, contracts))


@njit(cache=True)
def _bill(contracts, months, margin):   # pragma: no cover - compiled
    """A month of the running contracts (credit rows, months left to bill): the revenue they bill (each row's
    GP over the ``margin``, to whole cents), their GP, and the rows and months left of those still running."""
    revenue = 0.0   # whole cents: a float sum of them is exact in any order
    gp = 0
    keep = 0
    for i in range(contracts.shape[0]):
        revenue += np.rint(contracts[i, GP] / margin)
        gp += contracts[i, GP]
        keep += months[i] > 1
    rows = np.empty((keep, contracts.shape[1]), dtype=contracts.dtype)
    left = np.empty(keep, dtype=months.dtype)
    k = 0
    for i in range(contracts.shape[0]):
        if months[i] > 1:
            rows[k] = contracts[i]
            left[k] = months[i] - 1
            k += 1
    return int(revenue), gp, rows, left


@njit(cache=True)
def _booked(rows, pid, pod, placed_by):   # pragma: no cover - compiled
    """A month's placement rows as credit rows (perm ones, contracts and their months), the free
    replacements among them, and the perm fees; each placement counted for both people in ``placed_by``.
    (Compiled: a change to :class:`~sim.model.desks.Placed` alone does not renew the cached code; clear
    ``__pycache__``.)"""
    n_perm = n_contract = replacements = 0
    for i in range(rows.shape[0]):
        if rows[i, Placed.ID] < 0:   # a free replacement for a fall-off: no fee, no credit
            replacements += 1
        elif rows[i, Placed.PERM] != 0.0:
            n_perm += 1
        else:
            n_contract += 1
    perm = np.empty((n_perm, 8), dtype=np.int64)
    contract = np.empty((n_contract, 8), dtype=np.int64)
    months = np.empty(n_contract, dtype=np.int64)
    fees = 0
    k_perm = k_contract = 0
    for i in range(rows.shape[0]):
        if rows[i, Placed.ID] < 0:
            continue
        r, a = int(rows[i, Placed.RECRUITER]), int(rows[i, Placed.ACCOUNT_MANAGER])
        placed_by[pid[r]] += 1
        placed_by[pid[a]] += 1
        value = int(rows[i, Placed.VALUE])
        if rows[i, Placed.PERM] != 0.0:
            out = perm[k_perm]
            k_perm += 1
            fees += value
        else:
            out = contract[k_contract]
            months[k_contract] = int(rows[i, Placed.CONTRACT_MONTHS])
            k_contract += 1
        out[PLACEMENT], out[REC_ID], out[REC_POD] = int(rows[i, Placed.ID]), pid[r], pod[r]
        out[AM_ID], out[AM_POD], out[GP], out[REC_SEAT], out[AM_SEAT] = pid[a], pod[a], value, r, a
    return perm, contract, months, replacements, fees


@njit(cache=True)
def _placed(rows, n_seats, share_r, contract_months_mean):   # pragma: no cover - compiled
    """This month's placements by seat (either side), and the expected GP (cents) of its new ones credited to
    each seat by the split (``share_r`` to the recruiter side): a perm fee, or a contract's monthly GP times
    the mean contract length (what a placement is worth when made, whatever the book already running bills
    this month). Free replacements are worth nothing. Each side's values are added in row order, the
    recruiter sides' sum first."""
    placed = np.zeros(n_seats, dtype=np.int64)
    by_recruiter, by_account_manager = np.zeros(n_seats), np.zeros(n_seats)
    rest = 1.0 - share_r
    for i in range(rows.shape[0]):
        r, a = int(rows[i, Placed.RECRUITER]), int(rows[i, Placed.ACCOUNT_MANAGER])
        placed[r] += 1
        placed[a] += 1
        fee = rows[i, Placed.VALUE]
        value = fee if rows[i, Placed.PERM] != 0.0 else fee * contract_months_mean
        if rows[i, Placed.ID] < 0:
            value = 0.0
        by_recruiter[r] += share_r * value
        by_account_manager[a] += rest * value
    return placed, by_recruiter + by_account_manager


@njit(cache=True)
def credited_gp(credits, pid, share_r, partner_am, extra_rec):   # pragma: no cover - compiled
    """GP credited to each seat's occupant this month by the split (``share_r`` to the recruiter side), and
    the GP of placements each seat made by sharing with a pod mate (a pair that are not partners: the
    recruiter's first account manager is not the AM, nor the AM's extra recruiter the recruiter); credits
    of people who have left their seat count for nobody. Recruiter sides first, then account manager
    sides, each in credit order (the order a weighted count of the sides adds them in)."""
    n = pid.size
    got, shared = np.zeros(n), np.zeros(n)
    rest = 1.0 - share_r
    for side in range(2):
        for i in range(credits.shape[0]):
            r, a = credits[i, REC_SEAT], credits[i, AM_SEAT]
            seat = r if side == 0 else a
            if pid[seat] != (credits[i, REC_ID] if side == 0 else credits[i, AM_ID]):
                continue
            gp = float(credits[i, GP])
            got[seat] += (share_r if side == 0 else rest) * gp
            if partner_am[r] != a and extra_rec[a] != r:
                shared[seat] += gp
    return got, shared
