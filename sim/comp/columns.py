"""A period's ledger as columns: numpy arrays of members and credits, the payout engine's input.

:class:`LedgerColumns` holds exactly what a :class:`~sim.comp.ledger.PeriodLedger` holds, one array per
field: members (``member_*``, aligned) and placement credits (``credit_*``, aligned). Roles are the
codes of :data:`~sim.comp.ledger.ROLE_CODES`. Fall-offs are few per month, so they stay
:class:`~sim.comp.ledger.FallOff` records. ``credit_perm`` flags the perm credits (``None``: all of
them, the safe reading: commission on a credit not flagged is never clawed back).

``columns_of(ledger)`` and ``ledger_of(columns)`` convert both ways exactly. Columns built directly
must hold what a valid ledger holds (distinct member ids, known role codes, tenure and GP ``>= 0``);
the engine does not check them again (``ledger_of`` does, through the records).
"""

from __future__ import annotations

from dataclasses import fields
from typing import NamedTuple

import numpy as np

from .ledger import ROLE_CODES, ROLES, FallOff, Member, PeriodLedger, PlacementCredit


class LedgerColumns(NamedTuple):
    """One period's facts as columns (int64 arrays; ``member_roles`` int8 codes)."""

    period: int
    member_ids: np.ndarray
    member_roles: np.ndarray
    member_pods: np.ndarray
    member_tenure: np.ndarray
    credit_placement_ids: np.ndarray
    credit_recruiter_ids: np.ndarray
    credit_recruiter_pods: np.ndarray
    credit_account_manager_ids: np.ndarray
    credit_account_manager_pods: np.ndarray
    credit_gp_cents: np.ndarray
    falloffs: tuple[FallOff, ...] = ()
    credit_perm: np.ndarray | None = None

    def int64(self) -> LedgerColumns:
        """The same columns, every id, pod, tenure and GP as an int64 array (converted only if need be)."""
        fixes = {name: np.asarray(getattr(self, name), dtype=np.int64).reshape(-1) for name in _INT64_FIELDS
                 if not (isinstance(getattr(self, name), np.ndarray) and getattr(self, name).dtype == np.int64)}
        return self._replace(**fixes) if fixes else self


_INT64_FIELDS = tuple(name for name in LedgerColumns._fields if name.startswith(("member_", "credit_"))
                      and name not in ("member_roles", "credit_perm"))


_CREDIT_FIELDS = tuple(f.name for f in fields(PlacementCredit) if f.name != "perm")


def _column(values: list[int], dtype: type = np.int64) -> np.ndarray:
    try:
        return np.array(values, dtype=dtype)
    except OverflowError as exc:
        raise OverflowError(f"a ledger value does not fit in {np.dtype(dtype).name}: {exc}") from None


def columns_of(ledger: PeriodLedger) -> LedgerColumns:
    """The ledger as columns (raises ``OverflowError`` for a value beyond int64)."""
    members, credits = ledger.members, ledger.credits
    return LedgerColumns(
        ledger.period,
        _column([m.person_id for m in members]), _column([ROLE_CODES[m.role] for m in members], np.int8),
        _column([m.pod for m in members]), _column([m.tenure_months for m in members]),
        *(_column([getattr(c, name) for c in credits]) for name in _CREDIT_FIELDS),
        falloffs=tuple(ledger.falloffs), credit_perm=_column([c.perm for c in credits], np.bool_))


def ledger_of(cols: LedgerColumns) -> PeriodLedger:
    """The columns as a ledger of records (Python ints), checked by the records' own invariants."""
    members = tuple(Member(pid, ROLES[role], pod, tenure) for pid, role, pod, tenure in zip(
        np.asarray(cols.member_ids).tolist(), np.asarray(cols.member_roles).tolist(),
        np.asarray(cols.member_pods).tolist(), np.asarray(cols.member_tenure).tolist(), strict=True))
    fields = [np.asarray(getattr(cols, name)).tolist() for name in LedgerColumns._fields[5:11]]
    perm = [True] * len(fields[0]) if cols.credit_perm is None else np.asarray(cols.credit_perm).tolist()
    credits = tuple(PlacementCredit(*values, perm=flag) for *values, flag in zip(*fields, perm, strict=True))
    return PeriodLedger(int(cols.period), members, credits, tuple(cols.falloffs))
