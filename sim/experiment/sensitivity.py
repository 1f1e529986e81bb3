"""Global sensitivity analysis (SALib) over the parameters a scenario marks ``uncertain:``.

Two methods, chosen by name, with the same two steps (SALib's sample / analyse shape):

* ``sobol``: Saltelli's scheme, ``N x (D + 2)`` points for D parameters (first-order and total
  indices, no second order); N should be a power of two. Indices ``S1`` and ``ST`` with bootstrap
  confidence half-widths ``S1_conf`` and ``ST_conf``.
* ``morris``: ``N`` one-at-a-time trajectories, ``N x (D + 1)`` points. ``mu_star`` (mean absolute
  elementary effect) with its bootstrap half-width, and ``sigma`` (their spread: interactions or
  non-linearity).

:func:`design` gives the points to run (each a mapping of dotted keys to values, run by the batch
machinery like any sweep); :func:`analyse` turns the stored runs into one row per (scheme, metric,
parameter). Each point's output is the mean over its replications. Keys whose base value is a whole
number are rounded when run; the analysis uses the designed (unrounded) values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

METHODS = ("sobol", "morris")
COLUMNS = ("method", "scheme", "metric", "parameter", "S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf",
           "sigma")
DEFAULT_N = {"sobol": 64, "morris": 16}
MORRIS_LEVELS = 4


@dataclass(frozen=True)
class Design:
    method: str
    problem: dict[str, Any]
    X: np.ndarray
    n: int
    seed: int

    def points(self, integer_keys: Sequence[str] = ()) -> list[dict[str, Any]]:
        names = self.problem["names"]
        return [{k: int(round(v)) if k in integer_keys else float(v) for k, v in zip(names, row, strict=True)}
                for row in self.X]

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "n": self.n, "seed": self.seed, "points": int(len(self.X)),
                "parameters": dict(zip(self.problem["names"], self.problem["bounds"], strict=True)),
                "calc_second_order": False, "num_levels": MORRIS_LEVELS if self.method == "morris" else None}


def problem_of(uncertain: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """SALib's problem dictionary for the ``uncertain:`` ranges."""
    return {"num_vars": len(uncertain), "names": list(uncertain),
            "bounds": [[float(lo), float(hi)] for lo, hi in uncertain.values()]}


def design(uncertain: Mapping[str, tuple[float, float]], method: str, n: int, seed: int) -> Design:
    """The points to run for ``method`` with base sample size ``n`` (reproducible from ``seed``)."""
    from SALib.sample import morris, sobol

    problem = problem_of(uncertain)
    rng = np.random.default_rng(seed)   # a Generator, never an int: SALib treats seed 0 as "unseeded"
    if method == "sobol":
        X = sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=rng)
    elif method == "morris":
        X = morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=rng)
    else:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return Design(method, problem, np.asarray(X, dtype=float), n, seed)


def point_means(runs: pd.DataFrame, metrics: Sequence[str], n_points: int) -> pd.DataFrame:
    """Mean of each metric over replications per (scheme, point); missing points are NaN."""
    means = runs.groupby(["scheme", "point"], sort=True)[list(metrics)].mean()
    full = pd.MultiIndex.from_product([means.index.levels[0], range(n_points)], names=["scheme", "point"])
    return means.reindex(full)


def analyse(d: Design, runs: pd.DataFrame, metrics: Sequence[str], schemes: Sequence[str],
            num_resamples: int = 200, conf_level: float = 0.95) -> pd.DataFrame:
    """One row per (scheme, metric, parameter) with the indices of ``d.method`` (NaN elsewhere).

    A (scheme, metric) whose outputs are incomplete (a run failed) or constant gets NaN indices
    rather than numbers SALib would compute from nothing.
    """
    from SALib.analyze import morris, sobol

    means = point_means(runs, metrics, len(d.X))
    rows = []
    for scheme in schemes:
        for metric in metrics:
            y = means.loc[scheme, metric].to_numpy(dtype=float) if scheme in means.index.levels[0] else None
            usable = y is not None and np.all(np.isfinite(y)) and np.ptp(y) > 0
            res: dict[str, Any] = {}
            if usable:
                rng = np.random.default_rng(d.seed)
                if d.method == "sobol":
                    res = sobol.analyze(d.problem, y, calc_second_order=False, num_resamples=num_resamples,
                                        conf_level=conf_level, seed=rng)
                else:
                    res = morris.analyze(d.problem, d.X, y, num_resamples=num_resamples, conf_level=conf_level,
                                         num_levels=MORRIS_LEVELS, seed=rng)
            for i, name in enumerate(d.problem["names"]):
                row = {c: math.nan for c in COLUMNS}
                row.update(method=d.method, scheme=scheme, metric=metric, parameter=name)
                for col in ("S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "sigma"):
                    if col in res:
                        row[col] = float(np.asarray(res[col])[i])
                rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))
