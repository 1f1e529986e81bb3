"""Matching: a new job order looks for a waiting candidate, a new candidate for an open job order.

A job order at account manager seat ``a`` looks first at the candidates of ``a``'s partner
recruiter(s); then at each other recruiter of the pod, who shares with probability ``coop_r *
coop_a``; then at the recruiters of one other pod chosen at random, with that probability scaled by
``cross_pod_sharing``. A candidate does the same the other way round. A match places with the
probability ``behaviour.conversion`` gives (it rises with the pair's cooperation); a candidate who
meets an open job order and does not convert is lost. Expired items are dropped lazily, when met.

This runs once per arrival, so it is the model's hot path. :func:`matchers` builds the two search
functions as closures over the model's lists (each name a local or a closure cell rather than an
attribute looked up on every call) and inlines ``conversion``; the lists are mutated in place, never
replaced, so the closures always see the current state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.firm import FirmModel

Search = Callable[[float, int, tuple], bool]


def matchers(model: FirmModel) -> tuple[Search, Search]:
    """``(search_candidates, search_job_orders)`` for one replication: each returns True when the new
    item was used (placed, or for a candidate, lost on a job order), False when it should wait."""
    wf, u, place = model.wf, model.u, model.acc.place
    coop, partners, pod_mates, pod_of = wf.coop, wf.partners, wf.pod_mates, wf.pod
    recruiters_of, ams_of = wf.recruiters_of, wf.ams_of
    cands, jos = model.candidates, model.job_orders
    lo, half_span = model.conv_lo, model.conv_half_span
    cross, cross_pods, n_other = model.cross, model.cross_pods, model.n_other_pods
    has_candidates, has_job_orders = cands.__getitem__, jos.__getitem__   # for filter(): skips empty desks in C

    def take_candidate(t: float, r: int, a: int, jo: tuple) -> bool:
        lst = cands[r]
        p = lo + half_span * (coop[r] + coop[a])
        while lst:
            cand = lst.pop(0)
            if cand[0] > t and cand[1] < p:   # alive (not gone to another offer) and converts
                place(t, r, a, jo, cand)
                return True
        return False

    def search_candidates(t: float, a: int, jo: tuple) -> bool:
        for r in partners[a]:
            if cands[r] and take_candidate(t, r, a, jo):
                return True
        ca = coop[a]
        for r in filter(has_candidates, pod_mates[a]):
            if u() < coop[r] * ca and take_candidate(t, r, a, jo):
                return True
        if cross_pods:
            ca *= cross
            pod = pod_of[a]
            k = int(u() * n_other)
            for r in filter(has_candidates, recruiters_of[k if k < pod else k + 1]):
                if u() < coop[r] * ca and take_candidate(t, r, a, jo):
                    return True
        return False

    # The candidate's side mirrors the job order's, line for line; kept as two functions rather than one
    # taking the side as arguments, because this is the hot path and every extra lookup counts.
    def offer(t: float, r: int, a: int, cand: tuple) -> bool:
        lst = jos[a]
        while lst:
            jo = lst[0]
            if jo[0] <= t:
                lst.pop(0)   # expired (the client filled elsewhere)
                continue
            if cand[1] < lo + half_span * (coop[r] + coop[a]):
                lst.pop(0)
                place(t, r, a, jo, cand)
            return True      # placed, or the candidate was lost on this job order
        return False

    def search_job_orders(t: float, r: int, cand: tuple) -> bool:
        for a in partners[r]:
            if jos[a] and offer(t, r, a, cand):
                return True
        cr = coop[r]
        for a in filter(has_job_orders, pod_mates[r]):
            if u() < coop[a] * cr and offer(t, r, a, cand):
                return True
        if cross_pods:
            cr *= cross
            pod = pod_of[r]
            k = int(u() * n_other)
            for a in filter(has_job_orders, ams_of[k if k < pod else k + 1]):
                if u() < coop[a] * cr and offer(t, r, a, cand):
                    return True
        return False

    return search_candidates, search_job_orders
