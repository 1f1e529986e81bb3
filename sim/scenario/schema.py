"""The scenario schema: every key, its default, its range and what it means, in one place.

A scenario YAML file is validated once, at the boundary, into these frozen pydantic models.
Unknown keys are rejected (with a did-you-mean, see :mod:`sim.scenario.loader`). Each default
is documented with its source in docs/model.md; values marked *assumption* there are knobs
nobody has measured.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.comp import PlanParams
from sim.scenario.workshop import Workshop, check_schemes


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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

    @model_validator(mode="after")
    def _ordered(self) -> Market:
        if self.conversion_min > self.conversion_max:
            raise ValueError("conversion_min must not exceed conversion_max")
        return self


class Effort(Strict):
    cost: float = Field(1.0, gt=0, le=100, description="Convexity k of the effort cost k e^2/2.")
    intrinsic: float = Field(0.4, ge=0, le=10, description="Intrinsic motivation (marginal benefit with no pay).")
    money_weight: float = Field(2.4, ge=0, le=100, description="Utility of a marginal dollar share of own output.")
    minimum: float = Field(0.2, ge=0, le=10, description="Lowest effort anyone chooses.")
    maximum: float = Field(1.6, gt=0, le=10, description="Highest effort anyone can sustain.")
    social_weight: float = Field(0.3, ge=0, le=5, description="Weight on a teammate's pay relative to one's own.")
    peer_pressure: float = Field(0.5, ge=0, le=5,
                                 description="Extra weight from mutual monitoring under shared pay (pair-sized team).")
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
    help_cost: float = Field(0.15, ge=0, le=1, description="Share of own production given up at full cooperation.")
    help_benefit: float = Field(1.5, ge=0, le=10, description="Output a unit of help adds for teammates per unit it costs.")
    sanction_norm: float = Field(0.8, ge=0, le=1, description="Level that peer sanctions push cooperation toward.")
    sanction_strength: float = Field(0.5, ge=0, le=1,
                                     description="Weight of peer sanctions under shared pay in a pair (shrinks with size).")
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
        description="Monthly market pay reference by role ($).")


class Hiring(Strict):
    delay_days_mean: float = Field(40.0, ge=0, le=365, description="Mean days to fill a vacancy (exponential).")
    cost_fraction: float = Field(0.15, ge=0, le=2, description="Direct hiring cost as a share of annual market pay.")
    ramp_months: float = Field(3.5, ge=0, le=36, description="Time constant of the ramp to full productivity.")
    skill_sd: float = Field(0.3, ge=0, le=2, description="Log-sd of skill (lognormal, mean 1).")
    pipeline_on_quit: Literal["lost", "handover"] = Field("lost", description="What happens to a leaver's open items.")


class Levers(Strict):
    leaderboard_effort: float = Field(0.3, ge=0, le=5, description="Effort boost for the top of a published leaderboard.")
    leaderboard_cooperation: float = Field(0.2, ge=0, le=1, description="Cooperation target cut for the top.")
    leaderboard_salience: float = Field(0.5, ge=0, le=5, description="Extra weight on peer-pay comparison at the bottom.")
    partnership_gain: float = Field(3.0, ge=0, le=50, description="Cooperation target gain per unit of partnership time.")
    lead_results_pressure: float = Field(0.2, ge=0, le=5, description="Effort push from a lead paid on results.")
    lead_development_ramp: float = Field(0.3, ge=0, le=0.9, description="Ramp-time cut under a lead paid on development.")
    lead_development_cooperation: float = Field(0.1, ge=0, le=1, description="Cooperation target gain under such a lead.")


class Behavior(Strict):
    enabled: bool = Field(True, description="Off: effort 1, cooperation fixed, nobody quits (pure market flow).")
    effort: Effort = Effort()
    cooperation: Cooperation = Cooperation()
    turnover: Turnover = Turnover()
    hiring: Hiring = Hiring()
    levers: Levers = Levers()


class Policy(Strict):
    leaderboard: bool = Field(False, description="Publish a production leaderboard.")
    partnership_time: float = Field(0.0, ge=0, le=0.5, description="Share of selling time spent on partnership.")
    hiring_for_cooperation: float = Field(0.0, ge=0, le=1, description="How strongly hiring screens out free riders.")
    remove_star_month: int | None = Field(None, ge=1, le=600,
                                          description="Month at which the top-producing non-cooperator is removed.")


class Scheme(Strict):
    """One compensation scheme: a name, a plan (keys at the same level as ``name``) and policy."""

    name: str = Field(min_length=1, max_length=200)
    plan: PlanParams
    policy: Policy = Policy()

    @model_validator(mode="before")
    @classmethod
    def _gather_plan(cls, data: Any) -> Any:
        if isinstance(data, dict) and "plan" not in data:
            plan = {k: v for k, v in data.items() if k not in ("name", "policy")}
            out: dict[str, Any] = {"plan": plan}
            for key in ("name", "policy"):
                if key in data:
                    out[key] = data[key]
            return out
        return data


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
    seed: int | None = Field(None, ge=0, description="Seed of the sample (default: the scenario seed).")
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


#: Top-level keys a sweep or sensitivity analysis may not vary (they define the experiment itself).
_UNSWEEPABLE = ("name", "description", "replications", "sweep", "uncertain", "workshop")


def _check_dotted(view: dict[str, Any], key: str) -> str | None:
    """None if ``key`` names a setting of the scenario ``view``; otherwise why not (with a hint)."""
    parts = key.split(".")
    if parts[0] in _UNSWEEPABLE:
        return f"{parts[0]!r} cannot be varied by a sweep or a sensitivity analysis"
    node: Any = view
    for i, part in enumerate(parts):
        if isinstance(node, list):  # the scheme list, addressed by name
            names = [s["name"] for s in node]
            if part not in names:
                match = difflib.get_close_matches(part, names, n=1)
                return f"no scheme named {part!r}" + (f" (did you mean {match[0]!r}?)" if match else "")
            node = node[names.index(part)]
            if i + 1 < len(parts) and parts[i + 1] == "name":
                return "a scheme's name cannot be varied"
            continue
        if not isinstance(node, dict) or part not in node:
            options = list(node) if isinstance(node, dict) else []
            match = difflib.get_close_matches(part, options, n=1)
            prefix = ".".join(parts[:i]) + "." if i else ""
            return "not a scenario key" + (f" (did you mean {prefix + match[0]!r}?)" if match else "")
        node = node[part]
    if isinstance(node, list) and parts[-1] == "schemes":
        return "the scheme list cannot be varied; vary a scheme's keys"
    return None


def _view(data: dict[str, Any]) -> dict[str, Any]:
    """The already-validated fields as the YAML shape (plan keys beside the scheme name)."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name == "schemes":
            out[name] = [{"name": s.name, **s.plan.model_dump(mode="json"), "policy": s.policy.model_dump(mode="json")}
                         for s in value]
        else:
            out[name] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    return out


