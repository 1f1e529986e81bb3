"""A period's ledger as columns: numpy int64 arrays of members and credits, for :meth:`Plan.pay_totals`.

:class:`LedgerColumns` holds exactly what a :class:`~sim.comp.ledger.PeriodLedger` holds, one array per
field: members (``member_*``, aligned with each other) and placement credits (``credit_*``). Roles are
small int codes (:data:`ROLE_CODES`, in the order of :data:`~sim.comp.ledger.ROLES`). Fall-offs are few
per month, so they stay :class:`~sim.comp.ledger.FallOff` objects.

``columns_of(ledger)`` and ``ledger_of(columns)`` convert both ways exactly (``ledger_of(columns_of(l))
== l``). Columns built directly (without a ledger) must hold what a valid ledger holds: distinct
member ids, known role codes, ``tenure >= 0``, ``gp_cents >= 0``, equal lengths; ``pay_totals`` does not
check them again (``ledger_of`` does, through the ledger records).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .ledger import ROLES, FallOff, Member, PeriodLedger, PlacementCredit

ROLE_CODES: dict[str, int] = {role: code for code, role in enumerate(ROLES)}
"""Role name -> int code, in the order of ``ROLES``: recruiter 0, account_manager 1, pod_lead 2."""
ROLE_OF_CODE: dict[int, str] = {code: role for role, code in ROLE_CODES.items()}
"""Int code -> role name (``ROLE_OF_CODE[ROLE_CODES[r]] == r``)."""

_INT64 = np.int64


class LedgerColumns(NamedTuple):
    """One period's facts as columns. Member arrays are aligned; credit arrays are aligned."""

    period: int
    member_ids: np.ndarray
    """int64 person_id of each member, in ``members`` order (statements follow this order)."""
    member_roles: np.ndarray
    """int8 role code (:data:`ROLE_CODES`)."""
    member_pods: np.ndarray
    """int64 pod."""
    member_tenure: np.ndarray
    """int64 tenure_months."""
    credit_placement_ids: np.ndarray
    credit_recruiter_ids: np.ndarray
    credit_recruiter_pods: np.ndarray
    credit_account_manager_ids: np.ndarray
    credit_account_manager_pods: np.ndarray
    credit_gp_cents: np.ndarray
    """int64 GP of each credit, cents, ``>= 0``."""
    falloffs: tuple[FallOff, ...] = ()

    @property
    def n_members(self) -> int:
        return len(self.member_ids)

    @property
    def n_credits(self) -> int:
        return len(self.credit_gp_cents)


def _column(values: list[int], dtype: type = _INT64) -> np.ndarray:
    if not values:
        return np.zeros(0, dtype=dtype)
    try:
        return np.array(values, dtype=dtype)
    except OverflowError as exc:
        raise OverflowError(f"a ledger value does not fit in {np.dtype(dtype).name}: {exc}") from None


def columns_of(ledger: PeriodLedger) -> LedgerColumns:
    """The ledger as columns (raises ``OverflowError`` for a value beyond int64)."""
    members, credits = ledger.members, ledger.credits
    codes = ROLE_CODES
    return LedgerColumns(
        period=ledger.period,
        member_ids=_column([m.person_id for m in members]),
        member_roles=_column([codes[m.role] for m in members], np.int8),
        member_pods=_column([m.pod for m in members]),
        member_tenure=_column([m.tenure_months for m in members]),
        credit_placement_ids=_column([c.placement_id for c in credits]),
        credit_recruiter_ids=_column([c.recruiter_id for c in credits]),
        credit_recruiter_pods=_column([c.recruiter_pod for c in credits]),
        credit_account_manager_ids=_column([c.account_manager_id for c in credits]),
        credit_account_manager_pods=_column([c.account_manager_pod for c in credits]),
        credit_gp_cents=_column([c.gp_cents for c in credits]),
        falloffs=tuple(ledger.falloffs),
    )


def ledger_of(cols: LedgerColumns) -> PeriodLedger:
    """The columns as a ledger of records (Python ints), checked by the records' own invariants."""
    roles = ROLE_OF_CODE
    members = tuple(Member(pid, roles[role], pod, tenure) for pid, role, pod, tenure in zip(
        cols.member_ids.tolist(), cols.member_roles.tolist(), cols.member_pods.tolist(),
        cols.member_tenure.tolist(), strict=True))
    credits = tuple(PlacementCredit(*fields) for fields in zip(
        cols.credit_placement_ids.tolist(), cols.credit_recruiter_ids.tolist(), cols.credit_recruiter_pods.tolist(),
        cols.credit_account_manager_ids.tolist(), cols.credit_account_manager_pods.tolist(),
        cols.credit_gp_cents.tolist(), strict=True))
    return PeriodLedger(int(cols.period), members, credits, tuple(cols.falloffs))
