"""The desks' queues and the compiled matching, on hand-built cases whose outcome is worked out by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import simpy

from sim.model import desks as dk
from sim.model.desks import FIELDS, Placed

JOB_ORDER = slice(Placed.JOB_ORDER, Placed.JOB_ORDER + FIELDS)   # a placement row's job order fields
CANDIDATE = slice(Placed.CANDIDATE, Placed.CANDIDATE + FIELDS)

ROOT = Path(__file__).resolve().parents[2]

# One pod: recruiters 0 and 1, account managers 2 and 3; partners 0-2 and 1-3.
N_REC = 2
RULES = np.array([0.5, 0.25, 0.0, 0.1, 90.0])   # conversion 0.5 + 0.25 * (coop_r + coop_a); 10% fall off


def _desks(capacity: int = 64) -> dk.Desks:
    return dk.Desks(4, N_REC, partners=[[2], [3], [0], [1]], pod_mates=[[3], [2], [1], [0]],
                    recruiters_of=[[0, 1]], ams_of=[[2, 3]], pod_of=[0, 0, 0, 0], capacity=capacity)


def _uniforms(values: list[float]) -> dk.Uniforms:
    u = dk.Uniforms(np.random.default_rng(0))
    u.buf = np.array(values + [0.99] * 64)   # then uniforms that never share
    return u


def _job_order(t: float, life: float = 40.0, perm: bool = True, value: float = 2_000_000.0) -> list[float]:
    return [t + life, t, 1.0 if perm else 0.0, value, 0.0 if perm else 6.0, 0.0]


def _candidate(t: float, convert_u: float, life: float = 21.0, falloff_u: float = 0.9) -> list[float]:
    return [t + life, convert_u, falloff_u, 0.5, 0.3, t]


def _walk(desks: dk.Desks, arrivals: list[tuple[float, int, list[float]]], coop: list[float], u: dk.Uniforms,
          days: int = 30, due: float = np.inf, falls: list | None = None) -> list[int]:
    """Match arrivals over one month from day 0 with :meth:`Desks.walk` in a SimPy process (something due at
    ``due``, if finite); returns the statuses met; placement rows that will fall off go to ``falls``."""
    times = np.array([a[0] for a in arrivals])
    seats = np.array([a[1] for a in arrivals], dtype=np.int64)
    rows = np.array([a[2] for a in arrivals], dtype=float).reshape(-1, dk.FIELDS)
    ends = times.searchsorted(np.arange(1, days + 1))
    env = simpy.Environment()
    if np.isfinite(due):
        env.timeout(due)
    proc = env.process(desks.walk(env, times, seats, rows, ends, 0.0, np.array(coop), u, RULES, False, 0,
                                  (falls if falls is not None else []).extend))
    env.run(proc)
    return proc.value


def _placed(desks: dk.Desks) -> np.ndarray:
    return desks.placed[:desks.counts[dk.N_PLACED]]


def test_a_job_order_takes_the_partners_first_alive_candidate_that_converts() -> None:
    d = _desks()
    # conversion for the pair 0-2 at cooperation 0.4 each: 0.5 + 0.25 * 0.8 = 0.7
    d.append(0, [_candidate(0.0, 0.1, life=1.0),   # expired by day 5: dropped
                 _candidate(1.0, 0.8),             # alive but does not convert: lost
                 _candidate(2.0, 0.6),             # alive and converts: placed
                 _candidate(3.0, 0.1)])            # still waiting
    _walk(d, [(5.0, 2, _job_order(5.0))], [0.4, 0.4, 0.4, 0.4], _uniforms([]))
    placed = _placed(d)
    assert len(placed) == 1
    t, r, a = placed[0, [Placed.TIME, Placed.RECRUITER, Placed.ACCOUNT_MANAGER]]
    assert (t, r, a) == (5.0, 0.0, 2.0)
    assert placed[0, CANDIDATE].tolist() == _candidate(2.0, 0.6)
    assert placed[0, JOB_ORDER].tolist() == _job_order(5.0)
    assert placed[0, Placed.ID] == 0   # the first placement id
    assert d.waiting(0).tolist() == [_candidate(3.0, 0.1)]
    assert len(d.waiting(2)) == 0   # the job order was used


def test_a_candidate_meets_one_job_order_and_is_lost_if_it_does_not_convert() -> None:
    d = _desks()
    d.append(2, [_job_order(0.0, life=1.0), _job_order(1.0)])
    _walk(d, [(5.0, 0, _candidate(5.0, 0.75))], [0.4, 0.4, 0.4, 0.4], _uniforms([]))  # 0.75 >= 0.7
    assert len(_placed(d)) == 0
    assert d.waiting(2).tolist() == [_job_order(1.0)]   # the expired one dropped, the alive one still open
    assert len(d.waiting(0)) == 0                        # the candidate is gone
    _walk(d, [(6.0, 0, _candidate(6.0, 0.65))], [0.4, 0.4, 0.4, 0.4], _uniforms([]))
    assert _placed(d)[:, JOB_ORDER].tolist() == [_job_order(1.0)] and len(d.waiting(2)) == 0


def test_an_unmatched_item_waits_and_pod_mates_share_by_the_product_of_cooperation() -> None:
    d = _desks()
    d.append(1, [_candidate(0.0, 0.1)])   # recruiter 1 is not AM 2's partner
    u = _uniforms([0.2])
    # coop_r1 * coop_a2 = 0.5 * 0.5 = 0.25: u = 0.2 shares, and the candidate converts (0.1 < 0.75)
    _walk(d, [(2.0, 2, _job_order(2.0))], [0.5, 0.5, 0.5, 0.5], u)
    assert _placed(d)[0, [Placed.RECRUITER, Placed.ACCOUNT_MANAGER]].tolist() == [1.0, 2.0] and u.pos[0] == 1
    d2 = _desks()
    d2.append(1, [_candidate(0.0, 0.1)])
    u2 = _uniforms([0.3])   # 0.3 >= 0.25: recruiter 1 does not share; the job order waits at its desk
    _walk(d2, [(2.0, 2, _job_order(2.0))], [0.5, 0.5, 0.5, 0.5], u2)
    assert len(_placed(d2)) == 0 and u2.pos[0] == 1
    assert d2.waiting(2).tolist() == [_job_order(2.0)] and len(d2.waiting(1)) == 1


def test_a_perm_placement_that_falls_off_stops_the_walk_at_the_end_of_its_day_if_due_by_then() -> None:
    d = _desks()
    d.append(0, [_candidate(0.0, 0.1, falloff_u=0.05)])   # 0.05 < 10%: falls off at 0.5 x 90 days = day 47
    d.append(1, [_candidate(0.0, 0.1, falloff_u=0.05)])
    falls: list = []
    statuses = _walk(d, [(2.5, 2, _job_order(2.5)), (3.5, 3, _job_order(3.5))], [0.4] * 4, _uniforms([]),
                     due=3.0, falls=falls)   # something else due at day 3: the walk stops at the end of day 3
    assert statuses == [dk.DAY_END, dk.MONTH_DONE]
    assert [row[Placed.ID] for row in falls] == [0, 1] and d.counts[dk.N_FALLS] == 0   # handed over, in order
    assert _placed(d)[:, Placed.ID].tolist() == [0, 1]


def test_resuming_after_a_full_queue_or_placement_buffer_gives_the_same_outcome() -> None:
    rng = np.random.default_rng(5)
    arrivals = []
    for _ in range(400):
        t = float(rng.uniform(0, 30))
        seat = int(rng.integers(0, 4))
        row = _job_order(t, life=5.0) if seat >= N_REC else _candidate(t, float(rng.random()), life=5.0)
        arrivals.append((t, seat, row))
    arrivals.sort(key=lambda a: a[0])
    coop = [0.1, 0.9, 0.6, 0.3]
    outcomes = []
    for capacity, placed_rows in ((512, 1024), (2, 1)):
        d = _desks(capacity)
        d.placed, d.falls = d.placed[:placed_rows], d.falls[:placed_rows]
        u = dk.Uniforms(np.random.default_rng(9))
        statuses = _walk(d, arrivals, coop, u)
        outcomes.append((_placed(d).tolist(), [d.waiting(s).tolist() for s in range(4)], int(u.pos[0]) + len(u.buf)))
        if capacity == 2:
            assert {dk.NEED_ROOM, dk.PLACED_FULL, dk.NEED_UNIFORMS} <= set(statuses)
    assert outcomes[0][:2] == outcomes[1][:2]
    assert len(outcomes[0][0]) > 20


def test_uniforms_read_the_same_sequence_however_they_are_refilled() -> None:
    u = dk.Uniforms(np.random.default_rng(3))
    read = [u() for _ in range(5000)]
    u.refill()   # early, keeping what is unread
    read += [u() for _ in range(5000)]
    rng = np.random.default_rng(3)
    expected = np.concatenate([rng.random(dk.UNIFORM_BLOCK) for _ in range(3)])[:10_000]
    assert read == expected.tolist()


def test_appending_grows_a_full_queue_and_alive_counts_only_unexpired_items() -> None:
    d = _desks(capacity=2)
    d.append(2, [_job_order(0.0, life=1.0), _job_order(0.0), _job_order(1.0)])
    assert d.items.shape[1] >= 3 and len(d.waiting(2)) == 3
    assert d.alive(slice(N_REC, 4), now=2.0) == 2
    d.clear(2)
    assert d.alive(slice(N_REC, 4), now=2.0) == 0


@pytest.mark.parametrize("seat", [0, 2])
def test_a_desk_with_nothing_waiting_makes_no_placement(seat: int) -> None:
    d = _desks()
    row = _job_order(1.0) if seat >= N_REC else _candidate(1.0, 0.0)
    assert _walk(d, [(1.0, seat, row)], [1.0] * 4, _uniforms([])) == [dk.MONTH_DONE]
    assert len(_placed(d)) == 0 and d.waiting(seat).tolist() == [row]


def _fresh(code: str, **env: str) -> str:
    """The last line ``code`` prints, run in a fresh Python process (with ``env`` added)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_importing_the_model_or_a_batch_driver_loads_no_numba() -> None:
    assert _fresh("import sys\n"
                  "import sim.cli, sim.model\n"
                  "from sim.experiment import batch, executors\n"
                  "from sim.scenario import load_scenario\n"
                  f"load_scenario({str(ROOT / 'scenarios' / 'individual_vs_team.yaml')!r})\n"
                  "executors.make_payload({}, [])\n"
                  "print('numba' in sys.modules)\n") == "False"


