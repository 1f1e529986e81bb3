"""Plan parameters as written in a scenario's YAML: pydantic v2 models, validated once at the boundary.

``PlanParams`` is a discriminated union on ``type``: ``salary``, ``individual``, ``team_pool`` or
``hybrid``. Every model forbids unknown keys and gives every field a default and a description, so a
misspelt key fails loudly with its dotted path instead of silently taking the default. Amounts are
**dollars** with at most two decimals, at most a billion (converted to integer cents when a plan is
built); rates and weights are read exactly as ``Decimal(str(x))``, so ``0.1`` is one tenth, to nine
decimal places (more are rounded half to even): the bounds under which the payout engine's int64
arithmetic is exact (:mod:`sim.comp.money`). Errors are ``pydantic.ValidationError``s
whose ``loc`` names the offending key, e.g. ``('individual', 'split')`` or
``('hybrid', 'individual', 'tiers')``. Decimals are dumped as JSON numbers, so a resolved scenario
written back to YAML reads like the input.

Keys common to every type: ``base_monthly``, ``pod_lead`` and ``split`` (the crediting rule also
defines a pod's GP, which a pod lead's override needs under any plan, salary included). Commission
types add ``clawback`` and ``draw``; ``individual``, ``team_pool`` and ``hybrid`` add their own terms.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .terms import (
    PRODUCER_KEYS,
    Accelerator,
    Spif,
    by_role,
    fail,
    line_rates,
    one_or_map,
    quota_map,
    rate_maps,
    role_value,
)

RATE_PLACES = 9
"""Decimal places kept of a rate or weight."""
MAX_DOLLARS = 10**8
"""Largest amount of a plan, in dollars: with rates in [0, 1], no firm or horizon a scenario allows can
overflow int64 cents (the arithmetic is in sim/scenario/limits.py)."""
MAX_ATTAINMENT = 10
"""Largest attainment an accelerator may start at (1,000% of quota): beyond, ``from: 100`` meant 100%."""


def _nine_places(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -RATE_PLACES:
        return value.quantize(Decimal(1).scaleb(-RATE_PLACES), rounding=ROUND_HALF_EVEN)
    return value


def _within_largest(value: Decimal) -> Decimal:
    if value > MAX_DOLLARS:
        raise PydanticCustomError("amount_too_large", "{value} is beyond the largest amount a plan may hold ({limit})",
                                  {"value": f"{value:g}", "limit": f"{MAX_DOLLARS:,}"})
    return value


_as_number = PlainSerializer(float, return_type=float, when_used="json")
Dollars = Annotated[Decimal, Field(ge=0, decimal_places=2, allow_inf_nan=False), AfterValidator(_within_largest),
                    _as_number]
"""A non-negative amount of dollars, to the cent."""
Fraction01 = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False), AfterValidator(_nine_places), _as_number]
"""A rate or share in [0, 1]."""
Weight = Annotated[Decimal, Field(ge=0, le=1000, allow_inf_nan=False), AfterValidator(_nine_places), _as_number]


class Strict(BaseModel):
    """Unknown keys are errors; models are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class BaseMonthly(Strict):
    recruiter: Dollars = Field(Decimal(4000), description="Monthly base of a recruiter, dollars.")
    account_manager: Dollars = Field(Decimal(4500), description="Monthly base of an account manager.")
    pod_lead: Dollars = Field(Decimal(7000), description="Monthly base of a pod lead, dollars.")


class PodLeadTerms(Strict):
    override_rate: Fraction01 = Field(
        Decimal(0), description="Share of the pod's net GP (floored at 0) paid to its lead each month.")
    development_bonus: Dollars = Field(
        Decimal(0), description="Dollars paid to the lead for each producer of the pod whose tenure "
        "reaches milestone_months this month.")
    milestone_months: int = Field(6, ge=0, description="Tenure (completed months) that earns the bonus.")


class Split(Strict):
    """How a placement's GP is credited between its recruiter and its account manager (sums to 1)."""

    recruiter: Fraction01 = Field(Decimal("0.5"), description="Recruiter's share of each placement's GP.")
    account_manager: Fraction01 = Field(Decimal("0.5"), description="Account manager's share of the GP.")

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Split:
        if self.recruiter + self.account_manager != 1:
            total = self.recruiter + self.account_manager
            raise ValueError(f"split shares must sum to exactly 1, got recruiter {self.recruiter} + "
                             f"account_manager {self.account_manager} = {total}")
        return self


