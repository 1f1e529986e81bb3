"""The SimPy model of one staffing firm: one replication is ``run(scenario, scheme, replication)``."""

from sim.model.firm import run

__all__ = ["run"]
