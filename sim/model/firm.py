"""One replication of one firm under one scheme: ``run(scenario, scheme, replication) -> plain data``.

The SimPy environment's clock is in days. One process walks the months: each month it draws the
market's arrivals in vectorised blocks (see :mod:`sim.model.market`), steps through them a day at
a time (``env.timeout(1)``), and at month end runs payroll through the pure payout engine, then
the behavioural rules (effort, cooperation, quits). Hiring delays and perm fall-offs are SimPy
timeouts whose callbacks fire at their own moment. Job orders and candidates are plain tuples in
per-seat lists, never processes: thousands of waiting processes would slow every event.

Matching: a new job order looks for a waiting candidate of its account manager's partner
recruiter, then (if both are willing to share: probability = product of their cooperation) of
the pod's other recruiters, then of one other pod's recruiters (scaled by cross-pod sharing). A
new candidate does the same the other way round. A match places with a probability that rises
with the pair's cooperation; a match that fails loses the candidate.
"""

from __future__ import annotations

import gc
import time as _time
from collections.abc import Iterator
from typing import Any

import numpy as np
import simpy

from sim.comp import build_plan
from sim.model.accounts import Accounts
from sim.model.market import SKILL_CAP, draw_candidates, draw_job_orders
from sim.model.monthly import MonthEnd
from sim.model.people import Workforce
from sim.rng import replication_seed_record, streams
from sim.scenario.schema import Scenario

_BLOCK = 4096


def _uniforms(rng: np.random.Generator) -> Iterator[float]:
    """An endless stream of uniforms drawn in vectorised blocks."""
    while True:
        yield from rng.random(_BLOCK).tolist()


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

    # --------------------------------------------------------------------------- flow
    # Matching runs once per arrival (the hot path): attribute lookups are hoisted into locals, and the
    # conversion rule (behaviour.conversion: lo + (hi - lo) / 2 * (c_r + c_a)) is inlined.
    def _search_candidates(self, t: float, a: int, jo: tuple) -> bool:
        """A job order at AM seat ``a`` looks for a waiting candidate; True if it placed."""
        wf, cands, u = self.wf, self.candidates, self.u
        coop = wf.coop
        for r in wf.partners[a]:
            if cands[r] and self._take_candidate(t, r, a, jo):
                return True
        ca = coop[a]
        waiting = cands.__getitem__   # filter(waiting, seats): the seats with a list to look at, in C
        for r in filter(waiting, wf.pod_mates[a]):
            if u() < coop[r] * ca and self._take_candidate(t, r, a, jo):
                return True
        if self.cross_pods:
            ca *= self.cross
            pod = wf.pod[a]
            k = int(u() * self.n_other_pods)
            for r in filter(waiting, wf.recruiters_of[k if k < pod else k + 1]):
                if u() < coop[r] * ca and self._take_candidate(t, r, a, jo):
                    return True
        return False

    def _take_candidate(self, t: float, r: int, a: int, jo: tuple) -> bool:
        lst = self.candidates[r]
        coop = self.wf.coop
        p = self.conv_lo + self.conv_half_span * (coop[r] + coop[a])
        while lst:
            cand = lst.pop(0)
            if cand[0] > t and cand[1] < p:   # alive (not gone to another offer) and converts
                self.acc.place(t, r, a, jo, cand)
                return True
        return False

    def _search_job_orders(self, t: float, r: int, cand: tuple) -> bool:
        """A candidate at recruiter seat ``r`` looks for an open job order; True if it was used."""
        wf, jos, u = self.wf, self.job_orders, self.u
        coop = wf.coop
        for a in wf.partners[r]:
            if jos[a] and self._offer(t, r, a, cand):
                return True
        cr = coop[r]
        waiting = jos.__getitem__
        for a in filter(waiting, wf.pod_mates[r]):
            if u() < coop[a] * cr and self._offer(t, r, a, cand):
                return True
        if self.cross_pods:
            cr *= self.cross
            pod = wf.pod[r]
            k = int(u() * self.n_other_pods)
            for a in filter(waiting, wf.ams_of[k if k < pod else k + 1]):
                if u() < coop[a] * cr and self._offer(t, r, a, cand):
                    return True
        return False

    def _offer(self, t: float, r: int, a: int, cand: tuple) -> bool:
        lst = self.job_orders[a]
        while lst:
            jo = lst[0]
            if jo[0] <= t:
                lst.pop(0)   # expired (the client filled elsewhere)
                continue
            coop = self.wf.coop
            if cand[1] < self.conv_lo + self.conv_half_span * (coop[r] + coop[a]):
                lst.pop(0)
                self.acc.place(t, r, a, jo, cand)
            return True      # placed, or the candidate was lost on this job order
        return False

    # ------------------------------------------------------------------------ processes
    def _months(self):
        env, dpm = self.env, self.dpm
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
            order = np.argsort(t_all, kind="stable")
            times = t_all[order].tolist()
            seats = np.concatenate((jos.seat + self.wf.n_rec, cands.seat))[order].tolist()
            items = jos.items + cands.items
            idx = order.tolist()
            i, n = 0, len(times)
            job_orders, candidates = self.job_orders, self.candidates
            search_candidates, search_job_orders = self._search_candidates, self._search_job_orders
            for day in range(1, dpm + 1):
                end = start + day
                while i < n and times[i] < end:
                    t, k, s = times[i], idx[i], seats[i]
                    i += 1
                    if k < n_j:
                        if not search_candidates(t, s, items[k]):
                            job_orders[s].append(items[k])
                    elif not search_job_orders(t, s, items[k]):
                        candidates[s].append(items[k])
                yield env.timeout(1)
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

