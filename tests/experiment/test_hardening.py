"""One writer per folder, repairs on --resume, lost workers and I/O errors: real processes, tiny batches.

Every refusal or stop is one line on stderr, no traceback, and what was committed stays.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiment import store
from sim.experiment.batch import BatchRequest, run_batch
from sim.experiment.executors import ExecutorSpec
from sim.scenario import load_scenario

from .conftest import ROOT, assert_same_tables, tables, workshop_sweep

RUN = [sys.executable, "-m", "sim", "run"]
BUSY = "is writing results here"
POINTS = 6   # the module's sweep: 6 points x 3 schemes x 2 replications = 36 runs of 6 months
EACH_RUN = ["--commit-every", "0"]   # a part per run: a batch is caught after its first run, 35 still to run


def _grid(n: int) -> dict[str, list[float]]:
    return {"market.job_order_rate": [4.0 + i * 0.05 for i in range(n)]}


def _lines(err: str) -> list[str]:
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.strip()]


def _wait(condition, seconds: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        assert proc is None or proc.poll() is None, "the process ended early"
        time.sleep(0.005)


def _holder(out: Path) -> int | None:
    try:
        text = (out / store.LOCK).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return kids


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The module's sweep and its uninterrupted results, committed a part per run."""
    tmp = tmp_path_factory.mktemp("whole")
    path = workshop_sweep(tmp, grid=_grid(POINTS))
    assert main(["run", str(path), "--out", str(tmp / "out"), "--workers", "1", "--quiet", "--no-report",
                 *EACH_RUN]) == 0
    return path, tmp / "out"


def _copy(whole: tuple[Path, Path], tmp: Path) -> tuple[Path, Path, Path]:
    """(scenario file, reference results, a copy of them to damage)."""
    shutil.copytree(whole[1], tmp / "out")
    return whole[0], whole[1], tmp / "out"