class Draw(Strict):
    months: int = Field(3, ge=0, description="New hires (tenure_months < months) are guaranteed the draw.")
    amount: Dollars = Field(Decimal(2000), description="Guaranteed monthly variable pay, dollars.")
    recoverable: bool = Field(True, description="Top-ups are repaid out of later variable pay.")


class Tier(Strict):
    from_: Dollars = Field(Decimal(0), alias="from", description="Commissionable GP (dollars per period) at "
                           "which the tier starts.")
    rate: Fraction01 = Field(Decimal("0.25"), description="Commission rate of the tier.")


def _tiers_ascend_from_zero(tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
    if not tiers:
        raise ValueError("tiers must not be empty (leave the key out for a flat rate)")
    if tiers[0].from_ != 0:
        raise ValueError(f"the first tier must start from 0, not {tiers[0].from_}")
    starts = [t.from_ for t in tiers]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        raise ValueError(f"tier starts must be strictly ascending, got {[float(s) for s in starts]}")
    return tiers


Tiers = Annotated[tuple[Tier, ...], AfterValidator(_tiers_ascend_from_zero)]
"""A rate schedule: the first tier starts from 0, starts strictly ascending."""


class RoleWeights(Strict):
    recruiter: Weight = Field(Decimal(1), description="Pool weight of each recruiter.")
    account_manager: Weight = Field(Decimal(1), description="Pool weight of each account manager.")


class IndividualTerms(Strict):
    """Commission on the person's own credited GP, over the plan's period (see :mod:`sim.comp.terms`
    for the grammar of terms by role and by line)."""

    rate: rate_maps(Fraction01) = Field(  # type: ignore[valid-type]
        Decimal("0.25"), description="Flat commission rate (unused when tiers are set): one rate, by line "
        "{perm, contract}, by role {recruiter, account_manager}, or by role then line.")
    threshold: one_or_map(Dollars, by_role(Dollars, "threshold")) = Field(  # type: ignore[valid-type]
        Decimal(0), description="Credited GP per period before commission starts (paid on the excess); "
        "one amount or by role.")
    tiers: one_or_map(Tiers, by_role(Tiers, "tiers")) | None = Field(  # type: ignore[valid-type]
        None, description="Rate schedule on commissionable GP: first `from` is 0, strictly ascending. "
        "Replaces `rate`. One schedule or by role.")
    accelerator: Literal["marginal", "tiered"] = Field(
        "marginal", description="marginal: each slice at its tier's rate; tiered: all of it at the rate of "
        "the highest tier reached (retroactive).")
    cap: one_or_map(Dollars, by_role(Dollars, "cap")) | None = Field(  # type: ignore[valid-type]
        None, description="Maximum commission per period, dollars; one amount or by role.")
    period: Literal["monthly", "quarterly", "annual"] = Field(
        "monthly", description="The period whose cumulative credited GP thresholds, tiers, cap and quota "
        "apply to: advances monthly, a true-up at its end (docs/finance.md).")
    quota: quota_map(Dollars) = Field(  # type: ignore[valid-type]
        None, description="Credited GP target per period, dollars: one amount or by role (a role left out has "
        "none). Attainment = credited GP / quota.")
    gate: Fraction01 = Field(Decimal(0), description="Attainment below which no commission is paid (needs quota).")
    accelerators: tuple[Accelerator, ...] | None = Field(
        None, description="Rate multipliers on the GP credited above each attainment (needs quota and "
        "accelerator: marginal), `from` strictly ascending.")

    @model_validator(mode="after")
    def _attainment_terms(self) -> IndividualTerms:
        if self.tiers is not None and isinstance(self.rate, BaseModel):   # a one-value rate is the default's
            fail("rate", "tiers replace the rate, so a rate by role or by line beside them would be ignored: give "
                 "tiers by role instead, or drop tiers")
        if (self.gate or self.accelerators) and self.quota is None:
            fail("gate" if self.gate else "accelerators", "gate and accelerators run on attainment: set a quota")
        if self.accelerators is not None:
            if not self.accelerators:
                fail("accelerators", "accelerators must not be empty (leave the key out for none)")
            if self.accelerator != "marginal":
                fail("accelerators", "accelerators multiply marginal rates: use accelerator: marginal")
            starts = [a.from_ for a in self.accelerators]
            if max(starts) > MAX_ATTAINMENT:
                fail("accelerators", f"an accelerator from {max(starts):g} starts at {max(starts):.0%} of quota: "
                     f"attainment is a fraction of quota (1.0 = 100%), at most {MAX_ATTAINMENT}")
            if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
                fail("accelerators", f"accelerator starts must be strictly ascending, got {[float(s) for s in starts]}")
            top = max(a.multiplier for a in self.accelerators)
            rates = _all_rates(self)
            if top * max(rates) > 1:
                fail("accelerators", f"a rate of {max(rates)} times a multiplier of {top} exceeds 1 (100% of GP)")
        return self


def _all_rates(terms: IndividualTerms) -> list[Decimal]:
    """Every rate a schedule of these terms can pay (before accelerators)."""
    if terms.tiers is not None:
        return [t.rate for role in PRODUCER_KEYS for t in role_value(terms.tiers, role)]
    return [r for role in PRODUCER_KEYS for r in line_rates(terms.rate, role)]


class PoolTerms(Strict):
    """A team pool: a share of the pod's (or firm's) net GP, divided among its producers."""

    rate: Fraction01 = Field(Decimal("0.25"), description="Share of the basis's net GP put in the pool.")
    basis: Literal["pod", "firm"] = Field("pod", description="Pool per pod or one pool for the whole firm.")
    sharing: Literal["equal", "role_weights"] = Field("equal", description="Equal shares or shares by role "
                                                      "weight.")
    role_weights: RoleWeights = Field(default_factory=RoleWeights, description="Weights for role_weights "
                                      "sharing.")


class CommonParams(Strict):
    base_monthly: BaseMonthly = Field(default_factory=BaseMonthly, description="Monthly base by role (or one "
                                      "amount for every role).")
    pod_lead: PodLeadTerms = Field(default_factory=PodLeadTerms, description="Pod lead override and bonus.")
    split: Split = Field(default_factory=Split, description="Crediting rule: each placement's GP is split "
                         "between its recruiter and account manager (and their pods).")


    @field_validator("base_monthly", mode="before")
    @classmethod
    def _one_base_for_all(cls, value: Any) -> Any:
        """One amount is every role's base. (Past a before-validator pydantic validates Python objects, so
        numbers become the exact decimals their text says, as they would from the file.)"""
        def exact(v: Any) -> Any:
            return Decimal(str(v)) if isinstance(v, int | float) and not isinstance(v, bool) else v
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return dict.fromkeys(BaseMonthly.model_fields, exact(value))
        return {k: exact(v) for k, v in value.items()} if isinstance(value, dict) else value


class CommissionParams(CommonParams):
    clawback: bool = Field(True, description="Take commission back when a placement falls off; let pools go "
                           "negative.")
    draw: Draw | None = Field(None, description="Guaranteed draw for new hires (none if absent).")
    spifs: tuple[Spif, ...] = Field((), max_length=50, description="Bonuses for stated goals in windows "
                                    "(docs/finance.md).")


class SalaryParams(CommonParams):
    type: Literal["salary"] = Field("salary", description="Base salary only (plus pod lead terms).")


class IndividualParams(CommissionParams, IndividualTerms):
    type: Literal["individual"] = Field("individual", description="Individual commission on credited GP.")


class TeamPoolParams(CommissionParams, PoolTerms):
    type: Literal["team_pool"] = Field("team_pool", description="A shared pool on the pod's or firm's GP.")


class HybridParams(CommissionParams):
    type: Literal["hybrid"] = Field("hybrid", description="A weighted mix of individual commission and pool.")
    individual_weight: Fraction01 = Field(Decimal("0.5"), description="w: individual part scaled by w, pool "
                                          "rate by 1 - w.")
    individual: IndividualTerms = Field(default_factory=IndividualTerms, description="Individual terms.")
    team_pool: PoolTerms = Field(default_factory=PoolTerms, description="Pool terms (rate before 1 - w).")


PlanParams = Annotated[
    SalaryParams | IndividualParams | TeamPoolParams | HybridParams,
    Field(discriminator="type"),
]
"""The validated parameters of one plan, chosen by their ``type`` key."""
