"""A step-per-day Mesa model of teamsim's firm: the baseline for the speed comparison (issues 2, 12, 13).

A benchmark baseline, not part of the tool (nothing in ``sim`` imports it). It models the same flow as
the reworked :mod:`sim.model` (arrivals, matching, placements, contracts, fall-offs, payroll, effort,
cooperation, quits, hires, a warm-up left out of what it reports) as a Mesa 3 user would write it: one
``Agent`` class per role whose ``step()`` runs every day (``model.agents.shuffle_do("step")``), and a
``Model`` whose ``step()`` is one day and that closes the month every ``days_per_month`` days. Month
end reuses teamsim's pure pieces (the payout engine ``build_plan(...).pay``, ``plan.marginal_returns``,
the rules of :mod:`sim.model.behaviour` called on arrays of the agents' attributes), so both models
make the same month-end decisions from the same quantities: effort as the best response to each
person's marginal product (the GP of the placements they make per unit of effort) with career
concerns and the shared stake's intensity; cooperation from the value of help (conversion lift,
placements made by sharing, the pod's unplaced share); quits against a skill-dependent outside
option; hires from an applicant pool that sorts on the firm's pay-skill gradient. Differences from
:mod:`sim.model`, which are what the benchmark measures:

* every agent steps every day, drawing that day's arrivals with ``rng.poisson(rate_per_day)`` and each
  arrival's attributes with scalar numpy calls (teamsim: a month per seat in vectorised blocks);
* arrivals come at the start of their day (teamsim: continuous time) and each agent scans its list
  for expired job orders or candidates every day;
* a leaver is ``remove()``d and a new agent made when the vacancy fills; a pending fall-off is a list
  entry checked daily (teamsim: SimPy timeouts);
* its random numbers are its own (no common random numbers), so it matches teamsim in distribution,
  not draw for draw (``python -m benchmarks.bench_mesa --check R`` compares mean placements);
* payroll builds every statement (``pay(..., lines=True)``), as a straightforward model would (teamsim's
  runs without ``detail`` pay the same cents without building the lines).

Covers the reference scenario's features (no pod leads, leaderboard, performance standard, star
removal or moving demand; a leaver's pipeline is lost). ``run_mesa(scenario, scheme_name, replication)
-> dict`` runs one replication.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from sim.comp import ACCOUNT_MANAGER, RECRUITER, FallOff, Member, PeriodLedger, PlacementCredit, build_plan
from sim.model import behaviour as bh
from sim.scenario.schema import Scenario


@dataclass
class JobOrder:
    expires: float
    perm: bool
    value_cents: int        # perm fee, or contract GP per month
    months: int             # contract length (0 for perm)
    replacement: bool = False


@dataclass
class Candidate:
    expires: float


class Producer(mesa.Agent):
    """A person at a desk (traits as in ``Workforce.hire``); ``waiting``: their unmatched job orders or candidates."""

    role = ""

    def __init__(self, model: FirmMesa, seat: int, tenure: int = 0, pod_mean: float | None = None):
        super().__init__(model)
        self.seat, self.pod, self.tenure = seat, model.pod_of[seat], tenure
        coop, rng = model.sc.behavior.cooperation, model.rng
        t = coop.types
        free = t.free_rider * (1.0 - model.policy.hiring_for_cooperation)
        u = rng.random() * (t.conditional + free + t.unconditional)
        if u < t.conditional:
            self.ctype, level = bh.CONDITIONAL, coop.initial_conditional
            if pod_mean is not None and not coop.restart_on_new_team:
                level = pod_mean
        elif u < t.conditional + free:
            self.ctype, level = bh.FREE_RIDER, coop.initial_free_rider
        else:
            self.ctype, level = bh.UNCONDITIONAL, coop.initial_unconditional
        self.coop = min(1.0, max(0.0, level + (2.0 * rng.random() - 1.0) * coop.initial_spread))
        sd = model.sc.behavior.hiring.skill_sd
        # Applicants sort on the plan: the firm's pay-skill gradient shifts the mean log skill of hires.
        shift = model.skill_shift[self.role] if tenure == 0 and model.month > 0 else 0.0
        self.skill = min(3.0, math.exp(sd * rng.normal() - 0.5 * sd * sd + shift))
        self.effort = 1.0
        self.pay_hist: list[int] = []
        # Running expectations (cents a month; -1: no record yet): credited GP, GP of the placements made,
        # that per unit of effort (the marginal product), and GP made by sharing with pod mates.
        self.credit_ema = self.value_ema = self.mp_ema = -1.0
        self.shared_ema = 0.0
        self.got = self.made = self.shared = 0.0     # this month's
        self.arrived = self.placed = 0               # this month's arrivals and placements (either side)
        self.market_pay = model.sc.behavior.turnover.market_pay.get(self.role, 0.0)
        self.rate_per_day = 0.0
        self.waiting: list = []
        model.seats[seat] = self

    def search(self, item: JobOrder | Candidate) -> bool:
        """Offer a new item across the desk: partner first, then pod mates who share, then one other pod."""
        m = self.model
        for s in m.partners[self.seat]:
            other = m.seats[s]
            if other is not None and other.waiting and self.match(other, item):
                return True
        for s in m.pod_mates[self.seat]:
            other = m.seats[s]
            if other is not None and other.waiting and self.random.random() < self.coop * other.coop \
                    and self.match(other, item):
                return True
        if m.cross > 0.0 and m.n_pods > 1:
            k = self.random.randrange(m.n_pods - 1)
            pod = k if k < self.pod else k + 1
            for s in (m.recruiters_of if self.role == ACCOUNT_MANAGER else m.ams_of)[pod]:
                other = m.seats[s]
                if other is not None and other.waiting \
                        and self.random.random() < self.coop * other.coop * m.cross and self.match(other, item):
                    return True
        return False


class AccountManager(Producer):
    role = ACCOUNT_MANAGER

    def step(self) -> None:
        m, rng, mk = self.model, self.model.rng, self.model.sc.market
        now = m.day
        self.waiting = [jo for jo in self.waiting if jo.expires > now]
        for _ in range(rng.poisson(self.rate_per_day)):
            m.events += 1
            m.arrived_job_orders += 1
            self.arrived += 1
            life = rng.exponential(mk.job_order_life_days)
            if rng.random() < mk.perm_share:
                sigma = math.sqrt(math.log1p(mk.perm_salary_cv ** 2))
                salary = mk.perm_salary_mean * math.exp(rng.normal(-0.5 * sigma * sigma, sigma))
                jo = JobOrder(now + life, True, round(salary * mk.perm_fee_rate * 100.0), 0)
            else:
                gp = mk.contract_gp_monthly_mean * math.exp(rng.normal(-0.5 * 0.3 ** 2, 0.3))
                jo = JobOrder(now + life, False, round(gp * 100.0), int(rng.geometric(1.0 / mk.contract_months_mean)))
            if not self.search(jo):
                self.waiting.append(jo)

    def match(self, rec: Recruiter, jo: JobOrder) -> bool:
        """Take the recruiter's waiting candidates in turn until one converts (a failed match loses one)."""
        m = self.model
        p = bh.conversion(rec.coop, self.coop, m.conv_lo, m.conv_hi)
        while rec.waiting:
            cand = rec.waiting.pop(0)
            if cand.expires > m.day and self.random.random() < p:
                m.place(rec, self, jo)
                return True
        return False


