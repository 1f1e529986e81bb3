"""The report opened in headless Chromium: no errors, no network, every section and figure, hostile text inert."""

from __future__ import annotations

from pathlib import Path

from sim.report import write_report

from .conftest import HOSTILE, PageWatch

SECTIONS = ("headline", "over-time", "people", "money", "explain", "assumptions")


def _open(watched: PageWatch, folder: Path) -> None:
    path = write_report(folder)
    watched.page.goto(path.as_uri())
    watched.page.wait_for_function(
        "document.querySelectorAll('div.fig').length === document.querySelectorAll('div.fig[data-rendered]').length",
        timeout=30_000)


def test_report_renders_every_section_and_figure_offline_without_errors(watched: PageWatch, stored: Path) -> None:
    _open(watched, stored)
    page = watched.page
    assert watched.errors == []
    assert [u for u in watched.requests if not u.startswith("file://")] == []
    assert len(watched.requests) == 1   # the page itself, nothing else
    for ident in SECTIONS:
        assert page.locator(f"section#{ident} h2").is_visible()
    assert page.locator("section#sweeps").count() == 0
    figures = page.locator("div.fig").count()
    assert figures >= 10
    # Rendered means plotly drew an SVG with at least one trace in it.
    assert page.locator("div.fig svg.main-svg").count() >= figures
    assert page.locator("div.fig g.trace, div.fig g.barlayer g.point, div.fig g.boxlayer g.trace").count() >= figures


def test_hostile_scheme_name_is_shown_as_text_and_never_run(watched: PageWatch, stored: Path) -> None:
    _open(watched, stored)
    page = watched.page
    assert watched.dialogs == []
    assert page.evaluate("document.querySelectorAll('script').length") == page.locator("div.fig").count() + 2
    assert HOSTILE in page.locator("section#headline table.summary thead").inner_text()
    assert HOSTILE in page.locator("section#headline ul.headline").inner_text()
    legends = page.locator("section#over-time g.legend text.legendtext").all_text_contents()
    assert HOSTILE in legends


def test_sweep_section_renders_its_figures_when_stored(watched: PageWatch, swept: Path) -> None:
    _open(watched, swept)
    page = watched.page
    assert watched.errors == [] and watched.dialogs == []
    assert page.locator("section#sweeps h2").is_visible()
    sweep_figs = page.locator("section#sweeps div.fig")
    assert sweep_figs.count() == page.locator("section#sweeps div.fig[data-rendered]").count() > 0
    assert page.locator("section#sweeps g.heatmaplayer").count() == 2 * 3
