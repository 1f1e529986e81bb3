"""Month end: payroll, then behaviour (effort, cooperation), then quits, removals and hires.

Payroll hands the month's facts to the pure payout engine and keeps the statements; the rules in
:mod:`sim.model.behaviour` then decide next month's effort and cooperation from what the plan pays at
the margin, what is at stake, and what effort and help are worth in this market (each person's own
record of the GP of the placements they make per unit of effort, the conversion lift of a cooperating
pair, the placements sharing makes); :mod:`sim.model.staffing` decides who leaves and who joins. What is
reported goes to the :class:`~sim.model.tally.Tally`, apart from the decisions.

Month end touches every person, every month, so it works on whole arrays (one element per seat):
the rules are the same functions, applied to numpy arrays. Its arrays are small (about 100 seats), so
a numpy call's own cost counts: sums are ``np.add.reduce`` (what ``ndarray.sum`` calls, without its
Python wrapper, a third of the time) and rows of a 2-D array are gathered by ``take``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

from sim.comp import ROLE_CODES, LedgerColumns
from sim.model import behaviour as bh
from sim.model.accounts import AM_ID, AM_POD, GP, PLACEMENT, REC_ID, REC_POD, credited_gp
from sim.model.finance import FinanceBooks
from sim.model.outputs import build_results
from sim.model.promotion import Promotions
from sim.model.tally import Tally

if TYPE_CHECKING:
    from sim.model.firm import FirmModel

_NO_COUNTS = np.zeros(0, dtype=np.int64)
"""Pod head counts for a plan without a pool, whose margins do not depend on them."""
_REC, _AM = ROLE_CODES["recruiter"], ROLE_CODES["account_manager"]   # columns of the pod counts by role


class MonthEnd:
    """The monthly part of one replication: hires at month start; payroll, behaviour and quits at month end."""

    def __init__(self, model: FirmModel):
        self.m = model
        sc = model.sc
        self.b = sc.behavior
        self.state = model.plan.initial_state()
        self.month_ahead = 0   # the month whose effort is being chosen (plan periods read their credit to date)
        plan = model.scheme.plan
        split = getattr(plan, "split", None)
        self.share_r = float(split.recruiter) if split is not None else 0.5
        lead = getattr(plan, "pod_lead", None)
        # A lead's dollars at stake (plan terms): the override on the pod's GP and the development bonus.
        self.override_rate = float(lead.override_rate) if lead is not None else 0.0
        self.development_bonus = float(lead.development_bonus) if lead is not None else 0.0
        base = getattr(plan, "base_monthly", None)
        self.lead_base = float(base.pod_lead) if base is not None else 0.0
        self.tally = Tally()
        self.hires_this_month = 0
        wf = model.wf
        self.rank = np.zeros(wf.n_seats)
        self.lead_of_pod = np.array([wf.lead_seat.get(p, -1) for p in range(wf.n_pods)])
        self.role_ends = np.array([wf.n_rec, wf.producers, wf.n_seats])
        self.side = np.where(wf.role_code == ROLE_CODES["recruiter"], self.share_r, 1.0 - self.share_r)
        self.side[wf.producers:] = 0.0
        # The account manager a recruiter works with first, and the extra partner of an AM without one.
        self.partner_am = np.array([wf.partners[s][0] for s in range(wf.n_rec)], dtype=np.int64)
        self.extra_rec = np.full(wf.n_seats, -1, dtype=np.int64)
        for a in range(wf.n_rec, wf.producers):
            for r in wf.partners[a]:
                if self.partner_am[r] != a:
                    self.extra_rec[a] = r
        # Before anyone has a record, people expect the firm's typical month (cents).
        e = self.b.effort
        self.credit_mean = e.initial_expected_credit * 100
        self.mp_mean = e.initial_expected_credit * 100
        self.lead_push = np.zeros(wf.n_pods)        # intensity of each pod lead's stake in results
        self.development = np.zeros(wf.n_pods)      # intensity of each pod lead's stake in development
        self.tau = np.full(wf.n_seats, self.b.hiring.ramp_months)
        self._last_pay = (np.zeros(0, dtype=np.int64), np.zeros(0))
        self.arrivals = np.zeros(wf.n_seats, dtype=np.int64)   # this month's arrivals by seat (set by the firm)
        self.waste = np.full(wf.n_pods, 0.5)   # share of a pod's arrivals that expire unplaced (running)
        market = self.b.turnover.market_pay
        #: Cents of a month's market pay by seat: the unit in which money enters effort and help.
        self.pay_unit = np.array([max(market.get(role, 0.0), 1.0) * 100 for role in wf.role])
        self.books = FinanceBooks(self)
        self.promotion: Promotions | None = None   # promotion from within, set by the firm (policy.promotion)

    # ------------------------------------------------------------------ month start
    def start_month(self, month: int) -> None:
        m = self.m
        self.month_ahead = month
        if month == m.sc.warmup_months and month:
            self._start_measuring()
        m.acc.start_month()
        self.hires_this_month = 0
        hb = self.b.hiring
        wf = m.wf
        if m.ready_seats:
            m.staffing.update_applicants(*self._last_pay)
            occ = wf.occ[: wf.producers]
            pods = wf.pod_arr[: wf.producers]
            heads = np.bincount(pods, weights=occ, minlength=wf.n_pods)
            coop = np.bincount(pods, weights=wf.coop[: wf.producers] * occ, minlength=wf.n_pods)
            pod_mean = np.divide(coop, heads, out=np.full(wf.n_pods, np.nan), where=heads > 0).tolist()
        for seat in m.ready_seats:   # newcomers who carry the pod's level see it as it was before this month's hires
            mean = pod_mean[wf.pod[seat]]
            m.staffing.hire(seat, month + 1, None if mean != mean else mean)
            self.hires_this_month += 1
            m.events += 1
            self.tally.hiring_cost += round(hb.cost_fraction * m.staffing.market_pay[seat] * 12 * 100)
        if self.b.enabled and m.ready_seats:
            new = np.array([s for s in m.ready_seats if s < wf.producers], dtype=np.int64)
            self.rank[new] = 0.0   # nothing on the board yet (no record ranks last), not the leaver's rank
            self.choose(new)
        m.ready_seats = []

    def _start_measuring(self) -> None:
        """End of the warm-up: a fresh tally, fresh records and counts."""
        m = self.m
        self.tally = Tally()
        self.books = FinanceBooks(self)
        m.wf.start_measuring()
        m.acc.start_measuring()

    def arrival_rates(self) -> tuple[np.ndarray, np.ndarray]:
        """Each AM's and recruiter's arrival rate this month relative to standard (0 if vacant)."""
        wf = self.m.wf
        n = wf.producers
        occupied = wf.occ[:n]
        if self.development_bonus > 0:   # a lead's development stake shortens the ramp in its pod
            self.tau = self.b.hiring.ramp_months * (1.0 - self.b.levers.lead_development_ramp
                                                    * self.development[wf.pod_arr])
        ramp = bh.ramp(wf.tenure[:n], self.tau[:n])
        self.tally.ramp_shortfall += float(np.add.reduce((1.0 - ramp)[occupied]))
        self.tally.vacant_months += int(n - np.add.reduce(occupied))
        if self.b.enabled:
            coop = wf.coop[:n]
            rates = (wf.effort[:n] * wf.skill[:n] * ramp * (1.0 - self.b.cooperation.help_cost * coop)
                     * (1.0 - self.m.policy.partnership_time))
            rates = np.where(occupied, rates, 0.0)
        else:
            rates = occupied.astype(float)
        return rates[wf.n_rec:], rates[: wf.n_rec]

    # ---------------------------------------------------------------------- payroll
    def _payroll(self, month: int, pid: np.ndarray, seats: np.ndarray,
                 credits: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
        """Each member's pay this month (cents, in ``seats`` order) and the month's totals by line kind.

        A run with ``detail`` keeps every statement (one line per placement, for finance). Perm credits
        come first in ``credits`` (:meth:`Accounts.month_credits`): only they can fall off.
        """
        m, wf = self.m, self.m.wf
        cols = LedgerColumns(
            month, pid[seats], wf.role_code[seats], wf.pod_arr[seats], wf.tenure[seats],
            credits[:, PLACEMENT], credits[:, REC_ID], credits[:, REC_POD], credits[:, AM_ID], credits[:, AM_POD],
            credits[:, GP], tuple(m.acc.falloffs), np.arange(len(credits)) < len(m.acc.perm_credits))
        paid = m.plan.pay(cols, self.state, lines=m.detail)
        self.state = paid.state
        self.tally.statements.extend((month - m.sc.warmup_months, st) for st in paid.statements)
        return paid.total_cents, paid.by_kind

    def _credited(self, credits: np.ndarray, pid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """GP credited to each seat's occupant this month by the plan's split, and the GP of placements each
        seat made by sharing with a pod mate (0 for credits of leavers)."""
        return credited_gp(credits, pid, self.share_r, self.partner_am, self.extra_rec)

    def close(self, month: int) -> None:
        m, tally = self.m, self.tally
        wf, acc = m.wf, m.acc
        credits = acc.month_credits()
        pid = wf.pid_arr
        seats = wf.occ.nonzero()[0]
        pay, totals = self._payroll(month, pid, seats, credits)
        tally.add_pay(totals)
        m.events += 1
        tally.gp_cents += acc.gross_profit
        tally.revenue_cents += acc.revenue
        got, shared = self._credited(credits, pid)
        got, shared = got[seats], shared[seats]
        tally.pay_volatility.add(pid[seats], pay)
        recent = wf.record_month(seats, pay, got, shared, acc.placed_value, month, self.b.effort.credit_weight)
        if self.promotion is not None:
            self.promotion.record_credit(month, seats, got)
        self._waste()
        peer_median = self._peer_medians(seats, recent)
        if self.promotion is not None:   # those passed over also look at the new lead's pay
            peer_median = self.promotion.peer_reference(seats, recent, peer_median)
        if m.detail:
            for s, p, med, g in zip(seats.tolist(), pay.tolist(), peer_median.tolist(), got.tolist(), strict=True):
                wf.records[wf.pid[s]].trace.append((month - m.sc.warmup_months, float(wf.effort[s]),
                                                    float(wf.coop[s]), p, med, g))
        producers = seats[: seats.searchsorted(wf.producers)]   # seats ascend: producers first
        effort = wf.effort[producers]
        coop_all = wf.coop.copy()   # quits and removals below leave it as it is
        coop = coop_all[producers]
        effort_total, coop_total = float(np.add.reduce(effort)), float(np.add.reduce(coop))
        tally.effort_sum += effort_total
        tally.coop_sum += coop_total
        tally.prod_months += len(producers)
        tally.headcount_sum += len(seats)
        if len(producers):
            self.credit_mean = float(np.add.reduce(wf.credit_ema[producers])) / len(producers)
            self.mp_mean = float(np.add.reduce(wf.mp_ema[producers])) / len(producers)
        quits = managed = 0
        self._last_pay = (seats, recent)   # what applicants see at the next hire
        if self.b.enabled:
            quits, managed = m.staffing.turnover(month, seats, producers, coop_all, peer_median, recent)
        tally.quits += quits
        tally.managed_out += managed
        roles = np.bincount(wf.role_code[seats], minlength=3)
        tally.monthly.append({
            "month": month + 1 - m.sc.warmup_months,
            "headcount_recruiters": int(roles[ROLE_CODES["recruiter"]]),
            "headcount_ams": int(roles[ROLE_CODES["account_manager"]]),
            "hires": self.hires_this_month, "quits": quits, "placements": acc.placements,
            "job_orders_arrived": acc.arrived[0], "candidates_arrived": acc.arrived[1],
            "open_job_orders": acc.open_job_orders(m.env.now), "falloffs": acc.fell_off,
            "revenue": acc.revenue / 100, "gross_profit": acc.gross_profit / 100,
            "commission_paid": (totals["total"] - totals.get("base", 0)) / 100,
            "base_pay": totals.get("base", 0) / 100,
            "mean_effort": effort_total / len(effort) if len(effort) else 0.0,
            "mean_cooperation": coop_total / len(coop) if len(coop) else 0.0,
        })
        self.books.close_month(credits, got, seats, totals, tally.monthly[-1])
        m.staffing.remove_star(month)
        if self.promotion is not None:
            self.promotion.month_end(month, coop_all)
        wf.tenure += wf.occ   # a month more for each member
        self.month_ahead = month + 1
        if self.b.enabled:
            self._lead_stakes(seats, recent)
            self.update_behaviour(coop_all)

    def _waste(self) -> None:
        """Running share of each pod's arrivals (job orders and candidates) that were not placed."""
        wf = self.m.wf
        self.waste = _waste(wf.pod_arr, wf.producers, self.arrivals, self.m.acc.placed_seat, self.waste,
                            self.b.effort.credit_weight)

    def _peer_medians(self, seats: np.ndarray, recent: np.ndarray) -> np.ndarray:
        """Each member's role's median recent pay (cents a month); ``seats`` ascending, as ``recent``."""
        return _role_medians(seats.searchsorted(self.role_ends), recent)

    def _lead_stakes(self, seats: np.ndarray, recent: np.ndarray) -> None:
        """Each pod lead's dollars at stake, as a share of the lead's pay, and their intensity: the override
        on the pod's expected GP, and the development bonus on the hires expected to reach the milestone."""
        wf = self.m.wf
        if not len(wf.lead_seat) or (self.override_rate <= 0 and self.development_bonus <= 0):
            return
        producers = self.producers()
        pods = wf.pod_arr[producers]
        # Each placement's GP is split between its two producers: a pod's credits add up to its GP.
        pod_gp = np.bincount(pods, weights=np.maximum(wf.credit_ema[producers], 0.0), minlength=wf.n_pods) / 100
        heads = np.bincount(pods, minlength=wf.n_pods)
        pay = np.full(wf.n_pods, max(self.lead_base, 1.0))
        for p, s in wf.lead_seat.items():
            k = np.searchsorted(seats, s)
            if k < len(seats) and seats[k] == s and recent[k] > 0:
                pay[p] = recent[k] / 100
        half = self.b.effort.stake_half
        self.lead_push = bh.stake_intensity(self.override_rate * pod_gp / pay, half)
        hires = heads * bh.monthly_from_annual(self.b.turnover.annual_base)   # expected a month
        self.development = bh.stake_intensity(self.development_bonus * hires / pay, half)
        if self.promotion is not None:   # a promoted lead's cooperation against the pod's scales it
            self.development = self.development * self.promotion.development_scale()

    # -------------------------------------------------------------------- behaviour
    def producers(self) -> np.ndarray:
        """Seats of the recruiters and account managers employed now."""
        wf = self.m.wf
        return wf.occ[: wf.producers].nonzero()[0]

    def margins(self, seats: np.ndarray, everyone: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray,
                                                                                         np.ndarray]:
        """What the plan pays each producer seat (and each teammate) for one more dollar of its credited GP."""
        m, wf = self.m, self.m.wf
        expected = wf.credit_ema[seats]   # a copy: no record yet (-1) reads as the firm's mean
        expected[expected < 0] = self.credit_mean
        is_recruiter = seats < wf.n_rec   # seats: recruiters first
        period = (wf.pid_arr[seats], self.state, self.month_ahead) if m.plan.terms is not None else ()
        if not m.plan.has_pool:   # only a pool's margin depends on who else is in the pod and the firm
            return m.plan.marginal_returns(is_recruiter, _NO_COUNTS, _NO_COUNTS, 0, 0, expected, *period)
        everyone = self.producers() if everyone is None else everyone
        counts = np.bincount(wf.pod_arr[everyone] * 2 + wf.role_code[everyone],
                             minlength=2 * wf.n_pods).reshape(wf.n_pods, 2)
        mine = counts[wf.pod_arr[seats]]
        firm = np.add.reduce(counts, axis=0).tolist()
        return m.plan.marginal_returns(is_recruiter, mine[:, _REC], mine[:, _AM], firm[_REC], firm[_AM], expected,
                                       *period)

    def intensity(self, seats: np.ndarray, teammate: np.ndarray, teammates: np.ndarray) -> np.ndarray:
        """Intensity of each person's shared stake: teammates' expected credited GP's share of their pay."""
        wf = self.m.wf
        if not np.count_nonzero(teammates):
            return np.zeros(len(seats))
        pay = wf.recent_pay(seats)
        new = wf.pay_hist_n[seats] == 0   # no month recorded yet: the role's market pay
        if np.count_nonzero(new):
            pay[new] = self.m.staffing.market_pay[seats[new]] * 100
        stake = bh.shared_stake(teammate, teammates, self.credit_mean, pay)
        return bh.stake_intensity(stake, self.b.effort.stake_half)

    def marginal_product(self, seats: np.ndarray) -> np.ndarray:
        """Expected GP of the placements one more unit of effort makes, in months of the role's market pay: the
        person's own record, or for a newcomer the firm's mean scaled by their skill and ramp. (Measured against
        market pay, money means the same in a market of bigger or smaller deals.)"""
        wf = self.m.wf
        mp = wf.mp_ema[seats]   # a copy: ``seats`` is an index array
        new = mp < 0
        if np.count_nonzero(new):
            s = seats[new]
            mp[new] = self.mp_mean * wf.skill[s] * bh.ramp(wf.tenure[s], self.tau[s])
        return mp / self.pay_unit[seats]

    def choose(self, seats: np.ndarray, margins: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
               intensity: np.ndarray | None = None) -> None:
        """Set producer ``seats``' effort for next month: the best response to what effort is worth."""
        if not len(seats):
            return
        m, wf, e, lv = self.m, self.m.wf, self.b.effort, self.b.levers
        own, teammate, teammates = self.margins(seats) if margins is None else margins
        if intensity is None:
            intensity = self.intensity(seats, teammate, teammates)
        mp = self.marginal_product(seats)
        extra = bh.career_concern(mp, e.career_concern)
        p = m.policy
        if p.performance_standard > 0:
            extra = extra + bh.standard_pressure(m.staffing.standing(seats), wf.effort[seats],
                                                 standard=p.performance_standard, width=e.standard_width,
                                                 value=e.standard_value)
        if p.leaderboard:
            extra = extra + bh.rank_feedback_effort(self.rank[seats], top=lv.leaderboard_effort,
                                                    bottom=lv.leaderboard_discouragement)
        if self.override_rate > 0 and len(wf.lead_seat):
            lead = self.lead_of_pod[wf.pod_arr[seats]]
            led = (lead >= 0) & wf.occ[np.maximum(lead, 0)]
            extra = extra + np.where(led, lv.lead_results_pressure * self.lead_push[wf.pod_arr[seats]], 0.0)
        if self.promotion is not None:
            extra = extra + self.promotion.effort_push(seats)
        wf.effort[seats] = bh.effort_best_response(
            own, teammate, teammates, mp, cost=e.cost, intrinsic=e.intrinsic,
            money_weight=e.money_weight, social_weight=e.social_weight, peer_pressure=e.peer_pressure,
            minimum=e.minimum, maximum=e.maximum, intensity=intensity, extra=extra)

    def choose_all(self) -> None:
        self.choose(self.producers())

    def update_behaviour(self, coop_all: np.ndarray) -> None:
        """Next month's cooperation and effort. ``coop_all``: a copy of every seat's cooperation (it is
        written, then copied back)."""
        m, wf, c, lv, e = self.m, self.m.wf, self.b.cooperation, self.b.levers, self.b.effort
        mk = m.sc.market
        producers = self.producers()
        if m.policy.leaderboard and len(producers):
            order = producers[wf.credit_ema[producers].argsort(kind="stable")]
            n = len(order)
            self.rank[order] = np.arange(n) / (n - 1) if n > 1 else 1.0
        own, teammate, teammates = margins = self.margins(producers, producers)
        intensity = self.intensity(producers, teammate, teammates)
        if c.enabled and len(producers):
            coop = coop_all[producers]
            pods = wf.pod_arr[producers]
            pod_sum = np.bincount(pods, weights=coop, minlength=wf.n_pods)[pods]
            pod_n = np.bincount(pods, minlength=wf.n_pods)[pods]
            others = np.where(pod_n > 1, (pod_sum - coop) / np.maximum(pod_n - 1, 1), coop)
            side = self.side[producers]
            pair_gp = np.maximum(wf.value_ema[producers], 0.0) / np.maximum(side, 1e-9)
            value = bh.help_value(pair_gp, wf.shared_ema[producers], coop, pod_sum / np.maximum(pod_n, 1),
                                  self.waste[pods],
                                  conversion_min=mk.conversion_min, conversion_max=mk.conversion_max,
                                  help_cost=c.help_cost) / self.pay_unit[producers]
            w = bh.effective_social_weight(e.social_weight, e.peer_pressure, intensity, teammates)
            inc = bh.help_return(value, side, own, teammate, money_weight=e.money_weight, social_weight=w,
                                 career=e.career_concern)
            shift = bh.partnership_gain(m.policy.partnership_time, gain=lv.partnership_gain,
                                        scale=lv.partnership_scale)
            if self.development_bonus > 0:
                shift = shift + lv.lead_development_cooperation * self.development[pods]
            if self.promotion is not None:   # the lead's climate, and the career reason to help or to hoard
                shift = shift + self.promotion.cooperation_shift(producers)
            if m.policy.leaderboard:   # entitlement at the top erodes the help that shared pay relies on
                shift = shift - bh.rank_feedback_cooperation(self.rank[producers], intensity,
                                                             cut=lv.leaderboard_cooperation)
            target = bh.cooperation_target(
                wf.ctype[producers], others, inc, slope=c.slope, incentive_gain=c.incentive_gain,
                free_rider_level=0.0, unconditional_level=c.initial_unconditional,
                sanction=bh.sanction_weight(c.sanction_strength, intensity, teammates),
                sanction_norm=c.sanction_norm, shift=shift)
            coop_all[producers] = bh.cooperation_step(coop, target, c.speed)
            wf.coop[:] = coop_all
        self.choose(producers, margins, intensity)

    def results(self) -> dict[str, Any]:
        wf = self.m.wf
        for s in wf.occupied():
            wf.flush(s)
        return build_results(self)


