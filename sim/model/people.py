"""The workforce: seats in pods, the people in them, and their traits.

A *seat* is a desk in a pod (recruiter, account manager or pod lead). People come and go; seats
stay, which keeps the market's random streams tied to desks (common random numbers). Everything a
seat holds is a per-seat numpy array (cooperation, read by the compiled matching at every arrival;
skill, tenure, effort, pay history, running totals, which month end works on for all seats at once),
plus the occupant's person id and the seat's role and pod as plain lists for the Python code that
looks up one seat at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from sim.comp import ACCOUNT_MANAGER, POD_LEAD, RECRUITER, ROLE_CODES
from sim.model.behaviour import CONDITIONAL, FREE_RIDER, MP_EFFORT_FLOOR, UNCONDITIONAL
from sim.model.market import SKILL_CAP
from sim.scenario.schema import Cooperation, Firm

PAY_MEMORY = 3
"""Months of pay a person remembers when comparing it with the market and with peers."""


@dataclass(slots=True)
class PersonRecord:
    """What the people table says about one person after the run."""

    person_id: int
    seat: int
    role: str
    pod: int
    hire_month: int          # first month worked (1-based); 0 for people employed before the run starts
    tenure_at_start: int
    ctype: int
    skill: float
    exit_month: int | None = None
    exit_reason: str | None = None
    months_employed: int = 0
    pay_cents: int = 0
    credited_gp_cents: int = 0
    placements: int = 0
    last_effort: float = 0.0
    last_cooperation: float = 0.0
    promoted_month: int | None = None    # month at whose end they were promoted to pod lead (0: at the start)
    promoted_from: str | None = None     # the role they were promoted from
    promotion_reason: str | None = None
    trace: list[tuple] = field(default_factory=list)


class Workforce:
    """Seats and their occupants. Seat order: recruiters, then account managers, then leads."""

    def __init__(self, firm: Firm):
        self.n_pods = firm.pods
        r, a = firm.recruiters_per_pod, firm.account_managers_per_pod
        self.n_rec = firm.pods * r
        self.n_am = firm.pods * a
        roles = [RECRUITER] * self.n_rec + [ACCOUNT_MANAGER] * self.n_am
        pods = [s // r for s in range(self.n_rec)] + [s // a for s in range(self.n_am)]
        if firm.pod_leads:
            roles += [POD_LEAD] * firm.pods
            pods += list(range(firm.pods))
        self.role: list[str] = roles
        self.pod: list[int] = pods
        self.n_seats = len(roles)
        self.producers = self.n_rec + self.n_am
        n = self.n_seats
        self.role_code = np.array([ROLE_CODES[x] for x in roles], dtype=np.int8)
        self.pod_arr = np.array(pods, dtype=np.int64)
        self.pid = [-1] * n
        self.pid_arr = np.full(n, -1, dtype=np.int64)   # the same, for month end and the books' arrays
        self.occ = np.zeros(n, dtype=bool)   # pid >= 0, kept as an array for month end
        self.coop = np.zeros(n)   # read by the compiled matching at every arrival
        self.skill = np.ones(n)
        self.tenure = np.zeros(n, dtype=np.int64)
        self.ctype = np.full(n, CONDITIONAL, dtype=np.int64)
        self.effort = np.ones(n)
        self.credit_ema = np.zeros(n)   # expected credited GP a month (cents; -1: no record yet)
        self.value_ema = np.zeros(n)    # expected GP a month of the placements one makes (cents; -1: none yet)
        self.mp_ema = np.zeros(n)       # the same per unit of effort (cents; -1: no record yet)
        self.shared_ema = np.zeros(n)   # expected GP a month of placements made by sharing with pod mates
        self.pay_hist = np.zeros((n, PAY_MEMORY), dtype=np.int64)   # ring buffer: slot = month mod 3
        self.pay_hist_n = np.zeros(n, dtype=np.int64)
        # The occupant's running totals, written into their record when they leave (or at the end).
        self.pay_sum = np.zeros(n, dtype=np.int64)
        self.credit_sum = np.zeros(n, dtype=np.int64)
        self.months = np.zeros(n, dtype=np.int64)
        self.records: dict[int, PersonRecord] = {}
        self.next_pid = 0
        # Partners: recruiter k of a pod works first with AM k mod a of the same pod, and vice versa.
        self.partners: list[list[int]] = [[] for _ in range(n)]
        self.pod_mates: list[list[int]] = [[] for _ in range(n)]   # other side of the desk, same pod
        self.pod_seats: list[list[int]] = [[] for _ in range(self.n_pods)]  # producers per pod
        for s in range(self.producers):
            self.pod_seats[pods[s]].append(s)
        for p in range(self.n_pods):
            recs = list(range(p * r, (p + 1) * r))
            ams = [self.n_rec + i for i in range(p * a, (p + 1) * a)]
            for k, s in enumerate(recs):
                self.partners[s] = [ams[k % a]]
                self.pod_mates[s] = [x for x in ams if x != ams[k % a]]
            for k, s in enumerate(ams):
                mine = [recs[j] for j in range(r) if j % a == k]
                if not mine:
                    mine = [recs[k % r]]
                self.partners[s] = mine
                self.pod_mates[s] = [x for x in recs if x not in mine]
        self.lead_seat = {pods[s]: s for s in range(self.producers, n)}
        self.recruiters_of = [[s for s in seats if s < self.n_rec] for seats in self.pod_seats]
        self.ams_of = [[s for s in seats if s >= self.n_rec] for seats in self.pod_seats]

    def hire(self, seat: int, month: int, rng: np.random.Generator, coop: Cooperation, skill_sd: float,
             screen: float, tenure: int = 0, pod_mean: float | None = None, skill_shift: float = 0.0,
             traits: tuple[float, int, float] | None = None) -> int:
        """Put a new person in ``seat``; returns their person id. Traits come from ``rng`` (the same draws
        whatever is imposed): ``skill_shift`` moves the mean log skill (applicants sorting on the plan);
        ``traits`` = (skill, type, cooperation) imposes a logged hire's traits (a frozen composition)."""
        pid = self.next_pid
        self.next_pid += 1
        u_type, u_level, z = self.draw_traits(rng)
        t = coop.types
        free = t.free_rider * (1.0 - screen)   # hiring for cooperation screens out free riders
        total = t.conditional + free + t.unconditional
        if u_type * total < t.conditional:
            ctype, level = CONDITIONAL, coop.initial_conditional
        elif u_type * total < t.conditional + free:
            ctype, level = FREE_RIDER, coop.initial_free_rider
        else:
            ctype, level = UNCONDITIONAL, coop.initial_unconditional
        if ctype == CONDITIONAL and pod_mean is not None and not coop.restart_on_new_team:
            level = pod_mean
        level = min(1.0, max(0.0, level + (2.0 * u_level - 1.0) * coop.initial_spread))
        skill = float(np.exp(skill_sd * z - 0.5 * skill_sd * skill_sd + skill_shift))
        if traits is not None:
            skill, ctype, level = traits
        self.pid[seat] = self.pid_arr[seat] = pid
        self.occ[seat] = True
        self.skill[seat] = min(skill, SKILL_CAP)
        self.tenure[seat] = tenure
        self.ctype[seat] = ctype
        self.coop[seat] = level
        self.effort[seat] = 1.0
        self.pay_hist[seat] = 0
        self.pay_hist_n[seat] = 0
        self.pay_sum[seat] = self.credit_sum[seat] = self.months[seat] = 0
        self.credit_ema[seat] = -1.0   # unknown until the first month's credits
        self.mp_ema[seat] = self.value_ema[seat] = -1.0
        self.shared_ema[seat] = 0.0
        self.records[pid] = PersonRecord(pid, seat, self.role[seat], self.pod[seat],
                                         month, tenure, ctype, float(self.skill[seat]))
        return pid

    @staticmethod
    def draw_traits(rng: np.random.Generator) -> tuple[float, float, float]:
        """The draws behind one hire's traits (type, level, skill), in the order :meth:`hire` reads them."""
        return rng.random(), rng.random(), rng.normal()

    #: Per-seat arrays that belong to the occupant, and move with them on a promotion.
    PERSONAL = ("coop", "skill", "tenure", "ctype", "effort", "credit_ema", "value_ema", "mp_ema", "shared_ema",
                "pay_hist", "pay_hist_n", "pay_sum", "credit_sum", "months")

    def promote(self, src: int, dst: int, month: int, reason: str) -> int:
        """Move the occupant of producer seat ``src`` into the empty seat ``dst`` (a pod lead's), with
        everything that is theirs; ``src`` is left empty. Returns their person id."""
        pid = self.pid[src]
        for name in self.PERSONAL:
            a = getattr(self, name)
            a[dst] = a[src]
        self.pid[dst] = self.pid_arr[dst] = pid
        self.occ[dst] = True
        self.pid[src] = self.pid_arr[src] = -1
        self.occ[src] = False
        rec = self.records[pid]
        rec.promoted_month, rec.promoted_from, rec.promotion_reason = month, rec.role, reason
        rec.seat, rec.role, rec.pod = dst, self.role[dst], self.pod[dst]
        return pid

    def vacate(self, seat: int, month: int, reason: str) -> None:
        rec = self.flush(seat)
        rec.exit_month, rec.exit_reason = month, reason
        self.pid[seat] = self.pid_arr[seat] = -1
        self.occ[seat] = False

    def flush(self, seat: int) -> PersonRecord:
        """Write the occupant's running totals and last effort and cooperation into their record."""
        rec = self.records[self.pid[seat]]
        rec.pay_cents, rec.credited_gp_cents = int(self.pay_sum[seat]), int(self.credit_sum[seat])
        rec.months_employed = int(self.months[seat])
        rec.last_effort, rec.last_cooperation = float(self.effort[seat]), float(self.coop[seat])
        return rec

    def record_month(self, seats: np.ndarray, pay: np.ndarray, got: np.ndarray, shared: np.ndarray,
                     placed_value: np.ndarray, month: int, weight: float) -> np.ndarray:
        """The month of the members ``seats`` (ascending): their pay (cents) and credited GP into their totals and
        pay history, and their running expectations, ``weight`` on this month: credited GP ``got`` (what the plan
        pays on), the expected GP of the placements they made (``placed_value``, by seat) and that per unit of
        effort (their marginal product: arrivals grow in proportion to effort), and GP made by sharing.

        Returns their recent pay (cents a month, in ``seats`` order): the mean of their last PAY_MEMORY months,
        the one measure of own pay and of the peers' it is compared with."""
        return _record_month(seats, pay, got, shared, placed_value, month % PAY_MEMORY, weight, MP_EFFORT_FLOOR,
                             self.effort, self.pay_sum, self.credit_sum, self.months, self.pay_hist, self.pay_hist_n,
                             self.credit_ema, self.value_ema, self.mp_ema, self.shared_ema)

    def recent_pay(self, seats: np.ndarray) -> np.ndarray:
        """The recent pay (cents a month) of the members ``seats``, as :meth:`record_month` returns it; 0 for one
        with no month recorded yet."""
        return _recent_pay(seats, self.pay_hist, self.pay_hist_n)

    def occupied(self) -> list[int]:
        return self.occ.nonzero()[0].tolist()

    def start_measuring(self) -> None:
        """The warm-up is over: the people employed now start the run's records (tenure as it is, hire month
        0, no totals yet); those who left during the warm-up leave no record."""
        keep = {}
        for s in self.occupied():
            old = self.records[self.pid[s]]
            keep[old.person_id] = PersonRecord(old.person_id, s, old.role, old.pod, 0, int(self.tenure[s]),
                                               old.ctype, old.skill, promoted_month=old.promoted_month and 0,
                                               promoted_from=old.promoted_from, promotion_reason=old.promotion_reason)
        self.records = keep
        self.pay_sum[:] = 0
        self.credit_sum[:] = 0
        self.months[:] = 0


