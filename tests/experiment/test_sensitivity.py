"""Sensitivity: known indices of analytic functions through our design/analyse plumbing; the command's outputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.experiment.sensitivity import COLUMNS, analyse, design

from .conftest import SCENARIOS


def _runs(d, values: np.ndarray, replications: int = 1) -> pd.DataFrame:
    """A runs table as the batch stores it: the output of point i is ``values[i]`` (split over replications)."""
    rows = [{"point": i, "scheme": "s", "replication": r, "y": v} for i, v in enumerate(values)
            for r in range(replications)]
    return pd.DataFrame(rows)


def test_sobol_recovers_the_ishigami_first_order_indices() -> None:
    bounds = {"x1": (-math.pi, math.pi), "x2": (-math.pi, math.pi), "x3": (-math.pi, math.pi)}
    d = design(bounds, "sobol", 1024, seed=0)
    x = d.X
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    table = analyse(d, _runs(d, y), ["y"], ["s"]).set_index("parameter")
    # Analytic values (Ishigami & Homma 1990): S1 = 0.314, 0.442, 0; ST3 = 0.244.
    assert table["S1"].tolist() == pytest.approx([0.314, 0.442, 0.0], abs=0.05)
    assert table.loc["x3", "ST"] == pytest.approx(0.244, abs=0.05)
    assert (table["S1_conf"] > 0).all() and table["mu_star"].isna().all()


def test_morris_ranks_a_parameter_with_no_effect_last() -> None:
    d = design({"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}, "morris", 20, seed=1)
    y = 5 * d.X[:, 0] + d.X[:, 1] ** 2
    table = analyse(d, _runs(d, y, replications=2), ["y"], ["s"]).set_index("parameter")
    assert table.loc["a", "mu_star"] == pytest.approx(5.0, rel=1e-6)
    assert table.loc["c", "mu_star"] == 0.0 and table.loc["b", "mu_star"] > 0
    assert table["S1"].isna().all()


def test_incomplete_or_constant_outputs_give_nan_not_numbers() -> None:
    d = design({"a": (0.0, 1.0), "b": (0.0, 1.0)}, "sobol", 8, seed=2)
    runs = _runs(d, np.ones(len(d.X)))
    assert analyse(d, runs, ["y"], ["s"])["S1"].isna().all()
    assert analyse(d, runs.iloc[1:], ["y"], ["s"])["ST"].isna().all()


def test_sensitivity_command_stores_the_agreed_table_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "sens"
    code = main(["sensitivity", str(SCENARIOS / "sensitivity_demo.yaml"), "--method", "morris", "--n", "2",
                 "--metrics", "profit,mean_cooperation", "--replications", "1", "--out", str(out), "--workers", "2",
                 "--quiet", "--set", "horizon_months=3", "--no-report"])
    assert code == 0
    table = pd.read_parquet(out / "sensitivity.parquet")
    assert tuple(table.columns) == COLUMNS
    assert set(table["method"]) == {"morris"} and set(table["metric"]) == {"profit", "mean_cooperation"}
    assert len(table) == 2 * 2 * 4   # schemes x metrics x parameters
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sensitivity"]["method"] == "morris" and manifest["sensitivity"]["points"] == 2 * 5
    assert manifest["sweep_keys"] == list(manifest["sensitivity"]["parameters"])
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["point"].nunique() == 10
