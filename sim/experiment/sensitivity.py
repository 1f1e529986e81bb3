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
parameter). Each point's output is the mean over its replications, or (``difference``) the mean paired
difference between a scheme and the baseline: what drives the *gap* between two plans, not their level.
Keys whose base value is a whole number are rounded when run; the analysis uses the designed
(unrounded) values.

:func:`drivers` ranks the uncertain parameters by their effect on a paired difference sampled on any
Latin hypercube (SALib's moment-independent delta, with first-order indices), and
:func:`too_small` says when indices are too uncertain to mean anything (a confidence half-width
above :data:`MEANINGFUL_CONF`, or a first-order index outside [0, 1] beyond its interval), so they
are never reported silently.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
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
MEANINGFUL_CONF = 0.1   # a variance-share index known only to +/- more than this cannot rank parameters
DRIVER_COLUMNS = ("scheme", "metric", "parameter", "delta", "delta_conf", "S1", "S1_conf")


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


def difference_means(runs: pd.DataFrame, metrics: Sequence[str], n_points: int, scheme: str,
                     baseline: str) -> pd.DataFrame:
    """Per point, the mean paired difference ``scheme - baseline`` of each metric over their common
    replications, indexed like :func:`point_means` under the label ``scheme``."""
    keys = ["point", "replication"]
    a = runs[runs["scheme"] == scheme].set_index(keys)[list(metrics)].astype(float)
    b = runs[runs["scheme"] == baseline].set_index(keys)[list(metrics)].astype(float)
    diff = (a - b.reindex(a.index)).dropna(how="all").reset_index().assign(scheme=scheme)
    return point_means(diff, metrics, n_points)


def analyse(d: Design, runs: pd.DataFrame, metrics: Sequence[str], schemes: Sequence[str],
            num_resamples: int = 200, conf_level: float = 0.95, difference: tuple[str, str] | None = None
            ) -> pd.DataFrame:
    """One row per (scheme, metric, parameter) with the indices of ``d.method`` (NaN elsewhere).

    ``difference=(scheme, baseline)`` analyses the paired difference instead (one scheme, named
    ``scheme``). A (scheme, metric) whose outputs are incomplete (a run failed) or constant gets NaN
    indices rather than numbers SALib would compute from nothing.
    """
    from SALib.analyze import morris, sobol

    if difference is not None:
        means = difference_means(runs, metrics, len(d.X), *difference)
        schemes = [difference[0]]
    else:
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


def drivers(uncertain: Mapping[str, tuple[float, float]], X: np.ndarray, y: np.ndarray, seed: int,
            num_resamples: int = 200, conf_level: float = 0.95) -> pd.DataFrame:
    """Per parameter: SALib's delta (moment-independent) and first-order index of ``y`` over the sample ``X``.

    ``X`` is any Latin hypercube over ``uncertain`` (one row per world), ``y`` the output per world
    (typically a paired difference). A constant or incomplete ``y`` gives NaN rather than numbers.
    """
    from SALib.analyze import delta

    problem = problem_of(uncertain)
    y = np.asarray(y, dtype=float)
    res: dict[str, Any] = {}
    if len(y) >= 4 and np.all(np.isfinite(y)) and np.ptp(y) > 0:
        # SALib's delta seeds numpy's global generator from an int and treats 0 as "unseeded"; it prints
        # notes on its binning to stdout and warns of each merged bin (resetting the warning filters and
        # formatter itself), which would mix with the command's own output: the notes are recorded and
        # dropped, since the command's own warning about too few points is the one that matters.
        formatter = warnings.formatwarning
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(record=True):
            try:
                res = delta.analyze(problem, np.asarray(X, dtype=float), y, num_resamples=num_resamples,
                                    conf_level=conf_level, seed=int(seed) % (2**31 - 1) + 1)
            finally:
                warnings.formatwarning = formatter
    # SALib 1.5+ names Borgonovo's classical estimator delta_raw (beside bias-checked variants).
    source = {"delta": "delta_raw" if "delta_raw" in res else "delta",
              "delta_conf": "delta_raw_conf" if "delta_raw_conf" in res else "delta_conf",
              "S1": "S1", "S1_conf": "S1_conf"}
    rows = []
    for i, name in enumerate(problem["names"]):
        row = {"parameter": name}
        for col, key in source.items():
            row[col] = float(np.asarray(res[key])[i]) if key in res else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def too_small(table: pd.DataFrame, n: int, what: str) -> list[str]:
    """Warnings (one line each) when the indices in ``table`` are too uncertain for ``n`` points to mean anything."""
    out = []
    pairs = [(c, f"{c}_conf") for c in ("S1", "ST", "delta", "mu_star") if c in table and f"{c}_conf" in table]
    for col, conf in pairs:
        if col == "mu_star":
            continue   # not a share of variance: its scale is the metric's
        v, h = table[col].to_numpy(dtype=float), table[conf].to_numpy(dtype=float)
        known = np.isfinite(v) & np.isfinite(h)
        wide = int((known & (h > MEANINGFUL_CONF)).sum())
        outside = int((known & ((v - h > 1) | (v + h < 0))).sum())
        above = int((known & (v > 1)).sum())
        if wide or outside or above:
            worst = float(np.nanmax(np.where(known, h, np.nan))) if known.any() else math.nan
            bits = [f"{wide} of {int(known.sum())} {col} indices have 95% CI half-widths above "
                    f"{MEANINGFUL_CONF:g} (up to +/-{worst:.2f})"] if wide else []
            if above:
                bits.append(f"{above} exceed 1" + (f" ({outside} beyond their interval)" if outside else ""))
            out.append(f"{what}: " + " and ".join(bits) + f": {n} points are too few for these indices to "
                       "mean anything; take more points (--n or --points) before ranking parameters by them")
    return out
