"""Robust comparison: which scheme wins across the plausible worlds, and by how much.

A *world* is one draw of the scenario's ``uncertain:`` ranges (a seeded Latin hypercube from
``scipy.stats.qmc``). In each world every scheme runs the same replications (common random
numbers), so the difference between a scheme and the baseline is paired within the world. The
functions here are pure, over a runs table with a ``point`` column and the scheme metrics:

* :func:`world_means`: per (world, scheme), each metric's mean over the replications and the
  paired difference to the baseline with its Student-t interval (the simulation noise);
* :func:`robust_table`: per (scheme, metric), the share of worlds in which the scheme beats the
  baseline (by the metric's direction) with a Clopper-Pearson interval (the spread of worlds), the
  median and 5-95% range of the difference, its worst case, and the scheme's maximum regret against
  the best scheme of each world. With a decision that has constraints, a ``decision`` row counts a
  win only when the scheme meets them (and beats a baseline that meets them too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.decision import Decision
from sim.experiment.stats import half_width
from sim.metrics import BY_NAME

COLUMNS = ("scheme", "metric", "win_share", "win_share_low", "win_share_high", "median_diff", "p05_diff",
           "p95_diff", "worst_diff", "max_regret")
DECISION = "decision"
DEFAULT_METRICS = ("profit", "gross_profit", "placements", "turnover_rate_annual", "mean_cooperation")


def design(uncertain: Mapping[str, tuple[float, float]], n: int, seed: int) -> np.ndarray:
    """``n`` worlds over the ranges: a scrambled Latin hypercube (one world in each of n strata per key)."""
    from scipy.stats import qmc

    lows = np.array([float(lo) for lo, _ in uncertain.values()])
    highs = np.array([float(hi) for _, hi in uncertain.values()])
    unit = qmc.LatinHypercube(d=len(uncertain), rng=np.random.default_rng(seed)).random(n)
    return qmc.scale(unit, lows, highs)


def design_elsewhere(uncertain: Mapping[str, tuple[float, float]], n: int, seed: int) -> np.ndarray:
    """:func:`design` computed in a short-lived child process, with the same result.

    ``scipy.stats`` (which ``qmc`` lives in) costs a process some 48 MB of resident memory for good;
    drawn in a child, the worlds never weigh on the batch's driver (whose peak is what the
    benchmark's memory target is about). Forked when this process runs one thread, else spawned.
    """
    from concurrent.futures import ProcessPoolExecutor

    from sim.experiment.executors import _start_method as start_method

    with ProcessPoolExecutor(1, mp_context=start_method()) as ex:
        return ex.submit(design, dict(uncertain), n, seed).result()


def points_of(uncertain: Mapping[str, tuple[float, float]], X: np.ndarray, integer_keys: Sequence[str] = ()
              ) -> list[dict[str, float | int]]:
    """The worlds as sweep points (dotted key -> value); whole-number keys rounded."""
    keys = list(uncertain)
    return [{k: int(round(v)) if k in integer_keys else float(v) for k, v in zip(keys, row, strict=True)}
            for row in X]


def sign_of(metric: str) -> float:
    """+1 when more of ``metric`` is better, -1 when less is, NaN for a descriptive metric."""
    d = BY_NAME[metric].direction if metric in BY_NAME else "max"
    return 1.0 if d == "max" else -1.0 if d == "min" else float("nan")


def world_means(runs: pd.DataFrame, metrics: Sequence[str], baseline: str, level: float = 0.95) -> pd.DataFrame:
    """Per (point, scheme): ``m`` (mean), ``m_diff`` (paired mean difference to the baseline) and its
    interval ``m_diff_low``/``m_diff_high`` for each metric, over the replications both schemes have."""
    metrics = list(metrics)
    values = runs[["point", "scheme", "replication", *metrics]].copy()
    values[metrics] = values[metrics].astype(float)
    base = values[values["scheme"] == baseline].drop(columns="scheme")
    joined = values.merge(base, on=["point", "replication"], suffixes=("", "__base"), how="inner")
    for m in metrics:
        joined[f"{m}_diff"] = joined[m] - joined[f"{m}__base"]
    diff_cols = [f"{m}_diff" for m in metrics]
    g = joined.groupby(["point", "scheme"], sort=True)
    out = g[[*metrics, *diff_cols]].mean()
    sd, n = g[diff_cols].std(ddof=1), g[diff_cols].count()
    half = half_width(sd.to_numpy(), n.to_numpy(), level)
    for i, c in enumerate(diff_cols):
        out[f"{c}_low"] = out[c].to_numpy() - half[:, i]
        out[f"{c}_high"] = out[c].to_numpy() + half[:, i]
    out["replications"] = n[diff_cols[0]].to_numpy() if diff_cols else 0
    return out.reset_index()


def feasible(means: pd.DataFrame, decision: Decision) -> pd.Series:
    """Per row of :func:`world_means`: does the scheme meet every constraint of ``decision`` in that world?"""
    ok = pd.Series(True, index=means.index)
    for c in decision.constraints:
        ok &= c.met(means[c.metric].to_numpy())
    return ok


def regret(means: pd.DataFrame, metric: str, allowed: pd.Series | None = None) -> pd.Series:
    """Per row: how far the scheme falls short of the best scheme of its world on ``metric`` (>= 0).

    ``allowed`` limits "the best scheme" to rows allowed (those meeting the constraints); a world
    where none is allowed takes the best of all.
    """
    s = sign_of(metric)
    score = s * means[metric]
    pool = score.where(allowed) if allowed is not None else score
    best = pool.groupby(means["point"]).transform("max")
    best = best.fillna(score.groupby(means["point"]).transform("max"))
    return (best - score).clip(lower=0)


def wins(means: pd.DataFrame, metric: str, baseline: str, decision: Decision | None = None) -> pd.Series:
    """Per non-baseline row: does the scheme beat the baseline in its world? A tie is not a win.

    With ``decision`` (its objective is ``metric``) a win also needs the scheme to meet the
    constraints; a scheme that meets them wins outright against a baseline that does not.
    """
    better = sign_of(metric) * means[f"{metric}_diff"] > 0
    if decision is None or not decision.constraints:
        return better
    ok = feasible(means, decision)
    base_ok = ok.where(means["scheme"] == baseline).groupby(means["point"]).transform("max").astype(bool)
    return ok & (better | ~base_ok)


def win_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float, float]:
    """Share k/n with its exact (Clopper-Pearson) binomial interval; NaN for no worlds."""
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    from scipy.stats import binomtest

    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return k / n, float(ci.low), float(ci.high)


def _row(scheme: str, metric: str, won: pd.Series, diff: pd.Series, reg: pd.Series, sign: float,
         level: float) -> dict[str, object]:
    share, low, high = win_interval(int(won.sum()), int(won.notna().sum()), level)
    d = diff.to_numpy(dtype=float)
    worst = float(np.min(sign * d) * sign) if d.size else float("nan")
    return {"scheme": scheme, "metric": metric, "win_share": share, "win_share_low": low, "win_share_high": high,
            "median_diff": float(np.median(d)) if d.size else np.nan,
            "p05_diff": float(np.quantile(d, 0.05)) if d.size else np.nan,
            "p95_diff": float(np.quantile(d, 0.95)) if d.size else np.nan,
            "worst_diff": worst, "max_regret": float(reg.max()) if len(reg) else np.nan}


def robust_table(means: pd.DataFrame, schemes: Sequence[str], baseline: str, metrics: Sequence[str],
                 decision: Decision | None = None, level: float = 0.95) -> pd.DataFrame:
    """One row per (scheme other than the baseline, metric), plus a ``decision`` row with constraints.

    Descriptive metrics (no direction) get the difference's distribution and NaN win share and regret.
    """
    rows = []
    for metric in metrics:
        sign = sign_of(metric)
        reg = regret(means, metric) if np.isfinite(sign) else pd.Series(np.nan, index=means.index)
        for scheme in schemes:
            if scheme == baseline:
                continue
            mine = means["scheme"] == scheme
            won = wins(means[mine], metric, baseline) if np.isfinite(sign) else pd.Series(dtype=float)
            rows.append(_row(scheme, metric, won, means.loc[mine, f"{metric}_diff"], reg[mine],
                             sign if np.isfinite(sign) else 1.0, level))
    if decision is not None and decision.constraints:
        ok = feasible(means, decision)
        reg = regret(means, decision.objective, ok).where(ok)
        won = wins(means, decision.objective, baseline, decision)
        for scheme in schemes:
            if scheme == baseline:
                continue
            mine = means["scheme"] == scheme
            rows.append(_row(scheme, DECISION, won[mine], means.loc[mine, f"{decision.objective}_diff"],
                             reg[mine].dropna(), decision.sign, level))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def clear_counts(means: pd.DataFrame, metric: str, scheme: str) -> dict[str, int]:
    """Worlds where the scheme's paired 95% interval against the baseline lies wholly on the better side
    (``clear_win``), wholly on the worse side (``clear_loss``), or straddles zero (``unclear``)."""
    mine = means[means["scheme"] == scheme]
    s = sign_of(metric)
    lo, hi = s * mine[f"{metric}_diff_low"], s * mine[f"{metric}_diff_high"]
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    win, loss = int((lo > 0).sum()), int((hi < 0).sum())
    return {"clear_win": win, "clear_loss": loss, "unclear": int(len(mine) - win - loss)}
