"""Desks: each desk's queue of waiting items, and the matching of every arrival against them.

A recruiter's desk holds the candidates waiting for a job order, an account manager's the open job
orders waiting for a candidate; each item is a row of six floats (see :class:`sim.model.market.Block`),
first in, first out. Items expire lazily: one that has expired is dropped when a search meets it.

Matching rules. A job order arriving at account manager seat ``a`` looks first at the candidates of
``a``'s partner recruiter(s); then at each other recruiter of the pod, who shares with probability
``coop_r * coop_a``; then at the recruiters of one other pod chosen at random, with that probability
scaled by ``cross_pod_sharing``. Meeting a recruiter's queue, it takes candidates from the front until
one is alive and converts (conversion probability ``conversion_min + (conversion_max -
conversion_min) * (coop_r + coop_a) / 2``, rising with the pair's cooperation); the ones passed over are
lost (gone to other offers, or tried and not converted). A candidate arriving at recruiter seat ``r``
does the same the other way round, except that it meets one open job order at a time: the first alive
job order of a desk places it if it converts, and a candidate who does not convert there is lost. An
item that finds no match waits at its own desk.

This runs once per arrival, so it is the model's hot path, and it is compiled with numba
(:func:`match`): the queues are one numpy array (desk x position x field) with a head and a tail per
desk, the sharing draws come from a buffer of the run's decision uniforms, and each placement is
written as a row for the model's books, which stay in Python (:meth:`sim.model.accounts.Accounts.book`
at month end; the fall-offs, SimPy timeouts, by :meth:`~sim.model.accounts.Accounts.schedule_falloffs`
as they are made). The per-arrival helpers are inlined into :func:`match`, which walks a month's
arrivals a day at a time and hands control back to the SimPy process at the end of any day by which
a fall-off or a hire is due (so they fire between days, as they would with a clock stepped every
day), and whenever it needs more uniforms, more room in a queue, or room for more placement rows.
Both sides of the desk take the same path; only the meeting (:func:`_meet`) differs.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from enum import IntEnum
from typing import Any

import numpy as np
from numba import njit

#: Fields of an item row (job orders and candidates alike).
FIELDS = 6
#: Columns of a placement row: time, recruiter seat, AM seat, the job order's 6 fields, the candidate's 6,
#: and the placement's id (-1 for a free replacement, which is not a new placement); by name: :class:`Placed`.
PLACED_COLUMNS = 4 + 2 * FIELDS


class Placed(IntEnum):
    """Named columns of a placement row, as :func:`_record` writes them and the books read them (the compiled
    code reads them as constants). The items' fields are :class:`sim.model.market.Block`'s."""

    TIME = 0
    RECRUITER = 1              # seats
    ACCOUNT_MANAGER = 2
    JOB_ORDER = 3              # the job order's FIELDS fields start here
    PERM = JOB_ORDER + 2       # 1.0 perm, 0.0 contract
    VALUE = JOB_ORDER + 3      # perm fee, or a contract's GP a month (whole cents)
    CONTRACT_MONTHS = JOB_ORDER + 4
    REPLACEMENT = JOB_ORDER + 5
    CANDIDATE = JOB_ORDER + FIELDS   # the candidate's FIELDS fields start here
    FALLOFF_AT = CANDIDATE + 3       # share of the guarantee period at which it falls off (if it does)
    REMEDY_U = CANDIDATE + 4         # the uniform that picks the remedy of a fall-off
    ID = CANDIDATE + FIELDS          # the placement's id; -1 for a free replacement
#: Uniforms drawn from the decision stream at a time.
UNIFORM_BLOCK = 4096

# What match() returns as its status.
MONTH_DONE, DAY_END, NEED_UNIFORMS, NEED_ROOM, PLACED_FULL = range(5)


class Uniforms:
    """The run's decision uniforms, drawn :data:`UNIFORM_BLOCK` at a time and read in order, by the compiled
    matching (through ``buf`` and ``pos``) and by Python (calling the object) alike."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.buf = np.zeros(0)
        self.pos = np.zeros(1, dtype=np.int64)   # an array, so that the compiled code advances it in place

    def refill(self) -> None:
        """Keep what is left unread and append the next block (the sequence read is the same either way)."""
        self.buf = np.concatenate((self.buf[self.pos[0]:], self.rng.random(UNIFORM_BLOCK)))
        self.pos[0] = 0

    def __call__(self) -> float:
        if self.pos[0] >= len(self.buf):
            self.refill()
        x = self.buf[self.pos[0]]
        self.pos[0] += 1
        return float(x)


