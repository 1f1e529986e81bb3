"""A small finance batch shared by the finance and export tests: a draw, pod leads with an override,
fall-offs with refunds, and (while names allow it) a scheme whose name is a spreadsheet formula."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '=HYPERLINK("x")'


def finance_scenario(tmp: Path, hostile: bool = True, **top: object) -> Path:
    """Two pods with leads, 8 months, 3 replications; an individual plan with a recoverable draw and a
    lead override, and a pool named ``HOSTILE`` when ``hostile`` (and scheme names allow it)."""
    pool = HOSTILE if hostile else "team_pool"
    data = {
        "name": "finance_demo", "description": "2 pods of 3 recruiters and 3 account managers, with leads.",
        "seed": 11, "replications": 3, "horizon_months": 8,
        "firm": {"pods": 2, "recruiters_per_pod": 3, "account_managers_per_pod": 3, "pod_leads": True},
        "market": {"falloff_probability": 0.3},
        "schemes": [
            {"name": "individual", "type": "individual", "rate": 0.25, "threshold": 6000,
             "draw": {"months": 4, "amount": 3000, "recoverable": True},
             "pod_lead": {"override_rate": 0.02}},
            {"name": pool, "type": "team_pool", "rate": 0.13},
        ],
        **top,
    }
    path = tmp / "finance.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    if hostile:
        try:
            load_scenario(path)
        except ScenarioError:   # scheme names restricted to a slug: the writers are tested directly instead
            return finance_scenario(tmp, hostile=False, **top)
    return path


@pytest.fixture(scope="session")
def finance_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stored batch of :func:`finance_scenario`, every run keeping statements and placements."""
    tmp = tmp_path_factory.mktemp("finance")
    out = tmp / "out"
    code = main(["run", str(finance_scenario(tmp)), "--out", str(out), "--workers", "1", "--quiet",
                 "--statements", "all", "--set", "firm.pods=3",
                 "--set", "finance.overhead_per_seat_month=250"])
    assert code == 0
    return out
