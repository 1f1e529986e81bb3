"""Month end: payroll, then behaviour (effort, cooperation), then quits, removals and hires.

Payroll hands the month's facts to the pure payout engine and keeps the statements; the
behavioural rules in :mod:`sim.model.behaviour` decide next month's effort and cooperation from
what the plan pays at the margin; quits are drawn from the monthly hazard.

Month end touches every person, every month, so it works on whole arrays (one element per seat)
rather than person by person: the rules are the same functions, applied to numpy arrays.
"""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.comp import ROLE_CODES, payroll_totals
from sim.comp.columns import LedgerColumns, ledger_of
from sim.model import behaviour as bh
from sim.model.accounts import AM_ID, AM_POD, AM_SEAT, GP, PLACEMENT, REC_ID, REC_POD, REC_SEAT
from sim.model.finance import FinanceBooks
from sim.model.outputs import build_results
from sim.model.people import PAY_MEMORY

if TYPE_CHECKING:
    from sim.model.firm import FirmModel

_NO_COUNTS = np.zeros(0, dtype=np.int64)
"""Pod head counts for a plan without a pool, whose margins do not depend on them."""


class MonthEnd:
    """The monthly part of one replication: hires at month start; payroll, behaviour and quits at month end.

    It also keeps the run's running totals (money in cents, effort and cooperation sums, turnover
    costs) from which :func:`sim.model.outputs.build_results` makes the run's plain-data output.
    """

    def __init__(self, model: FirmModel):
        self.m = model
        sc = model.sc
        self.b = sc.behavior
        self.state = model.plan.initial_state()
        split = getattr(model.scheme.plan, "split", None)
        self.share_r = float(split.recruiter) if split is not None else 0.5
        lead = getattr(model.scheme.plan, "pod_lead", None)
        self.lead_results = bool(lead and float(lead.override_rate) > 0)
        self.lead_development = bool(lead and float(lead.development_bonus) > 0)
        self.base_quit = bh.monthly_from_annual(self.b.turnover.annual_base)
        self.monthly: list[dict[str, Any]] = []
        self.statements: list[tuple] = []
        self.hires_this_month = 0
        self.hiring_cost = 0
        self.totals: dict[str, int] = {}
        self.gp_cents = 0
        self.ramp_shortfall = 0.0     # producer-months of output lost to ramp-up
        self.vacant_months = 0        # producer seat-months left empty
        self.lost_job_orders = 0      # open job orders lost when their AM left
        self.lost_candidates = 0      # waiting candidates lost when their recruiter left
        self.revenue_cents = 0
        self.coop_sum = 0.0
        self.effort_sum = 0.0
        self.prod_months = 0
        self.quits = 0
        self.headcount_sum = 0
        # Before anyone has a record, people expect the firm's typical month (month-1 effort is otherwise
        # a best response to an expected credit of zero, i.e. salary-level effort under any plan).
        self.credit_mean = self.b.effort.initial_expected_credit * 100
        wf = model.wf
        self.rank = np.zeros(wf.n_seats)
        self.market_pay = np.array([self.b.turnover.market_pay.get(role, 0.0) for role in wf.role])
        self.lead_of_pod = np.array([wf.lead_seat.get(p, -1) for p in range(wf.n_pods)])
        self.role_ends = np.array([wf.n_rec, wf.producers, wf.n_seats])
        self.books = FinanceBooks(self)

    # ------------------------------------------------------------------ month start
    def start_month(self, month: int) -> None:
        m = self.m
        m.acc.start_month()
        self.hires_this_month = 0
        hb = self.b.hiring
        for seat in m.ready_seats:
            wf = m.wf
            pod_mean = self._pod_mean_coop(wf.pod[seat])
            wf.hire(seat, month + 1, m.rng["traits"], self.b.cooperation, hb.skill_sd,
                    m.policy.hiring_for_cooperation, pod_mean=pod_mean)
            self.hires_this_month += 1
            m.events += 1
            market_pay = self.b.turnover.market_pay.get(wf.role[seat], 0.0)
            self.hiring_cost += round(hb.cost_fraction * market_pay * 12 * 100)
        if self.b.enabled and m.ready_seats:
            self.choose(np.array([s for s in m.ready_seats if s < m.wf.producers], dtype=np.int64))
        m.ready_seats = []

    def arrival_rates(self) -> tuple[np.ndarray, np.ndarray]:
        """Each AM's and recruiter's arrival rate this month relative to standard (0 if vacant)."""
        wf = self.m.wf
        n = wf.producers
        occupied = wf.occ[:n]
        ramp = bh.ramp(wf.tenure[:n], self._ramp_months())
        self.ramp_shortfall += float((1.0 - ramp)[occupied].sum())
        self.vacant_months += int(n - occupied.sum())
        if self.b.enabled:
            coop = wf.coop[:n]
            rates = (wf.effort[:n] * wf.skill[:n] * ramp * (1.0 - self.b.cooperation.help_cost * coop)
                     * (1.0 - self.m.policy.partnership_time))
            rates = np.where(occupied, rates, 0.0)
        else:
            rates = occupied.astype(float)
        return rates[wf.n_rec:], rates[: wf.n_rec]

    def _ramp_months(self) -> float:
        r = self.b.hiring.ramp_months
        return r * (1.0 - self.b.levers.lead_development_ramp) if self.lead_development else r

    # ---------------------------------------------------------------------- payroll
    def _payroll(self, month: int, pid: np.ndarray, seats: np.ndarray,
                 credits: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
        """Each member's pay this month (cents, in ``seats`` order) and the month's totals by line kind.

        A run with ``detail`` keeps every statement (one line per placement, for finance); otherwise the
        engine's totals path pays the same cents without building the lines.
        """
        m, wf = self.m, self.m.wf
        cols = LedgerColumns(
            month, pid[seats], wf.role_code[seats], wf.pod_arr[seats], wf.tenure[seats],
            credits[:, PLACEMENT], credits[:, REC_ID], credits[:, REC_POD], credits[:, AM_ID], credits[:, AM_POD],
            credits[:, GP], tuple(m.acc.falloffs))
        if not m.detail:
            paid = m.plan.pay_totals(cols, self.state)
            self.state = paid.state
            return paid.total_cents, paid.by_kind
        stmts, self.state = m.plan.pay(ledger_of(cols), self.state)
        self.statements.extend((month, st) for st in stmts)
        return np.array([st.total_cents for st in stmts], dtype=np.int64), payroll_totals(stmts)

    def _credited(self, credits: np.ndarray, pid: np.ndarray) -> np.ndarray:
        """GP credited to each seat's occupant this month by the plan's split (0 for credits of leavers)."""
        if not len(credits):
            return np.zeros(len(pid))
        gp = credits[:, GP].astype(float)
        # Recruiter sides, then account manager sides: a seat is on one side only, so one count sums it.
        seat = np.concatenate((credits[:, REC_SEAT], credits[:, AM_SEAT]))
        mine = pid[seat] == np.concatenate((credits[:, REC_ID], credits[:, AM_ID]))  # still the one who placed
        weights = np.concatenate((self.share_r * gp, (1.0 - self.share_r) * gp))
        return np.bincount(seat[mine], weights=weights[mine], minlength=len(pid))

    def close(self, month: int) -> None:
        m = self.m
        wf, acc = m.wf, m.acc
        credits = acc.month_credits()
        pid = wf.pid_arr
        seats = wf.occ.nonzero()[0]
        pay, totals = self._payroll(month, pid, seats, credits)
        for k, v in totals.items():
            self.totals[k] = self.totals.get(k, 0) + v
        m.events += 1
        self.gp_cents += acc.gross_profit
        self.revenue_cents += acc.revenue
        got = self._credited(credits, pid)[seats]
        wf.pay_sum[seats] += pay
        wf.credit_sum[seats] += np.rint(got).astype(np.int64)
        wf.months[seats] += 1
        wf.pay_hist[seats, month % PAY_MEMORY] = pay
        wf.pay_hist_n[seats] += 1
        ema = wf.credit_ema[seats]
        wf.credit_ema[seats] = np.where(ema < 0, got, 0.7 * ema + 0.3 * got)
        # Own pay and the peers it is compared with use one measure: the mean of the last PAY_MEMORY months.
        recent = wf.pay_hist[seats].sum(axis=1) / np.minimum(wf.pay_hist_n[seats], PAY_MEMORY)
        peer_median = self._peer_medians(seats, recent)
        if m.detail:
            for s, p, med, g in zip(seats.tolist(), pay.tolist(), peer_median.tolist(), got.tolist(), strict=True):
                wf.records[wf.pid[s]].trace.append((month, float(wf.effort[s]), float(wf.coop[s]), p, med, g))
        producers = seats[seats < wf.producers]
        effort = wf.effort[producers]
        coop_all = wf.coop.copy()   # quits and removals below leave it as it is
        coop = coop_all[producers]
        effort_total, coop_total = float(effort.sum()), float(coop.sum())
        self.effort_sum += effort_total
        self.coop_sum += coop_total
        self.prod_months += len(producers)
        self.headcount_sum += len(seats)
        self.credit_mean = float(wf.credit_ema[producers].sum()) / len(producers) if len(producers) else 0.0
        quits = self._turnover(month, seats, producers, coop_all, peer_median, recent) if self.b.enabled else 0
        roles = np.bincount(wf.role_code[seats], minlength=3)
        self.monthly.append({
            "month": month + 1,
            "headcount_recruiters": int(roles[ROLE_CODES["recruiter"]]),
            "headcount_ams": int(roles[ROLE_CODES["account_manager"]]),
            "hires": self.hires_this_month, "quits": quits, "placements": acc.placements,
            "job_orders_arrived": acc.arrived[0], "candidates_arrived": acc.arrived[1],
            "open_job_orders": acc.open_job_orders(m.env.now), "falloffs": acc.fell_off,
            "revenue": acc.revenue / 100, "gross_profit": acc.gross_profit / 100,
            "commission_paid": (totals["total"] - totals.get("base", 0)) / 100,
            "base_pay": totals.get("base", 0) / 100,
            # sum / n is what .mean() computes, without its Python-level wrapper
            "mean_effort": effort_total / len(effort) if len(effort) else 0.0,
            "mean_cooperation": coop_total / len(coop) if len(coop) else 0.0,
        })
        self.books.close_month(credits, got, seats, totals, self.monthly[-1])
        self._remove_star(month)
        wf.tenure[wf.occ] += 1
        if self.b.enabled:
            self.update_behaviour(coop_all)

    def _peer_medians(self, seats: np.ndarray, recent: np.ndarray) -> np.ndarray:
        """Each member's role's median recent pay (cents a month); ``seats`` ascending, as ``recent``."""
        out = np.empty(len(recent))
        # Seats run recruiters, account managers, leads: each role is one slice of the sorted seats.
        lo = 0
        for hi in np.searchsorted(seats, self.role_ends).tolist():
            if hi > lo:
                values = np.sort(recent[lo:hi])   # np.median's generality costs 10x this on ~50 values
                half = (hi - lo) // 2
                out[lo:hi] = values[half] if (hi - lo) % 2 else (values[half - 1] + values[half]) / 2
            lo = hi
        return out

    # -------------------------------------------------------------------- behaviour
    def _producers(self) -> np.ndarray:
        """Seats of the recruiters and account managers employed now."""
        wf = self.m.wf
        return wf.occ[: wf.producers].nonzero()[0]

    def margins(self, seats: np.ndarray, everyone: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray,
                                                                                         np.ndarray]:
        """What the plan pays each producer seat (and each teammate) for one more dollar of its credited GP.

        ``everyone``: the producers employed now, if the caller has them.
        """
        m, wf = self.m, self.m.wf
        ema = wf.credit_ema[seats]
        expected = np.where(ema >= 0, ema, self.credit_mean)
        is_recruiter = wf.role_code[seats] == ROLE_CODES["recruiter"]
        if not m.plan.has_pool:   # only a pool's margin depends on who else is in the pod and the firm
            return m.plan.marginal_returns(is_recruiter, _NO_COUNTS, _NO_COUNTS, 0, 0, expected)
        everyone = self._producers() if everyone is None else everyone
        # Producers by pod and role in one count: row = pod, column = role code (recruiter 0, AM 1).
        counts = np.bincount(wf.pod_arr[everyone] * 2 + wf.role_code[everyone],
                             minlength=2 * wf.n_pods).reshape(wf.n_pods, 2)
        mine = counts[wf.pod_arr[seats]]
        firm = counts.sum(axis=0).tolist()
        return m.plan.marginal_returns(is_recruiter, mine[:, 0], mine[:, 1], firm[0], firm[1], expected)

    def choose(self, seats: np.ndarray, margins: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> None:
        """Set producer ``seats``' effort for next month: the best response to what the plan pays at the margin."""
        if not len(seats):
            return
        m, wf, e, lv = self.m, self.m.wf, self.b.effort, self.b.levers
        own, teammate, teammates = self.margins(seats) if margins is None else margins
        extra: float | np.ndarray = 0.0
        if m.policy.leaderboard:
            extra = lv.leaderboard_effort * self.rank[seats]
        if self.lead_results and len(wf.lead_seat):
            lead = self.lead_of_pod[wf.pod_arr[seats]]
            led = (lead >= 0) & wf.occ[np.maximum(lead, 0)]
            extra = extra + np.where(led, lv.lead_results_pressure, 0.0)
        productivity = wf.skill[seats] * bh.ramp(wf.tenure[seats], self._ramp_months())
        wf.effort[seats] = bh.effort_best_response(
            own, teammate, teammates, productivity, cost=e.cost, intrinsic=e.intrinsic,
            money_weight=e.money_weight, social_weight=e.social_weight, peer_pressure=e.peer_pressure,
            minimum=e.minimum, maximum=e.maximum, extra=extra)

    def choose_all(self) -> None:
        self.choose(self._producers())

    def _pod_mean_coop(self, pod: int) -> float | None:
        wf = self.m.wf
        vals = [wf.coop[s] for s in wf.pod_seats[pod] if wf.pid[s] >= 0]
        return sum(vals) / len(vals) if vals else None

    def update_behaviour(self, coop_all: np.ndarray) -> None:
        """Next month's cooperation and effort. ``coop_all``: a copy of every seat's cooperation (it is
        written, then copied back)."""
        m, wf, c, lv, e = self.m, self.m.wf, self.b.cooperation, self.b.levers, self.b.effort
        producers = self._producers()
        if m.policy.leaderboard and len(producers):
            order = producers[wf.credit_ema[producers].argsort(kind="stable")]
            n = len(order)
            self.rank[order] = np.arange(n) / (n - 1) if n > 1 else 1.0
        own, teammate, teammates = margins = self.margins(producers, producers)
        if c.enabled and len(producers):
            coop = coop_all[producers]
            pods = wf.pod_arr[producers]
            pod_sum = np.bincount(pods, weights=coop, minlength=wf.n_pods)[pods]
            pod_n = np.bincount(pods, minlength=wf.n_pods)[pods]
            others = np.where(pod_n > 1, (pod_sum - coop) / np.maximum(pod_n - 1, 1), coop)
            inc = bh.help_incentive(own, teammate, teammates, help_benefit=c.help_benefit,
                                    social_weight=e.social_weight, money_weight=e.money_weight)
            shift = lv.partnership_gain * m.policy.partnership_time
            if self.lead_development:
                shift += lv.lead_development_cooperation
            if m.policy.leaderboard:
                shift = shift - lv.leaderboard_cooperation * self.rank[producers]
            target = bh.cooperation_target(
                wf.ctype[producers], others, inc, slope=c.slope, incentive_gain=c.incentive_gain,
                free_rider_level=0.0, unconditional_level=c.initial_unconditional,
                sanction=bh.sanction_weight(c.sanction_strength, teammate, teammates),
                sanction_norm=c.sanction_norm, shift=shift)
            coop_all[producers] = bh.cooperation_step(coop, target, c.speed)
            wf.coop[:] = coop_all
        self.choose(producers, margins)

    # --------------------------------------------------------------------- turnover
    def _turnover(self, month: int, seats: np.ndarray, producers: np.ndarray, coop_all: np.ndarray,
                  peer_median: np.ndarray, recent: np.ndarray) -> int:
        m, wf, t = self.m, self.m.wf, self.b.turnover
        if not t.enabled:
            return 0
        u = m.rng["quits"].random(wf.n_seats)
        pods = wf.pod_arr[producers]
        coop_sum = np.bincount(pods, weights=coop_all[producers], minlength=wf.n_pods)
        heads = np.bincount(pods, minlength=wf.n_pods)
        climate = np.where(heads > 0, coop_sum / np.maximum(heads, 1), 0.0)
        sens = t.peer_pay_sensitivity
        if m.policy.leaderboard:
            sens *= 1.0 + self.b.levers.leaderboard_salience
        h = bh.quit_probability(
            recent / 100, self.market_pay[seats], peer_median / 100, climate[wf.pod_arr[seats]], wf.tenure[seats],
            base_monthly=self.base_quit, market_sensitivity=t.market_pay_sensitivity, peer_sensitivity=sens,
            climate_sensitivity=t.climate_sensitivity, first_year_multiplier=t.first_year_multiplier)
        leavers = seats[u[seats] < h].tolist()
        for s in leavers:
            self._leave(s, month, "quit")
        self.quits += len(leavers)
        return len(leavers)

    def _leave(self, s: int, month: int, reason: str) -> None:
        m, wf = self.m, self.m.wf
        wf.vacate(s, month + 1, reason)
        m.events += 1
        self._handover(s)
        delay = m.rng["hiring"].exponential(self.b.hiring.delay_days_mean) if self.b.hiring.delay_days_mean else 0.0
        ev = m.env.timeout(delay)
        ev.callbacks.append(lambda _ev, seat=s: m.ready_seats.append(seat))

    def _handover(self, s: int) -> None:
        """The leaver's open job orders and candidates are lost, or passed to a pod mate on the same side."""
        m, wf = self.m, self.m.wf
        desks = m.desks
        items = desks.waiting(s)
        if self.b.hiring.pipeline_on_quit == "handover" and len(items):
            same_side = [x for x in wf.pod_seats[wf.pod[s]]
                         if x != s and wf.pid[x] >= 0 and (x >= wf.n_rec) == (s >= wf.n_rec)]
            if same_side:
                desks.append(same_side[0], items)
                items = items[:0]
        lost = int(np.count_nonzero(items[:, 0] > m.env.now))
        if s >= wf.n_rec:
            self.lost_job_orders += lost
        else:
            self.lost_candidates += lost
        desks.clear(s)

    def _remove_star(self, month: int) -> None:
        """Policy lever: remove the top-producing person among those cooperating below the median."""
        m, wf = self.m, self.m.wf
        if m.policy.remove_star_month != month + 1:
            return
        producers = self._producers().tolist()
        if len(producers) < 2:
            return
        med = statistics.median(wf.coop[s] for s in producers)
        pool = [s for s in producers if wf.coop[s] <= med]
        star = max(pool, key=lambda s: (int(wf.credit_sum[s]), -s))
        self._leave(star, month, "removed")

    def results(self) -> dict[str, Any]:
        wf = self.m.wf
        for s in wf.occupied():
            wf.flush(s)
        return build_results(self)

