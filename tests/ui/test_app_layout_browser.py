"""The workshop page as the back row sees it: every chart keeps its own height (nothing below is drawn over
it), its legend clear of its axes and its titles whole, in either mode, and presenter mode has no small
text, at a projector's 1024x768 and at 1920x1080; a lever that would move nothing (pod lead pay without
pod leads) is disabled until it would.

Real ``teamsim app`` and headless Debian chromium, like tests/ui/test_app_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .app_server import App
from .test_app_browser import _open, _run

pytestmark = pytest.mark.usefixtures("browser")   # skipped with a reason where chromium is absent

SIZES = [{"width": 1024, "height": 768}, {"width": 1920, "height": 1080}]
CHARTS = {"results": "fig-results", "changes": "fig-changes", "months": "fig-monthly", "firm": "fig-firm"}
BOXES = """(id) => {
  const box = e => { const r = e.getBoundingClientRect(); return {top: r.top + scrollY, bottom: r.bottom + scrollY}; };
  const graph = document.getElementById(id), svg = graph.querySelector('.main-svg');
  return {graph: box(graph), svg: box(svg), session: box(document.querySelector('.session'))};
}"""
LEGEND_HITS = """(id) => {
  const box = e => e.getBoundingClientRect(), legend = document.querySelector(`#${id} .legend`);
  if (!legend) { return []; }
  const l = box(legend);
  return Array.from(document.querySelectorAll(`#${id} .infolayer g[class*=title] text, #${id} .xtick text,
      #${id} .ytick text, #${id} .annotation-text`))
    .filter(e => { const b = box(e); return b.width && b.left < l.right && l.left < b.right && b.top < l.bottom
                                             && l.top < b.bottom; })
    .map(e => e.textContent);
}"""
CLIPPED = """(id) => {
  const svg = document.querySelector(`#${id} .main-svg`).getBoundingClientRect();
  return Array.from(document.querySelectorAll(`#${id} .gtitle, #${id} .annotation-text`))
    .filter(e => { const b = e.getBoundingClientRect(); return b.left < svg.left - 1 || b.right > svg.right + 1; })
    .map(e => e.textContent);
}"""
SMALL = """() => Array.from(document.querySelectorAll('#page *')).filter(e => e instanceof HTMLElement
    && e.offsetParent !== null
    && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())
    && parseFloat(getComputedStyle(e).fontSize) < 18)
  .map(e => `${e.className || e.tagName}: ${getComputedStyle(e).fontSize} "${e.textContent.trim().slice(0, 20)}"`)"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    running = App(tmp_path_factory.mktemp("app-layout"))
    yield running
    running.kill()


@pytest.mark.parametrize("present", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_every_chart_keeps_its_height_and_nothing_below_is_drawn_over_it(app: App, browser: Any, size, present) -> None:
    ctx, page, errors = _open(browser, app.url, viewport=size)
    while len(app.runs()) < 2:   # a baseline and a change, so every view has something to draw
        _run(page, app)
    if present:
        page.locator("#present input").check()
        page.wait_for_selector("#page.present")
    for view, chart in CHARTS.items():
        page.click(f"#view input[value={view}]")
        page.wait_for_function(f"document.querySelector('#{chart} .main-svg') && "
                               f"document.getElementById('view-{view}').classList.contains('active')", timeout=20_000)
        page.wait_for_timeout(600)   # the graph's own resize after its view is shown
        b = page.evaluate(BOXES, chart)
        assert b["graph"]["bottom"] - b["graph"]["top"] >= b["svg"]["bottom"] - b["svg"]["top"] - 1, (view, b)
        assert b["session"]["top"] >= b["svg"]["bottom"] - 1, (view, b)   # the baseline bar and table below it
        assert page.evaluate(LEGEND_HITS, chart) == [], view   # the legend clear of the axes' titles and ticks
        assert page.evaluate(CLIPPED, chart) == [], view   # every title whole, none cut at the chart's edges
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (view, width)
    assert errors == []
    ctx.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_presenter_mode_has_no_text_under_18_px(app: App, browser: Any, size) -> None:
    ctx, page, errors = _open(browser, app.url, viewport=size)
    if not app.runs():
        _run(page, app)
    page.locator("#present input").check()
    page.wait_for_selector("#page.present")
    page.wait_for_timeout(500)
    assert page.evaluate(SMALL) == []   # slider marks, the table's intervals, the switches' labels (the charts'
    # text is tested by test_presenter_mode_is_large_and_nothing_overlaps_or_scrolls_sideways)
    assert errors == []
    ctx.close()


def test_pod_lead_pay_is_disabled_until_pod_leads_are_on(app: App, browser: Any) -> None:
    ctx, page, errors = _open(browser, app.url)
    state = "() => [document.querySelector('#lead_override [role=slider]')?.closest('[aria-disabled]')" \
            "?.getAttribute('aria-disabled'), document.getElementById('lead_bonus')?.disabled]"
    page.wait_for_selector("#lead_override [role=slider]", timeout=10_000)   # drawn after the run table
    assert page.evaluate(state) == ["true", True]   # the workshop file has no pod leads
    page.locator("#pod_leads input").check()
    page.wait_for_function(f"JSON.stringify(({state})()) === '[\"false\",false]'", timeout=10_000)
    page.locator("#pod_leads input").uncheck()
    page.wait_for_function(f"JSON.stringify(({state})()) === '[\"true\",true]'", timeout=10_000)
    assert errors == []
    ctx.close()
