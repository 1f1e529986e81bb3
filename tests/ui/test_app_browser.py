"""The workshop app as the room meets it: real ``teamsim app``, real HTTP, headless Debian chromium.

One app serves the module's tests (``app`` fixture); the tests that stop the server start their own.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import signal
import sqlite3
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from sim.app.playback import month_figure

from .app_server import App, chunked_post
from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("browser")   # skipped with a reason where chromium is absent


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    running = App(tmp_path_factory.mktemp("app-session"))
    yield running
    running.kill()


def _open(browser: Any, url: str, **context: Any) -> tuple[Any, Any, list[str]]:
    ctx = browser.new_context(**({"viewport": {"width": 1280, "height": 900}} | context))
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#runs", timeout=60_000)
    return ctx, page, errors


def _run(page: Any, app: App) -> dict[str, Any]:
    """Click Run, wait for the stored run and the status line naming it; returns the stored run."""
    before = len(app.runs())
    page.click("#run")
    page.wait_for_function(f"document.getElementById('status').innerText.startsWith('Run {before + 1}:')",
                           timeout=60_000)
    page.wait_for_function(f"document.querySelectorAll('#runs tr.run-row').length === {before + 1}",
                           timeout=10_000)
    return app.runs()[-1]


def _set(page: Any, name: str, value: str) -> None:
    """Type into a lever's field (a slider's own number box, or a typed field) and leave it."""
    box = page.locator(f"#{name} input").first if page.locator(f"#{name} input").count() else page.locator(f"#{name}")
    box.fill(value)
    box.press("Tab")


def _post(app: App, body: Any, host: str | None = None, path: str = "/_dash-update-component") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn.request("POST", path, body=data, headers={"Content-Type": "application/json",
                                                   "Host": host or f"127.0.0.1:{app.port}"})
    status = conn.getresponse().status
    conn.close()
    return status


def _callback(output: str, inputs: list[dict[str, Any]], state: list[dict[str, Any]] | None = None) -> dict:
    return {"output": output, "outputs": [], "inputs": inputs, "state": state or [], "changedPropIds": []}


def test_page_is_local_and_wrong_hosts_and_forged_callbacks_get_4xx(app: App) -> None:
    with urllib.request.urlopen(app.url, timeout=30) as resp:
        page = resp.read().decode()
    sources = re.findall(r"<script[^>]*src=\"([^\"]+)\"", page)
    assert sources and all(s.startswith("/") for s in sources), sources   # served locally, no CDN
    for host in ("evil.example", f"evil.example:{app.port}", "127.0.0.1:1", f"localhost.evil:{app.port}"):
        conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
        conn.request("GET", "/", headers={"Host": host})
        assert conn.getresponse().status == 421, host
        conn.close()
    assert _post(app, {"output": "x"}, host="rebound.example") == 421
    deps = json.loads(urllib.request.urlopen(app.url + "_dash-dependencies", timeout=30).read())
    run_output = next(d["output"] for d in deps if d["output"].startswith("..job.data"))
    present_output = next(d["output"] for d in deps if d["output"].startswith("..page.className"))
    run_state = [{"id": "scheme", "property": "value", "value": "individual"}]
    forged = [b"not json", b"[1, 2]", {"output": "nope.children"}, {"output": 7},
              _callback(present_output, [{"id": "present", "property": "value", "value": {"x": 1}}]),
              _callback(present_output, [{"id": "present", "property": "value"}]),
              _callback(run_output, [{"id": "run", "property": "n_clicks", "value": 1}], run_state),
              _callback(run_output, [{"id": "run", "property": "n_clicks", "value": 1}],
                        [{"id": "scheme", "property": "value", "value": "<script>"}]),
              _callback("..view-results.className...view-changes.className...view-months.className..",
                        [{"id": "view", "property": "value", "value": "../etc"}]),
              b"{" * 300_000]
    statuses = [_post(app, body) for body in forged]
    assert all(400 <= s < 500 for s in statuses), statuses
    big = [{"id": "run", "property": "n_clicks", "value": 1}]
    state = [{"id": "scheme", "property": "value", "value": "individual"}] + [
        {"id": n, "property": "value", "value": v} for n, v in (("replications", 1_000_000),)]
    assert _post(app, _callback(run_output, big, state)) == 400   # a number where the page sends text
    assert app.runs() == []   # nothing forged ever ran


def test_a_chunked_callback_over_the_cap_is_refused_413(app: App) -> None:
    """The body cap holds for a body with no Content-Length too (the server reads no more than the cap)."""
    status = chunked_post(app.port, "/_dash-update-component", 64)
    assert status == 413


def test_every_lever_changes_the_run_it_should_and_the_baseline_stays_pinned(app: App, browser: Any) -> None:
    ctx, page, errors = _open(browser, app.url)
    base = _run(page, app)
    assert base["levers"]["scheme"] == "individual" and base["replications"] == 3
    steps: list[tuple[str, Any, dict[str, Any], str]] = []

    def step(action: Any, expect: dict[str, Any], phrase: str) -> None:
        action()
        run = _run(page, app)
        for key, value in expect.items():
            assert run["levers"][key] == value, (key, run["levers"])
        assert run["values"] != base["values"], f"{phrase}: the results did not move"
        steps.append((phrase, run["n"], expect, phrase))
        row = page.locator("#runs tr.run-row").first.inner_text()
        assert phrase in row, (phrase, row)

    step(lambda: _set(page, "rate", "0.4"), {"rate": 0.4}, "commission 40%")
    step(lambda: _set(page, "threshold", "2000"), {"threshold": 2000.0}, "threshold $2,000")
    page.locator("#scheme input[value=team_pool]").check()
    page.wait_for_function("document.querySelector('#rate input').disabled === true")
    step(lambda: _set(page, "pool_rate", "0.4"), {"scheme": "team_pool", "pool_rate": 0.4, "rate": None},
         "team_pool, pool 40%")
    step(lambda: page.locator("#leaderboard input").check(), {"leaderboard": True}, "leaderboard on")
    step(lambda: _set(page, "partnership_time", "0.2"), {"partnership_time": 0.2}, "partnership 20%")
    step(lambda: _set(page, "hiring_for_cooperation", "0.5"), {"hiring_for_cooperation": 0.5},
         "hiring for cooperation 50%")
    step(lambda: _set(page, "remove_star_month", "6"), {"remove_star_month": 6}, "star out at month 6")
    step(lambda: (page.locator("#pod_leads input").check(), _set(page, "lead_override", "0.05")),
         {"pod_leads": True, "lead_override": 0.05}, "lead override 5%")
    step(lambda: _set(page, "lead_bonus", "3000"), {"lead_bonus": 3000.0}, "lead bonus $3,000")
    step(lambda: _set(page, "split", "0.7"), {"split": 0.7}, "recruiter credit 70%")
    step(lambda: _set(page, "recruiters_per_pod", "4"), {"recruiters_per_pod": 4}, "4 recruiters a pod")
    step(lambda: _set(page, "account_managers_per_pod", "2"), {"account_managers_per_pod": 2}, "2 AMs a pod")
    step(lambda: _set(page, "pods", "3"), {"pods": 3}, "3 pods")
    page.locator("#scheme input[value=hybrid]").check()
    page.wait_for_function("document.querySelector('#pool_share input').disabled === false")
    step(lambda: _set(page, "pool_share", "0.8"), {"scheme": "hybrid", "pool_share": 0.8}, "pool share 80%")
    step(lambda: _set(page, "replications", "5"), {"replications": 5}, "5 replications")
    # More than five runs later, run 1 is still the baseline, drawn first and named so.
    assert len(app.runs()) >= 6
    legend = page.locator("#fig-results .legendtext").all_text_contents()
    assert legend[0] == "baseline (run 1)" and len(legend) == 5, legend
    assert page.locator("#fig-results g.barlayer g.point").count() == 5 * 6
    page.locator("#view input[value=changes]").check()
    page.wait_for_selector("#fig-changes g.scatterlayer g.trace")
    assert page.locator("#fig-changes g.scatterlayer g.trace").count() == 4 * 6   # 4 changes x 6 panels
    assert page.locator("#fig-changes g.errorbar").count() > 0
    assert errors == []
    ctx.close()


def test_reload_keeps_the_session_and_a_second_browser_sees_it(app: App, browser: Any) -> None:
    ctx, page, _errors = _open(browser, app.url)
    if not app.runs():
        _run(page, app)
    n = len(app.runs())
    page.reload()
    page.wait_for_function(f"document.querySelectorAll('#runs tr.run-row').length === {n}", timeout=20_000)
    assert page.locator("#scheme input:checked").get_attribute("value") == app.runs()[-1]["levers"]["scheme"]
    other, second, _e = _open(browser, app.url)   # another context: no shared storage, like another laptop
    second.wait_for_function(f"document.querySelectorAll('#runs tr.run-row').length === {n}", timeout=20_000)
    _run(second, app)   # a run in the second browser shows up in the first without a reload
    page.wait_for_function(f"document.querySelectorAll('#runs tr.run-row').length === {n + 1}", timeout=20_000)
    # Pinning another baseline in one browser relabels the other's runs.
    second.locator("#baseline").click()
    second.locator(".dash-dropdown-option, [role=option]").filter(has_text=f"run {n + 1}:").first.click()
    page.wait_for_function(f"document.getElementById('runs').innerText.includes('{n + 1} (baseline)')",
                           timeout=20_000)
    other.close()
    ctx.close()


def test_the_session_exports_as_a_self_contained_handout(app: App, browser: Any) -> None:
    ctx, page, _errors = _open(browser, app.url)
    if not app.runs():
        _run(page, app)
    with urllib.request.urlopen(app.url + "_teamsim/handout", timeout=60) as resp:
        assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
        text = resp.read().decode()
    assert (app.out / "handout.html").read_text(encoding="utf-8") == text
    assert "<script src" not in text and "baseline (run" in text and "Every run of the session" in text
    seen: list[str] = []
    handout = ctx.new_page()   # a page of its own: the app's page keeps polling its server
    handout.on("request", lambda r: seen.append(r.url))
    handout.goto((app.out / "handout.html").as_uri())
    handout.wait_for_selector("div.fig[data-rendered=yes]", timeout=30_000)
    assert all(u.startswith("file:") or u.startswith("data:") for u in seen), seen
    ctx.close()


def test_playback_steps_plays_and_pauses_through_the_months(app: App, browser: Any) -> None:
    ctx, page, errors = _open(browser, app.url)
    if not app.runs():
        _run(page, app)
    page.locator("#view input[value=firm]").check()
    title = "document.querySelector('#fig-firm .gtitle') && document.querySelector('#fig-firm .gtitle').textContent"
    page.wait_for_function(f"({title} || '').startsWith('Month 1 of 12')", timeout=60_000)
    people = page.locator("#fig-firm g.scatterlayer g.trace").nth(1).locator("path.point").count()
    assert people >= 10   # two pods of three recruiters and three AMs, less any empty seat
    page.click("#step")
    page.wait_for_function(f"{title}.startsWith('Month 2 of 12')", timeout=10_000)
    page.click("#step")
    page.wait_for_function(f"{title}.startsWith('Month 3 of 12')", timeout=10_000)
    page.click("#play")
    page.wait_for_function(f"/^Month ([5-9]|1[0-2]) of 12/.test({title})", timeout=20_000)
    page.click("#pause")
    page.wait_for_timeout(300)
    held = page.evaluate(title)
    page.wait_for_timeout(1600)
    assert page.evaluate(title) == held   # paused
    assert errors == []
    ctx.close()


def test_the_slider_draws_the_month_the_server_built_and_step_stops_at_the_last(app: App, browser: Any) -> None:
    ctx, page, errors = _open(browser, app.url)
    if not app.runs():
        _run(page, app)
    n = app.runs()[-1]["n"]   # a fresh page watches the newest run
    page.locator("#view input[value=firm]").check()
    title = "(document.querySelector('#fig-firm .gtitle') || {}).textContent || ''"
    page.wait_for_function(f"({title}).startsWith('Month 1 of 12')", timeout=60_000)
    with contextlib.closing(sqlite3.connect(app.out / "app_session.sqlite")) as db:
        frames = json.loads(db.execute("SELECT data FROM playback WHERE n = ?", (n,)).fetchone()[0])
    people = page.locator("#fig-firm g.scatterlayer g.trace").nth(1).locator("path.point")
    handle = page.locator("#month [role=slider]").first
    for key, month in (("End", 12), ("Home", 1), ("ArrowRight", 2)):
        handle.press(key)
        oracle = month_figure(frames, month)   # the one builder of a month's figure, server-side
        said = oracle["layout"]["title"]["text"].replace("<br>", "")   # its lines' text, as the page holds it
        page.wait_for_function(f"({title}) === {json.dumps(said)}", timeout=10_000)
        assert people.count() == len(oracle["data"][1]["x"])
    page.click("#step")
    page.wait_for_function(f"({title}).startsWith('Month 3 of 12')", timeout=10_000)
    handle.press("End")
    page.wait_for_function(f"({title}).startsWith('Month 12 of 12')", timeout=10_000)
    page.click("#step")   # nothing after the last month
    page.wait_for_timeout(500)
    assert page.evaluate(title).startswith("Month 12 of 12")
    assert errors == []
    ctx.close()


def test_a_bad_typed_value_is_echoed_beside_its_field_and_nothing_runs(app: App, browser: Any) -> None:
    ctx, page, _errors = _open(browser, app.url, viewport={"width": 1024, "height": 768})
    n = len(app.runs())
    for typed in ("0", "2.5"):
        _set(page, "replications", typed)
        page.click("#run")
        page.wait_for_function(f"document.getElementById('problem-replications').innerText.includes('{typed}')",
                               timeout=20_000)
        assert "got None" not in page.locator("#problem-replications").inner_text()
    field = page.locator("#field-replications").bounding_box()
    problem = page.locator("#problem-replications").bounding_box()
    assert problem["y"] >= field["y"] and problem["y"] - (field["y"] + field["height"]) < 5   # inside its field
    assert len(app.runs()) == n
    ctx.close()


def test_a_long_run_shows_progress_disables_run_and_can_be_cancelled(app: App, browser: Any) -> None:
    ctx, page, _errors = _open(browser, app.url)
    n = len(app.runs())
    _set(page, "replications", "500")
    page.click("#run")
    page.wait_for_function("/^Running: [1-9]/.test(document.getElementById('status').innerText)", timeout=30_000)
    page.wait_for_function("document.getElementById('run').disabled", timeout=5_000)
    assert page.evaluate("document.getElementById('progress').value") > 0
    assert page.locator("#run").is_disabled() and not page.locator("#cancel").is_disabled()
    started = time.perf_counter()
    page.click("#cancel")
    page.wait_for_function("document.getElementById('status').innerText.includes('cancelled')", timeout=20_000)
    assert time.perf_counter() - started < 5
    done = int(re.search(r"after (\d+) of 500", page.locator("#status").inner_text()).group(1))
    assert 0 < done < 500
    page.wait_for_function("document.getElementById('run').disabled === false", timeout=10_000)
    assert len(app.runs()) == n   # a cancelled run is not stored
    ctx.close()


def _titles_overlap(page: Any) -> list[tuple[str, str]]:
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.view.active .annotation-text, .view.active .gtitle, .view.active .xtitle, .view.active .ytitle, h1'))
        .map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; })
        .filter(b => b[3] > b[1])""")
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]:
                out.append((a[0], b[0]))
    return out


