"""Interval estimates for replication results (scipy.stats), pure functions over tables.

Means get a Student-t 95% interval over replications. Scheme differences are *paired*: replication
r of every scheme sees the same market (common random numbers), so the difference to the baseline
is computed per replication and its t interval is much narrower than an unpaired comparison.
Everything is vectorised over groups, so a sweep of thousands of points summarises in a moment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """(mean, standard deviation, CI low, CI high); with one value the interval is just that value."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return (math.nan,) * 4
    mean = float(x.mean())
    if n == 1:
        return mean, 0.0, mean, mean
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def half_width(sd: np.ndarray | pd.Series, n: np.ndarray | pd.Series, level: float = 0.95) -> np.ndarray:
    """Student-t half-width of the mean's interval; zero for groups of one (as :func:`mean_ci`)."""
    n = np.asarray(n, dtype=float)
    sd = np.nan_to_num(np.asarray(sd, dtype=float), nan=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
    return np.where(n > 1, half, np.where(n == 1, 0.0, np.nan))


def _long(runs: pd.DataFrame, metrics: Sequence[str], by: Sequence[str]) -> pd.DataFrame:
    present = [m for m in metrics if m in runs.columns]
    return runs.melt(id_vars=[*by, "scheme", "replication"], value_vars=present, var_name="metric")


def summarise(runs: pd.DataFrame, metrics: Sequence[str], baseline: str, by: Sequence[str] = (),
              level: float = 0.95) -> pd.DataFrame:
    """One row per (group, scheme, metric): mean, sd, CI, and the paired difference to ``baseline``.

    ``runs`` has columns ``scheme``, ``replication``, the metrics and any ``by`` columns. The
    paired difference uses the replications present for both schemes; ``diff_positive_share`` is
    the share of them in which the scheme's value exceeds the baseline's (its "win rate" when the
    metric is to be maximised). Rows come in the order: groups sorted, schemes as they first
    appear, metrics as given.
    """
    by = list(by)
    keys = [*by, "scheme", "metric"]
    long = _long(runs, metrics, by)
    long["value"] = long["value"].astype(float)
    g = long.groupby(keys, sort=False, dropna=False)["value"]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    out["sd"] = np.where(out["n"] == 1, 0.0, out["sd"])
    half = half_width(out["sd"], out["n"], level)
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half

    base = long[long["scheme"] == baseline].drop(columns="scheme").rename(columns={"value": "base"})
    paired = long[long["scheme"] != baseline].merge(base, on=[*by, "replication", "metric"], how="inner")
    paired["d"] = paired["value"] - paired["base"]
    paired["win"] = (paired["d"] > 0).astype(float)
    dg = paired.groupby(keys, sort=False, dropna=False)
    diff = dg["d"].agg(dn="count", diff_mean="mean", diff_sd="std").reset_index()
    diff["diff_positive_share"] = dg["win"].mean().to_numpy()
    diff["diff_sd"] = np.where(diff["dn"] == 1, 0.0, diff["diff_sd"])
    dhalf = half_width(diff["diff_sd"], diff["dn"], level)
    diff["diff_ci_low"], diff["diff_ci_high"] = diff["diff_mean"] - dhalf, diff["diff_mean"] + dhalf
    out = out.merge(diff.drop(columns="dn"), on=keys, how="left")

    scheme_rank = {s: i for i, s in enumerate(dict.fromkeys(runs["scheme"]))}
    metric_rank = {m: i for i, m in enumerate(metrics)}
    order = [*by, "_s", "_m"]
    out = out.assign(_s=out["scheme"].map(scheme_rank), _m=out["metric"].map(metric_rank))
    out = out.sort_values(order, kind="stable").drop(columns=["_s", "_m"]).reset_index(drop=True)
    cols = [*keys, "n", "mean", "sd", "ci_low", "ci_high", "diff_mean", "diff_sd", "diff_ci_low", "diff_ci_high",
            "diff_positive_share"]
    return out[cols]


def relative_half_widths(runs: pd.DataFrame, metric: str, by: Sequence[str] = ("point",),
                         level: float = 0.95) -> pd.DataFrame:
    """Per (group, scheme): n, mean, CI half-width and half-width / |mean| of ``metric``."""
    keys = [*by, "scheme"]
    g = runs.groupby(keys, sort=True)[metric].agg(n="count", mean="mean", sd="std").reset_index()
    g["half_width"] = half_width(g["sd"], g["n"], level)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = g["half_width"].to_numpy() / np.abs(g["mean"].to_numpy())
    g["relative"] = np.where(g["half_width"] == 0, 0.0, rel)
    return g


def replications_needed(runs: pd.DataFrame, targets: Mapping[str, float], cap: int, level: float = 0.95,
                        by: Sequence[str] = ("point",)) -> dict[object, int]:
    """Groups whose interval is still too wide for a target, and how many replications each now needs.

    For each group (a sweep point) and each ``metric -> relative half-width`` target, every scheme
    must have half-width <= target x |mean|. Half-widths shrink like 1/sqrt(n), so the estimate is
    n x (relative / target)^2, plus 10%; at least one more replication, at least two in all and
    never above ``cap``. Groups already precise enough, or already at the cap, are left out.
    """
    need: dict[object, int] = {}
    for metric, target in targets.items():
        rel = relative_half_widths(runs, metric, by, level)
        for _, row in rel.iterrows():
            n = int(row["n"])
            ok = n >= 2 and row["relative"] <= target
            if ok or n >= cap:
                continue
            factor = (row["relative"] / target) ** 2 if np.isfinite(row["relative"]) else 4.0
            want = min(cap, max(n + 1, 2, math.ceil(n * factor * 1.1)))
            key = row[by[0]] if len(by) == 1 else tuple(row[list(by)])
            need[key] = max(need.get(key, 0), want)
    return need


def monthly_bands(monthly: pd.DataFrame, metrics: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Per (scheme, month): mean and CI of each monthly metric over replications (for charts)."""
    rows = []
    for (scheme, month), g in monthly.groupby(["scheme", "month"], sort=False):
        row = {"scheme": scheme, "month": month}
        for metric in metrics:
            mean, _sd, lo, hi = mean_ci(g[metric].to_numpy(), level)
            row[metric] = mean
            row[f"{metric}_low"] = lo
            row[f"{metric}_high"] = hi
        rows.append(row)
    return pd.DataFrame(rows)
