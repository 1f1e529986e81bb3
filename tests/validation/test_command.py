"""``teamsim validate-model``: prints the table, writes the report, and rejects a bad --out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main


def test_validate_model_prints_every_case_and_writes_html_csv_json(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "validation"
    assert main(["validate-model", "--size", "quick", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "cases passed" in text and "FAIL" not in text
    data = json.loads((out / "validation.json").read_text())
    assert {c["name"] for c in data["checks"]} == {"free_riding", "social_weight", "cooperation_decay", "restart",
                                                   "flow", "relative_pay", "field"}
    page = (out / "validation.html").read_text()
    assert '<script src="http' not in page and "Holmström" in page   # plotly.js inlined
    assert (out / "validation.csv").read_text().count("\n") == sum(len(c["rows"]) for c in data["checks"]) + 1


def test_validate_model_with_a_file_as_out_exits_2_and_writes_nothing(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["validate-model", "--size", "quick", "--only", "social_weight", "--out", str(target)]) == 2
    assert "--out must be a folder" in capsys.readouterr().err
    assert target.read_text() == "x"


def test_command_line_check_names_are_the_checks_the_runner_runs() -> None:
    from sim.validation import CHECK_NAMES
    from sim.validation.runner import NAMES

    assert CHECK_NAMES == NAMES


def test_report_command_does_not_load_the_model() -> None:
    """`teamsim report` and `--help` stay light: registering commands must not import the model."""
    import subprocess
    import sys

    code = "import sys; from sim.cli import build_parser; build_parser(); print('simpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