def test_after_warm_up_no_run_of_any_scheme_compiles_anything_more() -> None:
    # Every numba function the model's modules hold, found by type rather than by name: warm_up gives
    # each the compiled versions runs need, so the first real run of any scheme compiles (or loads) none.
    code = ("import sys\n"
            "from numba.core.dispatcher import Dispatcher\n"
            "import sim.model as m\n"
            "from sim.scenario import load_scenario\n"
            "def compiled():\n"
            "    return {(mod, k): len(f.signatures) for mod, v in list(sys.modules.items())\n"
            "            if mod.startswith('sim.') for k, f in vars(v).items() if isinstance(f, Dispatcher)}\n"
            "m.warm_up(); m.warm_up()\n"
            "ready = compiled()\n"
            "for name in ('workshop_demo', 'individual_vs_team'):\n"
            f"    sc = load_scenario(f'{ROOT / 'scenarios'}/{{name}}.yaml', ['horizon_months=3'])\n"
            "    for s in sc.schemes:\n"
            "        m.run(sc, s.name, 0, detail=True); m.run(sc, s.name, 1)\n"
            "more = {k: (ready.get(k), n) for k, n in compiled().items() if ready.get(k) != n}\n"
            "print(sum(ready.values()) > 0, more)\n")
    assert _fresh(code) == "True {}"


