"""One replication walked month by month, with some seats' effort and cooperation chosen from outside.

The same :class:`~sim.model.firm.FirmModel` as :func:`sim.model.run`, with every rule in its one place:
this module only holds the SimPy process at the start of each measured month, after the model's people
(hires included) have made their choices and before the month's arrivals are drawn, lets a caller
replace the choices of chosen seats (a workshop's players: :mod:`sim.app.room`), and reads what the month
paid when it closes. The hold and its release are processed before anything else due at that moment, so
a walk with no outside choices gives exactly :func:`sim.model.run`'s results (tested).

Typical use::

    walk = Replication(scenario, "individual", replication=0)
    while not walk.done:
        proposed = walk.proposed()                    # the model's choice for every producer seat
        month = walk.step({3: Choice(1.2, 1.0)})      # seat 3 works at 1.2 and shares
    results = walk.results()                          # as sim.model.run(..., detail=True) returns
"""

from __future__ import annotations

import gc
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
from simpy.events import URGENT

from sim.comp import ROLE_CODES
from sim.model.firm import FirmModel
from sim.scenario.schema import Scenario


@dataclass(frozen=True, slots=True)
class Choice:
    """One seat's choices for a month: effort (clipped to the scenario's range) and cooperation in [0, 1]
    (the chance of sharing a candidate or job order with pod mates, and half of the pair's conversion lift)."""

    effort: float
    cooperation: float


class _Gate(simpy.Event):
    """The event a held month waits on; opened with SimPy's URGENT priority, so it resumes before anything
    else due at that moment, as if it had never been held."""

    def open(self) -> None:
        self._ok, self._value = True, None
        self.env.schedule(self, URGENT)


