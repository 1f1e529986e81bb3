"""Time ``plan.pay`` and ``plan.pay_totals`` on a firm-sized ledger: ``.venv/bin/python -m sim.comp.bench``.

The ledger has 100 members in 20 pods (a lead, two recruiters and two account managers each; one in
twenty a new hire), 150 placement credits (cross-pod pairs included) and 5 fall-offs, and is paid
twice, so the second call carries a state with commission history and draw balances, as in a run.
``pay_totals`` is timed on the same ledger and state, converted to columns once, outside the timing.

A second figure is the mean per month of a run of 36 consecutive months (350 credits a month; 5
fall-offs of the previous month's placements, naming the people credited with them, so that every
month's clawbacks take back commission actually paid) with each engine carrying its own state: it
includes the work ``pay_totals`` defers to later months (allocating a month's commission per placement
when a fall-off first asks for it, see :mod:`sim.comp.paid`). ``pay`` is timed with ``payroll_totals``
on its statements.

A third figure is the same for a run shaped like the simulation's (:func:`contract_ledgers`): contracts
are credited every month under the same placement_id, so every month's placement ids span the run, and
the fall-offs are of perm placements made up to three months earlier, a third of them replaced for free.
"""

from __future__ import annotations

import time
import timeit

import numpy as np

from .columns import columns_of
from .ledger import ACCOUNT_MANAGER, POD_LEAD, RECRUITER, FallOff, Member, PeriodLedger, PlacementCredit
from .plans import build_plan
from .statement import payroll_totals

PODS = 20
PLANS = {
    "salary": {"type": "salary", "pod_lead": {"override_rate": 0.02, "development_bonus": 500}},
    "individual": {"type": "individual", "threshold": 2000, "cap": 30000, "draw": {},
                   "tiers": [{"from": 0, "rate": 0.2}, {"from": 20000, "rate": 0.3}]},
    "team_pool": {"type": "team_pool", "sharing": "role_weights", "draw": {},
                  "role_weights": {"recruiter": 1.0, "account_manager": 1.5}},
    "hybrid": {"type": "hybrid", "individual_weight": 0.6, "draw": {}, "pod_lead": {"override_rate": 0.02}},
}


def synthetic_ledger(period: int, seed: int = 0, credits: int = 150, falloffs: int = 5) -> PeriodLedger:
    """A reproducible firm-sized ledger for timing (``numpy`` generator, never ``random``)."""
    rng = np.random.default_rng([seed, period])
    members = []
    for pod in range(PODS):
        for k, role in enumerate((POD_LEAD, RECRUITER, RECRUITER, ACCOUNT_MANAGER, ACCOUNT_MANAGER)):
            tenure = int(rng.integers(0, 3)) if rng.random() < 0.05 else int(rng.integers(3, 60))
            members.append(Member(pod * 5 + k, role, pod, tenure))
    recruiters = [m for m in members if m.role == RECRUITER]
    account_managers = [m for m in members if m.role == ACCOUNT_MANAGER]

    def pair(i: int) -> tuple[Member, Member]:
        r = recruiters[int(rng.integers(len(recruiters)))]
        same_pod = rng.random() < 0.8
        a = account_managers[2 * r.pod + int(rng.integers(2))] if same_pod else \
            account_managers[int(rng.integers(len(account_managers)))]
        return r, a

    ledger_credits = []
    for i in range(credits):
        r, a = pair(i)
        gp = int(rng.gamma(2.0, 400_000)) if rng.random() < 0.3 else int(rng.gamma(4.0, 50_000))
        ledger_credits.append(PlacementCredit(period * 1000 + i, r.person_id, r.pod, a.person_id, a.pod, gp))
    ledger_falloffs = []
    for i in range(falloffs):
        r, a = pair(i)
        placement = (period - 1) * 1000 + i
        ledger_falloffs.append(FallOff(placement, r.person_id, r.pod, a.person_id, a.pod,
                                       int(rng.integers(0, 500_000)), float(rng.choice([1.0, 0.5, 0.0]))))
    return PeriodLedger(period, tuple(members), tuple(ledger_credits), tuple(ledger_falloffs))


def time_pay(repeat: int = 7, number: int = 1000) -> dict[str, tuple[float, float]]:
    """Best-of-``repeat`` microseconds per ``pay`` and per ``pay_totals`` call, by plan type."""
    first, second = synthetic_ledger(0), synthetic_ledger(1)
    columns = columns_of(second)
    out = {}
    for name, params in PLANS.items():
        plan = build_plan(params)
        _, state = plan.pay(first, plan.initial_state())
        pay = min(timeit.repeat(lambda p=plan, s=state: p.pay(second, s), repeat=repeat, number=number))
        totals = min(timeit.repeat(lambda p=plan, s=state: p.pay_totals(columns, s), repeat=repeat, number=number))
        out[name] = (pay / number * 1e6, totals / number * 1e6)
    return out


