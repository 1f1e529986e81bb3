"""Statistics: interval coverage on a known distribution, vectorised = scalar, what common random numbers buy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiment.batch import BatchRequest, run_batch
from sim.experiment.executors import ExecutorSpec
from sim.experiment.stats import mean_ci, summarise
from sim.scenario import load_scenario

from .conftest import SCENARIOS


def test_95_percent_intervals_cover_a_normal_mean_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(20240601)
    trials, n, true_mean = 4000, 8, 3.0
    runs = pd.DataFrame({"trial": np.repeat(np.arange(trials), n), "scheme": "a",
                         "replication": np.tile(np.arange(n), trials),
                         "x": rng.normal(true_mean, 2.0, trials * n)})
    s = summarise(runs, ["x"], baseline="a", by=["trial"])
    covered = ((s["ci_low"] <= true_mean) & (true_mean <= s["ci_high"])).mean()
    assert 0.94 <= covered <= 0.96   # binomial sd at 4000 trials is 0.0034


def test_vectorised_summary_equals_the_scalar_interval() -> None:
    rng = np.random.default_rng(1)
    runs = pd.DataFrame({"scheme": np.repeat(["a", "b"], 6), "replication": np.tile(np.arange(6), 2),
                         "x": rng.normal(0, 1, 12)})
    s = summarise(runs, ["x"], baseline="a").set_index("scheme")
    for scheme in ("a", "b"):
        mean, sd, lo, hi = mean_ci(runs.loc[runs["scheme"] == scheme, "x"])
        assert s.loc[scheme, ["mean", "sd", "ci_low", "ci_high"]].tolist() == pytest.approx([mean, sd, lo, hi])
    d = runs.loc[runs["scheme"] == "b", "x"].to_numpy() - runs.loc[runs["scheme"] == "a", "x"].to_numpy()
    assert s.loc["b", ["diff_mean", "diff_ci_low", "diff_ci_high"]].tolist() == pytest.approx(
        [mean_ci(d)[0], mean_ci(d)[2], mean_ci(d)[3]])
    assert s.loc["b", "diff_positive_share"] == pytest.approx(np.mean(d > 0))
    assert np.isnan(s.loc["a", "diff_mean"])


def test_paired_differences_have_smaller_variance_than_unpaired_on_the_shipped_comparison(tmp_path: Path) -> None:
    sc = load_scenario(SCENARIOS / "individual_vs_team.yaml", ["horizon_months=12", "replications=10"])
    runs = run_batch(BatchRequest(sc, tmp_path, ExecutorSpec("pool", 2))).runs
    s = summarise(runs, ["gross_profit", "profit", "placements"], baseline="individual")
    base = s[s["scheme"] == "individual"].set_index("metric")["sd"]
    others = s[s["scheme"] != "individual"]
    unpaired_var = others["sd"] ** 2 + others["metric"].map(base) ** 2
    assert len(others) == 9
    assert (others["diff_sd"] ** 2 < unpaired_var).all(), others[["scheme", "metric", "diff_sd", "sd"]]


