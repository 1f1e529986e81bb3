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
advance             a month's advance on a quarterly or annual plan (placement_id set)     >= 0
true_up             what the period earned beyond its advances, at its end                 >= 0
advance_clawback    advances paid beyond what the period earned, taken back at its end     <= 0
spif                a SPIF: per placement (placement_id set) or for a goal reached         >= 0
==================  =====================================================================  ======

:data:`LINE_RULES` states each kind's rule in one line: the one declared source the report and the
exports read (the table above says the same, at more length).

Lines of zero cents are left out, except ``base``, which every statement carries (so a statement is never
empty). Line order is deterministic: base, commission (or advance, true-up) then clawback lines by
ascending placement_id, an advance clawback, SPIF lines, the pool line (a negative pool's share is a
clawback line), pod-lead lines, draw lines; it never depends on the order of records in the ledger.
``Line`` and ``Statement`` are NamedTuples: immutable, picklable
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
ADVANCE = "advance"
TRUE_UP = "true_up"
ADVANCE_CLAWBACK = "advance_clawback"
SPIF = "spif"
LINE_RULES: dict[str, str] = {
    BASE: "the role's monthly base",
    COMMISSION: "the month's individual commission on credited GP, split over the placements credited",
    POOL: "the person's share of the team pool on the pod's (or firm's) net GP",
    OVERRIDE: "the pod lead's override on the pod's net GP",
    DEVELOPMENT_BONUS: "the pod lead's bonus per producer reaching the tenure milestone",
    DRAW_TOPUP: "the new hire's guaranteed draw topping up variable pay",
    DRAW_RECOVERY: "repayment of a recoverable draw out of variable pay",
    CLAWBACK: "commission taken back on a placement that fell off, or a share of a negative pool",
    ADVANCE: "advance on the period's commission: earned to date on terms pro-rated to the months elapsed, "
             "less advances paid",
    TRUE_UP: "period end: commission the period earned less the advances paid",
    ADVANCE_CLAWBACK: "period end: advances paid beyond what the period earned, taken back",
    SPIF: "a SPIF: its amount per qualifying placement in its window, or once for its goal",
}
"""Each line kind's rule, in the order of :data:`LINE_KINDS`."""
LINE_KINDS = tuple(LINE_RULES)
"""Every line kind, once: the engine's totals by kind and the report's columns follow this order."""
CLAWBACK_KINDS = (CLAWBACK, ADVANCE_CLAWBACK, DRAW_RECOVERY)
"""The kinds whose lines are negative (every other kind's are positive, base >= 0)."""


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

