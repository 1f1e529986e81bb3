"""What a validation check reports: one row per case, plus series to draw.

A row says what the case reproduces, where the published (or derived) answer comes from, the
expected value or band, the simulated value with its 95% interval, and whether it passed. A check
passes when the simulated value lies in the band; checks that compare against an exact value use a
band of plus or minus a stated tolerance around it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Size:
    """How much simulation a run of the suite does: ``full`` for the report, ``quick`` for tests."""

    replications: int = 30      # independent replications behind every interval
    groups: int = 100           # VCM groups of 4 per replication
    flow_pods: int = 200        # independent recruiter/AM pairs in the flow check
    flow_months: int = 36
    relative_pay_people: int = 2000

    @classmethod
    def named(cls, name: str) -> Size:
        return QUICK if name == "quick" else FULL


FULL = Size()
QUICK = Size(replications=8, groups=25, flow_pods=60, flow_months=18, relative_pay_people=1000)


@dataclass(frozen=True, slots=True)
class CheckRow:
    """One case of one check."""

    check: str               # short id, e.g. "free_riding"
    case: str                # e.g. "N=4"
    reproduces: str          # the claim, in words
    source: str              # citation
    expected: float | None   # the published or derived value (None: a band only)
    low: float               # band the simulated value must lie in
    high: float
    simulated: float
    ci_low: float
    ci_high: float
    unit: str = ""

    @property
    def passed(self) -> bool:
        return bool(not math.isnan(self.simulated) and self.low <= self.simulated <= self.high)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["passed"] = self.passed
        return d


@dataclass(frozen=True, slots=True)
class Series:
    """A line to draw in the report: y (with an optional 95% band) against x."""

    figure: str              # rows with the same figure title share a chart
    name: str
    x: list[float] | list[str]
    y: list[float]
    low: list[float] | None = None
    high: list[float] | None = None


@dataclass(slots=True)
class CheckOutcome:
    """All the rows and series one check produced, and how long it took."""

    name: str
    title: str
    rows: list[CheckRow] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows)


def exact_row(check: str, case: str, reproduces: str, source: str, expected: float, simulated: float,
              tolerance: float, ci: tuple[float, float] | None = None, unit: str = "") -> CheckRow:
    """A row that passes when ``simulated`` is within ``tolerance`` (absolute) of ``expected``."""
    lo, hi = ci if ci is not None else (simulated, simulated)
    return CheckRow(check, case, reproduces, source, expected, expected - tolerance, expected + tolerance,
                    simulated, lo, hi, unit)