@pytest.mark.parametrize("size", [{"viewport": {"width": 1024, "height": 768}},
                                  {"viewport": {"width": 683, "height": 512}, "device_scale_factor": 1.5}],
                         ids=["1024x768", "150pct-zoom"])
def test_presenter_mode_is_large_and_nothing_overlaps_or_scrolls_sideways(app: App, browser: Any, size) -> None:
    ctx, page, errors = _open(browser, app.url, **size)
    if not app.runs():
        _run(page, app)
    page.locator("#present input").check()
    page.wait_for_selector("#page.present")
    page.wait_for_function("document.querySelector('#fig-results .annotation-text') && "
                           "parseFloat(getComputedStyle(document.querySelector('#fig-results .annotation-text'))"
                           ".fontSize) >= 28", timeout=20_000)
    for view in ("results", "changes", "months"):
        if view != "results":
            page.keyboard.press("ArrowRight")   # the keyboard walks the views, one chart at a time
        page.wait_for_function(f"document.getElementById('view-{view}').classList.contains('active')",
                               timeout=10_000)
        page.wait_for_timeout(300)
        assert page.locator(".view.active").count() == 1
        ticks = page.evaluate("() => Array.from(document.querySelectorAll('.view.active .xtick text, "
                              ".view.active .ytick text')).map(e => parseFloat(getComputedStyle(e).fontSize))")
        titles = page.evaluate("() => Array.from(document.querySelectorAll('.view.active .annotation-text'))"
                               ".map(e => parseFloat(getComputedStyle(e).fontSize))")
        assert ticks and min(ticks) >= 20 and titles and min(titles) >= 28, (view, ticks[:3], titles[:3])
        assert _titles_overlap(page) == [], view
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (view, width)
    labels = page.locator(".view.active").inner_text() + page.locator(".controls").inner_text()
    assert not [c for c in ("turnover_rate", "mean_cooperation", "commission_paid", "pod_lead") if c in labels]
    assert errors == []
    ctx.close()


