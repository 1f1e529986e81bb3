"""The scenario schema: every key, its default, its range and what it means, in one place.

A scenario YAML file is validated once, at the boundary, into these frozen pydantic models.
Unknown keys are rejected (with a did-you-mean, see :mod:`sim.scenario.loader`). Each default
is documented with its source in docs/model.md; values marked *assumption* there are knobs
nobody has measured.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.comp.params import HybridParams, IndividualParams, PlanParams, SalaryParams, TeamPoolParams
from sim.scenario.limits import SchemeName, Slug, plan_bound_errors
from sim.scenario.paths import check_variable
from sim.scenario.workshop import Workshop, check_schemes


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Firm(Strict):
    pods: int = Field(10, ge=1, le=500, description="Number of pods (teams).")
    recruiters_per_pod: int = Field(5, ge=1, le=100, description="Recruiters per pod.")
    account_managers_per_pod: int = Field(5, ge=1, le=100, description="Account managers per pod.")
    pod_leads: bool = Field(False, description="Whether each pod has a (non-producing) pod lead.")
    days_per_month: int = Field(30, ge=20, le=31, description="Working calendar days per simulated month.")

    @model_validator(mode="after")
    def _not_absurd(self) -> Firm:
        people = self.pods * (self.recruiters_per_pod + self.account_managers_per_pod)
        if people > 20000:
            raise ValueError(f"firm of {people} producers is beyond what one replication should hold (20000)")
        return self


class FallOffRemedy(Strict):
    replacement: float = Field(0.63, ge=0, le=1, description="Free replacement, no refund.")
    prorated_refund: float = Field(0.16, ge=0, le=1, description="Refund pro-rated to the guarantee left.")
    full_refund: float = Field(0.08, ge=0, le=1, description="Whole fee refunded.")
    none: float = Field(0.13, ge=0, le=1, description="No remedy.")

    @model_validator(mode="after")
    def _sums_to_one(self) -> FallOffRemedy:
        total = self.replacement + self.prorated_refund + self.full_refund + self.none
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"remedy shares must sum to 1 (they sum to {total:g})")
        return self


class DemandPeriod(Strict):
    from_month: int = Field(
        ge=1, le=600, description="First month of the period (1-based, counted after the warm-up like every output month).")
    months: int = Field(ge=1, le=600, description="Length of the period in months.")
    factor: float = Field(gt=0, le=10, description="Job-order demand in the period relative to plan (1 = plan).")


class Demand(Strict):
    """Demand that moves: job-order arrivals scaled month by month (see :mod:`sim.model.demand`)."""

    periods: list[DemandPeriod] = Field(default_factory=list, max_length=600,
                                        description="Periods of demand off plan; months outside them are at plan.")
    seasonality: list[Annotated[float, Field(gt=0, le=10)]] | None = Field(
        None, description="Twelve monthly factors, the first for month 1 (multiplies the periods' factor).")
    candidate_elasticity: float = Field(0.2, ge=0, le=5,
                                        description="Candidate supply moves as demand ** -elasticity (assumption).")
    outside_option_lag_months: int = Field(3, ge=0, le=60,
                                           description="Months by which outside options lag demand (assumption).")
    outside_option_elasticity: float = Field(
        0.75, ge=0, le=5,
        description="Outside offers (quit base rate and market pay reference) move as lagged demand ** this.")

    @field_validator("seasonality", mode="after")
    @classmethod
    def _twelve(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and len(value) != 12:
            raise ValueError(f"seasonality takes 12 monthly factors, one per calendar month (got {len(value)})")
        return value

    @model_validator(mode="after")
    def _no_overlap(self) -> Demand:
        spans = sorted((p.from_month, p.from_month + p.months - 1, i) for i, p in enumerate(self.periods))
        errors = [InitErrorDetails(
            type=PydanticCustomError("overlap", "overlaps period {other} (months {a}-{b})",
                                     {"other": i, "a": a0, "b": a1}),
            loc=("periods", j), input={})
            for (a0, a1, i), (b0, _b1, j) in zip(spans, spans[1:], strict=False) if b0 <= a1]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


class Market(Strict):
    job_order_rate: float = Field(6.0, gt=0, le=100, description="Job orders won per AM per month at standard effort.")
    candidate_rate: float = Field(6.0, gt=0, le=100,
                                  description="Placeable candidates sourced per recruiter per month at standard effort.")
    job_order_life_days: float = Field(40.0, gt=0, le=3650, description="Mean days a job order stays open (exponential).")
    candidate_life_days: float = Field(21.0, gt=0, le=3650,
                                       description="Mean days a candidate stays available (exponential).")
    conversion_min: float = Field(0.55, ge=0, le=1, description="Chance a match places when the pair does not cooperate.")
    conversion_max: float = Field(0.95, ge=0, le=1, description="Chance a match places when the pair fully cooperates.")
    cross_pod_sharing: float = Field(0.3, ge=0, le=1,
                                     description="Relative willingness to share across pods rather than within.")
    perm_share: float = Field(0.6, ge=0, le=1, description="Share of job orders that are permanent (vs contract).")
    perm_salary_mean: float = Field(70000.0, gt=0, le=1e7, description="Mean first-year salary of a perm hire ($).")
    perm_salary_cv: float = Field(0.3, ge=0, le=3, description="Coefficient of variation of perm salaries (lognormal).")
    perm_fee_rate: float = Field(0.20, ge=0, le=1, description="Perm fee as a share of first-year salary.")
    contract_gp_monthly_mean: float = Field(2500.0, gt=0, le=1e6, description="Mean contract gross profit per month ($).")
    contract_margin: float = Field(0.25, gt=0, le=1, description="Contract gross margin (GP / billings).")
    contract_months_mean: float = Field(6.0, ge=1, le=120, description="Mean contract length in months (geometric).")
    guarantee_days: int = Field(90, ge=0, le=365, description="Perm guarantee period (days).")
    falloff_probability: float = Field(0.05, ge=0, le=1, description="Chance a perm placement falls off in guarantee.")
    falloff_remedy: FallOffRemedy = FallOffRemedy()
    demand: Demand = Demand()

    @model_validator(mode="after")
    def _ordered(self) -> Market:
        if self.conversion_min > self.conversion_max:
            raise ValueError("conversion_min must not exceed conversion_max")
        return self


class Effort(Strict):
    cost: float = Field(1.0, gt=0, le=100, description="Convexity k of the effort cost k e^2/2.")
    intrinsic: float = Field(0.5, ge=0, le=10, description="Intrinsic motivation (marginal benefit with no pay).")
    money_weight: float = Field(0.3, ge=0, le=100,
                                description="Utility of a month's market pay of marginal pay (effort's money term).")
    minimum: float = Field(0.2, ge=0, le=10, description="Lowest effort anyone chooses.")
    maximum: float = Field(1.6, gt=0, le=10, description="Highest effort anyone can sustain.")
    social_weight: float = Field(0.3, ge=0, le=5, description="Weight on a teammate's pay relative to one's own.")
    peer_pressure: float = Field(0.6, ge=0, le=5,
                                 description="Extra weight from mutual monitoring at a full shared stake (pair-sized "
                                             "team); scaled by the stake's intensity.")
    stake_half: float = Field(0.1, gt=0, le=10,
                              description="Stake (share of pay depending on others) at which peer pressure, sanctions "
                                          "and a lead's push work at half strength (assumption).")
    career_concern: float = Field(0.17, ge=0, le=10,
                                  description="Utility per month's market pay of the marginal GP of placements made, "
                                              "through future pay and promotion, under any plan (assumption).")
    standard_value: float = Field(0.4, ge=0, le=10,
                                  description="Utility of keeping one's job against a performance standard.")
    standard_width: float = Field(0.15, gt=0, le=5,
                                  description="Uncertainty (logistic scale) of one's standing against the standard.")
    credit_weight: float = Field(0.3, gt=0, le=1,
                                 description="Weight of the latest month in the running expectation of one's own credited "
                                             "GP and marginal product (pay smoothing).")
    initial_expected_credit: float = Field(12000.0, ge=0, le=1e7,
                                           description="Credited GP a month ($) people expect before they have a record of their own.")

    @model_validator(mode="after")
    def _ordered(self) -> Effort:
        if self.minimum > self.maximum:
            raise ValueError("effort minimum must not exceed maximum")
        return self


class CooperationTypes(Strict):
    conditional: float = Field(0.6, ge=0, le=1, description="Share of conditional cooperators.")
    free_rider: float = Field(0.3, ge=0, le=1, description="Share of free riders.")
    unconditional: float = Field(0.1, ge=0, le=1, description="Share of unconditional cooperators.")

    @model_validator(mode="after")
    def _sums_to_one(self) -> CooperationTypes:
        total = self.conditional + self.free_rider + self.unconditional
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"type shares must sum to 1 (they sum to {total:g})")
        return self


class Cooperation(Strict):
    enabled: bool = Field(True, description="Off: cooperation stays at its initial value.")
    types: CooperationTypes = CooperationTypes()
    initial_conditional: float = Field(0.45, ge=0, le=1, description="Mean starting cooperation of conditional cooperators.")
    initial_free_rider: float = Field(0.15, ge=0, le=1, description="Mean starting cooperation of free riders.")
    initial_unconditional: float = Field(0.85, ge=0, le=1, description="Cooperation of unconditional cooperators.")
    initial_spread: float = Field(0.1, ge=0, le=0.5, description="Half-width of the uniform spread of starting levels.")
    slope: float = Field(0.85, ge=0, le=2, description="Conditional cooperators' response to others' mean (below 1: decay).")
    speed: float = Field(0.5, ge=0, le=1, description="Share of the gap to the target closed each month.")
    incentive_gain: float = Field(0.5, ge=0, le=10, description="How strongly the private return of helping moves targets.")
    help_cost: float = Field(0.3, ge=0, le=1, description="Share of own production given up at full cooperation.")
    help_benefit: float = Field(1.5, ge=0, le=10,
                                description="Lab checks only: output a unit of help adds for teammates per unit it "
                                            "costs (the firm values help from its own technology).")
    sanction_norm: float = Field(0.8, ge=0, le=1, description="Level that peer sanctions push cooperation toward.")
    sanction_strength: float = Field(0.5, ge=0, le=1,
                                     description="Weight of peer sanctions at a full shared stake in a pair (scaled by "
                                                 "the stake's intensity, shrinks with size).")
    restart_on_new_team: bool = Field(True, description="Hires start fresh, not at the pod's decayed level.")


class Turnover(Strict):
    enabled: bool = Field(True, description="Off: nobody quits.")
    annual_base: float = Field(0.20, ge=0, le=1, description="Baseline annual quit probability at fair pay.")
    first_year_multiplier: float = Field(1.75, ge=1, le=5, description="Hazard multiplier in the first 12 months.")
    market_pay_sensitivity: float = Field(0.5, ge=0, le=20, description="Log-hazard per unit shortfall from market pay.")
    peer_pay_sensitivity: float = Field(1.5, ge=0, le=20,
                                        description="Log-hazard per unit shortfall from the role's median pay.")
    climate_sensitivity: float = Field(0.5, ge=0, le=20, description="Log-hazard per unit of pod cooperation below 0.5.")
    market_pay: dict[Literal["recruiter", "account_manager", "pod_lead"], float] = Field(
        default_factory=lambda: {"recruiter": 5500.0, "account_manager": 6000.0, "pod_lead": 8500.0},
        description="Monthly market pay reference by role ($), for a person of skill 1.")
    outside_skill_elasticity: float = Field(0.3, ge=0, le=3,
                                            description="Elasticity of one's outside option to one's skill (below 1: "
                                                        "other firms see skill less well; assumption).")
    quit_cap: float = Field(0.95, gt=0, le=1, description="Highest monthly quit probability.")


class Hiring(Strict):
    delay_days_mean: float = Field(40.0, ge=0, le=365, description="Mean days to fill a vacancy (exponential).")
    cost_fraction: float = Field(0.15, ge=0, le=2, description="Direct hiring cost as a share of annual market pay.")
    ramp_months: float = Field(3.5, ge=0, le=36, description="Time constant of the ramp to full productivity.")
    skill_sd: float = Field(0.3, ge=0, le=2, description="Log-sd of skill (lognormal, mean 1).")
    pipeline_on_quit: Literal["lost", "handover"] = Field("lost", description="What happens to a leaver's open items.")
    initial_tenure_mean: float = Field(24.0, ge=0, le=600, description="Mean tenure (months, exponential) at the start.")
    applicant_sorting: float = Field(12.0, ge=0, le=50,
                                     description="How strongly applicants sort on pay here against pay elsewhere by skill "
                                                 "(Lazear 2000; assumption).")
    applicant_shift_limit: float = Field(0.4, ge=0, le=3, description="Largest shift of hires' mean log skill.")
    screening_delay: float = Field(0.5, ge=0, le=10,
                                   description="Extra time to fill a vacancy per unit of screening for cooperation.")


class Levers(Strict):
    leaderboard_effort: float = Field(0.3, ge=0, le=5, description="Effort boost for the top of a published leaderboard.")
    leaderboard_discouragement: float = Field(0.1, ge=0, le=5,
                                              description="Effort cut for the bottom of a published leaderboard.")
    leaderboard_cooperation: float = Field(0.25, ge=0, le=1,
                                           description="Cooperation target cut for the top, at a full shared stake.")
    leaderboard_salience: float = Field(0.1, ge=0, le=5, description="Extra weight on peer-pay comparison at the bottom.")
    partnership_gain: float = Field(3.0, ge=0, le=50,
                                    description="Cooperation target gain per unit of partnership time, at the first unit.")
    partnership_scale: float = Field(0.1, ge=0, le=1,
                                     description="Partnership time over which the gain saturates (diminishing returns).")
    lead_results_pressure: float = Field(0.2, ge=0, le=5, description="Effort push from a lead paid on results.")
    lead_development_ramp: float = Field(0.3, ge=0, le=0.9, description="Ramp-time cut under a lead paid on development.")
    lead_development_cooperation: float = Field(0.1, ge=0, le=1, description="Cooperation target gain under such a lead.")
    lead_climate: float = Field(
        0.3, ge=0, le=2,
        description="Under promotion from within: pod mates' cooperation target shift per unit of the lead's cooperation "
                    "above the pod's mean (below it: a cut; assumption).")
    lead_climate_development: float = Field(
        1.0, ge=0, le=5,
        description="Under promotion from within: relative change of a lead's development effect per unit of the "
                    "lead's cooperation above the pod's mean (assumption).")
    promotion_noise: float = Field(
        0.25, gt=0, le=5,
        description="Spread (logit scale, in units of the pod's mean score) of who people think will be promoted: "
                    "sets each producer's chance of the next promotion (assumption).")
    promotion_effort: float = Field(
        0.2, ge=0, le=5,
        description="Effort push at a full promotion stake, scaled by the rule's weight on production (assumption).")
    promotion_cooperation: float = Field(
        0.15, ge=0, le=1,
        description="Cooperation target gain at a full promotion stake, scaled by the rule's weight on partnership "
                    "(assumption).")
    promotion_hoarding: float = Field(
        0.15, ge=0, le=1,
        description="Cooperation target cut at a full promotion stake, scaled by the rule's weight on production: "
                    "helping a rival costs one's own standing (assumption).")
    passed_over_comparison: float = Field(
        0.5, ge=0, le=1,
        description="Weight on the new lead's pay in the peer-pay reference of those passed over for the promotion "
                    "(assumption).")


class Behavior(Strict):
    enabled: bool = Field(True, description="Off: effort 1, cooperation fixed, nobody quits (pure market flow).")
    effort: Effort = Effort()
    cooperation: Cooperation = Cooperation()
    turnover: Turnover = Turnover()
    hiring: Hiring = Hiring()
    levers: Levers = Levers()


class Promotion(Strict):
    """Promotion from within (see :mod:`sim.model.promotion`): a pod's open lead seat goes to one of its producers."""

    by: Literal["production", "partnership", "balanced"] = Field(
        description="Who is promoted: top credited GP over the last 6 months, top cooperation, or a mix.")
    every_months: int = Field(12, ge=1, le=600,
                              description="Months a lead serves before moving up (out of the pods), opening the seat.")
    pay_rise: float = Field(0.3, ge=0, le=5,
                            description="What a promotion is worth, as a share of a producer's pay: with the chance of "
                                        "promotion, the stake that enters effort and cooperation (0: no stake).")
    production_weight: float = Field(0.5, ge=0, le=1,
                                     description="Weight on production (the rest on cooperation) when `by` is balanced.")
    min_tenure_months: int = Field(6, ge=0, le=600,
                                   description="Tenure a producer needs to be promoted (if nobody in the pod has it: anyone).")

    @property
    def weight(self) -> float:
        """The rule's weight on production: 1 for production, 0 for partnership, the stated mix for balanced."""
        return {"production": 1.0, "partnership": 0.0}.get(self.by, self.production_weight)


