"""The payout engine: a period's ledger columns and the plan's state in, each member's pay out.

``pay(plan, columns, state, lines)`` computes every part of pay as int64 arrays over the members (in
``member_ids`` order); totals are sums of those arrays, and with ``lines`` the same amounts are laid
out as statements. One period, for each member:

1. ``base``: the role's monthly base.
2. ``commission`` (individual, hybrid): the person's credited GP (their split shares of the period's
   credits) through the schedule (:mod:`sim.comp.commission`), scaled by ``w`` in a hybrid, then split
   over the placements credited by largest remainder on each one's credited GP (ties to the lower
   placement_id): one line each. With clawback on, what was paid on perm placements is remembered.
3. ``clawback`` (clawback on): for each fall-off naming the person, ``-round(fraction * commission paid
   on that placement)``, remembered or paid this period, net of earlier clawbacks.
4. Pool and pod-lead pay (:mod:`sim.comp.pools`); a hybrid's pool rate is ``rate * (1 - w)``.
5. Draw (producers with ``tenure_months < months`` or a balance): with variable pay ``V`` (commission,
   clawback and pool) and guarantee ``G`` (the amount inside the window, 0 after), ``draw_topup =
   max(0, G - max(0, V))``, added to the balance when recoverable, and ``draw_recovery = -min(balance,
   max(0, V - G))``. Balances of people who leave are forgiven.

Credits and fall-offs naming non-members are forfeited. Every amount stays below
:data:`~sim.comp.money.MAX_CENTS`: a period beyond it raises ``ValueError`` (see :mod:`sim.comp.money`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .columns import LedgerColumns
from .ledger import ROLES
from .money import I64, MAX_CENTS, compiled, fraction_rate, half_even
from .period_falloffs import falloff_claims, period_falloffs, placed_in_period
from .periods import KINDS, PeriodBooks, pay_terms
from .pools import LEAD_CODE, pay_leads, pay_pools, pod_net_gp
from .state import PaidOn, PlanState
from .statement import (
    ADVANCE_CLAWBACK,
    BASE,
    CLAWBACK,
    COMMISSION,
    DRAW_RECOVERY,
    DRAW_TOPUP,
    LINE_KINDS,
    Line,
    Statement,
)

if TYPE_CHECKING:
    from .plans import Plan


class Payout(NamedTuple):
    """What a plan pays in one period."""

    total_cents: np.ndarray
    """int64 pay of each member, aligned with ``member_ids``."""
    by_kind: dict[str, int]
    """Cents by line kind over all members, every kind of ``LINE_KINDS`` in order, plus ``"total"``."""
    state: PlanState
    """The state for the next period."""
    statements: tuple[Statement, ...] = ()
    """One per member, in member order, when paid with ``lines``; else empty."""


class Index:
    """Positions of distinct int64 keys: ``find(q)`` is each query's index in ``keys``, or ``n`` if absent."""

    def __init__(self, keys: np.ndarray) -> None:
        self.n, self.table = len(keys), None
        low, high = (int(np.minimum.reduce(keys)), int(np.maximum.reduce(keys))) if self.n else (0, -1)
        if low >= 0 and high < 16 * self.n + 4096:  # small non-negative keys (person ids, pods): a direct table
            self.table = np.full(high + 2, self.n, dtype=I64)
            self.table[keys] = np.arange(self.n)
        else:
            self.order = np.argsort(keys, kind="stable")
            self.sorted = keys[self.order]

    def find(self, queries: np.ndarray) -> np.ndarray:
        if self.table is not None:  # a negative query wraps to a huge unsigned value: past the end, absent
            # (indices back as int64, which numpy indexes with in half the time of uint64)
            return self.table[np.minimum(queries.view(np.uint64), len(self.table) - 1).view(I64)]
        at = np.minimum(np.searchsorted(self.sorted, queries), self.n - 1)
        return np.where(self.sorted[at] == queries, self.order[at], self.n)


