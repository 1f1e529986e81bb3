"""One replication of one firm under one scheme: ``run(scenario, scheme, replication) -> plain data``.

The SimPy environment's clock is in days. One process walks the months: each month it draws the
market's arrivals in vectorised blocks (see :mod:`sim.model.market`), matches them in time order
against the desks' queues (:mod:`sim.model.desks`, compiled), and at month end runs payroll through
the pure payout engine, then the behavioural rules (effort, cooperation, quits). Hiring delays and
perm fall-offs are SimPy timeouts whose callbacks fire at their own moment, between days: the process
steps the clock to the end of each day by which one is due, and to the month's end. Job orders and
candidates are rows in the desks' queues, never processes: thousands of waiting processes would slow
every event.
"""

from __future__ import annotations

import gc
import time as _time
from typing import Any

import numpy as np
import simpy

from sim.comp import build_plan
from sim.model import demand as dm
from sim.model import desks as dk
from sim.model.accounts import Accounts
from sim.model.market import SKILL_CAP, draw_candidates, draw_job_orders, in_time_order
from sim.model.monthly import MonthEnd
from sim.model.people import Workforce
from sim.model.promotion import Promotions
from sim.model.staffing import Staffing
from sim.rng import replication_seed_record, streams
from sim.scenario.schema import Scenario


class FirmModel:
    """The state of one replication. Use :func:`run`; this class is its implementation."""

    def __init__(self, scenario: Scenario, scheme_name: str, replication: int, detail: bool = False,
                 composition: dict[str, Any] | None = None, record_composition: bool = False):
        self.sc = scenario
        self.scheme = scenario.scheme(scheme_name)
        self.policy = self.scheme.policy
        self.plan = build_plan(self.scheme.plan, first_month=scenario.warmup_months)   # plan months from month 1
        self.replication = replication
        self.detail = detail
        self.rng = streams(scenario.seed, replication)
        self.env = simpy.Environment()
        self.wf = Workforce(scenario.firm)
        self.dpm = scenario.firm.days_per_month
        wf = self.wf
        self.desks = dk.Desks(wf.n_seats, wf.n_rec, wf.partners, wf.pod_mates, wf.recruiters_of, wf.ams_of, wf.pod)
        self.acc = Accounts(self)
        self.month_end = MonthEnd(self)
        self.staffing = Staffing(self, composition, record_composition)
        if self.policy.promotion is not None and self.wf.lead_seat:
            self.month_end.promotion = Promotions(self, self.policy.promotion, composition)
        self.u = dk.Uniforms(self.rng["decisions"])   # sharing draws, read in order by the matching too
        self.ready_seats: list[int] = []
        m = scenario.market
        self.cross = m.cross_pod_sharing
        self.cross_pods = self.cross > 0.0 and self.wf.n_pods > 1
        self.conv_lo, self.conv_half_span = m.conversion_min, (m.conversion_max - m.conversion_min) * 0.5
        self.n_other_pods = self.wf.n_pods - 1
        self.ceiling = scenario.behavior.effort.maximum * SKILL_CAP if scenario.behavior.enabled else 1.0
        peak_jo, peak_c = dm.peaks(m.demand, scenario.horizon_months, scenario.warmup_months)
        self.surplus = (None if peak_jo <= 1.0 else (self.rng["job_orders_surplus"], peak_jo),
                        None if peak_c <= 1.0 else (self.rng["candidates_surplus"], peak_c))
        self.events = 0
        self.stepper: Any = None   # a stepping caller (sim.model.stepping) that sees each month and may hold it

    # -------------------------------------------------------------------------- set-up
    def _staff(self) -> None:
        """Fill every seat at time 0 with people of varied tenure."""
        b = self.sc.behavior
        traits = self.rng["traits"]
        promotion = self.month_end.promotion
        for seat in range(self.wf.n_seats):
            tenure = int(traits.exponential(b.hiring.initial_tenure_mean)) if b.hiring.initial_tenure_mean else 0
            if promotion is not None and seat >= self.wf.producers:
                self.wf.draw_traits(traits)   # the lead seat opens: its draws are skipped, later hires' kept
                continue
            self.wf.hire(seat, 0, traits, b.cooperation, b.hiring.skill_sd, self.policy.hiring_for_cooperation,
                         tenure=tenure)
        if promotion is not None:   # every lead seat opens at the start: a producer of the pod is promoted
            promotion.month_end(-1, self.wf.coop)
        if not b.enabled:
            return
        self.month_end.choose_all()

    # ------------------------------------------------------------------------ processes
    def _months(self):
        env, dpm, n_rec, desks, u = self.env, self.dpm, self.wf.n_rec, self.desks, self.u
        timeout = env.timeout
        wf, m = self.wf, self.sc.market
        rules = np.array([self.conv_lo, self.conv_half_span, self.cross, m.falloff_probability, m.guarantee_days],
                         dtype=float)   # in the order of desks.LO ... GUARANTEE
        counts = desks.counts
        for month in range(self.sc.warmup_months + self.sc.horizon_months):   # warm-up months first
            start = float(month * dpm)
            self.month_end.start_month(month)
            measured = month - self.sc.warmup_months   # demand periods count measured months (sim.model.demand)
            if self.stepper is not None and measured >= 0:   # choices are made; outside ones may replace some
                yield self.stepper.hold(measured)
            rates_am, rates_rec = self.month_end.arrival_rates()
            jos = draw_job_orders(self.rng["job_orders"], m, self.ceiling, rates_am, start, dpm,
                                  dm.demand_factor(m.demand, measured), self.surplus[0])
            cands = draw_candidates(self.rng["candidates"], m, self.ceiling, rates_rec, start, dpm,
                                    dm.candidate_factor(m.demand, measured), self.surplus[1])
            n_j, n_c = len(jos.time), len(cands.time)
            self.events += n_j + n_c
            self.acc.arrived = (n_j, n_c)
            times, seats, arrivals, ends, self.month_end.arrivals = in_time_order(jos, cands, n_rec, wf.n_seats,
                                                                                  start, dpm)
            yield from desks.walk(env, times, seats, arrivals, ends, start, wf.coop, u, rules, self.cross_pods,
                                  self.n_other_pods, self.acc.schedule_falloffs)
            self.acc.book(desks.placed[:counts[dk.N_PLACED]])
            counts[dk.N_PLACED] = 0
            end = float((month + 1) * dpm)
            if env.now < end:
                yield timeout(end - env.now)
            self.month_end.close(month)
            if self.stepper is not None and measured >= 0:
                self.stepper.closed(measured)

    def start(self) -> simpy.Process:
        """Staff the firm and start its month process (:meth:`run` runs it to the end; sim.model.stepping walks it)."""
        self._staff()
        return self.env.process(self._months())

    def run(self) -> dict[str, Any]:
        wall = _time.perf_counter()
        # Stop when the last month closes: later hires and fall-offs are outside the horizon.
        self.env.run(until=self.start())
        return self.results(wall)

    def results(self, wall: float) -> dict[str, Any]:
        """The finished replication as plain data (``wall``: when it started, by ``time.perf_counter``)."""
        out = self.month_end.results()
        if self.staffing.record:
            out["composition"] = self.staffing.log
        out["run"].update(
            scheme=self.scheme.name, replication=self.replication,
            seed=replication_seed_record(self.sc.seed, self.replication),
            events=self.events, wall_seconds=_time.perf_counter() - wall)
        return out


