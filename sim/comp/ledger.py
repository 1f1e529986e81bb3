"""The facts of one period (one month) that a plan turns into pay: who is employed, and what they produced.

The simulation only *records* facts here; it never computes pay. A :class:`PeriodLedger` holds:

* ``members``: everyone employed in the period, with role, pod and tenure. Only members are paid;
  credits and fall-offs naming anyone else (people who have left) are forfeited.
* ``credits``: gross profit (GP) recognised this period on each placement, with the recruiter and
  account manager who made it and the pods they were in (a perm placement's whole fee in its start
  month, flagged ``perm``; a contract placement's GP for the month).
* ``falloffs``: perm placements that fell off within their guarantee this period: the GP refunded to
  the client, and the share of the commission paid on the placement that the firm takes back.

All records are frozen slotted dataclasses: cheap to build, hashable, picklable, never mutated by a plan.
Each checks its own invariants on construction, so a bad fact fails where it is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

RECRUITER = "recruiter"
ACCOUNT_MANAGER = "account_manager"
POD_LEAD = "pod_lead"
PRODUCER_ROLES = (RECRUITER, ACCOUNT_MANAGER)
"""Roles that produce GP (recruiters and account managers); a pod lead leads a pod and produces nothing."""
ROLES = (RECRUITER, ACCOUNT_MANAGER, POD_LEAD)
ROLE_CODES: dict[str, int] = {role: code for code, role in enumerate(ROLES)}
"""Role name -> small int code, in the order of ``ROLES``: recruiter 0, account_manager 1, pod_lead 2."""


@dataclass(frozen=True, slots=True)
class Member:
    """A person employed in the period. ``tenure_months``: completed months at its start (0 = first month)."""

    person_id: int
    role: str
    pod: int
    tenure_months: int

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"member {self.person_id}: unknown role {self.role!r}; expected one of {ROLES}")
        if self.tenure_months < 0:
            raise ValueError(f"member {self.person_id}: tenure_months {self.tenure_months} < 0")


@dataclass(frozen=True, slots=True)
class PlacementCredit:
    """GP recognised this period on one placement, in cents, before the recruiter/AM split.

    ``perm``: a perm placement, which may fall off within its guarantee, so the commission paid on it is
    remembered for clawbacks; a contract (``perm=False``) never falls off and is not remembered.
    """

    placement_id: int
    recruiter_id: int
    recruiter_pod: int
    account_manager_id: int
    account_manager_pod: int
    gp_cents: int
    perm: bool = True

    def __post_init__(self) -> None:
        if type(self.gp_cents) is not int or self.gp_cents < 0:
            raise ValueError(
                f"placement {self.placement_id}: gp_cents must be an int >= 0, got {self.gp_cents!r}"
            )


@dataclass(frozen=True, slots=True)
class FallOff:
    """A perm placement that fell off within its guarantee this period.

    ``refund_cents``: GP the firm gave back (>= 0). ``clawback_fraction`` in [0, 1]: the share of the
    commission paid on the placement to take back (1 full refund, prorated in between, 0 replacement).
    """

    placement_id: int
    recruiter_id: int
    recruiter_pod: int
    account_manager_id: int
    account_manager_pod: int
    refund_cents: int
    clawback_fraction: float

    def __post_init__(self) -> None:
        if type(self.refund_cents) is not int or self.refund_cents < 0:
            raise ValueError(
                f"fall-off {self.placement_id}: refund_cents must be an int >= 0, got {self.refund_cents!r}"
            )
        if not 0.0 <= self.clawback_fraction <= 1.0:
            raise ValueError(
                f"fall-off {self.placement_id}: clawback_fraction {self.clawback_fraction} not in [0, 1]"
            )


@dataclass(frozen=True, slots=True)
class PeriodLedger:
    """One period's facts. The order of ``credits`` and ``falloffs`` never changes the pay."""

    period: int
    members: tuple[Member, ...]
    credits: tuple[PlacementCredit, ...] = ()
    falloffs: tuple[FallOff, ...] = ()

    def __post_init__(self) -> None:
        ids = {m.person_id for m in self.members}
        if len(ids) != len(self.members):
            raise ValueError(f"period {self.period}: a person_id appears twice among the members")
