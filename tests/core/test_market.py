"""The market's draws: inverse transforms of uniforms give the documented distributions."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sim.model import pcg64
from sim.model.market import (
    Block,
    Candidate,
    JobOrder,
    draw_candidates,
    draw_job_orders,
    exponential,
    geometric,
    in_time_order,
    standard_normal,
)
from sim.scenario.schema import Market

N = 200_000


def _uniforms(k: int) -> np.ndarray:
    return np.random.default_rng(np.random.SeedSequence(20261123)).random((k, N))


def test_inverse_transforms_match_their_distributions() -> None:
    u = _uniforms(4)
    # Kolmogorov-Smirnov against the exact distributions: p-values this small would flag a wrong formula.
    assert stats.kstest(exponential(40.0, u[0]), stats.expon(scale=40.0).cdf).pvalue > 1e-3
    assert stats.kstest(standard_normal(u[1], u[2]), stats.norm.cdf).pvalue > 1e-3
    months = geometric(1 / 6, u[3])
    assert months.min() >= 1 and np.all(months == np.floor(months))
    values, counts = np.unique(months[months <= 6], return_counts=True)
    expected = stats.geom(1 / 6).pmf(values) * N
    assert stats.chisquare(counts, expected * counts.sum() / expected.sum()).pvalue > 1e-3
    assert abs(months.mean() - 6.0) < 0.05


def test_kept_job_orders_have_the_documented_values() -> None:
    market = Market()
    rng = np.random.default_rng(7)
    rates = np.full(50, 1.0)
    items = [it for m in range(40) for it in draw_job_orders(rng, market, 4.8, rates, m * 21.0, 21).items]
    perm = [it for it in items if it[JobOrder.PERM]]
    contract = [it for it in items if not it[JobOrder.PERM]]
    assert abs(len(perm) / len(items) - market.perm_share) < 0.02
    fee = market.perm_salary_mean * market.perm_fee_rate * 100
    assert abs(np.mean([it[JobOrder.VALUE] for it in perm]) / fee - 1) < 0.02                 # lognormal with mean 1
    assert abs(np.std([it[JobOrder.VALUE] for it in perm]) / fee - market.perm_salary_cv) < 0.02
    assert abs(np.mean([it[JobOrder.VALUE] for it in contract]) / (market.contract_gp_monthly_mean * 100) - 1) < 0.02
    assert abs(np.mean([it[JobOrder.CONTRACT_MONTHS] for it in contract]) - market.contract_months_mean) < 0.2
    assert all(it[JobOrder.CONTRACT_MONTHS] == 0 for it in perm)
    assert all(it[JobOrder.VALUE] == round(it[JobOrder.VALUE]) for it in items)   # whole cents
    lives = [it[JobOrder.EXPIRES] - it[JobOrder.OPENED] for it in items]
    assert abs(np.mean(lives) / market.job_order_life_days - 1) < 0.03


def test_kept_candidates_carry_uniforms_and_exponential_lives() -> None:
    market = Market()
    rng = np.random.default_rng(8)
    items = [it for m in range(40) for it in draw_candidates(rng, market, 4.8, np.full(50, 1.0), m * 21.0, 21).items]
    lives = [it[Candidate.EXPIRES] - it[Candidate.ARRIVED] for it in items]
    assert abs(np.mean(lives) / market.candidate_life_days - 1) < 0.03
    for k in (Candidate.CONVERT_U, Candidate.FALLOFF_U, Candidate.FALLOFF_AT, Candidate.REMEDY_U):
        column = np.array([it[k] for it in items])
        assert column.min() >= 0 and column.max() < 1 and abs(column.mean() - 0.5) < 0.02


def test_block_uniforms_are_numpys_draws() -> None:
    """The uniforms the market reads are the ones ``Generator.random((rows, n))`` draws, and the generator
    is left where that call leaves it."""
    for seed, n in ((1, 1), (2, 37), (3, 900), (4, 2500)):
        ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
        ours.poisson(3.0, 17), numpys.poisson(3.0, 17)
        state = pcg64.reserve(ours, 7 * n)
        block = numpys.random((7, n))
        assert ours.bit_generator.state == numpys.bit_generator.state
        for row in range(7):
            cols = np.flatnonzero(np.random.default_rng(row).random(n) < (0.3 if row % 2 else 0.01))
            assert np.array_equal(pcg64.block_uniforms(state, n, row, cols), block[row, cols])
            assert np.array_equal(pcg64.block_uniforms(state, n, row, np.arange(n)), block[row])


def test_a_months_arrivals_come_in_time_order_ties_in_arrival_order() -> None:
    """The stable sort's order: job orders before candidates at the same time, each side in its own order."""
    rng = np.random.default_rng(5)
    jo_time, c_time = np.floor(rng.random(300) * 60) / 2, np.floor(rng.random(200) * 60) / 2   # many ties
    jos = Block(jo_time, rng.integers(0, 4, 300), rng.random((300, 6)))
    cands = Block(c_time, rng.integers(0, 3, 200), rng.random((200, 6)))
    times, seats, items, ends, by_seat = in_time_order(jos, cands, 3, 7, 0.0, 30)
    order = np.concatenate((jo_time, c_time)).argsort(kind="stable")
    assert np.array_equal(times, np.concatenate((jo_time, c_time))[order])
    assert np.array_equal(seats, np.concatenate((jos.seat + 3, cands.seat))[order])
    assert np.array_equal(items, np.concatenate((jos.items, cands.items))[order])
    assert np.array_equal(ends, times.searchsorted(np.arange(1, 31)))
    assert np.array_equal(by_seat, np.bincount(seats, minlength=7))
