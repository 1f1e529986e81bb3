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
empty). Line order is deterministic: base, commission then clawback lines by ascending placement_id, the
pool line (a negative pool's share is a clawback line), pod-lead lines, draw lines; it never depends on
the order of records in the ledger. ``Line`` and ``Statement`` are NamedTuples: immutable, picklable
and cheap to build by the hundred.
"""

from __future__ import annotations

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
"""Every line kind, once: the engine's totals by kind and the report's columns follow this order."""


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

