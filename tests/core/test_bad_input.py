"""Bad input never starts a run: one line per problem naming the file and key, exit code 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main

GOOD = """\
name: tiny
seed: 1
replications: 2
horizon_months: 3
firm: {pods: 1, recruiters_per_pod: 1, account_managers_per_pod: 1}
schemes:
  - name: individual
    type: individual
    rate: 0.25
  - name: team
    type: team_pool
    rate: 0.13
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


def _validate(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, list[str]]:
    code = main(["show", str(path), *extra]) if extra else main(["validate", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    return code, err


def test_good_file_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _validate(capsys, _write(tmp_path, GOOD))
    assert code == 0 and err == []


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, GOOD.replace("seed: 1", "seed: [1"))
    code, err = _validate(capsys, path)
    assert code == 2 and len(err) == 1
    assert err[0].startswith(f"{path}:") and "YAML syntax error" in err[0]
    line = int(err[0].split(":")[1])
    assert 2 <= line <= 4


def test_unknown_key_gets_did_you_mean_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, GOOD.replace("recruiters_per_pod", "recruiters_per_pd"))
    code, err = _validate(capsys, path)
    assert code == 2 and len(err) == 1
    assert "firm.recruiters_per_pd" in err[0] and "did you mean 'recruiters_per_pod'" in err[0]
    assert f"{path}:5:" in err[0]


def test_unknown_plan_key_names_the_scheme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _validate(capsys, _write(tmp_path, GOOD.replace("rate: 0.25", "rte: 0.25")))
    assert code == 2
    assert any("schemes.individual.rte" in e and "did you mean 'rate'" in e for e in err)


def test_wrong_type_is_reported_with_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _validate(capsys, _write(tmp_path, GOOD.replace("pods: 1", "pods: many")))
    assert code == 2 and len(err) == 1 and "firm.pods" in err[0] and "'many'" in err[0]


@pytest.mark.parametrize("old,new,key", [
    ("rate: 0.25", "rate: -0.1", "schemes.individual.rate"),
    ("horizon_months: 3", "horizon_months: 0", "horizon_months"),
    ("replications: 2", "replications: -4", "replications"),
    ("pods: 1,", "pods: 100000,", "firm.pods"),
    ("rate: 0.25", "rate: 0.25\n    split: {recruiter: 0.7, account_manager: 0.5}", "schemes.individual.split"),
])
def test_out_of_range_value_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str,
                                        key: str) -> None:
    code, err = _validate(capsys, _write(tmp_path, GOOD.replace(old, new)))
    assert code == 2 and any(key in e for e in err), err


def test_probability_outside_unit_interval_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD + "market:\n  falloff_probability: 1.5\n"
    code, err = _validate(capsys, _write(tmp_path, text))
    assert code == 2 and len(err) == 1 and "market.falloff_probability" in err[0]


def test_empty_scheme_list_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.split("schemes:")[0] + "schemes: []\n"
    code, err = _validate(capsys, _write(tmp_path, text))
    assert code == 2 and len(err) == 1 and "schemes" in err[0] and "empty" in err[0]


def test_duplicate_scheme_names_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _validate(capsys, _write(tmp_path, GOOD.replace("name: team", "name: individual")))
    assert code == 2 and len(err) == 1 and "duplicate scheme name 'individual'" in err[0]


def test_unknown_plan_type_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _validate(capsys, _write(tmp_path, GOOD.replace("type: team_pool", "type: team_pol")))
    assert code == 2 and len(err) == 1 and "team_pol" in err[0] and "team_pool" in err[0]


def test_missing_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _validate(capsys, tmp_path / "nope.yaml")
    assert code == 2 and err == [f"{tmp_path / 'nope.yaml'}: file not found"]


def test_every_problem_in_a_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("pods: 1", "pods: 0").replace("rate: 0.25", "rate: -1").replace("seed: 1", "sede: 1")
    code, err = _validate(capsys, _write(tmp_path, text))
    assert code == 2 and len(err) == 3


def test_set_override_applies_to_named_scheme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["show", str(_write(tmp_path, GOOD)), "--set", "schemes.team.rate=0.3", "--set", "firm.pods=4"])
    out = capsys.readouterr().out
    assert code == 0 and "rate: 0.3" in out and "pods: 4" in out


@pytest.mark.parametrize("override,needle", [
    ("firm.podz=3", "firm.podz"),
    ("firm.pods=lots", "firm.pods"),
    ("schemes.nosuch.rate=0.3", "no scheme named 'nosuch'"),
    ("justakey", "expected KEY=VALUE"),
    ("schemes=[]", "schemes: the scheme list is empty"),
    ("schemes.team.name=individual", "schemes[1].name: duplicate scheme name 'individual'"),
])
def test_bad_set_override_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str,
                                      needle: str) -> None:
    code, err = _validate(capsys, _write(tmp_path, GOOD), "--set", override)
    assert code == 2 and len(err) == 1 and err[0].startswith("--set") and needle in err[0], err


def test_bad_input_from_the_console_script_has_no_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("pods: 1", "pods: -1"))
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "firm.pods" in proc.stderr
    assert not (tmp_path / "out").exists()
