"""The hostile corpus: each class of malformed scenario, override or output folder gets exit code 2 and
one line naming the key (or the file), no traceback, within a generous time guard, and no side effect."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main

from .conftest import SCENARIOS
from .test_bad_input import GOOD

# 391 bytes: nine levels of nine aliases each; expanded it would hold 9**9 (387 million) strings.
ALIAS_BOMB = "---\n" + "\n".join([f"a: &a [{','.join(['lol'] * 9)}]"]
                                 + [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi",
                                                                                           strict=True)])


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], *needles: str) -> str:
    """Run the CLI; assert exit 2 and exactly one line holding every needle, quickly, without a traceback."""
    started = time.monotonic()
    code = main(argv)
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert "Traceback" not in err
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], lines[0]
    # A guard against hangs only (the alias bomb used to take minutes and gigabytes): each of these takes
    # milliseconds, but the test machine may be shared; speed is measured by the benchmarks.
    assert elapsed < 10.0, f"took {elapsed:.1f} s"
    return lines[0]


def _file(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_alias_bomb_is_refused_at_its_first_alias(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(ALIAS_BOMB.encode()) == 391
    path = _file(tmp_path, ALIAS_BOMB)
    for command in ("validate", "show"):
        _refused(capsys, [command, str(path)], f"{path}:3:", " b[0]: ", "aliases", "not allowed")


def test_the_alias_bomb_through_the_console_script_exits_2_quickly(tmp_path: Path) -> None:
    path = _file(tmp_path, ALIAS_BOMB)
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "aliases" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]   # nothing written


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    _refused(capsys, ["validate", str(fifo)], str(fifo), "not a regular file")


def test_a_device_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    _refused(capsys, ["validate", "/dev/zero"], "/dev/zero", "not a regular file")


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD + "# " + "x" * 1_100_000 + "\n")
    _refused(capsys, ["validate", str(path)], "over the limit")


def test_duplicate_keys_are_refused_with_both_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD.replace("seed: 1\n", "seed: 1\nseed: 2\n"))
    _refused(capsys, ["validate", str(path)], f"{path}:3:", "seed", "duplicate key 'seed' (first at line 2)")


@pytest.mark.parametrize("value", ["true", "yes", "on"])
def test_a_boolean_or_word_where_a_number_is_declared_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 value: str) -> None:
    path = _file(tmp_path, GOOD.replace("pods: 1,", f"pods: {value},"))
    _refused(capsys, ["validate", str(path)], f"{path}:5:", "firm.pods", "valid integer")


def test_a_number_where_a_boolean_is_declared_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD.replace("pods: 1,", "pods: 1, pod_leads: 1,"))
    _refused(capsys, ["validate", str(path)], "firm.pod_leads", "valid boolean")


def test_base_60_is_not_a_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD.replace("horizon_months: 3", "horizon_months: 1:30"))
    _refused(capsys, ["validate", str(path)], f"{path}:4:", "horizon_months", "'1:30'")


def test_deep_nesting_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD + "description: " + "[" * 600 + "]" * 600 + "\n")
    _refused(capsys, ["validate", str(path)], f"{path}:13:", "nested deeper than")


def test_a_5000_digit_integer_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD.replace("seed: 1", "seed: " + "9" * 5000))
    _refused(capsys, ["validate", str(path)], f"{path}:2:", "seed", "5000 digits")


def test_an_integer_beyond_the_schema_range_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD.replace("seed: 1", "seed: " + "9" * 25))
    _refused(capsys, ["validate", str(path)], "seed", "less than or equal to")


def test_yaml_tags_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD.replace("seed: 1", "seed: !!python/object/apply:os.system [echo hi]"))
    _refused(capsys, ["validate", str(path)], f"{path}:2:", "tags")


def test_a_control_character_is_one_line_at_its_line_and_column(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD.replace("seed: 1", "seed: \u00e91\x00"))   # a 2-byte character before the NUL
    _refused(capsys, ["validate", str(path)], f"{path}:2:9: control characters are not allowed in YAML: U+0000")


@pytest.mark.parametrize(("old", "new", "key"), [
    ("name: tiny", 'name: ".."', "name"),
    ("name: tiny", "name: a/b", "name"),
    ("name: tiny", "name: .hidden", "name"),
    ("name: tiny", "name: two words", "name"),
])
def test_scenario_names_must_be_safe_slugs(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str,
                                           key: str) -> None:
    path = _file(tmp_path, GOOD.replace(old, new))
    _refused(capsys, ["validate", str(path)], f" {key}: ", "not a plain name")


@pytest.mark.parametrize("name", ["..", "../team", "a/b", "team.pool", "back\\\\slash", " padded"])
def test_scheme_names_hold_no_dot_separator_or_padding(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       name: str) -> None:
    path = _file(tmp_path, GOOD.replace("- name: team\n", f"- name: {name!r}\n".replace("'", '"')))
    _refused(capsys, ["validate", str(path)], " schemes[1].name: ", "not a usable scheme name")


def test_a_dotdot_name_never_runs_into_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "keep.txt").write_text("mine")
    (tmp_path / "summary.csv").write_text("mine")
    path = _file(tmp_path, GOOD.replace("name: tiny", 'name: ".."'))
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path / "parts")
    assert proc.returncode == 2 and "not a plain name" in proc.stderr
    assert (tmp_path / "parts" / "keep.txt").read_text() == "mine"
    assert (tmp_path / "summary.csv").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts", "s.yaml", "summary.csv"]


@pytest.mark.parametrize(("value", "needle"), [
    ("1e308", "beyond the largest amount"),
    ("1.0e309", "not a finite number"),
    (".inf", "not a finite number"),
])
def test_money_that_could_overflow_the_cents_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        value: str, needle: str) -> None:
    path = _file(tmp_path, GOOD.replace("rate: 0.25", f"rate: 0.25\n    threshold: {value}"))
    _refused(capsys, ["validate", str(path)], f"{path}:10:", "schemes.individual.threshold", needle)


def test_a_nested_amount_beyond_the_bound_names_its_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD.replace("rate: 0.25", "rate: 0.25\n    tiers: [{from: 0, rate: 0.1}, "
                                        "{from: 1e12, rate: 0.2}]"))
    _refused(capsys, ["validate", str(path)], "schemes.individual.tiers[1].from", "beyond the largest amount")


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_sweep_values_that_are_not_finite_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      value: str) -> None:
    path = _file(tmp_path, GOOD + f"sweep:\n  grid:\n    market.job_order_rate: [4, {value}]\n")
    _refused(capsys, ["validate", str(path)], f"{path}:15:", "sweep.grid.market.job_order_rate[1]",
             "not a finite number")


def test_validate_checks_every_sweep_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Each value is valid on its own; their combination (min above max) is not.
    path = _file(tmp_path, GOOD + "sweep:\n  grid:\n    market.conversion_min: [0.5, 0.9]\n"
                 "    market.conversion_max: [0.8, 0.95]\n")
    _refused(capsys, ["validate", str(path)], "point 2", "conversion_min must not exceed conversion_max")


def test_validate_checks_every_uncertain_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD + "uncertain:\n  market.perm_fee_rate: [0.1, 1.5]\n")
    _refused(capsys, ["validate", str(path)], f"{path}:14:", "uncertain.market.perm_fee_rate", "value 1.5")
    corners = _file(tmp_path, GOOD + "uncertain:\n  market.conversion_min: [0.5, 0.9]\n"
                    "  market.conversion_max: [0.8, 0.95]\n", "c.yaml")
    _refused(capsys, ["validate", str(corners)], "uncertain", "conversion_min must not exceed conversion_max")


def test_a_huge_sweep_is_refused_with_its_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    values = ", ".join(str(4 + i / 100) for i in range(90))
    grid = "".join(f"    {k}: [{values}]\n" for k in ("market.job_order_rate", "market.candidate_rate",
                                                         "market.contract_margin"))
    path = _file(tmp_path, GOOD.replace("contract_margin", "x") + "sweep:\n  grid:\n" + grid.replace(
        "market.contract_margin: [4", "market.perm_salary_cv: [0.1").replace(", 4.", ", 0."))
    for argv in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]):
        _refused(capsys, argv, "729,000 points x 2 schemes x 2 replications = 2,916,000 runs",
                 "over the limit of 100,000", "--allow-large")
    assert not (tmp_path / "out").exists()


def test_allow_large_lets_a_large_sweep_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD.replace("replications: 2", "replications: 20001")
                 + "sweep:\n  grid:\n    firm.pods: [1, 2, 3]\n")
    _refused(capsys, ["validate", str(path)], "3 points x 2 schemes x 20001 replications = 120,006 runs")
    assert main(["validate", str(path), "--allow-large"]) == 0


def test_a_set_with_a_bad_key_inside_a_section_blames_the_set(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD)
    line = _refused(capsys, ["show", str(path), "--set", "firm={podz: 3}"], "firm.podz", "unknown key",
                    "did you mean 'pods'")
    assert line.startswith("--set:") and str(path) not in line


@pytest.mark.parametrize(("override", "needle"), [
    ("firm.pods=true", "valid integer"),
    ("firm.pods=.nan", "not a finite number"),
    ("firm.pods=&a [*a]", "aliases"),
    ("seed=" + "9" * 5000, "5000 digits"),
])
def test_hostile_set_values_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str,
                                         needle: str) -> None:
    line = _refused(capsys, ["show", str(_file(tmp_path, GOOD)), "--set", override], needle)
    assert line.startswith("--set")


@pytest.mark.parametrize("kind", ["is_a_file", "under_a_file"])
def test_out_that_cannot_be_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("mine")
    out = blocker if kind == "is_a_file" else blocker / "deeper" / "out"
    _refused(capsys, ["run", str(_file(tmp_path, GOOD)), "--out", str(out), "--quiet"], str(out), "--out")
    assert blocker.read_text() == "mine"


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs a read-only /proc")
def test_out_that_cannot_be_written_is_refused_and_leaves_nothing(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _refused(capsys, ["run", str(_file(tmp_path, GOOD)), "--out", "/proc/teamsim-out", "--quiet"],
             "/proc/teamsim-out", "cannot be written")


def test_a_refused_run_leaves_no_folder_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD + "sweep:\n  grid:\n    firm.pods: [1, 0]\n")
    _refused(capsys, ["run", str(path), "--out", str(tmp_path / "a" / "b" / "out"), "--quiet"], "firm.pods")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_a_run_deletes_nothing_outside_its_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    (home / "parts").mkdir(parents=True)
    (home / "parts" / "keep.txt").write_text("mine")
    for name in ("summary.csv", "manifest.json", "runs.parquet", "batch.json"):
        (home / name).write_text("mine")
    path = _file(tmp_path, GOOD)
    out = home / "out"
    for extra in ([], ["--resume"], []):
        assert main(["run", str(path), "--out", str(out), "--quiet", "--workers", "1", "--no-report", *extra]) == 0
    assert (home / "parts" / "keep.txt").read_text() == "mine"
    assert all((home / n).read_text() == "mine" for n in ("summary.csv", "manifest.json", "runs.parquet",
                                                           "batch.json"))
    assert sorted(p.name for p in home.iterdir()) == ["batch.json", "manifest.json", "out", "parts", "runs.parquet",
                                                       "summary.csv"]


def test_a_bad_top_level_policy_is_one_line_where_it_is_written(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD + "policy: {leaderboard: 3}\n")
    _refused(capsys, ["validate", str(path)], f"{path}:13:", " policy.leaderboard: ", "valid boolean")


def test_a_range_of_one_value_says_what_a_range_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, GOOD + "uncertain: {market.job_order_rate: [4]}\n")
    _refused(capsys, ["validate", str(path)], "uncertain.market.job_order_rate[1]", "a range is [low, high]")


@pytest.mark.parametrize("argv", [["plans"], ["validate", str(SCENARIOS / "workshop_demo.yaml")]])
def test_a_reader_that_goes_away_ends_the_command_quietly(argv: list[str]) -> None:
    """``teamsim plans | head -1``: the pipe's reader has left before the command writes (or flushes)."""
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "wb") as closed:
        proc = subprocess.run([sys.executable, "-m", "sim", *argv], stdout=closed, stderr=subprocess.PIPE,
                              text=True, timeout=60)
    assert proc.returncode == 141 and proc.stderr == ""