class Policy(Strict):
    leaderboard: bool = Field(False, description="Publish a production leaderboard.")
    partnership_time: float = Field(0.0, ge=0, le=0.5, description="Share of selling time spent on partnership.")
    hiring_for_cooperation: float = Field(0.0, ge=0, le=1, description="How strongly hiring screens out free riders.")
    remove_star_month: int | None = Field(None, ge=1, le=600,
                                          description="Month at which the top-producing non-cooperator is removed.")
    performance_standard: float = Field(0.0, ge=0, le=2,
                                        description="Manage out producers below this share of their role's mean "
                                                    "credited GP (0: no standard).")
    standard_months: int = Field(3, ge=1, le=60, description="Consecutive months below the standard before managing out.")
    standard_grace_months: int = Field(6, ge=0, le=60, description="Tenure before the standard applies.")
    promotion: Promotion | None = Field(None, description="Promote pod leads from within (needs firm.pod_leads).")


class Finance(Strict):
    """Firm costs outside the plans and the basis of turnover cost: the operating-profit metric, the annual
    P&L and the cost of turnover read them (docs/finance.md). Every scheme is costed on the same basis."""

    payroll_burden: float = Field(0.0765, ge=0, le=1, description="Employer cost on top of every dollar of pay (base, commission, draws), as a share of pay. Default: the US employer FICA share alone (7.65%); add benefits and state taxes for your firm.")
    overhead_per_seat_month: float = Field(0.0, ge=0, le=1_000_000, description="Overhead per seat per month in dollars (rent, systems, job boards), charged for every seat, filled or vacant. Default 0: set your firm's.")
    steady_gp_per_seat_month: float | None = Field(None, ge=0, le=10_000_000, description="Gross profit a filled producer seat makes in a steady month, dollars: values the output lost to empty seats and ramp-up, the same for every scheme. Default: the baseline scheme's mean GP per filled producer seat-month at the same point.")


