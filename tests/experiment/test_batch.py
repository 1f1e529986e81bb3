"""Batches: identical across executors, resumable after SIGKILL, failures recorded, sweep tables as agreed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiment import store
from sim.experiment.batch import BatchRequest, run_batch
from sim.experiment.executors import ExecutorSpec
from sim.scenario import load_scenario

from .conftest import ROOT, assert_same_tables, tables, workshop_sweep
from .faulty import fails_on_team_pool_replication_1

SERIAL = ExecutorSpec("serial", 1)


@pytest.fixture(scope="session")   # session: the Dask test using it runs last (tests/conftest.py)
def sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workshop_sweep(tmp_path_factory.mktemp("sweep"))


@pytest.fixture(scope="session")
def serial_out(sweep_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serial")
    run_batch(BatchRequest(load_scenario(sweep_file), out, SERIAL))
    return out


def _by_run_id(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return t["runs"].sort_values(["run_id", "point"]).reset_index(drop=True)


@pytest.mark.dask_in_process
def test_serial_pool_and_dask_local_cluster_give_identical_tables(sweep_file: Path, serial_out: Path,
                                                                  tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    sc = load_scenario(sweep_file)
    pool, dask = tmp_path / "pool", tmp_path / "dask"
    run_batch(BatchRequest(sc, pool, ExecutorSpec("pool", 2)))
    run_batch(BatchRequest(sc, dask, ExecutorSpec("dask", 2)))
    reference = tables(serial_out)
    assert len(reference["runs"]) == 3 * 3 * 2
    for out in (pool, dask):
        other = tables(out)
        assert_same_tables(reference, other)
        pd.testing.assert_frame_equal(_by_run_id(reference), _by_run_id(other))
    assert json.loads((dask / "manifest.json").read_text())["executor"]["kind"] == "dask"


def test_sweep_tables_carry_point_and_key_columns_as_agreed(serial_out: Path) -> None:
    runs = pd.read_parquet(serial_out / "runs.parquet")
    assert list(runs.columns[:4]) == ["point", "market.job_order_rate", "scheme", "replication"]
    assert sorted(runs["point"].unique()) == [0, 1, 2]
    assert runs.groupby("point")["market.job_order_rate"].first().tolist() == [4.0, 6.0, 8.0]
    monthly = pd.read_parquet(serial_out / "monthly.parquet")
    assert {"point", "market.job_order_rate"} <= set(monthly.columns)
    summary = pd.read_csv(serial_out / "summary.csv")
    assert list(summary.columns[:4]) == ["point", "market.job_order_rate", "scheme", "metric"]
    assert len(summary) == 3 * 3 * summary["metric"].nunique()
    manifest = json.loads((serial_out / "manifest.json").read_text())
    assert manifest["sweep_keys"] == ["market.job_order_rate"] and manifest["baseline"] == "individual"
    assert manifest["points"] == 3 and manifest["runs"] == len(runs)


def test_a_batch_without_a_sweep_has_no_point_column_and_empty_sweep_keys(tmp_path: Path) -> None:
    sc = load_scenario(ROOT / "scenarios" / "workshop_demo.yaml", ["replications=2", "horizon_months=3"])
    runs = run_batch(BatchRequest(sc, tmp_path, SERIAL)).runs
    assert "point" not in runs and list(runs.columns[:3]) == ["scheme", "replication", "seed"]
    assert json.loads((tmp_path / "manifest.json").read_text())["sweep_keys"] == []


def _stored_runs(out: Path) -> int:
    try:
        return sum(1 for _ in store.done_run_ids(out))
    except (OSError, ValueError):
        return 0


def test_a_batch_killed_with_sigkill_then_resumed_equals_an_uninterrupted_one(sweep_file: Path, serial_out: Path,
                                                                             tmp_path: Path) -> None:
    # --commit-every 0 commits each run as it comes back, so the first part lands after the first run and the
    # kill follows it while the other 17 still run, whatever the machine's speed (it no longer has to outlast a
    # one-second flush); the asserts below fail if the kill came after the batch ended.
    killed, total = tmp_path / "killed", 3 * 3 * 2
    cmd = [sys.executable, "-m", "sim", "run", str(sweep_file), "--workers", "1", "--quiet", "--no-report"]
    proc = subprocess.Popen([*cmd, "--commit-every", "0", "--out", str(killed)], cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _stored_runs(killed) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.kill()   # SIGKILL; a no-op if the child has already ended and been reaped
    proc.wait()
    stored = _stored_runs(killed)
    assert 0 < stored < total, "the kill must land mid-batch"
    assert len(store.part_files(killed, "runs")) == stored   # one part a run: --commit-every 0 as documented
    assert not (killed / "runs.parquet").exists()
    assert main(["run", str(sweep_file), "--out", str(killed), "--workers", "2", "--quiet", "--no-report",
                 "--resume"]) == 0
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["runs_reused"] == stored and manifest["runs_executed"] == total - stored
    resumed = tables(killed)
    assert not resumed["runs"].duplicated(["run_id", "point"]).any()
    assert_same_tables(tables(serial_out), resumed)   # the same batch, run uninterrupted (once, for this module)


def test_a_run_that_raises_is_recorded_and_the_rest_complete(sweep_file: Path, tmp_path: Path) -> None:
    sc = load_scenario(sweep_file)
    for spec in (ExecutorSpec("serial", 1), ExecutorSpec("pool", 2)):
        out = tmp_path / spec.kind
        result = run_batch(BatchRequest(sc, out, spec, simulate=fails_on_team_pool_replication_1))
        assert len(result.runs) == 3 * 3 * 2 - 3
        assert {(f["point"], f["scheme"], f["replication"]) for f in result.failures} == {
            (p, "team_pool", 1) for p in range(3)}
        assert all("RuntimeError: injected failure" in f["error"] for f in result.failures)
        assert len(pd.read_parquet(out / "failures.parquet")) == 3
        assert len(json.loads((out / "manifest.json").read_text())["failures"]) == 3
    # --resume retries only the failed runs; with the real model they now succeed.
    again = run_batch(BatchRequest(sc, out, SERIAL, resume=True))
    assert again.ran == 3 and not again.failures and len(again.runs) == 3 * 3 * 2
    assert not (out / "failures.parquet").exists()


def test_failed_runs_make_the_command_exit_non_zero_and_list_them(
        sweep_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.commands.run import EXIT_FAILED_RUNS, report_failures
    result = run_batch(BatchRequest(load_scenario(sweep_file), tmp_path, SERIAL,
                                    simulate=fails_on_team_pool_replication_1))
    assert report_failures(result, "teamsim run x") == EXIT_FAILED_RUNS
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all("run failed: point" in line and "team_pool" in line for line in err)


def test_resume_of_a_finished_batch_runs_nothing_and_ignores_half_written_parts(sweep_file: Path, serial_out: Path,
                                                                                tmp_path: Path) -> None:
    import shutil
    out = tmp_path / "copy"
    shutil.copytree(serial_out, out)
    junk = out / "parts" / ".part-999999.tmp"
    junk.mkdir()
    (junk / "runs.parquet").write_bytes(b"half a file")
    sc = load_scenario(sweep_file)
    result = run_batch(BatchRequest(sc, out, SERIAL, resume=True))
    assert result.ran == 0 and not junk.exists()
    assert_same_tables(tables(serial_out), tables(out))


def test_precision_adds_replications_until_every_interval_is_narrow_enough(tmp_path: Path) -> None:
    path = workshop_sweep(tmp_path, grid={"market.job_order_rate": [5.0, 7.0]})
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-report",
                 "--precision", "gross_profit=0.05", "--max-replications", "30"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    g = pd.read_csv(out / "summary.csv")
    g = g[g["metric"] == "gross_profit"]
    half = (g["ci_high"] - g["ci_low"]) / 2
    assert ((half <= 0.05 * g["mean"].abs()) | (g["n"] >= 30)).all()
    assert runs.groupby("point")["replication"].nunique().max() > 2   # it did add replications
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["precision"]["targets"] == ["gross_profit=0.05"]


def test_a_batch_leaves_no_thread_behind_and_a_small_pool_batch_readies_the_model_in_the_driver(tmp_path: Path
                                                                                              ) -> None:
    # In a fresh process (pytest's own workers run threads), and so whether numba ends up in it says
    # whether the driver readied the model: an executor opened without ``warm`` leaves it out of the
    # driver; a small pool batch readies it there, for its workers to inherit. After a batch with its
    # progress bar, the process is single-threaded again.
    code = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from sim.experiment.batch import BatchRequest, run_batch\n"
        "from sim.experiment.executors import ExecutorSpec, make_payload, open_executor, stream\n"
        "from sim.experiment.plan import make_plan\n"
        "from sim.scenario import load_scenario\n"
        f"sc = load_scenario({str(ROOT / 'scenarios' / 'workshop_demo.yaml')!r},\n"
        "                   ['replications=2', 'horizon_months=3'])\n"
        "plan = make_plan(sc)\n"
        "with open_executor(ExecutorSpec('pool', 2), make_payload(plan.base, plan.points), warm=False) as ex:\n"
        "    cold = [r for r in stream(ex, plan.tasks(1)) if 'error' not in r]\n"
        "print(len(cold), 'numba' in sys.modules)\n"
        f"res = run_batch(BatchRequest(sc, Path({str(tmp_path / 'out')!r}), ExecutorSpec('pool', 2), quiet=False))\n"
        "print(len(res.runs), 'numba' in sys.modules, threading.active_count())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "False", "6", "True", "1"]
