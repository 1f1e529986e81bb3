"""Who stays and who joins: quits, managing out, removals, vacancies and hires.

Quits answer pay against each person's own outside option (which rises with skill), against the
role's median, the pod's cooperation climate and tenure (:func:`sim.model.behaviour.quit_probability`).
Outside offers follow demand with a lag (:func:`sim.model.demand.outside_option_factor`): the factor
scales the market pay an outside option is built on and the quit base rate.
A performance standard manages out persistent low producers. Hires come from an applicant pool that
sorts on the plan: the firm's pay-skill gradient against the outside market's decides whether the
more or the less able apply (:func:`sim.model.behaviour.applicant_shift`).

Every leave and hire can be logged as plain data (the *composition* of a run) and replayed in another
run: a scheme run with a baseline's composition frozen has the baseline's people, hired and leaving
when they did, so what differs is effort and cooperation alone (see :mod:`sim.model.decompose`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict, deque
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.comp import ROLE_CODES
from sim.model import behaviour as bh
from sim.model import demand as dm

if TYPE_CHECKING:
    from sim.model.firm import FirmModel


class Vacancy(simpy.Timeout):
    """A vacancy being filled: when it fires, ``seat`` is ready for its new hire at the next month start."""

    def __init__(self, model: FirmModel, delay: float, seat: int):
        super().__init__(model.env, delay)
        self.seat = seat
        self.model = model
        self.callbacks.append(Vacancy.filled)

    @staticmethod
    def filled(ev: simpy.Event) -> None:
        ev.model.ready_seats.append(ev.seat)   # type: ignore[attr-defined]


class Staffing:
    """Turnover and hiring of one replication; ``replay``: a composition to impose instead of drawing one."""

    def __init__(self, model: FirmModel, replay: dict[str, Any] | None = None, record: bool = False):
        self.m = model
        b = model.sc.behavior
        self.t, self.h = b.turnover, b.hiring
        self.base_quit = bh.monthly_from_annual(self.t.annual_base)
        wf = model.wf
        self.market_pay = np.array([self.t.market_pay.get(role, 0.0) for role in wf.role])
        self.below = np.zeros(wf.n_seats, dtype=np.int64)   # consecutive months below the standard
        self.record = record
        self.log: dict[str, list] = {"leaves": [], "hires": []}
        self.replay_leaves: dict[int, list] = defaultdict(list)
        self.replay_hires: dict[int, deque] = defaultdict(deque)
        self.replaying = replay is not None
        if replay is not None:
            for month, seat, reason, delay in replay["leaves"]:
                self.replay_leaves[int(month)].append((int(seat), str(reason), float(delay)))
            for seat, skill, ctype, level in replay["hires"]:
                self.replay_hires[int(seat)].append((float(skill), int(ctype), float(level)))
        self.shift = np.zeros(3)   # applicants' log-skill shift by role code, refreshed each month end

    # -------------------------------------------------------------------------------------- hires
    def outside(self, seats: np.ndarray, factor: float = 1.0) -> np.ndarray:
        """Each seat occupant's outside option ($ a month); ``factor``: outside offers relative to plan."""
        wf = self.m.wf
        return bh.outside_option(self.market_pay[seats] * factor, wf.skill[seats], self.t.outside_skill_elasticity)

    def update_applicants(self, seats: np.ndarray, recent_pay: np.ndarray) -> None:
        """Refresh the applicant pool's sorting from the firm's pay-skill gradient by role (``recent_pay``:
        cents a month, in ``seats`` order)."""
        wf, h = self.m.wf, self.h
        if h.applicant_sorting <= 0 or h.skill_sd <= 0:
            return
        paid = (recent_pay > 0).nonzero()[0]
        log_pay, log_skill = np.log(recent_pay[paid]), np.log(wf.skill[seats[paid]])
        # ``seats`` ascends and seats are ordered by role (recruiters, AMs, leads): each role is one slice.
        lo = 0
        for code, hi in enumerate(seats[paid].searchsorted(self.m.month_end.role_ends).tolist()):
            g = bh.pay_skill_gradient(log_pay[lo:hi], log_skill[lo:hi])
            self.shift[code] = bh.applicant_shift(g, self.t.outside_skill_elasticity, h.applicant_sorting,
                                                  h.skill_sd, h.applicant_shift_limit)
            lo = hi

    def hire(self, seat: int, month: int, pod_mean: float | None) -> None:
        m, wf = self.m, self.m.wf
        traits = None
        if self.replaying:
            queue = self.replay_hires.get(seat)
            traits = queue.popleft() if queue else None
        pid = wf.hire(seat, month, m.rng["traits"], m.sc.behavior.cooperation, self.h.skill_sd,
                      m.policy.hiring_for_cooperation, pod_mean=pod_mean,
                      skill_shift=float(self.shift[wf.role_code[seat]]), traits=traits)
        if self.record:
            self.log["hires"].append([seat, float(wf.skill[seat]), int(wf.ctype[seat]), float(wf.coop[seat])])
        return pid

    # ------------------------------------------------------------------------------------- leaves
    def turnover(self, month: int, seats: np.ndarray, producers: np.ndarray, coop_all: np.ndarray,
                 peer_median: np.ndarray, recent: np.ndarray) -> tuple[int, int]:
        """This month's quits and managed-out producers (drawn, or replayed): ``(quits, managed_out)``."""
        m, wf, t = self.m, self.m.wf, self.t
        if self.replaying:
            quits = managed = 0
            for seat, reason, delay in self.replay_leaves.get(month, ()):
                if reason != "promoted" and wf.pid[seat] >= 0:   # promotions replay at the promotion step
                    self.leave(seat, month, reason, delay)
                    quits += reason == "quit"
                    managed += reason == "managed_out"
            return quits, managed
        managed = self._standard(month, producers)
        if not t.enabled:
            return 0, managed
        u = m.rng["quits"].random(wf.n_seats)
        pods = wf.pod_arr[producers]
        coop_sum = np.bincount(pods, weights=coop_all[producers], minlength=wf.n_pods)
        heads = np.bincount(pods, minlength=wf.n_pods)
        climate = np.where(heads > 0, coop_sum / np.maximum(heads, 1), 0.0)
        sens = t.peer_pay_sensitivity
        if m.policy.leaderboard:
            sens *= 1.0 + m.sc.behavior.levers.leaderboard_salience
        # Outside offers follow demand, lagged (sim.model.demand): the market pay reference and the base rate.
        offers = dm.outside_option_factor(m.sc.market.demand, month - m.sc.warmup_months)
        h = bh.quit_probability(
            recent / 100, self.outside(seats, offers), peer_median / 100, climate[wf.pod_arr[seats]], wf.tenure[seats],
            base_monthly=self.base_quit * offers, market_sensitivity=t.market_pay_sensitivity, peer_sensitivity=sens,
            climate_sensitivity=t.climate_sensitivity, first_year_multiplier=t.first_year_multiplier,
            cap=t.quit_cap)
        leavers = seats[(u[seats] < h) & wf.occ[seats]].tolist()   # the managed-out are gone already
        for s in leavers:
            self.leave(s, month, "quit")
        return len(leavers), managed

    def replayed_delay(self, month: int, seat: int) -> float | None:
        """The logged hiring delay of the vacancy a promotion opened at ``seat`` in ``month`` (replaying)."""
        for s, reason, delay in self.replay_leaves.get(month, ()):
            if s == seat and reason == "promoted":
                return delay
        return None

    def _standard(self, month: int, producers: np.ndarray) -> int:
        """Manage out producers whose expected credited GP stayed below the standard for ``standard_months``."""
        wf, p = self.m.wf, self.m.policy
        if p.performance_standard <= 0 or not len(producers):
            return 0
        ratio = self.standing(producers)
        judged = wf.tenure[producers] >= p.standard_grace_months
        low = judged & (ratio < p.performance_standard)
        self.below[producers] = np.where(low, self.below[producers] + 1, 0)
        out = producers[self.below[producers] >= p.standard_months].tolist()
        for s in out:
            self.leave(s, month, "managed_out")
        return len(out)

    def standing(self, producers: np.ndarray) -> np.ndarray:
        """Each producer's expected credited GP over their role's mean among the ramped (tenure past grace)."""
        wf = self.m.wf
        ema = np.maximum(wf.credit_ema[producers], 0.0)
        codes = wf.role_code[producers]
        ramped = wf.tenure[producers] >= self.m.policy.standard_grace_months
        out = np.ones(len(producers))
        for code in (ROLE_CODES["recruiter"], ROLE_CODES["account_manager"]):
            mine = codes == code
            ref = ema[mine & ramped] if np.any(mine & ramped) else ema[mine]
            mean = float(ref.mean()) if ref.size else 0.0
            if mean > 0:
                out[mine] = ema[mine] / mean
        return out

    def leave(self, s: int, month: int, reason: str, delay: float | None = None) -> None:
        self.m.wf.vacate(s, month + 1, reason)
        self.open_seat(s, month, reason, delay)

    def open_seat(self, s: int, month: int, reason: str, delay: float | None = None) -> None:
        """Seat ``s`` was left (``reason``): its desk is handed over or lost, and a vacancy opens, except for a
        lead seat under promotion from within, which a producer fills at this month end."""
        m, wf = self.m, self.m.wf
        self.below[s] = 0
        m.events += 1
        self._handover(s, reason == "promoted")
        promotion = m.month_end.promotion
        if promotion is not None:
            promotion.vacated(s)
            if s >= wf.producers:
                if self.record:
                    self.log["leaves"].append([month, s, reason, 0.0])
                return
        if delay is None:
            mean = self.h.delay_days_mean * (1.0 + self.h.screening_delay * m.policy.hiring_for_cooperation)
            delay = m.rng["hiring"].exponential(mean) if mean else 0.0
        if self.record:
            self.log["leaves"].append([month, s, reason, float(delay)])
        Vacancy(m, delay, s)

    def _handover(self, s: int, hand_over: bool = False) -> None:
        """The leaver's open job orders and candidates are lost, or passed to a pod mate on the same side
        (always by someone promoted, who is still there to hand them over)."""
        m, wf = self.m, self.m.wf
        desks = m.desks
        if (hand_over or self.h.pipeline_on_quit == "handover") and desks.tail[s] > desks.head[s]:
            same_side = [x for x in wf.pod_seats[wf.pod[s]]
                         if x != s and wf.pid[x] >= 0 and (x >= wf.n_rec) == (s >= wf.n_rec)]
            if same_side:
                desks.append(same_side[0], desks.waiting(s))
                desks.clear(s)
                return
        lost, tally = desks.alive(slice(s, s + 1), m.env.now), m.month_end.tally
        if s >= wf.n_rec:
            tally.lost_job_orders += lost
        else:
            tally.lost_candidates += lost
        desks.clear(s)

    def remove_star(self, month: int) -> None:
        """Policy lever: remove the top-producing person among those cooperating below the median."""
        m, wf = self.m, self.m.wf
        if self.replaying or m.policy.remove_star_month != month + 1 - m.sc.warmup_months:
            return
        producers = m.month_end.producers().tolist()
        if len(producers) < 2:
            return
        med = statistics.median(wf.coop[s] for s in producers)
        pool = [s for s in producers if wf.coop[s] <= med]
        star = max(pool, key=lambda s: (int(wf.credit_sum[s]), -s))
        self.leave(star, month, "removed")
