"""One look for every chart: a colour, a dash and a marker per scheme; number formats; safe figure JSON.

Figures are plain plotly dicts (``{"data": [...], "layout": {...}}``): building them this way is
many times faster than ``plotly.graph_objects`` and the browser's plotly.js is the judge of them.
Text from a scenario reaches plotly escaped (:func:`label`), because plotly reads a few HTML tags
in labels; it decodes the entities back, so ``<script>`` shows as those characters.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
MARKERS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon")
ROLE_NAMES = {"recruiter": "recruiters", "account_manager": "account managers", "pod_lead": "pod leads"}

Figure = dict[str, Any]


@dataclass(frozen=True)
class Style:
    colour: str
    dash: str
    marker: str

    def line(self, width: float = 2) -> dict[str, Any]:
        return {"color": self.colour, "dash": self.dash, "width": width}

    def markers(self, size: int = 6) -> dict[str, Any]:
        return {"color": self.colour, "symbol": self.marker, "size": size}


def styles(schemes: Iterable[str]) -> dict[str, Style]:
    """The style of each scheme, by its position in the scenario (the same in every chart)."""
    return {s: Style(PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)], MARKERS[i % len(MARKERS)])
            for i, s in enumerate(schemes)}


def label(text: Any) -> str:
    """Text for a plotly label: escaped so plotly shows it literally and never reads it as markup."""
    return html.escape(str(text), quote=False)


def nums(values: Iterable[Any], digits: int = 4) -> list[float | None]:
    """Floats rounded for compact JSON; NaN and infinities become ``None`` (a gap in a chart)."""
    out: list[float | None] = []
    for v in np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float):
        out.append(None if not math.isfinite(v) else round(float(v), digits))
    return out


def band(x: list[Any], low: Iterable[Any], high: Iterable[Any], style: Style, name: str) -> dict[str, Any]:
    """A shaded 95% band (drawn as a closed polygon under the mean line)."""
    lo, hi = nums(low), nums(high)
    return {"type": "scatter", "x": list(x) + list(x)[::-1], "y": hi + lo[::-1], "fill": "toself",
            "fillcolor": style.colour, "opacity": 0.15, "line": {"width": 0}, "hoverinfo": "skip",
            "showlegend": False, "name": f"{label(name)} 95% band", "legendgroup": label(name)}


def layout(title: str, x_title: str = "", y_title: str = "", height: int = 360, **extra: Any) -> dict[str, Any]:
    """A plotly layout; ``extra`` keys (``xaxis``, ``barmode``, ...) replace the defaults."""
    base = {"title": {"text": label(title)}, "height": height, "margin": {"t": 50, "b": 45, "l": 60, "r": 20},
            "xaxis": {"title": {"text": label(x_title)}}, "yaxis": {"title": {"text": label(y_title)}},
            "legend": {"orientation": "h", "y": -0.2}, "template": "none"}
    base.update(extra)
    return base


def figure_json(fig: Figure) -> str:
    """JSON safe to put inside a ``<script>`` element: no ``<``, ``>`` or ``&`` can close it."""
    text = json.dumps(_finite(fig), separators=(",", ":"), allow_nan=False, default=_default)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _finite(value: Any) -> Any:
    """NaN and infinities become ``None`` anywhere in a figure (JSON has no NaN; plotly reads null as a gap)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def fmt(value: Any, unit: str = "") -> str:
    """A number for people: dollars with separators, shares as percentages, small values to 3 figures."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    v = float(value)
    if unit == "$":
        return f"-${-v:,.0f}" if v < 0 else f"${v:,.0f}"
    if unit in ("share", "share/yr"):
        return f"{100 * v:.1f}%"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}" if v else "0"


def signed(value: float, unit: str = "", suffix: str = "") -> str:
    """A difference with its sign: ``+4%``, ``-$1,200``, ``-9 points``."""
    if value is None or math.isnan(value):
        return "n/a"
    sign = "+" if value > 0 else "-" if value < 0 else "\u00b1"
    body = fmt(abs(value), unit)
    return f"{sign}{body}{suffix}"
