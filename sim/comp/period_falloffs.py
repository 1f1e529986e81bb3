"""Fall-offs on a quarterly or annual plan: the refund takes its share of credit out of the period.

A period's commission is the schedule on the period's credited GP, settled at its end against what was
paid. A placement that falls off (clawback fraction ``f``) while the period it was credited in is still
open must leave that period's credit, or the true-up would pay on it again, or, with a threshold, gate or
accelerator, take back more than was ever paid on it. So, with clawback on, for each member it names:

* the clawback line takes back ``f`` of what was paid on the placement in earlier months (as on a
  monthly plan), and that amount counts against the period's paid to date;
* ``f`` of the member's credit on it (rounded half to even) leaves the period's perm credit, so the
  period earns on its credit net of fall-offs; credited this month, it also weighs ``f`` less in this
  month's split (so nothing more is paid on the refunded part).

Over a whole period the advances, true-up, advance clawback and the clawbacks of the period's own
placements add up to the commission on its credit net of fall-offs. A placement credited in an
earlier, closed period is clawed back as on a monthly plan and leaves the open period alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .money import I64, fraction_rate

if TYPE_CHECKING:
    from .engine import Index, Period
    from .state import PlanState

Placed = dict[tuple[int, int], int]
"""``{(placement_id, person_id): cents}``: perm credit of the open period, net of its fall-offs."""


class PeriodFallOffs(NamedTuple):
    shares: np.ndarray
    """This month's credit sides, less the refunded part of those falling off this month."""
    credited: np.ndarray
    """Each member's credit this month, as split (the sum of ``shares``)."""
    cut: np.ndarray
    """Each member's credit leaving the period (this month's and earlier months' placements)."""
    taken: np.ndarray
    """Each member's clawbacks on placements of the open period (against its paid to date)."""
    clawbacks: list[tuple[int, int, int]]
    """``(member index, placement_id, cents)`` of every clawback line, in claim order."""


def falloff_claims(p: Period, members: Index, state: PlanState) -> tuple[dict[int, int], list[tuple[int, int, float]],
                                                                     dict[tuple[int, int], int]]:
    """The month's fall-off claims on members: each person's member index, the sorted ``(placement,
    person, fraction)`` claims, and the commission paid on each claim in earlier months."""
    falloffs = p.cols.falloffs
    named = [person for f in falloffs for person in (f.recruiter_id, f.account_manager_id)]
    at = dict(zip(named, members.find(np.array(named, dtype=I64)).tolist(), strict=True))
    claims = sorted({(f.placement_id, person, f.clawback_fraction) for f in falloffs
                     for person in (f.recruiter_id, f.account_manager_id) if at[person] < members.n})
    return at, claims, state.paid_on({(placement, person) for placement, person, _ in claims})


def placed_in_period(carried: Placed, p: Period, who: np.ndarray, perm: np.ndarray) -> Placed:
    """The open period's perm credit by (placement, person): ``carried`` from its earlier months (empty
    in its first) and this month's perm sides of members."""
    placed = dict(carried)
    sides = np.concatenate((perm, perm)) & (p.shares > 0) & (who < len(p.ids))
    placements = np.concatenate((p.cols.credit_placement_ids, p.cols.credit_placement_ids))
    for side in sides.nonzero()[0].tolist():
        key = (int(placements[side]), int(p.ids[who[side]]))
        placed[key] = placed.get(key, 0) + int(p.shares[side])
    return placed


def period_falloffs(p: Period, members: Index, state: PlanState, placed: Placed, who: np.ndarray,
                    credited: np.ndarray) -> PeriodFallOffs:
    """The clawbacks of this month's fall-offs and what they take out of the open period (see the module);
    ``placed`` is updated in place to the credit that remains."""
    cols, n = p.cols, members.n
    at, claims, before = falloff_claims(p, members, state)
    shares, cut, taken = p.shares.copy(), np.zeros(n, dtype=I64), np.zeros(n, dtype=I64)
    placements = np.concatenate((cols.credit_placement_ids, cols.credit_placement_ids))
    clawbacks = []
    for placement, person, fraction in claims:
        i, rate = at[person], fraction_rate(fraction)
        cents = rate.of(before.get((placement, person), 0))
        if cents:
            clawbacks.append((i, placement, cents))
        if (placement, person) not in placed:
            continue
        taken[i] += cents
        out = rate.of(placed[placement, person])
        placed[placement, person] -= out
        cut[i] += out
        for side in ((placements == placement) & (who == i)).nonzero()[0].tolist():
            # credited this month: the refunded part is not split into this month's pay (a person on both
            # sides of a placement holds two sides: taken from each in turn)
            less = min(out, int(shares[side]))
            shares[side] -= less
            out -= less
    month_cut = np.bincount(who, weights=p.shares - shares, minlength=n + 1)[:n].astype(I64)
    return PeriodFallOffs(shares, credited - month_cut, cut, taken, clawbacks)