@njit(cache=True, inline="always")
def _running(old, new, weight):   # pragma: no cover - compiled
    """A running mean, ``weight`` on the new value; a mean without a record yet (-1) starts at it."""
    return new if old < 0 else (1.0 - weight) * old + weight * new


@njit(cache=True)
def _record_month(seats, pay, got, shared, placed_value, slot, weight, floor, effort, pay_sum, credit_sum, months,
                  pay_hist, pay_hist_n, credit_ema, value_ema, mp_ema, shared_ema):   # pragma: no cover - compiled
    """:meth:`Workforce.record_month`: ``slot`` the month's place in the pay history."""
    recent = np.empty(seats.size)
    for k in range(seats.size):
        s = seats[k]
        pay_sum[s] += pay[k]
        credit_sum[s] += np.int64(np.rint(got[k]))
        months[s] += 1
        pay_hist[s, slot] = pay[k]
        pay_hist_n[s] += 1
        made = placed_value[s]   # what this month's new placements are worth, not the running book
        credit_ema[s] = _running(credit_ema[s], got[k], weight)
        value_ema[s] = _running(value_ema[s], made, weight)
        mp_ema[s] = _running(mp_ema[s], made / np.maximum(effort[s], floor), weight)
        shared_ema[s] = (1.0 - weight) * shared_ema[s] + weight * shared[k]
        recent[k] = _recent(pay_hist, pay_hist_n, s)
    return recent


@njit(cache=True, inline="always")
def _recent(pay_hist, pay_hist_n, s):   # pragma: no cover - compiled
    """Seat ``s``'s recent pay: the mean of its last PAY_MEMORY months recorded (0 before any)."""
    total = 0
    for j in range(PAY_MEMORY):
        total += pay_hist[s, j]
    return total / max(min(pay_hist_n[s], PAY_MEMORY), 1)


@njit(cache=True)
def _recent_pay(seats, pay_hist, pay_hist_n):   # pragma: no cover - compiled
    """:meth:`Workforce.recent_pay`."""
    out = np.empty(seats.size)
    for k in range(seats.size):
        out[k] = _recent(pay_hist, pay_hist_n, seats[k])
    return out
