"""Month end: payroll, then behaviour (effort, cooperation), then quits, removals and hires.

Payroll hands the month's facts to the pure payout engine and keeps the statements; the
behavioural rules in :mod:`sim.model.behaviour` decide next month's effort and cooperation from
what the plan pays at the margin; quits are drawn from the monthly hazard.
"""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.comp import ACCOUNT_MANAGER, RECRUITER, MarginalReturn, Member, PeriodLedger, payroll_totals
from sim.model import behaviour as bh
from sim.model.outputs import build_results

if TYPE_CHECKING:
    from sim.model.firm import FirmModel


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
        self.rank = [0.0] * model.wf.n_seats

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
            counts = self._counts()   # once for all of this month's hires: O(people), not O(hires x people)
            for seat in m.ready_seats:
                self.choose(seat, counts)
        m.ready_seats = []

    def arrival_rates(self) -> tuple[np.ndarray, np.ndarray]:
        """Each AM's and recruiter's arrival rate this month relative to standard (0 if vacant)."""
        wf = self.m.wf
        pol = self.m.policy
        help_cost = self.b.cooperation.help_cost
        ramp_months = self._ramp_months()
        rates = np.zeros(wf.producers)
        for s in range(wf.producers):
            if wf.pid[s] >= 0:
                ramp = bh.ramp(wf.tenure[s], ramp_months)
                self.ramp_shortfall += 1.0 - ramp
                rates[s] = (wf.effort[s] * wf.skill[s] * ramp
                            * (1.0 - help_cost * wf.coop[s]) * (1.0 - pol.partnership_time))
            else:
                self.vacant_months += 1
        if not self.b.enabled:
            rates = (rates > 0).astype(float)
        return rates[wf.n_rec:], rates[: wf.n_rec]

    def _ramp_months(self) -> float:
        r = self.b.hiring.ramp_months
        return r * (1.0 - self.b.levers.lead_development_ramp) if self.lead_development else r

    # ---------------------------------------------------------------------- payroll
    def close(self, month: int) -> None:
        m = self.m
        wf, acc = m.wf, m.acc
        credits = acc.month_credits()
        seats = wf.occupied()
        members = tuple(Member(wf.pid[s], wf.role[s], wf.pod[s], wf.tenure[s]) for s in seats)
        ledger = PeriodLedger(month, members, tuple(credits), tuple(acc.falloffs))
        stmts, self.state = m.plan.pay(ledger, self.state)
        totals = payroll_totals(stmts)
        for k, v in totals.items():
            self.totals[k] = self.totals.get(k, 0) + v
        m.events += 1
        self.gp_cents += acc.gross_profit
        self.revenue_cents += acc.revenue
        credited: dict[int, float] = {}
        sr, sa = self.share_r, 1.0 - self.share_r
        get = credited.get
        for c in credits:
            gp = c.gp_cents
            credited[c.recruiter_id] = get(c.recruiter_id, 0.0) + sr * gp
            credited[c.account_manager_id] = get(c.account_manager_id, 0.0) + sa * gp
        pay_list = [st.total_cents for st in stmts]
        producers = [s for s in seats if s < wf.producers]
        records, pay_hist, ema, pids = wf.records, wf.pay_hist, wf.credit_ema, wf.pid
        for s, pay in zip(seats, pay_list, strict=True):
            pid = pids[s]
            rec = records[pid]
            rec.pay_cents += pay
            got = get(pid, 0.0)
            rec.credited_gp_cents += round(got)
            rec.months_employed += 1
            hist = pay_hist[s]
            hist.append(pay)
            if len(hist) > 3:
                del hist[0]
            ema[s] = got if ema[s] < 0 else 0.7 * ema[s] + 0.3 * got
        # Own pay and the peers it is compared with use one measure: the mean of the last 3 months.
        recent = {s: sum(pay_hist[s]) / len(pay_hist[s]) for s in seats}
        peer_median = self._peer_medians(seats, recent)
        if m.detail:
            for s, st in zip(seats, stmts, strict=True):
                self.statements.append((month, st))
                rec = records[pids[s]]
                rec.trace.append((month, wf.effort[s], wf.coop[s], st.total_cents,
                                  peer_median.get(wf.role[s], 0.0), get(pids[s], 0.0)))
        effort = [wf.effort[s] for s in producers]
        coop = [wf.coop[s] for s in producers]
        self.effort_sum += sum(effort)
        self.coop_sum += sum(coop)
        self.prod_months += len(producers)
        self.headcount_sum += len(seats)
        self.credit_mean = (sum(wf.credit_ema[s] for s in producers) / len(producers)) if producers else 0.0
        quits = self._turnover(month, seats, peer_median, recent) if self.b.enabled else 0
        self.monthly.append({
            "month": month + 1,
            "headcount_recruiters": sum(1 for s in seats if wf.role[s] == RECRUITER),
            "headcount_ams": sum(1 for s in seats if wf.role[s] == ACCOUNT_MANAGER),
            "hires": self.hires_this_month, "quits": quits, "placements": acc.placements,
            "job_orders_arrived": acc.arrived[0], "candidates_arrived": acc.arrived[1],
            "open_job_orders": acc.open_job_orders(m.env.now), "falloffs": acc.fell_off,
            "revenue": acc.revenue / 100, "gross_profit": acc.gross_profit / 100,
            "commission_paid": (totals["total"] - totals.get("base", 0)) / 100,
            "base_pay": totals.get("base", 0) / 100,
            "mean_effort": statistics.fmean(effort) if effort else 0.0,
            "mean_cooperation": statistics.fmean(coop) if coop else 0.0,
        })
        self._remove_star(month)
        for s in wf.occupied():
            wf.tenure[s] += 1
        if self.b.enabled:
            self.update_behaviour()

    def _peer_medians(self, seats: list[int], recent: dict[int, float]) -> dict[str, float]:
        """Median recent pay (cents a month) of each role."""
        role = self.m.wf.role
        by_role: dict[str, list[float]] = {}
        for s in seats:
            by_role.setdefault(role[s], []).append(recent[s])
        return {r: statistics.median(v) for r, v in by_role.items()}

    # -------------------------------------------------------------------- behaviour
    def _counts(self) -> tuple[list[dict[str, int]], dict[str, int]]:
        wf = self.m.wf
        pods = [{RECRUITER: 0, ACCOUNT_MANAGER: 0} for _ in range(wf.n_pods)]
        for s in range(wf.producers):
            if wf.pid[s] >= 0:
                pods[wf.pod[s]][wf.role[s]] += 1
        firm = {RECRUITER: sum(p[RECRUITER] for p in pods), ACCOUNT_MANAGER: sum(p[ACCOUNT_MANAGER] for p in pods)}
        return pods, firm

    def choose_all(self) -> None:
        counts = self._counts()
        for s in range(self.m.wf.producers):
            if self.m.wf.pid[s] >= 0:
                self.choose(s, counts)

    def marginal(self, s: int, counts: tuple[list[dict[str, int]], dict[str, int]]) -> MarginalReturn:
        """What the plan pays seat s (and each teammate) for one more dollar of s's credited GP."""
        wf = self.m.wf
        expected = wf.credit_ema[s] if wf.credit_ema[s] >= 0 else self.credit_mean
        return self.m.plan.marginal_return(wf.role[s], counts[0][wf.pod[s]], counts[1], int(expected))

    def choose(self, s: int, counts: tuple[list[dict[str, int]], dict[str, int]],
               mr: MarginalReturn | None = None) -> None:
        """Set seat s's effort for next month: the best response to what the plan pays at the margin."""
        m, wf, e, lv = self.m, self.m.wf, self.b.effort, self.b.levers
        if mr is None:
            mr = self.marginal(s, counts)
        extra = 0.0
        if m.policy.leaderboard:
            extra += lv.leaderboard_effort * self.rank[s]
        lead = wf.lead_seat.get(wf.pod[s])
        if self.lead_results and lead is not None and wf.pid[lead] >= 0:
            extra += lv.lead_results_pressure
        productivity = wf.skill[s] * bh.ramp(wf.tenure[s], self._ramp_months())
        wf.effort[s] = bh.effort_best_response(
            mr.own, mr.teammate, mr.teammates, productivity, cost=e.cost, intrinsic=e.intrinsic,
            money_weight=e.money_weight, social_weight=e.social_weight, peer_pressure=e.peer_pressure,
            minimum=e.minimum, maximum=e.maximum, extra=extra)

    def _pod_mean_coop(self, pod: int) -> float | None:
        wf = self.m.wf
        vals = [wf.coop[s] for s in wf.pod_seats[pod] if wf.pid[s] >= 0]
        return sum(vals) / len(vals) if vals else None

    def update_behaviour(self) -> None:
        m, wf, c, lv, e = self.m, self.m.wf, self.b.cooperation, self.b.levers, self.b.effort
        producers = [s for s in range(wf.producers) if wf.pid[s] >= 0]
        if m.policy.leaderboard and producers:
            order = sorted(producers, key=lambda s: wf.credit_ema[s])
            n = len(order)
            for i, s in enumerate(order):
                self.rank[s] = i / (n - 1) if n > 1 else 1.0
        counts = self._counts()
        margins = {s: self.marginal(s, counts) for s in producers}
        if c.enabled:
            pod_sum = [0.0] * wf.n_pods
            pod_n = [0] * wf.n_pods
            for s in producers:
                pod_sum[wf.pod[s]] += wf.coop[s]
                pod_n[wf.pod[s]] += 1
            base_shift = lv.partnership_gain * m.policy.partnership_time
            if self.lead_development:
                base_shift += lv.lead_development_cooperation
            new = {}
            for s in producers:
                p = wf.pod[s]
                others = (pod_sum[p] - wf.coop[s]) / (pod_n[p] - 1) if pod_n[p] > 1 else wf.coop[s]
                mr = margins[s]
                inc = bh.help_incentive(mr.own, mr.teammate, mr.teammates, help_benefit=c.help_benefit,
                                        social_weight=e.social_weight, money_weight=e.money_weight)
                shift = base_shift - (lv.leaderboard_cooperation * self.rank[s] if m.policy.leaderboard else 0.0)
                target = bh.cooperation_target(
                    wf.ctype[s], others, inc, slope=c.slope, incentive_gain=c.incentive_gain,
                    free_rider_level=0.0, unconditional_level=c.initial_unconditional,
                    sanction=bh.sanction_weight(c.sanction_strength, mr.teammate, mr.teammates),
                    sanction_norm=c.sanction_norm, shift=shift)
                new[s] = bh.cooperation_step(wf.coop[s], target, c.speed)
            for s, v in new.items():
                wf.coop[s] = v
        for s in producers:
            self.choose(s, counts, margins[s])

    # --------------------------------------------------------------------- turnover
    def _turnover(self, month: int, seats: list[int], peer_median: dict[str, float], recent: dict[int, float]) -> int:
        m, wf, t = self.m, self.m.wf, self.b.turnover
        if not t.enabled:
            return 0
        u = m.rng["quits"].random(wf.n_seats)
        climate = [self._pod_mean_coop(p) or 0.0 for p in range(wf.n_pods)]
        sens = t.peer_pay_sensitivity
        if m.policy.leaderboard:
            sens *= 1.0 + self.b.levers.leaderboard_salience
        quits = 0
        for s in seats:
            role = wf.role[s]
            h = bh.quit_probability(
                recent[s] / 100, t.market_pay.get(role, 0.0), peer_median.get(role, 0.0) / 100, climate[wf.pod[s]],
                wf.tenure[s], base_monthly=self.base_quit, market_sensitivity=t.market_pay_sensitivity,
                peer_sensitivity=sens, climate_sensitivity=t.climate_sensitivity,
                first_year_multiplier=t.first_year_multiplier)
            if u[s] < h:
                self._leave(s, month, "quit")
                quits += 1
        self.quits += quits
        return quits

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
        items = m.job_orders[s] if s >= wf.n_rec else m.candidates[s]
        if self.b.hiring.pipeline_on_quit == "handover" and items:
            same_side = [x for x in wf.pod_seats[wf.pod[s]]
                         if x != s and wf.pid[x] >= 0 and (x >= wf.n_rec) == (s >= wf.n_rec)]
            if same_side:
                target = m.job_orders if s >= wf.n_rec else m.candidates
                target[same_side[0]].extend(items)
                items = []
        now = m.env.now
        lost = sum(1 for item in items if item[0] > now)
        if s >= wf.n_rec:
            self.lost_job_orders += lost
        else:
            self.lost_candidates += lost
        m.job_orders[s] = []
        m.candidates[s] = []

    def _remove_star(self, month: int) -> None:
        """Policy lever: remove the top-producing person among those cooperating below the median."""
        m, wf = self.m, self.m.wf
        if m.policy.remove_star_month != month + 1:
            return
        producers = [s for s in range(wf.producers) if wf.pid[s] >= 0]
        if len(producers) < 2:
            return
        med = statistics.median(wf.coop[s] for s in producers)
        pool = [s for s in producers if wf.coop[s] <= med]
        star = max(pool, key=lambda s: (wf.records[wf.pid[s]].credited_gp_cents, -s))
        self._leave(star, month, "removed")

    def results(self) -> dict[str, Any]:
        return build_results(self)

