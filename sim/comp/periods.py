"""Commission over a plan period (monthly, quarterly, annual) with terms by role and by line, and SPIFs.

Used by the engine when a plan's individual terms go beyond one monthly schedule for everyone
(:attr:`Plan.terms`). For each producer, each month of an ``n``-month period:

* the period's credited GP to date, by line: ``P`` (perm) and ``C`` (contract);
* ``e``: the months the person has been employed in the period so far (a new hire's terms are
  pro-rated to their months);
* earnings to date ``A = (P f_perm(x) + C f_contract(x)) / (P + C)`` with ``x = P + C``, where ``f_line``
  is the role's schedule for that line with every amount (threshold, tier starts, cap, quota, so the
  gate and the accelerators) pro-rated to ``e / n`` of the period: the threshold is shared by the lines
  pro rata; with one rate for both lines ``A`` is the schedule's value. Rounded half to even once, then
  gated and capped (a hybrid then takes ``w`` of it);
* before the period's last month, the month's **advance** is ``max(0, A - paid to date)``; in its last
  month ``A - paid`` is the **true-up**, or, when the advances paid more than the period earned, the
  **advance clawback** (negative, stated on its own line). A one-month period pays ``commission``.

Positive amounts are split over the month's credited placements like monthly commission (and
remembered for fall-off clawbacks). A person who leaves keeps the advances paid (no true-up).

**SPIFs**: a SPIF counts the placements credited to a person of a role it names, of its kind, inside its
window (measured months, 1-based): a perm placement in the month of its fee, a contract in the first
month it is credited (one not credited the month before). Without a ``goal`` each one pays ``amount``
(a line naming it); with one, ``amount`` is paid once, the month the count reaches the goal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .commission import Schedule
from .ledger import PRODUCER_ROLES, ROLE_CODES
from .marginal import ExpectedMarginal, period_marginal_rates
from .money import I64, MAX_CENTS, Rate, dollars_to_cents, half_even
from .statement import ADVANCE, ADVANCE_CLAWBACK, COMMISSION, SPIF, TRUE_UP, Line
from .terms import PERIOD_MONTHS

if TYPE_CHECKING:
    from .engine import Index, Period
    from .params import IndividualTerms, Spif


def _empty(width: int = 0) -> np.ndarray:
    return np.zeros((0, width) if width else 0, dtype=I64)


@dataclass(frozen=True, slots=True, eq=False)
class PeriodBooks:
    """Each member's period to date, by person id (ascending): the state of a plan with :class:`Terms`."""

    period: int = 0
    """The plan period the books are of (months since the plan's first month, over its length)."""
    ids: np.ndarray = field(default_factory=_empty)
    perm: np.ndarray = field(default_factory=_empty)
    contract: np.ndarray = field(default_factory=_empty)
    months: np.ndarray = field(default_factory=_empty)
    paid: np.ndarray = field(default_factory=_empty)
    spif_counts: np.ndarray = field(default_factory=lambda: _empty(1))
    """Placements counted by each goal SPIF (a column per SPIF)."""
    contracts: np.ndarray = field(default_factory=_empty)
    """Contract placements credited last month, ascending: a contract not among them is new."""
    placed: dict[tuple[int, int], int] = field(default_factory=dict)
    """The period's perm credit by (placement, person), net of fall-offs (plans with clawback only)."""

    def continues(self, period: int, month: int) -> bool:
        """Whether month ``month`` of plan period ``period`` carries these books on (the same period)."""
        return self.period == period and month > 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PeriodBooks):
            return NotImplemented
        return self.period == other.period and all(
            np.array_equal(getattr(self, name), getattr(other, name)) for name in
            ("ids", "perm", "contract", "months", "paid", "spif_counts", "contracts")) and self.placed == other.placed

    def __hash__(self) -> int:
        return hash((self.period, self.ids.tobytes(), self.paid.tobytes()))



@dataclass(frozen=True, slots=True)
class SpifRule:
    name: str
    first: int
    last: int
    kind: str
    roles: tuple[int, ...]
    amount_cents: int
    goal: int | None


