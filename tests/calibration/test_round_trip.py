"""Calibration recovers the parameters synthetic data were drawn from, and its scenario reproduces them."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pytest

from sim.calibration import fit
from sim.calibration.estimate import annual_from_monthly_rate, estimate
from sim.calibration.readers import read_people, read_placements
from sim.calibration.synthetic import Truth, generate, write_csv
from sim.cli import main
from sim.scenario import load_scenario

TRUTH = Truth()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("ats")
    placements, people = generate(TRUTH, seed=7)
    write_csv(folder / "placements.csv", placements)
    write_csv(folder / "people.csv", people)
    return folder / "placements.csv", folder / "people.csv"


#: (estimate, true value, relative tolerance). Tolerances are about 2.5 standard errors at this size.
RECOVERY = (
    ("placements_per_recruiter_month", TRUTH.rate, 0.05),
    ("perm_share", TRUTH.perm_share, 0.05),
    ("perm_fee_mean", TRUTH.perm_fee_mean, 0.03),
    ("perm_fee_cv", TRUTH.perm_fee_cv, 0.10),
    ("contract_gp_mean", TRUTH.contract_gp_mean, 0.05),
    ("falloff_rate", TRUTH.falloff, 0.30),
    ("quit_hazard_first_year", TRUTH.hazard_first_year, 0.40),
    ("quit_hazard_later", TRUTH.hazard_later, 0.30),
    ("first_year_multiplier", TRUTH.hazard_first_year / TRUTH.hazard_later, 0.50),
)


def test_round_trip_recovers_known_parameters_within_tolerance_and_interval(files: tuple[Path, Path]) -> None:
    est = estimate(read_placements(files[0]), read_people(files[1]))
    assert est.recruiters == pytest.approx(TRUTH.recruiters, rel=1e-3)
    assert est.window.months == pytest.approx(TRUTH.months, abs=0.1)
    for name, true, tol in RECOVERY:
        e = est[name]
        assert abs(e.value - true) <= tol * true, (name, e.value, true)
        if not math.isnan(e.low):
            assert e.low <= true <= e.high, (name, e.low, e.high, true)
    assert est["annual_turnover_later"].value == pytest.approx(annual_from_monthly_rate(TRUTH.hazard_later),
                                                               abs=0.06)


def test_calibrated_scenario_reproduces_placement_rate_and_quits(files: tuple[Path, Path], tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "calibrated.yaml"
    assert main(["calibrate", str(files[0]), "--people", str(files[1]), "--out", str(out),
                 "--replications", "3"]) == 0
    text = capsys.readouterr().out
    assert "placements per recruiter-month" in text and "simulated" in text
    sc = load_scenario(out)
    assert sc.horizon_months == TRUTH.months
    assert sc.firm.pods * sc.firm.recruiters_per_pod == TRUTH.recruiters
    est = estimate(read_placements(files[0]), read_people(files[1]))
    sim = fit.simulate(sc, sc.schemes[0].name, 3)
    assert statistics.fmean(sim.placements_per_recruiter_month) == pytest.approx(
        est["placements_per_recruiter_month"].value, rel=0.12)
    assert statistics.fmean(sim.quits_per_head_year) == pytest.approx(est["quits_per_head_year"].value, rel=0.2)
    assert sc.market.perm_share == pytest.approx(est["perm_share"].value, abs=1e-4)
    assert sc.market.falloff_probability == pytest.approx(est["falloff_rate"].value, abs=1e-4)
