"""Run every validation check and format the results as a plain-text table."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import ModuleType

from sim.validation import cooperation_decay, field, flow, free_riding, relative_pay, restart, social_weight
from sim.validation.result import CheckOutcome, CheckRow, Size

#: Every check, in report order. Each module has ``check(size) -> CheckOutcome``.
CHECKS: tuple[ModuleType, ...] = (free_riding, social_weight, cooperation_decay, restart, flow, relative_pay, field)
NAMES = tuple(m.__name__.rsplit(".", 1)[1] for m in CHECKS)


def run_all(size: Size, only: Sequence[str] = (), progress: Callable[[str], None] | None = None
            ) -> list[CheckOutcome]:
    """Run the named checks (all by default) at ``size``."""
    outcomes = []
    for module, name in zip(CHECKS, NAMES, strict=True):
        if only and name not in only:
            continue
        if progress is not None:
            progress(name)
        outcomes.append(module.check(size))
    return outcomes


def fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if x != 0 and (abs(x) >= 1000 or abs(x) < 0.001):
        return f"{x:.3g}"
    return f"{x:.4g}"


def band_text(row: CheckRow) -> str:
    if row.expected is not None and math.isclose(row.high - row.expected, row.expected - row.low, rel_tol=1e-6,
                                                 abs_tol=1e-15):
        return f"{fmt(row.expected)} ± {fmt(row.high - row.expected)}"
    return f"[{fmt(row.low)}, {fmt(row.high)}]"


def table(outcomes: Sequence[CheckOutcome]) -> str:
    """One line per case: check, case, expected (band), simulated [95% CI], PASS/FAIL."""
    head = ("check", "case", "expected (band)", "simulated [95% CI]", "result")
    lines = []
    for o in outcomes:
        for r in o.rows:
            sim = fmt(r.simulated)
            if fmt(r.ci_low) != fmt(r.ci_high):
                sim += f" [{fmt(r.ci_low)}, {fmt(r.ci_high)}]"
            lines.append((r.check, r.case, band_text(r), sim, "PASS" if r.passed else "FAIL"))
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    passed = sum(r.passed for o in outcomes for r in o.rows)
    total = sum(len(o.rows) for o in outcomes)
    out.append(f"{passed}/{total} cases passed in {sum(o.seconds for o in outcomes):.1f} s")
    return "\n".join(out)
