"""The payout engine: a period's ledger of facts in, one pay statement per person out.

Pure and exact: it never imports simpy or anything else from ``sim``; money is integer cents, rates are
exact ratios, rounding is half to even, and every split (pools, per-placement commission) uses the
largest-remainder rule, so statements sum to their lines and pools pay out exactly what they hold.

Typical use by the simulation::

    plan = build_plan(scheme.plan)                 # PlanParams or a plain mapping
    state = plan.initial_state()
    for month in range(months):
        statements, state = plan.pay(PeriodLedger(month, members, credits, falloffs), state)
        totals = payroll_totals(statements)

A fast run that needs only each member's total and the totals by kind (the same numbers, to the cent)::

    paid = plan.pay_totals(columns_of(ledger), state)  # paid.total_cents, paid.by_kind, paid.state
"""

from .columns import ROLE_CODES, LedgerColumns, columns_of, ledger_of
from .ledger import (
    ACCOUNT_MANAGER,
    POD_LEAD,
    PRODUCER_ROLES,
    RECRUITER,
    ROLES,
    FallOff,
    Member,
    PeriodLedger,
    PlacementCredit,
)
from .marginal import OUTCOME_CV, MarginalReturn
from .params import (
    BaseMonthly,
    Draw,
    HybridParams,
    IndividualParams,
    IndividualTerms,
    PlanParams,
    PodLeadTerms,
    PoolTerms,
    RoleWeights,
    SalaryParams,
    Split,
    TeamPoolParams,
    Tier,
)
from .plans import Plan, build_plan, parse_plan_params
from .pools import PoolAccount
from .state import COMMISSION_MEMORY_MONTHS, PlanState
from .statement import LINE_KINDS, Line, Statement, payroll_totals
from .totals import PayTotals

__all__ = [
    "ACCOUNT_MANAGER", "COMMISSION_MEMORY_MONTHS", "LINE_KINDS", "OUTCOME_CV", "POD_LEAD", "PRODUCER_ROLES",
    "RECRUITER", "ROLE_CODES", "ROLES", "BaseMonthly", "Draw", "FallOff", "HybridParams", "IndividualParams",
    "IndividualTerms", "LedgerColumns", "Line", "MarginalReturn", "Member", "PayTotals", "PeriodLedger",
    "PlacementCredit", "Plan", "PlanParams", "PlanState", "PodLeadTerms", "PoolAccount", "PoolTerms",
    "RoleWeights", "SalaryParams", "Split", "Statement", "TeamPoolParams", "Tier", "build_plan", "columns_of",
    "ledger_of", "parse_plan_params", "payroll_totals",
]
