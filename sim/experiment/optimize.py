"""Plan search: the settings of one scheme that do best on an objective under constraints (Optuna TPE).

The search proposes trials in batches of :data:`BATCH` (Optuna's ask-and-tell), evaluates each batch
through an ``evaluate`` function (the command runs them as sweep points of one batch of the
experiment layer) and tells Optuna each trial's objective, with the constraints' slack as
its constraints (``Trial.set_constraint``: TPE with constraints, a trial is feasible when every
slack is <= 0).

* Fair comparison: every trial runs the same replications of the same scenario seed, so trials see
  the same markets (common random numbers) and differ only by their settings.
* Resumable and reproducible: Optuna's SQLite storage in the output folder keeps every trial; a
  batch cut short by a kill leaves trials still marked running, which are evaluated on resume with
  the settings they were given. Each batch's sampler is seeded from the seed and the number of
  finished trials, so the proposals depend only on what is stored: a resumed search equals an
  uninterrupted one, and the worker count never changes the result.

Everything here but :func:`search` is pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.decision import Decision

BATCH = 4            # trials proposed and evaluated together (fixed: never the worker count)
STARTUP_TRIALS = 8   # random trials before TPE models the results
STUDY = "teamsim-optimize"
_VARY = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=\s*([-+0-9.eE]+)\s*\.\.\s*([-+0-9.eE]+)\s*$")


class TrialsFailed(Exception):
    """A whole batch of trials failed to run: the search stops (what finished is stored)."""


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    low: float
    high: float
    integer: bool = False

    @property
    def text(self) -> str:
        return f"{self.key}={self.low:g}..{self.high:g}"


def parse_vary(text: str) -> Dimension:
    """``schemes.hybrid.individual_weight=0.2..0.8``; ValueError with one clear line otherwise."""
    m = _VARY.match(text)
    if not m:
        raise ValueError(f"--vary: expected KEY=LOW..HIGH, e.g. schemes.hybrid.individual_weight=0.2..0.8, "
                         f"got {text!r}")
    key, lo, hi = m.group(1), float(m.group(2)), float(m.group(3))
    if not lo < hi:
        raise ValueError(f"--vary: {key}: the range {lo:g}..{hi:g} needs its low below its high")
    return Dimension(key, lo, hi)


def slack(values: dict[str, float], decision: Decision) -> list[float]:
    """Each constraint's violation for a trial's metric means (<= 0: met)."""
    return [float(c.slack(values[c.metric])) for c in decision.constraints]


def pareto(trials: pd.DataFrame, columns: Sequence[str], signs: Sequence[float]) -> pd.Series:
    """Rows of ``trials`` on the Pareto front of ``columns`` (each better in the direction of its sign)."""
    v = trials[list(columns)].to_numpy(dtype=float) * np.asarray(signs, dtype=float)
    front = np.ones(len(v), dtype=bool)
    for i in range(len(v)):
        dominated = np.all(v >= v[i], axis=1) & np.any(v > v[i], axis=1)
        front[i] = not dominated.any()
    return pd.Series(front, index=trials.index)


def best_and_closest(trials: pd.DataFrame, decision: Decision) -> tuple[pd.Series | None, pd.Series | None]:
    """The best feasible trial (None when no trial meets the constraints) and the one closest to meeting them."""
    if trials.empty:
        return None, None
    ok = trials["feasible"]
    score = decision.sign * trials[decision.objective]
    best = trials.loc[score[ok].idxmax()] if ok.any() else None
    closest = trials.loc[trials["violation"].idxmin()]
    return best, closest


def trial_table(study: Any, space: Sequence[Dimension], decision: Decision, metrics: Sequence[str]) -> pd.DataFrame:
    """One row per finished trial: number, settings, metric means, total violation, feasibility."""
    import optuna

    rows = []
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        values = t.user_attrs.get("metrics", {})
        cons = t.user_attrs.get("constraints", [])
        rows.append({"trial": t.number, **{d.key: t.params[d.key] for d in space},
                     **{m: values.get(m, np.nan) for m in metrics},
                     "violation": float(sum(max(0.0, c) for c in cons)), "feasible": all(c <= 0 for c in cons)})
    return pd.DataFrame(rows, columns=["trial", *[d.key for d in space], *metrics, "violation", "feasible"])


def _sampler(seed: int, done: int) -> Any:
    import optuna

    return optuna.samplers.TPESampler(seed=(seed + 7919 * done) % (2**32), n_startup_trials=STARTUP_TRIALS,
                                      constant_liar=True)


def open_study(storage: str, decision: Decision, settings: dict[str, Any], resume: bool) -> Any:
    """The study in ``storage``: new (an old one deleted) or, with ``resume``, the stored one if its settings match.

    Raises ValueError (bad input) when resuming a study made with other settings.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    names = [s.study_name for s in optuna.study.get_all_study_summaries(storage)]
    if STUDY in names and not resume:
        optuna.delete_study(study_name=STUDY, storage=storage)
    direction = "maximize" if decision.sign > 0 else "minimize"
    study = optuna.create_study(study_name=STUDY, storage=storage, direction=direction, load_if_exists=True)
    stored = study.user_attrs.get("settings")
    if stored is None:
        study.set_user_attr("settings", settings)
    elif stored != settings:
        differ = sorted(k for k in set(stored) | set(settings) if stored.get(k) != settings.get(k))
        raise ValueError(f"--resume refused: the stored search differs from this one in {', '.join(differ)}; "
                         "run into a new folder")
    return study


