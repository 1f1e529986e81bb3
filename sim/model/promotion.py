"""Promotion from within (``policy.promotion``): a pod's open lead seat goes to one of its producers.

A lead seat opens at the start, when its lead quits, or when the lead has served ``every_months`` and
moves up (out of the pods). It is filled at once by the pod's producer with the top *score*::

    score = w * GP / pod's mean GP + (1 - w) * cooperation / pod's mean cooperation

(1 = the pod's average), where GP is the credited GP a month over the last :data:`CREDIT_WINDOW` months
and ``w`` the rule's weight on production (1 for ``production``, 0 for ``partnership``, the stated mix
for ``balanced``). The producer's seat becomes a vacancy, hired like any other.

Three consequences, each scaled by what is at stake (docs/model.md, "Promotion from within"):

* climate: the lead's cooperation minus the pod's mean shifts pod mates' cooperation targets and the
  lead's development effect (zero when they are equal);
* a stake: ``pay_rise x`` one's chance of the next promotion (a logit over the pod's scores) is a
  share of pay, whose :func:`~sim.model.behaviour.stake_intensity` pushes effort (by ``w``) and moves
  cooperation up (by ``1 - w``: a career reason to help) or down (by ``w``: a reason to hoard);
* those passed over compare their pay with the new lead's in the relative-pay quit rule.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.comp import ROLE_CODES
from sim.model import behaviour as bh

if TYPE_CHECKING:
    from sim.model.firm import FirmModel
    from sim.scenario.schema import Promotion

CREDIT_WINDOW = 6
"""Months of credited GP the production rule looks back over."""


# ------------------------------------------------------------------------------------------ rules
def _ratio(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Each value over its group's mean (1 where the mean is not positive)."""
    mean = np.bincount(groups, weights=values, minlength=n) / np.maximum(np.bincount(groups, minlength=n), 1)
    m = mean[groups]
    return np.divide(values, m, out=np.ones(len(values)), where=m > 0)


def promotion_score(gp: np.ndarray, coop: np.ndarray, pods: np.ndarray, n_pods: int, weight: float) -> np.ndarray:
    """Each producer's promotion score: ``weight`` on GP over the pod's mean, the rest on cooperation over it."""
    return weight * _ratio(gp, pods, n_pods) + (1.0 - weight) * _ratio(coop, pods, n_pods)


def promotion_chance(score: np.ndarray, eligible: np.ndarray, pods: np.ndarray, n_pods: int,
                     noise: float) -> np.ndarray:
    """Each producer's chance of being the one promoted at the pod's next opening: a logit over the eligible
    producers of the pod, ``exp(score / noise)`` normalised (0 for the ineligible; a pod with nobody
    eligible counts everyone, as the choice does)."""
    anyone = np.bincount(pods, weights=eligible, minlength=n_pods) > 0
    ok = eligible | ~anyone[pods]
    z = np.where(ok, score / noise, -np.inf)
    top = np.full(n_pods, -np.inf)
    np.maximum.at(top, pods, z)
    e = np.where(ok, np.exp(z - top[pods]), 0.0)
    total = np.bincount(pods, weights=e, minlength=n_pods)[pods]
    return np.divide(e, total, out=np.zeros(len(e)), where=total > 0)


def promotion_stake(pay_rise: float, chance: np.ndarray) -> np.ndarray:
    """Expected value of the next promotion as a share of pay: ``pay_rise x chance`` (0 when pay_rise is 0)."""
    return pay_rise * np.asarray(chance, dtype=float)


def climate_shift(gap: np.ndarray, gain: float) -> np.ndarray:
    """Shift of pod mates' cooperation targets: ``gain x (lead's cooperation - pod's mean)``; 0 at no gap."""
    return gain * np.asarray(gap, dtype=float)


def development_scale(gap: np.ndarray, gain: float) -> np.ndarray:
    """Factor on a lead's development effect: ``max(0, 1 + gain x gap)``; exactly 1 at no gap."""
    return np.maximum(1.0 + gain * np.asarray(gap, dtype=float), 0.0)


def career_shift(intensity: np.ndarray, weight: float, *, cooperation: float, hoarding: float) -> np.ndarray:
    """Cooperation target shift from the promotion stake: up by the partnership weight, down by production's."""
    return np.asarray(intensity, dtype=float) * (cooperation * (1.0 - weight) - hoarding * weight)


def passed_over_reference(peer_median: np.ndarray, lead_pay: np.ndarray, weight: float) -> np.ndarray:
    """Peer-pay reference of someone passed over: the role's median, raised toward the new lead's pay."""
    return peer_median + weight * np.maximum(np.asarray(lead_pay, dtype=float) - peer_median, 0.0)


_WHY = {"production": f"top credited GP of the pod over the last {CREDIT_WINDOW} months",
        "partnership": "top cooperation of the pod"}


