"""Fixtures for the report and app tests: small stored results, a hostile scheme name, real Chromium.

Browser tests drive Debian's chromium through Playwright (no downloaded browser). Where
/usr/bin/chromium is absent they are skipped with that reason; CI installs it (.ci/run).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.experiment.batch import BatchRequest, run_batch
from sim.experiment.executors import ExecutorSpec
from sim.scenario import read_yaml, validate

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = ROOT / "scenarios" / "workshop_demo.yaml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = "<img src=x onerror=alert(1)>"   # markup a scheme name may hold (it may not hold a dot or a slash)


def hostile_scenario(replications: int = 3):
    """The workshop scenario, shortened, with its team_pool scheme renamed to a script tag."""
    data, _marks = read_yaml(WORKSHOP)
    data["replications"] = replications
    for scheme in data["schemes"]:
        if scheme["name"] == "team_pool":
            scheme["name"] = HOSTILE
    return validate(data, str(WORKSHOP))


@pytest.fixture(scope="session")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stored results of 3 replications x 3 schemes x 12 months (one scheme named hostile); no report yet."""
    out = tmp_path_factory.mktemp("stored")
    result = run_batch(BatchRequest(hostile_scenario(), out, ExecutorSpec("serial", 1)))
    assert not result.failures
    return out


@pytest.fixture(scope="session")
def swept(stored: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hand-made sweep result following the experiment layer's contract (a 2 x 2 grid, Sobol indices).

    Each grid point reuses the stored runs with its metrics shifted, so the section has real shapes to
    draw without waiting for the sweep code.
    """
    out = tmp_path_factory.mktemp("swept")
    for f in stored.iterdir():
        if f.is_file():
            shutil.copy(f, out / f.name)
    keys = ["schemes.individual.rate", "firm.pods"]
    runs, monthly = pd.read_parquet(stored / "runs.parquet"), pd.read_parquet(stored / "monthly.parquet")
    grid = [(0.2, 2), (0.2, 3), (0.3, 2), (0.3, 3)]
    parts_r, parts_m = [], []
    for point, (rate, pods) in enumerate(grid):
        r = runs.copy()
        r["profit"] = r["profit"] * (1 + rate) + 1000 * pods
        parts_r.append(r.assign(point=point, **{keys[0]: rate, keys[1]: pods}))
        parts_m.append(monthly.assign(point=point, **{keys[0]: rate, keys[1]: pods}))
    pd.concat(parts_r).to_parquet(out / "runs.parquet", index=False)
    pd.concat(parts_m).to_parquet(out / "monthly.parquet", index=False)
    rows: list[dict[str, Any]] = []
    for scheme in runs["scheme"].unique():
        for i, p in enumerate(["market.job_order_rate", "behavior.effort.cost", "firm.pods"]):
            rows.append({"method": "sobol", "scheme": scheme, "metric": "profit", "parameter": p, "S1": 0.1 * i,
                         "S1_conf": 0.02, "ST": 0.15 * i + 0.05, "ST_conf": 0.03, "mu_star": np.nan,
                         "mu_star_conf": np.nan, "sigma": np.nan})
            rows.append({"method": "morris", "scheme": scheme, "metric": "placements", "parameter": p, "S1": np.nan,
                         "S1_conf": np.nan, "ST": np.nan, "ST_conf": np.nan, "mu_star": 3.0 * i,
                         "mu_star_conf": 0.5, "sigma": 1.0})
    pd.DataFrame(rows).to_parquet(out / "sensitivity.parquet", index=False)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["sweep_keys"] = keys
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium); not found")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageWatch:
    """A page that records console errors, page errors, dialogs and every request it makes."""

    def __init__(self, browser: Any):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watched(browser: Any) -> Iterator[PageWatch]:
    w = PageWatch(browser)
    yield w
    w.page.close()