class Pods(Index):
    """Dense codes of the members' pods: ``codes`` per member; ``find``/``code`` give ``n`` for other pods.
    Small non-negative pods (the model's) are their own codes."""

    def __init__(self, member_pods: np.ndarray) -> None:
        top = int(np.maximum.reduce(member_pods)) if len(member_pods) else -1
        if len(member_pods) and int(np.minimum.reduce(member_pods)) >= 0 and top < 4096:
            unique, self.codes = np.arange(top + 1), member_pods
        else:
            unique, self.codes = np.unique(member_pods, return_inverse=True)
        super().__init__(unique)

    def code(self, pod: int) -> int:
        return int(self.find(np.array([pod], dtype=I64))[0])


@dataclass
class Period:
    """The period's columns and the amounts the parts of pay add to."""

    cols: LedgerColumns
    shares: np.ndarray
    """Credited GP of each credit side: recruiter sides, then account manager sides."""
    bound: int
    """GP plus refunds: bounds every GP-derived amount (every rate is in [0, 1])."""
    gp_total: int
    refunds: int
    total: np.ndarray
    variable: np.ndarray
    """Commission, clawback and pool per member: the pay a draw tops up."""
    lines: list[list[Line]] | None
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LINE_KINDS, 0))
    paid_now: PaidOn = field(default_factory=dict)
    _pods: Pods | None = None

    @property
    def ids(self) -> np.ndarray:
        return self.cols.member_ids

    @property
    def roles(self) -> np.ndarray:
        return self.cols.member_roles

    @property
    def pods(self) -> Pods:
        if self._pods is None:
            self._pods = Pods(self.cols.member_pods)
        return self._pods


def pay(plan: Plan, cols: LedgerColumns, state: PlanState, lines: bool = False) -> Payout:
    """Each member's pay for the period, the totals by kind, the next state and (``lines``) the statements."""
    cols = cols.int64()
    if not isinstance(cols.member_roles, np.ndarray):
        cols = cols._replace(member_roles=np.asarray(cols.member_roles))
    n, gp = len(cols.member_ids), cols.credit_gp_cents
    refunds = sum(f.refund_cents for f in cols.falloffs)
    gp_total = int(np.add.reduce(gp))   # what gp.sum() calls, without its Python wrapper (a third of the time)
    fixed = n * plan.fixed_per_member + sum(state.draw_balances.values())
    if gp_total + refunds >= MAX_CENTS or fixed >= MAX_CENTS:
        raise ValueError(f"period {cols.period}: GP {gp_total} + refunds {refunds} or fixed pay {fixed} cents "
                         f"reach the payout engine's bound of 2**50 cents")
    bound = gp_total + refunds
    recruiter_share = half_even(gp, plan.split, bound)
    p = Period(cols, np.concatenate((recruiter_share, gp - recruiter_share)), bound, gp_total, refunds,
               plan.bases[cols.member_roles], np.zeros(n, dtype=I64), [[] for _ in range(n)] if lines else None)
    p.by_kind[BASE] = int(np.add.reduce(p.total))
    members = Index(cols.member_ids) if plan.schedule is not None or plan.draw is not None \
        or plan.terms is not None else None
    books = state.books
    if plan.terms is not None and n:
        books = _term_commission(plan, p, members, state)
    elif plan.schedule is not None and n:
        _commission(plan, p, members, state)
    if (plan.pool is not None or plan.lead_pays) and n:
        pod_net = pod_net_gp(p, plan.split) if plan.pool is not None and not plan.pool.firm_basis \
            or plan.override.num else None
        if plan.pool is not None:
            pay_pools(p, plan.pool, pod_net)
        if plan.lead_pays:
            pay_leads(p, plan.override, plan.bonus, plan.milestone, pod_net)
    p.total += p.variable
    balances: dict[int, int] = {}
    if plan.draw is not None and n:
        _draws(plan, p, members, state.draw_balances, balances)
    p.by_kind["total"] = sum(p.by_kind.values())
    return Payout(p.total, p.by_kind, state.advanced(cols.period, balances, p.paid_now, books),
                  _statements(plan, p))


