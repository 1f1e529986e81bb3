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

from typing import TypeAlias

import numpy as np

Num: TypeAlias = "float | np.ndarray"
"""Every rule takes scalars or numpy arrays (one element per person) and broadcasts."""

CONDITIONAL, FREE_RIDER, UNCONDITIONAL = 0, 1, 2
TYPE_NAMES = ("conditional", "free_rider", "unconditional")


def effective_social_weight(social_weight: float, peer_pressure: float, teammate: Num, teammates: Num) -> Num:
    """Weight on teammates' pay: own social preference plus peer pressure, which needs shared pay.

    Peer pressure (mutual monitoring) weakens as the group grows: it is scaled by 1/sqrt(teammates)
    (an assumption; Kandel & Lazear give the direction, not the shape).
    """
    shared = (np.asarray(teammates) > 0) & (np.asarray(teammate) > 0.0)
    return np.where(shared, social_weight + peer_pressure / np.sqrt(np.maximum(teammates, 1)), social_weight)


def effort_best_response(
    own: Num,
    teammate: Num,
    teammates: Num,
    productivity: Num,
    *,
    cost: float,
    intrinsic: float,
    money_weight: float,
    social_weight: float,
    peer_pressure: float,
    minimum: float,
    maximum: float,
    extra: Num = 0.0,
) -> Num:
    """Best-response effort; ``extra`` adds non-pay marginal benefits (leaderboard status, a lead's push)."""
    if np.count_nonzero(teammates):
        w = effective_social_weight(social_weight, peer_pressure, teammate, teammates)
        money = money_weight * productivity * (own + w * teammates * teammate)
    else:  # nobody shares this pay: the teammates' term is zero (the same floats, fewer array passes)
        money = money_weight * productivity * own
    return np.minimum(np.maximum((intrinsic + money + extra) / cost, minimum), maximum)


def help_incentive(own: Num, teammate: Num, teammates: Num, *, help_benefit: float, social_weight: float,
                   money_weight: float) -> Num:
    """Private (and social) return of giving one unit of help, in effort-utility units.

    Helping costs one unit of own credited output (paid at ``own``) and adds ``help_benefit`` units
    to a teammate's output, of which the helper gets ``teammate`` through a shared pool, and the
    teammate keeps their own share, weighted by social preference. Individual pay makes it
    negative; a pool with efficient help (benefit > 1) makes it positive.
    """
    selfish = help_benefit * teammate - own
    if not np.count_nonzero(teammates):   # nobody to keep anything: the social term is zero
        return money_weight * selfish
    teammate_keeps = np.where(np.asarray(teammates) > 0, np.maximum(own - teammate, 0.0), 0.0)
    return money_weight * (selfish + social_weight * help_benefit * teammate_keeps)


def sanction_weight(strength: float, teammate: Num, teammates: Num) -> Num:
    """Weight of peer sanctions: present only when pay is shared, shrinking with group size."""
    if not np.count_nonzero(teammates):
        return np.zeros(np.shape(teammates))
    shared = (np.asarray(teammates) > 0) & (np.asarray(teammate) > 0.0)
    return np.where(shared, np.minimum(1.0, strength / np.sqrt(np.maximum(teammates, 1))), 0.0)


def cooperation_target(
    ctype: Num,
    others_mean: Num,
    incentive: Num,
    *,
    slope: float,
    incentive_gain: float,
    free_rider_level: float,
    unconditional_level: float,
    sanction: Num = 0.0,
    sanction_norm: float = 0.8,
    shift: Num = 0.0,
) -> Num:
    """Where a person's cooperation is heading this month (before clipping to [0, 1]).

    ``sanction`` in [0, 1] mixes the type's own target with the sanction norm; ``shift`` adds lever
    effects (partnership time, a development-minded lead, a leaderboard's competition).
    """
    own = np.where(ctype == UNCONDITIONAL, unconditional_level,
                   np.where(ctype == FREE_RIDER, free_rider_level + incentive_gain * np.maximum(incentive, 0.0),
                            slope * others_mean + incentive_gain * incentive))
    return (1.0 - sanction) * own + sanction * sanction_norm + shift


def cooperation_step(current: Num, target: Num, speed: float) -> Num:
    """Close ``speed`` of the gap to the target; cooperation stays in [0, 1]."""
    return np.minimum(np.maximum(current + speed * (target - current), 0.0), 1.0)


def monthly_from_annual(annual: float) -> float:
    """The monthly probability that compounds to an annual one."""
    return 1.0 - (1.0 - annual) ** (1.0 / 12.0)


def quit_probability(
    pay: Num,
    market_pay: Num,
    peer_median: Num,
    climate: Num,
    tenure_months: Num,
    *,
    base_monthly: float,
    market_sensitivity: float,
    peer_sensitivity: float,
    climate_sensitivity: float,
    first_year_multiplier: float,
) -> Num:
    """Monthly quit probability. Only shortfalls count: those paid more than peers don't react."""
    market_pay, peer_median = np.asarray(market_pay, dtype=float), np.asarray(peer_median, dtype=float)
    # A shortfall relative to a reference; no reference (<= 0) means no pressure.
    x = market_sensitivity * np.divide(np.maximum(market_pay - pay, 0.0), market_pay,
                                       out=np.zeros(np.broadcast(market_pay, pay).shape), where=market_pay > 0)
    x += peer_sensitivity * np.divide(np.maximum(peer_median - pay, 0.0), peer_median,
                                      out=np.zeros(np.broadcast(peer_median, pay).shape), where=peer_median > 0)
    x += climate_sensitivity * np.maximum(0.5 - np.asarray(climate, dtype=float), 0.0)
    h = base_monthly * np.exp(x)
    h = np.where(np.asarray(tenure_months) < 12, h * first_year_multiplier, h)
    return np.minimum(h, 0.95)


def ramp(tenure_months: Num, ramp_months: float) -> Num:
    """Productivity of a hire relative to a fully ramped person: 1 - exp(-(tenure + 0.5)/tau)."""
    if ramp_months <= 0:
        return np.ones_like(tenure_months, dtype=float)
    return 1.0 - np.exp(-(np.asarray(tenure_months) + 0.5) / ramp_months)


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