class Scheme(Strict):
    """One compensation scheme: its ``name``, its plan's ``type`` and terms beside them, and its ``policy``.

    A scheme *is* its plan: one class per plan type (below), each the plan's own model from
    :mod:`sim.comp.params` plus a name and a policy, chosen by ``type``, so the YAML's shape is the
    model's and plan keys are declared once. :attr:`plan` gives the plan alone, as the engine takes it.
    """

    name: SchemeName
    match_cost_of: SchemeName | None = Field(
        None, description="Cost-matched: `teamsim run` solves this plan's pool rate (team_pool, hybrid) or scale (individual) so its expected variable pay equals the named scheme's over the scenario's replications (common random numbers); the solved value is in the manifest and the report (sim/experiment/matching.py).")
    policy: Policy = Policy()
    _own_policy: frozenset[str] | None = PrivateAttr(None)

    @field_serializer("policy")
    def _dump_own_policy(self, policy: Policy, info: Any) -> dict[str, Any]:
        """Only the policy keys the scheme set itself (all of them outside a scenario)."""
        out = policy.model_dump(mode=info.mode)
        return out if self._own_policy is None else {k: v for k, v in out.items() if k in self._own_policy}

    #: The plan model of this scheme type (a class of :mod:`sim.comp.params`); set on each subclass.
    plan_class: ClassVar[type[BaseModel]]

    @cached_property
    def plan(self) -> PlanParams:
        """The plan's terms alone (every default filled), as :func:`sim.comp.build_plan` takes them."""
        cls = self.plan_class
        return cls.model_construct(**{name: getattr(self, name) for name in cls.model_fields})

    @model_validator(mode="after")
    def _within_bounds(self) -> Scheme:
        errors = plan_bound_errors(self.plan)
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    @model_serializer(mode="wrap")
    def _yaml_order(self, handler: Any) -> dict[str, Any]:
        """Dump in the order people write a scheme: name, plan terms (type last), policy."""
        out = handler(self)
        return {"name": out.pop("name"), **{k: v for k, v in out.items() if k != "policy"}, "policy": out["policy"]}


