"""What ``teamsim export`` writes, as labelled wide tables built from a stored batch folder only.

Each table is a :class:`Sheet`: a frame with human column labels and a format per column (money,
percent, whole number, number, text), which the workbook writer turns into cell formats and the CSV
writer into a plain labelled header. Nothing here simulates; tables come from the parquet files,
the manifest and the resolved scenario in the folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.comp.statement import LINE_KINDS, LINE_RULES
from sim.experiment import store
from sim.experiment.stats import summarise
from sim.finance import PNL, stored_annual_pnl, with_turnover_costs
from sim.metrics import MONTHLY_METRICS, SUMMARY_BY_NAME, SUMMARY_METRICS, Metric, floor_count_intervals
from sim.report.audit import cost_matching_lines, shown_resolved

Kind = Literal["money", "percent", "int", "number", "text", "by_row"]
PERCENT_UNITS = ("share", "share/yr")


class NotABatch(Exception):
    """The folder holds no stored batch (bad input)."""


@dataclass
class Sheet:
    """One table: ``frame`` with its column labels (``frame.columns``) and a format per column."""

    name: str
    frame: pd.DataFrame
    kinds: dict[str, Kind] = field(default_factory=dict)
    note: str = ""
    row_kinds: list[Kind] = field(default_factory=list)   # for columns of kind "by_row": one per row

    def kind(self, column: str) -> Kind:
        return self.kinds.get(column, "text" if self.frame[column].dtype == object else "number")


def metric_kind(m: Metric) -> Kind:
    if m.unit == "$":
        return "money"
    return "percent" if m.unit in PERCENT_UNITS else "number"


def unit_label(m: Metric) -> str:
    return {"$": "USD", "share/yr": "% a year", "share": "%"}.get(m.unit, m.unit)


@dataclass
class Batch:
    """A stored batch folder, read for export."""

    out: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    baseline: str
    schemes: list[str]
    by: list[str]

    @classmethod
    def read(cls, out: Path) -> Batch:
        out = Path(out)
        try:
            manifest = store.read_batch_manifest(out)
            runs = store.read_table(out, "runs")
        except store.StoreError as err:
            raise NotABatch(str(err)) from None
        except (ValueError, OSError) as err:   # corrupt Parquet
            raise NotABatch(f"{out}: the stored batch cannot be read ({type(err).__name__}: {err})") from None
        if runs.empty:
            raise NotABatch(f"{out}: the batch holds no finished runs")
        schemes = [str(s) for s in manifest["schemes"]]
        baseline = manifest.get("baseline") if manifest.get("baseline") in schemes else schemes[0]
        by = ["point", *[k for k in manifest.get("sweep_keys") or [] if k in runs.columns]] \
            if "point" in runs.columns else []
        steady = ((manifest.get("resolved_scenario") or {}).get("finance") or {}).get("steady_gp_per_seat_month")
        runs = with_turnover_costs(runs, baseline, by, steady)
        return cls(out, manifest, runs, baseline, schemes, by)

    def table(self, name: str) -> pd.DataFrame:
        try:
            return store.read_table(self.out, name)
        except (ValueError, OSError) as err:   # a truncated or corrupt Parquet file
            raise NotABatch(f"{self.out / (name + '.parquet')}: cannot be read ({type(err).__name__}: {err})") from None


def _metrics(runs: pd.DataFrame) -> list[Metric]:
    return [m for m in SUMMARY_METRICS if m.name in runs.columns]


def summary_sheet(b: Batch) -> Sheet:
    """Scheme x metric, wide: each scheme's mean and 95% interval, and its paired difference to the baseline."""
    metrics = _metrics(b.runs)
    long = floor_count_intervals(summarise(b.runs, [m.name for m in metrics], baseline=b.baseline, by=b.by))
    keys = [*b.by, "metric"]
    wide = long[keys].drop_duplicates().reset_index(drop=True)
    wide.insert(len(b.by) + 1, "label", wide["metric"].map(lambda n: SUMMARY_BY_NAME[n].label))
    wide.insert(len(b.by) + 2, "unit", wide["metric"].map(lambda n: unit_label(SUMMARY_BY_NAME[n])))
    wide.insert(len(b.by) + 3, "better", wide["metric"].map(
        lambda n: {"max": "higher", "min": "lower", "info": ""}[SUMMARY_BY_NAME[n].direction]))
    kinds: dict[str, Kind] = {}
    for s in [s for s in b.schemes if s in set(long["scheme"])]:
        part = long[long["scheme"] == s].set_index(keys)
        cols = {"mean": f"{s}: mean", "ci_low": f"{s}: 95% CI low", "ci_high": f"{s}: 95% CI high"}
        if s != b.baseline:
            cols.update({"diff_mean": f"{s}: difference vs {b.baseline}", "diff_ci_low": f"{s}: difference CI low",
                         "diff_ci_high": f"{s}: difference CI high"})
        for src, dst in cols.items():
            wide[dst] = part[src].reindex(pd.MultiIndex.from_frame(wide[keys]) if len(keys) > 1
                                          else wide["metric"]).to_numpy()
            kinds[dst] = "by_row"
        if s != b.baseline:
            lo, hi = wide[f"{s}: difference CI low"], wide[f"{s}: difference CI high"]
            wide[f"{s}: difference clear of 0"] = np.where(lo.isna(), "", np.where((lo > 0) | (hi < 0), "yes", "no"))
    return Sheet("summary", wide, kinds, row_kinds=[metric_kind(SUMMARY_BY_NAME[n]) for n in wide["metric"]],
                 note=f"Baseline: {b.baseline}. Differences are paired over replications (the same market in "
                      "replication r of every scheme); 95% Student-t intervals.")


