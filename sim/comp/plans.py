"""The payout engine: one plan turns a period's ledger into one statement per member.

Every plan type (``salary``, ``individual``, ``team_pool``, ``hybrid``) is the same :class:`Plan` with
different parts switched on, so all four have the same shape and a hybrid at ``w = 1`` (``w = 0``) is
the individual (team pool) plan by construction. ``build_plan`` converts the validated parameters once
into exact integer cents and rates; ``pay`` then uses only ints, dicts and tuples.

One period, for each member (in ``members`` order):

1. ``base``: the role's monthly base.
2. Individual part (individual, hybrid): the person's credited GP (their split shares of this period's
   credits) goes through the commission schedule (:mod:`sim.comp.commission`); a hybrid scales it to
   ``round(w * commission)``; it is allocated to ``commission`` lines, one per placement, by largest
   remainder on each placement's credited GP (ties to the lower placement_id). Clawback on: for each
   fall-off naming the person, a ``clawback`` line of ``-round(clawback_fraction * commission paid on
   that placement)`` (paid net of earlier clawbacks, this period's commission included, as recorded in
   the state; a hybrid therefore claws back ``w``-scaled pay, what was actually paid).
3. Pool part (team_pool, hybrid): the person's share of the pod's or firm's pool (:mod:`sim.comp.pools`),
   a ``pool`` line, or a ``clawback`` line when the pool is negative. A hybrid's pool rate is
   ``rate * (1 - w)``.
4. Pod lead: ``override`` = ``round(override_rate * max(0, pod net GP))`` and ``development_bonus`` =
   bonus x the pod's producers whose tenure_months equals milestone_months (split equally, should a
   pod ever have two leads).
5. Draw (producers with tenure_months < months): with variable pay ``V`` = commission + pool + clawback
   lines and guarantee ``G`` = amount while in the draw window (0 after), ``draw_topup`` =
   ``max(0, G - max(0, V))``; if recoverable it is added to the balance, and ``draw_recovery`` =
   ``-min(balance, max(0, V - G))``: the excess of variable pay over the guarantee repays the balance,
   so pay never drops below the guarantee in the window, nor variable pay below 0 after it. Balances of
   people who leave are forgiven.

Credits and fall-offs naming non-members are forfeited (no line). Zero-cent lines are omitted except
``base``.

Speed: ``plan.pay`` on a ledger of 100 members (20 pods of a lead, two recruiters and two account managers;
5% new hires) with 150 credits and 5 fall-offs, carrying a state, takes 0.39 ms (individual: tiers,
threshold, cap, draw), 0.14 ms (team_pool, role weights), 0.44 ms (hybrid) and 0.15 ms (salary with pod
lead override and bonus): best of 7 x 1000 calls with ``timeit`` on CPython 3.11.7 (2-core container,
shared with other jobs), command ``.venv/bin/python -m sim.comp.bench``. Most of the time is the per-person
commission (schedule, largest-remainder split over placements, one Line per placement).
``marginal_return`` costs about 1 us (0.6 us for a flat individual plan).

``plan.pay_totals(columns, state)`` (:mod:`sim.comp.totals`) gives the same totals per member and by
line kind, and the same next state, without statements, vectorised in numpy: 2.5-5.5 times faster
than ``pay`` + ``payroll_totals`` in a run (13 times for an individual plan with clawback off; figures in
:mod:`sim.comp.totals`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from .columns import LedgerColumns
from .commission import Schedule
from .ledger import POD_LEAD, PRODUCER_ROLES, Member, PeriodLedger
from .marginal import NO_RETURN, ExpectedMarginal, MarginalReturn, PoolMargin
from .money import Rate, allocate, allocate_equally, div_half_even, dollars_to_cents, fraction_rate, rate_of
from .params import CommissionParams, HybridParams, IndividualParams, PlanParams, SalaryParams, TeamPoolParams
from .pools import PoolAccount, PoolRule
from .state import PaidByPerson, PlanState
from .statement import (
    BASE,
    CLAWBACK,
    COMMISSION,
    DEVELOPMENT_BONUS,
    DRAW_RECOVERY,
    DRAW_TOPUP,
    OVERRIDE,
    POOL,
    Line,
    Statement,
)
from .totals import PayTotals, TotalsEngine

_fast_new = tuple.__new__
"""Builds a Line or Statement from a complete field tuple, skipping the NamedTuple's Python-level
``__new__`` (twice as fast; used only in the per-line loops of ``pay``)."""


@cache
def _params_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(PlanParams)


def parse_plan_params(params: Mapping[str, Any]) -> PlanParams:
    """Validate a mapping (one scheme's plan keys) into ``PlanParams``; raises ``ValidationError``."""
    return _params_adapter().validate_python(params)


def build_plan(params: PlanParams | Mapping[str, Any]) -> Plan:
    """A ready-to-pay plan from validated parameters, or from a mapping validated first."""
    if not isinstance(params, SalaryParams | IndividualParams | TeamPoolParams | HybridParams):
        params = parse_plan_params(params)
    return Plan(params)


class Plan:
    """A compensation plan: ``initial_state()``, ``pay(ledger, state)``, ``marginal_return(...)``."""

    def __init__(self, params: PlanParams) -> None:
        self.params = params
        base = params.base_monthly
        self._base_lines = {role: Line(BASE, dollars_to_cents(getattr(base, role)))
                            for role in (*PRODUCER_ROLES, POD_LEAD)}  # immutable: shared by all statements
        split = rate_of(params.split.recruiter)
        self._split = (split.num, split.den)
        lead = params.pod_lead
        self._override = rate_of(lead.override_rate)
        self._bonus = dollars_to_cents(lead.development_bonus)
        self._milestone = lead.milestone_months
        self._lead_pays = bool(self._override.num or self._bonus)
        self._schedule: Schedule | None = None
        self._weight = Rate(1, 1)
        self._pool: PoolRule | None = None
        self._draw: tuple[int, int, bool] | None = None
        self._clawback = isinstance(params, CommissionParams) and params.clawback
        if isinstance(params, CommissionParams) and params.draw is not None:
            d = params.draw
            self._draw = (d.months, dollars_to_cents(d.amount), d.recoverable)
        if isinstance(params, IndividualParams):
            self._schedule = Schedule.from_terms(params)
        elif isinstance(params, TeamPoolParams):
            self._pool = PoolRule.from_terms(params, rate_of(params.rate), self._clawback)
        elif isinstance(params, HybridParams):
            w = Fraction(params.individual_weight)
            if w:
                self._schedule = Schedule.from_terms(params.individual)
                self._weight = Rate(w.numerator, w.denominator)
            if w != 1:
                rate = rate_of(Fraction(params.team_pool.rate) * (1 - w))
                self._pool = PoolRule.from_terms(params.team_pool, rate, self._clawback)
        self._totals_engine: TotalsEngine | None = None  # built on the first pay_totals()
        self._own_margin = None if self._schedule is None else ExpectedMarginal(self._schedule)
        self._pool_margin = None if self._pool is None else PoolMargin(
            float(self._pool.rate), self._pool.firm_basis,
            self._pool.weights or dict.fromkeys(PRODUCER_ROLES, 1))

    @property
    def type(self) -> str:
        """The plan type: salary, individual, team_pool or hybrid."""
        return self.params.type

    @property
    def has_pool(self) -> bool:
        """True when part of the pay is a pool shared with others (team_pool, or a hybrid's pool part)."""
        return self._pool is not None

    def __repr__(self) -> str:
        return f"Plan({self.params!r})"

    def initial_state(self) -> PlanState:
        """The state before the first period: no draw balances, no commission paid."""
        return PlanState()

    # ------------------------------------------------------------------------------------------ paying
    def pay(self, ledger: PeriodLedger, state: PlanState) -> tuple[tuple[Statement, ...], PlanState]:
        """One statement per member (in ``ledger.members`` order) and the state for the next period."""
        pod_net, credited = self._tally(ledger)
        producers_by_pod = _producers_by_pod(ledger)
        paid_now: PaidByPerson = {}
        variable: dict[int, list[Line]] = {}  # commission, clawback and pool lines by person
        if self._schedule is not None:
            self._commission_lines(ledger, state, credited, variable, paid_now)
        if self._pool is not None:
            self._pool_lines(pod_net, producers_by_pod, variable)
        lead_lines = self._lead_lines(ledger, pod_net, producers_by_pod) if self._lead_pays else {}
        draw, old_balances = self._draw, state.draw_balances
        balances: dict[int, int] = {}
        statements = []
        period, base_lines, no_lines, new = ledger.period, self._base_lines, (), _fast_new
        for m in ledger.members:
            pid = m.person_id
            lines = [base_lines[m.role], *variable.get(pid, no_lines), *lead_lines.get(pid, no_lines)]
            if draw is not None and (m.tenure_months < draw[0] or pid in old_balances) \
                    and m.role in PRODUCER_ROLES:
                lines += self._draw_lines(m, variable.get(pid, no_lines), old_balances.get(pid, 0), balances)
            statements.append(new(Statement, (pid, period, m.role, m.pod, tuple(lines))))
        if not paid_now and not balances and not state.commission_paid and not old_balances:
            return tuple(statements), state
        return tuple(statements), state.advanced(period, balances, paid_now)

    def pay_totals(self, cols: LedgerColumns, state: PlanState) -> PayTotals:
        """What ``pay()`` pays, without statements: each member's total, totals by kind, the next state.

        ``cols`` is the period's ledger as columns (:func:`~sim.comp.columns.columns_of`). Equal to the
        cent to ``pay(ledger_of(cols), state)``: ``total_cents[i]`` is the statement total of member
        ``i``, ``by_kind == payroll_totals(statements)`` and ``state`` is the same next state. Vectorised
        in numpy int64 for every plan type and option; see :mod:`sim.comp.totals` for the method and
        the overflow fallbacks.
        """
        engine = self._totals_engine
        if engine is None:
            engine = self._totals_engine = TotalsEngine(self)
        return engine(cols, state)

    def _tally(self, ledger: PeriodLedger) -> tuple[dict[int, int], dict[int, dict[int, int]]]:
        """Net GP by pod (credits minus refunds, by split) and credited GP by person and placement."""
        num, den = self._split
        pod_net: dict[int, int] = {}
        credited: dict[int, dict[int, int]] = {}
        individual = self._schedule is not None
        for c in ledger.credits:
            gp = c.gp_cents
            recruiter_share, twice = divmod(gp * num, den)  # round half even, inlined: the hottest loop
            twice += twice
            if twice > den or (twice == den and recruiter_share & 1):
                recruiter_share += 1
            am_share = gp - recruiter_share
            pod_net[c.recruiter_pod] = pod_net.get(c.recruiter_pod, 0) + recruiter_share
            pod_net[c.account_manager_pod] = pod_net.get(c.account_manager_pod, 0) + am_share
            if individual:
                placement = c.placement_id
                if recruiter_share:
                    mine = credited.setdefault(c.recruiter_id, {})
                    mine[placement] = mine.get(placement, 0) + recruiter_share
                if am_share:
                    mine = credited.setdefault(c.account_manager_id, {})
                    mine[placement] = mine.get(placement, 0) + am_share
        for f in ledger.falloffs:
            refund = f.refund_cents
            recruiter_share = div_half_even(refund * num, den)
            am_share = refund - recruiter_share
            pod_net[f.recruiter_pod] = pod_net.get(f.recruiter_pod, 0) - recruiter_share
            pod_net[f.account_manager_pod] = pod_net.get(f.account_manager_pod, 0) - am_share
        return pod_net, credited

    def _commission_lines(self, ledger: PeriodLedger, state: PlanState, credited: dict[int, dict[int, int]],
                          variable: dict[int, list[Line]], paid_now: PaidByPerson) -> None:
        """Commission lines per credited placement, then clawback lines per fall-off, for members.

        Records what is paid on each placement in ``paid_now`` (only when clawback is on: otherwise
        nothing will ever be taken back).
        """
        schedule, weight, record = self._schedule, self._weight, self._clawback
        assert schedule is not None
        scaled = weight.num != weight.den
        member_ids = {m.person_id for m in ledger.members}
        new, kind = _fast_new, COMMISSION
        for person, placements in credited.items():
            if person not in member_ids:
                continue  # left the firm: forfeited
            commission = schedule.commission(sum(placements.values()))
            if scaled:
                commission = weight.of(commission)
            if not commission:
                continue
            if len(placements) == 1:
                ((placement_id, _),) = placements.items()
                lines = [new(Line, (kind, commission, placement_id))]
                if record:
                    paid_now[person] = {placement_id: commission}
            else:
                amounts = allocate(commission, placements)
                lines = [new(Line, (kind, c, i)) for i, c in sorted(amounts.items()) if c]
                if record:
                    paid_now[person] = amounts
            variable[person] = lines
        if not record or not ledger.falloffs:
            return
        claims = sorted({(f.placement_id, person, f.clawback_fraction)
                         for f in ledger.falloffs for person in (f.recruiter_id, f.account_manager_id)
                         if person in member_ids})
        for placement_id, person, fraction in claims:
            paid_here = paid_now.get(person, {}).get(placement_id, 0)
            cents = fraction_rate(fraction).of(state.paid_on(placement_id, person) + paid_here)
            if cents:
                variable.setdefault(person, []).append(Line(CLAWBACK, -cents, placement_id))
                paid_now.setdefault(person, {})[placement_id] = paid_here - cents

    def _pool_lines(self, pod_net: dict[int, int], producers_by_pod: dict[int, list[Member]],
                    variable: dict[int, list[Line]]) -> None:
        """One pool (or negative-pool clawback) line per producer of every basis."""
        rule = self._pool
        assert rule is not None
        for _, net, producers in rule.bases(pod_net, producers_by_pod):
            pool = rule.pool_of(net)
            if pool == 0 or not producers:
                continue
            kind = POOL if pool > 0 else CLAWBACK
            for person, cents in rule.shares(pool, producers).items():
                if cents:
                    variable.setdefault(person, []).append(_fast_new(Line, (kind, cents, None)))

    def _lead_lines(self, ledger: PeriodLedger, pod_net: dict[int, int],
                    producers_by_pod: dict[int, list[Member]]) -> dict[int, list[Line]]:
        """Override and development bonus lines of each pod's lead(s)."""
        leads_by_pod: dict[int, list[int]] = {}
        for m in ledger.members:
            if m.role == POD_LEAD:
                leads_by_pod.setdefault(m.pod, []).append(m.person_id)
        out: dict[int, list[Line]] = {}
        for pod, leads in leads_by_pod.items():
            override = self._override.of(max(0, pod_net.get(pod, 0)))
            reached = sum(1 for p in producers_by_pod.get(pod, ()) if p.tenure_months == self._milestone)
            for kind, amount in ((OVERRIDE, override), (DEVELOPMENT_BONUS, self._bonus * reached)):
                if amount:
                    for person, cents in allocate_equally(amount, leads).items():
                        if cents:
                            out.setdefault(person, []).append(Line(kind, cents))
        return out

    def _draw_lines(self, member: Member, variable_lines: Sequence[Line], balance: int,
                    balances: dict[int, int]) -> list[Line]:
        """Draw top-up or recovery for a producer; records a positive new balance in ``balances``."""
        months, amount, recoverable = self._draw  # type: ignore[misc]
        variable = sum(line.cents for line in variable_lines)
        guarantee = amount if member.tenure_months < months else 0
        topup = max(0, guarantee - max(0, variable))
        recovery = min(balance, max(0, variable - guarantee)) if recoverable else 0
        if recoverable and balance + topup - recovery > 0:
            balances[member.person_id] = balance + topup - recovery
        out = []
        if topup:
            out.append(Line(DRAW_TOPUP, topup))
        if recovery:
            out.append(Line(DRAW_RECOVERY, -recovery))
        return out

    # ------------------------------------------------------------------------------- reconciliation
    def pool_accounts(self, ledger: PeriodLedger) -> tuple[PoolAccount, ...]:
        """Every pool of the period: net GP, what it held, what was paid (the rest is forfeited)."""
        if self._pool is None:
            return ()
        pod_net, _ = self._tally(ledger)
        return self._pool.accounts(pod_net, _producers_by_pod(ledger))

    # --------------------------------------------------------------------------------- incentives
    def marginal_return(self, role: str, pod_counts: Mapping[str, int], firm_counts: Mapping[str, int],
                        expected_credit_cents: float) -> MarginalReturn:
        """Of one extra dollar credited to a ``role`` producer: own share, each teammate's, teammates.

        ``pod_counts``/``firm_counts``: producers by role in the person's pod / the firm, the person
        included. Pod leads produce nothing and get ``(0, 0, 0)``; so does everyone under salary.
        See :mod:`sim.comp.marginal` for the expectation over outcomes.
        """
        if role not in PRODUCER_ROLES:
            return NO_RETURN
        own = 0.0
        if self._own_margin is not None:
            own = self._weight_float * self._own_margin(expected_credit_cents)
        if self._pool_margin is None:
            return MarginalReturn(own, 0.0, 0) if own else NO_RETURN
        pool_own, teammate, teammates = self._pool_margin(role, pod_counts, firm_counts)
        return MarginalReturn(own + pool_own, teammate, teammates)

    def marginal_returns(self, is_recruiter: np.ndarray, pod_recruiters: np.ndarray,
                         pod_account_managers: np.ndarray, firm_recruiters: int, firm_account_managers: int,
                         expected_credit_cents: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`marginal_return` for many producers at once: arrays ``(own, teammate, teammates)``.

        ``is_recruiter``: True for recruiters, False for account managers (pod leads have no return: leave
        them out). ``pod_recruiters``/``pod_account_managers``: producers of each role in each person's
        pod, the person included; ``firm_*``: the same for the whole firm.
        """
        n = len(is_recruiter)
        own = np.zeros(n)
        if self._own_margin is not None:
            own += self._weight_float * self._own_margin.many(np.trunc(expected_credit_cents))
        if self._pool_margin is None:
            return own, np.zeros(n), np.zeros(n, dtype=np.int64)
        if self._pool_margin.firm_basis:
            pod_recruiters = np.full(n, firm_recruiters)
            pod_account_managers = np.full(n, firm_account_managers)
        pool_own, teammate, teammates = self._pool_margin.many(is_recruiter, pod_recruiters, pod_account_managers)
        return own + pool_own, teammate, teammates

    @property
    def _weight_float(self) -> float:
        return self._weight.num / self._weight.den


def _producers_by_pod(ledger: PeriodLedger) -> dict[int, list[Member]]:
    """Recruiters and account managers of each pod, in ``members`` order."""
    out: dict[int, list[Member]] = {}
    for member in ledger.members:
        if member.role in PRODUCER_ROLES:
            out.setdefault(member.pod, []).append(member)
    return out
