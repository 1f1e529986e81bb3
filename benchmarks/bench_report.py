"""Report build time and size at full scale, and the workshop app's Run latency.

Usage: ``python -m benchmarks.bench_report [--only report,app,playback,play] [--store DIR] [--replications N]``.

* ``report``: stored results of the reference scenario (4 schemes x 100 replications x 36 months)
  are made once into ``--store`` (default reports/bench_report_store; reused when present), then
  ``report.html`` is built from them: median of 3 in-process builds, one cold ``teamsim report``
  in a fresh process (what a user waits for), and the file's size. Targets: under 5 s, under 10 MB.
* ``app``: the workshop scenario with 20 replications on a 2-worker pool. ``runner`` times
  :meth:`sim.app.runner.Runner.run` (median of 5 after one warm-up); ``browser`` starts
  ``teamsim app`` and times click-Run-to-table-row in headless Chromium (median of 5, when
  /usr/bin/chromium exists), then Step in the firm view to the next month drawn (timed in the page from
  the click event to the frame after the month is drawn, and from Playwright). Target: click to
  result under 0.5 s (issue 17).
* ``playback``: one month of the firm view built server-side (figure and its JSON) from stored frames.
  Target: under 100 ms.
* ``play``: ``teamsim app --play`` on the workshop scenario (12 months a round) with 10 players joined
  over HTTP, each with its own cookie; every month each player submits a choice, then the facilitator's
  Play-month request is timed from send to answer (the month simulated, statements made), and to the
  first player's next view read. Target: under 1 s a month (issue 17).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "individual_vs_team.yaml"
WORKSHOP = ROOT / "scenarios" / "workshop_demo.yaml"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def ensure_store(store: Path, replications: int) -> Path:
    manifest = store / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("replications") == replications:
        return store
    from sim.experiment.batch import BatchRequest, run_batch
    from sim.scenario import load_scenario

    sc = load_scenario(REFERENCE, [f"replications={replications}"])
    print(f"making stored results: {sc.name}, {len(sc.schemes)} schemes x {replications} replications ...", flush=True)
    started = time.perf_counter()
    run_batch(BatchRequest(sc, store))
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    return store


def bench_report(store: Path) -> dict[str, float]:
    from sim.report import write_report

    times = []
    for _ in range(3):
        started = time.perf_counter()
        path = write_report(store)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "report", str(store)], check=True, capture_output=True)
    cold = time.perf_counter() - started
    size = path.stat().st_size / 1e6
    res = {"build_median_s": statistics.median(times), "cold_cli_s": cold, "size_mb": size}
    print(f"report: build {res['build_median_s']:.2f} s (median of 3, in process); `teamsim report` cold "
          f"{cold:.2f} s; {size:.2f} MB (targets: < 5 s, < 10 MB)")
    return res


def bench_runner(replications: int = 20) -> dict[str, float]:
    from sim.app.levers import build_scenario, defaults
    from sim.app.runner import Runner
    from sim.scenario import load_scenario

    file = load_scenario(WORKSHOP)
    sc = build_scenario(file, defaults(file, None, replications))
    runner = Runner(2)
    try:
        started = time.perf_counter()
        runner.run(sc)
        first = time.perf_counter() - started
        times = []
        for _ in range(5):
            started = time.perf_counter()
            runner.run(sc)
            times.append(time.perf_counter() - started)
    finally:
        runner.close()
    res = {"first_run_s": first, "run_median_s": statistics.median(times)}
    print(f"app runner: {replications} replications on 2 workers: first Run {first:.2f} s (pool warming), "
          f"then median {res['run_median_s']:.2f} s")
    return res


def bench_browser(replications: int = 20) -> dict[str, float] | None:
    if not CHROMIUM.exists():
        print("app browser: skipped (no /usr/bin/chromium)")
        return None
    from playwright.sync_api import sync_playwright

    session = tempfile.mkdtemp(prefix="bench-app-")
    proc = subprocess.Popen([sys.executable, "-m", "sim", "app", str(WORKSHOP), "--workers", "2",
                             "--replications", str(replications), "--out", session], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline()).group(0)
        times = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("#run")
            for i in range(1, 7):
                started = time.perf_counter()
                page.click("#run")
                page.wait_for_function(f"document.getElementById('status').innerText.startsWith('Run {i}:')",
                                       timeout=60_000)
                times.append(time.perf_counter() - started)
            steps, steps_outside = _playback_steps(page)
            browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        shutil.rmtree(session, ignore_errors=True)
    res = {"first_click_s": times[0], "click_median_s": statistics.median(times[1:]),
           "step_median_s": statistics.median(steps), "step_playwright_median_s": statistics.median(steps_outside)}
    print(f"app browser: click Run -> status updated, {replications} replications: first {times[0]:.2f} s, "
          f"then median {res['click_median_s']:.2f} s (target < 0.5 s)")
    print(f"app browser: playback, click Step -> next month drawn: median {res['step_median_s'] * 1000:.0f} ms "
          f"of {len(steps)} in the page (target < 100 ms); "
          f"{res['step_playwright_median_s'] * 1000:.0f} ms from Playwright's click to its wait answering")
    return res


def _playback_steps(page) -> tuple[list[float], list[float]]:
    """Open the firm view (its frames are made once), then Step to the next month drawn, ten times: (seconds
    in the page, from the click event to the first animation frame after the month's title changed; seconds
    as Playwright sees it, from ``page.click`` to ``wait_for_function`` answering, which adds its own
    actionability checks and polling)."""
    page.locator("#view input[value=firm]").check()
    title = "(document.querySelector('#fig-firm .gtitle') || {}).textContent || ''"
    page.wait_for_function(f"({title}).startsWith('Month 1 of')", timeout=60_000)
    page.evaluate("""() => {
      const graph = document.getElementById('fig-firm');
      window.stepDrawn = null;
      document.addEventListener('click', (e) => {
        if (!e.target.closest('#step')) { return; }
        const clicked = e.timeStamp, before = (graph.querySelector('.gtitle') || {}).textContent;
        const seen = new MutationObserver(() => {
          if ((graph.querySelector('.gtitle') || {}).textContent === before) { return; }
          seen.disconnect();
          requestAnimationFrame(() => { window.stepDrawn = performance.now() - clicked; });
        });
        seen.observe(graph, {subtree: true, childList: true, characterData: true});
      }, true);
    }""")
    in_page, outside = [], []
    for month in range(2, 12):
        page.evaluate("window.stepDrawn = null")
        started = time.perf_counter()
        page.click("#step")
        page.wait_for_function(f"({title}).startsWith('Month {month} of') && window.stepDrawn !== null",
                               timeout=10_000)
        outside.append(time.perf_counter() - started)
        in_page.append(page.evaluate("window.stepDrawn") / 1000)
    return in_page, outside


def bench_playback(replications: int = 1) -> dict[str, float]:
    """Server side of a playback month: frames made once from a detailed run, then one month's figure as the
    JSON Dash sends (median and worst over the months of the workshop scenario). Target: under 100 ms."""
    import plotly.io
    import plotly.io.json

    from sim.app.levers import build_scenario, defaults
    from sim.app.playback import frames, month_figure
    from sim.model import run
    from sim.scenario import load_scenario

    file = load_scenario(WORKSHOP)
    sc = build_scenario(file, defaults(file, None, replications))
    fr = frames(run(sc, sc.schemes[0].name, 0, detail=True), sc.horizon_months)
    times = []
    for _ in range(5):
        for month in range(1, sc.horizon_months + 1):
            started = time.perf_counter()
            plotly.io.to_json(month_figure(fr, month, big=True), validate=False)
            times.append(time.perf_counter() - started)
    sent = []   # what opening the firm view sends: every month's figure, once
    for _ in range(5):
        started = time.perf_counter()
        text = plotly.io.json.to_json_plotly([month_figure(fr, m, big=True) for m in range(1, sc.horizon_months + 1)])
        sent.append(time.perf_counter() - started)
    res = {"month_median_ms": 1000 * statistics.median(times), "month_max_ms": 1000 * max(times),
           "all_months_ms": 1000 * statistics.median(sent), "all_months_kb": len(text.encode()) / 1000}
    print(f"playback: one month drawn server-side (figure + JSON): median {res['month_median_ms']:.2f} ms, "
          f"worst {res['month_max_ms']:.2f} ms over {len(times)} (target < 100 ms); all {sc.horizon_months} "
          f"months as the firm view is opened: {res['all_months_ms']:.1f} ms, {res['all_months_kb']:.0f} kB of JSON")
    return res


def bench_play(players: int = 10, months: int = 12) -> dict[str, float]:
    """A room of ``players`` over real HTTP: each month every player chooses, then Play month is timed."""
    import http.cookiejar
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-m", "sim", "app", str(WORKSHOP), "--play", "--months", str(months)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        first, second = proc.stdout.readline(), proc.stdout.readline()
        url, code = re.search(r"(http://\S+/) with code (\w+)", first).groups()
        key = re.search(r"key=(\S+)", second).group(1)

        def post(opener: urllib.request.OpenerDirector, path: str, body: dict) -> dict:
            req = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
            with opener.open(req, timeout=60) as resp:
                return json.loads(resp.read())

        host = urllib.request.build_opener()
        seats = []
        for i in range(players):   # 5 a pod, recruiters and account managers alternating
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            post(opener, "api/join", {"code": code, "name": f"player {i}", "pod": 1 + i % 2,
                                      "role": ("recruiter", "account_manager")[(i // 2) % 2]})
            seats.append(opener)
        advance, seen = [], []
        for month in range(1, months + 1):
            for i, opener in enumerate(seats):
                post(opener, "api/choice", {"round": 1, "month": month, "effort": 0.6 + 0.1 * i, "share": i % 3 > 0})
            started = time.perf_counter()
            post(host, "api/host/advance", {"key": key})
            advance.append(time.perf_counter() - started)
            with seats[0].open(url + "api/me", timeout=60) as resp:
                assert json.loads(resp.read())["history"][0]["month"] == month
            seen.append(time.perf_counter() - started)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    res = {"advance_median_s": statistics.median(advance), "advance_max_s": max(advance),
           "seen_median_s": statistics.median(seen), "seen_max_s": max(seen)}
    print(f"play: {players} players, Play month -> answered: median {1000 * res['advance_median_s']:.0f} ms, worst "
          f"{1000 * res['advance_max_s']:.0f} ms over {months} months; -> a player's next view read: median "
          f"{1000 * res['seen_median_s']:.0f} ms, worst {1000 * res['seen_max_s']:.0f} ms (target < 1 s)")
    return res


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", default="report,app,playback,play")
    p.add_argument("--store", type=Path, default=ROOT / "reports" / "bench_report_store")
    p.add_argument("--replications", type=int, default=100)
    args = p.parse_args(argv)
    only = set(args.only.split(","))
    if "report" in only:
        bench_report(ensure_store(args.store, args.replications))
    if "app" in only:
        bench_runner()
        bench_browser()
    if "playback" in only:
        bench_playback()
    if "play" in only:
        bench_play()


if __name__ == "__main__":
    main()