def test_the_compiled_parts_give_what_their_python_source_gives() -> None:
    # The same functions run uncompiled (NUMBA_DISABLE_JIT) in a fresh process: numba's typing and
    # arithmetic must not change a single result.
    code = ("import json, sys\n"
            "from sim.model import run\n"
            "from sim.scenario import load_scenario\n"
            f"sc = load_scenario({str(ROOT / 'scenarios' / 'workshop_demo.yaml')!r}, ['horizon_months=4'])\n"
            "out = {s.name: run(sc, s.name, 1, detail=True) for s in sc.schemes}\n"
            "for o in out.values():\n"
            "    o['run'].pop('wall_seconds')\n"
            "    o['statements'] = [repr(x) for x in o['statements']]\n"
            "print(json.dumps(out, default=repr, sort_keys=True))\n")
    compiled, uncompiled = (json.loads(_fresh(code, NUMBA_DISABLE_JIT=flag)) for flag in ("0", "1"))
    assert compiled == uncompiled
    assert sum(o["run"]["placements"] for o in compiled.values()) > 0


def test_a_placement_row_names_the_fields_where_the_market_writes_them() -> None:
    from sim.model.market import Candidate, JobOrder
    assert [Placed.PERM, Placed.VALUE, Placed.CONTRACT_MONTHS, Placed.REPLACEMENT] == [
        Placed.JOB_ORDER + f for f in (JobOrder.PERM, JobOrder.VALUE, JobOrder.CONTRACT_MONTHS, JobOrder.REPLACEMENT)]
    assert [Placed.FALLOFF_AT, Placed.REMEDY_U] == [
        Placed.CANDIDATE + f for f in (Candidate.FALLOFF_AT, Candidate.REMEDY_U)]
