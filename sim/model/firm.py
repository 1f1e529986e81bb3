"""One replication of one firm under one scheme: ``run(scenario, scheme, replication) -> plain data``.

The SimPy environment's clock is in days. One process walks the months: each month it draws the
market's arrivals in vectorised blocks (see :mod:`sim.model.market`), steps through them a day at
a time (``env.timeout(1)``), and at month end runs payroll through the pure payout engine, then
the behavioural rules (effort, cooperation, quits). Hiring delays and perm fall-offs are SimPy
timeouts whose callbacks fire at their own moment. Job orders and candidates are plain tuples in
per-seat lists, never processes: thousands of waiting processes would slow every event.

Matching (:mod:`sim.model.matching`): a new job order looks for a waiting candidate of its account manager's partner
recruiter, then (if both are willing to share: probability = product of their cooperation) of
the pod's other recruiters, then of one other pod's recruiters (scaled by cross-pod sharing). A
new candidate does the same the other way round. A match places with a probability that rises
with the pair's cooperation; a match that fails loses the candidate.
"""

from __future__ import annotations

import gc
import time as _time
from collections.abc import Iterator
from itertools import chain
from typing import Any

import numpy as np
import simpy

from sim.comp import build_plan
from sim.model.accounts import Accounts
from sim.model.market import SKILL_CAP, draw_candidates, draw_job_orders
from sim.model.matching import matchers
from sim.model.monthly import MonthEnd
from sim.model.people import Workforce
from sim.rng import replication_seed_record, streams
from sim.scenario.schema import Scenario

_BLOCK = 4096


def _uniforms(rng: np.random.Generator) -> Iterator[float]:
    """An endless stream of uniforms drawn in vectorised blocks (flattened in C: no Python frame per draw)."""
    return chain.from_iterable(iter(lambda: rng.random(_BLOCK).tolist(), None))


class FirmModel:
    """The state of one replication. Use :func:`run`; this class is its implementation."""

    def __init__(self, scenario: Scenario, scheme_name: str, replication: int, detail: bool = False):
        self.sc = scenario
        self.scheme = scenario.scheme(scheme_name)
        self.policy = self.scheme.policy
        self.plan = build_plan(self.scheme.plan)
        self.replication = replication
        self.detail = detail
        self.rng = streams(scenario.seed, replication)
        self.env = simpy.Environment()
        self.wf = Workforce(scenario.firm)
        self.dpm = scenario.firm.days_per_month
        n = self.wf.n_seats
        self.job_orders: list[list[tuple]] = [[] for _ in range(n)]
        self.candidates: list[list[tuple]] = [[] for _ in range(n)]
        self.acc = Accounts(self)
        self.month_end = MonthEnd(self)
        self.u = _uniforms(self.rng["decisions"]).__next__   # one numpy call per 4096 draws
        self.ready_seats: list[int] = []
        m = scenario.market
        self.cross = m.cross_pod_sharing
        self.cross_pods = self.cross > 0.0 and self.wf.n_pods > 1
        self.conv_lo, self.conv_half_span = m.conversion_min, (m.conversion_max - m.conversion_min) * 0.5
        self.n_other_pods = self.wf.n_pods - 1
        self.ceiling = scenario.behavior.effort.maximum * SKILL_CAP if scenario.behavior.enabled else 1.0
        self.events = 0

    # -------------------------------------------------------------------------- set-up
    def _staff(self) -> None:
        """Fill every seat at time 0 with people of varied tenure."""
        b = self.sc.behavior
        traits = self.rng["traits"]
        for seat in range(self.wf.n_seats):
            tenure = int(traits.exponential(24.0))
            self.wf.hire(seat, 0, traits, b.cooperation, b.hiring.skill_sd, self.policy.hiring_for_cooperation,
                         tenure=tenure)
        if not b.enabled:
            return
        self.month_end.choose_all()

    # ------------------------------------------------------------------------ processes
    def _months(self):
        env, dpm, n_rec = self.env, self.dpm, self.wf.n_rec
        peek, timeout = env.peek, env.timeout
        search_candidates, search_job_orders = matchers(self)
        for m in range(self.sc.horizon_months):
            start = float(m * dpm)
            self.month_end.start_month(m)
            rates_am, rates_rec = self.month_end.arrival_rates()
            jos = draw_job_orders(self.rng["job_orders"], self.sc.market, self.ceiling, rates_am, start, dpm)
            cands = draw_candidates(self.rng["candidates"], self.sc.market, self.ceiling, rates_rec, start, dpm)
            n_j, n_c = len(jos.items), len(cands.items)
            self.events += n_j + n_c
            self.acc.arrived = (n_j, n_c)
            t_all = np.concatenate((jos.time, cands.time))
            order = t_all.argsort(kind="stable")
            times = t_all[order]
            items = jos.items + cands.items
            # One tuple per arrival in time order; each day takes the arrivals before its end. Job orders
            # arrive at account manager seats (n_rec and up), candidates at recruiter seats.
            arrivals = list(zip(times.tolist(),
                                np.concatenate((jos.seat + n_rec, cands.seat))[order].tolist(),
                                map(items.__getitem__, order.tolist()), strict=True))
            ends = times.searchsorted(start + np.arange(1, dpm + 1)).tolist()
            job_orders, candidates = self.job_orders, self.candidates
            first = 0
            for day_end, last in enumerate(ends, m * dpm + 1):
                for t, s, item in arrivals[first:last]:
                    if s >= n_rec:
                        if not search_candidates(t, s, item):
                            job_orders[s].append(item)
                    elif not search_job_orders(t, s, item):
                        candidates[s].append(item)
                first = last
                # The clock moves a day at a time, so fall-offs and hires fire between days. A day with
                # nothing due by its end needs no step of the clock: skipping the yield changes nothing
                # (only the month's end must be reached, for month end's reading of the time).
                if peek() <= day_end:
                    yield timeout(day_end - env.now)
            end = float((m + 1) * dpm)
            if env.now < end:
                yield timeout(end - env.now)
            self.month_end.close(m)

    def run(self) -> dict[str, Any]:
        wall = _time.perf_counter()
        self._staff()
        # Stop when the last month closes: later hires and fall-offs are outside the horizon.
        self.env.run(until=self.env.process(self._months()))
        out = self.month_end.results()
        out["run"].update(
            scheme=self.scheme.name, replication=self.replication,
            seed=replication_seed_record(self.sc.seed, self.replication),
            events=self.events, wall_seconds=_time.perf_counter() - wall)
        return out


def run(scenario: Scenario, scheme: str, replication: int, detail: bool = False) -> dict[str, Any]:
    """Simulate one replication of ``scenario`` under the named scheme.

    A pure function of its arguments: the same inputs give the same output, whatever process runs
    it. Returns plain data: ``run`` (one dict of metrics), ``monthly`` (one dict per month),
    ``people`` (one dict per person) and, with ``detail``, ``statements`` (every pay line) and
    ``trace`` (each person's month: effort, cooperation, pay, peers' median pay).
    """
    # The cyclic garbage collector walks every live object each time it runs, and it runs in
    # proportion to allocations: with it on, the cost per person-month grew with firm size (and with
    # the caller's heap). The hot path makes no reference cycles, so it is paused for the run and
    # the few cycles (the model's own back-references) are collected when it is switched back on.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return FirmModel(scenario, scheme, replication, detail).run()
    finally:
        if enabled:
            gc.enable()

