"""The payout engine: a period's ledger of facts in, each member's pay (and statements) out.

Pure and exact: it never imports simpy or anything else from ``sim``; money is integer cents, rates are
exact ratios, rounding is half to even, and every split (pools, commission over placements, leads)
uses one largest-remainder rule, so statements sum to their lines and pools pay out what they hold.

Typical use by the simulation::

    plan = build_plan(scheme.plan)                 # PlanParams or a plain mapping
    state = plan.initial_state()
    for month in range(months):
        paid = plan.pay(columns, state, lines=detail)   # LedgerColumns (or a PeriodLedger)
        state = paid.state    # paid.total_cents per member, paid.by_kind, paid.statements if lines
"""

from .columns import LedgerColumns, columns_of, ledger_of
from .engine import Payout
from .ledger import (
    ACCOUNT_MANAGER,
    POD_LEAD,
    PRODUCER_ROLES,
    RECRUITER,
    ROLE_CODES,
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
from .state import COMMISSION_MEMORY_MONTHS, PlanState
from .statement import CLAWBACK_KINDS, LINE_KINDS, LINE_RULES, Line, Statement

__all__ = [
    "ACCOUNT_MANAGER", "CLAWBACK_KINDS", "COMMISSION_MEMORY_MONTHS", "LINE_KINDS", "LINE_RULES",
    "OUTCOME_CV", "POD_LEAD", "PRODUCER_ROLES",
    "RECRUITER", "ROLE_CODES", "ROLES", "BaseMonthly", "Draw", "FallOff", "HybridParams", "IndividualParams",
    "IndividualTerms", "LedgerColumns", "Line", "MarginalReturn", "Member", "Payout", "PeriodLedger",
    "PlacementCredit", "Plan", "PlanParams", "PlanState", "PodLeadTerms", "PoolTerms", "RoleWeights",
    "SalaryParams", "Split", "Statement", "TeamPoolParams", "Tier", "build_plan", "columns_of", "ledger_of",
    "parse_plan_params",
]
