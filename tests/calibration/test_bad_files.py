"""Bad ATS files: one line per problem naming the row, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

HEADER = "placement_date,recruiter_id,account_manager_id,kind,fee,start_date,fell_off\n"
GOOD = "2024-01-05,r1,a1,perm,15000,2024-02-01,false\n"
PEOPLE = "person_id,role,hire_date,exit_date\n"


def _calibrate(tmp_path: Path, placements: str, people: str | None = None) -> tuple[int, Path]:
    p = tmp_path / "placements.csv"
    p.write_text(placements)
    args = ["calibrate", str(p), "--out", str(tmp_path / "out.yaml")]
    if people is not None:
        (tmp_path / "people.csv").write_text(people)
        args += ["--people", str(tmp_path / "people.csv")]
    return main(args), tmp_path / "out.yaml"


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], placements: str, people: str | None = None
         ) -> list[str]:
    code, out = _calibrate(tmp_path, placements, people)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and not out.exists()
    assert not any("Traceback" in line for line in err)
    return err


def test_missing_column_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(tmp_path, capsys, HEADER.replace(",fell_off", "") + GOOD.rsplit(",", 1)[0] + "\n")
    assert err == [f"{tmp_path / 'placements.csv'}: header: column 'fell_off' is missing"]


def test_unparsable_date_names_row_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(tmp_path, capsys, HEADER + GOOD + "05/13/2024,r1,a1,perm,15000,2024-02-01,false\n")
    assert len(err) == 1 and "row 2, placement_date" in err[0] and "'05/13/2024'" in err[0]


def test_negative_fee_names_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(tmp_path, capsys, HEADER + GOOD + GOOD + "2024-01-07,r2,a1,contract,-300,2024-02-01,false\n")
    assert len(err) == 1 and "row 3, fee: must not be negative" in err[0]


def test_exit_before_hire_names_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    people = PEOPLE + "r1,recruiter,2023-01-01,\na1,account_manager,2023-05-01,2023-04-30\n"
    err = _run(tmp_path, capsys, HEADER + GOOD, people)
    assert len(err) == 1 and "people.csv: row 2, exit_date: exit 2023-04-30 is before the hire 2023-05-01" in err[0]


def test_unknown_kind_and_bad_flag_give_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(tmp_path, capsys, HEADER + "2024-01-05,r1,a1,temp,15000,2024-02-01,maybe\n")
    assert len(err) == 2 and "row 1, kind" in err[0] and "row 1, fell_off" in err[1]


def test_problems_in_both_files_are_all_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    people = PEOPLE + "r1,boss,2023-01-01,\nr1,recruiter,2023-01-01,\n"
    err = _run(tmp_path, capsys, HEADER + "2024-01-05,,a1,perm,abc,2024-02-01,false\n", people)
    assert [e.split(": ", 1)[1].split(":")[0] for e in err] == ["row 1, recruiter_id", "row 1, fee", "row 1, role",
                                                               "row 2, person_id"]


def test_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["calibrate", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "out.yaml")])
    assert code == 2 and capsys.readouterr().err.strip().endswith("file not found")
    assert not (tmp_path / "out.yaml").exists()
