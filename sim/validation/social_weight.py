"""Check 2, social weight (Babcock et al. 2015): team pay in pairs gives (1+w)/2 of individual effort.

Babcock, Bedard, Charness, Hartman & Royer found people under team pay act as if a teammate's
marginal dollar were worth 2/3 to 2 times their own. With social weight ``w`` a member of a pair on
an equal pool gets ``alpha/2`` and values the teammate's ``alpha/2`` at ``w``, so effort is
``(1 + w)/2`` of the individual plan's. Checked on the pure rule with the payout engine's margins and
on the SimPy firm (pods of one recruiter and one account manager), for w in {0, 0.67, 1, 2}.
"""

from __future__ import annotations

import time

from sim.comp import ACCOUNT_MANAGER, RECRUITER
from sim.experiment.stats import mean_ci
from sim.model import behaviour as bh
from sim.model import run
from sim.validation import build
from sim.validation.result import CheckOutcome, Series, Size, exact_row

SOURCE = "Babcock et al. 2015 (JEEA; NBER w16687); derived algebra"
WEIGHTS = (0.0, 0.67, 1.0, 2.0)
TOLERANCE = 1e-9


def pure_ratio(w: float) -> float:
    """Pair effort under an equal pool over individual effort, social weight w (pure rule + engine)."""
    counts = {RECRUITER: 1, ACCOUNT_MANAGER: 1}
    pool, indiv = build.plan(build.TEAM_POOL), build.plan(build.INDIVIDUAL)

    def best(plan) -> float:
        mr = plan.marginal_return(RECRUITER, counts, counts, 1_000_000)
        return bh.effort_best_response(mr.own, mr.teammate, mr.teammates, 1.0, cost=1.0, intrinsic=0.0,
                                       money_weight=2.4, social_weight=w, peer_pressure=0.0, minimum=0.0,
                                       maximum=10.0)

    return best(pool) / best(indiv)


def simulated_ratios(w: float, replications: int) -> list[float]:
    behavior = build.merge(build.SELFISH, {"effort": {"social_weight": w}})
    sc = build.scenario(f"social_weight_{w:g}", firm={"pods": 3, "recruiters_per_pod": 1,
                                                      "account_managers_per_pod": 1}, behavior=behavior)
    return [run(sc, "team_pool", r)["run"]["mean_effort"] / run(sc, "individual", r)["run"]["mean_effort"]
            for r in range(replications)]


def check(size: Size) -> CheckOutcome:
    t0 = time.perf_counter()
    out = CheckOutcome("social_weight", "Social weight in pairs (Babcock et al. 2015)")
    pure, firm = [], []
    for w in WEIGHTS:
        x = pure_ratio(w)
        pure.append(x)
        out.rows.append(exact_row("social_weight", f"rule, w={w:g}",
                                  "pair effort under team pay / individual = (1+w)/2", SOURCE,
                                  (1 + w) / 2, x, TOLERANCE))
        m, _sd, lo, hi = mean_ci(simulated_ratios(w, max(2, size.replications // 4)))
        firm.append(m)
        out.rows.append(exact_row("social_weight", f"firm, w={w:g}", "mean pair effort in the firm, team / individual",
                                  SOURCE, (1 + w) / 2, m, TOLERANCE, (lo, hi)))
    title = "Pair effort under team pay relative to individual pay, by social weight w"
    ws = list(WEIGHTS)
    out.series += [Series(title, "(1+w)/2 (theory)", ws, [(1 + w) / 2 for w in ws]),
                   Series(title, "rule + payout engine", ws, pure), Series(title, "SimPy firm", ws, firm)]
    out.seconds = time.perf_counter() - t0
    return out
