"""Bad sweep, sensitivity and executor input: one clear line each, exit code 2, nothing stored lost."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiment import store
from sim.experiment.batch import BatchRequest
from sim.model import RESULTS_VERSION
from sim.scenario import load_scenario

from .conftest import SCENARIOS, workshop_sweep


def _stamps(out: Path) -> dict[Path, int]:
    """Every stored file's modification time (the writer lock's PID record is not a result)."""
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != store.LOCK}


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize(("grid_or_sample", "expected"), [
    ({"grid": {"firm.podz": [1, 2]}}, "sweep.grid.firm.podz: not a scenario key (did you mean 'firm.pods'?)"),
    ({"grid": {"market.job_order_rate": []}}, "sweep.grid.market.job_order_rate: List should have at least 1 item"),
    ({"sample": {"n": 4, "ranges": {"market.job_order_rate": [8, 4]}}},
     "sweep.sample.ranges.market.job_order_rate: range low 8 is above high 4"),
    ({"sample": {"n": 0, "ranges": {"market.job_order_rate": [4, 8]}}}, "sweep.sample.n: Input should be greater"),
    ({"grid": {"firm.pods": [2, 0]}}, "sweep.grid.firm.pods: value 0: Input should be greater than or equal to 1"),
    ({"grid": {"schemes.team_poo.rate": [0.1]}}, "no scheme named 'team_poo' (did you mean 'team_pool'?)"),
])
def test_bad_sweep_is_one_line_with_file_and_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             grid_or_sample: dict, expected: str) -> None:
    path = workshop_sweep(tmp_path)
    text = path.read_text()
    import yaml
    data = yaml.safe_load(text)
    data["sweep"] = grid_or_sample
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    lines = _lines(capsys)
    assert len(lines) == 1 and expected in lines[0]
    assert lines[0].startswith(f"{path}:") and lines[0].split(":")[1].isdigit()   # file and line
    assert not (tmp_path / "out").exists()


def test_resume_of_another_scenario_is_refused_and_keeps_the_results(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path, out = workshop_sweep(tmp_path), tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-report"]) == 0
    before = _stamps(out)
    capsys.readouterr()
    code = main(["run", str(path), "--out", str(out), "--quiet", "--resume", "--set", "market.candidate_rate=5"])
    assert code == 2
    lines = _lines(capsys)
    assert len(lines) == 1 and "--resume refused" in lines[0] and "market.candidate_rate" in lines[0]
    assert _stamps(out) == before


def test_resume_of_results_from_an_earlier_model_version_is_refused(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path, out = workshop_sweep(tmp_path), tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-report"]) == 0
    identity = json.loads((out / "batch.json").read_text())
    assert identity["results_version"] == RESULTS_VERSION
    del identity["results_version"], identity["hash"]   # as a folder written before the key existed
    identity["hash"] = store.scenario_hash(identity)
    (out / "batch.json").write_text(json.dumps(identity))
    before = _stamps(out)
    capsys.readouterr()
    assert main(["run", str(path), "--out", str(out), "--quiet", "--resume"]) == 2
    lines = _lines(capsys)
    assert len(lines) == 1 and "--resume refused" in lines[0] and "earlier version of the model" in lines[0]
    assert _stamps(out) == before


@pytest.mark.dask_in_process
def test_scheduler_that_does_not_answer_fails_fast_and_keeps_the_results(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, out = workshop_sweep(tmp_path), tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-report"]) == 0
    before = _stamps(out)
    capsys.readouterr()
    started = time.monotonic()
    code = main(["run", str(path), "--out", str(out), "--quiet", "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2 and time.monotonic() - started < 15
    lines = _lines(capsys)
    assert len(lines) == 1 and "no Dask scheduler answered" in lines[0]
    assert _stamps(out) == before


@pytest.mark.parametrize(("args", "expected"), [
    (["--precision", "profitt=0.1"], "unknown metric 'profitt'"),
    (["--precision", "profit=2"], "between 0 and 1"),
    (["--baseline", "nobody"], "--baseline: no scheme named 'nobody'"),
    (["--commit-every", "-1"], "--commit-every: expected a number of seconds, 0 or more, got '-1'"),
    (["--commit-every", "nan"], "--commit-every: expected a number of seconds, 0 or more, got 'nan'"),
    (["--commit-every", "soon"], "--commit-every: expected a number of seconds, 0 or more, got 'soon'"),
])
def test_bad_run_options_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            args: list[str], expected: str) -> None:
    code = main(["run", str(SCENARIOS / "workshop_demo.yaml"), "--out", str(tmp_path / "o"), "--quiet", *args]) \
        if args[0] == "--baseline" else None
    if code is None:
        with pytest.raises(SystemExit) as exc:
            main(["run", str(SCENARIOS / "workshop_demo.yaml"), "--out", str(tmp_path / "o"), "--quiet", *args])
        code = exc.value.code
    assert code == 2
    lines = _lines(capsys)
    assert len(lines) == 1 and expected in lines[0]


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf"), "1"])
def test_a_batch_refuses_a_commit_interval_that_is_not_seconds(tmp_path: Path, seconds: object) -> None:
    sc = load_scenario(SCENARIOS / "workshop_demo.yaml")
    with pytest.raises(ValueError, match=r"^the commit interval must be a number of seconds, 0 or more, got "):
        BatchRequest(sc, tmp_path / "o", commit_seconds=seconds)
    assert not (tmp_path / "o").exists()


def test_sensitivity_without_uncertain_keys_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", str(SCENARIOS / "workshop_demo.yaml"), "--out", str(tmp_path / "o")]) == 2
    lines = _lines(capsys)
    assert len(lines) == 1 and "uncertain: nothing to analyse" in lines[0]
