"""Pay statements: one per member per period, made of signed lines in cents.

A statement's total is *defined* as the sum of its lines, so statements reconcile by construction.
Line kinds:

==================  =====================================================================  ======
kind                meaning                                                                sign
==================  =====================================================================  ======
base                monthly base salary of the role                                        >= 0
commission          individual commission, one line per credited placement (placement_id)  >= 0
pool                the person's share of a team pool                                      >= 0
override            pod lead's override on the pod's net GP                                >= 0
development_bonus   pod lead's bonus for producers reaching the tenure milestone           >= 0
draw_topup          new hire's guaranteed draw topping up variable pay                     >= 0
draw_recovery       repayment of an earlier recoverable draw out of variable pay           <= 0
clawback            commission taken back after a fall-off (placement_id set), or the      <= 0
                    person's share of a negative team pool (placement_id None)
==================  =====================================================================  ======

Lines of zero cents are left out, except ``base``, which every statement carries (so a statement is never
empty). Line order is deterministic: base, commission and clawback lines by ascending placement_id, pool,
pod-lead lines, draw lines; it never depends on the order of records in the ledger.

``Line`` and ``Statement`` are NamedTuples rather than frozen dataclasses because ``pay()`` builds
hundreds per call and a NamedTuple is built about twice as fast (0.43 us against 0.77 us per Line
on CPython 3.11); they are just as immutable and picklable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

BASE = "base"
COMMISSION = "commission"
POOL = "pool"
OVERRIDE = "override"
DEVELOPMENT_BONUS = "development_bonus"
DRAW_TOPUP = "draw_topup"
DRAW_RECOVERY = "draw_recovery"
CLAWBACK = "clawback"
LINE_KINDS = (BASE, COMMISSION, POOL, OVERRIDE, DEVELOPMENT_BONUS, DRAW_TOPUP, DRAW_RECOVERY, CLAWBACK)
NEGATIVE_KINDS = frozenset({DRAW_RECOVERY, CLAWBACK})
VARIABLE_KINDS = frozenset({COMMISSION, POOL, CLAWBACK})
"""Kinds that make up *variable pay*, against which a draw is topped up and recovered."""


class Line(NamedTuple):
    """One signed amount on a statement; ``placement_id`` names the placement it is about, if any."""

    kind: str
    cents: int
    placement_id: int | None = None


class Statement(NamedTuple):
    """What one member is paid for one period."""

    person_id: int
    period: int
    role: str
    pod: int
    lines: tuple[Line, ...]

    @property
    def total_cents(self) -> int:
        """The sum of the lines: the pay for the period, in cents."""
        return sum(line.cents for line in self.lines)

    def cents_of(self, kind: str) -> int:
        """The sum of the lines of one kind."""
        return sum(line.cents for line in self.lines if line.kind == kind)


def payroll_totals(statements: Iterable[Statement]) -> dict[str, int]:
    """Cents paid by line kind over ``statements``, every kind present (0 if none), plus ``"total"``.

    ``totals["total"] == sum(s.total_cents for s in statements)`` always holds.
    """
    totals = dict.fromkeys(LINE_KINDS, 0)
    for statement in statements:
        for line in statement.lines:
            totals[line.kind] += line.cents
    totals["total"] = sum(totals[kind] for kind in LINE_KINDS)
    return totals
