"""Check 4, restart (Andreoni 1988): re-forming groups after decay makes cooperation jump back, then decay.

The voluntary-contribution game of :mod:`sim.validation.vcm` (groups of 4, MPCR 0.4, no
enforcement) runs 10 periods, the groups are re-formed at random, and it runs 10 more. Andreoni
found contributions jump back close to their first-period level after a surprise restart and then
decay again. In the model the jump comes from ``cooperation.restart_on_new_team``: people joining a
new team start from their type's level rather than the decayed one (the same rule the firm applies
to hires).
"""

from __future__ import annotations

import time

from sim.experiment.stats import mean_ci
from sim.scenario.schema import Cooperation, Effort
from sim.validation import vcm
from sim.validation.cooperation_decay import band_stat
from sim.validation.result import CheckOutcome, CheckRow, Series, Size

SOURCE = "Andreoni 1988 (J. Public Econ. 37(3)), as reported by Ledyard 1995"
SEED = 1988


def check(size: Size, coop: Cooperation | None = None, effort: Effort | None = None) -> CheckOutcome:
    t0 = time.perf_counter()
    coop, effort = coop or Cooperation(), effort or Effort()
    out = CheckOutcome("restart", "Restart after decay (Andreoni 1988)")
    paths = vcm.replicate(vcm.Game(periods=20, restart_after=10), coop, effort, size.groups, size.replications,
                          SEED)
    stats = (
        ("jump at restart", "period 11 - period 10: cooperation jumps back", None, 0.10, 1.0,
         paths[:, 10] - paths[:, 9]),
        ("restart level", "period 11 / period 1: back near the first level", 1.0, 0.75, 1.25,
         paths[:, 10] / paths[:, 0]),
        ("decays again", "period 20 - period 11: cooperation decays again", None, -1.0, -0.10,
         paths[:, 19] - paths[:, 10]),
    )
    for case, claim, expected, lo, hi, values in stats:
        m, _sd, cl, ch = mean_ci(values)
        out.rows.append(CheckRow("restart", case, claim, SOURCE, expected, lo, hi, m, cl, ch))
    b = band_stat(paths)
    out.series.append(Series("Restart after period 10: mean contribution", "model", list(range(1, 21)),
                             b[0].tolist(), b[1].tolist(), b[2].tolist()))
    out.seconds = time.perf_counter() - t0
    return out
