"""The cooperation mechanism played as a voluntary-contribution game (VCM) of the laboratory.

Mapping (documented in docs/validation.md). A person's cooperation level is their contribution as a
share of the endowment. Each period every member of a group of ``size`` moves their level with the
model's own rules, :func:`sim.model.behaviour.cooperation_target` then
:func:`sim.model.behaviour.cooperation_step`, seeing the mean of the others' levels of the period
before. The private return of contributing is :func:`sim.model.behaviour.help_incentive` with
``own = 1`` (a token kept is all yours), ``teammate = MPCR`` (each member gets MPCR of every token
contributed), ``help_benefit = 1`` and ``money_weight = LAB_MONEY_WEIGHT = 1`` (the endowment is the
unit of account); with MPCR 0.4 and the default social weight 0.3 this is
``-0.6 + 0.3 * 0.6 = -0.42``. Enforcement (Fehr & Gächter's punishment stage) is the model's peer
sanction with ``sanction_weight(LAB_SANCTION_STRENGTH = 1, 1, size - 1)`` (a full stake: everyone
can punish): in the lab every
contribution is seen and a punishment point costs the target three times what it costs the punisher,
so sanctions are at the top of the model's range. Without enforcement the sanction weight is 0.

Types and starting levels are drawn as :class:`sim.model.people.Workforce` draws them for a hire:
the type by the scenario's shares, the level uniform within ``initial_spread`` of the type's mean.
A *restart* re-forms the groups at random after a period; with ``restart_on_new_team`` everyone
starts the new group afresh (a new draw of their type's level), otherwise conditional cooperators
bring their old group's mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import behaviour as bh
from sim.scenario.schema import Cooperation, Effort

LAB_MONEY_WEIGHT = 1.0
LAB_SANCTION_STRENGTH = 1.0


@dataclass(frozen=True, slots=True)
class Game:
    mpcr: float = 0.4
    size: int = 4
    periods: int = 10
    enforcement: bool = False
    restart_after: int | None = None   # re-form groups after this period (1-based)


def incentive(game: Game, effort: Effort) -> float:
    """The private (and social) return of contributing one token, in the model's incentive units."""
    return bh.help_incentive(1.0, game.mpcr, game.size - 1, help_benefit=1.0, social_weight=effort.social_weight,
                             money_weight=LAB_MONEY_WEIGHT)


def _draw_levels(ctype: np.ndarray, coop: Cooperation, rng: np.random.Generator) -> np.ndarray:
    base = np.array([coop.initial_conditional, coop.initial_free_rider, coop.initial_unconditional])[ctype]
    return np.clip(base + (2.0 * rng.random(ctype.size) - 1.0) * coop.initial_spread, 0.0, 1.0)


def _draw_types(n: int, coop: Cooperation, rng: np.random.Generator) -> np.ndarray:
    t = coop.types
    u = rng.random(n)
    return np.where(u < t.conditional, bh.CONDITIONAL,
                    np.where(u < t.conditional + t.free_rider, bh.FREE_RIDER, bh.UNCONDITIONAL))


def play(game: Game, coop: Cooperation, effort: Effort, groups: int, rng: np.random.Generator) -> np.ndarray:
    """Mean contribution (share of endowment) in each period, over ``groups`` groups."""
    n = groups * game.size
    ctype = _draw_types(n, coop, rng)
    level = _draw_levels(ctype, coop, rng)
    member = np.arange(n) // game.size          # group of each person
    inc = incentive(game, effort)
    sanction = bh.sanction_weight(LAB_SANCTION_STRENGTH, 1.0, game.size - 1) if game.enforcement else 0.0
    path = [float(level.mean())]
    for period in range(1, game.periods):
        if game.restart_after is not None and period == game.restart_after:
            group_mean = np.bincount(member, level, groups) / game.size
            old = group_mean[member]
            member = rng.permutation(member)
            level = _draw_levels(ctype, coop, rng)
            if not coop.restart_on_new_team:
                level = np.where(ctype == bh.CONDITIONAL, old, level)
            path.append(float(level.mean()))
            continue
        sums = np.bincount(member, level, groups)
        others = (sums[member] - level) / (game.size - 1)
        new = np.empty(n)
        for i in range(n):
            target = bh.cooperation_target(int(ctype[i]), float(others[i]), inc, slope=coop.slope,
                                           incentive_gain=coop.incentive_gain, free_rider_level=0.0,
                                           unconditional_level=coop.initial_unconditional, sanction=sanction,
                                           sanction_norm=coop.sanction_norm)
            new[i] = bh.cooperation_step(float(level[i]), target, coop.speed)
        level = new
        path.append(float(level.mean()))
    return np.array(path)


def replicate(game: Game, coop: Cooperation, effort: Effort, groups: int, replications: int,
              seed: int) -> np.ndarray:
    """Paths of ``replications`` independent sessions: shape (replications, periods)."""
    return np.array([play(game, coop, effort, groups, np.random.default_rng(np.random.SeedSequence([seed, r])))
                     for r in range(replications)])
