"""The benchmark tools run end to end (their figures are read, never asserted: speed is not tested)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_compare_times_two_checkouts_in_rounds() -> None:
    # The cheapest path: one round, one replication of one month, a short bare SimPy loop.
    done = subprocess.run([sys.executable, "-m", "benchmarks.compare", str(ROOT), "--rounds", "1", "--replications",
                           "1", "--months", "1", "--bare-events", "1000"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["round 1 old", "round 1 new"]
    for line in lines[:2]:
        assert all(scheme in line for scheme in ("individual", "salary", "team_pool", "hybrid"))
    assert lines[-1].startswith("median over rounds: old ")


def test_compare_refuses_a_folder_that_is_not_a_checkout(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.compare", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "not a teamsim checkout" in done.stderr and "Traceback" not in done.stderr
