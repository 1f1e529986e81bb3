"""Check 1, free riding (Holmström 1982): effort under an equal pool of N is 1/N of the individual plan's.

With selfish people and quadratic effort cost ``k e^2 / 2``, a person paid ``alpha`` per unit of own
output chooses ``e = alpha / k``; in an equal-share pool of N each unit pays ``alpha / N``, so
``e_N / e_1 = 1/N`` exactly, and team surplus relative to first best is ``x (2 - x) = (2N-1)/N^2``
with ``x = e_N / e_1``.

Two ways: (a) the pure rule :func:`sim.model.behaviour.effort_best_response` fed the marginal
returns the payout engine computes for an equal pod pool of N (N = 1..8, a pool of one included);
(b) the SimPy firm itself, pods of N producers (N = 2..8), comparing mean effort in the first month
under the pool with the individual plan's (same people, common random numbers; see
:data:`sim.validation.build.FIRST_MONTH` for why the first month).
"""

from __future__ import annotations

import time

import numpy as np

from sim.comp import ACCOUNT_MANAGER, RECRUITER
from sim.experiment.stats import mean_ci
from sim.model import behaviour as bh
from sim.model import run
from sim.scenario.schema import Effort
from sim.validation import build
from sim.validation.result import CheckOutcome, Series, Size, exact_row

SOURCE = "Holmström 1982 (Bell J. Econ. 13(2)); derived algebra"
TOLERANCE = 1e-9


def _counts(n: int) -> dict[str, int]:
    return {RECRUITER: (n + 1) // 2, ACCOUNT_MANAGER: n // 2}


def pure_ratio(n: int, effort: Effort | None = None) -> float:
    """Best-response effort under an equal pool of n over the individual plan's (pure rule + engine)."""
    e = effort or Effort(intrinsic=0.0, social_weight=0.0, peer_pressure=0.0, minimum=0.0, maximum=10.0)
    pool, indiv = build.plan(build.TEAM_POOL), build.plan(build.INDIVIDUAL)
    counts = _counts(n)

    def best(plan) -> float:
        mr = plan.marginal_return(RECRUITER, counts, counts, 1_000_000)
        return bh.effort_best_response(mr.own, mr.teammate, mr.teammates, 1.0, cost=e.cost, intrinsic=e.intrinsic,
                                       money_weight=e.money_weight, social_weight=e.social_weight,
                                       peer_pressure=e.peer_pressure, minimum=e.minimum, maximum=e.maximum)

    return best(pool) / best(indiv)


def simulated_ratio(n: int, replications: int, pods: int = 2, horizon: int = build.FIRST_MONTH) -> list[float]:
    """Mean effort in the firm under an equal pod pool of n over the individual plan's, per replication."""
    sc = build.scenario(f"free_riding_{n}", horizon=horizon,
                        firm={"pods": pods, "recruiters_per_pod": (n + 1) // 2, "account_managers_per_pod": n // 2},
                        behavior=build.SELFISH)
    return [run(sc, "team_pool", r)["run"]["mean_effort"] / run(sc, "individual", r)["run"]["mean_effort"]
            for r in range(replications)]


def check(size: Size) -> CheckOutcome:
    t0 = time.perf_counter()
    out = CheckOutcome("free_riding", "Free riding under an equal pool (Holmström 1982)")
    ns = list(range(1, 9))
    pure, sim_mean = [], []
    for n in ns:
        x = pure_ratio(n)
        pure.append(x)
        out.rows.append(exact_row("free_riding", f"rule, N={n}", "effort under pool / individual = 1/N",
                                  SOURCE, 1.0 / n, x, TOLERANCE))
        out.rows.append(exact_row("free_riding", f"rule, N={n} surplus", "team surplus / first best = (2N-1)/N^2",
                                  SOURCE, (2 * n - 1) / n**2, x * (2 - x), TOLERANCE))
    for n in ns[1:]:
        ratios = simulated_ratio(n, max(2, size.replications // 4))
        m, _sd, lo, hi = mean_ci(ratios)
        sim_mean.append(m)
        out.rows.append(exact_row("free_riding", f"firm, N={n}", "mean effort in the firm, pool / individual = 1/N",
                                  SOURCE, 1.0 / n, m, TOLERANCE, (lo, hi)))
    out.series += [
        Series("Effort under an equal pool relative to individual pay", "1/N (theory)", ns, [1 / n for n in ns]),
        Series("Effort under an equal pool relative to individual pay", "rule + payout engine", ns, pure),
        Series("Effort under an equal pool relative to individual pay", "SimPy firm", ns[1:], sim_mean),
        Series("Team surplus relative to first best", "(2N-1)/N^2 (theory)", ns, [(2 * n - 1) / n**2 for n in ns]),
        Series("Team surplus relative to first best", "model", ns, [float(x * (2 - x)) for x in np.array(pure)]),
    ]
    out.seconds = time.perf_counter() - t0
    return out
