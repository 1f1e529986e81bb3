"""A self-contained HTML handout of a workshop session, made with the report's own page parts.

The app (:mod:`sim.app.export`) hands over plain data: a title, a few sentences, figures as plotly
dicts with their captions, and one table of text cells. This module escapes every string, inlines
plotly.js and draws the figures with the report's script, so the handout opens from a file or an
email attachment with no network, exactly like ``report.html``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from plotly.offline import get_plotlyjs

from sim.report.page import CSS, DRAW
from sim.report.sections import Figures
from sim.report.style import Figure


def build_handout(title: str, sentences: Sequence[str], figures: Sequence[tuple[Figure, str]],
                  head: Sequence[str], rows: Sequence[Sequence[str]], settings: str = "") -> str:
    """The handout page as a string; ``settings`` is shown as preformatted text (the scenario used)."""
    figs = Figures()
    body = "".join(f"<p>{html.escape(s)}</p>" for s in sentences)
    body += "".join(figs.add(fig, html.escape(caption)) for fig, caption in figures)
    table = "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"
    table += "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    body += f"<h2>Every run of the session</h2><table class='summary'>{table}</table>"
    if settings:
        body += f"<h2>Scenario</h2><pre>{html.escape(settings)}</pre>"
    t = html.escape(title)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{t}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body><h1>{t}</h1>{body}"
            f"<script>{DRAW}</script></body></html>")
