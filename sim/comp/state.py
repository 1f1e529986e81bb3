"""What a plan carries from one period to the next: recoverable draw balances and commission paid.

:class:`PlanState` is opaque to the simulation: it gets one from ``plan.initial_state()``, hands it to
``plan.pay()`` and keeps the new one it gets back. ``pay`` never writes into a state, and a state
pickles, so a replication can be checkpointed or shipped to a worker.

Commission is remembered only where a clawback may need it: on perm placements (contracts never fall
off), per (placement, person), as one small dict per period, newest last. Commission paid in period
``q`` can be clawed back by fall-offs in periods ``q`` to ``q + COMMISSION_MEMORY_MONTHS - 1`` and is
dropped after that; a perm guarantee lasts a few months, so two years lose nothing real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .periods import PeriodBooks

COMMISSION_MEMORY_MONTHS = 24

PaidOn = dict[tuple[int, int], int]
"""``{(placement_id, person_id): cents}``: commission paid in one period, net of its clawbacks."""


@dataclass(frozen=True, slots=True)
class PlanState:
    """Balances and history carried between periods. Treat as opaque; never mutated by ``pay``."""

    draw_balances: dict[int, int] = field(default_factory=dict)
    """Recoverable draw still owed, in cents, by person_id (only positive balances of current members)."""
    commission_paid: tuple[tuple[int, PaidOn], ...] = ()
    """``(period, {(placement_id, person_id): cents})``, oldest first."""
    books: PeriodBooks | None = None
    """Each member's period to date, for a plan with terms beyond one monthly schedule (else None)."""

    def paid_on(self, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
        """Commission paid on each ``(placement_id, person_id)`` of ``pairs`` within the memory window, net
        of clawbacks (pairs with none are left out)."""
        out: dict[tuple[int, int], int] = {}
        for pair in pairs:   # a few claims against months of payments: look each claim up
            found = [paid[pair] for _, paid in self.commission_paid if pair in paid]
            if found:
                out[pair] = sum(found)
        return out

    def advanced(self, period: int, draw_balances: dict[int, int], paid_now: PaidOn,
                 books: PeriodBooks | None = None) -> PlanState:
        """The state after ``period``: new balances, this period's payments appended, old periods dropped."""
        if not paid_now and not draw_balances and not self.commission_paid and not self.draw_balances \
                and books is self.books:
            return self
        oldest_kept = period + 2 - COMMISSION_MEMORY_MONTHS  # still inside the window next period
        history = self.commission_paid
        if history and history[0][0] < oldest_kept:   # oldest first: usually nothing, else the oldest, to drop
            history = tuple(entry for entry in history if entry[0] >= oldest_kept)
        if paid_now:
            history += ((period, paid_now),)
        return PlanState(draw_balances=draw_balances, commission_paid=history, books=books)
