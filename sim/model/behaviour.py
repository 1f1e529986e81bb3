"""Behavioural rules as small pure functions: effort, cooperation, quitting, hiring, levers.

Each rule is a formula testable without a simulation; docs/model.md gives the sources and says which
shapes are assumptions. Every mechanism's strength is a function of what is at stake (STYLE.md,
"Modelling behaviour"): no rule switches on in full because a plan has a pool or a lead.

Effort (Holmström 1982; Babcock et al. 2015; Kandel & Lazear 1992). A person chooses effort e to
maximise ``(intrinsic + M) e - cost e^2 / 2``, so ``e* = (intrinsic + M + extra) / cost`` clipped to
[minimum, maximum]. ``M`` is what one more unit of effort is worth in money: its marginal product
``mp`` (expected GP of the placements one more unit of effort makes, in months of market pay, measured
from the person's own desk: demand, queues, the partner's effort) times what the plan pays for it::

    M = money_weight * mp * (own + w_eff * teammates * teammate)
    w_eff = social_weight + peer_pressure * intensity / sqrt(teammates)

``intensity`` = :func:`stake_intensity` of the share of the person's pay that depends on teammates'
output (zero when nothing is shared). With no social terms an equal pool of N gives exactly 1/N of
the individual plan's effort; a pair with social weight w gives (1 + w)/2.

Cooperation (Fischbacher & Gächter 2010; Fehr & Gächter 2000): conditional cooperators move toward
``slope * others' mean`` plus the return of helping (:func:`help_return`, from the model's own
technology: the conversion lift of a cooperating pair and the placements sharing makes), free riders
toward their own low level, unconditional cooperators stay high; peer sanctions, scaled by the stake,
pull toward a norm.

Quitting (Card et al. 2012; Dube et al. 2019; Webber 2015): a monthly hazard rising with pay below
the person's own outside option (which rises with skill), below the role's median, with a poor
cooperation climate, and in the first year.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np

Num: TypeAlias = "float | np.ndarray"
"""Every rule takes scalars or numpy arrays (one element per person) and broadcasts."""

CONDITIONAL, FREE_RIDER, UNCONDITIONAL = 0, 1, 2
TYPE_NAMES = ("conditional", "free_rider", "unconditional")

MP_EFFORT_FLOOR = 0.05
"""The least effort a month's placements are divided by for their value per unit of effort (the record
behind a person's marginal product): near-zero effort does not blow one placement up."""


# ------------------------------------------------------------------------------------------- stakes
def stake_intensity(stake: Num, half: float) -> Num:
    """How strongly a stake works, in [0, 1): ``stake / (stake + half)``; 0 at no stake, monotone, concave.

    ``half``: the stake at which a mechanism works at half its full strength (an assumption with an
    ``uncertain:`` range; the field gives the direction, not the shape).
    """
    s = np.maximum(np.asarray(stake, dtype=float), 0.0)
    return s / (s + half) if half > 0 else np.where(s > 0, 1.0, 0.0)


def shared_stake(teammate: Num, teammates: Num, teammate_credit: Num, pay: Num) -> Num:
    """Share of a person's pay that depends on teammates' output: what their expected credited GP pays
    this person (``teammates * teammate * teammate_credit``) over the person's expected pay."""
    at_stake = np.asarray(teammates, dtype=float) * np.asarray(teammate, dtype=float) * teammate_credit
    pay = np.asarray(pay, dtype=float)
    return np.minimum(np.divide(at_stake, pay, out=np.zeros(np.broadcast(at_stake, pay).shape), where=pay > 0), 1.0)


def effective_social_weight(social_weight: float, peer_pressure: float, intensity: Num, teammates: Num) -> Num:
    """Weight on teammates' pay: own social preference plus peer pressure scaled by the stake's intensity.

    Mutual monitoring weakens as the group grows: 1/sqrt(teammates) (an assumption; Kandel & Lazear
    give the direction, not the shape).
    """
    return social_weight + peer_pressure * np.asarray(intensity) / np.sqrt(np.maximum(teammates, 1))


