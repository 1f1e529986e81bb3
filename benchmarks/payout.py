"""Time the payout engine on a run shaped like the simulation's: ``python -m benchmarks.payout``.

36 consecutive months of 100 members in 20 pods (a lead, two recruiters and two account managers each;
one in twenty a new hire): 50 perm placements credited once, in their start month, and 300 running
contracts credited every month for 3-17 months; 5-10 fall-offs a month of perm placements credited 0-3
months earlier, by the people who made them. Each plan carries its own state; the figure is the best
of five mean times per month, paying without lines (a run's totals) and with them (statements).
"""

from __future__ import annotations

import time

import numpy as np

from sim.comp import (
    ACCOUNT_MANAGER,
    POD_LEAD,
    RECRUITER,
    FallOff,
    Member,
    PeriodLedger,
    PlacementCredit,
    build_plan,
    columns_of,
)

PODS = 20
PLANS = {
    "salary": {"type": "salary", "pod_lead": {"override_rate": 0.02, "development_bonus": 500}},
    "individual": {"type": "individual", "threshold": 2000, "cap": 30000, "draw": {},
                   "tiers": [{"from": 0, "rate": 0.2}, {"from": 20000, "rate": 0.3}]},
    "team_pool": {"type": "team_pool", "sharing": "role_weights", "draw": {},
                  "role_weights": {"recruiter": 1.0, "account_manager": 1.5}},
    "hybrid": {"type": "hybrid", "individual_weight": 0.6, "draw": {}, "pod_lead": {"override_rate": 0.02}},
    # The period machinery (sim/comp/periods.py): a quarter with a quota, gate and accelerators, and rates by
    # role and line with a SPIF.
    "quarterly_quota": {"type": "individual", "period": "quarterly", "rate": 0.10, "gate": 0.5,
                        "quota": {"recruiter": 33000, "account_manager": 39000},
                        "accelerators": [{"from": 1.0, "multiplier": 1.5}, {"from": 1.5, "multiplier": 2.0}]},
    "per_role_lines": {"type": "individual", "threshold": {"recruiter": 4000, "account_manager": 4500},
                       "rate": {"recruiter": {"perm": 0.12, "contract": 0.08}, "account_manager": 0.15},
                       "spifs": [{"window": {"from_month": 7, "months": 3}, "kind": "contract", "amount": 500}]},
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
                                 c.account_manager_pod, c.gp_cents, i < perm) for i, c in enumerate(base.credits)]
        next_id += len(fresh)
        made.append(tuple(fresh[:perm]))
        running += [(c, int(rng.integers(3, 18))) for c in fresh[perm:]]
        monthly = [PlacementCredit(c.placement_id, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                                   c.account_manager_pod, int(rng.gamma(4.0, 20_000)), False) for c, _ in running]
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


def time_run(ledgers: list[PeriodLedger], repeat: int = 5) -> dict[str, tuple[float, float]]:
    """Best-of-``repeat`` mean microseconds per month, paying without lines and with them, by plan."""
    columns = [columns_of(ledger) for ledger in ledgers]
    out = {}
    for name, params in PLANS.items():
        best = {False: float("inf"), True: float("inf")}
        for _ in range(repeat):
            for lines in best:
                plan = build_plan(params)
                state, start = plan.initial_state(), time.perf_counter()
                for cols in columns:
                    state = plan.pay(cols, state, lines=lines).state
                best[lines] = min(best[lines], time.perf_counter() - start)
        out[name] = (best[False] / len(ledgers) * 1e6, best[True] / len(ledgers) * 1e6)
    return out


def main() -> None:
    for name, (totals, lines) in time_run(contract_ledgers()).items():
        print(f"{name:>10}: {totals:6.1f} us per month without lines, {lines:6.1f} with them")


if __name__ == "__main__":
    main()
