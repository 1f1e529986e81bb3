"""A firm's actual history as the payout engine's monthly ledgers: who was employed, what they placed.

The history is the ATS exports that ``teamsim calibrate`` reads (:mod:`sim.calibration.readers`). Its
periods are the calendar months from the first placement date's month to the last's (the observation
window calibration uses). Each month's ledger holds, as the simulation's ledgers do:

* members: everyone employed on any day of the month (hired on or before its last day, not gone before
  its first), with tenure in completed months at its start, paid the role's whole monthly base;
* credits: a perm placement's whole fee in its start month; a contract's GP (``fee``, the contract's
  total) spread evenly over ``contract_months`` months from its start (the export has no timesheets),
  cent remainders to the first months. A start before the window is booked in its first month; GP
  after the window is not paid and is counted (``after_window_cents``);
* fall-offs: a perm placement flagged ``fell_off`` is refunded in full and its commission clawed back
  in full (the export names no remedy), in the month half its guarantee after the start (the export
  gives no fall-off date), or the window's last month if that is later.

People keep their numeric ATS ids when every id is a whole number, else their row numbers in
people.csv; placements are numbered by their row in placements.csv, so each statement line names
the row it pays. Pods come from people.csv's optional ``pod`` column; without it everyone is in one
pod (a pod pool is then a firm pool). Names in placements.csv that people.csv lacks, or holds in
the other role, are problems, one line per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.calibration.readers import Person, Placement
from sim.comp import ACCOUNT_MANAGER, RECRUITER, FallOff, Member, PeriodLedger, PlacementCredit
from sim.comp.money import largest_remainder
from sim.scenario.problems import Problem, ScenarioError

MAX_ID = 2**53   # numeric ATS ids beyond this are renumbered (float-safe in every table)


@dataclass(frozen=True)
class Staff:
    """One person of people.csv as the ledgers name them."""

    person_id: int
    ats_id: str
    role: str
    pod: int
    pod_label: str
    hire_date: dt.date
    exit_date: dt.date | None


@dataclass
class History:
    months: list[dt.date]
    """The first day of each period's month."""
    ledgers: list[PeriodLedger]
    staff: dict[str, Staff]
    placements: list[dict[str, Any]]
    """One row per placement, in the columns of the simulation's placements table (plus its dates)."""
    contract_months: int
    pods_given: bool
    after_window_cents: int = 0
    notes: list[str] = field(default_factory=list)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_index(first: dt.date, day: dt.date) -> int:
    return (day.year - first.year) * 12 + day.month - first.month


def _month_end(start: dt.date) -> dt.date:
    nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _tenure(hired: dt.date, start: dt.date) -> int:
    """Completed months from the hire to ``start`` (0 in the month of the hire)."""
    return max(0, month_index(hired, start) - (1 if hired.day > 1 else 0))


def _staff(people: list[Person], source: str) -> tuple[dict[str, Staff], bool, list[Problem]]:
    numeric = all(p.person_id.isdigit() and int(p.person_id) < MAX_ID for p in people) \
        and len({int(p.person_id) for p in people}) == len(people)   # "007" and "7" would be one person
    pods_given = any(p.pod is not None for p in people)
    problems = [Problem(source, f"row {i}, pod", "is empty (other rows name a pod: give every person one)")
                for i, p in enumerate(people, start=1) if pods_given and p.pod is None]
    labels: dict[str, int] = {}
    staff = {}
    for i, p in enumerate(people, start=1):
        label = p.pod or "firm"
        code = labels.setdefault(label, len(labels))
        staff[p.person_id] = Staff(int(p.person_id) if numeric else i, p.person_id, p.role, code, label,
                                   p.hire_date, p.exit_date)
    return staff, pods_given, problems