def runs_sheet(b: Batch) -> Sheet:
    metrics = _metrics(b.runs)
    front = [c for c in (*b.by, "scheme", "replication") if c in b.runs.columns]
    frame = b.runs[front + [m.name for m in metrics]].copy()
    frame.columns = front + [f"{m.label} ({unit_label(m)})" if unit_label(m) else m.label for m in metrics]
    kinds: dict[str, Kind] = {f"{m.label} ({unit_label(m)})" if unit_label(m) else m.label: metric_kind(m)
                              for m in metrics}
    kinds.update({"replication": "int", "point": "int"})
    return Sheet("runs", frame, kinds, note="One row per run (scheme x replication), as in runs.parquet.")


def placements_sheet(b: Batch) -> Sheet | None:
    p = b.table("placements")
    if p.empty:
        return None
    front = [c for c in (*b.by, "scheme", "replication") if c in p.columns]
    frame = pd.DataFrame({**{c: p[c] for c in front}, "placement id": p["placement_id"], "month": p["month"],
                          "day": p["day"], "kind": p["kind"], "fee (USD)": p["fee_cents"] / 100,
                          "monthly GP (USD)": p["monthly_gp_cents"] / 100, "contract months": p["contract_months"],
                          "recruiter id": p["recruiter_id"], "recruiter pod": p["recruiter_pod"],
                          "AM id": p["am_id"], "AM pod": p["am_pod"], "fell off": p["fell_off"].map(
                              {True: "yes", False: "no"}), "remedy": p["remedy"].fillna(""),
                          "refund (USD)": p["refund_cents"] / 100, "GP in horizon (USD)": p["gp_cents"] / 100})
    money = {c: "money" for c in frame.columns if "USD" in c}
    ints = {c: "int" for c in ("placement id", "month", "contract months", "recruiter id", "recruiter pod", "AM id",
                               "AM pod", "replication")}
    return Sheet("placements", frame, {**money, **ints})   # type: ignore[dict-item]


def statements_sheet(b: Batch) -> Sheet | None:
    st = b.table("statements")
    if st.empty:
        return None
    p = b.table("placements")
    front = [c for c in (*b.by, "scheme", "replication") if c in st.columns]
    if not p.empty:
        deals = p[[*front, "placement_id", "kind", "fee_cents", "monthly_gp_cents"]].rename(
            columns={"kind": "deal kind"})
        st = st.merge(deals, on=[*front, "placement_id"], how="left", sort=False)
    frame = pd.DataFrame({**{c: st[c] for c in front}, "person id": st["person_id"], "role": st["role"],
                          "pod": st["pod"], "month": st["month"], "line": st["kind"], "amount (USD)": st["cents"] / 100,
                          "placement id": st["placement_id"].astype("Int64"),   # ids, not 12.0 in a CSV
                          "rule": st["kind"].map(LINE_RULES).fillna("")})
    if "deal kind" in st:
        frame["deal kind"] = st["deal kind"].fillna("")
        frame["deal fee or monthly GP (USD)"] = (st["fee_cents"].fillna(0) + st["monthly_gp_cents"].fillna(0)).where(
            st["placement_id"].notna()) / 100
    kinds = {"amount (USD)": "money", "deal fee or monthly GP (USD)": "money", "person id": "int", "pod": "int",
             "month": "int", "placement id": "int", "replication": "int"}
    return Sheet("statements", frame, kinds, note="Every pay line; commission and clawback lines name their deal.")  # type: ignore[arg-type]


