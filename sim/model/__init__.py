"""The SimPy model of one staffing firm: one replication is ``run(scenario, scheme, replication)``."""

from sim.model.firm import run, warm_up

RESULTS_VERSION = 2
"""Which numbers a (scenario, scheme, seed) gives: raised whenever a change to the model makes the same
inputs give other results (same distributions, other draws included), so that ``--resume`` never mixes
runs of two versions in one folder. 1: before the market drew its attributes as uniforms (2026-11-23);
2: since."""

__all__ = ["RESULTS_VERSION", "run", "warm_up"]
