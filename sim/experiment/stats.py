"""Interval estimates for replication results (scipy.stats), pure functions over tables.

Means get a Student-t 95% interval over replications. Scheme differences are *paired*: replication
r of every scheme sees the same market (common random numbers), so the difference to the baseline
is computed per replication and its t interval is much narrower than an unpaired comparison.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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


def summarise(runs: pd.DataFrame, metrics: Sequence[str], baseline: str, by: Sequence[str] = (),
              level: float = 0.95) -> pd.DataFrame:
    """One row per (group, scheme, metric): mean, sd, CI, and the paired difference to ``baseline``.

    ``runs`` has columns ``scheme``, ``replication``, the metrics and any ``by`` columns. The
    paired difference uses the replications present for both schemes; ``diff_positive_share`` is
    the share of them in which the scheme's value exceeds the baseline's.
    """
    rows = []
    groups = runs.groupby(list(by), sort=True) if by else [((), runs)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        base = g[g["scheme"] == baseline].set_index("replication")
        for scheme, gs in g.groupby("scheme", sort=False):
            s = gs.set_index("replication")
            for metric in metrics:
                mean, sd, lo, hi = mean_ci(s[metric].to_numpy(), level)
                row = dict(zip(by, key, strict=True))
                row.update(scheme=scheme, metric=metric, n=int(s[metric].notna().sum()), mean=mean, sd=sd,
                           ci_low=lo, ci_high=hi)
                common = s.index.intersection(base.index)
                if scheme != baseline and len(common) and metric in base:
                    d = (s.loc[common, metric] - base.loc[common, metric]).to_numpy(dtype=float)
                    dm, dsd, dlo, dhi = mean_ci(d, level)
                    row.update(diff_mean=dm, diff_sd=dsd, diff_ci_low=dlo, diff_ci_high=dhi,
                               diff_positive_share=float(np.mean(d > 0)))
                else:
                    row.update(diff_mean=math.nan, diff_sd=math.nan, diff_ci_low=math.nan, diff_ci_high=math.nan,
                               diff_positive_share=math.nan)
                rows.append(row)
    return pd.DataFrame(rows)


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