# ------------------------------------------------------------------------------------------- effort
def effort_best_response(
    own: Num,
    teammate: Num,
    teammates: Num,
    marginal_product: Num,
    *,
    cost: float,
    intrinsic: float,
    money_weight: float,
    social_weight: float,
    peer_pressure: float,
    minimum: float,
    maximum: float,
    intensity: Num = 0.0,
    extra: Num = 0.0,
) -> Num:
    """Best-response effort to the money one more unit of effort makes (see the module docstring).

    ``marginal_product``: expected GP of the placements one more unit of effort makes (months of market pay);
    ``intensity``: the shared stake's intensity (peer pressure); ``extra``: non-pay marginal benefits
    (career concerns, a performance standard, rank feedback, a lead's push), in the same utility units.
    """
    if np.count_nonzero(teammates):
        w = effective_social_weight(social_weight, peer_pressure, intensity, teammates)
        money = money_weight * marginal_product * (own + w * teammates * teammate)
    else:  # nobody shares this pay: the teammates' term is zero
        money = money_weight * marginal_product * own
    return np.minimum(np.maximum((intrinsic + money + extra) / cost, minimum), maximum)


def career_concern(marginal_product: Num, weight: float) -> Num:
    """Marginal benefit of output through future pay and promotion (Holmström 1999; Gibbons & Murphy 1992):
    ``weight`` utility per month's market pay of the marginal GP of placements made, whatever the plan pays now."""
    return weight * np.asarray(marginal_product)


def standard_pressure(ratio: Num, effort: Num, *, standard: float, width: float, value: float) -> Num:
    """Marginal benefit of effort from a performance standard (managing out persistent low producers).

    The chance of falling below the standard is ``p = logistic((standard - ratio) / width)`` where
    ``ratio`` is one's expected credited GP over the role's mean; effort raises the ratio in
    proportion (``d ratio / d e = ratio / e``), so the benefit is ``value * p (1 - p) / width * ratio / e``.
    No standard (0) gives (almost) no pressure; the pressure falls off for those far above it.
    """
    if standard <= 0 or value <= 0:
        return np.zeros(np.shape(ratio))
    r = np.asarray(ratio, dtype=float)
    p = 1.0 / (1.0 + np.exp(-(standard - r) / width))
    return value * p * (1.0 - p) / width * r / np.maximum(effort, 1e-3)


def rank_feedback_effort(rank: Num, *, top: float, bottom: float) -> Num:
    """Effort response to a published ranking by rank (0 = bottom, 1 = top): the top is spurred
    (``+top``), the bottom discouraged (``-bottom``), linear in between (Bandiera, Barankay & Rasul 2013;
    Barankay 2012)."""
    r = np.asarray(rank, dtype=float)
    return top * r - bottom * (1.0 - r)


def rank_feedback_cooperation(rank: Num, intensity: Num, *, cut: float) -> Num:
    """Cut in the cooperation target from a published ranking: ``cut * rank * intensity``, largest at the
    top (entitlement) and growing with the shared stake's intensity: where pay is individual, help a
    ranking could erode is the self-interested kind (one's own pair's conversions), where it is shared,
    help rests on team norms that a ranking undermines (Blader, Gartenberg & Prat 2020; the scaling by
    the stake is an assumption)."""
    return cut * np.asarray(rank, dtype=float) * np.asarray(intensity, dtype=float)


# -------------------------------------------------------------------------------------- cooperation
def help_incentive(own: Num, teammate: Num, teammates: Num, *, help_benefit: float, social_weight: float,
                   money_weight: float) -> Num:
    """Return of giving one unit of help in a linear public-goods game (the lab checks' setting).

    Helping costs one unit of own output (paid at ``own``) and adds ``help_benefit`` units to a
    teammate's output, of which the helper gets ``teammate``, and the teammate keeps their own share,
    weighted by social preference.
    """
    selfish = help_benefit * teammate - own
    if not np.count_nonzero(teammates):
        return money_weight * selfish
    teammate_keeps = np.where(np.asarray(teammates) > 0, np.maximum(own - teammate, 0.0), 0.0)
    return money_weight * (selfish + social_weight * help_benefit * teammate_keeps)


