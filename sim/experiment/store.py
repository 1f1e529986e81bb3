"""Results on disk: Parquet tables, the summary CSV, the resolved scenario and a manifest.

Every file is written to a temporary name and renamed into place, so a half-written file is never
read as a result.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

TABLES = ("runs", "monthly", "people", "statements", "trace")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_table(out: Path, name: str, df: pd.DataFrame) -> Path:
    path = out / f"{name}.parquet"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def read_table(out: Path, name: str) -> pd.DataFrame:
    path = Path(out) / f"{name}.parquet"
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()


def scenario_hash(resolved: dict[str, Any]) -> str:
    """A stable hash of the resolved scenario (every default filled)."""
    blob = json.dumps(resolved, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    atomic_write_bytes(out / "manifest.json", json.dumps(manifest, indent=2, default=str).encode())


def read_manifest(out: Path) -> dict[str, Any]:
    return json.loads((Path(out) / "manifest.json").read_text())


def write_resolved(out: Path, resolved: dict[str, Any]) -> None:
    atomic_write_bytes(out / "scenario.resolved.yaml",
                       yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True).encode())
