"""Pay totals without statements: ``Plan.pay_totals(columns, state)``, vectorised in numpy int64, to the cent.

``plan.pay(ledger, state)`` builds one :class:`~sim.comp.statement.Statement` per member with one line per
credited placement, which finance needs. A fast simulation run only needs each member's total and the
month's totals by line kind; :meth:`Plan.pay_totals` gives exactly those (and the next state) from a
:class:`~sim.comp.columns.LedgerColumns`, without building a line. For every plan, ledger and state::

    statements, state_after = plan.pay(ledger, state)
    paid = plan.pay_totals(columns_of(ledger), state)
    paid.total_cents.tolist() == [s.total_cents for s in statements]
    paid.by_kind == payroll_totals(statements)
    paid.state == state_after

Why the numbers are the same. Every step computes, per credit, member or basis, the integer ``pay()``
computes; only the order of evaluation differs, and integer sums do not depend on order. A statement's
total is the sum of its lines, and every split (commission over placements, pools over producers,
overrides over leads) pays out exactly what it splits, so a member's total needs each part's amount,
never its lines:

* Split (vectorised over credits): the recruiter share is ``round_half_even(gp * num / den)`` as in
  ``Plan._tally`` (``np.divmod`` floors like Python's ``divmod``; half to even is
  ``q + (2r + (q & 1) > den)``), the account manager gets the rest.
* Credited GP per member, net GP per pod (vectorised): the shares summed by member index and by pod code.
  An id or pod that is not a member's goes to a spare slot that is dropped: a departed person's credit
  is forfeited, while their share still counts for the pod named in the credit, as in ``pay()``. Sums
  are ``np.bincount`` with float weights only when the period's GP + refunds is below 2**53 (every
  partial sum is then an exact float), else exact int64 ``np.add.at``. The few fall-off refunds are
  split and taken off their pods in Python. The firm's net GP is total GP - total refunds.
* Commission per member (vectorised): ``c = max(0, credited - threshold)``; flat ``c * num``; ``tiered``
  (retroactive) ``c * num[top]``, ``top`` the last tier starting at or below ``c`` (``searchsorted``
  right, as ``bisect_right``); ``marginal`` ``sum_k (num_k - num_{k-1}) * max(0, c - start_k)``, which
  is the exact sum of slices ``Schedule.commission`` adds; one half-even division by ``den``; the cap;
  a hybrid's ``w`` applied half-even as ``Rate.of``.
* Clawback on (individual, hybrid): the month's commission per placement is recorded lazily as a
  :class:`~sim.comp.paid.PaidRecord` (a mapping equal to the dict ``pay()`` records, kept as the columns
  above). The clawbacks run the very loop of ``Plan._commission_lines`` over the few claims (a claim at
  a zero fraction takes nothing back and is skipped), with what was paid before summed over the
  history in one pass (:func:`~sim.comp.paid.paid_in_history`): a record holding none of the claimed
  placements is skipped by a set test, and one that holds some allocates the commission of the people
  claimed, in Python ints, by the rule of :func:`~sim.comp.money.allocate` (see :mod:`sim.comp.paid`).
* Pools (vectorised over pods and producers): ``round_half_even(rate * net)``, floored at 0 without
  clawback, shared by largest remainder (:func:`~sim.comp.vectorised.largest_remainder`: equal shares
  with the leftover cents to the lowest person_ids, or role weights with ties to the lower person_id;
  all-zero weights forfeit the pool), negated for a negative pool (``clawback`` lines).
* Pod leads (vectorised over pods): override ``round_half_even(rate * max(0, pod net))``, bonus
  ``bonus x producers at the milestone``, each split equally among a pod's leads.
* Draws (Python, for the few producers in the draw window or owing a balance): top-up and recovery
  from variable pay (commission + clawback + pool: what the member's total holds above base so far).

Overflow. Let ``B`` = the period's total GP + total refunds: every GP-derived amount (credited GP, pod
net, pool, commission, override) is at most ``B`` in magnitude, every rate being in [0, 1]. An int64
product is taken only when a bound on it (``B`` times the largest numerator or weight; for the split of
commission over placements, the largest commission times the largest credited GP) is below 2**62;
otherwise that step runs on Python ints (``div_half_even`` per element, ``Schedule.commission`` per
member, ``allocate`` per group), with the same result. When ``B``, the period's fixed pay (bases,
bonuses, draws, old balances) or its clawbacks reach 2**59 (``SAFE``, so that no sum of them can leave
int64), the whole period is paid by ``pay()`` and reduced to totals (``total_cents`` is then an object
array if a total is beyond int64).

Which plans take which path: every plan type and option (salary; individual with threshold, flat rate,
tiers, marginal or tiered accelerator, cap; team_pool by pod or firm, equal or role weights, negative
pools with clawback on or off; hybrid; pod lead override and bonus; draws; clawback on or off) takes
the vectorised path. Only the overflow cases above leave it, step by step or for the whole period.

Speed (``.venv/bin/python -m sim.comp.bench``; 100 members; CPython 3.11, numpy 2.4, a 2-core container
shared with other jobs, so +-10%). On the bench's ledger (150 credits, 5 fall-offs, a carried state)
``pay`` / ``pay_totals`` take 90 / 34 us (salary), 375 / 74 (individual), 134 / 71 (team_pool) and
440 / 117 us (hybrid). Per month of a 36-month run (350 credits, 5 fall-offs of the previous month's
placements by the people who made them), each carrying its own state, ``pay`` + ``payroll_totals`` /
``pay_totals``: 150 / 43 us (salary), 920 / 170 (individual), 195 / 76 (team_pool), 980 / 213 us
(hybrid). The bench's individual and hybrid plans have clawback on and a draw; with clawback off they
take 61 and 105 us a month. Clawback costs the rest, about 110 us a month for the 6-7 people that 3-4
clawing fall-offs name; timed inside the run, its parts add up to some 75 us: the claims and the pass
over the history (about 20 us), a record's set of placements (10-15 us, once in its life), and about
6 us for each person named (their entries found and taken in numpy, their commission allocated in
Python). A numpy call costs 1-3 us here, so the time is in the number of calls and of people named,
not in the number of credits.

A run shaped like the simulation's (:func:`~sim.comp.bench.contract_ledgers`: 50 perm placements and
300 contracts credited a month, contracts under the same placement_id every month, so that every
record's placement ids span the run; 5-10 fall-offs a month of perm placements 0-3 months old) takes
215 us a month (individual) and 260 (hybrid), 70 and 112 with clawback off; it took 280 and 325 before
records were skipped by a set of their placements and allocated per person (a range test skipped none
of them, and each record holding a claimed placement was indexed and allocated in some 40 numpy calls).
Columns captured from one replication of the reference scenario (``scenarios/individual_vs_team.yaml``,
about 270 credits and 3 fall-offs a month) and replayed take about 70 us a month (individual, 30 with
clawback off) and 115 (hybrid, 67), against 138 and 190 before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .columns import ROLE_CODES, LedgerColumns, ledger_of
from .ledger import ACCOUNT_MANAGER, POD_LEAD, RECRUITER, ROLES, FallOff
from .money import div_half_even, fraction_rate
from .paid import PaidRecord, paid_in_history
from .state import PaidByPerson, PlanState
from .statement import (
    BASE,
    CLAWBACK,
    COMMISSION,
    DEVELOPMENT_BONUS,
    DRAW_RECOVERY,
    DRAW_TOPUP,
    LINE_KINDS,
    OVERRIDE,
    POOL,
    payroll_totals,
)
from .vectorised import I64, LIMIT, Lookup, Pods, group_sum, half_even, largest_remainder

if TYPE_CHECKING:
    from .commission import Schedule
    from .plans import Plan

SAFE = 1 << 59
"""Bound on the period's GP, fixed pay and clawbacks for the vectorised path (a few of them summed < LIMIT)."""

