"""The pod-wide parts of pay: team pools and pod-lead pay, from each pod's net GP.

A pod's *net GP* is the GP credited to it minus the refunds of fall-offs attributed to it, each split by
the plan's crediting rule (the recruiter's share to the recruiter's pod, the account manager's to the
AM's pod); GP credited to people who have since left still counts for the pod named in the credit.

* **Pool** (per pod, or one for the firm): ``round_half_even(rate * net GP)``, floored at 0 when
  clawback is off. It is divided among the basis's current producers (never its lead), equally or by
  role weight, by largest remainder (ties to the lower person_id), so the shares sum to the pool to the
  cent; a negative pool's shares are ``clawback`` lines. A basis with nobody to pay is forfeited.
* **Pod lead**: ``override = round_half_even(override_rate * max(0, pod net GP))`` and
  ``development_bonus = bonus x the pod's producers whose tenure reaches milestone_months``, each
  divided equally among the pod's leads (should a pod have two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .ledger import POD_LEAD, RECRUITER, ROLE_CODES
from .money import I64, Rate, div_half_even, grouped_order, half_even, integer_weights, largest_remainder
from .params import PoolTerms
from .statement import CLAWBACK, DEVELOPMENT_BONUS, OVERRIDE, POOL, Line

if TYPE_CHECKING:
    from .engine import Period

LEAD_CODE = ROLE_CODES[POD_LEAD]


@dataclass(frozen=True, slots=True)
class PoolRule:
    """The exact terms of a pool: rate, basis, integer role weights (``None``: equal shares), clawback."""

    rate: Rate
    firm_basis: bool
    weights: tuple[int, int] | None
    """``(recruiter, account_manager)`` weights as integers with the terms' ratios."""
    clawback: bool

    @classmethod
    def from_terms(cls, terms: PoolTerms, rate: Rate, clawback: bool) -> PoolRule:
        """A rule from validated terms; ``rate`` is passed in because a hybrid scales it by ``1 - w``."""
        weights = None
        if terms.sharing == "role_weights":
            recruiter, account_manager = integer_weights([terms.role_weights.recruiter,
                                                          terms.role_weights.account_manager])
            weights = (recruiter, account_manager)
        return cls(rate, terms.basis == "firm", weights, clawback)


def pod_net_gp(p: Period, split: Rate) -> np.ndarray:
    """Net GP of each member pod (by pod code): credit shares by the pods they name, minus refund shares."""
    cols = p.cols
    where = p.pods.find(np.concatenate((cols.credit_recruiter_pods, cols.credit_account_manager_pods)))
    net = np.bincount(where, weights=p.shares, minlength=p.pods.n + 1).astype(I64)  # exact below 2**53
    for f in cols.falloffs:
        to_recruiter = div_half_even(f.refund_cents * split.num, split.den)
        net[p.pods.code(f.recruiter_pod)] -= to_recruiter
        net[p.pods.code(f.account_manager_pod)] -= f.refund_cents - to_recruiter
    return net[:p.pods.n]


def pay_pools(p: Period, rule: PoolRule, pod_net: np.ndarray | None) -> None:
    """Each producer's signed pool share, into ``p.variable``, ``p.by_kind`` and the lines."""
    producer = (p.roles != LEAD_CODE).nonzero()[0]
    if not len(producer):
        return
    if rule.firm_basis:
        pools = np.array([rule.rate.of(p.gp_total - p.refunds)], dtype=I64)
        group = np.zeros(len(producer), dtype=I64)
    else:
        assert pod_net is not None
        pools, group = half_even(pod_net, rule.rate, p.bound), p.pods.codes[producer]
    if not rule.clawback:
        pools = np.maximum(pools, 0)
    order = grouped_order(group, len(pools), p.ids[producer])
    producer, group = producer[order], group[order]
    if rule.weights is None:
        cents = largest_remainder(group, p.ids[producer], np.abs(pools))
    else:
        recruiter = p.roles[producer] == ROLE_CODES[RECRUITER]
        weight = np.where(recruiter, *rule.weights).astype(I64)
        recruiters = np.bincount(group[recruiter], minlength=len(pools))
        others = np.bincount(group, minlength=len(pools)) - recruiters
        weight_sum = recruiters * rule.weights[0] + others * rule.weights[1]
        cents = largest_remainder(group, p.ids[producer], np.abs(pools), weight, weight_sum)
    negative = pools[group] < 0
    cents[negative] *= -1
    p.by_kind[CLAWBACK] += int(np.add.reduce(cents[negative]))   # what .sum() calls, without its Python wrapper
    p.by_kind[POOL] += int(np.add.reduce(cents[~negative]))
    p.variable[producer] += cents
    if p.lines is not None:
        for i, share in zip(producer.tolist(), cents.tolist(), strict=True):
            if share:
                p.lines[i].append(Line(POOL if share > 0 else CLAWBACK, share))


def pay_leads(p: Period, override: Rate, bonus: int, milestone: int, pod_net: np.ndarray | None) -> None:
    """The pod leads' override and development bonus, into ``p.total``, ``p.by_kind`` and the lines."""
    lead = (p.roles == LEAD_CODE).nonzero()[0]
    if not len(lead):
        return
    amounts = []
    if override.num:
        assert pod_net is not None
        amounts.append((OVERRIDE, half_even(np.maximum(pod_net, 0), override, p.bound)))
    if bonus:
        reached = (p.roles != LEAD_CODE) & (p.cols.member_tenure == milestone)
        amounts.append((DEVELOPMENT_BONUS, bonus * np.bincount(p.pods.codes[reached], minlength=p.pods.n)))
    lead = lead[np.lexsort((p.ids[lead], p.pods.codes[lead]))]
    shared = len(lead) > 1 and bool((np.diff(p.pods.codes[lead]) == 0).any())  # a pod with two leads
    for kind, per_pod in amounts:
        cents = largest_remainder(p.pods.codes[lead], p.ids[lead], per_pod) if shared else per_pod[p.pods.codes[lead]]
        p.by_kind[kind] += int(cents.sum())
        p.total[lead] += cents
        if p.lines is not None:
            for i, share in zip(lead.tolist(), cents.tolist(), strict=True):
                if share:
                    p.lines[i].append(Line(kind, share))