class Terms:
    """The exact schedules of a plan's individual terms: by role, by line, over the period; and its SPIFs."""

    def __init__(self, terms: IndividualTerms | None, spifs: tuple[Spif, ...], first_month: int) -> None:
        self.months = PERIOD_MONTHS[terms.period] if terms is not None else 1
        self.first_month = first_month
        self.schedules: dict[int, tuple[Schedule, Schedule]] = {}
        if terms is not None:
            for role in PRODUCER_ROLES:
                perm, contract = (Schedule.from_terms(terms, role, line) for line in (0, 1))
                self.schedules[ROLE_CODES[role]] = (perm, contract if contract != perm else perm)
        self.spifs = tuple(SpifRule(s.name, s.window.from_month, s.window.from_month + s.window.months - 1, s.kind,
                                    tuple(ROLE_CODES[r] for r in s.roles), dollars_to_cents(s.amount), s.goal)
                           for s in spifs)
        self.goals = [i for i, s in enumerate(self.spifs) if s.goal is not None]
        self.watch_contracts = any(s.kind != "perm" for s in self.spifs)
        self._scaled: dict[tuple[int, int, int], Schedule] = {}
        self._tables: dict[Schedule, ExpectedMarginal] = {}
        self._pieces: dict[Schedule, tuple[list, list]] = {}

    def calendar(self, period: int) -> tuple[int, int]:
        """``(plan period, month of it from 1)`` of an engine period."""
        months = period - self.first_month
        return months // self.months, months % self.months + 1

    def schedule(self, role: int, line: int, months: int) -> Schedule:
        key = (role, line, months)
        if key not in self._scaled:
            self._scaled[key] = self.schedules[role][line].scaled(months)
        return self._scaled[key]

    def earned(self, role: int, perm: np.ndarray, contract: np.ndarray, months: np.ndarray) -> np.ndarray:
        """Earnings to date (see the module) of people of one role, by their credited GP and months."""
        n, out = self.months, np.zeros(len(perm), dtype=I64)
        total = perm + contract
        if n * int(total.max(initial=0)) >= MAX_CENTS:
            raise ValueError(f"a period's credited GP of {int(total.max())} cents is beyond the payout engine's "
                             "bound on pro-rated periods")
        bound = n * int(total.max(initial=0))
        for e in np.unique(months).tolist():
            at = (months == e).nonzero()[0]
            x = total[at] * n
            perm_rule, contract_rule = self.schedule(role, 0, e), self.schedule(role, 1, e)
            if perm_rule is contract_rule or perm_rule == contract_rule:
                out[at] = perm_rule.commission(x, bound, n)
                continue
            qp, rp, den = perm_rule.exact(x, bound, n)
            qc, rc, den_c = contract_rule.exact(x, bound, n)
            blended = [_blend(*values, den, den_c) for values in zip(
                perm[at].tolist(), contract[at].tolist(), qp.tolist(), rp.tolist(), qc.tolist(), rc.tolist(),
                strict=True)]
            quotient = np.array([q for q, _ in blended], dtype=I64)
            remainder = np.array([r for _, r in blended], dtype=I64)
            # One denominator for the blend: both lines' schedules share their breakpoints, the gate and cap.
            out[at] = perm_rule.rounded(quotient, remainder, _BLEND_DEN, x, n)
        return out


    def own_margins(self, is_recruiter: np.ndarray, expected: np.ndarray, person_ids: np.ndarray | None,
                    books: PeriodBooks | None, period: int | None) -> np.ndarray:
        """Each producer's expected marginal rate on one more dollar credited in engine ``period`` (the month
        effort is chosen for): the period's schedule seen from the credit to date (a new period, or no books:
        none), with the rest of the period uncertain (:func:`~sim.comp.marginal.period_marginal_rates`).
        With rates by line, the lines' margins are weighted by the person's perm share to date (half
        without credit). Terms are those of a full period."""
        n = len(is_recruiter)
        plan_period, month = self.calendar(0 if period is None else period)
        to_perm, to_contract = np.zeros(n), np.zeros(n)
        if books is not None and person_ids is not None and len(books.ids) and books.period == plan_period \
                and month > 1:
            rows = _index(books.ids).find(np.asarray(person_ids, dtype=I64))
            to_perm = np.concatenate((books.perm, [0]))[rows].astype(float)
            to_contract = np.concatenate((books.contract, [0]))[rows].astype(float)
        to_date = to_perm + to_contract
        share = np.where(to_date > 0, to_perm / np.maximum(to_date, 1.0), 0.5)
        out = np.zeros(n)
        for code, recruiter in ((0, True), (1, False)):
            at = (is_recruiter == recruiter).nonzero()[0]
            if not len(at):
                continue
            left = self.months - month + 1
            perm = self._margin(code, 0, to_date[at], expected[at], left)
            if self.schedules[code][1] is self.schedules[code][0]:   # one rate for both lines
                out[at] = perm
            else:
                out[at] = share[at] * perm + (1.0 - share[at]) * self._margin(code, 1, to_date[at], expected[at], left)
        return out

    def _margin(self, role: int, line: int, to_date: np.ndarray, expected: np.ndarray, left: int) -> np.ndarray:
        schedule = self.schedules[role][line]
        if self.months == 1:
            if schedule not in self._tables:
                self._tables[schedule] = ExpectedMarginal(schedule)
            return self._tables[schedule](np.trunc(expected))
        if schedule not in self._pieces:
            self._pieces[schedule] = schedule.rate_pieces()
        return period_marginal_rates(*self._pieces[schedule], to_date, expected, left)