def _commission(plan: Plan, p: Period, members: Index, state: PlanState) -> None:
    """Commission per member, its split over placements (for lines and memory), and the clawbacks."""
    cols, n = p.cols, members.n
    who = members.find(np.concatenate((cols.credit_recruiter_ids, cols.credit_account_manager_ids)))
    credited = np.bincount(who, weights=p.shares, minlength=n + 1)[:n].astype(I64)  # exact below 2**53
    commission = plan.schedule.commission(credited, p.bound)  # type: ignore[union-attr]
    if plan.weight.num != plan.weight.den:
        commission = half_even(commission, plan.weight, p.bound)
    p.variable += commission
    p.by_kind[COMMISSION] = int(np.add.reduce(commission))
    if p.by_kind[COMMISSION] and (p.lines is not None or plan.clawback):
        _split_commission(plan, p, commission, credited, who)
    if plan.clawback and cols.falloffs:
        _clawbacks(p, members, state)


def _term_commission(plan: Plan, p: Period, members: Index, state: PlanState) -> PeriodBooks:
    """Commission of a plan with :class:`~sim.comp.periods.Terms` (periods, terms by role or line, SPIFs).
    On a quarterly or annual plan with clawback, fall-offs are settled first
    (:mod:`sim.comp.period_falloffs`): their refunded credit leaves the open period."""
    cols, n = p.cols, members.n
    who = members.find(np.concatenate((cols.credit_recruiter_ids, cols.credit_account_manager_ids)))
    credited = np.bincount(who, weights=p.shares, minlength=n + 1)[:n].astype(I64)  # exact below 2**53
    perm = np.ones(len(cols.credit_gp_cents), dtype=bool) if cols.credit_perm is None else cols.credit_perm
    perm_credited = np.bincount(who, weights=p.shares * np.concatenate((perm, perm)),
                                minlength=n + 1)[:n].astype(I64)
    terms, books = plan.terms, state.books or PeriodBooks()
    settled, placed = None, None
    if plan.clawback and terms.months > 1 and terms.schedules:  # type: ignore[union-attr]
        placed = placed_in_period(books.placed if books.continues(*terms.calendar(cols.period)) else {},  # type: ignore[union-attr]
                                  p, who, perm)
        if cols.falloffs:
            settled = period_falloffs(p, members, state, placed, who, credited)
    split_credited, shares = (credited, p.shares) if settled is None else (settled.credited, settled.shares)

    def pay(amount: np.ndarray, kinds: np.ndarray) -> None:
        paid = np.maximum(amount, 0)
        p.variable += amount
        for code, kind in enumerate(KINDS):
            p.by_kind[kind] += int(amount[kinds == code].sum())
        split = np.where(split_credited > 0, paid, 0)   # a pro-rated cap can pay more in a month without credits
        if split.any() and (p.lines is not None or plan.clawback):
            _split_commission(plan, p, split, split_credited, who, kinds, shares)
        if p.lines is not None:
            for i in ((amount < 0) | (split != paid)).nonzero()[0].tolist():
                p.lines[i].append(Line(ADVANCE_CLAWBACK if amount[i] < 0 else KINDS[kinds[i]], int(amount[i])))
        if settled is not None:
            _take_back(p, settled.clawbacks)
        elif plan.clawback and cols.falloffs:
            _clawbacks(p, members, state)

    if settled is not None:   # the month's credit net of the refunded parts (of this and earlier months)
        credited, perm_credited = credited - settled.cut, perm_credited - settled.cut
    return pay_terms(terms, p, who, credited, perm_credited,  # type: ignore[arg-type]
                     (plan.weight.num, plan.weight.den), books, pay,
                     None if settled is None else settled.taken, placed)


