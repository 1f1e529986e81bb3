"""The placements table: every placement of a kept run, every statement line tied to one of them,
its gross profit adding up to the run's; ``--statements`` choosing which runs keep them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

from .conftest import finance_scenario

KEY = ["scheme", "replication"]


def test_every_statement_line_ties_to_a_stored_placement(finance_batch: Path) -> None:
    placements = pd.read_parquet(finance_batch / "placements.parquet")
    statements = pd.read_parquet(finance_batch / "statements.parquet")
    runs = pd.read_parquet(finance_batch / "runs.parquet")
    assert len(placements) and not placements.duplicated([*KEY, "placement_id"]).any()
    lines = statements.dropna(subset=["placement_id"])
    assert {"commission", "clawback"} & set(lines["kind"]) and len(lines) > 50
    keys = set(map(tuple, placements[[*KEY, "placement_id"]].astype(str).to_numpy()))
    missing = [k for k in map(tuple, lines[[*KEY, "placement_id"]].astype({"placement_id": int}).astype(str)
                              .to_numpy()) if k not in keys]
    assert missing == []
    # Each clawback names a placement that fell off.
    claws = lines[lines["kind"] == "clawback"].merge(placements, on=[*KEY, "placement_id"])
    assert claws["fell_off"].all()
    # The firm's gross profit is the placements' gross profit, to the cent, in every run.
    gp = placements.groupby(KEY)["gp_cents"].sum()
    assert set(gp.index) == set(map(tuple, runs[KEY].to_numpy()))
    for (scheme, rep), cents in gp.items():
        row = runs[(runs["scheme"] == scheme) & (runs["replication"] == rep)].iloc[0]
        assert cents == round(row["gross_profit"] * 100)
        # Free replacements are not placements (no fee, no id): the run counts them apart.
        assert len(placements[(placements["scheme"] == scheme) & (placements["replication"] == rep)]) \
            == row["placements"]


def test_placement_columns(finance_batch: Path) -> None:
    p = pd.read_parquet(finance_batch / "placements.parquet")
    assert {"placement_id", "month", "day", "kind", "fee_cents", "monthly_gp_cents", "contract_months",
            "recruiter_id", "recruiter_pod", "am_id", "am_pod", "fell_off", "remedy", "refund_cents",
            "gp_cents"} <= set(p.columns)
    assert set(p["kind"]) == {"perm", "contract"}
    perm, contract = p[p["kind"] == "perm"], p[p["kind"] == "contract"]
    assert (perm["fee_cents"] > 0).all() and (perm["monthly_gp_cents"] == 0).all()
    assert (contract["monthly_gp_cents"] > 0).all() and not contract["fell_off"].any()
    refunded = perm[perm["refund_cents"] > 0]
    assert len(refunded) and refunded["fell_off"].all() and (refunded["refund_cents"] <= refunded["fee_cents"]).all()
    assert set(perm.loc[perm["fell_off"], "remedy"]) <= {"replacement", "prorated_refund", "full_refund", "none"}


@pytest.mark.parametrize(("choice", "kept"), [("first", {("individual", 0)}), ("none", set())])
def test_statements_option_chooses_the_runs(tmp_path: Path, choice: str, kept: set) -> None:
    out = tmp_path / "out"
    assert main(["run", str(finance_scenario(tmp_path, hostile=False)), "--out", str(out), "--workers", "1",
                 "--quiet", "--no-report", "--statements", choice, "--set", "horizon_months=3",
                 "--set", "replications=2"]) == 0
    for table in ("statements", "placements", "trace"):
        path = out / f"{table}.parquet"
        got = set(map(tuple, pd.read_parquet(path)[KEY].drop_duplicates().to_numpy())) if path.exists() else set()
        assert got == (kept | ({("team_pool", 0)} if kept else set())), table
    assert json.loads((out / "manifest.json").read_text())["statements"] == choice


def test_resume_refuses_another_statements_choice(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = finance_scenario(tmp_path, hostile=False)
    args = ["run", str(path), "--out", str(tmp_path / "o"), "--workers", "1", "--quiet", "--no-report",
            "--set", "horizon_months=2", "--set", "replications=1"]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--resume", "--statements", "all"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "statements" in err[0]


def test_unknown_statements_choice_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", str(finance_scenario(tmp_path, hostile=False)), "--statements", "some"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--statements" in err[0]