def payroll_sheets(b: Batch) -> Iterator[Sheet]:
    """Per scheme: one row per person and month, a column per line kind and the total to pay (USD)."""
    st = b.table("statements")
    if st.empty:
        return
    front = [c for c in (*b.by, "replication") if c in st.columns]
    for s in b.schemes:
        mine = st[st["scheme"] == s]
        if mine.empty:
            continue
        rows = [*front, "person_id", "role", "pod", "month"]
        wide = mine.pivot_table(index=rows, columns="kind", values="cents", aggfunc="sum", fill_value=0)
        kinds = [k for k in LINE_KINDS if k in wide.columns] + sorted(set(wide.columns) - set(LINE_KINDS))
        total = wide[kinds].sum(axis=1)   # in cents: a sum of dollars would carry float noise (9014.130000000001)
        wide = wide[kinds] / 100
        wide["total pay"] = total / 100
        wide = wide.reset_index().sort_values([*front, "month", "person_id"], kind="stable")
        wide.columns = [*front, "person id", "role", "pod", "month",
                        *[f"{k.replace('_', ' ')} (USD)" for k in kinds], "total pay (USD)"]
        money = {c: "money" for c in wide.columns if "USD" in c}
        yield Sheet(f"payroll {s}", wide.reset_index(drop=True),
                    {**money, "person id": "int", "pod": "int", "month": "int", "replication": "int"},  # type: ignore[dict-item]
                    note=f"Scheme {s}: what payroll pays each person each month.")


def pnl_sheet(b: Batch) -> Sheet | None:
    try:
        pnl = stored_annual_pnl(b.out)
    except (ValueError, OSError) as err:
        raise NotABatch(f"{b.out / 'monthly.parquet'}: cannot be read ({type(err).__name__}: {err})") from None
    if pnl.empty:
        return None
    if b.by:   # the swept keys beside each point, as in the other sheets
        pnl = pnl.merge(b.runs[b.by].drop_duplicates(), on="point", how="left")
    keys = [c for c in (*b.by, "scheme", "replication") if c in pnl.columns]
    group = [c for c in keys if c != "replication"]
    means = pnl.groupby([*group, "year"], sort=False).mean(numeric_only=True).reset_index()
    lines = [c for c in PNL if c in means.columns]
    by_name = {m.name: m for m in MONTHLY_METRICS}
    frame = means[[*group, "year", "months", *lines]].copy()
    frame["months"] = frame["months"].round().astype(int)   # the same in every replication: 12, not 12.0
    frame.columns = [*group, "year", "months", *[f"{by_name[c].label if c in by_name else c} (USD)" for c in lines]]
    money = {c: "money" for c in frame.columns if "USD" in c}
    return Sheet("annual P&L", frame, {**money, "year": "int", "months": "int"},  # type: ignore[dict-item]
                 note="Mean over replications of each year's sums; operating profit = gross profit - all pay - "
                      "hiring - payroll burden - overhead.")


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
        for v in value:
            yield from _flatten({k: x for k, x in v.items() if k != "name"}, f"{prefix}.{v['name']}")
    else:
        yield prefix, value if isinstance(value, int | float | str) or value is None else json.dumps(value)


def assumptions_sheet(b: Batch) -> Sheet:
    m = b.manifest
    facts = [("scenario", m.get("scenario")), ("scenario hash", m.get("scenario_hash")), ("seed", m.get("seed")),
             ("replications", m.get("replications")), ("runs", m.get("runs")), ("baseline", b.baseline),
             ("statements kept", m.get("statements", "first")),
             ("command line", " ".join(map(str, m.get("command_line") or []))),
             ("overrides (--set)", "; ".join(map(str, m.get("overrides") or []))), ("created", m.get("created")),
             ("cost matching (match_cost_of)", " ".join(cost_matching_lines(m)))]
    rows = [("run", k, v) for k, v in facts]
    rows += [("resolved scenario", k, v) for k, v in _flatten(shown_resolved(m))]
    frame = pd.DataFrame(rows, columns=["section", "setting", "value"])
    frame["value"] = frame["value"].map(lambda v: "" if v is None else str(v) if not isinstance(v, int | float) else v)
    frame["value"] = frame["value"].astype(object)
    return Sheet("assumptions", frame, {"value": "text"},
                 note="Every parameter used (the resolved scenario, every default filled) and how the batch was run.")


def all_sheets(b: Batch) -> list[Sheet]:
    sheets: list[Sheet | None] = [summary_sheet(b), runs_sheet(b), pnl_sheet(b), statements_sheet(b),
                                  *payroll_sheets(b), placements_sheet(b), assumptions_sheet(b)]
    return [s for s in sheets if s is not None]
