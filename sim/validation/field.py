"""External validity: published field effects reproduced in scenarios that set up each study's situation.

Each case takes the reference scenario (scenarios/individual_vs_team.yaml, an IT staffing firm), changes
only what the study's situation needs, and compares the simulated figure (mean over paired replications,
95% CI) with the published figure or band:

- Lazear 2000 (AER 90(5), Safelite): salary to piece rate raised output per worker by 44%, about half of
  it from selection (who stayed and who joined). Reference firm, salary against individual commission,
  measured over the reference's 36 months after the warm-up; the selection share from the
  decomposition (:mod:`sim.model.decompose`, salary as baseline). Bands: gain 0.30-0.60, share 0.3-0.7.
  Not Safelite's 19 months: selection here works through quits and hires at the trade's 22-47% a year,
  and over 19 months more incumbents are still there (gain +32%, share 0.31, docs/validation.md).
  Both are calibration targets (docs/model.md, Effort and Selection), not independent tests.
- Hamilton, Nickerson & Owan 2003 (JPE 111(3), Koret garment plant): team production with a group piece
  rate raised productivity by about 14%. Teams of complementary tasks: pods of one recruiter and one
  account manager (the pair whose cooperation lifts conversion, 0.55 alone to 1.0 fully cooperating),
  an equal pod pool against individual commission at the same rate on every dollar (piece rates: no
  threshold, :data:`PIECE_RATE`). Band 0.05-0.25.
- Bandiera, Barankay & Rasul 2013 (JEEA 11(5)): rank feedback to teams under team pay cut productivity
  by 14%. A pod pool with and without a published ranking. Band -0.25 to -0.05.
- Blader, Gartenberg & Prat 2020 (REStud 87(2)): rankings help where work is individualistic, not where
  it is team-oriented. The ranking's effect under individual commission minus its effect under the pool
  must be positive (band 0 to 0.4), and under individual pay it must not hurt (band -0.03 to 0.15).
- Staffing trade figures (GROUNDING.md, secondary): total pay about a third of gross profit (band
  0.25-0.40) and internal turnover 22-47% a year, under individual commission in the reference firm.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml

from sim.experiment.stats import mean_ci
from sim.model import run
from sim.model.decompose import decompose
from sim.scenario import Scenario, paths, validate
from sim.validation.result import CheckOutcome, CheckRow, Series, Size

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "individual_vs_team.yaml"
INDIVIDUAL = {"name": "individual", "type": "individual", "rate": 0.25, "threshold": 6000}
SALARY = {"name": "salary", "type": "salary", "base_monthly": {"recruiter": 7000, "account_manager": 7500}}
POOL = {"name": "team_pool", "type": "team_pool", "rate": 0.25, "basis": "pod", "sharing": "equal"}
RANKED = {"policy": {"leaderboard": True}}
#: Koret's individual and group piece rates paid the same rate on every unit: commission at the pool's
#: rate from the first dollar (the reference's $6,000 threshold would make the pool pay 62% more).
PIECE_RATE = {**INDIVIDUAL, "threshold": 0}


def reference(**changes: Any) -> dict[str, Any]:
    """The reference scenario as a mapping, with dotted keys changed."""
    return paths.with_values(yaml.safe_load(REFERENCE.read_text()), changes)


def _scenario(name: str, **changes: Any) -> Scenario:
    return validate({**reference(**changes), "name": name}, source=f"<field:{name}>")


def _relative(sc: Scenario, base: str, other: str, reps: int, metric: str = "placements") -> list[float]:
    return [run(sc, other, r)["run"][metric] / run(sc, base, r)["run"][metric] - 1 for r in range(reps)]


def _row(case: str, reproduces: str, source: str, band: tuple[float, float], values: list[float],
         expected: float | None = None, unit: str = "") -> CheckRow:
    m, _sd, lo, hi = mean_ci(values)
    return CheckRow("field", case, reproduces, source, expected, band[0], band[1], m, lo, hi, unit)


def hno_scenario() -> Scenario:
    """Hamilton, Nickerson & Owan's situation: pairs of complementary tasks, individual against group piece rate."""
    return _scenario("hno", schemes=[PIECE_RATE, POOL], **{
        "firm.pods": 24, "firm.recruiters_per_pod": 1, "firm.account_managers_per_pod": 1,
        "market.conversion_max": 1.0})