def run_ledgers(months: int = 36, credits: int = 350, falloffs: int = 5) -> list[PeriodLedger]:
    """Consecutive synthetic months whose fall-offs are the previous month's placements, by their makers."""
    out: list[PeriodLedger] = []
    for month in range(months):
        ledger = synthetic_ledger(month, credits=credits, falloffs=0)
        rng = np.random.default_rng([1, month])
        fell = tuple(FallOff(c.placement_id, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                             c.account_manager_pod, int(rng.integers(0, c.gp_cents + 1)),
                             float(rng.choice([1.0, 0.5, 0.0])))
                     for c in (out[-1].credits[:falloffs] if out else ()))
        out.append(PeriodLedger(month, ledger.members, ledger.credits, fell))
    return out


def contract_ledgers(months: int = 36, perm: int = 50, contracts: int = 300) -> list[PeriodLedger]:
    """Consecutive months shaped like the simulation's: ``perm`` placements credited once, in their start
    month, and ``contracts`` running contracts credited every month (same placement_id, same people) for
    3-17 months, so that every month's placement ids span the whole run; 5-10 fall-offs a month of perm
    placements credited 0-3 months earlier, naming the people who made them (a third of them replaced
    for free: nothing clawed back)."""
    rng = np.random.default_rng(7)
    out: list[PeriodLedger] = []
    made: list[tuple[PlacementCredit, ...]] = []  # each month's perm credits
    running: list[tuple[PlacementCredit, int]] = []  # (first month's credit, months left)
    next_id = 0
    for month in range(months):
        base = synthetic_ledger(month, credits=perm + contracts - len(running), falloffs=0)
        fresh = [PlacementCredit(next_id + i, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                                 c.account_manager_pod, c.gp_cents) for i, c in enumerate(base.credits)]
        next_id += len(fresh)
        made.append(tuple(fresh[:perm]))
        running += [(c, int(rng.integers(3, 18))) for c in fresh[perm:]]
        monthly = [PlacementCredit(c.placement_id, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                                   c.account_manager_pod, int(rng.gamma(4.0, 20_000))) for c, _ in running]
        running = [(c, left - 1) for c, left in running if left > 1]
        fell = []
        for _ in range(int(rng.integers(5, 11))):
            c = made[max(0, month - int(rng.integers(0, 4)))][int(rng.integers(perm))]
            fell.append(FallOff(c.placement_id, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                                c.account_manager_pod, int(rng.integers(0, c.gp_cents + 1)),
                                float(rng.choice([1.0, 0.5, 0.0]))))
        unique = {f.placement_id: f for f in fell}  # a placement falls off once
        out.append(PeriodLedger(month, base.members, (*fresh[:perm], *monthly), tuple(unique.values())))
    return out


def time_run(ledgers: list[PeriodLedger] | None = None, repeat: int = 5) -> dict[str, tuple[float, float]]:
    """Best-of-``repeat`` mean microseconds per month of a run (default :func:`run_ledgers`), ``pay`` +
    ``payroll_totals`` and ``pay_totals``."""
    ledgers = run_ledgers() if ledgers is None else ledgers
    columns = [columns_of(ledger) for ledger in ledgers]
    months = len(ledgers)
    out = {}
    for name, params in PLANS.items():
        best_pay = best_totals = float("inf")
        for _ in range(repeat):
            plan = build_plan(params)
            state, start = plan.initial_state(), time.perf_counter()
            for ledger in ledgers:
                statements, state = plan.pay(ledger, state)
                payroll_totals(statements)
            best_pay = min(best_pay, time.perf_counter() - start)
            state, start = plan.initial_state(), time.perf_counter()
            for cols in columns:
                state = plan.pay_totals(cols, state).state
            best_totals = min(best_totals, time.perf_counter() - start)
        out[name] = (best_pay / months * 1e6, best_totals / months * 1e6)
    return out


def main() -> None:
    for name, (pay, totals) in time_pay().items():
        print(f"{name:>10}: {pay:7.1f} us per pay(), {totals:6.1f} us per pay_totals() "
              f"(100 members, 150 credits, 5 fall-offs)")
    for name, (pay, totals) in time_run().items():
        print(f"{name:>10}: {pay:7.1f} us per month with pay(), {totals:6.1f} with pay_totals() "
              f"(run of 36 months, 100 members, 350 credits, 5 fall-offs)")
    for name, (pay, totals) in time_run(contract_ledgers()).items():
        print(f"{name:>10}: {pay:7.1f} us per month with pay(), {totals:6.1f} with pay_totals() "
              f"(run of 36 months, 50 perm credits and 300 contracts a month, 5-10 fall-offs of 0-3 months back)")


if __name__ == "__main__":
    main()