def run(scenario: Scenario, scheme: str, replication: int, detail: bool = False,
        composition: dict[str, Any] | None = None, record_composition: bool = False) -> dict[str, Any]:
    """Simulate one replication of ``scenario`` under the named scheme.

    ``record_composition``: also return ``composition``, every leave and hire as plain data;
    ``composition``: impose such a record (another run's people, hired and leaving when they did)
    instead of drawing quits and hires' traits.

    A pure function of its arguments: the same inputs give the same output, whatever process runs
    it. Returns plain data: ``run`` (one dict of metrics), ``monthly`` (one dict per month),
    ``people`` (one dict per person) and, with ``detail``, ``statements`` (every pay line) and
    ``trace`` (each person's month: effort, cooperation, pay, peers' median pay).
    """
    # The cyclic garbage collector walks every live object each time it runs, and it runs in
    # proportion to allocations: with it on, the cost per person-month grew with firm size (and with
    # the caller's heap). The hot path makes no reference cycles, so it is paused for the run and
    # the few cycles (the model's own back-references) are collected when it is switched back on.
    # numpy reads its error state from a context variable on every call; left at its default (unset), each
    # read searches the context's variables, which CPython caches only for a variable set. errstate()
    # sets it, to the caller's settings, for the run.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with np.errstate():
            return FirmModel(scenario, scheme, replication, detail, composition, record_composition).run()
    finally:
        if enabled:
            gc.enable()


_WARM_SCENARIO: dict[str, Any] = {
    "name": "warm-up", "seed": 1, "replications": 1, "horizon_months": 2,
    "firm": {"pods": 2, "recruiters_per_pod": 2, "account_managers_per_pod": 2},
    "schemes": [{"name": "hybrid", "type": "hybrid", "individual_weight": 0.5,
                 "individual": {"rate": 0.25, "threshold": 6000},
                 "team_pool": {"rate": 0.13, "basis": "pod", "sharing": "equal"}}],
}
_warmed = False


def warm_up() -> None:
    """Ready the model's compiled parts (numba) in this process: loaded from the on-disk cache, or compiled
    the first time in a checkout (seconds; see docs/performance.md). A tiny run that calls each of them;
    workers forked afterwards inherit them ready. Idempotent."""
    global _warmed
    if _warmed:
        return
    from sim.scenario import validate

    sc = validate(_WARM_SCENARIO, source="<warm-up>")
    run(sc, "hybrid", 0)
    _warmed = True

