"""Behavioural rules as small pure functions: effort, cooperation, quitting.

Each rule is a formula testable without a simulation; docs/model.md gives the sources.

Effort (Holmström 1982; Babcock et al. 2015; Kandel & Lazear 1992). A person chooses effort e to
maximise ``(intrinsic + M) e - cost e^2 / 2`` where M is the money they (and, through social
weight and peer pressure, their teammates) get from a marginal unit of their output. The best
response is ``e* = (intrinsic + M) / cost`` clipped to [minimum, maximum]. With one extra dollar of
own credited gross profit paying ``own`` to the person and ``teammate`` to each of ``teammates``
others::

    M = money_weight * productivity * (own + w_eff * teammates * teammate)
    w_eff = social_weight + peer_pressure / sqrt(teammates)     (peer pressure only under shared pay)

Under an equal pool of N with no social weight or peer pressure and no intrinsic motivation,
``own = rate / N`` so effort is exactly 1/N of the individual plan's (free riding); in a pair with
social weight w it is (1 + w)/2 of it.

Cooperation (Fischbacher & Gächter 2010; Fehr & Gächter 2000). Conditional cooperators move toward
``slope * others' mean`` (slope < 1: imperfect matching, so cooperation decays), plus the private
return of helping; free riders toward their own low level; unconditional cooperators stay high.
Peer sanctions pull targets toward a norm. Each month closes ``speed`` of the gap to the target.

Quitting (Card et al. 2012; Dube et al. 2019; Webber 2015). A monthly hazard that rises with pay
below the market reference and below the role's median (only shortfalls count), with a poor
cooperation climate, and in the first year.
"""

from __future__ import annotations

import math

CONDITIONAL, FREE_RIDER, UNCONDITIONAL = 0, 1, 2
TYPE_NAMES = ("conditional", "free_rider", "unconditional")


def effective_social_weight(social_weight: float, peer_pressure: float, teammate: float, teammates: int) -> float:
    """Weight on teammates' pay: own social preference plus peer pressure, which needs shared pay.

    Peer pressure (mutual monitoring) weakens as the group grows: it is scaled by 1/sqrt(teammates)
    (an assumption; Kandel & Lazear give the direction, not the shape).
    """
    if teammates <= 0 or teammate <= 0.0:
        return social_weight
    return social_weight + peer_pressure / math.sqrt(teammates)


def effort_best_response(
    own: float,
    teammate: float,
    teammates: int,
    productivity: float,
    *,
    cost: float,
    intrinsic: float,
    money_weight: float,
    social_weight: float,
    peer_pressure: float,
    minimum: float,
    maximum: float,
    extra: float = 0.0,
) -> float:
    """Best-response effort; ``extra`` adds non-pay marginal benefits (leaderboard status, a lead's push)."""
    w = effective_social_weight(social_weight, peer_pressure, teammate, teammates)
    money = money_weight * productivity * (own + w * teammates * teammate)
    e = (intrinsic + money + extra) / cost
    return minimum if e < minimum else maximum if e > maximum else e


def help_incentive(own: float, teammate: float, teammates: int, *, help_benefit: float, social_weight: float,
                   money_weight: float) -> float:
    """Private (and social) return of giving one unit of help, in effort-utility units.

    Helping costs one unit of own credited output (paid at ``own``) and adds ``help_benefit`` units
    to a teammate's output, of which the helper gets ``teammate`` through a shared pool, and the
    teammate keeps their own share, weighted by social preference. Individual pay makes it
    negative; a pool with efficient help (benefit > 1) makes it positive.
    """
    selfish = help_benefit * teammate - own
    teammate_keeps = max(own - teammate, 0.0) if teammates > 0 else 0.0
    return money_weight * (selfish + social_weight * help_benefit * teammate_keeps)


def sanction_weight(strength: float, teammate: float, teammates: int) -> float:
    """Weight of peer sanctions: present only when pay is shared, shrinking with group size."""
    if teammates <= 0 or teammate <= 0.0:
        return 0.0
    return min(1.0, strength / math.sqrt(teammates))


def cooperation_target(
    ctype: int,
    others_mean: float,
    incentive: float,
    *,
    slope: float,
    incentive_gain: float,
    free_rider_level: float,
    unconditional_level: float,
    sanction: float = 0.0,
    sanction_norm: float = 0.8,
    shift: float = 0.0,
) -> float:
    """Where a person's cooperation is heading this month (before clipping to [0, 1]).

    ``sanction`` in [0, 1] mixes the type's own target with the sanction norm; ``shift`` adds lever
    effects (partnership time, a development-minded lead, a leaderboard's competition).
    """
    if ctype == UNCONDITIONAL:
        own = unconditional_level
    elif ctype == FREE_RIDER:
        own = free_rider_level + incentive_gain * max(incentive, 0.0)
    else:
        own = slope * others_mean + incentive_gain * incentive
    return (1.0 - sanction) * own + sanction * sanction_norm + shift


def cooperation_step(current: float, target: float, speed: float) -> float:
    """Close ``speed`` of the gap to the target; cooperation stays in [0, 1]."""
    c = current + speed * (target - current)
    return 0.0 if c < 0.0 else 1.0 if c > 1.0 else c


def monthly_from_annual(annual: float) -> float:
    """The monthly probability that compounds to an annual one."""
    return 1.0 - (1.0 - annual) ** (1.0 / 12.0)


def quit_probability(
    pay: float,
    market_pay: float,
    peer_median: float,
    climate: float,
    tenure_months: int,
    *,
    base_monthly: float,
    market_sensitivity: float,
    peer_sensitivity: float,
    climate_sensitivity: float,
    first_year_multiplier: float,
) -> float:
    """Monthly quit probability. Only shortfalls count: those paid more than peers don't react."""
    x = 0.0
    if market_pay > 0 and pay < market_pay:
        x += market_sensitivity * (market_pay - pay) / market_pay
    if peer_median > 0 and pay < peer_median:
        x += peer_sensitivity * (peer_median - pay) / peer_median
    if climate < 0.5:
        x += climate_sensitivity * (0.5 - climate)
    h = base_monthly * math.exp(x)
    if tenure_months < 12:
        h *= first_year_multiplier
    return 0.95 if h > 0.95 else h


def ramp(tenure_months: float, ramp_months: float) -> float:
    """Productivity of a hire relative to a fully ramped person: 1 - exp(-(tenure + 0.5)/tau)."""
    if ramp_months <= 0:
        return 1.0
    return 1.0 - math.exp(-(tenure_months + 0.5) / ramp_months)


def conversion(c_recruiter: float, c_account_manager: float, low: float, high: float) -> float:
    """Chance that a match between a candidate and a job order becomes a placement."""
    return low + (high - low) * 0.5 * (c_recruiter + c_account_manager)


def gini(values: list[float]) -> float:
    """Gini coefficient of non-negative values (0 = equal)."""
    xs = sorted(v for v in values if v >= 0)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total <= 0:
        return 0.0
    cum = sum((i + 1) * x for i, x in enumerate(xs))
    return (2.0 * cum) / (n * total) - (n + 1.0) / n
