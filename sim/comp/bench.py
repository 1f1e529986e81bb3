"""Time ``plan.pay`` on a firm-sized ledger: ``.venv/bin/python -m sim.comp.bench``.

The ledger has 100 members in 20 pods (a lead, two recruiters and two account managers each; one in
twenty a new hire), 150 placement credits (cross-pod pairs included) and 5 fall-offs, and is paid
twice, so the second call carries a state with commission history and draw balances, as in a run.
"""

from __future__ import annotations

import timeit

import numpy as np

from .ledger import ACCOUNT_MANAGER, POD_LEAD, RECRUITER, FallOff, Member, PeriodLedger, PlacementCredit
from .plans import build_plan

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


def time_pay(repeat: int = 7, number: int = 1000) -> dict[str, float]:
    """Best-of-``repeat`` microseconds per ``pay`` call, by plan type."""
    first, second = synthetic_ledger(0), synthetic_ledger(1)
    out = {}
    for name, params in PLANS.items():
        plan = build_plan(params)
        _, state = plan.pay(first, plan.initial_state())
        best = min(timeit.repeat(lambda p=plan, s=state: p.pay(second, s), repeat=repeat, number=number))
        out[name] = best / number * 1e6
    return out


def main() -> None:
    for name, micros in time_pay().items():
        print(f"{name:>10}: {micros:7.1f} us per pay() (100 members, 150 credits, 5 fall-offs)")


if __name__ == "__main__":
    main()
