"""--precision: replications added in steps, stopping at the first step that meets the target; a cap never silent."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.experiment.precision import Loop, Target, cap_warnings, parse_target
from sim.experiment.stats import half_width

from .conftest import workshop_sweep

POOL = np.random.default_rng(3).normal(100.0, 10.0, size=200)   # replication r's value: POOL[r]


def _runs(reps: dict[int, int], spread: dict[str, float]) -> pd.DataFrame:
    """Two points; scheme s's replication r is 100 + spread[s] * (POOL[r] - 100) (so schemes share noise)."""
    return pd.DataFrame([{"point": p, "scheme": s, "replication": r, "profit": 100 + k * (POOL[r] - 100)}
                         for p, n in reps.items() for s, k in spread.items() for r in range(n)])


def _drive(loop: Loop, start: int, spread: dict[str, float]) -> dict[int, int]:
    """What the batch does: run the replications asked for, ask the loop again, until it asks for nothing new."""
    reps = {0: start, 1: start}
    while True:
        more = loop.next(_runs(reps, spread), reps)
        if more == reps:
            return reps
        reps = more


def _first_meeting(values: np.ndarray, target: float, start: int, step: int) -> int:
    n = start
    while True:
        x = values[:n]
        if half_width(x.std(ddof=1), n) / abs(x.mean()) <= target:
            return n
        n += step


def test_precision_stops_at_the_first_step_that_meets_the_target() -> None:
    target = 0.035
    expected = _first_meeting(POOL, target, 4, 3)
    assert expected > 4   # the target needs more than the starting replications
    loop = Loop((Target("profit", target),), cap=200, baseline="a", step=3)
    reps = _drive(loop, 4, {"a": 1.0})
    assert reps == {0: expected, 1: expected}
    record = loop.record(reps)
    assert record["met"] and not record["stopped_by_cap"] and not cap_warnings(record)


def test_a_difference_target_is_met_by_the_paired_interval_not_the_levels() -> None:
    # b = a + 5% of a's noise: its level is as noisy as a's, its paired difference hardly at all.
    loop = Loop((parse_target("diff:profit=0.05"),), cap=200, baseline="a", step=2)
    assert _drive(loop, 3, {"a": 1.0, "b": 1.05}) == {0: 3, 1: 3}
    levels = Loop((parse_target("profit=0.05"),), cap=200, baseline="a", step=2)
    assert _drive(levels, 3, {"a": 1.0, "b": 1.05})[0] > 3


def test_precision_stopped_by_the_cap_says_so() -> None:
    loop = Loop((Target("profit", 0.0001),), cap=9, baseline="a", step=5)
    reps = _drive(loop, 2, {"a": 1.0})
    assert reps == {0: 9, 1: 9}
    record = loop.record(reps)
    assert not record["met"] and {c["point"] for c in record["stopped_by_cap"]} == {0, 1}
    lines = cap_warnings(record)
    assert len(lines) == 2 and "target profit=0.0001 not met at point 0" in lines[0]
    assert "after 9 replications" in lines[0]


@pytest.mark.parametrize("text, message", [("profit", "expected METRIC=REL"), ("diff:morale=0.1", "unknown metric"),
                                           ("profit=2", "between 0 and 1")])
def test_malformed_precision_targets_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_target(text)


def test_run_warns_on_stderr_and_in_the_manifest_when_the_cap_stops_precision(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workshop_sweep(tmp_path, grid={"market.job_order_rate": [6.0]}, horizon_months=3)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-report",
                 "--precision", "diff:profit=0.0001", "--max-replications", "4", "--precision-step", "2"]) == 0
    err = capsys.readouterr().err
    assert "warning: precision: target diff:profit=0.0001 not met" in err and "--max-replications 4" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["precision"]["met"] is False and manifest["precision"]["stopped_by_cap"]
    assert manifest["precision"]["replications_per_point"] == {"0": 4}