def _check_names(placements: list[Placement], staff: dict[str, Staff], source: str, people_source: str
                 ) -> list[Problem]:
    problems = []
    for row, p in enumerate(placements, start=1):
        for column, who, role in (("recruiter_id", p.recruiter_id, RECRUITER),
                                  ("account_manager_id", p.account_manager_id, ACCOUNT_MANAGER)):
            person = staff.get(who)
            if person is None:
                problems.append(Problem(source, f"row {row}, {column}", f"{who!r} is not in {people_source}"))
            elif person.role != role:
                problems.append(Problem(source, f"row {row}, {column}",
                                        f"{who!r} is listed as {person.role} in {people_source}, not {role}"))
    return problems


def _spread(cents: int, parts: int) -> list[int]:
    """``cents`` in ``parts`` equal shares, the remainder's cents to the first shares (the one
    largest-remainder rule, :func:`sim.comp.money.largest_remainder`)."""
    shares = largest_remainder(np.zeros(parts, dtype=np.int64), np.arange(parts, dtype=np.int64),
                               np.array([cents], dtype=np.int64))
    return [int(c) for c in shares]


def build_history(placements: list[Placement], people: list[Person], *, contract_months: int,
                  guarantee_days: int, placements_source: str = "placements.csv",
                  people_source: str = "people.csv") -> History:
    """The monthly ledgers of the history, or ScenarioError with one line per problem."""
    staff, pods_given, problems = _staff(people, people_source)
    problems += _check_names(placements, staff, placements_source, people_source)
    if problems:
        raise ScenarioError(problems)
    first = month_start(min(p.placement_date for p in placements))
    n = month_index(first, max(p.placement_date for p in placements)) + 1
    months = [dt.date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1) for k in range(n)]
    credits: list[list[PlacementCredit]] = [[] for _ in range(n)]
    falloffs: list[list[FallOff]] = [[] for _ in range(n)]
    rows, after = [], 0
    for pid, p in enumerate(placements, start=1):
        rec, am = staff[p.recruiter_id], staff[p.account_manager_id]
        start = max(0, month_index(first, p.start_date))
        parts = [p.fee_cents] if p.perm else _spread(p.fee_cents, contract_months)
        inside = 0
        for j, cents in enumerate(parts):
            if start + j < n:
                credits[start + j].append(PlacementCredit(pid, rec.person_id, rec.pod, am.person_id, am.pod, cents,
                                                          perm=p.perm))
                inside += cents
            else:
                after += cents
        refund = 0
        if p.perm and p.fell_off and start < n:
            fell = min(n - 1, max(start, month_index(first, p.start_date + dt.timedelta(days=guarantee_days // 2))))
            refund = p.fee_cents
            falloffs[fell].append(FallOff(pid, rec.person_id, rec.pod, am.person_id, am.pod, refund, 1.0))
        rows.append({"placement_id": pid, "month": month_index(first, p.start_date) + 1, "day": float(p.start_date.day),
                     "kind": "perm" if p.perm else "contract", "fee_cents": p.fee_cents if p.perm else 0,
                     "monthly_gp_cents": 0 if p.perm else parts[0], "contract_months": 0 if p.perm else contract_months,
                     "recruiter_id": rec.person_id, "recruiter_pod": rec.pod, "am_id": am.person_id, "am_pod": am.pod,
                     "fell_off": p.fell_off, "falloff_day": None, "remedy": "full_refund" if refund else None,
                     "refund_cents": refund, "gp_cents": inside - refund,
                     "placement_date": p.placement_date.isoformat(), "start_date": p.start_date.isoformat()})
    ledgers = []
    for k, begin in enumerate(months):
        end = _month_end(begin)
        members = tuple(Member(s.person_id, s.role, s.pod, _tenure(s.hire_date, begin)) for s in staff.values()
                        if s.hire_date <= end and (s.exit_date is None or s.exit_date >= begin))
        ledgers.append(PeriodLedger(k, members, tuple(credits[k]), tuple(falloffs[k])))
    notes = [] if pods_given else ["people.csv has no pod column: everyone is in one pod (a pod pool is a firm pool)"]
    if after:
        notes.append(f"${after / 100:,.2f} of contract or perm GP falls after the window "
                     f"({months[-1]:%Y-%m}) and is not paid in the replay")
    return History(months, ledgers, staff, rows, contract_months, pods_given, after, notes)