class Replication:
    """One replication of ``scenario`` under ``scheme``, walked one measured month per :meth:`step`."""

    def __init__(self, scenario: Scenario, scheme: str, replication: int = 0):
        self.wall = time.perf_counter()
        self.model = m = FirmModel(scenario, scheme, replication, detail=True)
        m.stepper = self
        self.months = scenario.horizon_months
        self.month = 0          # measured months closed so far
        self.effort_range = (scenario.behavior.effort.minimum, scenario.behavior.effort.maximum)
        wf = m.wf
        self.seats = [{"seat": s, "role": wf.role[s], "pod": wf.pod[s],
                       "partners": list(wf.partners[s])} for s in range(wf.producers)]
        self._gate: _Gate | None = None
        self._closed: dict[str, Any] | None = None
        self._statements = 0
        enabled = gc.isenabled()
        gc.disable()   # as sim.model.run does: the hot path makes no cycles
        try:
            self._process = m.start()
            self._advance()   # the warm-up, to the first measured month's hold
        finally:
            if enabled:
                gc.enable()

    @property
    def done(self) -> bool:
        return self.month >= self.months

    # ------------------------------------------------------------------ the model's calls
    def hold(self, month: int) -> _Gate:
        """Called by the model's month process once the month's choices are made: wait for :meth:`step`."""
        self._statements = len(self.model.month_end.tally.statements)   # the tally is fresh after a warm-up
        self._gate = _Gate(self.model.env)
        return self._gate

    def closed(self, month: int) -> None:
        """Called by the model right after month end (payroll, behaviour, quits): keep what the month paid."""
        self._closed = self._read(month)

    # --------------------------------------------------------------------- the caller's calls
    def proposed(self) -> dict[int, Choice]:
        """The model's choice for the coming month for every occupied producer seat (what a player who does
        not choose gets)."""
        wf = self.model.wf
        return {s: Choice(float(wf.effort[s]), float(wf.coop[s])) for s in range(wf.producers) if wf.occ[s]}

    def occupant(self, seat: int) -> int | None:
        """The person id in ``seat`` now, or None while it is vacant."""
        pid = self.model.wf.pid[seat]
        return pid if pid >= 0 else None

    def step(self, choices: Mapping[int, Choice] | None = None) -> dict[str, Any]:
        """Simulate the coming month with ``choices`` (seat -> Choice) replacing the model's for those seats
        (vacant seats are skipped); returns the month as plain data (see :meth:`_read`)."""
        if self.done or self._gate is None:
            raise RuntimeError("the replication has no month left to step")
        wf = self.model.wf
        lo, hi = self.effort_range
        overridden = []
        for seat, c in (choices or {}).items():
            if not 0 <= seat < wf.producers:
                raise ValueError(f"seat {seat} is not a recruiter's or account manager's seat")
            if wf.occ[seat]:
                wf.effort[seat] = min(max(float(c.effort), lo), hi)
                wf.coop[seat] = min(max(float(c.cooperation), 0.0), 1.0)
                overridden.append(seat)
        gate, self._gate, self._closed = self._gate, None, None
        enabled = gc.isenabled()
        gc.disable()
        try:
            gate.open()
            self._advance()
        finally:
            if enabled:
                gc.enable()
        assert self._closed is not None
        self.month += 1
        return {**self._closed, "overridden": overridden}

    def results(self) -> dict[str, Any]:
        """The finished replication as :func:`sim.model.run` with ``detail`` returns it."""
        if not self.done:
            raise RuntimeError(f"the replication is at month {self.month} of {self.months}")
        return self.model.results(self.wall)

    # ----------------------------------------------------------------------------- inside
    def _advance(self) -> None:
        """Process events until the model holds the next month or its month process ends."""
        env, process = self.model.env, self._process
        while self._gate is None and process.is_alive:
            env.step()

    def _read(self, month: int) -> dict[str, Any]:
        """The month just closed: each producer seat's person, effort, cooperation, pay and statement lines
        (integer cents, from the payout engine), credited GP and placements; each pod's totals; the firm's row."""
        m = self.model
        wf, me = m.wf, m.month_end
        statements = me.tally.statements[self._statements:]
        seats: dict[int, dict[str, Any]] = {}
        for _period, st in statements:
            rec = wf.records[st.person_id]
            if rec.seat >= wf.producers or not rec.trace or rec.trace[-1][0] != month:
                continue
            _m, effort, coop, pay, peer_median, got = rec.trace[-1]
            seats[rec.seat] = {
                "seat": rec.seat, "person_id": st.person_id, "role": st.role, "pod": st.pod,
                "effort": effort, "cooperation": coop, "pay_cents": int(pay),
                "lines": [{"kind": ln.kind, "cents": int(ln.cents), "placement_id": ln.placement_id}
                          for ln in st.lines],
                "credited_gp_cents": round(got), "peer_median_pay_cents": round(peer_median),
                "placements": int(m.acc.placed_seat[rec.seat]),
                "left": rec.exit_reason if wf.pid[rec.seat] != st.person_id else None,   # quit, managed out, removed
            }
        pods = []
        for p in range(wf.n_pods):
            mine = [s for s in seats.values() if s["pod"] == p]
            placed = m.acc.placed_seat[wf.pod_seats[p]]
            recruiters = [s for s in wf.pod_seats[p] if wf.role_code[s] == ROLE_CODES["recruiter"]]
            pods.append({
                "pod": p, "people": len(mine),
                "placements": int(m.acc.placed_seat[recruiters].sum()) if recruiters else int(placed.sum()),
                "credited_gp_cents": sum(s["credited_gp_cents"] for s in mine),
                "pay_cents": sum(s["pay_cents"] for s in mine),
                "mean_effort": float(np.mean([s["effort"] for s in mine])) if mine else 0.0,
                "mean_cooperation": float(np.mean([s["cooperation"] for s in mine])) if mine else 0.0,
                "left": sum(1 for s in mine if s["left"]),
            })
        return {"month": month + 1, "seats": seats, "pods": pods, "firm": dict(me.tally.monthly[-1])}