_BLEND_DEN = 1 << 40
"""The blend's remainders are kept over this denominator (exact rounding needs only the sign of 2r - den)."""


def _blend(perm: int, contract: int, qp: int, rp: int, qc: int, rc: int, den_p: int, den_c: int) -> tuple[int, int]:
    """``(P vp + C vc) / (P + C)`` for exact ``vp = qp + rp/den_p``, ``vc = qc + rc/den_c``: quotient and a
    remainder over :data:`_BLEND_DEN` that rounds the same way (half to even) as the exact value."""
    total = perm + contract
    if not total:
        return 0, 0
    num = perm * (qp * den_p + rp) * den_c + contract * (qc * den_c + rc) * den_p
    den = total * den_p * den_c
    quotient, rest = divmod(num, den)
    twice = 2 * rest
    # A remainder over _BLEND_DEN on the same side of one half as rest / den (exactly one half kept as is).
    half = _BLEND_DEN // 2
    return quotient, half if twice == den else (half + 1 if twice > den else (half - 1 if rest else 0))


def pay_terms(terms: Terms, p: Period, who: np.ndarray, credited: np.ndarray, perm_credited: np.ndarray,
              weight: tuple[int, int], books: PeriodBooks, pay: Callable[[np.ndarray, np.ndarray], None],
              taken: np.ndarray | None = None, placed: dict[tuple[int, int], int] | None = None) -> PeriodBooks:
    """Each member's commission this month (``credited``: GP credited this month, ``perm_credited`` its
    perm part, both net of fall-offs) handed to ``pay`` with its line kind (codes into :data:`KINDS`), then
    the SPIFs paid into ``p``; returns the next books. ``taken``: each member's clawbacks this month on
    the open period's placements, which count against its paid to date; ``placed``: the period's perm
    credit by placement to carry (:mod:`sim.comp.period_falloffs`)."""
    ids, n = p.ids, len(p.ids)
    rows = np.full(n, len(books.ids), dtype=I64) if not len(books.ids) else _index(books.ids).find(ids)
    period, month = terms.calendar(p.cols.period)

    def prior(column: np.ndarray, carried: bool) -> np.ndarray:
        if not carried or not len(books.ids):
            return np.zeros((n, *column.shape[1:]), dtype=I64)
        return np.concatenate((column, np.zeros((1, *column.shape[1:]), dtype=I64)))[rows]

    same = books.continues(period, month)
    perm = prior(books.perm, same) + perm_credited
    contract = prior(books.contract, same) + credited - perm_credited
    months = prior(books.months, same) + 1
    paid = prior(books.paid, same) if taken is None else prior(books.paid, same) - taken
    amount, kinds = np.zeros(n, dtype=I64), np.zeros(n, dtype=np.int8)
    if terms.schedules:
        earned = np.zeros(n, dtype=I64)
        for role in terms.schedules:
            at = (p.roles == role).nonzero()[0]
            if len(at):
                earned[at] = terms.earned(role, perm[at], contract[at], months[at])
        if weight[0] != weight[1]:
            earned = half_even(earned, Rate(*weight), max(int(earned.max(initial=0)), 1))
        last = month == terms.months
        amount = earned - paid if last else np.maximum(earned - paid, 0)
        if terms.months > 1:
            kinds = np.where(amount < 0, 3, 2 if last else 1).astype(np.int8)
    if terms.schedules:
        pay(amount, kinds)
    width = max(len(terms.goals), 1)
    counts = prior(books.spif_counts, True) if books.spif_counts.shape[1] == width else \
        np.zeros((n, width), dtype=I64)
    if terms.spifs:
        _pay_spifs(terms, p, who, books.contracts, counts)
    cols = p.cols
    perm_flags = np.ones(len(cols.credit_placement_ids), dtype=bool) if cols.credit_perm is None else \
        np.asarray(cols.credit_perm)
    contracts = np.unique(cols.credit_placement_ids[~perm_flags]) if terms.watch_contracts else books.contracts
    order = np.argsort(ids, kind="stable")
    return PeriodBooks(period, ids[order], perm[order], contract[order], months[order],
                       (paid + amount)[order], counts[order], contracts, placed or {})


