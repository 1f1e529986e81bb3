"""Why a scheme wins: a comparison split into behaviour (effort, cooperation) and selection (who stays, who joins).

For a replication r, a scheme S and the baseline B (common random numbers throughout):

- total     = S(r) - B(r);
- behaviour = S(r | B's composition) - B(r): S run with B's workforce frozen (B's people, hired and
  leaving when they did in B, with B's traits; :mod:`sim.model.staffing` replays them), so only
  effort and cooperation differ;
- selection = S(r) - S(r | B's composition): what changes when S also decides who quits, who is
  managed out and who applies.

The two parts add up to the total by construction, replication by replication. It is a pure function
of (scenario, schemes, replication): three runs, no state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sim.model import run

PARTS = ("total", "behaviour", "selection")


def decompose(scenario: Any, baseline: str, scheme: str, replication: int,
              metrics: Sequence[str]) -> dict[str, dict[str, float]]:
    """``{metric: {"total", "behaviour", "selection"}}`` for one replication (see the module docstring)."""
    base = run(scenario, baseline, replication, record_composition=True)
    full = run(scenario, scheme, replication)["run"]
    fixed = run(scenario, scheme, replication, composition=base["composition"])["run"]
    b = base["run"]
    return {k: {"total": float(full[k]) - float(b[k]), "behaviour": float(fixed[k]) - float(b[k]),
                "selection": float(full[k]) - float(fixed[k])} for k in metrics}


def summarise(per_replication: Iterable[tuple[str, dict[str, dict[str, float]]]],
              level: float = 0.95) -> list[dict[str, Any]]:
    """One row per (scheme, metric): each part's mean and confidence interval over replications (paired, t),
    and selection's share of the total."""
    from sim.experiment.stats import mean_ci

    values: dict[tuple[str, str], dict[str, list[float]]] = {}
    for scheme, parts in per_replication:
        for metric, p in parts.items():
            slot = values.setdefault((scheme, metric), {k: [] for k in PARTS})
            for k in PARTS:
                slot[k].append(p[k])
    rows = []
    for (scheme, metric), v in values.items():
        row: dict[str, Any] = {"scheme": scheme, "metric": metric, "replications": len(v["total"])}
        for k in PARTS:
            mean, _sd, lo, hi = mean_ci(v[k], level)
            row.update({f"{k}_mean": mean, f"{k}_ci_low": lo, f"{k}_ci_high": hi})
        total = row["total_mean"]
        row["selection_share"] = row["selection_mean"] / total if total else float("nan")
        rows.append(row)
    return rows
