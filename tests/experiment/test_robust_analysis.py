"""Robust comparison on synthetic worlds with a known answer: win share, PRIM threshold, regret, drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.decision import make_decision
from sim.experiment import discovery
from sim.experiment.robust import (
    DECISION,
    clear_counts,
    design,
    robust_table,
    win_interval,
    wins,
    world_means,
)
from sim.experiment.sensitivity import drivers, too_small

THRESHOLD = 0.3   # "challenger" beats "base" on profit exactly when a > THRESHOLD
SLOPE = 1000.0
RANGES = {"a": (0.0, 1.0), "b": (10.0, 20.0)}


def synthetic_runs(n: int = 200, replications: int = 3, noise: float = 1.0, seed: int = 4) -> pd.DataFrame:
    """Worlds over a and b; challenger's profit is the baseline's + SLOPE (a - THRESHOLD) (b has no effect),
    its turnover 0.1 lower whatever the world; common noise per replication cancels in the pairing."""
    X = design(RANGES, n, seed)
    rng = np.random.default_rng(seed)
    rows = []
    for p, (a, b) in enumerate(X):
        for r in range(replications):
            common = rng.normal(0, 100)
            own = rng.normal(0, noise, size=3)
            base = {"profit": 5000 + common + own[0], "turnover_rate_annual": 0.4}
            chall = {"profit": base["profit"] + SLOPE * (a - THRESHOLD) + own[1], "turnover_rate_annual": 0.3}
            worse = {"profit": base["profit"] - 50 + own[2], "turnover_rate_annual": 0.5}
            for scheme, v in (("base", base), ("challenger", chall), ("worse", worse)):
                rows.append({"point": p, "a": a, "b": b, "scheme": scheme, "replication": r, **v})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def means() -> pd.DataFrame:
    runs = synthetic_runs()
    m = world_means(runs, ["profit", "turnover_rate_annual"], "base")
    return m.join(runs.drop_duplicates("point").set_index("point")[["a", "b"]], on="point")


def test_latin_hypercube_puts_one_world_in_each_stratum_of_every_range() -> None:
    X = design(RANGES, 50, seed=9)
    for j, (lo, hi) in enumerate(RANGES.values()):
        strata = np.floor((X[:, j] - lo) / (hi - lo) * 50).astype(int)
        assert sorted(strata) == list(range(50))
    assert np.array_equal(X, design(RANGES, 50, seed=9)) and not np.array_equal(X, design(RANGES, 50, seed=10))


def test_win_share_matches_the_analytic_share_and_its_interval_covers_it(means: pd.DataFrame) -> None:
    table = robust_table(means, ["base", "challenger", "worse"], "base", ["profit", "turnover_rate_annual"])
    row = table[(table["scheme"] == "challenger") & (table["metric"] == "profit")].iloc[0]
    # Uniform a on [0, 1]: P(a > 0.3) = 0.7; a Latin hypercube of 200 worlds puts 140 strata above it.
    assert row["win_share"] == pytest.approx(1 - THRESHOLD, abs=0.015)
    assert row["win_share_low"] < 1 - THRESHOLD < row["win_share_high"]
    assert row["median_diff"] == pytest.approx(SLOPE * (0.5 - THRESHOLD), abs=15)
    assert row["worst_diff"] == pytest.approx(-SLOPE * THRESHOLD, abs=10)
    # Turnover: lower is better, so a difference of -0.1 in every world is a win everywhere.
    turn = table[(table["scheme"] == "challenger") & (table["metric"] == "turnover_rate_annual")].iloc[0]
    assert turn["win_share"] == 1.0 and turn["median_diff"] == pytest.approx(-0.1) and turn["max_regret"] == 0
    worse = table[(table["scheme"] == "worse") & (table["metric"] == "profit")].iloc[0]
    assert worse["win_share"] == 0.0 and worse["win_share_high"] < 0.02


def test_regret_is_the_shortfall_against_each_worlds_best_scheme(means: pd.DataFrame) -> None:
    table = robust_table(means, ["base", "challenger", "worse"], "base", ["profit"]).set_index("scheme")
    a = means.drop_duplicates("point")["a"].to_numpy()
    # The challenger's worst world is the one with the smallest a, where the baseline beats it by SLOPE (0.3 - a).
    assert table.loc["challenger", "max_regret"] == pytest.approx(SLOPE * (THRESHOLD - a.min()), abs=5)
    # "worse" trails the baseline by 50 and the challenger by more where a is large.
    assert table.loc["worse", "max_regret"] == pytest.approx(50 + SLOPE * (a.max() - THRESHOLD), abs=5)


def test_constraints_count_a_win_only_where_they_are_met(means: pd.DataFrame) -> None:
    loose = make_decision("profit", ["turnover_rate_annual<=0.45"])
    tight = make_decision("profit", ["turnover_rate_annual<=0.35"])
    schemes = ["base", "challenger", "worse"]
    row = robust_table(means, schemes, "base", ["profit"], loose).set_index(["scheme", "metric"])
    assert row.loc[("challenger", DECISION), "win_share"] == pytest.approx(1 - THRESHOLD, abs=0.015)
    # Only the challenger meets the tight bound: it wins in every world, and has no regret.
    row = robust_table(means, schemes, "base", ["profit"], tight).set_index(["scheme", "metric"])
    assert row.loc[("challenger", DECISION), "win_share"] == 1.0
    assert row.loc[("challenger", DECISION), "max_regret"] == 0.0
    assert wins(means, "profit", "base", tight)[means["scheme"] == "worse"].sum() == 0


def test_prim_recovers_the_threshold_where_the_challenger_loses(means: pd.DataFrame) -> None:
    won = wins(means, "profit", "base")
    [rec] = [r for r in discovery.boxes_for(means, ["a", "b"], won, ["base", "challenger"], "base", "profit")]
    box = rec["box"]
    assert [lim["key"] for lim in box["limits"]] == ["a"]
    assert box["limits"][0]["low"] is None and box["limits"][0]["high"] == pytest.approx(THRESHOLD, abs=0.03)
    assert box["coverage"] >= 0.9 and box["density"] >= 0.9
    assert rec["sentence"].startswith("challenger loses to base on profit when a < 0.3")


def test_prim_box_sentences_say_never_and_always_plainly() -> None:
    assert "never loses" in discovery.sentence(None, "s", "b", "profit", 0, 10)
    assert "every one of the 10" in discovery.sentence(None, "s", "b", "profit", 10, 10)
    X = pd.DataFrame({"a": np.linspace(0, 1, 10)})
    assert discovery.find_box(X, np.zeros(10, bool)) is None


def test_clear_counts_split_worlds_by_the_replications_interval() -> None:
    runs = synthetic_runs(n=40, replications=4, noise=30.0)
    m = world_means(runs, ["profit"], "base")
    c = clear_counts(m, "profit", "challenger")
    assert sum(c.values()) == 40 and c["clear_win"] > 15 and c["clear_loss"] > 5 and c["unclear"] >= 1


def test_win_interval_is_the_exact_binomial_interval() -> None:
    share, low, high = win_interval(47, 64)
    assert share == pytest.approx(47 / 64)
    assert (low, high) == pytest.approx((0.6091, 0.8370), abs=1e-4)   # Clopper-Pearson, scipy.stats.binomtest
    assert all(np.isnan(win_interval(0, 0)))


def test_drivers_of_the_difference_rank_the_parameter_that_moves_it_first(means: pd.DataFrame) -> None:
    mine = means[means["scheme"] == "challenger"]
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):   # as the robust analysis runs it
        d = drivers(RANGES, mine[["a", "b"]].to_numpy(), mine["profit_diff"].to_numpy(), seed=0,
                    num_resamples=20).set_index("parameter")
    assert d.loc["a", "S1"] > 0.9 and d.loc["b", "S1"] < 0.1 and d.loc["a", "delta"] > d.loc["b", "delta"]
    assert not too_small(d.reset_index(), len(mine), "x")


def test_too_few_points_give_a_warning_not_silent_indices() -> None:
    table = pd.DataFrame({"S1": [1.3, 0.2], "S1_conf": [0.6, 0.4], "ST": [0.5, 0.5], "ST_conf": [0.05, 0.05]})
    [line] = too_small(table, 16, "sobol of profit")
    assert "2 of 2 S1 indices have 95% CI half-widths above 0.1 (up to +/-0.60)" in line and "1 exceed 1" in line


def test_sobol_on_the_paired_difference_sees_only_what_separates_the_schemes() -> None:
    from sim.experiment.sensitivity import analyse
    from sim.experiment.sensitivity import design as sobol_design

    d = sobol_design({"a": (0.0, 1.0), "b": (0.0, 1.0)}, "sobol", 256, seed=5)
    level = 100 * d.X[:, 1]                      # both schemes' level moves with b alone
    rows = [{"point": i, "scheme": s, "replication": 0, "y": level[i] + (3 * d.X[i, 0] if s == "new" else 0)}
            for i in range(len(d.X)) for s in ("old", "new")]
    runs = pd.DataFrame(rows)
    diff = analyse(d, runs, ["y"], ["old", "new"], difference=("new", "old")).set_index("parameter")
    assert set(diff["scheme"]) == {"new"}
    assert diff.loc["a", "S1"] == pytest.approx(1.0, abs=0.05) and diff.loc["b", "S1"] == pytest.approx(0, abs=0.05)
    levels = analyse(d, runs, ["y"], ["old"]).set_index("parameter")
    assert levels.loc["b", "S1"] > 0.9
