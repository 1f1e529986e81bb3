"""Shared helpers for the experiment tests: small sweep scenarios written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def workshop_sweep(tmp: Path, grid: dict | None = None, name: str = "sweep.yaml", **top: object) -> Path:
    """The workshop scenario with a sweep (default: 3 job-order rates), 2 replications, 6 months."""
    data = yaml.safe_load((SCENARIOS / "workshop_demo.yaml").read_text())
    data.update(replications=2, horizon_months=6)
    data["sweep"] = {"grid": grid or {"market.job_order_rate": [4.0, 6.0, 8.0]}}
    data.update(top)
    path = tmp / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def tables(out: Path, names: tuple[str, ...] = ("runs", "monthly", "people", "statements", "trace", "placements")
           ) -> dict[str, pd.DataFrame]:
    """The stored tables, without the wall-clock column (the only thing allowed to differ between runs)."""
    result = {}
    for name in names:
        path = out / f"{name}.parquet"
        if path.exists():
            df = pd.read_parquet(path)
            result[name] = df.drop(columns=[c for c in ("wall_seconds",) if c in df])
    return result


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