# ------------------------------------------------------------------------------------------ state
class Promotions:
    """Promotion from within in one replication: who leads, since when, who was passed over, and the stakes."""

    def __init__(self, model: FirmModel, rule: Promotion, replay: dict[str, Any] | None = None):
        self.m, self.rule = model, rule
        wf = model.wf
        self.weight = rule.weight
        self.lead_since = np.full(wf.n_pods, -1, dtype=np.int64)   # month index the sitting lead took the seat
        self.passed = np.full(wf.n_seats, -1, dtype=np.int64)      # pid passed over at the pod's last promotion
        self.gap = np.zeros(wf.n_pods)            # lead's cooperation minus the pod's mean (0: no lead)
        self.intensity = np.zeros(wf.n_seats)     # intensity of each producer's promotion stake
        self.credit = np.zeros((wf.n_seats, CREDIT_WINDOW))   # credited GP (cents) by month, ring buffer
        self.credit_n = np.zeros(wf.n_seats, dtype=np.int64)
        self.credit_pid = np.full(wf.n_seats, -1, dtype=np.int64)   # whose months the buffer holds
        self.events: list[dict[str, Any]] = []
        self.replay: dict[int, list[tuple[int, int]]] | None = None
        if replay is not None:
            self.replay = defaultdict(list)
            for month, src, dst in replay.get("promotions", ()):
                self.replay[int(month)].append((int(src), int(dst)))

    # ------------------------------------------------------------------------------- records
    def record_credit(self, month: int, seats: np.ndarray, got: np.ndarray) -> None:
        """This month's credited GP of each seat's occupant (a new occupant starts an empty window)."""
        pid = self.m.wf.pid_arr[seats]
        new = seats[self.credit_pid[seats] != pid]
        self.credit[new] = 0.0
        self.credit_n[new] = 0
        self.credit_pid[seats] = pid
        self.credit[seats, month % CREDIT_WINDOW] = got
        self.credit_n[seats] += 1

    def recent_gp(self, seats: np.ndarray) -> np.ndarray:
        """Credited GP a month over the window (cents); with no record yet (the start), expected output:
        the firm's mean credit times skill and ramp (what a track record before the run would show)."""
        wf, me = self.m.wf, self.m.month_end
        n = np.where(self.credit_pid[seats] == wf.pid_arr[seats], np.minimum(self.credit_n[seats], CREDIT_WINDOW), 0)
        proxy = me.credit_mean * wf.skill[seats] * bh.ramp(wf.tenure[seats], me.tau[seats])
        return np.where(n > 0, self.credit[seats].sum(axis=1) / np.maximum(n, 1), proxy)

    def _standing(self, seats: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(score, eligible, GP) of producer ``seats``."""
        wf = self.m.wf
        gp = self.recent_gp(seats)
        score = promotion_score(gp, wf.coop[seats], wf.pod_arr[seats], wf.n_pods, self.weight)
        return score, wf.tenure[seats] >= self.rule.min_tenure_months, gp

    # ------------------------------------------------------------------------------ decisions
    def month_end(self, month: int, coop_all: np.ndarray) -> None:
        """Leads whose term is up move up; every open lead seat is filled; climate and stakes refreshed.
        ``month``: the month index closing (-1 at the start); ``coop_all``: month end's copy of cooperation."""
        m, wf = self.m, self.m.wf
        if self.replay is None:
            for p, s in wf.lead_seat.items():
                if wf.occ[s] and 0 <= self.lead_since[p] and month + 1 - self.lead_since[p] >= self.rule.every_months:
                    m.staffing.leave(s, month, "promoted_away")
            for p, s in wf.lead_seat.items():
                if not wf.occ[s]:
                    self._promote(p, month, coop_all)
        else:
            for src, dst in self.replay.get(month, ()):
                if wf.occ[src] and not wf.occ[dst]:
                    self._move(src, dst, month, coop_all, "replayed")
        self.refresh()

    def _promote(self, pod: int, month: int, coop_all: np.ndarray) -> None:
        wf = self.m.wf
        seats = np.array([s for s in wf.pod_seats[pod] if wf.occ[s]], dtype=np.int64)
        if not len(seats):
            return   # nobody to promote: the seat stays open until the next month end
        score, eligible, gp = self._standing(seats)
        if not eligible.any():
            eligible[:] = True
        k = int(np.argmax(np.where(eligible, score, -np.inf)))   # ties: the lowest seat
        src = int(seats[k])
        coop = wf.coop[seats]
        no_record = self.credit_pid[src] != wf.pid_arr[src]
        why = _WHY.get(self.rule.by, f"top mix of production ({self.weight:.0%}) and cooperation")
        if no_record and self.weight > 0:
            why += " (no record yet: expected output from skill and tenure)"
        self.events.append({
            "month": month, "pod": pod, "person_id": int(wf.pid[src]), "from_role": wf.role[src],
            "cooperation": float(coop[k]), "pod_mean_cooperation": float(coop.mean()),
            "pod_median_cooperation": float(np.median(coop)), "gp": float(gp[k]), "pod_top_gp": float(gp.max()),
            "eligible_top_gp": float(gp[eligible].max()), "candidates": len(seats)})
        passed = seats[eligible & (seats != src)]
        self.passed[passed] = wf.pid_arr[passed]
        self._move(src, wf.lead_seat[pod], month, coop_all, f"{self.rule.by}: {why}")

    def _move(self, src: int, dst: int, month: int, coop_all: np.ndarray, reason: str) -> None:
        m = self.m
        m.wf.promote(src, dst, month + 1, reason)
        coop_all[dst] = m.wf.coop[dst]
        self.lead_since[m.wf.pod[dst]] = month + 1
        self.passed[dst] = -1
        delay = m.staffing.replayed_delay(month, src) if self.replay is not None else None
        m.staffing.open_seat(src, month, "promoted", delay)
        if m.staffing.record:
            m.staffing.log.setdefault("promotions", []).append([month, src, dst])

    def vacated(self, seat: int) -> None:
        """A seat was left: its promotion stake goes (a new hire has none until the next refresh)."""
        self.intensity[seat] = 0.0

    # --------------------------------------------------------------------------------- effects
    def refresh(self) -> None:
        """Each pod's climate gap and each producer's promotion stake, from the people in their seats now."""
        m, wf = self.m, self.m.wf
        producers = wf.occ[: wf.producers].nonzero()[0]
        pods = wf.pod_arr[producers]
        heads = np.bincount(pods, minlength=wf.n_pods)
        mean = np.bincount(pods, weights=wf.coop[producers], minlength=wf.n_pods) / np.maximum(heads, 1)
        self.gap[:] = 0.0
        for p, s in wf.lead_seat.items():
            if wf.occ[s] and heads[p]:
                self.gap[p] = wf.coop[s] - mean[p]
        self.intensity[:] = 0.0
        if not len(producers) or self.rule.pay_rise <= 0:
            return
        score, eligible, _ = self._standing(producers)
        chance = promotion_chance(score, eligible, pods, wf.n_pods, m.sc.behavior.levers.promotion_noise)
        stake = promotion_stake(self.rule.pay_rise, chance)
        self.intensity[producers] = bh.stake_intensity(stake, m.sc.behavior.effort.stake_half)

    def effort_push(self, seats: np.ndarray) -> np.ndarray:
        """Extra marginal benefit of effort from the promotion stake (weighted by production's share)."""
        return self.m.sc.behavior.levers.promotion_effort * self.weight * self.intensity[seats]

    def cooperation_shift(self, seats: np.ndarray) -> np.ndarray:
        """Shift of the cooperation target: the lead's climate plus the career reason to help or to hoard."""
        lv = self.m.sc.behavior.levers
        return (climate_shift(self.gap[self.m.wf.pod_arr[seats]], lv.lead_climate)
                + career_shift(self.intensity[seats], self.weight, cooperation=lv.promotion_cooperation,
                               hoarding=lv.promotion_hoarding))

    def development_scale(self) -> np.ndarray:
        """Factor on each pod lead's development effect, by pod."""
        return development_scale(self.gap, self.m.sc.behavior.levers.lead_climate_development)

    def peer_reference(self, seats: np.ndarray, recent: np.ndarray, peer_median: np.ndarray) -> np.ndarray:
        """Peer-pay reference of each member (``seats`` order): those passed over at their pod's last promotion,
        still in their seat, also look at the lead's recent pay."""
        wf = self.m.wf
        passed = (self.passed[seats] == wf.pid_arr[seats]) & (wf.role_code[seats] != ROLE_CODES["pod_lead"])
        if not passed.any():
            return peer_median
        lead_pay = np.zeros(wf.n_pods)
        where = {s: k for k, s in enumerate(seats.tolist())}
        for p, s in wf.lead_seat.items():
            if s in where:
                lead_pay[p] = recent[where[s]]
        ref = peer_median.copy()
        ref[passed] = passed_over_reference(peer_median[passed], lead_pay[wf.pod_arr[seats[passed]]],
                                            self.m.sc.behavior.levers.passed_over_comparison)
        return ref

    # --------------------------------------------------------------------------------- results
    def run_metrics(self) -> dict[str, float]:
        """Promotions taking effect in the measured months, and the promoted leads' cooperation at promotion."""
        warm = self.m.sc.warmup_months
        mine = [e for e in self.events if e["month"] + 1 >= warm]
        coop = [e["cooperation"] for e in mine]
        gap = [e["cooperation"] - e["pod_mean_cooperation"] for e in mine]
        return {"promotions": len(mine),
                "promoted_lead_cooperation": float(np.mean(coop)) if coop else float("nan"),
                "promoted_lead_cooperation_gap": float(np.mean(gap)) if gap else float("nan")}
