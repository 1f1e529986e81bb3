"""``teamsim robust`` end to end: its tables as agreed, identical at 1 and 2 workers, resumable, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.experiment import store
from sim.experiment.robust import COLUMNS

from .conftest import ROOT, SCENARIOS

SMALL = ["--points", "6", "--replications", "2", "--set", "horizon_months=3", "--quiet"]


def _demo(tmp: Path, **changes: object) -> Path:
    data = yaml.safe_load((SCENARIOS / "robust_demo.yaml").read_text())
    data.update(changes)
    path = tmp / "demo.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("robust") / "w1"
    assert main(["robust", str(SCENARIOS / "robust_demo.yaml"), *SMALL, "--workers", "1", "--out", str(out)]) == 0
    return out


def test_robust_writes_the_agreed_tables_and_report(one_worker: Path) -> None:
    table = pd.read_csv(one_worker / "robust.csv")
    assert tuple(table.columns) == COLUMNS
    assert set(table["scheme"]) == {"team_pool", "hybrid"} and "decision" in set(table["metric"])
    assert table["win_share"].between(0, 1).all() and (table["win_share_low"] <= table["win_share"]).all()
    runs = pd.read_parquet(one_worker / "robust.parquet")
    keys = list(yaml.safe_load((SCENARIOS / "robust_demo.yaml").read_text())["uncertain"])
    assert list(runs.columns[:1 + len(keys)]) == ["point", *keys]
    assert len(runs) == 6 * 3 * 2 and runs.groupby("point")[keys].nunique().max().max() == 1
    info = json.loads((one_worker / "robust.json").read_text())
    assert info["decision"] == {"objective": "profit", "constraints": ["turnover_rate_annual<=0.45"]}
    assert len(info["headline"]) == 2 and all("of 6 plausible worlds" in s for s in info["headline"])
    assert {d["parameter"] for d in info["drivers"]} == set(keys)
    manifest = store.read_manifest(one_worker)
    assert manifest["robust"]["points"] == 6 and manifest["sweep_keys"] == keys
    page = (one_worker / "report.html").read_text()
    assert "id='robustness'" in page and "plausible worlds" in page


def test_robust_gives_identical_results_at_one_and_two_workers(one_worker: Path, tmp_path: Path) -> None:
    out = tmp_path / "w2"
    assert main(["robust", str(SCENARIOS / "robust_demo.yaml"), *SMALL, "--workers", "2", "--out", str(out),
                 "--no-report"]) == 0
    for name in ("robust", "robust_worlds"):
        pd.testing.assert_frame_equal(pd.read_parquet(one_worker / f"{name}.parquet").drop(columns="wall_seconds",
                                                                                             errors="ignore"),
                                      pd.read_parquet(out / f"{name}.parquet").drop(columns="wall_seconds",
                                                                                      errors="ignore"))
    assert (one_worker / "robust.csv").read_text() == (out / "robust.csv").read_text()
    assert json.loads((one_worker / "robust.json").read_text()) == json.loads((out / "robust.json").read_text())


def _stored(out: Path) -> int:
    try:
        return len(store.done_run_ids(out))
    except (OSError, ValueError):
        return 0


def test_robust_killed_with_sigkill_then_resumed_equals_an_uninterrupted_run(one_worker: Path, tmp_path: Path) -> None:
    # --commit-every 0 commits each run as it comes back: the kill follows the first committed run, with the
    # other 35 of the batch still to run, whatever the machine's speed; the asserts fail if it came too late.
    killed, total = tmp_path / "killed", 6 * 3 * 2
    cmd = [sys.executable, "-m", "sim", "robust", str(SCENARIOS / "robust_demo.yaml"), *SMALL, "--no-report"]
    proc = subprocess.Popen([*cmd, "--workers", "1", "--commit-every", "0", "--out", str(killed)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _stored(killed) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.kill()   # SIGKILL; a no-op if the child has already ended and been reaped
    proc.wait()
    stored = _stored(killed)
    assert 0 < stored < total, "the kill must land mid-batch"
    assert not (killed / "robust.csv").exists()
    assert main([*cmd[3:], "--workers", "2", "--out", str(killed), "--resume"]) == 0
    manifest = store.read_manifest(killed)
    assert manifest["runs_reused"] == stored and manifest["runs_executed"] == total - stored
    # the same study run uninterrupted (the module's one-worker run)
    assert (one_worker / "robust.csv").read_text() == (killed / "robust.csv").read_text()
    pd.testing.assert_frame_equal(pd.read_parquet(one_worker / "robust.parquet"),
                                  pd.read_parquet(killed / "robust.parquet"))


@pytest.mark.parametrize("change, args, expected", [
    ({"uncertain": None}, [], "uncertain: no uncertain ranges to draw worlds from"),
    ({"uncertain": {"market.conversion_max": [0.9, 0.9], "behavior.effort.peer_pressure": [0.0, 1.0]}}, [],
     "uncertain.market.conversion_max: the range [0.9, 0.9] needs its low below its high"),
    ({}, ["--objective", "happiness"], "unknown metric 'happiness'"),
    ({}, ["--objective", "pay_gini"], "no better direction"),
    ({}, ["--constraint", "turnover_rate_annual<0.3"], "expected METRIC<=X or METRIC>=X"),
    ({}, ["--constraint", "morale<=0.3"], "unknown metric 'morale'"),
])
def test_robust_bad_input_is_one_line_and_exit_2_before_any_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 change: dict, args: list[str], expected: str) -> None:
    path = _demo(tmp_path, **change)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) if args else _no_exit() as caught:
        code = main(["robust", str(path), "--out", str(out), *SMALL, "--workers", "1", *args])
    code = caught.value.code if args else code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and expected in err[0], err
    assert not out.exists()


class _no_exit:
    value = None

    def __enter__(self) -> _no_exit:
        return self

    def __exit__(self, *exc: object) -> bool:
        return False


def test_a_range_that_leaves_out_the_scenarios_value_is_warned_by_validate_and_robust_and_recorded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = yaml.safe_load((SCENARIOS / "robust_demo.yaml").read_text())
    data.setdefault("market", {})["job_order_rate"] = 4.0
    data["uncertain"] = {**data["uncertain"], "market.job_order_rate": [4.5, 7.5]}
    path = tmp_path / "elsewhere.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{path}:") and "uncertain.market.job_order_rate: warning:" in err[0]
    assert "leaves out the scenario's own value 4" in err[0]
    out = tmp_path / "robust"
    assert main(["robust", str(path), *SMALL, "--workers", "1", "--no-report", "--out", str(out)]) == 0
    assert err[0] in capsys.readouterr().err
    assert store.read_manifest(out)["robust"]["range_warnings"] == err


def test_sensitivity_of_the_difference_runs_two_schemes_and_warns_on_a_small_sample(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sens"
    assert main(["sensitivity", str(SCENARIOS / "sensitivity_demo.yaml"), "--method", "sobol", "--n", "4",
                 "--difference", "team_pool", "--metrics", "profit", "--replications", "1", "--out", str(out),
                 "--workers", "1", "--quiet", "--set", "horizon_months=3", "--no-report"]) == 0
    table = pd.read_parquet(out / "sensitivity.parquet")
    assert set(table["scheme"]) == {"team_pool"} and len(table) == 4
    assert set(pd.read_parquet(out / "runs.parquet")["scheme"]) == {"individual", "team_pool"}
    manifest = store.read_manifest(out)
    assert manifest["sensitivity"]["difference"] == {"scheme": "team_pool", "baseline": "individual"}
    err = capsys.readouterr().err
    assert "warning: sobol indices of team_pool - individual:" in err and "too few" in err
    assert manifest["sensitivity"]["warnings"]