def _csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Lists of seats as (start offsets, flat seats): list i is ``flat[ptr[i]:ptr[i + 1]]``."""
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    return ptr, np.array([s for x in lists for s in x], dtype=np.int64)


class Desks:
    """The queues of every desk of one replication, and what the compiled matching needs to walk them."""

    def __init__(self, n_seats: int, n_rec: int, partners: list[list[int]], pod_mates: list[list[int]],
                 recruiters_of: list[list[int]], ams_of: list[list[int]], pod_of: list[int], capacity: int = 64):
        self.items = np.zeros((n_seats, capacity, FIELDS))
        self.head = np.zeros(n_seats, dtype=np.int64)
        self.tail = np.zeros(n_seats, dtype=np.int64)
        self.n_rec = n_rec
        self.partners = _csr(partners)
        self.pod_mates = _csr(pod_mates)
        self.recruiters_of = _csr(recruiters_of)
        self.ams_of = _csr(ams_of)
        self.pod_of = np.array(pod_of, dtype=np.int64)
        self.placed = np.zeros((1024, PLACED_COLUMNS))   # this month's placements, in order
        self.falls = np.zeros(1024, dtype=np.int64)       # rows of placements that will fall off, not yet scheduled
        self.counts = np.zeros(3, dtype=np.int64)         # placement rows, fall-off rows, the next placement id
        self.due = np.zeros(1)
        self._links = (*self.partners, *self.pod_mates, *self.recruiters_of, *self.ams_of, self.pod_of)
        # The most sharing uniforms one arrival can use, without and with sharing across pods.
        most_mates = max((len(x) for x in pod_mates), default=0)
        self._draws = (most_mates, most_mates + 1 + max((len(x) for x in recruiters_of + ams_of), default=0))

    def match(self, times: np.ndarray, seats: np.ndarray, arrivals: np.ndarray, ends: np.ndarray, i: int, day: int,
              start: float, now: float, coop: np.ndarray, uniforms: Uniforms, rules: np.ndarray, cross_pods: bool,
              n_other: int) -> tuple[int, int, int]:
        """:func:`match` on these desks (see there): ``(i, day, status)``. ``self.due[0]`` must hold the first
        time something is due in SimPy."""
        return match(times, seats, arrivals, ends, i, day, start, now, self.n_rec, self.items, self.head,
                     self.tail, coop, *self._links, uniforms.buf, uniforms.pos, self._draws[cross_pods], rules,
                     cross_pods, n_other, self.placed, self.falls, self.counts, self.due)

    def walk(self, env: Any, times: np.ndarray, seats: np.ndarray, arrivals: np.ndarray, ends: np.ndarray,
             start: float, coop: np.ndarray, uniforms: Uniforms, rules: np.ndarray, cross_pods: bool, n_other: int,
             on_falloffs: Callable[[np.ndarray], None]) -> Generator[Any, Any, list[int]]:
        """A SimPy process body (``yield from`` it) that matches one month's arrivals: the resume loop of the
        compiled :func:`match`. It serves the kernel's requests (uniforms, queue room, placement rows), hands
        each stretch's placements that will fall off to ``on_falloffs`` (placement rows, in order), and
        whenever something is due in SimPy by a day's end yields a timeout to that day's end, so it fires
        between days. Returns the statuses met, in order."""
        counts = self.counts
        i = day = 0
        seen = []
        while True:
            self.due[0] = env.peek()
            i, day, status = self.match(times, seats, arrivals, ends, i, day, start, float(env.now), coop, uniforms,
                                        rules, cross_pods, n_other)
            seen.append(status)
            if counts[N_FALLS]:   # fall-offs of this stretch's placements, in order
                on_falloffs(self.placed[self.falls[:counts[N_FALLS]]])
                counts[N_FALLS] = 0
            if status == MONTH_DONE:
                return seen
            if status == DAY_END:   # something falls due by this day's end: let SimPy fire it
                yield env.timeout(start + day - env.now)
            elif status == NEED_UNIFORMS:
                uniforms.refill()
            elif status == NEED_ROOM:
                self.grow()
            else:
                self.more_placements()

    def grow(self) -> None:
        """Twice the room in every queue (a queue that never meets a search keeps its expired items)."""
        n, cap, _ = self.items.shape
        items = np.zeros((n, 2 * cap, FIELDS))
        items[:, :cap] = self.items
        self.items = items

    def more_placements(self) -> None:
        """Twice the room for a month's placement rows."""
        n = len(self.placed)
        self.placed = np.concatenate((self.placed, np.zeros((n, PLACED_COLUMNS))))
        self.falls = np.concatenate((self.falls, np.zeros(n, dtype=np.int64)))

    def waiting(self, seat: int) -> np.ndarray:
        """The items waiting at a desk, oldest first (a copy)."""
        return self.items[seat, self.head[seat]:self.tail[seat]].copy()

    def append(self, seat: int, rows: np.ndarray) -> None:
        """Put item rows at the back of a desk's queue."""
        rows = np.asarray(rows, dtype=float).reshape(-1, FIELDS)
        while self.tail[seat] + len(rows) > self.items.shape[1]:
            if self.head[seat]:
                self._compact(seat)
            else:
                self.grow()
        self.items[seat, self.tail[seat]:self.tail[seat] + len(rows)] = rows
        self.tail[seat] += len(rows)

    def _compact(self, seat: int) -> None:
        _compact(self.items, self.head, self.tail, seat)

    def clear(self, seat: int) -> None:
        self.head[seat] = self.tail[seat] = 0

    def alive(self, seats: slice, now: float) -> int:
        """Items not yet expired at time ``now`` at the desks ``seats`` (a slice of seats)."""
        return int(_count_alive(self.items, self.head, self.tail, seats.start, seats.stop, now))


