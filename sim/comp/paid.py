"""One period's commission paid per placement, kept as columns and allocated only when it is read.

With clawback on, ``plan.pay()`` records ``{person_id: {placement_id: cents}}`` for the period: each paid
person's commission allocated over the placements they were credited on (largest remainder on the
credited GP, ties to the lower placement_id, zero cents included), then overwritten by the period's
clawbacks. Building that as hundreds of small dicts every month costs more than all the rest of
``pay_totals``, while all a later period ever asks of it is the few ``(placement, person)`` pairs named
by fall-offs.

:class:`PaidRecord` is the same mapping, kept as the arrays ``pay_totals`` already has: one entry per
credit side (recruiter sides, then account manager sides) with the member it credits, its share and its
placement, and each member's commission (making one costs ~3 us). A lookup of ``(placement, person)``
(:meth:`PaidRecord.add_cents_on`, what ``PlanState.paid_on`` asks for) skips a record whose range of
placement ids does not hold the placement, finds the credit by binary search in the sorted placements
(sorted once, on the first lookup in range), and allocates the commission of the members it finds over
their placements, only theirs, once: :func:`~sim.comp.vectorised.largest_remainder`, vectorised, the
rule of :func:`~sim.comp.money.allocate` (a member's allocation does not depend on the others'). The
nested dicts are built only if the record is read as a mapping (compared, iterated, pickled). When a
member holds one placement twice (two credits of one placement, or one person on both sides of a
credit) the entries are first summed per (member, placement), as ``pay()`` sums them, and the record is
kept as the nested dicts.

A ``PaidRecord`` equals the dict ``pay()`` records for the same period and pickles as that dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from .vectorised import LIMIT, largest_remainder

Pair = tuple[int, int]
"""``(placement_id, person_id)``."""


class PaidRecord(Mapping[int, dict[int, int]]):
    """``{person_id: {placement_id: cents}}`` for one period, from columns; read-only, equal to the dict."""

    __slots__ = ("_ids", "_people", "_who", "_shares", "_placements", "_commission", "_credited", "_bound",
                 "_index", "_cents", "_done", "_summed", "_view", "_overrides", "span")

    def __init__(self, member_ids: np.ndarray, people: np.ndarray, who: np.ndarray, shares: np.ndarray,
                 placements: np.ndarray, commission: np.ndarray, credited: np.ndarray, bound: int) -> None:
        """Entries ``2 * C`` long, recruiter sides then AM sides: ``people`` (person ids), ``who`` (their
        member index, ``len(member_ids)`` for non-members), ``shares`` (credited GP); ``placements`` (``C``);
        per member ``commission`` (some positive) and ``credited`` GP; ``bound`` on any amount. The arrays
        must not be changed afterwards.
        """
        self._ids, self._people, self._who, self._shares = member_ids, people, who, shares
        self._placements, self._commission, self._credited, self._bound = placements, commission, credited, bound
        self._index: tuple[np.ndarray, np.ndarray] | None = None
        self._cents: np.ndarray | None = None  # allocated cents per entry, for the members in ``_done``
        self._done: set[int] | None = set()  # member rows allocated so far; None: all of them
        self._summed: dict[int, dict[int, int]] | None = None  # the nested dicts, when a placement is held twice
        self._view: dict[int, dict[int, int]] | None = None  # the nested dicts, once read as a mapping
        self._overrides: dict[Pair, int] = {}
        self.span = (int(placements.min()), int(placements.max())) if len(placements) else (0, -1)
        """The lowest and highest placement_id recorded: a lookup outside it is 0 without an index."""

    # ------------------------------------------------------------------------------------ building
    def _placement_index(self) -> tuple[np.ndarray, np.ndarray]:
        """The placements sorted, and each one's credit position; builds the nested dicts instead when a
        member holds a placement twice."""
        if self._index is None:
            placements = self._placements
            n = len(placements)
            order = np.argsort(placements, kind="stable")
            ordered = placements[order]
            # Two credits of one placement, or one person on both sides of a credit (a departed person
            # included: rare, and merely slower).
            twice = n > 1 and bool(np.any(ordered[1:] == ordered[:-1]))
            if twice or bool(np.any(self._people[:n] == self._people[n:])):
                summed = self._summed_mapping()
                for (placement, person), cents in self._overrides.items():
                    summed.setdefault(person, {})[placement] = cents
                self._summed = summed
            self._index = (ordered, order)
        return self._index

    def _allocated(self, rows: Iterable[int] | None = None) -> np.ndarray:
        """Cents on the entries: each member's commission by largest remainder over their entries.

        ``rows``: the member rows whose entries are asked for (``None``: all). Members are allocated
        independently of each other, so only those not yet allocated are computed.
        """
        if self._done is None:
            assert self._cents is not None
            return self._cents
        if rows is None:
            chosen = None
        else:
            todo = [row for row in rows if row not in self._done]
            if not todo:
                assert self._cents is not None
                return self._cents
            wanted = np.zeros(len(self._commission) + 1, dtype=bool)
            wanted[todo] = True
            chosen = np.flatnonzero(wanted[self._who])
        commission = np.append(self._commission, 0)  # the non-member slot has nothing to allocate
        total_bound = weight_bound = self._bound
        if self._bound * self._bound >= LIMIT:
            total_bound, weight_bound = int(self._commission.max()), int(self._credited.max())
        if chosen is None:
            placements = np.concatenate((self._placements, self._placements))
            self._cents = largest_remainder(self._who, placements, self._shares, commission, total_bound,
                                            weight_bound)
            self._done = None
        else:
            if self._cents is None:
                self._cents = np.zeros(len(self._who), dtype=np.int64)
            placements = self._placements[chosen % len(self._placements)]
            self._cents[chosen] = largest_remainder(self._who[chosen], placements, self._shares[chosen], commission,
                                                    total_bound, weight_bound)
            self._done.update(todo)
        return self._cents

    def _summed_mapping(self) -> dict[int, dict[int, int]]:
        """The nested dicts when a member holds a placement twice: entries summed per (member, placement)."""
        members = len(self._ids)
        keep = np.flatnonzero((self._who < members) & (self._shares > 0))
        group = self._who[keep]
        key = np.concatenate((self._placements, self._placements))[keep]
        weight = self._shares[keep]
        order = np.lexsort((key, group))
        group, key, weight = group[order], key[order], weight[order]
        new = np.ones(len(group), dtype=bool)
        new[1:] = (group[1:] != group[:-1]) | (key[1:] != key[:-1])
        starts = np.flatnonzero(new)
        weight = np.add.reduceat(weight, starts) if len(starts) else weight
        group, key = group[starts], key[starts]
        total_bound = weight_bound = self._bound
        if self._bound * self._bound >= LIMIT:
            total_bound, weight_bound = int(self._commission.max()), int(self._credited.max())
        cents = largest_remainder(group, key, weight, self._commission, total_bound, weight_bound)
        return _nested(self._ids[group], key, cents, self._commission[group] > 0)

    def override(self, person_id: int, placement_id: int, cents: int) -> None:
        """Record ``cents`` paid on a placement after a clawback (only while its period is being paid)."""
        self._overrides[placement_id, person_id] = cents
        low, high = self.span
        self.span = (min(low, placement_id), max(high, placement_id))
        self._view = None
        if self._summed is not None:
            self._summed.setdefault(person_id, {})[placement_id] = cents

    # ------------------------------------------------------------------------------------- reading
    def cents_on(self, placement_id: int, person_id: int) -> int:
        """Commission recorded for a person on a placement, 0 if none (``self.get(person, {}).get(placement, 0)``)."""
        out = {(placement_id, person_id): 0}
        self.add_cents_on(out)
        return out[placement_id, person_id]

    def add_cents_on(self, totals: dict[Pair, int], lowest: int | None = None, highest: int | None = None) -> None:
        """Add to each ``(placement_id, person_id)`` key of ``totals`` what this record holds for it.

        ``lowest``/``highest``: the range of the keys' placement_ids, if known (skips a record out of range).
        """
        if lowest is None or highest is None:
            lowest, highest = min(pair[0] for pair in totals), max(pair[0] for pair in totals)
        if highest < self.span[0] or lowest > self.span[1]:
            return
        ordered, order = self._placement_index()
        if self._summed is not None:
            for (placement, person), cents in totals.items():
                mine = self._summed.get(person)
                if mine:
                    totals[placement, person] = cents + mine.get(placement, 0)
            return
        overrides = self._overrides
        wanted = [pair for pair in totals if pair not in overrides] if overrides else list(totals)
        for pair in totals.keys() & overrides.keys() if overrides else ():
            totals[pair] += overrides[pair]
        if not wanted:
            return
        asked = [placement for placement, _ in wanted]
        position = np.searchsorted(ordered, asked)
        np.minimum(position, len(ordered) - 1, out=position)
        found = (ordered[position] == asked).tolist()
        credits, people = len(ordered), self._people
        hits = []
        for pair, hit, at in zip(wanted, found, order[position].tolist(), strict=True):
            if not hit:
                continue
            if people[at] != pair[1]:
                at += credits  # the account manager side
                if people[at] != pair[1]:
                    continue
            hits.append((pair, at))
        if hits:
            cents = self._allocated({int(self._who[at]) for _, at in hits})
            for pair, at in hits:
                totals[pair] += int(cents[at])

    def _dict(self) -> dict[int, dict[int, int]]:
        self._placement_index()  # builds the summed dicts when a placement is held twice
        if self._summed is not None:
            return self._summed
        if self._view is None:
            who = self._who
            paid = np.append(self._commission > 0, False)
            keep = np.flatnonzero(paid[who] & (self._shares > 0))
            placements = np.concatenate((self._placements, self._placements))
            mapping = _nested(self._ids[who[keep]], placements[keep], self._allocated()[keep], None)
            for (placement, person), cents in self._overrides.items():
                mapping.setdefault(person, {})[placement] = cents
            self._view = mapping
        return self._view

    def __getitem__(self, person_id: int) -> dict[int, int]:
        return self._dict()[person_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    def __bool__(self) -> bool:
        return True  # made only for a period in which some commission was paid

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PaidRecord):
            return self._dict() == other._dict()
        if isinstance(other, Mapping):
            return self._dict() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PaidRecord({self._dict()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (self._dict(),)  # unpickles as the plain dict pay() records (an equal mapping)


def _nested(persons: np.ndarray, placements: np.ndarray, cents: np.ndarray,
            keep: np.ndarray | None) -> dict[int, dict[int, int]]:
    """``{person: {placement: cents}}`` from aligned columns (only where ``keep``, if given)."""
    if keep is not None:
        persons, placements, cents = persons[keep], placements[keep], cents[keep]
    mapping: dict[int, dict[int, int]] = {}
    for person, placement, amount in zip(persons.tolist(), placements.tolist(), cents.tolist(), strict=True):
        mine = mapping.get(person)
        if mine is None:
            mine = mapping[person] = {}
        mine[placement] = amount
    return mapping


def paid_in_history(history: Iterable[tuple[int, Mapping[int, Mapping[int, int]]]],
                    pairs: Iterable[Pair]) -> dict[Pair, int]:
    """``{(placement, person): PlanState.paid_on(placement, person)}`` for many pairs in one pass."""
    totals = dict.fromkeys(pairs, 0)
    if not totals:
        return totals
    lowest, highest = min(placement for placement, _ in totals), max(placement for placement, _ in totals)
    for _, paid in history:
        if isinstance(paid, PaidRecord):
            low, high = paid.span
            if highest >= low and lowest <= high:
                paid.add_cents_on(totals, lowest, highest)
        else:
            for (placement, person), cents in totals.items():
                mine = paid.get(person)
                if mine:
                    totals[placement, person] = cents + mine.get(placement, 0)
    return totals