def test_a_second_writer_is_refused_naming_the_holder_and_the_first_completes(
        whole: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, reference = whole
    out = tmp_path / "out"
    first = subprocess.Popen([*RUN, str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-report",
                              *EACH_RUN], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait(lambda: _holder(out) == first.pid and store.count_runs(out) > 0, proc=first)
    for extra in ([], ["--resume"]):
        assert main(["run", str(path), "--out", str(out), "--workers", "1", "--quiet", *extra]) == 2
        lines = _lines(capsys.readouterr().err)
        assert len(lines) == 1 and BUSY in lines[0] and f"PID {first.pid}" in lines[0]
    _out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert_same_tables(tables(reference), tables(out))


def test_simultaneous_resumes_one_proceeds_and_the_tables_equal_an_uninterrupted_run(
        whole: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, reference, out = _copy(whole, tmp_path)
    for name in (*store.TABLES, "manifest.json", "summary.csv"):   # as a batch killed after its first part
        (out / f"{name}.parquet" if name in store.TABLES else out / name).unlink()
    parts = sorted((out / store.PARTS).iterdir())
    assert len(parts) > 1
    for part in parts[1:]:   # most runs left to do: the first resume still holds the folder when the second starts
        shutil.rmtree(part)
    cmd = [*RUN, str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-report", "--resume"]
    one = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait(lambda: _holder(out) == one.pid, proc=one)
    # The second resume in this process: it asks at once, while the first still holds the folder (a second
    # interpreter's start-up can outlast the first's remaining runs).
    assert main(cmd[3:]) == 2
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 1 and BUSY in lines[0] and f"PID {one.pid}" in lines[0]
    _out, err = one.communicate(timeout=300)
    assert one.returncode == 0, err
    assert_same_tables(tables(reference), tables(out))


def test_a_truncated_part_is_moved_aside_on_resume_and_its_runs_run_again(
        whole: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, reference, out = _copy(whole, tmp_path)
    part = sorted((out / store.PARTS).iterdir())[0]
    damaged = part / "monthly.parquet"
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])   # as a full disk leaves it
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-report", "--resume"]) == 0
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 1 and "unreadable" in lines[0] and "quarantine" in lines[0]
    assert (out / store.QUARANTINE / part.name / "monthly.parquet").exists()
    assert_same_tables(tables(reference), tables(out))


def test_a_corrupt_batch_record_is_one_line_and_changes_nothing(
        whole: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, reference, out = _copy(whole, tmp_path)
    (out / store.IDENTITY).write_text('{"scenario": "workshop_demo", "hash": ')
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != store.LOCK}
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--quiet", "--resume"]) == 2
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 1 and "batch.json" in lines[0] and "not valid JSON" in lines[0]
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != store.LOCK} == before


def test_a_report_over_damaged_tables_is_one_line(whole: tuple[Path, Path], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _path, _reference, out = _copy(whole, tmp_path)
    (out / "monthly.parquet").write_bytes(b"PAR1 not really")
    assert main(["report", str(out)]) == 2
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 1 and "cannot be read" in lines[0] and "--resume" in lines[0]


@pytest.mark.parametrize(("damage", "expected"), [
    ("runs", "not a stored batch (manifest.json or runs.parquet missing)"),
    ("list", "manifest.json is not a batch manifest (no scheme list)"),
    ("no schemes", "manifest.json is not a batch manifest (no scheme list)"),
])
def test_report_and_export_of_a_half_written_folder_are_one_line_each(
        whole: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str,
        expected: str) -> None:
    _path, _reference, out = _copy(whole, tmp_path)
    if damage == "runs":
        (out / "runs.parquet").unlink()
    else:
        (out / "manifest.json").write_text("[]" if damage == "list" else '{"schemes": []}')
    for command in ("report", "export"):
        assert main([command, str(out)]) == 2
        lines = _lines(capsys.readouterr().err)
        assert lines == [f"{out}: {expected}" + ("; run 'teamsim run' first, or finish a stopped one with --resume"
                                                 if damage == "runs" else "")]


def test_a_killed_driver_takes_its_workers_along_and_its_lock_is_taken_over(whole: tuple[Path, Path],
                                                                              tmp_path: Path) -> None:
    path, reference = whole
    out, total = tmp_path / "out", POINTS * 3 * 2
    driver = subprocess.Popen([*RUN, str(path), "--out", str(out), "--workers", "2", "--quiet", "--no-report",
                               *EACH_RUN], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(lambda: store.count_runs(out) > 0 and len(_children(driver.pid)) >= 2, proc=driver)
    workers = _children(driver.pid)
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    assert store.count_runs(out) < total and not (out / "runs.parquet").exists(), "the kill must land mid-batch"
    deadline = time.monotonic() + 3
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "pool workers outlived their driver"
    resumed = subprocess.run([*RUN, str(path), "--out", str(out), "--workers", "2", "--quiet", "--no-report",
                              "--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    lines = _lines(resumed.stderr)
    assert len(lines) == 1 and f"took over the writer lock of PID {driver.pid}" in lines[0]
    resumed = tables(out)
    assert len(resumed["runs"]) == total and not resumed["runs"].duplicated(["run_id", "point"]).any()
    assert_same_tables(tables(reference), resumed)


def test_ctrl_c_mid_batch_says_what_is_stored_and_the_resume_it_names_finishes_the_batch(
        whole: tuple[Path, Path], tmp_path: Path) -> None:
    path, reference = whole
    out, total = tmp_path / "out", POINTS * 3 * 2
    argv = [str(path), "--out", str(out), "--workers", "2", "--quiet", "--no-report", *EACH_RUN]
    # Ctrl-C reaches the whole foreground group; a child's SIGINT starts at its default, as a terminal's does.
    driver = subprocess.Popen([*RUN, *argv], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait(lambda: store.count_runs(out) > 0, proc=driver)
    os.killpg(driver.pid, signal.SIGINT)
    err = driver.communicate(timeout=60)[1]
    stored = store.count_runs(out)
    assert driver.returncode == 130 and stored < total, "the interrupt must land mid-batch"
    again = f"teamsim run {' '.join(argv)} --resume"
    assert _lines(err) == [f"teamsim: interrupted; {stored} finished runs are stored in {out}; continue with: {again}"]
    resumed = subprocess.run([*RUN, *again.split()[2:]], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0 and f"; {stored} already stored)" in resumed.stdout, resumed.stderr
    assert_same_tables(tables(reference), tables(out))


def test_dask_workers_killed_again_and_again_end_the_batch_in_one_line_with_the_runs_kept(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    import json

    path = workshop_sweep(tmp_path, grid=_grid(2))
    sc = load_scenario(path)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "experiment.dask_kill_batch", str(path), str(out)], cwd=ROOT / "tests",
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["interrupted"] and "workers died" in got["interrupted"]
    total = 2 * 3 * 2
    assert 0 < got["runs"] < total and got["team_pool_1"] == 0 and got["code"] == 1
    lines = _lines(got["stderr"])
    assert len(lines) == 1 and "--resume" in lines[0] and f"{got['runs']} runs stored" in lines[0]
    again = run_batch(BatchRequest(sc, out, ExecutorSpec("serial", 1), resume=True))
    assert again.reused == got["runs"] and len(again.runs) == total and not again.interrupted
    reference = tmp_path / "reference"
    run_batch(BatchRequest(sc, reference, ExecutorSpec("serial", 1)))
    assert_same_tables(tables(reference), tables(out))


def _in_namespace(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` in a private mount namespace (so it may mount a small or read-only tmpfs)."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        pytest.skip("needs unshare -rm (user and mount namespaces)")
    return subprocess.run(["unshare", "-rm", "sh", "-ec", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_a_read_only_folder_and_a_full_disk_are_one_line_each_and_keep_what_was_committed(tmp_path: Path) -> None:
    path = workshop_sweep(tmp_path, grid=_grid(2))
    ro, full = tmp_path / "ro", tmp_path / "full"
    ro.mkdir()
    full.mkdir()
    run = f"{sys.executable} -m sim run {path} --workers 1 --quiet --no-report"
    done = _in_namespace(
        f"mount -t tmpfs -o size=4m none {ro}\n"
        f"{run} --out {ro}/out > /dev/null\n"
        f"mount -o remount,ro {ro}\n"
        f"{run} --out {ro}/out --resume 2> {tmp_path}/ro.err && exit 9 || true\n"
        f"ls {ro}/out/runs.parquet > /dev/null\n"
        f"mount -t tmpfs -o size=120k none {full}\n"
        f"{run} --out {full}/out 2> {tmp_path}/full.err && exit 9 || true\n"
        f"ls {full}/out/parts > {tmp_path}/full.parts\n")
    assert done.returncode == 0, done.stderr
    ro_lines = _lines((tmp_path / "ro.err").read_text())
    assert len(ro_lines) == 1 and "Read-only file system" in ro_lines[0] and "--resume" in ro_lines[0]
    full_lines = _lines((tmp_path / "full.err").read_text())
    assert len(full_lines) == 1 and "No space left on device" in full_lines[0]
    assert "--resume" in full_lines[0] and "finished runs are stored" in full_lines[0]


def test_chunks_hold_at_most_chunk_seconds_of_work_once_runs_are_timed() -> None:
    from sim.experiment.executors import CHUNK_SECONDS, MAX_CHUNK, Chunker
    from sim.experiment.plan import Task

    tasks = [Task(str(i), (0,), "a", i, False) for i in range(10_000)]
    feed = Chunker(tasks, workers=2)
    assert [len(feed.next() or []) for _ in range(4)] == [1, 1, 1, 1]   # untimed: single runs first
    assert len(feed.next() or []) == MAX_CHUNK    # still untimed: the guided size, capped
    feed.observe([{"run": {"wall_seconds": 0.3}}] * 20)
    sizes = [len(c) for c in iter(feed.next, None)]
    assert max(sizes) * 0.3 <= CHUNK_SECONDS and sum(sizes) + 4 + MAX_CHUNK == len(tasks)