_LEAD = ROLE_CODES[POD_LEAD]
_RECRUITER = ROLE_CODES[RECRUITER]


class PayTotals(NamedTuple):
    """What ``pay()`` pays in a period, without the statements."""

    total_cents: np.ndarray
    """int64 statement total of each member, aligned with ``columns.member_ids``."""
    by_kind: dict[str, int]
    """Cents by line kind over all members, plus ``"total"``: equal to ``payroll_totals(statements)``."""
    state: PlanState
    """The state for the next period, equal to the one ``pay()`` returns."""


class _VectorSchedule:
    """:meth:`Schedule.commission` over an int64 array of credited GP (per member)."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        starts, nums = schedule.tier_starts, schedule.tier_nums
        # marginal: sum over tiers of num_k * (slice of c in tier k) == sum over tier starts s_k of
        # (num_k - num_{k-1}) * max(0, c - s_k), with num_{-1} = 0 (the same exact integer).
        self.steps = [(start, num - previous) for start, num, previous in zip(starts, nums, (0, *nums[:-1]),
                                                                              strict=True)]
        self.reach = max(nums) if len(nums) == 1 or schedule.retroactive else sum(abs(d) for _, d in self.steps)
        """Bounds ``|exact| / c`` and every partial sum of it."""
        # Tier starts past LIMIT are never reached by credited GP that passes the guard
        # (``bound * reach < LIMIT``), so clipping them keeps the array int64 without changing a comparison.
        self.starts = np.array([min(s, LIMIT) for s in starts], dtype=I64)
        self.nums = np.array(nums, dtype=I64)
        self.cap = schedule.cap_cents if schedule.cap_cents is not None and schedule.cap_cents < LIMIT else None

    def __call__(self, credited: np.ndarray, bound: int) -> np.ndarray:
        s = self.schedule
        if s.threshold_cents > bound or self.reach == 0:
            return np.zeros(len(credited), dtype=I64)
        if bound * self.reach >= LIMIT or s.den >= LIMIT:
            return np.array([s.commission(c) for c in credited.tolist()], dtype=I64)
        if s.threshold_cents:
            commissionable = credited - s.threshold_cents
            np.maximum(commissionable, 0, out=commissionable)
        else:
            commissionable = credited
        if len(self.steps) == 1:
            exact = commissionable * self.steps[0][1]
        elif s.retroactive:  # the rate of the last tier starting at or below c, on all of c
            exact = commissionable * self.nums[np.searchsorted(self.starts, commissionable, side="right") - 1]
        else:
            exact = commissionable * self.steps[0][1]
            for start, step in self.steps[1:]:
                if step and start < bound:
                    above = commissionable - start
                    np.maximum(above, 0, out=above)
                    above *= step
                    exact += above
        amount = half_even(exact, 1, s.den, LIMIT - 1)
        if self.cap is not None:
            np.minimum(amount, self.cap, out=amount)
        return amount


# ------------------------------------------------------------------------------------------- engine
class TotalsEngine:
    """``Plan.pay_totals`` for one plan: the plan's exact terms, read once, applied to columns."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        bases = [plan._base_lines[role].cents for role in ROLES]
        self.bases = np.array([min(b, LIMIT) for b in bases], dtype=I64)
        self.split = plan._split
        self.schedule = None if plan._schedule is None else _VectorSchedule(plan._schedule)
        self.weight = None if plan._weight.num == plan._weight.den else plan._weight
        self.pool = plan._pool
        self.pod_pool = self.pool is not None and not self.pool.firm_basis
        self.record = plan._clawback and plan._schedule is not None
        self.override = plan._override
        self.bonus = plan._bonus
        self.milestone = plan._milestone
        self.lead_pays = plan._lead_pays
        self.draw = plan._draw
        self.pool_weights = None
        if self.pool is not None and self.pool.weights is not None:
            w = self.pool.weights
            self.pool_weights = (w[RECRUITER], w[ACCOUNT_MANAGER])
        self.base_only = (self.schedule is None and self.pool is None and not self.lead_pays
                          and self.draw is None)
        """Nothing but base pay (a salary plan): every member's total is their base."""
        self.fixed_per_member = max(bases) + (self.draw[1] if self.draw else 0) + self.bonus
        """Bounds a member's base + draw top-up, and all bonuses over the members."""

    def __call__(self, cols: LedgerColumns, state: PlanState) -> PayTotals:
        cols = _int64_columns(cols)
        ids, roles, gp = cols.member_ids, cols.member_roles, cols.credit_gp_cents
        members, n_credits, falloffs = len(ids), len(gp), cols.falloffs
        old_balances = state.draw_balances
        largest, gp_total = (int(gp.max()), int(gp.sum())) if n_credits else (0, 0)
        refunds = sum(f.refund_cents for f in falloffs) if falloffs else 0
        fixed = members * self.fixed_per_member + (sum(old_balances.values()) if old_balances else 0)
        if largest * n_credits + refunds >= SAFE or fixed >= SAFE:
            return self.through_pay(cols, state)
        bound = gp_total + refunds  # |any GP-derived amount| <= bound: every rate is in [0, 1]
        if self.base_only and not state.commission_paid and not old_balances:
            total = self.bases[roles]   # salary: nothing to split, credit or carry
            by_kind = dict.fromkeys(LINE_KINDS, 0)
            by_kind[BASE] = by_kind["total"] = int(total.sum())
            return PayTotals(total, by_kind, state)

        num, den = self.split
        recruiter_share = half_even(gp, num, den, largest)
        shares = np.concatenate((recruiter_share, gp - recruiter_share))  # recruiter sides, then AM sides
        total = self.bases[roles]
        by_kind = dict.fromkeys(LINE_KINDS, 0)
        by_kind[BASE] = int(total.sum())
        paid_now: PaidByPerson | PaidRecord = {}
        lookup = None

        if self.schedule is not None and members:
            lookup = Lookup(ids)
            people = np.concatenate((cols.credit_recruiter_ids, cols.credit_account_manager_ids))
            who = lookup.find(people)
            credited = group_sum(who, shares, members + 1, bound)[:members]  # non-members: dropped slot
            commission = self.schedule(credited, bound)
            if self.weight is not None:
                commission = half_even(commission, self.weight.num, self.weight.den, bound)
            total += commission
            by_kind[COMMISSION] = int(commission.sum())
            if self.record:
                if by_kind[COMMISSION]:
                    paid_now = PaidRecord(ids.copy(), people, who, shares, cols.credit_placement_ids.copy(),
                                          commission, credited, bound)
                if falloffs and not self._clawbacks(lookup, falloffs, state, paid_now, total, by_kind):
                    return self.through_pay(cols, state)

        pods = pod_net = None
        if self.pod_pool or self.lead_pays:
            pods = Pods(cols.member_pods)
            if self.pod_pool or self.override.num:
                pod_net = self._pod_net(cols, pods, shares, bound)

        if self.pool is not None and members:
            self._pool_shares(ids, roles, pods, pod_net, bound, gp_total - refunds, total, by_kind)

        if self.lead_pays and members:
            assert pods is not None
            self._lead_pay(ids, roles, cols.member_tenure, pods, pod_net, bound, total, by_kind)

        balances: dict[int, int] = {}
        if self.draw is not None and members:
            self._draws(ids, roles, cols.member_tenure, lookup, old_balances, total, by_kind, balances)

        by_kind["total"] = sum(by_kind[kind] for kind in LINE_KINDS)
        if not paid_now and not balances and not state.commission_paid and not old_balances:
            return PayTotals(total, by_kind, state)
        return PayTotals(total, by_kind, state.advanced(cols.period, balances, paid_now))

    # ------------------------------------------------------------------------------------- parts
    def _clawbacks(self, lookup: Lookup, falloffs: tuple[FallOff, ...], state: PlanState,
                   paid_now: PaidByPerson | PaidRecord, total: np.ndarray, by_kind: dict[str, int]) -> bool:
        """Commission clawbacks: the loop of ``Plan._commission_lines`` over the few claims, added to ``total``.

        Updates ``paid_now`` as ``pay()`` does. False when the clawbacks are too large for int64 sums.
        """
        clawing = [f for f in falloffs if f.clawback_fraction]  # a zero fraction takes nothing back: no line
        if not clawing:
            return True
        named = [p for f in clawing for p in (f.recruiter_id, f.account_manager_id)]
        at = dict(zip(named, lookup.find(np.array(named, dtype=I64)).tolist(), strict=True))
        members = lookup.n
        claims = sorted({(f.placement_id, person, f.clawback_fraction)
                         for f in clawing for person in (f.recruiter_id, f.account_manager_id)
                         if at[person] < members})
        if not claims:
            return True
        pairs = [(placement, person) for placement, person, _ in claims]
        before = paid_in_history(state.commission_paid, pairs)  # state.paid_on of every pair, in one pass
        here = dict.fromkeys(pairs, 0)  # paid this period, as clawbacks update it
        record = paid_now if isinstance(paid_now, PaidRecord) else None  # else no commission this period: {}
        if record is not None:
            record.add_cents_on(here)
        taken = 0
        for placement, person, fraction in claims:
            paid_here = here[placement, person]
            cents = fraction_rate(fraction).of(before[placement, person] + paid_here)
            if cents:
                taken += abs(cents)
                if taken >= SAFE:
                    return False  # the period is paid again by pay(): total and paid_now are dropped
                total[at[person]] -= cents  # a few scalar updates: cheaper than one np.add.at
                by_kind[CLAWBACK] -= cents
                here[placement, person] = paid_here - cents
                if record is not None:
                    record.override(person, placement, paid_here - cents)
                else:
                    paid_now.setdefault(person, {})[placement] = paid_here - cents  # type: ignore[union-attr]
        return True

    def _pod_net(self, cols: LedgerColumns, pods: Pods, shares: np.ndarray, bound: int) -> np.ndarray:
        """Net GP by pod code: credit shares by the pods named in the credits, minus refund shares."""
        where = pods.find(np.concatenate((cols.credit_recruiter_pods, cols.credit_account_manager_pods)))
        pod_net = group_sum(where, shares, pods.n + 1, bound)
        if cols.falloffs:
            num, den = self.split
            taken = [0] * (pods.n + 1)
            for f in cols.falloffs:
                refund = f.refund_cents
                to_recruiter = div_half_even(refund * num, den)
                taken[pods.code(f.recruiter_pod)] += to_recruiter
                taken[pods.code(f.account_manager_pod)] += refund - to_recruiter
            pod_net -= np.array(taken, dtype=I64)
        return pod_net[:pods.n]

    def _pool_shares(self, ids: np.ndarray, roles: np.ndarray, pods: Pods | None, pod_net: np.ndarray | None,
                     bound: int, firm_net: int, total: np.ndarray, by_kind: dict[str, int]) -> None:
        """Each producer's signed pool share, added to ``total`` (a negative pool's shares are clawbacks)."""
        rule = self.pool
        assert rule is not None
        producer = (roles < _LEAD).nonzero()[0]
        if not len(producer):
            return
        keys = ids[producer]
        if rule.firm_basis:
            pools = np.array([rule.pool_of(firm_net)], dtype=I64)
            group = np.zeros(len(producer), dtype=I64)
        else:
            assert pods is not None and pod_net is not None
            pools = half_even(pod_net, rule.rate.num, rule.rate.den, bound)
            group = pods.codes[producer]
        negative = bool(pools.min() < 0) if len(pools) else False
        if negative and not rule.clawback:
            np.maximum(pools, 0, out=pools)
            negative = False
        magnitude = np.abs(pools) if negative else pools
        if self.pool_weights is None:
            shares = largest_remainder(group, keys, None, magnitude, bound, 1)
        else:
            w_recruiter, w_account_manager = self.pool_weights
            weight = np.where(roles[producer] == _RECRUITER, w_recruiter, w_account_manager).astype(I64)
            weight_bound = max(self.pool_weights) * len(producer)
            if not negative:
                magnitude = magnitude.copy()
            magnitude[group_sum(group, weight, len(pools), weight_bound) == 0] = 0  # nobody weighted: forfeited
            shares = largest_remainder(group, keys, weight, magnitude, bound, weight_bound)
        if negative:
            taken = shares[pools[group] < 0]
            by_kind[CLAWBACK] -= int(taken.sum())
            by_kind[POOL] += int(shares.sum()) - int(taken.sum())
            shares[pools[group] < 0] *= -1
        else:
            by_kind[POOL] += int(shares.sum())
        total[producer] += shares

    def _lead_pay(self, ids: np.ndarray, roles: np.ndarray, tenure: np.ndarray, pods: Pods,
                  pod_net: np.ndarray | None, bound: int, total: np.ndarray, by_kind: dict[str, int]) -> None:
        """The pod leads' override and development bonus, each split equally among a pod's leads."""
        lead = (roles == _LEAD).nonzero()[0]
        if not len(lead):
            return
        amounts = []
        if self.override.num:
            assert pod_net is not None
            amounts.append((OVERRIDE, half_even(np.maximum(pod_net, 0), self.override.num, self.override.den,
                                                bound)))
        if self.bonus:
            reached = np.bincount(pods.codes[(roles < _LEAD) & (tenure == self.milestone)], minlength=pods.n)
            amounts.append((DEVELOPMENT_BONUS, reached * self.bonus))
        lead_pods = pods.codes[lead]
        shared = len(lead) > 1 and int(np.bincount(lead_pods).max()) > 1  # a pod with two leads
        for kind, per_pod in amounts:
            paid = largest_remainder(lead_pods, ids[lead], None, per_pod, bound, 1) if shared else per_pod[lead_pods]
            by_kind[kind] += int(paid.sum())
            total[lead] += paid

    def _draws(self, ids: np.ndarray, roles: np.ndarray, tenure: np.ndarray, lookup: Lookup | None,
               old_balances: dict[int, int], total: np.ndarray, by_kind: dict[str, int],
               balances: dict[int, int]) -> None:
        """Draw top-up and recovery (``Plan._draw_lines``), in Python for the few producers who have one.

        A producer has a draw line while in the window (``tenure < months``) or owing a balance. Their
        variable pay is what ``total`` holds above their base so far (commission, clawback and pool; lead
        pay goes to leads only). Adds to ``total`` and fills the new ``balances``.
        """
        months, amount, recoverable = self.draw  # type: ignore[misc]
        rows = ((tenure < months) & (roles < _LEAD)).nonzero()[0].tolist()
        if old_balances:
            lookup = lookup or Lookup(ids)
            owing = lookup.find(np.array(list(old_balances), dtype=I64)).tolist()
            extra = [row for row in owing if row < len(ids) and roles[row] < _LEAD]
            if extra:
                rows = sorted(set(rows).union(extra))
        if not rows:
            return
        at = np.array(rows, dtype=np.intp)
        variable = (total[at] - self.bases[roles[at]]).tolist()
        people, served = ids[at].tolist(), tenure[at].tolist()
        delta, topups, recoveries = [], 0, 0
        for person, months_served, pay in zip(people, served, variable, strict=True):
            balance = old_balances.get(person, 0)
            guarantee = amount if months_served < months else 0
            topup = max(0, guarantee - max(0, pay))
            recovery = min(balance, max(0, pay - guarantee)) if recoverable else 0
            if recoverable and balance + topup - recovery > 0:
                balances[person] = balance + topup - recovery
            delta.append(topup - recovery)
            topups += topup
            recoveries += recovery
        total[at] += np.array(delta, dtype=I64)
        by_kind[DRAW_TOPUP] += topups
        by_kind[DRAW_RECOVERY] -= recoveries

    def through_pay(self, cols: LedgerColumns, state: PlanState) -> PayTotals:
        """The period paid by ``pay()`` and reduced to totals (the overflow fallback)."""
        statements, new_state = self.plan.pay(ledger_of(cols), state)
        totals = [s.total_cents for s in statements]
        try:
            total = np.array(totals, dtype=I64)
        except OverflowError:
            total = np.array(totals, dtype=object)
        return PayTotals(total, payroll_totals(statements), new_state)


_INT64_FIELDS = tuple(name for name in LedgerColumns._fields
                      if name.startswith(("member_", "credit_")) and name != "member_roles")
_INT64 = np.dtype(I64)


def _int64_columns(cols: LedgerColumns) -> LedgerColumns:
    """``cols`` with every id, pod, tenure and GP column as a numpy int64 array (converted if need be)."""
    fixes = {}
    for name in _INT64_FIELDS:
        column = getattr(cols, name)
        if not isinstance(column, np.ndarray) or column.dtype != _INT64:
            fixes[name] = np.asarray(column, dtype=I64).reshape(-1)
    roles = cols.member_roles
    if not isinstance(roles, np.ndarray):
        fixes["member_roles"] = np.asarray(roles, dtype=np.int8).reshape(-1)
    return cols._replace(**fixes) if fixes else cols