class SalaryScheme(Scheme, SalaryParams):
    plan_class = SalaryParams


class IndividualScheme(Scheme, IndividualParams):
    plan_class = IndividualParams


class TeamPoolScheme(Scheme, TeamPoolParams):
    plan_class = TeamPoolParams


class HybridScheme(Scheme, HybridParams):
    plan_class = HybridParams


#: Scheme classes by plan type (the ``type`` key).
SCHEME_CLASSES: dict[str, type[Scheme]] = {
    typing.get_args(cls.model_fields["type"].annotation)[0]: cls
    for cls in (SalaryScheme, IndividualScheme, TeamPoolScheme, HybridScheme)}

#: Any scheme, chosen by its ``type``.
AnyScheme = Annotated[SalaryScheme | IndividualScheme | TeamPoolScheme | HybridScheme, Field(discriminator="type")]


# ------------------------------------------------------------- sweeps and uncertain parameters
def _ordered_range(pair: tuple[float, float]) -> tuple[float, float]:
    if pair[0] > pair[1]:
        raise ValueError(f"range low {pair[0]:g} is above high {pair[1]:g}")
    return pair


#: A closed numeric range ``[low, high]`` for a dotted key (low may equal high).
Range = Annotated[tuple[float, float], AfterValidator(_ordered_range)]


