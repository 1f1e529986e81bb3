"""Plan search: the optimum of a known concave response, constraints, resume; the command end to end."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.decision import make_decision
from sim.experiment.optimize import Dimension, open_study, pareto, parse_vary, search, trial_table

from .conftest import ROOT, SCENARIOS

SPACE = [Dimension("x", 0.0, 1.0), Dimension("y", 0.0, 1.0)]


def concave(points: list[dict[str, float]]) -> list[dict[str, float]]:
    """Profit peaks at (0.3, 0.7); turnover rises with x."""
    return [{"profit": 100 - 50 * (p["x"] - 0.3) ** 2 - 80 * (p["y"] - 0.7) ** 2, "turnover_rate_annual": p["x"]}
            for p in points]


def _study(tmp: Path, decision, resume: bool = False, name: str = "o.db"):
    return open_study(f"sqlite:///{tmp / name}", decision, {"test": 1}, resume)


def test_search_finds_the_optimum_of_a_concave_response(tmp_path: Path) -> None:
    decision = make_decision("profit")
    study = search(_study(tmp_path, decision), SPACE, decision, 48, seed=1, evaluate=concave)
    t = trial_table(study, SPACE, decision, ["profit", "turnover_rate_annual"])
    best = t.loc[t["profit"].idxmax()]
    assert len(t) == 48
    assert best["x"] == pytest.approx(0.3, abs=0.1) and best["y"] == pytest.approx(0.7, abs=0.1)


def test_search_with_a_constraint_finds_the_constrained_optimum(tmp_path: Path) -> None:
    decision = make_decision("profit", ["turnover_rate_annual<=0.15"])
    study = search(_study(tmp_path, decision), SPACE, decision, 48, seed=2, evaluate=concave)
    t = trial_table(study, SPACE, decision, ["profit", "turnover_rate_annual"])
    best = t[t["feasible"]].sort_values("profit").iloc[-1]
    # The optimum on the boundary x = 0.15 (profit is concave in x with its peak at 0.3 beyond it).
    assert best["x"] <= 0.15 and best["x"] == pytest.approx(0.15, abs=0.06) and best["y"] == pytest.approx(0.7, abs=0.1)


class Killed(Exception):
    pass


def test_a_search_cut_short_then_resumed_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    decision = make_decision("profit")
    whole = search(_study(tmp_path, decision, name="whole.db"), SPACE, decision, 16, seed=3, evaluate=concave)
    calls = []

    def dies_on_the_third_batch(points: list[dict[str, float]]) -> list[dict[str, float]]:
        calls.append(len(points))
        if len(calls) == 3:
            raise Killed   # as a kill mid-batch: its trials stay "running" in the storage
        return concave(points)

    with pytest.raises(Killed):
        search(_study(tmp_path, decision, name="cut.db"), SPACE, decision, 16, seed=3, evaluate=dies_on_the_third_batch)
    resumed = search(_study(tmp_path, decision, resume=True, name="cut.db"), SPACE, decision, 16, seed=3,
                     evaluate=concave)
    cols = ["trial", "x", "y", "profit"]
    a = trial_table(whole, SPACE, decision, ["profit"])[cols]
    b = trial_table(resumed, SPACE, decision, ["profit"])[cols]
    pd.testing.assert_frame_equal(a, b)


def test_resume_refuses_a_study_of_other_settings(tmp_path: Path) -> None:
    decision = make_decision("profit")
    _study(tmp_path, decision)
    with pytest.raises(ValueError, match="differs from this one in other, test"):
        open_study(f"sqlite:///{tmp_path / 'o.db'}", decision, {"test": 2, "other": 1}, resume=True)


def test_pareto_front_keeps_only_undominated_trials() -> None:
    t = pd.DataFrame({"profit": [10, 8, 9, 7], "turnover_rate_annual": [0.5, 0.3, 0.6, 0.2]})
    assert pareto(t, ["profit", "turnover_rate_annual"], [1, -1]).tolist() == [True, True, False, True]


@pytest.mark.parametrize("text, message", [("x=1", "expected KEY=LOW..HIGH"), ("x=0.5..0.5", "needs its low below"),
                                           ("x=a..b", "expected KEY=LOW..HIGH")])
def test_malformed_vary_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_vary(text)


CMD = ["optimize", str(SCENARIOS / "workshop_demo.yaml"), "--scheme", "hybrid",
       "--vary", "schemes.hybrid.individual_weight=0.1..0.9", "--objective", "profit",
       "--constraint", "turnover_rate_annual<=0.9", "--trials", "8", "--replications", "2",
       "--set", "horizon_months=3", "--quiet"]


def _complete(db: Path) -> int:
    """Trials the search has finished, read without creating or writing the file (a plain connect would create an
    empty database in the child's folder before Optuna does)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return con.execute("select count(*) from trials where state = 'COMPLETE'").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_optimize_writes_best_plan_front_and_fresh_rerun_and_resumes_after_sigkill(tmp_path: Path) -> None:
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert main([*CMD, "--workers", "1", "--out", str(whole)]) == 0
    info = json.loads((whole / "optimize.json").read_text())
    trials = pd.read_parquet(whole / "trials.parquet")
    assert len(trials) == 8 and trials["pareto"].any() and info["best"]["feasible"]
    assert info["confirm"]["seed"] != 7 and "hybrid_best profit" in info["confirm"]["sentence"]
    best = yaml.safe_load((whole / "best.yaml").read_text())
    hybrid = next(s for s in best["schemes"] if s["name"] == "hybrid")
    # plan weights keep 9 decimal places (sim.comp.params.RATE_PLACES)
    assert hybrid["individual_weight"] == pytest.approx(info["best"]["schemes.hybrid.individual_weight"], abs=1e-9)
    assert (whole / "optimize.html").exists() and (whole / "confirm" / "report.html").exists()

    err = tmp_path / "killed.err"
    with err.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "sim", *CMD, "--workers", "1", "--no-report", "--out",
                                 str(killed)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sink)
    deadline = time.monotonic() + 120
    while _complete(killed / "optuna.db") == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()   # SIGKILL; a no-op if the child has already ended and been reaped
    proc.wait()
    assert 0 < _complete(killed / "optuna.db") < 8, f"the kill must land mid-search: {err.read_text()[-2000:]}"
    assert main([*CMD, "--workers", "2", "--no-report", "--out", str(killed), "--resume"]) == 0
    again = pd.read_parquet(killed / "trials.parquet")
    cols = ["schemes.hybrid.individual_weight", "profit", "turnover_rate_annual"]
    pd.testing.assert_frame_equal(trials[cols], again[cols])   # and so also at 2 workers as at 1


