"""Bad ATS files: one line per problem naming the row, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

HEADER = "placement_date,recruiter_id,account_manager_id,kind,fee,start_date,fell_off\n"
GOOD = "2024-01-05,r1,a1,perm,15000,2024-02-01,false\n"
LATER = "2024-06-05,r1,a1,perm,15000,2024-07-01,false\n"   # with GOOD: a window long enough to estimate from
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
    err = _run(tmp_path, capsys, HEADER + GOOD + LATER, people)
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


@pytest.mark.parametrize(("row", "needle"), [
    ("9999-12-31,r1,a1,perm,15000,2024-02-01,false", "row 2, placement_date: 9999-12-31 is outside 1950-01-01 to"),
    ("2024-03-05,r1,a1,perm,15000,0001-01-01,false", "row 2, start_date: 0001-01-01 is outside"),
    ("2024-03-05,r1,a1,perm,1e400,2024-04-01,false", "row 2, fee: 1e400 is beyond the largest fee"),
    ("2024-03-05,r1,a1,perm,$20000000,2024-04-01,false", "row 2, fee: $20000000 is beyond the largest fee"),
])
def test_far_dates_and_huge_fees_name_row_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str,
                                                     needle: str) -> None:
    err = _run(tmp_path, capsys, HEADER + GOOD + row + "\n" + LATER)
    assert len(err) == 1 and needle in err[0], err


def test_a_column_given_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(tmp_path, capsys, HEADER.replace("fee,", "fee,fee,") + GOOD.replace("15000,", "15000,900,") + LATER)
    assert err == [f"{tmp_path / 'placements.csv'}: header: column 'fee' appears 2 times (columns 5, 6): keep one"]


def test_a_window_too_short_to_estimate_from_is_refused_with_the_minimum(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(tmp_path, capsys, HEADER + GOOD + GOOD.replace("r1", "r2"))
    assert len(err) == 1 and "placements span 0 days (2024-01-05 to 2024-01-05)" in err[0]
    assert "needs at least 91 days" in err[0]


def test_a_fifo_as_the_placements_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os
    fifo = tmp_path / "placements.csv"
    os.mkfifo(fifo)
    assert main(["calibrate", str(fifo), "--out", str(tmp_path / "out.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{fifo}: is not a regular file (a folder, a pipe or a device?)"]


def test_out_under_a_file_is_one_line_and_nothing_is_written(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "placements.csv").write_text(HEADER + GOOD + LATER)
    (tmp_path / "blocker").write_text("mine")
    code = main(["calibrate", str(tmp_path / "placements.csv"), "--out", str(tmp_path / "blocker" / "firm.yaml")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "blocker" in err[0] and "Traceback" not in err[0]
    assert (tmp_path / "blocker").read_text() == "mine"


def test_a_name_that_cannot_name_a_scenario_is_refused_before_any_estimate(tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "placements.csv").write_text(HEADER + GOOD + LATER)
    code = main(["calibrate", str(tmp_path / "placements.csv"), "--out", str(tmp_path / "out.yaml"),
                 "--name", "../firm"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and not (tmp_path / "out.yaml").exists()   # no estimate printed
    assert captured.err.splitlines() == ["--name: '../firm' is not a plain name: use letters, digits, '_', '-' and "
                                         "'.' (at most 100, starting with a letter or digit; no slashes or spaces)"]
