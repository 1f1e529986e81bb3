"""One period's commission paid per placement, kept as columns and allocated only when it is read.

With clawback on, ``plan.pay()`` records ``{person_id: {placement_id: cents}}`` for the period: each paid
person's commission allocated over the placements they were credited on (largest remainder on the
credited GP, ties to the lower placement_id, zero cents included), then overwritten by the period's
clawbacks. Building that as hundreds of small dicts every month costs more than all the rest of
``pay_totals``, while all a later period ever asks of it is the few ``(placement, person)`` pairs named
by fall-offs.

:class:`PaidRecord` is the same mapping, kept as the arrays ``pay_totals`` already has: one entry per
credit side (recruiter sides, then account manager sides) with the person it credits, their member
index, its share and its placement, and each member's commission. Making one copies two arrays and
nothing else; the work is left to the lookups (:meth:`PaidRecord.add_cents_on`, what
``PlanState.paid_on`` asks for, and :func:`paid_in_history`), and sized by what they ask, not by the
period. A numpy call costs 1-3 us here whatever the size of a small array, and a Python operation
0.05-0.2 us, so a lookup makes two numpy calls per person asked and a few more, and does the rest in
plain Python:

* Which placements a record holds is a Python set of its placement ids (and of those a clawback
  overwrote), built on its first lookup: 10-15 us for 350 credits, once in the record's life. A
  period with fall-offs asks every record of its history (up to
  :data:`~sim.comp.state.COMMISSION_MEMORY_MONTHS`) about the placements its fall-offs name. In the
  simulation, contracts credited every month spread every record's placement ids over the whole range,
  so a range test rejects nothing, while ``set.isdisjoint`` rejects a record that holds none of the few
  placements asked in a fraction of a microsecond.
* A record that holds one finds the entries of each person asked about (one comparison of the
  entries with the person's id), takes their placements and shares in two calls, and allocates in
  plain Python ints: the person's commission over their own placements in that period (about ten),
  by :func:`~sim.comp.money.allocate_one`, the rule of :func:`~sim.comp.money.allocate` that ``pay()``
  runs, for the one share asked. Shares are summed per placement first when the person holds one
  twice (both sides of a credit, or two credits), as ``pay()`` sums them. That is exact at any size,
  and cheaper than a vectorised largest remainder, whose twenty numpy calls cost more than the few
  people a month's fall-offs name.
* The nested dicts are built only if the record is read as a mapping (compared, iterated, pickled), by
  :func:`~sim.comp.vectorised.largest_remainder` over all (member, placement) pairs at once.

Clawbacks recorded while the period is paid (:meth:`PaidRecord.override`) take precedence over the
allocation, as they overwrite it in ``pay()``. A ``PaidRecord`` equals the dict ``pay()`` records for
the same period and pickles as that dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Set
from typing import Any

import numpy as np

from .money import allocate_one
from .vectorised import LIMIT, largest_remainder

Pair = tuple[int, int]
"""``(placement_id, person_id)``."""


class PaidRecord(Mapping[int, dict[int, int]]):
    """``{person_id: {placement_id: cents}}`` for one period, from columns; read-only, equal to the dict."""

    __slots__ = ("_ids", "_people", "_who", "_shares", "_placements", "_commission", "_credited", "_bound",
                 "_held", "_overrides", "_view")

    def __init__(self, member_ids: np.ndarray, people: np.ndarray, who: np.ndarray, shares: np.ndarray,
                 placements: np.ndarray, commission: np.ndarray, credited: np.ndarray, bound: int) -> None:
        """Entries ``2 * C`` long, recruiter sides then AM sides: ``people`` (person ids), ``who`` (their
        member index, ``len(member_ids)`` for non-members), ``shares`` (credited GP); ``placements`` (``C``);
        per member ``commission`` (some positive) and ``credited`` GP; ``bound`` on any amount. The arrays
        must not be changed afterwards.
        """
        self._ids, self._people, self._who, self._shares = member_ids, people, who, shares
        self._placements, self._commission, self._credited, self._bound = placements, commission, credited, bound
        self._held: set[int] | None = None  # placements credited or overridden, once asked
        self._overrides: dict[Pair, int] = {}
        self._view: dict[int, dict[int, int]] | None = None  # the nested dicts, once read as a mapping

    def override(self, person_id: int, placement_id: int, cents: int) -> None:
        """Record ``cents`` paid on a placement after a clawback (only while its period is being paid)."""
        self._overrides[placement_id, person_id] = cents
        if self._held is not None:
            self._held.add(placement_id)
        if self._view is not None:
            self._view.setdefault(person_id, {})[placement_id] = cents

    # ------------------------------------------------------------------------------------- reading
    def cents_on(self, placement_id: int, person_id: int) -> int:
        """Commission recorded for a person on a placement, 0 if none (``self.get(person, {}).get(placement, 0)``)."""
        out = {(placement_id, person_id): 0}
        self.add_cents_on(out, {placement_id})
        return out[placement_id, person_id]

    def add_cents_on(self, totals: dict[Pair, int], placements: Set[int] | None = None) -> None:
        """Add to each ``(placement_id, person_id)`` key of ``totals`` what this record holds for it.

        ``placements``: the set of the keys' placement_ids, if known (made once for a whole history).
        """
        if placements is None:
            placements = {placement for placement, _ in totals}
        if not self._held_placements().isdisjoint(placements):
            self._add_held(totals)

    def _held_placements(self) -> set[int]:
        """The placements the record holds something on (credited, or overridden by a clawback): a set
        built on the first lookup, so that a record holding none of a few placements is skipped in C."""
        held = self._held
        if held is None:
            held = self._held = set(self._placements.tolist())
            held.update(placement for placement, _ in self._overrides)
        return held

    def _add_held(self, totals: dict[Pair, int]) -> None:
        """:meth:`add_cents_on` for a record that holds one of the placements asked."""
        held, overrides = self._held_placements(), self._overrides
        asked = []
        for pair in totals:
            if pair in overrides:
                totals[pair] += overrides[pair]  # a clawback overwrote the allocation
            elif pair[0] in held:
                asked.append(pair)
        if asked:
            for pair, cents in zip(asked, self._allocated(asked), strict=True):
                totals[pair] += cents

    def _allocated(self, asked: list[Pair]) -> list[int]:
        """What ``pay()`` allocated to each asked person on each asked placement, before clawbacks.

        The person's commission that period over the placements they were credited on, by the rule of
        :func:`~sim.comp.money.allocate` (:func:`allocate_one`: only the share asked for), on their shares
        summed per placement; 0 if they were not paid (not a member then, no commission) or not
        credited on the placement.
        """
        people, who, members = self._people, self._who, len(self._ids)
        spans: dict[int, tuple[int, int, int]] = {}  # person -> (first, end) of their entries, commission
        found: list[np.ndarray] = []
        start = 0
        for person in {person for _, person in asked}:
            # One comparison per person (a few among hundreds of entries): a 2-D comparison of all the
            # people at once, and the split of its result, cost more in calls than it saves.
            entries = (people == person).nonzero()[0]
            row = int(who[entries[0]]) if len(entries) else members  # one person, one member index (or none)
            spans[person] = (start, start + len(entries), int(self._commission[row]) if row < members else 0)
            found.append(entries)
            start += len(entries)
        entries = np.concatenate(found)
        keys = self._placements[entries % len(self._placements)].tolist()
        shares = self._shares[entries].tolist()
        out = []
        for placement, person in asked:
            first, end, commission = spans[person]
            mine = keys[first:end]
            if not commission or placement not in mine:
                out.append(0)
                continue
            weights = dict(zip(mine, shares[first:end], strict=True))
            if len(weights) < len(mine):  # a placement held twice: its shares summed, as pay() credits them
                weights = {}
                for key, share in zip(mine, shares[first:end], strict=True):
                    weights[key] = weights.get(key, 0) + share
            # Zero shares, which pay() leaves out, are floored to 0 and never rank for a leftover cent.
            out.append(allocate_one(commission, weights, placement))
        return out

    def _mapping(self) -> dict[int, dict[int, int]]:
        """The nested dicts ``pay()`` records before clawbacks, for every paid member, vectorised."""
        members = len(self._ids)
        keep = ((self._who < members) & (self._shares > 0)).nonzero()[0]
        group = self._who[keep]
        key = np.concatenate((self._placements, self._placements))[keep]
        weight = self._shares[keep]
        # Summed per (member, placement): a placement credited twice, or one person on both sides.
        order = np.lexsort((key, group))
        group, key, weight = group[order], key[order], weight[order]
        new = np.ones(len(group), dtype=bool)
        new[1:] = (group[1:] != group[:-1]) | (key[1:] != key[:-1])
        starts = new.nonzero()[0]
        weight = np.add.reduceat(weight, starts) if len(starts) else weight
        group, key = group[starts], key[starts]
        total_bound = weight_bound = self._bound
        if self._bound * self._bound >= LIMIT:
            total_bound, weight_bound = int(self._commission.max()), int(self._credited.max())
        cents = largest_remainder(group, key, weight, self._commission, total_bound, weight_bound)
        paid = self._commission[group] > 0
        return _nested(self._ids[group[paid]], key[paid], cents[paid])

    def _dict(self) -> dict[int, dict[int, int]]:
        if self._view is None:
            view = self._mapping()
            for (placement, person), cents in self._overrides.items():
                view.setdefault(person, {})[placement] = cents
            self._view = view
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


def _nested(persons: np.ndarray, placements: np.ndarray, cents: np.ndarray) -> dict[int, dict[int, int]]:
    """``{person: {placement: cents}}`` from aligned columns."""
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
    placements = {placement for placement, _ in totals}
    for _, paid in history:
        if type(paid) is PaidRecord:
            if not paid._held_placements().isdisjoint(placements):  # most hold none of the few asked
                paid._add_held(totals)
        else:
            for (placement, person), cents in totals.items():
                mine = paid.get(person)
                if mine:
                    totals[placement, person] = cents + mine.get(placement, 0)
    return totals