class Recruiter(Producer):
    role = RECRUITER

    def step(self) -> None:
        m, rng = self.model, self.model.rng
        now = m.day
        self.waiting = [c for c in self.waiting if c.expires > now]
        for _ in range(rng.poisson(self.rate_per_day)):
            m.events += 1
            m.arrived_candidates += 1
            self.arrived += 1
            cand = Candidate(now + rng.exponential(m.sc.market.candidate_life_days))
            if not self.search(cand):
                self.waiting.append(cand)

    def match(self, am: AccountManager, cand: Candidate) -> bool:
        """Try the AM's oldest open job order: True if placed, or if the candidate was lost on it."""
        m = self.model
        while am.waiting:
            jo = am.waiting[0]
            if jo.expires <= m.day:
                am.waiting.pop(0)
                continue
            if self.random.random() < bh.conversion(self.coop, am.coop, m.conv_lo, m.conv_hi):
                am.waiting.pop(0)
                m.place(self, am, jo)
            return True
        return False


class FirmMesa(mesa.Model):
    """One replication: seats in pods, one day per ``step()``, payroll and behaviour at month end; the
    warm-up months run first and are left out of what it reports, as in :mod:`sim.model`."""

    def __init__(self, scenario: Scenario, scheme_name: str, replication: int):
        super().__init__(seed=int(np.random.SeedSequence([scenario.seed, replication]).generate_state(1)[0]))
        f, b = scenario.firm, scenario.behavior
        scheme = scenario.scheme(scheme_name)
        self.sc, self.policy, self.plan = scenario, scheme.policy, build_plan(scheme.plan)
        if f.pod_leads or self.policy.leaderboard or self.policy.remove_star_month \
                or self.policy.performance_standard > 0 or b.hiring.pipeline_on_quit != "lost" \
                or scenario.market.demand.periods or scenario.market.demand.seasonality is not None:
            raise NotImplementedError("the Mesa baseline covers the reference scenario's features only")
        self.plan_state = self.plan.initial_state()
        split = getattr(scheme.plan, "split", None)
        self.share_r = float(split.recruiter) if split is not None else 0.5
        self.dpm, self.n_pods, r, a = f.days_per_month, f.pods, f.recruiters_per_pod, f.account_managers_per_pod
        self.n_rec = f.pods * r
        self.pod_of = [s // r for s in range(self.n_rec)] + [s // a for s in range(f.pods * a)]
        self.recruiters_of = [list(range(p * r, (p + 1) * r)) for p in range(f.pods)]
        self.ams_of = [[self.n_rec + i for i in range(p * a, (p + 1) * a)] for p in range(f.pods)]
        self.partners: list[list[int]] = [[] for _ in self.pod_of]
        self.pod_mates: list[list[int]] = [[] for _ in self.pod_of]
        for recs, ams in zip(self.recruiters_of, self.ams_of, strict=True):
            for k, s in enumerate(recs):
                self.partners[s] = [ams[k % a]]
                self.pod_mates[s] = [x for x in ams if x != ams[k % a]]
            for k, s in enumerate(ams):
                self.partners[s] = [recs[j] for j in range(r) if j % a == k] or [recs[k % r]]
                self.pod_mates[s] = [x for x in recs if x not in self.partners[s]]
        mk = scenario.market
        self.cross, self.conv_lo, self.conv_hi = mk.cross_pod_sharing, mk.conversion_min, mk.conversion_max
        self.base_quit = bh.monthly_from_annual(b.turnover.annual_base)
        self.credit_mean = self.mp_mean = b.effort.initial_expected_credit * 100
        self.waste = [0.5] * f.pods                       # running share of a pod's arrivals left unplaced
        self.skill_shift = {RECRUITER: 0.0, ACCOUNT_MANAGER: 0.0}
        self.seats: list[Producer | None] = [None] * len(self.pod_of)
        self.day = self.month = 0
        self.months = scenario.warmup_months + scenario.horizon_months
        self.vacancies: list[tuple[float, int]] = []       # (fillable from day, seat)
        self.pending_falloffs: list[tuple] = []            # (day, credit, AM seat, share of guarantee elapsed)
        self.contracts: list[list] = []                    # [(credit, recruiter seat, AM seat), months left]
        self.perm_credits: list[tuple] = []                # (credit, recruiter seat, AM seat)
        self.falloffs: list[FallOff] = []
        self.next_placement = self.events = 0
        self._reset_counts()
        for s in range(len(self.pod_of)):
            self.new_person(s, tenure=int(self.rng.exponential(b.hiring.initial_tenure_mean)))
        if b.enabled:
            self.choose_effort(list(self.agents))

    def _reset_counts(self) -> None:
        """What the run reports, counted from the end of the warm-up (model events count every month, as
        teamsim's do)."""
        self.arrived_job_orders = self.arrived_candidates = self.placements = self.replacements = 0
        self.fell_off = self.quits = self.hires = self.revenue_cents = self.gp_cents = self.prod_months = 0
        self.effort_sum = self.coop_sum = 0.0

    def new_person(self, seat: int, tenure: int = 0, pod_mean: float | None = None) -> Producer:
        return (Recruiter if seat < self.n_rec else AccountManager)(self, seat, tenure, pod_mean)

    # ----------------------------------------------------------------------------- the day
    def step(self) -> None:
        if self.day % self.dpm == 0:
            self.start_month()
        due = [f for f in self.pending_falloffs if f[0] <= self.day]
        if due:
            self.pending_falloffs = [f for f in self.pending_falloffs if f[0] > self.day]
            for f in due:
                self.fall_off(*f[1:])
        self.agents.shuffle_do("step")
        self.day += 1
        if self.day % self.dpm == 0:
            self.close_month()
            self.month += 1
            self.running = self.month < self.months

    def partnered(self, rec: Producer, am: Producer) -> bool:
        return am.seat in self.partners[rec.seat] or rec.seat in self.partners[am.seat]

    def place(self, rec: Recruiter, am: AccountManager, jo: JobOrder) -> None:
        self.events += 1
        rec.placed += 1
        am.placed += 1
        if jo.replacement:          # a free replacement for a fall-off: no fee
            self.replacements += 1
            return
        credit = (PlacementCredit(self.next_placement, rec.unique_id, rec.pod, am.unique_id, am.pod, jo.value_cents),
                  rec.seat, am.seat, not self.partnered(rec, am))
        self.next_placement += 1
        self.placements += 1
        # What the placement is worth when made: the fee, or the contract's GP over its expected length.
        value = jo.value_cents if jo.perm else jo.value_cents * self.sc.market.contract_months_mean
        rec.made += self.share_r * value
        am.made += (1.0 - self.share_r) * value
        if not jo.perm:
            self.contracts.append([credit, jo.months])
            return
        self.perm_credits.append(credit)
        self.revenue_cents += jo.value_cents
        self.gp_cents += jo.value_cents
        if self.rng.random() < self.sc.market.falloff_probability:
            share = self.rng.random()
            self.pending_falloffs.append((self.day + share * self.sc.market.guarantee_days, credit[0], am.seat, share))

    def fall_off(self, credit: PlacementCredit, am_seat: int, elapsed_share: float) -> None:
        mk, r = self.sc.market, self.sc.market.falloff_remedy
        self.fell_off += 1
        self.events += 1
        u = self.rng.random()
        if u < r.replacement:
            refund, claw = 0, 0.0
            am = self.seats[am_seat]
            if am is not None:      # the AM owes the client a free replacement
                life = mk.job_order_life_days * (0.5 + self.rng.random())
                am.waiting.append(JobOrder(self.day + life, True, 0, 0, replacement=True))
        elif u < r.replacement + r.prorated_refund:
            refund, claw = round(credit.gp_cents * (1.0 - elapsed_share)), 1.0 - elapsed_share
        elif u < r.replacement + r.prorated_refund + r.full_refund:
            refund, claw = credit.gp_cents, 1.0
        else:
            return
        self.revenue_cents -= refund
        self.gp_cents -= refund
        self.falloffs.append(FallOff(credit.placement_id, credit.recruiter_id, credit.recruiter_pod,
                                     credit.account_manager_id, credit.account_manager_pod, refund, claw))

    # ------------------------------------------------------------------- month start and end
    def start_month(self) -> None:
        """Fill the vacancies that are ready, then set every agent's arrival rate for the month."""
        if self.month == self.sc.warmup_months and self.month:
            self._reset_counts()
        self.perm_credits, self.falloffs = [], []
        ready = [s for due, s in self.vacancies if due <= self.day]
        self.vacancies = [(due, s) for due, s in self.vacancies if due > self.day]
        b, mk, pt = self.sc.behavior, self.sc.market, self.policy.partnership_time
        pod_mean = {}
        for pod in {self.pod_of[s] for s in ready}:   # newcomers see the pod as it was before this month's hires
            mates = [p.coop for p in self.agents if p.pod == pod]
            pod_mean[pod] = sum(mates) / len(mates) if mates else None
        hired = []
        for s in ready:
            hired.append(self.new_person(s, 0, pod_mean[self.pod_of[s]]))
            self.hires += 1
            self.events += 1
        if b.enabled and hired:
            self.choose_effort(hired)
        staff = list(self.agents)
        rel = np.ones(len(staff))
        if b.enabled:
            rel = (self.column(staff, "effort") * self.column(staff, "skill")
                   * bh.ramp(self.column(staff, "tenure"), b.hiring.ramp_months)
                   * (1.0 - b.cooperation.help_cost * self.column(staff, "coop")) * (1.0 - pt))
        for p, x in zip(staff, rel.tolist(), strict=True):
            p.rate_per_day = x * (mk.job_order_rate if p.role == ACCOUNT_MANAGER else mk.candidate_rate) / self.dpm
            p.arrived = p.placed = 0
            p.made = 0.0

    @staticmethod
    def column(people: list[Producer], attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in people])

    def counts(self) -> tuple[list[dict[str, int]], dict[str, int]]:
        pods = [{RECRUITER: 0, ACCOUNT_MANAGER: 0} for _ in range(self.n_pods)]
        for p in self.agents:
            pods[p.pod][p.role] += 1
        return pods, {role: sum(c[role] for c in pods) for role in (RECRUITER, ACCOUNT_MANAGER)}

    def margins(self, people: list[Producer]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What the plan pays each person (own, each teammate, teammates) for one more dollar of their GP."""
        pods, firm = self.counts()
        return self.plan.marginal_returns(
            np.array([p.role == RECRUITER for p in people]), np.array([pods[p.pod][RECRUITER] for p in people]),
            np.array([pods[p.pod][ACCOUNT_MANAGER] for p in people]), firm[RECRUITER], firm[ACCOUNT_MANAGER],
            np.array([p.credit_ema if p.credit_ema >= 0 else self.credit_mean for p in people]))

    def intensity(self, people: list[Producer], teammate: np.ndarray, teammates: np.ndarray) -> np.ndarray:
        """Intensity of each person's shared stake: teammates' expected credited GP's share of their pay."""
        pay = np.array([sum(p.pay_hist) / len(p.pay_hist) if p.pay_hist else p.market_pay * 100 for p in people])
        stake = bh.shared_stake(teammate, teammates, self.credit_mean, pay)
        return bh.stake_intensity(stake, self.sc.behavior.effort.stake_half)

    def marginal_product(self, people: list[Producer]) -> np.ndarray:
        """Expected GP of the placements one more unit of effort makes, in months of market pay."""
        ramp = self.sc.behavior.hiring.ramp_months
        mp = [p.mp_ema if p.mp_ema >= 0 else self.mp_mean * p.skill * float(bh.ramp(p.tenure, ramp)) for p in people]
        return np.array(mp) / np.array([max(p.market_pay, 1.0) * 100 for p in people])

    def choose_effort(self, people: list[Producer], margins=None, intensity=None) -> None:
        """Best-response effort to what effort is worth: the plan's margin on the marginal product."""
        e = self.sc.behavior.effort
        own, mate, mates = margins if margins is not None else self.margins(people)
        if intensity is None:
            intensity = self.intensity(people, mate, mates)
        mp = self.marginal_product(people)
        effort = bh.effort_best_response(
            own, mate, mates, mp, cost=e.cost, intrinsic=e.intrinsic, money_weight=e.money_weight,
            social_weight=e.social_weight, peer_pressure=e.peer_pressure, minimum=e.minimum, maximum=e.maximum,
            intensity=intensity, extra=bh.career_concern(mp, e.career_concern))
        for p, x in zip(people, np.asarray(effort).tolist(), strict=True):
            p.effort = x

    def close_month(self) -> None:
        """Payroll through the payout engine, then quits, then next month's cooperation and effort."""
        credits = self.perm_credits + [c[0] for c in self.contracts]   # perm fees placed, running contracts' GP
        for c in self.contracts:
            self.revenue_cents += round(c[0][0].gp_cents / self.sc.market.contract_margin)
            self.gp_cents += c[0][0].gp_cents
            c[1] -= 1
        self.contracts = [c for c in self.contracts if c[1] > 0]
        staff = list(self.agents)
        members = tuple(Member(p.unique_id, p.role, p.pod, p.tenure) for p in staff)
        ledger = PeriodLedger(self.month, members, tuple(c[0] for c in credits), tuple(self.falloffs))
        paid = self.plan.pay(ledger, self.plan_state, lines=True)
        stmts, self.plan_state = paid.statements, paid.state
        self.events += 1
        for p in staff:
            p.got = p.shared = 0.0
        for credit, r, a, shared in credits:   # credited GP and GP made by sharing, to the people who placed
            for seat, share in ((r, self.share_r), (a, 1.0 - self.share_r)):
                p = self.seats[seat]
                if p is not None and p.unique_id in (credit.recruiter_id, credit.account_manager_id):
                    p.got += share * credit.gp_cents
                    if shared:
                        p.shared += credit.gp_cents
        w = self.sc.behavior.effort.credit_weight
        by_role: dict[str, list[float]] = {}
        for p, st in zip(staff, stmts, strict=True):
            p.pay_hist = [*p.pay_hist, st.total_cents][-3:]
            p.credit_ema = p.got if p.credit_ema < 0 else (1.0 - w) * p.credit_ema + w * p.got
            p.value_ema = p.made if p.value_ema < 0 else (1.0 - w) * p.value_ema + w * p.made
            per_effort = p.made / max(p.effort, 0.05)
            p.mp_ema = per_effort if p.mp_ema < 0 else (1.0 - w) * p.mp_ema + w * per_effort
            p.shared_ema = (1.0 - w) * p.shared_ema + w * p.shared
            by_role.setdefault(p.role, []).append(sum(p.pay_hist) / len(p.pay_hist))
        for pod in range(self.n_pods):
            people = [p for p in staff if p.pod == pod]
            arrived = sum(p.arrived for p in people)
            if arrived:
                now = 1.0 - min(sum(p.placed for p in people) / arrived, 1.0)
                self.waste[pod] = (1.0 - w) * self.waste[pod] + w * now
        peer_median = {role: statistics.median(v) for role, v in by_role.items()}
        self.effort_sum += sum(p.effort for p in staff)
        self.coop_sum += sum(p.coop for p in staff)
        self.prod_months += len(staff)
        if staff:
            self.credit_mean = sum(p.credit_ema for p in staff) / len(staff)
            self.mp_mean = sum(p.mp_ema for p in staff) / len(staff)
        b = self.sc.behavior
        if b.enabled and b.turnover.enabled:
            self._applicants(staff)
            t = b.turnover
            pod = self.column(staff, "pod")
            coop = self.column(staff, "coop")
            climate = np.bincount(pod, coop, self.n_pods) / np.maximum(np.bincount(pod, minlength=self.n_pods), 1)
            outside = bh.outside_option(self.column(staff, "market_pay"), self.column(staff, "skill"),
                                        t.outside_skill_elasticity)
            h = bh.quit_probability(
                np.array([sum(p.pay_hist) / len(p.pay_hist) for p in staff]) / 100, outside,
                np.array([peer_median[p.role] for p in staff]) / 100, climate[pod], self.column(staff, "tenure"),
                base_monthly=self.base_quit, market_sensitivity=t.market_pay_sensitivity,
                peer_sensitivity=t.peer_pay_sensitivity, climate_sensitivity=t.climate_sensitivity,
                first_year_multiplier=t.first_year_multiplier, cap=t.quit_cap)
            for p, hp in zip(staff, np.asarray(h).tolist(), strict=True):
                if self.random.random() < hp:
                    self.leave(p)
        for p in self.agents:
            p.tenure += 1
        if b.enabled:
            self.update_behaviour()

    def _applicants(self, staff: list[Producer]) -> None:
        """Applicants sort on the plan: each role's pay-skill gradient shifts the skill of next hires."""
        h, t = self.sc.behavior.hiring, self.sc.behavior.turnover
        if h.applicant_sorting <= 0 or h.skill_sd <= 0:
            return
        for role in self.skill_shift:
            people = [p for p in staff if p.role == role and sum(p.pay_hist) > 0]
            g = bh.pay_skill_gradient(np.log([sum(p.pay_hist) / len(p.pay_hist) for p in people]),
                                      np.log([p.skill for p in people])) if people else 0.0
            self.skill_shift[role] = bh.applicant_shift(g, t.outside_skill_elasticity, h.applicant_sorting,
                                                        h.skill_sd, h.applicant_shift_limit)

    def update_behaviour(self) -> None:
        """Everyone moves cooperation from last month's levels at once, then chooses next month's effort."""
        b, c, e, mk = self.sc.behavior, self.sc.behavior.cooperation, self.sc.behavior.effort, self.sc.market
        staff = list(self.agents)
        own, mate, mates = margins = self.margins(staff)
        intensity = self.intensity(staff, mate, mates)
        if c.enabled and staff:
            pod, coop = self.column(staff, "pod"), self.column(staff, "coop")
            pod_sum, pod_n = np.bincount(pod, coop, self.n_pods)[pod], np.bincount(pod, minlength=self.n_pods)[pod]
            others = np.where(pod_n > 1, (pod_sum - coop) / np.maximum(pod_n - 1, 1), coop)
            side = np.array([self.share_r if p.role == RECRUITER else 1.0 - self.share_r for p in staff])
            pair_gp = np.maximum(self.column(staff, "value_ema"), 0.0) / np.maximum(side, 1e-9)
            value = bh.help_value(pair_gp, self.column(staff, "shared_ema"), coop, pod_sum / np.maximum(pod_n, 1),
                                  np.array(self.waste)[pod], conversion_min=mk.conversion_min,
                                  conversion_max=mk.conversion_max, help_cost=c.help_cost) \
                / np.maximum(self.column(staff, "market_pay"), 1.0) / 100
            w = bh.effective_social_weight(e.social_weight, e.peer_pressure, intensity, mates)
            inc = bh.help_return(value, side, own, mate, money_weight=e.money_weight, social_weight=w,
                                 career=e.career_concern)
            target = bh.cooperation_target(
                self.column(staff, "ctype"), others, inc, slope=c.slope, incentive_gain=c.incentive_gain,
                free_rider_level=0.0, unconditional_level=c.initial_unconditional,
                sanction=bh.sanction_weight(c.sanction_strength, intensity, mates), sanction_norm=c.sanction_norm,
                shift=bh.partnership_gain(self.policy.partnership_time, gain=b.levers.partnership_gain,
                                          scale=b.levers.partnership_scale))
            for p, x in zip(staff, np.asarray(bh.cooperation_step(coop, target, c.speed)).tolist(), strict=True):
                p.coop = x
        self.choose_effort(staff, margins, intensity)

    def leave(self, p: Producer) -> None:
        self.quits += 1
        self.events += 1
        self.seats[p.seat] = None       # the leaver's job orders or candidates are lost
        p.remove()
        h = self.sc.behavior.hiring
        delay = h.delay_days_mean * (1.0 + h.screening_delay * self.policy.hiring_for_cooperation)
        self.vacancies.append((self.day + (self.rng.exponential(delay) if delay else 0.0), p.seat))

    def results(self) -> dict[str, Any]:
        n = self.prod_months or 1
        keys = ("placements", "replacements", "fell_off", "revenue_cents", "gp_cents", "quits", "hires",
                "arrived_job_orders", "arrived_candidates", "events")
        return {k: getattr(self, k) for k in keys} | {"mean_effort": self.effort_sum / n,
                                                      "mean_cooperation": self.coop_sum / n}


def run_mesa(scenario: Scenario, scheme_name: str, replication: int) -> dict[str, Any]:
    """One replication of ``scenario`` under the named scheme, one day per Mesa step."""
    model = FirmMesa(scenario, scheme_name, replication)
    model.run_model()
    return model.results()