@njit(cache=True)
def _compact(items, head, tail, s):   # pragma: no cover - compiled
    """Move desk s's waiting items to the front of its row (forward: the target never overtakes the source)."""
    n = tail[s] - head[s]
    for k in range(n):
        for f in range(items.shape[2]):
            items[s, k, f] = items[s, head[s] + k, f]
    head[s], tail[s] = 0, n


@njit(cache=True)
def _count_alive(items, head, tail, first, stop, now):   # pragma: no cover - compiled
    n = 0
    for s in range(first, stop):
        for k in range(head[s], tail[s]):
            if items[s, k, 0] > now:
                n += 1
    return n


# Positions in the small arrays the compiled code updates in place.
N_PLACED, N_FALLS, NEXT_ID = range(3)             # counts: int64[3]
LO, HALF_SPAN, CROSS, P_FALLOFF, GUARANTEE = range(5)   # rules: float64[5]


@njit(cache=True, inline="always")
def _record(placed, falls, counts, due, rules, now, t, r, a, jo, cand):   # pragma: no cover - compiled
    """Write a placement row; a perm placement that will fall off is listed, and moves the next due time."""
    k = counts[N_PLACED]
    row = placed[k]
    row[Placed.TIME], row[Placed.RECRUITER], row[Placed.ACCOUNT_MANAGER] = t, r, a
    for f in range(FIELDS):
        row[Placed.JOB_ORDER + f] = jo[f]
        row[Placed.CANDIDATE + f] = cand[f]
    counts[N_PLACED] = k + 1
    if jo[5] != 0.0:   # a free replacement for a fall-off: not a new placement
        row[Placed.ID] = -1.0
        return
    row[Placed.ID] = counts[NEXT_ID]
    counts[NEXT_ID] += 1
    # Perm (jo[2]) and falls off: the model schedules the fall-off at this time.
    if jo[2] != 0.0 and cand[2] < rules[P_FALLOFF]:
        falls[counts[N_FALLS]] = k
        counts[N_FALLS] += 1
        when = now + (t + cand[3] * rules[GUARANTEE] - now)
        if when < due[0]:
            due[0] = when


@njit(cache=True, inline="always")
def _take_candidate(t, r, a, jo, items, head, tail, coop, placed, falls, counts, due, rules,
                    now):   # pragma: no cover - compiled
    """A job order meets recruiter r's queue: candidates leave it until one is alive and converts."""
    p = rules[LO] + rules[HALF_SPAN] * (coop[r] + coop[a])
    while head[r] < tail[r]:
        k = head[r]
        head[r] = k + 1
        if items[r, k, 0] > t and items[r, k, 1] < p:
            _record(placed, falls, counts, due, rules, now, t, r, a, jo, items[r, k])
            return True
    return False


@njit(cache=True, inline="always")
def _offer(t, r, a, cand, items, head, tail, coop, placed, falls, counts, due, rules,
           now):   # pragma: no cover - compiled
    """A candidate meets account manager a's queue: expired job orders are dropped, the first alive one
    places the candidate if it converts; either way the candidate is used (placed or lost)."""
    while head[a] < tail[a]:
        k = head[a]
        if items[a, k, 0] <= t:
            head[a] = k + 1   # expired: the client filled elsewhere
            continue
        if cand[1] < rules[LO] + rules[HALF_SPAN] * (coop[r] + coop[a]):
            head[a] = k + 1
            _record(placed, falls, counts, due, rules, now, t, r, a, items[a, k], cand)
        return True
    return False


