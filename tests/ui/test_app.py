"""The workshop app: levers become validated scenarios; the server starts on a free local port and stops on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from decimal import Decimal

import pytest

from sim.app.levers import build_scenario, defaults, describe
from sim.cli import main
from sim.scenario import ScenarioError, read_yaml

from .conftest import ROOT, WORKSHOP


@pytest.fixture(scope="module")
def raw() -> dict:
    return read_yaml(WORKSHOP)[0]


def test_default_levers_reproduce_the_files_plan_and_firm(raw: dict) -> None:
    s = build_scenario(raw, defaults(raw, replications=7))
    assert s.replications == 7 and len(s.schemes) == 1
    plan = s.schemes[0].plan
    first = raw["schemes"][0]   # the file's first scheme, as written
    assert plan.type == first["type"] == "individual"
    assert plan.rate == Decimal(str(first["rate"])) and plan.threshold == Decimal(str(first["threshold"]))
    assert (s.firm.pods, s.firm.recruiters_per_pod, s.firm.account_managers_per_pod) == (2, 3, 3)


def test_every_lever_reaches_the_scenario(raw: dict) -> None:
    levers = {**defaults(raw), "plan": "team_pool", "pool_rate": 0.2, "split": 0.6, "leaderboard": True,
              "partnership_time": 0.1, "hiring_for_cooperation": 0.5, "recruiters_per_pod": 4,
              "account_managers_per_pod": 2}
    s = build_scenario(raw, levers)
    scheme = s.schemes[0]
    assert scheme.plan.type == "team_pool" and scheme.plan.rate == Decimal("0.2")
    assert scheme.plan.split.recruiter == Decimal("0.6") and scheme.plan.split.account_manager == Decimal("0.4")
    assert scheme.policy.leaderboard is True and scheme.policy.partnership_time == 0.1
    assert scheme.policy.hiring_for_cooperation == 0.5
    assert (s.firm.recruiters_per_pod, s.firm.account_managers_per_pod) == (4, 2)
    assert "team_pool pool 20%" in describe(levers) and "leaderboard on" in describe(levers)


def test_hybrid_pool_share_sets_the_individual_weight(raw: dict) -> None:
    s = build_scenario(raw, {**defaults(raw), "plan": "hybrid", "rate": 0.3, "pool_rate": 0.1, "pool_share": 0.7})
    plan = s.schemes[0].plan
    assert plan.individual_weight == Decimal("0.3") and plan.individual.rate == Decimal("0.3")
    assert plan.team_pool.rate == Decimal("0.1")


def test_bad_lever_values_give_one_line_per_problem_naming_the_key(raw: dict) -> None:
    with pytest.raises(ScenarioError) as err:
        build_scenario(raw, {**defaults(raw), "replications": None, "partnership_time": 0.9})
    lines = [str(p) for p in err.value.problems]
    assert len(lines) == 2 and all("\n" not in line for line in lines)
    assert any("replications" in line for line in lines)
    assert any("partnership_time" in line for line in lines)


def test_app_command_with_a_missing_file_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["app", "no/such/scenario.yaml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "file not found" in err[0]


class App:
    """``teamsim app`` in a subprocess; ``url`` is what it printed."""

    def __init__(self, proc: subprocess.Popen[str], url: str):
        self.proc, self.url = proc, url

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        _out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err


@pytest.fixture
def app() -> Iterator[App]:
    proc = subprocess.Popen([sys.executable, "-m", "sim", "app", str(WORKSHOP), "--workers", "1",
                             "--replications", "5"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)   # its own group: teardown kills its workers too
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
    try:
        first = lines.get(timeout=60)
    except queue.Empty:
        proc.kill()
        pytest.fail("teamsim app printed no address within 60 s")
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
    assert match, f"unexpected first line: {first!r} / {proc.stderr.read() if proc.poll() is not None else ''}"
    running = App(proc, match.group(0))
    yield running
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)   # pool workers left behind by a killed app


def test_app_serves_its_page_with_local_scripts_and_stops_cleanly_on_ctrl_c(app: App) -> None:
    with urllib.request.urlopen(app.url, timeout=30) as resp:
        assert resp.status == 200
        page = resp.read().decode()
    sources = re.findall(r"<script[^>]*src=\"([^\"]+)\"", page)
    assert sources and all(s.startswith("/") for s in sources), sources   # served locally, no CDN
    code, err = app.stop()
    assert code == 0 and "stopped" in err and "Traceback" not in err


def test_app_run_in_chromium_updates_the_charts_and_keeps_runs_side_by_side(app: App, watched) -> None:
    page = watched.page
    page.goto(app.url)
    page.wait_for_selector("#run")
    page.locator("#plan input[value=team_pool]").check()
    page.locator("#leaderboard input").check()
    page.click("#run")
    page.wait_for_function("document.querySelectorAll('#runs tr.run-row').length === 1", timeout=60_000)
    bars_one = page.locator("#fig-metrics g.barlayer g.point").count()
    page.locator("#plan input[value=individual]").check()
    page.click("#run")
    page.wait_for_function("document.querySelectorAll('#runs tr.run-row').length === 2", timeout=60_000)
    page.wait_for_function(f"document.querySelectorAll('#fig-metrics g.barlayer g.point').length > {bars_one}",
                           timeout=10_000)
    rows = page.locator("#runs tr.run-row").all_inner_texts()
    assert "individual" in rows[0] and "team_pool" in rows[1] and "leaderboard on" in rows[1]
    assert page.locator("#fig-monthly g.scatterlayer g.trace").count() == 2 * 3   # 2 runs x 3 series
    assert "Run 2" in page.locator("#status").inner_text()
    assert watched.errors == []
    host = app.url.split("/")[2]
    assert {u.split("/")[2] for u in watched.requests} == {host}
    code, err = app.stop()
    assert code == 0 and "Traceback" not in err


def test_bad_lever_value_in_chromium_shows_the_problem_and_runs_nothing(app: App, watched) -> None:
    page = watched.page
    page.goto(app.url)
    page.wait_for_selector("#run")
    page.fill("#replications", "")
    page.click("#run")
    page.wait_for_function("document.getElementById('problems').innerText.includes('replications')",
                           timeout=30_000)
    assert page.locator("#runs tr.run-row").count() == 0