class Scenario(Strict):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    seed: int = Field(12345, ge=0, le=2**63 - 1)
    replications: int = Field(10, ge=1, le=1_000_000)
    horizon_months: int = Field(36, ge=1, le=600)
    firm: Firm = Firm()
    market: Market = Market()
    behavior: Behavior = Behavior()
    policy: Policy = Policy()
    schemes: list[Scheme] = Field(min_length=1)
    sweep: Sweep | None = Field(None, description="Points to run (grid and/or Latin hypercube sample).")
    uncertain: dict[str, Range] | None = Field(
        None, description="Dotted key -> [low, high]: the parameters `teamsim sensitivity` varies.")
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
        view = _view(info.data)
        # A key in a section that failed validation is not checked: that section's own problem is reported.
        earlier = list(cls.model_fields)[: list(cls.model_fields).index(info.field_name)]
        failed = {name for name in earlier if name not in info.data}
        errors = [InitErrorDetails(type=PydanticCustomError("unknown_setting", msg), loc=loc, input={"key": loc[-1]})
                  for loc in locs
                  if loc[-1].split(".")[0] not in failed and (msg := _check_dotted(view, loc[-1]))]
        if errors:  # one error per key, each at its own location (so each names its line)
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return value

    @model_validator(mode="before")
    @classmethod
    def _merge_policy(cls, data: Any) -> Any:
        """A scheme's ``policy`` overrides the top-level one key by key."""
        if not isinstance(data, dict) or not isinstance(data.get("schemes"), list):
            return data
        base = data.get("policy") or {}
        if not isinstance(base, dict):
            return data
        schemes = []
        for s in data["schemes"]:
            if isinstance(s, dict) and isinstance(s.get("policy", {}), dict):
                s = {**s, "policy": {**base, **(s.get("policy") or {})}}
            schemes.append(s)
        return {**data, "schemes": schemes}

    @model_validator(mode="after")
    def _unique_names(self) -> Scenario:
        seen: set[str] = set()
        for s in self.schemes:
            if s.name in seen:
                raise ValueError(f"duplicate scheme name {s.name!r}")
            seen.add(s.name)
        return self

    def scheme(self, name: str) -> Scheme:
        for s in self.schemes:
            if s.name == name:
                return s
        raise KeyError(name)