@pytest.mark.parametrize("args, message", [
    (["--vary", "schemes.hybrid.individual_weight=0.1"], "expected KEY=LOW..HIGH"),
    (["--vary", "market.job_order_rate=4..8"], "not a setting of scheme 'hybrid'"),
    (["--vary", "schemes.hybrid.individual_weight=0.5..1.5"], "value 1.5"),
    (["--vary", "schemes.hybrid.team_pool.rtae=0.1..0.3"],
     "--vary: schemes.hybrid.team_pool.rtae: not a scenario key (did you mean 'schemes.hybrid.team_pool.rate'?)"),
    (["--vary", "schemes.hybrid.name=1..2"], "--vary: schemes.hybrid.name: a scheme's name cannot be varied"),
    (["--objective", "happiness"], "unknown metric 'happiness'"),
    (["--constraint", "turnover_rate_annual=0.3"], "expected METRIC<=X or METRIC>=X"),
])
def test_optimize_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   args: list[str], message: str) -> None:
    cmd = ["optimize", str(SCENARIOS / "workshop_demo.yaml"), "--scheme", "hybrid", "--trials", "4",
           "--out", str(tmp_path / "o"), "--quiet", *args]
    if not any(a == "--vary" for a in args):
        cmd += ["--vary", "schemes.hybrid.individual_weight=0.1..0.9"]
    try:
        code = main(cmd)
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0], err
    assert not (tmp_path / "o" / "optuna.db").exists()


def test_a_constraint_no_trial_meets_is_reported_with_the_closest_trial(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cmd = [*CMD[:CMD.index("--constraint")], "--constraint", "turnover_rate_annual<=-1", "--trials", "4",
           "--replications", "1", "--set", "horizon_months=2", "--quiet", "--workers", "1",
           "--out", str(tmp_path / "o")]
    assert main(cmd) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "no trial met turnover_rate_annual<=-1; the closest was trial" in line
    assert np.isfinite(pd.read_parquet(tmp_path / "o" / "trials.parquet")["violation"]).all()


def test_across_worlds_scores_a_trial_by_its_unfavourable_percentile() -> None:
    from sim.decision import make_decision
    from sim.experiment.optimize import across_worlds

    worlds = [{"profit": float(p), "turnover_rate_annual": t, "mean_cooperation": c}
              for p, t, c in zip(range(11), np.linspace(0.2, 0.4, 11), np.linspace(0, 1, 11), strict=True)]
    got = across_worlds(worlds, make_decision("profit", ["turnover_rate_annual<=0.35"]))
    assert got["profit"] == pytest.approx(1.0)                   # the 10th percentile of 0..10
    assert got["turnover_rate_annual"] == pytest.approx(0.38)    # a <= bound is held at the 90th
    assert got["mean_cooperation"] == pytest.approx(0.5)         # anything else: the mean
    low = across_worlds(worlds, make_decision("turnover_rate_annual"))
    assert low["turnover_rate_annual"] == pytest.approx(0.38)    # lower is better: the 90th percentile
    assert across_worlds([worlds[0], {}], make_decision("profit")) == {}   # a world without a result fails


def test_optimize_across_worlds_runs_every_trial_in_the_same_worlds(tmp_path: Path) -> None:
    out = tmp_path / "worlds"
    cmd = ["optimize", str(SCENARIOS / "robust_demo.yaml"), "--scheme", "hybrid", "--vary",
           "schemes.hybrid.individual_weight=0.2..0.8", "--objective", "profit", "--trials", "2",
           "--replications", "1", "--worlds", "3", "--set", "horizon_months=3", "--quiet", "--workers", "1",
           "--no-report", "--out", str(out)]
    assert main(cmd) == 0
    info = json.loads((out / "optimize.json").read_text())
    assert len(info["settings"]["worlds"]) == 3 and "3 worlds" in info["scored"]
    from sim.experiment.optimize import BATCH
    runs = pd.read_parquet(out / "evaluation" / "runs.parquet")   # the last batch of trials
    assert runs["point"].nunique() == min(BATCH, 2) * 3           # each trial in each world
    keys = list(info["settings"]["worlds"][0])
    by_trial = runs.groupby("schemes.hybrid.individual_weight")
    seen = [sorted(map(tuple, g[keys].drop_duplicates().to_numpy().round(9).tolist())) for _, g in by_trial]
    assert len(seen) == min(BATCH, 2) and all(w == seen[0] for w in seen) and len(seen[0]) == 3   # the same worlds


def test_optimize_across_worlds_needs_uncertain_ranges(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["optimize", str(SCENARIOS / "workshop_demo.yaml"), "--scheme", "hybrid", "--vary",
                 "schemes.hybrid.individual_weight=0.2..0.8", "--worlds", "3", "--out", str(tmp_path / "o")])
    assert code == 2 and "--worlds" in capsys.readouterr().err