def test_the_script_walks_its_rounds_and_shows_each_prediction_beside_its_result(tmp_path, browser) -> None:
    own = App(tmp_path, scenario=ROOT / "scenarios" / "workshop_script.yaml")
    try:
        ctx, page, errors = _open(browser, own.url)
        page.locator("#view input[value=script]").check()
        page.wait_for_selector("#view-script.active #round-question")
        expected = [("individual", {}), ("team_pool", {}), ("team_pool", {"pool_rate": 0.4}),
                    ("individual", {"leaderboard": True}), ("individual", {"partnership_time": 0.2}),
                    ("individual", {"remove_star_month": 6})]
        for i, (scheme, levers) in enumerate(expected):
            if i:
                page.click("#round-next")
                page.wait_for_function(f"document.getElementById('round-count').innerText.startsWith('Round {i + 1}')")
                page.wait_for_function(f"document.querySelector('#scheme input[value={scheme}]').checked")
            page.fill("#prediction", f"guess {i + 1}")
            run = _run(page, own)
            assert run["levers"]["scheme"] == scheme and run["replications"] == 3
            for key, value in levers.items():
                assert run["levers"][key] == value
        rows = page.locator("#rounds tr.round-row").all_inner_texts()
        assert len(rows) == 6 and all(f"guess {i + 1}" in r for i, r in enumerate(rows)), rows
        assert all("not run yet" not in r for r in rows) and "pool 40%" in rows[2] and "leaderboard on" in rows[3]
        page.click("#round-prev")
        page.wait_for_function("document.getElementById('round-count').innerText.startsWith('Round 5')")
        assert errors == []
        ctx.close()
    finally:
        own.kill()


def test_sigterm_during_a_run_stops_app_and_workers_within_2_s_and_the_page_says_so(tmp_path, browser) -> None:
    own = App(tmp_path)
    try:
        ctx, page, _errors = _open(browser, own.url)
        _set(page, "replications", "500")
        page.click("#run")
        page.wait_for_function("/^Running: [1-9]/.test(document.getElementById('status').innerText)",
                               timeout=30_000)
        code, err, seconds = own.stop(signal.SIGTERM)
        assert code == 0 and "stopped" in err and "Traceback" not in err
        assert seconds < 2, f"stopped in {seconds:.2f} s"
        page.wait_for_selector("#server-gone:not([hidden])", timeout=10_000)
        assert "stopped" in page.locator("#server-gone").inner_text()
        ctx.close()
    finally:
        own.kill()


def test_ctrl_c_stops_app_and_workers_within_2_s(tmp_path) -> None:
    own = App(tmp_path)
    try:
        code, err, seconds = own.stop(signal.SIGINT)
        assert code == 0 and "Traceback" not in err and seconds < 2, (code, err, seconds)
    finally:
        own.kill()
