"""Scenario discovery: in which region of the uncertain parameters does a scheme lose?

PRIM (Friedman & Fisher 1999) peels a box around the worlds of interest (here: where a scheme
does not beat the baseline), using the EMA Workbench's implementation (``ema_workbench.analysis.prim``,
the field's reference). From its peeling trajectory we take the box with the highest coverage
among those whose density reaches ``threshold``, the densest of equal coverage (the densest
box if none reaches it), and keep
only the limits PRIM actually restricted. A box is reported with its coverage (share of the
losing worlds inside it) and density (share of the worlds inside it that lose), and in words.

The Workbench imports matplotlib, seaborn and scikit-learn (about 250 MB and 2 s), so it is
imported only when a box is searched for.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 0.8
MIN_CASES = 2   # fewer worlds of interest than this: no box (nothing to describe)


@dataclass(frozen=True)
class Limit:
    key: str
    low: float | None    # None: not restricted from below
    high: float | None   # None: not restricted from above

    def words(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.key} is between {_num(self.low)} and {_num(self.high)}"
        if self.low is not None:
            return f"{self.key} > {_num(self.low)}"
        return f"{self.key} < {_num(self.high)}"


@dataclass(frozen=True)
class Box:
    limits: tuple[Limit, ...]
    coverage: float
    density: float
    mass: float
    worlds: int           # worlds inside the box
    cases: int            # worlds of interest in all
    extra: dict = field(default_factory=dict)

    def condition(self) -> str:
        return " and ".join(lim.words() for lim in self.limits) if self.limits else "in every world sampled"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["limits"] = [asdict(lim) for lim in self.limits]
        return d


def _num(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def find_box(X: pd.DataFrame, interesting: np.ndarray, threshold: float = DEFAULT_THRESHOLD,
             peel_alpha: float = 0.05) -> Box | None:
    """The PRIM box around the ``interesting`` worlds (rows of ``X``), or None when there are fewer than
    :data:`MIN_CASES` of them or every world is one (then there is no region to tell apart)."""
    y = np.asarray(interesting, dtype=bool)
    cases = int(y.sum())
    if cases < MIN_CASES or cases == len(y):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the Workbench warns about optional extras (ipyparallel) on import
        from ema_workbench.analysis import prim

        p = prim.Prim(X.reset_index(drop=True).astype(float), y, threshold=threshold, peel_alpha=peel_alpha)
        found = p.find_box()
    traj = found.peeling_trajectory
    meets = traj[traj["density"] >= threshold]
    pick = int(meets.sort_values(["coverage", "density"], ascending=False, kind="stable").index[0]) if len(meets) \
        else int(traj["density"].idxmax())
    found.select(pick)
    lims = found.box_lim
    full = p.box_init
    limits = []
    for key in X.columns:
        lo, hi = float(lims[key].iloc[0]), float(lims[key].iloc[1])
        lo0, hi0 = float(full[key].iloc[0]), float(full[key].iloc[1])
        restricted_lo, restricted_hi = lo > lo0, hi < hi0
        if restricted_lo or restricted_hi:
            limits.append(Limit(key, lo if restricted_lo else None, hi if restricted_hi else None))
    row = traj.loc[pick]
    return Box(tuple(limits), float(row["coverage"]), float(row["density"]), float(row["mass"]), int(row["n"]),
               cases)


def sentence(box: Box | None, scheme: str, baseline: str, what: str, losing: int, worlds: int) -> str:
    """The box in words: "hybrid loses to individual on profit when ... (coverage 81%, density 90%)"."""
    if losing == 0:
        return f"{scheme} never loses to {baseline} on {what} in the {worlds} worlds sampled"
    if losing == worlds:
        return f"{scheme} loses to {baseline} on {what} in every one of the {worlds} worlds sampled"
    if box is None or not box.limits:
        why = "too few for a region to be told apart" if box is None else "with no region of the ranges singled out"
        return f"{scheme} loses to {baseline} on {what} in {losing} of {worlds} worlds, {why}"
    return (f"{scheme} loses to {baseline} on {what} when {box.condition()} "
            f"(coverage {100 * box.coverage:.0f}%, density {100 * box.density:.0f}%)")


def boxes_for(means: pd.DataFrame, keys: Sequence[str], won: pd.Series, schemes: Sequence[str], baseline: str,
              what: str, threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
    """For each scheme but the baseline: the PRIM box of the worlds it does not win, with its sentence."""
    out = []
    for scheme in schemes:
        if scheme == baseline:
            continue
        mine = means["scheme"] == scheme
        X = means.loc[mine, list(keys)]
        losing = ~won[mine].to_numpy(dtype=bool)
        box = find_box(X, losing, threshold) if len(X) else None
        rec = {"scheme": scheme, "baseline": baseline, "metric": what, "losing_worlds": int(losing.sum()),
               "worlds": int(len(X)), "sentence": sentence(box, scheme, baseline, what, int(losing.sum()), len(X))}
        rec["box"] = box.as_dict() if box is not None else None
        out.append(rec)
    return out


