"""A plan: validated parameters turned once into exact terms, paid by the one engine, with its margins.

Every plan type (``salary``, ``individual``, ``team_pool``, ``hybrid``) is the same :class:`Plan` with
different parts switched on, so all four have one shape and a hybrid at ``w = 1`` (``w = 0``) is the
individual (team pool) plan by construction. The terms are public attributes in integer cents and
exact rates; :func:`sim.comp.engine.pay` reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache
from typing import Any, NamedTuple

import numpy as np
from pydantic import TypeAdapter

from .columns import LedgerColumns, columns_of
from .commission import Schedule
from .engine import Payout, pay
from .ledger import PRODUCER_ROLES, RECRUITER, ROLES, PeriodLedger
from .marginal import ExpectedMarginal, MarginalReturn, PoolMargin
from .money import Rate, dollars_to_cents, rate_of
from .params import (
    CommissionParams,
    HybridParams,
    IndividualParams,
    IndividualTerms,
    PlanParams,
    SalaryParams,
    TeamPoolParams,
)
from .periods import Terms
from .pools import PoolRule
from .state import PlanState


@cache
def _params_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(PlanParams)


def parse_plan_params(params: Mapping[str, Any]) -> PlanParams:
    """Validate a mapping (one scheme's plan keys) into ``PlanParams``; raises ``ValidationError``."""
    return _params_adapter().validate_python(params)


def build_plan(params: PlanParams | Mapping[str, Any], first_month: int = 0) -> Plan:
    """A ready-to-pay plan from validated parameters, or from a mapping validated first. ``first_month``:
    the engine period that is the first month of the plan's calendar (its quarters, years and SPIF windows)."""
    if not isinstance(params, SalaryParams | IndividualParams | TeamPoolParams | HybridParams):
        params = parse_plan_params(params)
    return Plan(params, first_month)


def _beyond_one_schedule(terms: IndividualTerms) -> bool:
    """Whether individual terms need the period machinery: a period, a quota, or terms that differ by role
    or by line."""
    if terms.period != "monthly" or terms.quota is not None:
        return True
    return len({Schedule.from_terms(terms, role, line) for role in PRODUCER_ROLES for line in (0, 1)}) > 1


class DrawTerms(NamedTuple):
    months: int
    amount_cents: int
    recoverable: bool


class Plan:
    """A compensation plan: ``initial_state()``, ``pay(columns, state, lines)``, ``marginal_returns(...)``."""

    def __init__(self, params: PlanParams, first_month: int = 0) -> None:
        self.params = params
        self.bases = np.array([dollars_to_cents(getattr(params.base_monthly, role)) for role in ROLES], dtype=np.int64)
        self.split = rate_of(params.split.recruiter)
        lead = params.pod_lead
        self.override, self.bonus = rate_of(lead.override_rate), dollars_to_cents(lead.development_bonus)
        self.milestone = lead.milestone_months
        self.lead_pays = bool(self.override.num or self.bonus)
        self.clawback = isinstance(params, CommissionParams) and params.clawback
        self.draw: DrawTerms | None = None
        if isinstance(params, CommissionParams) and params.draw is not None:
            self.draw = DrawTerms(params.draw.months, dollars_to_cents(params.draw.amount), params.draw.recoverable)
        self.schedule: Schedule | None = None
        self.weight = Rate(1, 1)
        """A hybrid's ``w``: the share of the individual schedule it pays."""
        self.pool: PoolRule | None = None
        if isinstance(params, IndividualParams):
            self.schedule = Schedule.from_terms(params)
        elif isinstance(params, TeamPoolParams):
            self.pool = PoolRule.from_terms(params, rate_of(params.rate), self.clawback)
        elif isinstance(params, HybridParams):
            w = Fraction(params.individual_weight)
            if w:
                self.schedule, self.weight = Schedule.from_terms(params.individual), Rate(w.numerator, w.denominator)
            if w != 1:
                self.pool = PoolRule.from_terms(params.team_pool, rate_of(Fraction(params.team_pool.rate) * (1 - w)),
                                                self.clawback)
        individual = params if isinstance(params, IndividualParams) else \
            params.individual if isinstance(params, HybridParams) and self.schedule is not None else None
        spifs = params.spifs if isinstance(params, CommissionParams) else ()
        self.terms: Terms | None = None
        """Periods, terms by role or line, attainment or SPIFs (:mod:`sim.comp.periods`); None: one monthly
        schedule for everyone, paid by the engine's plain path."""
        if spifs or (individual is not None and _beyond_one_schedule(individual)):
            self.terms = Terms(individual, spifs, first_month)
        self.fixed_per_member = int(self.bases.max()) + (self.draw.amount_cents if self.draw else 0) + self.bonus
        """Bounds a member's base and draw top-up, and the bonuses per member."""
        self._own_margin = None if self.schedule is None or self.terms is not None else \
            ExpectedMarginal(self.schedule)
        self._pool_margin = None if self.pool is None else PoolMargin(
            self.pool.rate.num / self.pool.rate.den, self.pool.firm_basis, self.pool.weights or (1, 1))

    @property
    def type(self) -> str:
        """The plan type: salary, individual, team_pool or hybrid."""
        return self.params.type

    @property
    def has_pool(self) -> bool:
        """True when part of the pay is a pool shared with others (team_pool, or a hybrid's pool part)."""
        return self.pool is not None

    def __repr__(self) -> str:
        return f"Plan({self.params!r})"

    def initial_state(self) -> PlanState:
        """The state before the first period: no draw balances, no commission paid."""
        return PlanState()

    def pay(self, ledger: LedgerColumns | PeriodLedger, state: PlanState, lines: bool = False) -> Payout:
        """The period's pay (:mod:`sim.comp.engine`): totals, next state and, with ``lines``, statements."""
        return pay(self, columns_of(ledger) if isinstance(ledger, PeriodLedger) else ledger, state, lines)

    def marginal_returns(self, is_recruiter: np.ndarray, pod_recruiters: np.ndarray,
                         pod_account_managers: np.ndarray, firm_recruiters: int, firm_account_managers: int,
                         expected_credit_cents: np.ndarray, person_ids: np.ndarray | None = None,
                         state: PlanState | None = None,
                         period: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Of one extra dollar credited to each producer: own share, each teammate's, number of teammates.

        ``is_recruiter``: True for recruiters, False for account managers (pod leads have no return: leave
        them out). ``pod_*``: producers of each role in each person's pod, the person included; ``firm_*``:
        the same for the whole firm. See :mod:`sim.comp.marginal` for the expectation over outcomes. A
        plan with a quarterly or annual period also reads each person's credit to date in the period
        (``person_ids``, the ``state`` after the last payroll, and the engine ``period`` effort is for).
        """
        n = len(is_recruiter)
        if self.terms is not None and self.terms.schedules:
            own = self.weight.num / self.weight.den * self.terms.own_margins(
                np.asarray(is_recruiter, dtype=bool), np.asarray(expected_credit_cents, dtype=float), person_ids,
                None if state is None else state.books, period)
        elif self._own_margin is not None:
            own = self.weight.num / self.weight.den * self._own_margin(np.trunc(expected_credit_cents))
        else:
            own = np.zeros(n)
        if self._pool_margin is None:
            return own, np.zeros(n), np.zeros(n, dtype=np.int64)
        if self._pool_margin.firm_basis:
            pod_recruiters, pod_account_managers = np.full(n, firm_recruiters), np.full(n, firm_account_managers)
        pool_own, teammate, teammates = self._pool_margin(is_recruiter, pod_recruiters, pod_account_managers)
        return own + pool_own, teammate, teammates

    def marginal_return(self, role: str, pod_counts: Mapping[str, int], firm_counts: Mapping[str, int],
                        expected_credit_cents: float) -> MarginalReturn:
        """:meth:`marginal_returns` for one person (``(0, 0, 0)`` for a pod lead); counts by role name."""
        if role not in PRODUCER_ROLES:
            return MarginalReturn(0.0, 0.0, 0)
        pod, firm = (np.array([counts.get(r, 0) for r in PRODUCER_ROLES]) for counts in (pod_counts, firm_counts))
        own, teammate, teammates = self.marginal_returns(np.array([role == RECRUITER]), pod[:1], pod[1:],
                                                         int(firm[0]), int(firm[1]), np.array([expected_credit_cents]))
        return MarginalReturn(float(own[0]), float(teammate[0]), int(teammates[0]))