def help_value(pair_gp: Num, shared_gp: Num, coop: Num, pod_coop: Num, waste: Num, *, conversion_min: float,
               conversion_max: float, help_cost: float) -> Num:
    """What one more unit of a person's cooperation adds to the GP of the placements they share ($ a month).

    From the model's technology: conversion of a pair's matches is ``lo + (hi - lo)(c + c')/2``, so
    one unit of c lifts the pair's GP by ``pair_gp (hi - lo) / 2 / conversion``; sharing with pod mates
    happens with chance ``c c_mate``, so its placements grow as ``shared_gp / c``, of which only the
    share ``waste`` is new (the candidates and job orders that would otherwise have expired unplaced:
    the rest would have been placed by their own desks anyway); helping costs
    ``help_cost`` of one's own arrivals, and so of the pair's GP. Without lift or sharing only the cost
    remains (negative).
    """
    lo, hi = conversion_min, conversion_max
    conversion = lo + (hi - lo) * np.asarray(pod_coop, dtype=float)
    lift = np.divide((hi - lo) * 0.5, conversion, out=np.zeros(np.shape(conversion)), where=conversion > 0)
    c = np.asarray(coop, dtype=float)
    sharing = np.asarray(waste) * np.asarray(shared_gp, dtype=float) / np.maximum(c, 0.1)
    lost = help_cost / np.maximum(1.0 - help_cost * c, 1e-6)
    return np.asarray(pair_gp) * (lift - lost) + sharing


def help_return(value: Num, side_share: Num, own: Num, teammate: Num, *, money_weight: float,
                social_weight: Num, career: float = 0.0) -> Num:
    """Return of one more unit of cooperation, in effort-utility units.

    ``value`` (months of market pay, :func:`help_value`) is split between the helper (``side_share``) and the
    pair's other side; the helper is paid ``own`` on theirs and ``teammate`` on the partner's (a shared
    pool), and weighs what teammates actually gain (the partner's side at the partner's own margin, and
    the pool's part of the helper's side) by ``social_weight`` (effective, stake-scaled). ``career``
    values one's own credited output whatever the plan pays (:func:`career_concern`).
    """
    v = np.asarray(value, dtype=float)
    mine, theirs = side_share * v, (1.0 - side_share) * v
    money = own * mine + teammate * theirs
    teammates_gain = own * theirs + teammate * mine
    return money_weight * (money + social_weight * teammates_gain) + career * mine


