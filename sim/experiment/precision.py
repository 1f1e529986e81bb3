"""Honest precision: add replications in steps until every interval is as narrow as asked, and no further.

A target is ``METRIC=REL`` (each scheme's 95% CI half-width at most REL x |its mean|) or
``diff:METRIC=REL`` (each scheme's *paired difference* to the baseline known to within REL x
|the baseline's mean|: the difference itself may be near zero, so its own size is no yardstick).
After every step the batch asks :meth:`Loop.next` how many replications each point needs: a point
that meets every target keeps what it has (so it stops at the first step that meets them); one that
does not gets ``step`` more, up to the cap. A point still short of a target at the cap is recorded in
:meth:`Loop.record` (the manifest) with the precision it reached, and :func:`cap_warnings` words it
for stderr: a missed target is never silent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.stats import half_width

DEFAULT_STEP = 5


@dataclass(frozen=True, slots=True)
class Target:
    metric: str
    relative: float
    difference: bool = False

    @property
    def text(self) -> str:
        return f"{'diff:' if self.difference else ''}{self.metric}={self.relative:g}"


def parse_target(text: str) -> Target:
    """``profit=0.02`` or ``diff:profit=0.05``; ValueError with one clear line otherwise."""
    from sim.metrics import BY_NAME

    spec, sep, rel = text.partition("=")
    diff = spec.startswith("diff:")
    metric = spec.removeprefix("diff:")
    if not sep:
        raise ValueError(f"expected METRIC=REL or diff:METRIC=REL, e.g. profit=0.02, got {text!r}")
    if metric not in BY_NAME:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(BY_NAME)}")
    try:
        value = float(rel)
    except ValueError:
        raise ValueError(f"relative half-width must be a number, got {rel!r}") from None
    if not 0 < value < 1:
        raise ValueError(f"relative half-width must be between 0 and 1, got {value:g}")
    return Target(metric, value, diff)


def achieved(runs: pd.DataFrame, target: Target, baseline: str, level: float = 0.95) -> pd.DataFrame:
    """Per (point, scheme): replications ``n`` and the relative half-width reached (inf with fewer than 2)."""
    m = target.metric
    if target.difference:
        wide = runs.pivot_table(index=["point", "replication"], columns="scheme", values=m, aggfunc="first")
        if baseline not in wide:
            return pd.DataFrame(columns=["point", "scheme", "n", "relative"])
        ref = wide[baseline].groupby(level="point").mean().abs()
        diffs = wide.drop(columns=baseline).sub(wide[baseline], axis=0)
        long = diffs.stack().rename(m).reset_index()
        g = long.groupby(["point", "scheme"])[m].agg(n="count", sd="std").reset_index()
        scale = g["point"].map(ref).to_numpy(dtype=float)
    else:
        g = runs.groupby(["point", "scheme"])[m].agg(n="count", sd="std", mean="mean").reset_index()
        scale = np.abs(g["mean"].to_numpy(dtype=float))
    half = half_width(g["sd"], g["n"], level)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(half == 0, 0.0, half / scale)
    g["relative"] = np.where(g["n"] >= 2, np.nan_to_num(rel, nan=math.inf), math.inf)
    return g[["point", "scheme", "n", "relative"]]


@dataclass
class Loop:
    targets: tuple[Target, ...]
    cap: int
    baseline: str
    step: int = DEFAULT_STEP
    history: list[dict[str, Any]] = field(default_factory=list)
    short: dict[tuple[int, str, str], float] = field(default_factory=dict)   # (point, scheme, target) -> reached

    @property
    def columns(self) -> list[str]:
        return ["point", "scheme", "replication", *dict.fromkeys(t.metric for t in self.targets)]

    def next(self, runs: pd.DataFrame, reps: Mapping[int, int]) -> dict[int, int]:
        """Replications per point for the next step (unchanged everywhere: the loop is done)."""
        if runs.empty:
            return dict(reps)
        runs = runs[runs["replication"] < runs["point"].map(reps)]
        self.short = {}
        for t in self.targets:
            for row in achieved(runs, t, self.baseline).itertuples(index=False):
                if not row.relative <= t.relative:
                    self.short[(int(row.point), str(row.scheme), t.text)] = float(row.relative)
        unmet = {p for p, _, _ in self.short}
        out = {p: min(self.cap, n + self.step) if p in unmet and n < self.cap else n for p, n in reps.items()}
        self.history.append({"replications": dict(reps), "points_short": len(unmet)})
        return out

    def record(self, reps: Mapping[int, int]) -> dict[str, Any]:
        """What the manifest keeps: targets, step, cap, replications per point, and every target missed at the cap."""
        capped = [{"point": p, "scheme": s, "target": t, "reached": reached, "replications": reps.get(p)}
                  for (p, s, t), reached in sorted(self.short.items()) if reps.get(p, 0) >= self.cap]
        return {"targets": [t.text for t in self.targets], "baseline": self.baseline, "step": self.step,
                "max_replications": self.cap, "replications_per_point": dict(reps), "met": not self.short,
                "stopped_by_cap": capped, "steps": len(self.history)}


def precision_loop(precision: Mapping[str, float] | Sequence[Target] | Loop | None, cap: int, baseline: str,
                   step: int = DEFAULT_STEP) -> Loop | None:
    """The loop for the batch's ``precision`` argument: a ready :class:`Loop`, targets, or the older
    metric -> relative mapping."""
    if isinstance(precision, Loop):
        return precision
    if not precision:
        return None
    targets = tuple(Target(m, float(r)) for m, r in precision.items()) if isinstance(precision, Mapping) \
        else tuple(precision)
    return Loop(targets, cap, baseline, step)


def cap_warnings(record: Mapping[str, Any], limit: int = 5) -> list[str]:
    """One line per target the cap stopped short (at most ``limit``, then a count of the rest)."""
    capped = record.get("stopped_by_cap") or []
    lines = [f"precision: target {c['target']} not met at point {c['point']} for {c['scheme']!r}: the 95% CI "
             f"half-width is {100 * c['reached']:.1f}% after {c['replications']} replications, the cap "
             f"(--max-replications {record['max_replications']})" for c in capped[:limit]]
    if len(capped) > limit:
        lines.append(f"precision: ... and {len(capped) - limit} more targets stopped by the cap (see manifest.json)")
    return lines
