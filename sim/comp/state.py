"""What a plan carries from one period to the next: recoverable draw balances and commission paid.

:class:`PlanState` is opaque to the simulation: it gets one from ``plan.initial_state()``, hands it to
``plan.pay()`` and keeps the new one it gets back. It is immutable in use (``pay`` builds a new state
and never writes into an old one) and picklable, so a replication can be checkpointed or shipped to a
worker.

Commission paid is kept per (placement, person) so that a fall-off can claw back a fraction of what
was actually paid on that placement (net of earlier clawbacks). It is stored as one small dict per
period, newest last: commission paid in period ``q`` can be clawed back by fall-offs in periods ``q``
to ``q + COMMISSION_MEMORY_MONTHS - 1`` (periods are consecutive) and is dropped after that. A perm
guarantee lasts a few months, so two years of memory loses nothing real, while each ``pay`` adds only
its own period's entries and never copies the history.

``pay()`` records a period as nested dicts; ``pay_totals()`` records it as a
:class:`~sim.comp.paid.PaidRecord`, a read-only mapping kept as columns that is equal to the dict
``pay()`` would record for the same period (so the two give equal states, and either can carry on from a
state the other produced).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

COMMISSION_MEMORY_MONTHS = 24

PaidByPerson = dict[int, dict[int, int]]
"""``{person_id: {placement_id: cents}}``: commission paid in one period (clawbacks as negatives)."""
PaidRecordLike = Mapping[int, Mapping[int, int]]
"""A period's record in the history: a ``PaidByPerson`` dict (``pay``) or a ``PaidRecord`` (``pay_totals``)."""


@dataclass(frozen=True, slots=True)
class PlanState:
    """Balances and history carried between periods. Treat as opaque; never mutated by ``pay``."""

    draw_balances: dict[int, int] = field(default_factory=dict)
    """Recoverable draw still owed, in cents, by person_id (only positive balances of current members)."""
    commission_paid: tuple[tuple[int, PaidRecordLike], ...] = ()
    """``(period, {person_id: {placement_id: cents}})``, oldest first; clawbacks recorded as negatives."""

    def paid_on(self, placement_id: int, person_id: int) -> int:
        """Commission paid to a person on a placement within the memory window, net of clawbacks."""
        total = 0
        for _, paid in self.commission_paid:
            if type(paid) is dict:
                mine = paid.get(person_id)
                if mine:
                    total += mine.get(placement_id, 0)
            else:  # a PaidRecord: looked up by placement without building its dicts
                total += paid.cents_on(placement_id, person_id)  # type: ignore[attr-defined]
        return total

    def advanced(self, period: int, draw_balances: dict[int, int], paid_now: PaidRecordLike) -> PlanState:
        """The state after ``period``: new balances, this period's payments appended, old periods dropped."""
        oldest_kept = period + 2 - COMMISSION_MEMORY_MONTHS  # still inside the window next period
        history = tuple(entry for entry in self.commission_paid if entry[0] >= oldest_kept)
        if paid_now:
            history += ((period, paid_now),)
        return PlanState(draw_balances=draw_balances, commission_paid=history)
