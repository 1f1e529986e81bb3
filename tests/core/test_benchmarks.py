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


def test_identical_finds_no_difference_in_a_rerun_and_names_a_changed_table(tmp_path: Path) -> None:
    from benchmarks import identical

    stored = tmp_path / "tables.pkl"
    assert identical.main(["store", str(stored), "--months", "1", "--only", "individual_vs_team"]) == 0
    assert identical.main(["check", str(stored), "--months", "1", "--only", "individual_vs_team"]) == 0
    old = identical.results(1, "individual_vs_team")
    new = {key: dict(tables) for key, tables in old.items()}
    key = next(k for k in new if k[3])   # a run with detail
    new[key]["statements"] = [dict(row) for row in new[key]["statements"]]
    new[key]["statements"][3]["cents"] += 1   # one cent on one pay line
    found = identical.differences(old, new)
    assert len(found) == 1 and str(key) in found[0] and "statements" in found[0] and "cents" in found[0]
