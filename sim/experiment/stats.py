"""Interval estimates for replication results (Student-t from scipy), pure functions over tables.

Means get a Student-t 95% interval over replications. Scheme differences are *paired*: replication
r of every scheme sees the same market (common random numbers), so the difference to the baseline
is computed per replication and its t interval is much narrower than an unpaired comparison.
Everything is vectorised over groups, so a sweep of thousands of points summarises in a moment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # Student-t quantile; lighter to import than scipy.stats


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
    half = float(stdtrit(n - 1, 0.5 + level / 2)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def half_width(sd: np.ndarray | pd.Series, n: np.ndarray | pd.Series, level: float = 0.95) -> np.ndarray:
    """Student-t half-width of the mean's interval; zero for groups of one (as :func:`mean_ci`)."""
    n = np.asarray(n, dtype=float)
    sd = np.nan_to_num(np.asarray(sd, dtype=float), nan=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stdtrit(np.maximum(n - 1, 1), 0.5 + level / 2) * sd / np.sqrt(np.maximum(n, 1))
    return np.where(n > 1, half, np.where(n == 1, 0.0, np.nan))


def _describe(frame: pd.DataFrame, keys: list[str], metrics: list[str], prefix: str, level: float) -> pd.DataFrame:
    """Long table (keys, metric): n, mean, sd (0 for one value) and CI of each metric over the rows of each group."""
    g = frame.groupby(keys, sort=False, dropna=False)[metrics]
    parts = {"n": g.count(), "mean": g.mean(), "sd": g.std(ddof=1)}
    long = pd.concat({k: v.stack() for k, v in parts.items()}, axis=1)
    long.index = long.index.set_names([*keys, "metric"])
    long = long.reset_index()
    long["sd"] = np.where(long["n"] == 1, 0.0, long["sd"])
    half = half_width(long["sd"], long["n"], level)
    long["ci_low"], long["ci_high"] = long["mean"] - half, long["mean"] + half
    return long.rename(columns={c: prefix + c for c in ("n", "mean", "sd", "ci_low", "ci_high")})


METRICS_PER_PASS = 8   # metrics summarised at a time over PASS_RUNS runs: each pass copies only its columns
PASS_RUNS = 5_000      # for more runs a pass takes fewer metrics (down to one), so a pass holds about as much


def metric_passes(metrics: Sequence[str], runs: int) -> list[list[str]]:
    """``metrics`` cut into passes of METRICS_PER_PASS metrics for PASS_RUNS runs, fewer for more runs (at
    least one a pass): what a pass holds stays about the same at any number of runs."""
    per = max(1, METRICS_PER_PASS * PASS_RUNS // max(runs, 1))
    per = min(per, METRICS_PER_PASS)
    return [list(metrics[i:i + per]) for i in range(0, len(metrics), per)]


def summarise(runs: pd.DataFrame, metrics: Sequence[str], baseline: str, by: Sequence[str] = (),
              level: float = 0.95) -> pd.DataFrame:
    """One row per (group, scheme, metric): mean, sd, CI, and the paired difference to ``baseline``.

    ``runs`` has columns ``scheme``, ``replication``, the metrics and any ``by`` columns. The
    paired difference uses the replications present for both schemes; ``diff_positive_share`` is
    the share of them in which the scheme's value exceeds the baseline's (its "win rate" when the
    metric is to be maximised). Rows come in the order: groups sorted, schemes as they first
    appear, metrics as given. Works on the wide table (no melt), a few metrics at a time (every
    statistic is per metric, so the passes give the same numbers as one), so it stays light on big
    batches. ``runs`` may be anything indexed like a DataFrame by a list of columns, with ``columns``
    and a length (the report's :class:`~sim.report.data.PointRuns` reads each pass's columns from disk).
    """
    by = list(by)
    metrics = [m for m in metrics if m in runs.columns]
    passes = metric_passes(metrics, len(runs)) or [[]]
    pieces = [_summarise(runs, chunk, baseline, by, level) for chunk in passes]
    return ordered(pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0], by,
                   dict.fromkeys(runs["scheme"]), metrics)


def ordered(summary: pd.DataFrame, by: Sequence[str], schemes: Iterable[str], metrics: Sequence[str]
            ) -> pd.DataFrame:
    """Summary rows in their order: groups sorted, then ``schemes`` and ``metrics`` in the order given."""
    by = list(by)
    scheme_rank = {s: i for i, s in enumerate(schemes)}
    metric_rank = {m: i for i, m in enumerate(metrics)}
    out = summary.assign(_s=summary["scheme"].map(scheme_rank), _m=summary["metric"].map(metric_rank))
    out = out.sort_values([*by, "_s", "_m"], kind="stable").drop(columns=["_s", "_m"]).reset_index(drop=True)
    cols = [*by, "scheme", "metric", "n", "mean", "sd", "ci_low", "ci_high", "diff_mean", "diff_sd", "diff_ci_low",
            "diff_ci_high", "diff_positive_share"]
    return out[cols]


def _summarise(runs: pd.DataFrame, metrics: list[str], baseline: str, by: list[str], level: float) -> pd.DataFrame:
    """The summary rows of ``metrics`` (all present), in no particular order."""
    keys = [*by, "scheme"]
    values = runs[[*keys, "replication", *metrics]].copy()
    values[metrics] = values[metrics].astype(float)
    out = _describe(values, keys, metrics, "", level)

    pair = [*by, "replication"]
    base = values[values["scheme"] == baseline].drop(columns="scheme").set_index(pair)
    others = values[values["scheme"] != baseline].set_index(pair)
    common = others.index.isin(base.index)
    others = others[common]
    diff = others[metrics] - base.reindex(others.index)[metrics]
    diff["scheme"] = others["scheme"]
    diff = diff.reset_index()
    d = _describe(diff, keys, metrics, "diff_", level)
    wins = (diff[metrics] > 0).astype(float)
    wins[keys] = diff[keys]
    share = wins.groupby(keys, sort=False, dropna=False)[metrics].mean().stack()
    share.index = share.index.set_names([*keys, "metric"])
    d = d.merge(share.rename("diff_positive_share").reset_index(), on=[*keys, "metric"], how="left")
    return out.merge(d.drop(columns=["diff_n"]), on=[*keys, "metric"], how="left")


class Moments:
    """Count, mean and sum of squared deviations of metrics per group, built up window by window.

    Windows are combined with the parallel update of Chan, Golub and LeVeque (exact up to rounding),
    so a table too big to hold gives its bands from one streaming pass; :meth:`bands` turns the
    moments into means and Student-t intervals. Groups keep the order they first appear in.
    """

    def __init__(self, by: Sequence[str], metrics: Sequence[str]):
        self.by, self.metrics = list(by), list(metrics)
        self.n: pd.DataFrame | None = None
        self.mean: pd.DataFrame | None = None
        self.m2: pd.DataFrame | None = None

    def add(self, df: pd.DataFrame) -> Moments:
        if df.empty:
            return self
        g = df[[*self.by, *self.metrics]].groupby(self.by, sort=False)[self.metrics]
        n, mean = g.count().astype(float), g.mean()
        m2 = g.var(ddof=0).fillna(0.0) * n
        if self.n is None:
            self.n, self.mean, self.m2 = n, mean, m2
            return self
        assert self.mean is not None and self.m2 is not None
        idx = self.n.index.append(n.index.difference(self.n.index, sort=False))
        na, nb = self.n.reindex(idx, fill_value=0.0), n.reindex(idx, fill_value=0.0)
        ma, mb = self.mean.reindex(idx).fillna(0.0), mean.reindex(idx).fillna(0.0)
        total = na + nb
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = mb - ma
            share = (nb / total).fillna(0.0)
            self.mean = (ma + delta * share).where(total > 0)
            self.m2 = self.m2.reindex(idx).fillna(0.0) + m2.reindex(idx).fillna(0.0) \
                + (delta ** 2 * na * share).fillna(0.0)
        self.n = total
        return self

    def bands(self, level: float = 0.95) -> pd.DataFrame:
        """Columns: ``by``, then ``m``, ``m_low``, ``m_high`` and ``m_n`` for each metric ``m``."""
        if self.n is None:
            return pd.DataFrame(columns=[*self.by, *[f"{m}{s}" for m in self.metrics
                                                     for s in ("", "_low", "_high", "_n")]])
        assert self.mean is not None and self.m2 is not None
        n = self.n.to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.sqrt(self.m2.to_numpy() / (n - 1))
        half = half_width(np.where(n > 1, sd, 0.0), n, level)
        out = self.mean.copy()
        for i, m in enumerate(self.metrics):
            out[f"{m}_low"] = self.mean[m].to_numpy() - half[:, i]
            out[f"{m}_high"] = self.mean[m].to_numpy() + half[:, i]
            out[f"{m}_n"] = n[:, i].astype(int)
        return out.reset_index()


def group_bands(df: pd.DataFrame, by: Sequence[str], metrics: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Per group: mean and Student-t interval of each metric over the group's rows (vectorised).

    Columns: ``by``, then ``m``, ``m_low``, ``m_high`` and ``m_n`` for each metric ``m``; a group of
    one row gets a zero-width interval, as in :func:`mean_ci`.
    """
    return Moments(by, metrics).add(df).bands(level)


def monthly_bands(monthly: pd.DataFrame, metrics: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Per (scheme, month): mean and CI of each monthly metric over replications (for charts)."""
    return group_bands(monthly, ["scheme", "month"], metrics, level)
