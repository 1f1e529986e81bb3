"""The seed tree: every random number in a run comes from a recorded ``SeedSequence``.

Layout (each arrow is ``SeedSequence.spawn`` by a fixed index, so it is reproducible):

    scenario seed -> replication r -> named stream

Streams are split in two families so schemes can be compared with common random numbers:

* **market** streams (job orders, candidates, placement values, fall-offs) depend only on the
  scenario seed and the replication, never on the scheme; replication r of every scheme sees the
  same market, so scheme differences are paired comparisons.
* **people** streams (traits of hires, sharing and quit decisions) are also scheme-independent in
  their seeds, but how many draws are consumed depends on behaviour.

Never the ``random`` module and never ``np.random.seed``.
"""

from __future__ import annotations

import numpy as np

#: Named streams of one replication, in spawn order. Appending is safe; reordering changes results.
STREAMS: tuple[str, ...] = (
    "job_orders",
    "candidates",
    "placements",
    "traits",
    "decisions",
    "quits",
    "hiring",
    "job_orders_surplus",   # demand above plan: potential job orders above the thinning ceiling
    "candidates_surplus",   # candidate supply above plan (see sim.model.market)
)


def replication_seed(scenario_seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one replication: child ``replication`` of the scenario seed."""
    if scenario_seed is None or replication < 0:
        raise ValueError("scenario_seed must be an int and replication >= 0")
    return np.random.SeedSequence(entropy=scenario_seed, spawn_key=(replication,))


def streams(scenario_seed: int, replication: int) -> dict[str, np.random.Generator]:
    """One independent ``Generator`` per named stream for a replication."""
    parent = replication_seed(scenario_seed, replication)
    return {
        name: np.random.Generator(np.random.PCG64(np.random.SeedSequence(
            entropy=parent.entropy, spawn_key=(*parent.spawn_key, i))))
        for i, name in enumerate(STREAMS)
    }


def replication_seed_record(scenario_seed: int, replication: int) -> str:
    """A printable record of where a replication's numbers come from (for manifests and tables)."""
    seq = replication_seed(scenario_seed, replication)
    return f"{seq.entropy}/{'.'.join(str(k) for k in seq.spawn_key)}"
