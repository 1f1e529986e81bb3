"""The SimPy model of one staffing firm: one replication is ``run(scenario, scheme, replication)``.

Importing this package loads neither the model nor numba: a batch's driver process, which only hands
``run`` to its workers, stays small (the model with numba and its compiled code take some 130 MB of
memory). The model is imported on the first call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

RESULTS_VERSION = 5
"""Which numbers a (scenario, scheme, seed) gives: raised whenever a change to the model makes the same
inputs give other results (same distributions, other draws included), so that ``--resume`` never mixes
runs of two versions in one folder. 1: before the market drew its attributes as uniforms (2026-11-23);
2: since; 3: the model rework of issue 13 (stakes, marginal products, selection, warm-up; 2026-12-03);
4: effort's marginal product is the value of the placements one makes, not credited GP (which includes
the running contract book), with money_weight 0.3 and career_concern 0.17; 5: under a leaderboard a hire's
first month no longer takes the rank of the seat's previous occupant (2026-12-04)."""


def run(scenario: Scenario, scheme: str, replication: int, detail: bool = False, **options: Any) -> dict[str, Any]:
    """Simulate one replication of ``scenario`` under the named scheme: see :func:`sim.model.firm.run`."""
    from sim.model.firm import run as run_firm

    return run_firm(scenario, scheme, replication, detail, **options)


def warm_up() -> None:
    """Ready the model's compiled parts in this process: see :func:`sim.model.firm.warm_up`."""
    from sim.model.firm import warm_up as warm

    warm()


__all__ = ["RESULTS_VERSION", "run", "warm_up"]