def _record(study: Any, trial: Any, values: dict[str, float], decision: Decision) -> None:
    """Tell Optuna a trial's result: its objective, its metrics, and each constraint's slack."""
    import optuna

    if not np.isfinite(values.get(decision.objective, np.nan)):   # its runs failed
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return
    over = slack(values, decision)
    trial.set_user_attr("metrics", values)
    trial.set_user_attr("constraints", over)
    for c, v in zip(decision.constraints, over, strict=True):
        trial.set_constraint(c.text, v)   # TPE with constraints: it models feasibility from these
    study.tell(trial, values[decision.objective])


def _evaluate(study: Any, trials: list[Any], space: Sequence[Dimension], decision: Decision,
              evaluate: Callable[[list[dict[str, Any]]], list[dict[str, float]]]) -> None:
    import optuna

    results = evaluate([{d.key: t.params[d.key] for d in space} for t in trials])
    if not any(np.isfinite(v.get(decision.objective, np.nan)) for v in results):
        for t in trials:
            study.tell(t, state=optuna.trial.TrialState.FAIL)
        raise TrialsFailed(f"every run of trials {trials[0].number}-{trials[-1].number} failed")
    for t, values in zip(trials, results, strict=True):
        _record(study, t, values, decision)


def _finish_interrupted(study: Any, space: Sequence[Dimension], decision: Decision,
                        evaluate: Callable[[list[dict[str, Any]]], list[dict[str, float]]]) -> None:
    """Trials a kill left running: evaluated now with the settings they were given (so the stored search
    is what an uninterrupted one would hold); one killed before it had all its settings is failed."""
    import optuna

    running = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
    ready = [optuna.trial.Trial(study, t._trial_id) for t in running if all(d.key in t.params for d in space)]
    for t in running:
        if not all(d.key in t.params for d in space):
            study.tell(t.number, state=optuna.trial.TrialState.FAIL)
    if ready:
        _evaluate(study, ready, space, decision, evaluate)


def search(study: Any, space: Sequence[Dimension], decision: Decision, trials: int, seed: int,
           evaluate: Callable[[list[dict[str, Any]]], list[dict[str, float]]],
           progress: Callable[[int], None] | None = None) -> Any:
    """Run trials until ``trials`` have finished; ``evaluate`` maps settings to metric means, in order."""
    import optuna

    complete = optuna.trial.TrialState.COMPLETE
    _finish_interrupted(study, space, decision, evaluate)
    while (done := len(study.get_trials(deepcopy=False, states=(complete,)))) < trials:
        study.sampler = _sampler(seed, done)
        asked = [study.ask() for _ in range(min(BATCH, trials - done))]
        for t in asked:
            for d in space:
                t.suggest_int(d.key, int(d.low), int(d.high)) if d.integer else t.suggest_float(d.key, d.low, d.high)
        _evaluate(study, asked, space, decision, evaluate)
        if progress is not None:
            progress(done + len(asked))
    return study


#: The quantile a trial is scored at across worlds (``teamsim optimize --worlds``): its 10th percentile.
WORLD_QUANTILE = 0.10


def across_worlds(per_world: Sequence[Mapping[str, float]], decision: Decision,
                  q: float = WORLD_QUANTILE) -> dict[str, float]:
    """One trial's metrics over its worlds, each at its unfavourable ``q`` quantile: the objective's 10th
    percentile when higher is better (its 90th when lower is), a ``<=`` constraint's metric at its 90th
    and a ``>=`` one's at its 10th, so the trial is scored by how it does in the worse worlds; any other
    metric is its mean. Empty (a failed trial) if a world has no result."""
    if not per_world or any(not w for w in per_world):
        return {}
    worst = {decision.objective: q if decision.sign > 0 else 1.0 - q}
    for c in decision.constraints:
        worst.setdefault(c.metric, 1.0 - q if c.op.startswith("<") else q)
    out = {}
    for m in per_world[0]:
        values = np.array([w[m] for w in per_world], dtype=float)
        out[m] = float(np.quantile(values, worst[m])) if m in worst else float(values.mean())
    return out