@njit(cache=True)
def _waste(pod, producers, arrivals, placed, waste, weight):   # pragma: no cover - compiled
    """:meth:`MonthEnd._waste`: the running share ``waste`` by pod, ``weight`` on this month's share of the
    arrivals at its ``producers`` seats (the first ones) that were not ``placed``; a pod without arrivals
    keeps its share. Each pod's counts are added in seat order."""
    arrived, made = np.zeros(waste.size), np.zeros(waste.size)
    for s in range(producers):
        arrived[pod[s]] += arrivals[s]
        made[pod[s]] += placed[s]
    out = np.empty(waste.size)
    for p in range(waste.size):
        now = 1.0 - min(made[p] / max(arrived[p], 1.0), 1.0) if arrived[p] > 0 else waste[p]
        out[p] = (1.0 - weight) * waste[p] + weight * now
    return out


@njit(cache=True)
def _role_medians(ends, values):   # pragma: no cover - compiled
    """The median of each slice of ``values`` that ``ends`` closes (a role's members), for each of them."""
    out = np.empty(values.size)
    lo = 0
    for hi in ends:
        if hi > lo:
            v = np.sort(values[lo:hi])   # np.median's generality costs 10x this on ~50 values
            half = (hi - lo) // 2
            out[lo:hi] = v[half] if (hi - lo) % 2 else (v[half - 1] + v[half]) / 2
        lo = hi
    return out