class SampleSweep(Strict):
    """A Latin hypercube over numeric ranges: ``n`` points, reproducible from ``seed``."""

    n: int = Field(ge=1, le=1_000_000, description="Number of sampled points.")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Seed of the sample (default: the scenario seed).")
    ranges: dict[str, Range] = Field(min_length=1, description="Dotted key -> [low, high].")


class Sweep(Strict):
    """Points to run: the full factorial of ``grid``, crossed with the ``sample`` (if any)."""

    grid: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(
        default_factory=dict, description="Dotted key -> list of values (full factorial).")
    sample: SampleSweep | None = Field(None, description="Latin hypercube over ranges.")

    @model_validator(mode="after")
    def _something_to_sweep(self) -> Sweep:
        if not self.grid and self.sample is None:
            raise ValueError("a sweep needs a 'grid' or a 'sample'")
        both = set(self.grid) & set(self.sample.ranges if self.sample else ())
        if both:
            raise ValueError(f"key {sorted(both)[0]!r} is both in the grid and in the sample")
        return self

    def keys(self) -> list[str]:
        return [*self.grid, *(self.sample.ranges if self.sample else ())]


def _dumped(value: Any) -> Any:
    """A validated field's value in the YAML shape (for checking swept keys against it)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_dumped(v) for v in value]
    return value


class Decision(Strict):
    """What "better" means for ``teamsim robust`` and ``teamsim optimize`` (see :mod:`sim.decision`)."""

    objective: str = Field(description="Metric to improve (its direction comes from sim/metrics.py).")
    constraints: list[str] = Field(default_factory=list, description="Bounds such as turnover_rate_annual<=0.35.")

    @model_validator(mode="after")
    def _known_metrics(self) -> Decision:
        from sim.decision import make_decision
        make_decision(self.objective, self.constraints)   # raises ValueError with one clear line
        return self


class Scenario(Strict):
    name: Slug
    description: str = Field("", max_length=10_000)
    seed: int = Field(12345, ge=0, le=2**63 - 1)
    replications: int = Field(10, ge=1, le=1_000_000)
    horizon_months: int = Field(36, ge=1, le=600)
    warmup_months: int = Field(0, ge=0, le=240,
                               description="Months run before the horizon and left out of every metric.")
    firm: Firm = Firm()
    market: Market = Market()
    behavior: Behavior = Behavior()
    policy: Policy = Policy()
    finance: Finance = Finance()
    schemes: list[AnyScheme] = Field(min_length=1)
    sweep: Sweep | None = Field(None, description="Points to run (grid and/or Latin hypercube sample).")
    uncertain: dict[str, Range] | None = Field(
        None, description="Dotted key -> [low, high]: the parameters `teamsim sensitivity` varies.")
    decision: Decision | None = Field(None, description="Objective and constraints of `teamsim robust`/`optimize`.")
    workshop: Workshop | None = Field(None, description="A guided script of rounds for `teamsim app`.")

    @field_validator("workshop", mode="after")
    @classmethod
    def _rounds_name_schemes(cls, value: Workshop | None, info: ValidationInfo) -> Workshop | None:
        return check_schemes(value, info.data.get("schemes"))

    @field_validator("sweep", "uncertain", mode="after")
    @classmethod
    def _keys_exist(cls, value: Any, info: ValidationInfo) -> Any:
        """Every swept or uncertain key must name an existing setting (checked once the sections are valid)."""
        if value is None or "schemes" not in info.data:
            return value
        if isinstance(value, Sweep):
            ranges = value.sample.ranges if value.sample else {}
            locs = [("grid", k) for k in value.grid] + [("sample", "ranges", k) for k in ranges]
        else:
            locs = [(k,) for k in value]
        view = {name: _dumped(v) for name, v in info.data.items()}
        # A key in a section that failed validation is not checked: that section's own problem is reported.
        earlier = list(cls.model_fields)[: list(cls.model_fields).index(info.field_name)]
        failed = {name for name in earlier if name not in info.data}
        errors = [InitErrorDetails(type=PydanticCustomError("unknown_setting", msg), loc=loc, input={"key": loc[-1]})
                  for loc in locs
                  if loc[-1].split(".")[0] not in failed and (msg := check_variable(view, loc[-1]))]
        if errors:  # one error per key, each at its own location (so each names its line)
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return value

    @model_validator(mode="after")
    def _merge_policy(self) -> Scenario:
        """A scheme's ``policy`` overrides the top-level one key by key. The scheme remembers which keys are
        its own, and dumps only those, so that a dumped scenario with a changed top-level key (a sweep of
        ``policy.*``) still reaches every scheme that did not set that key itself."""
        base = self.policy.model_dump()
        for s in self.schemes:
            own = s._own_policy if s._own_policy is not None else frozenset(s.policy.model_fields_set)
            merged = Policy.model_validate({**base, **s.policy.model_dump(include=set(own))})
            object.__setattr__(s, "policy", merged)   # frozen model: set once, while validating
            s._own_policy = own
        return self

    @model_validator(mode="after")
    def _promotion_needs_leads(self) -> Scenario:
        if not self.firm.pod_leads and any(s.policy.promotion is not None for s in self.schemes):
            raise ValueError("policy.promotion needs pod leads to promote to: set firm.pod_leads: true")
        return self

    @model_validator(mode="after")
    def _demand_within_horizon(self) -> Scenario:
        errors = [InitErrorDetails(
            type=PydanticCustomError("beyond_horizon", "is beyond the horizon of {horizon} months",
                                     {"horizon": self.horizon_months}),
            loc=("market", "demand", "periods", i, "from_month"), input=p.from_month)
            for i, p in enumerate(self.market.demand.periods) if p.from_month > self.horizon_months]
        errors += [InitErrorDetails(   # a SPIF's window (sim/comp/terms.py) that opens after the horizon
            type=PydanticCustomError("beyond_horizon", "is beyond the horizon of {horizon} months",
                                     {"horizon": self.horizon_months}),
            loc=("schemes", i, s.type, "spifs", j, "window", "from_month"), input=spif.window.from_month)
            for i, s in enumerate(self.schemes) for j, spif in enumerate(getattr(s, "spifs", ()))
            if spif.window.from_month > self.horizon_months]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    @model_validator(mode="after")
    def _cost_matches(self) -> Scenario:
        from sim.scenario.matching import match_errors
        errors = match_errors(self.schemes)
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> Scenario:
        seen: set[str] = set()
        for s in self.schemes:
            if s.name in seen:
                raise ValueError(f"duplicate scheme name {s.name!r}")
            seen.add(s.name)
        return self

    def read_from(self, source: str, marks: dict, stated: Sequence[str] = ()) -> Scenario:
        """Record where this scenario was read from, and which ``match_cost_of`` a ``--set`` set aside
        (kept beside the fields: it is no part of its value, so two scenarios of the same settings stay
        equal, and copies and pickles keep it)."""
        self.__dict__["_origin"] = (source, dict(marks), tuple(stated))
        return self

    @property
    def source(self) -> str:
        """The file (or ``<scenario>``) this scenario was read from, for problem lines."""
        return self.__dict__.get("_origin", ("<scenario>", {}))[0]

    @property
    def marks(self) -> dict:
        """(line, column) of each raw key path of the file it was read from (see :mod:`sim.scenario.paths`)."""
        return self.__dict__.get("_origin", ("<scenario>", {}))[1]

    @property
    def stated_over_match(self) -> tuple[str, ...]:
        """One line per scheme whose file's ``match_cost_of`` a ``--set`` of its solved knob set aside
        (:func:`sim.scenario.matching.stated_lines`): the scheme runs at the value given."""
        origin = self.__dict__.get("_origin", ())
        return origin[2] if len(origin) > 2 else ()

    def scheme(self, name: str) -> AnyScheme:
        for s in self.schemes:
            if s.name == name:
                return s
        raise KeyError(name)