def _split_commission(plan: Plan, p: Period, commission: np.ndarray, credited: np.ndarray, who: np.ndarray,
                      kinds: np.ndarray | None = None, shares: np.ndarray | None = None) -> None:
    """Each paid member's commission split over their placements (weighed by ``shares``, the credit sides
    unless given): lines, and the perm ones remembered."""
    cols = p.cols
    credit, group, key, cents = compiled().commission_split(who, cols.credit_placement_ids,
                                                            p.shares if shares is None else shares, commission,
                                                            credited)
    if p.lines is not None:
        kind_of = [COMMISSION] * len(p.ids) if kinds is None else [KINDS[k] for k in kinds.tolist()]
        for i, placement, amount in zip(group.tolist(), key.tolist(), cents.tolist(), strict=True):
            if amount:
                p.lines[i].append(Line(kind_of[i], amount, placement))
    if plan.clawback:
        kept = cents != 0
        if cols.credit_perm is not None:
            kept &= cols.credit_perm[credit]
        p.paid_now.update(zip(zip(key[kept].tolist(), p.ids[group[kept]].tolist(), strict=True),
                              cents[kept].tolist(), strict=True))


def _clawbacks(p: Period, members: Index, state: PlanState) -> None:
    """A clawback line per fall-off naming a member, of the commission paid on its placement."""
    at, claims, before = falloff_claims(p, members, state)
    owed = [(at[person], placement, fraction_rate(fraction).of(before.get((placement, person), 0)
                                                              + p.paid_now.get((placement, person), 0)))
            for placement, person, fraction in claims]
    _take_back(p, [claim for claim in owed if claim[2]])


def _take_back(p: Period, clawbacks: list[tuple[int, int, int]]) -> None:
    """Clawback lines ``(member index, placement, cents)``: pay, totals, memory and statements."""
    for i, placement, cents in clawbacks:
        person = int(p.ids[i])
        p.variable[i] -= cents
        p.by_kind[CLAWBACK] -= cents
        p.paid_now[placement, person] = p.paid_now.get((placement, person), 0) - cents
        if p.lines is not None:
            p.lines[i].append(Line(CLAWBACK, -cents, placement))


def _draws(plan: Plan, p: Period, members: Index, old: dict[int, int], balances: dict[int, int]) -> None:
    """Draw top-up and recovery for the few producers in the draw window or owing a balance."""
    months, amount, recoverable = plan.draw  # type: ignore[misc]
    tenure, producer = p.cols.member_tenure, p.roles != LEAD_CODE
    rows = set((producer & (tenure < months)).nonzero()[0].tolist())
    if old:
        rows.update(i for i in members.find(np.array(list(old), dtype=I64)).tolist() if i < members.n and producer[i])
    for i in sorted(rows):
        person, pay = int(p.ids[i]), int(p.variable[i])
        balance = old.get(person, 0)
        guarantee = amount if tenure[i] < months else 0
        topup = max(0, guarantee - max(0, pay))
        recovery = min(balance, max(0, pay - guarantee)) if recoverable else 0
        if recoverable and balance + topup - recovery > 0:
            balances[person] = balance + topup - recovery
        p.total[i] += topup - recovery
        p.by_kind[DRAW_TOPUP] += topup
        p.by_kind[DRAW_RECOVERY] -= recovery
        if p.lines is not None:
            p.lines[i] += [Line(kind, cents) for kind, cents in ((DRAW_TOPUP, topup), (DRAW_RECOVERY, -recovery))
                           if cents]


def _statements(plan: Plan, p: Period) -> tuple[Statement, ...]:
    if p.lines is None:
        return ()
    cols = p.cols
    base = [Line(BASE, int(cents)) for cents in plan.bases]
    return tuple(Statement(person, cols.period, ROLES[role], pod, (base[role], *lines)) for person, role, pod, lines
                 in zip(cols.member_ids.tolist(), cols.member_roles.tolist(), cols.member_pods.tolist(), p.lines,
                        strict=True))
