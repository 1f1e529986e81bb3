"""Readers for applicant-tracking-system exports, with one problem line per bad row.

``placements.csv``: one row per placement, columns ``placement_date``, ``recruiter_id``,
``account_manager_id``, ``kind`` (``perm`` or ``contract``), ``fee`` (the perm fee, or the contract's
total gross profit, dollars), ``start_date``, ``fell_off`` (``true``/``false``).
``people.csv``: one row per person, columns ``person_id``, ``role`` (``recruiter`` or
``account_manager``), ``hire_date``, ``exit_date`` (empty while employed), and optionally ``pod`` (a
team label, which ``teamsim replay`` uses for pod pools; calibration ignores it).

Dates are ISO (``2024-03-31``) between :data:`FIRST_DATE` and :data:`LAST_DATE`; fees may carry a
``$`` and thousands separators, are read exactly into integer cents and are at most :data:`MAX_FEE`
dollars. Extra columns are ignored; a column given twice is refused (which one is meant?). Placements
must span at least :data:`MIN_WINDOW_DAYS` days, the shortest window the rates can be estimated from.
Every problem in a file is collected before anything is raised, so one run of ``teamsim calibrate``
lists them all.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sim.comp import PRODUCER_ROLES
from sim.scenario.problems import Problem, ScenarioError

PLACEMENT_COLUMNS = ("placement_date", "recruiter_id", "account_manager_id", "kind", "fee", "start_date",
                     "fell_off")
PEOPLE_COLUMNS = ("person_id", "role", "hire_date", "exit_date")
KINDS = ("perm", "contract")
TRUE, FALSE = ("true", "yes", "1", "y", "t"), ("false", "no", "0", "n", "f")
FIRST_DATE, LAST_DATE = dt.date(1950, 1, 1), dt.date(2100, 12, 31)   # an ATS export's plausible span
MAX_FEE = Decimal(10**7)    # dollars: a placement's fee or contract GP (the market's bounds are below it)
MIN_WINDOW_DAYS = 91        # three months of placements: less gives rates from next to no exposure


@dataclass(frozen=True, slots=True)
class Placement:
    placement_date: dt.date
    recruiter_id: str
    account_manager_id: str
    perm: bool
    fee_cents: int
    start_date: dt.date
    fell_off: bool


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str
    role: str
    hire_date: dt.date
    exit_date: dt.date | None
    pod: str | None = None


class _Row:
    """Field parsers for one row that record problems instead of raising."""

    def __init__(self, source: str, number: int, raw: dict[str, str | None], problems: list[Problem]):
        self.source, self.number, self.raw, self.problems = source, number, raw, problems

    def bad(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.source, f"row {self.number}, {column}", message))

    def text(self, column: str) -> str | None:
        value = (self.raw.get(column) or "").strip()
        if not value:
            self.bad(column, "is empty")
            return None
        return value

    def date(self, column: str, optional: bool = False) -> dt.date | None:
        value = (self.raw.get(column) or "").strip()
        if not value:
            if not optional:
                self.bad(column, "is empty (expected a date like 2024-03-31)")
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.bad(column, f"cannot read {value!r} as a date (expected YYYY-MM-DD)")
            return None
        if not FIRST_DATE <= day <= LAST_DATE:
            self.bad(column, f"{value} is outside {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}")
            return None
        return day

    def choice(self, column: str, options: tuple[str, ...]) -> str | None:
        value = self.text(column)
        if value is not None and value.lower() not in options:
            self.bad(column, f"{value!r} is not one of {', '.join(options)}")
            return None
        return value.lower() if value is not None else None

    def cents(self, column: str) -> int | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            amount = Decimal(value.replace("$", "").replace(",", ""))
        except InvalidOperation:
            self.bad(column, f"cannot read {value!r} as an amount of dollars")
            return None
        if not amount.is_finite():
            self.bad(column, f"cannot read {value!r} as an amount of dollars")
            return None
        if amount < 0:
            self.bad(column, f"must not be negative, got {value}")
            return None
        if amount > MAX_FEE:
            self.bad(column, f"{value} is beyond the largest fee a placement may have (${MAX_FEE:,})")
            return None
        return int((amount * 100).to_integral_value())

    def flag(self, column: str) -> bool | None:
        value = self.text(column)
        if value is None:
            return None
        if value.lower() in TRUE:
            return True
        if value.lower() in FALSE:
            return False
        self.bad(column, f"{value!r} is not true or false")
        return None


def _rows(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict[str, str | None]]]:
    source = str(path)
    if path.exists() and not path.is_file():
        problems.append(Problem(source, "", "is not a regular file (a folder, a pipe or a device?)"))
        return []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            if not header:
                problems.append(Problem(source, "", "the file is empty (expected a header row)"))
                return []
            reader.fieldnames = header
            for c in columns:
                where = [i + 1 for i, h in enumerate(header) if h == c]
                if len(where) > 1:
                    problems.append(Problem(source, "header", f"column {c!r} appears {len(where)} times "
                                            f"(columns {', '.join(map(str, where))}): keep one"))
            if len(set(header) & set(columns)) < sum(h in columns for h in header):
                return []
            missing = [c for c in columns if c not in header]
            for c in missing:
                problems.append(Problem(source, "header", f"column {c!r} is missing"))
            if missing:
                return []
            rows = [(i, row) for i, row in enumerate(reader, start=1)]
    except FileNotFoundError:
        problems.append(Problem(source, "", "file not found"))
        return []
    except (UnicodeDecodeError, csv.Error) as err:
        problems.append(Problem(source, "", f"cannot read as CSV: {err}"))
        return []
    if not rows:
        problems.append(Problem(source, "", "no data rows"))
    return rows


def read_placements(path: str | Path) -> list[Placement]:
    """Every placement in the file, or ScenarioError listing every bad row."""
    path = Path(path)
    problems: list[Problem] = []
    out = []
    for number, raw in _rows(path, PLACEMENT_COLUMNS, problems):
        r = _Row(str(path), number, raw, problems)
        before = len(problems)
        fields = (r.date("placement_date"), r.text("recruiter_id"), r.text("account_manager_id"),
                  r.choice("kind", KINDS), r.cents("fee"), r.date("start_date"), r.flag("fell_off"))
        if len(problems) == before:
            placed, rec, am, kind, fee, start, fell = fields
            out.append(Placement(placed, rec, am, kind == "perm", fee, start, fell))  # type: ignore[arg-type]
    if not problems and out:
        first, last = min(p.placement_date for p in out), max(p.placement_date for p in out)
        if (last - first).days < MIN_WINDOW_DAYS:
            problems.append(Problem(str(path), "placement_date", f"the placements span {(last - first).days} days "
                                    f"({first.isoformat()} to {last.isoformat()}); calibration needs at least "
                                    f"{MIN_WINDOW_DAYS} days of placements"))
    if problems:
        raise ScenarioError(problems)
    return out


def read_people(path: str | Path) -> list[Person]:
    """Every person in the file, or ScenarioError listing every bad row (an exit before the hire included)."""
    path = Path(path)
    problems: list[Problem] = []
    out = []
    seen: dict[str, int] = {}
    for number, raw in _rows(path, PEOPLE_COLUMNS, problems):
        r = _Row(str(path), number, raw, problems)
        before = len(problems)
        pid, role = r.text("person_id"), r.choice("role", PRODUCER_ROLES)
        hired, left = r.date("hire_date"), r.date("exit_date", optional=True)
        if hired is not None and left is not None and left < hired:
            r.bad("exit_date", f"exit {left.isoformat()} is before the hire {hired.isoformat()}")
        if pid is not None:
            if pid in seen:
                r.bad("person_id", f"{pid!r} already appears in row {seen[pid]}")
            seen.setdefault(pid, number)
        if len(problems) == before:
            out.append(Person(pid, role, hired, left, (raw.get("pod") or "").strip() or None))  # type: ignore[arg-type]
    if problems:
        raise ScenarioError(problems)
    return out
