"""The self-contained ``report.html``: plotly.js inlined, no network request, every scenario string escaped.

:func:`write_report` reads only the stored results in a folder (see :mod:`sim.report.data`) and
never runs the model, so ``teamsim report DIR`` can rebuild the page at any time. Figures are
stored as JSON beside empty divs and drawn by one small script when the page opens.
"""

from __future__ import annotations

import html
from pathlib import Path

from plotly.offline import get_plotlyjs

from sim.experiment import store
from sim.report import decomposition, sections
from sim.report.audit import what_ran
from sim.report.data import load
from sim.report.robustness import robustness_section

CSS = """body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
nav a{margin-right:1em} h2{border-bottom:2px solid #ddd;padding-top:.5em} figure{margin:1em 0}
table{border-collapse:collapse;margin:.5em 0} td,th{border:1px solid #ccc;padding:3px 7px;vertical-align:top}
table.summary td,table.statement td{text-align:right} td.best{background:#eef7ee;font-weight:bold}
.note,.caption{color:#555;font-size:.9em} .clear{font-weight:bold} .unclear{color:#555}
.ok{color:#176317} .bad{color:#b00;font-weight:bold} pre{background:#f6f6f6;padding:1em;overflow:auto}
pre.seeds{white-space:pre-wrap;word-break:break-all} details.person{margin:1em 0}
table.statement{font-size:.85em} tr.total{font-weight:bold}"""

DRAW = """document.querySelectorAll('div.fig').forEach(function (div) {
  var spec = JSON.parse(document.getElementById(div.id + '-data').textContent);
  Plotly.newPlot(div, spec.data, spec.layout, {displaylogo: false, responsive: true})
    .then(function () { div.setAttribute('data-rendered', 'yes'); });
});"""

def build_html(out: Path) -> str:
    """The report page for the stored results in ``out``, as a string."""
    res = load(out)
    figs = sections.Figures()
    built = [sections.headline_section(res), sections.over_time_section(res, figs), sections.people_section(res, figs),
             sections.money_section(res, figs), sections.sweep_section(res, figs), sections.explain_section(res),
             sections.assumptions_section(res)]
    built.insert(1, decomposition.section(out))   # None unless the run was decomposed
    built.append(robustness_section(out, figs))   # None unless the folder holds a robust analysis
    present = [s for s in built if s is not None]
    parts = [s.html(i) for i, s in enumerate(present, start=1)]
    nav = "".join(f"<a href='#{s.ident}'>{i}. {html.escape(s.title)}</a>" for i, s in enumerate(present, start=1))
    title = html.escape(f"teamsim: {res.manifest.get('scenario', out.name)}")
    manifest = res.manifest
    del res, built, present, figs   # the page's text is put together without the tables it was made from
    store.release_memory()
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body><h1>{title}</h1>"
            f"{what_ran(manifest)}<nav>{nav}</nav>{''.join(parts)}<script>{DRAW}</script></body></html>")


def write_report(out: Path) -> Path:
    """Build ``report.html`` in ``out`` from the stored tables (atomically) and return its path."""
    out = Path(out)
    path = out / "report.html"
    store.atomic_write_bytes(path, build_html(out).encode("utf-8"))
    return path