@njit(cache=True, inline="always")
def _meet(t, s, x, row, job_order, items, head, tail, coop, placed, falls, counts, due, rules,
          now):   # pragma: no cover - compiled
    """The item ``row`` arriving at seat s meets desk x's queue, on the other side of the desk."""
    if job_order:
        return _take_candidate(t, x, s, row, items, head, tail, coop, placed, falls, counts, due, rules, now)
    return _offer(t, s, x, row, items, head, tail, coop, placed, falls, counts, due, rules, now)


@njit(cache=True)
def match(times, seats, arrivals, ends, i, d, start, now, n_rec, items, head, tail, coop,
          part_ptr, part, mate_ptr, mate, rec_ptr, rec, am_ptr, am, pod_of, ubuf, upos, draws, rules,
          cross_pods, n_other, placed, falls, counts, due):   # pragma: no cover - compiled
    """Walk a month's arrivals (``times``, ``seats``, item rows ``arrivals``; day j's end at index
    ``ends[j]``) from arrival ``i`` of day ``d``; returns ``(i, d, status)`` where it stopped.

    ``items``, ``head``, ``tail``: the queues; ``coop``: cooperation by seat; ``*_ptr`` and their seats:
    partners, pod mates, each pod's recruiters and account managers (offsets, seats); ``pod_of``: each
    seat's pod; ``ubuf[upos[0]:]``: the decision uniforms not yet read, ``draws`` the most one arrival
    can read; ``rules``: see ``LO`` ...; ``placed``, ``falls``, ``counts``: the month's placement rows,
    the rows that will fall off, and their counts; ``due[0]``: the first time something is due in SimPy,
    lowered by the fall-offs of placements made here; ``now``: the SimPy clock.

    Returns ``DAY_END`` after a day by whose end (``start + d``) something is due, ``MONTH_DONE`` after
    the last day, or, before an arrival that cannot be handled yet, ``NEED_UNIFORMS``, ``NEED_ROOM``
    (its desk's queue is full) or ``PLACED_FULL``.
    """
    cap = items.shape[1]
    cross = rules[CROSS]
    while d < ends.shape[0]:
        last = ends[d]
        while i < last:
            if upos[0] + draws > ubuf.shape[0]:
                return i, d, NEED_UNIFORMS
            if counts[N_PLACED] == placed.shape[0]:
                return i, d, PLACED_FULL
            s = seats[i]
            if tail[s] == cap:
                if head[s] == 0:
                    return i, d, NEED_ROOM
                _compact(items, head, tail, s)
            t = times[i]
            row = arrivals[i]
            # A job order (at an account manager seat) meets recruiters' candidates, a candidate account
            # managers' job orders: partner(s) first, then pod mates who share, then one other pod's desks.
            job_order = s >= n_rec
            used = False
            for j in range(part_ptr[s], part_ptr[s + 1]):
                x = part[j]
                if head[x] < tail[x] and _meet(t, s, x, row, job_order, items, head, tail, coop, placed, falls,
                                               counts, due, rules, now):
                    used = True
                    break
            if not used:
                c = coop[s]
                for j in range(mate_ptr[s], mate_ptr[s + 1]):
                    x = mate[j]
                    if head[x] < tail[x]:
                        u = ubuf[upos[0]]
                        upos[0] += 1
                        if u < coop[x] * c and _meet(t, s, x, row, job_order, items, head, tail, coop, placed,
                                                      falls, counts, due, rules, now):
                            used = True
                            break
                if not used and cross_pods:
                    c *= cross
                    k = int(ubuf[upos[0]] * n_other)
                    upos[0] += 1
                    other = k if k < pod_of[s] else k + 1
                    ptr, desks = (rec_ptr, rec) if job_order else (am_ptr, am)
                    for j in range(ptr[other], ptr[other + 1]):
                        x = desks[j]
                        if head[x] < tail[x]:
                            u = ubuf[upos[0]]
                            upos[0] += 1
                            if u < coop[x] * c and _meet(t, s, x, row, job_order, items, head, tail, coop,
                                                          placed, falls, counts, due, rules, now):
                                used = True
                                break
            if not used:   # no match: it waits at its own desk
                k = tail[s]
                for f in range(FIELDS):
                    items[s, k, f] = row[f]
                tail[s] = k + 1
            i += 1
        d += 1
        if due[0] <= start + d:
            return i, d, DAY_END
    return i, d, MONTH_DONE