def sanction_weight(strength: float, intensity: Num, teammates: Num) -> Num:
    """Weight of peer sanctions in [0, 1]: the shared stake's intensity times strength, shrinking with
    group size; none without teammates or without a stake."""
    t = np.asarray(teammates)
    w = strength * np.asarray(intensity, dtype=float) / np.sqrt(np.maximum(t, 1))
    return np.where(t > 0, np.minimum(w, 1.0), 0.0)


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
    effects (partnership time, a development-minded lead, rank feedback's entitlement at the top).
    """
    own = np.where(ctype == UNCONDITIONAL, unconditional_level,
                   np.where(ctype == FREE_RIDER, free_rider_level + incentive_gain * np.maximum(incentive, 0.0),
                            slope * others_mean + incentive_gain * incentive))
    return (1.0 - sanction) * own + sanction * sanction_norm + shift


def cooperation_step(current: Num, target: Num, speed: float) -> Num:
    """Close ``speed`` of the gap to the target; cooperation stays in [0, 1]."""
    return np.minimum(np.maximum(current + speed * (target - current), 0.0), 1.0)


def partnership_gain(time_share: float, *, gain: float, scale: float) -> float:
    """Cooperation target gain from partnership time, with diminishing returns:
    ``gain * scale * (1 - exp(-time / scale))`` (slope ``gain`` at zero, saturating at ``gain * scale``)."""
    if scale <= 0:
        return gain * time_share
    return gain * scale * (1.0 - np.exp(-time_share / scale))


# ----------------------------------------------------------------------------------------- turnover
def monthly_from_annual(annual: float) -> float:
    """The monthly probability that compounds to an annual one."""
    return 1.0 - (1.0 - annual) ** (1.0 / 12.0)


def outside_option(market_pay: Num, skill: Num, elasticity: float) -> Num:
    """What a person could earn elsewhere a month: the role's market pay times ``skill ** elasticity``
    (elasticity below 1: other firms see skill less well than one's own books do)."""
    return np.asarray(market_pay, dtype=float) * np.power(np.asarray(skill, dtype=float), elasticity)


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
    cap: float = 0.95,
) -> Num:
    """Monthly quit probability. ``market_pay``: the person's outside option. Only shortfalls count."""
    market_pay, peer_median = np.asarray(market_pay, dtype=float), np.asarray(peer_median, dtype=float)
    short = np.maximum(market_pay - pay, 0.0)
    x = market_sensitivity * np.divide(short, market_pay, out=np.zeros(short.shape), where=market_pay > 0)
    short = np.maximum(peer_median - pay, 0.0)
    x += peer_sensitivity * np.divide(short, peer_median, out=np.zeros(short.shape), where=peer_median > 0)
    x += climate_sensitivity * np.maximum(0.5 - np.asarray(climate, dtype=float), 0.0)
    h = base_monthly * np.exp(x)
    h = np.where(np.asarray(tenure_months) < 12, h * first_year_multiplier, h)
    return np.minimum(h, cap)


# ------------------------------------------------------------------------------------------- hiring
def pay_skill_gradient(log_pay: np.ndarray, log_skill: np.ndarray) -> float:
    """Slope of log pay on log skill among a role's people (0 with fewer than 3 or no spread in skill):
    how much more the plan pays the more able, which applicants read off the firm's reputation."""
    if log_pay.size < 3:
        return 0.0
    n = log_skill.size   # add.reduce / size is np.mean's own arithmetic, without its wrappers' cost
    x = log_skill - np.add.reduce(log_skill) / n
    sxx = float(x @ x)
    return float(x @ (log_pay - np.add.reduce(log_pay) / n)) / sxx if sxx > 1e-12 else 0.0


def applicant_shift(gradient: float, elasticity: float, sorting: float, skill_sd: float, limit: float) -> float:
    """Shift of the log skill of those who apply and accept (Lazear 2000; Dohmen & Falk 2011).

    Applicants of log skill x accept with weight ``exp(sorting (gradient - elasticity) x)``: pay here
    against pay elsewhere. Tilting a normal of sd s by ``exp(k x)`` moves its mean by ``k s^2``; the
    shift is clipped to ``+-limit`` (a finite pool of applicants).
    """
    k = sorting * (gradient - elasticity)
    return float(min(max(k * skill_sd * skill_sd, -limit), limit))


def ramp(tenure_months: Num, ramp_months: float) -> Num:
    """Productivity of a hire relative to a fully ramped person: 1 - exp(-(tenure + 0.5)/tau)."""
    tau = np.asarray(ramp_months, dtype=float)
    if np.minimum.reduce(tau, axis=None) > 0:   # tau.min() without its Python wrapper
        return 1.0 - np.exp(-(np.asarray(tenure_months) + 0.5) / tau)
    if not np.any(tau > 0):
        return np.ones(np.shape(tenure_months), dtype=float)
    r = 1.0 - np.exp(-(np.asarray(tenure_months) + 0.5) / np.maximum(tau, 1e-12))
    return np.where(tau > 0, r, 1.0)


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
