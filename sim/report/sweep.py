"""Section 5: sweeps and sensitivity, shown only when the stored results hold them.

The contract with the experiment layer: a sweep's ``runs.parquet`` has a ``point`` column and one
column per swept key (named by its dotted key); ``manifest.json`` lists them in ``sweep_keys``.
Sensitivity indices are in ``sensitivity.parquet`` with columns ``method`` (sobol|morris),
``scheme``, ``metric``, ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``, ``mu_star``,
``mu_star_conf``, ``sigma`` (NaN where not applicable).
"""

from __future__ import annotations

import pandas as pd

from sim.experiment.stats import group_bands
from sim.metrics import BY_NAME, floor_count_bands
from sim.report.style import Figure, Style, label, layout, nums

SWEEP_METRICS = ("profit", "placements", "turnover_rate_annual", "mean_cooperation", "pay_gini")
HEATMAP_METRICS = ("profit", "turnover_rate_annual")
MAX_LEVELS = 12   # a key sampled at more values than this (Latin hypercube, Sobol) is binned


def sweep_columns(keys: list[str]) -> list[str]:
    """The columns of the runs table this section reads (of every point): the report holds no others."""
    return list(dict.fromkeys(["scheme", "point", *keys, *SWEEP_METRICS, *HEATMAP_METRICS]))


def drawn_levels(values: pd.Series) -> tuple[pd.Series, str]:
    """The x value of each run: the key's own value, or the mean of its bin when it takes many values."""
    if values.nunique() <= MAX_LEVELS:
        return values, ""
    bins = pd.qcut(values, 8, duplicates="drop")
    return values.groupby(bins, observed=True).transform("mean"), " (sampled values in 8 bins, at bin means)"


def _err(g: pd.DataFrame, metric: str) -> dict:
    return {"type": "data", "symmetric": False, "array": nums(g[f"{metric}_high"] - g[metric]),
            "arrayminus": nums(g[metric] - g[f"{metric}_low"])}


def line_figures(runs: pd.DataFrame, keys: list[str], st: dict[str, Style]) -> list[Figure]:
    """Each metric against each swept key, one line per scheme with 95% interval bars.

    With several keys, runs at the same value of one key are pooled over the others' values (the
    caption says so).
    """
    figs = []
    metrics = [m for m in SWEEP_METRICS if m in runs]
    for key in keys:
        x, binned = drawn_levels(runs[key])
        b = floor_count_bands(group_bands(runs.assign(**{key: x}), ["scheme", key], metrics))
        for metric in metrics:
            data = []
            for scheme, s in st.items():
                g = b[b["scheme"] == scheme].sort_values(key)
                if g.empty:
                    continue
                data.append({"type": "scatter", "mode": "lines+markers", "x": g[key].tolist(), "y": nums(g[metric]),
                             "error_y": _err(g, metric), "name": label(scheme), "line": s.line(),
                             "marker": s.markers(7)})
            pooled = " (pooled over the other swept keys)" if len(keys) > 1 else ""
            title = f"{metric} against {key}{pooled}{binned}: mean and 95% interval"
            figs.append({"data": data, "layout": layout(title, key, BY_NAME[metric].unit)})
    return figs


def heatmaps(runs: pd.DataFrame, keys: list[str], st: dict[str, Style]) -> list[Figure]:
    """For two keys: the mean of each headline metric over their grid, one heatmap per scheme.

    A key sampled at many values (a Latin hypercube) is binned as in :func:`line_figures`: a cell per
    pair of sampled values would be a near-empty grid of thousands of cells (tens of MB of page).
    """
    if len(keys) != 2:
        return []
    kx, ky = keys
    (x, bx), (y, by) = drawn_levels(runs[kx]), drawn_levels(runs[ky])
    binned = " (sampled values in 8 bins, at bin means)" if bx or by else ""
    cells = runs.assign(**{kx: x, ky: y})
    figs = []
    for metric in [m for m in HEATMAP_METRICS if m in runs]:
        means = cells.groupby(["scheme", ky, kx], sort=True)[metric].mean()
        for scheme in st:
            if scheme not in means.index.get_level_values(0):
                continue
            grid = means.loc[scheme].unstack(kx)
            z = [nums(row) for row in grid.to_numpy()]
            figs.append({"data": [{"type": "heatmap", "x": [str(v) for v in grid.columns],
                                   "y": [str(v) for v in grid.index], "z": z, "colorscale": "Viridis",
                                   "colorbar": {"title": {"text": label(BY_NAME[metric].unit)}},
                                   "hovertemplate": f"{label(kx)}=%{{x}}<br>{label(ky)}=%{{y}}<br>"
                                                    f"{label(metric)}=%{{z}}<extra></extra>"}],
                         "layout": layout(f"{scheme}: mean {metric} over the grid{binned}", kx, ky,
                                          xaxis={"type": "category", "title": {"text": label(kx)}},
                                          yaxis={"type": "category", "title": {"text": label(ky)}})})
    return figs


def sensitivity_figures(sens: pd.DataFrame) -> list[Figure]:
    """Ranked bar charts of Sobol (S1 and ST) or Morris (mu*) indices with their confidence half-widths."""
    figs = []
    for (method, scheme, metric), g in sens.groupby(["method", "scheme", "metric"], sort=False):
        if method == "sobol":
            g = g.sort_values("ST", ascending=True)
            params = [label(p) for p in g["parameter"]]
            data = [{"type": "bar", "orientation": "h", "name": name, "y": params, "x": nums(g[col]),
                     "error_x": {"type": "data", "array": nums(g[f"{col}_conf"])},
                     "marker": {"color": colour, "pattern": {"shape": shape}}}
                    for col, name, colour, shape in (("S1", "first order S1", "#1f77b4", ""),
                                                     ("ST", "total ST", "#ff7f0e", "/"))]
            title, axis = f"Sobol indices of {metric} under {scheme}", "index (share of variance)"
        else:
            g = g.sort_values("mu_star", ascending=True)
            data = [{"type": "bar", "orientation": "h", "name": "mu* (mean absolute elementary effect)",
                     "y": [label(p) for p in g["parameter"]], "x": nums(g["mu_star"]),
                     "error_x": {"type": "data", "array": nums(g["mu_star_conf"])}, "marker": {"color": "#2ca02c"}}]
            title, axis = f"Morris screening of {metric} under {scheme}", "mu*"
        figs.append({"data": data, "layout": layout(title + " (ranked; bars: 95% confidence)", axis, "",
                                                    height=max(300, 60 + 28 * len(g)), barmode="group",
                                                    margin={"t": 50, "b": 45, "l": 200, "r": 20})})
    return figs