def lazear(reps: int) -> tuple[list[float], list[float], list[dict[str, float]]]:
    """Placement gain of individual commission over salary, selection's share of it, and the runs' figures."""
    sc = _scenario("lazear", schemes=[SALARY, INDIVIDUAL])
    gains, shares, runs = [], [], []
    for r in range(reps):
        parts = decompose(sc, "salary", "individual", r, ["placements"])["placements"]
        base = run(sc, "salary", r)["run"]
        gains.append(parts["total"] / base["placements"])
        shares.append(parts["selection"] / parts["total"] if parts["total"] else float("nan"))
        runs.append(run(sc, "individual", r)["run"])
    return gains, shares, runs


def check(size: Size) -> CheckOutcome:
    t0 = time.perf_counter()
    reps = max(4, size.replications // 2)
    out = CheckOutcome("field", "External validity: published field effects")
    gains, shares, ind = lazear(reps)
    src = "Lazear 2000 (AER 90(5)), Safelite"
    out.rows.append(_row("Lazear: salary -> individual, output", "piece rates raise output per worker ~44%", src,
                         (0.30, 0.60), gains, 0.44, "share"))
    out.rows.append(_row("Lazear: share from selection", "about half of the gain is selection", src,
                         (0.30, 0.70), shares, 0.5, "share"))
    hno = hno_scenario()
    out.rows.append(_row("HNO: team pay with complementarities", "team production raised productivity ~14%",
                         "Hamilton, Nickerson & Owan 2003 (JPE 111(3))", (0.05, 0.25),
                         _relative(hno, "individual", "team_pool", reps), 0.14, "share"))
    ranked_pool = _scenario("bandiera", schemes=[POOL, {**POOL, "name": "ranked", **RANKED}])
    pool_effect = _relative(ranked_pool, "team_pool", "ranked", reps)
    out.rows.append(_row("Bandiera: rank feedback under team pay", "rank feedback to teams cut productivity 14%",
                         "Bandiera, Barankay & Rasul 2013 (JEEA 11(5))", (-0.25, -0.05), pool_effect, -0.14,
                         "share"))
    ranked_ind = _scenario("blader", schemes=[INDIVIDUAL, {**INDIVIDUAL, "name": "ranked", **RANKED}])
    ind_effect = _relative(ranked_ind, "individual", "ranked", reps)
    src = "Blader, Gartenberg & Prat 2020 (REStud 87(2))"
    out.rows.append(_row("Blader: ranking, individual pay", "rankings do not hurt individualistic work", src,
                         (-0.03, 0.15), ind_effect, None, "share"))
    out.rows.append(_row("Blader: ranking, individual minus team", "rankings help less where work is team-oriented",
                         src, (0.0, 0.40), [a - b for a, b in zip(ind_effect, pool_effect, strict=True)], None,
                         "share"))
    trade = "staffing trade figures (GROUNDING.md; secondary)"
    out.rows.append(_row("trade: pay / gross profit", "total pay about a third of GP", trade, (0.25, 0.40),
                         [r["pay_share_of_gp"] for r in ind], 1 / 3, "share"))
    out.rows.append(_row("trade: internal turnover", "22-47% a year", trade, (0.22, 0.47),
                         [r["turnover_rate_annual"] for r in ind], None, "share/yr"))
    names = [r.case.split(":")[0] + ":" + r.case.split(":")[1][:18] for r in out.rows]
    out.series.append(Series("Field effects: simulated (95% CI) against the published band", "simulated", names,
                             [r.simulated for r in out.rows], [r.ci_low for r in out.rows],
                             [r.ci_high for r in out.rows]))
    out.series.append(Series("Field effects: simulated (95% CI) against the published band", "band low", names,
                             [r.low for r in out.rows]))
    out.series.append(Series("Field effects: simulated (95% CI) against the published band", "band high", names,
                             [r.high for r in out.rows]))
    out.seconds = time.perf_counter() - t0
    return out