KINDS = (COMMISSION, ADVANCE, TRUE_UP, ADVANCE_CLAWBACK)
"""The line kind of each code :func:`pay_terms` returns."""


def _index(ids: np.ndarray) -> Index:
    from .engine import Index  # the engine imports this module
    return Index(ids)


def _pay_spifs(terms: Terms, p: Period, who: np.ndarray, last_contracts: np.ndarray, counts: np.ndarray) -> None:
    """Each SPIF's pay this month into ``p`` (lines name the placement, or none for a goal reached);
    ``counts`` (a column per goal SPIF, rows the members) is updated in place."""
    cols, n = p.cols, len(p.ids)
    month = cols.period - terms.first_month + 1
    placements = cols.credit_placement_ids
    perm = np.ones(len(placements), dtype=bool) if cols.credit_perm is None else np.asarray(cols.credit_perm)
    new_contract = ~perm & ~np.isin(placements, last_contracts)
    for s, rule in enumerate(terms.spifs):
        if not rule.first <= month <= rule.last:
            continue
        fits = perm if rule.kind == "perm" else new_contract if rule.kind == "contract" else perm | new_contract
        sides = (np.concatenate((fits, fits)) & (p.shares > 0) & (who < n)).nonzero()[0]
        person = who[sides]
        keep = np.isin(p.roles[person], rule.roles)
        pairs = sorted(set(zip(person[keep].tolist(), np.concatenate((placements, placements))[sides[keep]].tolist(),
                               strict=True)))
        if rule.goal is None:
            for i, placement in pairs:
                _spif_line(p, i, rule.amount_cents, placement)
            continue
        column = terms.goals.index(s)
        got = np.bincount(np.array([i for i, _ in pairs], dtype=I64), minlength=n)
        before = counts[:, column].copy()
        counts[:, column] += got
        for i in ((before < rule.goal) & (counts[:, column] >= rule.goal)).nonzero()[0].tolist():
            _spif_line(p, i, rule.amount_cents, None)


def _spif_line(p: Period, i: int, cents: int, placement: int | None) -> None:
    p.variable[i] += cents
    p.by_kind[SPIF] += cents
    if p.lines is not None:
        p.lines[i].append(Line(SPIF, cents, placement))
