"""Section 6: explain a person. Month-by-month statements that finance can tie to the payout totals.

Statements and traces are stored for the first replication by default (``--statements``); the
section explains the first stored one. For each scheme up to four people are picked from it (the top
producer, the longest-serving quitter, the longest-serving new hire and, under promotion from within,
the first promoted during the run); each gets a table of credited gross profit, pay lines by kind, pay
against the peer median, effort and cooperation, with a check that the lines add up to the pay on
record. A firm-wide tie-out compares every statement line of the replication with the run's commission
and base pay.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from sim.comp import LINE_KINDS, LINE_RULES
from sim.report.data import producers
from sim.report.style import fmt


def pick_people(people: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """(why picked, person row) for the top producer, someone who quit, a new hire and someone promoted to
    pod lead, where they exist."""
    p = producers(people)
    if p.empty:
        return []
    chosen: list[tuple[str, pd.Series]] = []
    top = p.sort_values(["credited_gp_cents", "person_id"], ascending=[False, True]).iloc[0]
    chosen.append(("top producer", top))
    rest = p[p["person_id"] != top["person_id"]]
    quitters = rest[rest["exit_reason"] == "quit"].sort_values(["months_employed", "person_id"],
                                                               ascending=[False, True])
    if not quitters.empty:
        chosen.append(("someone who quit", quitters.iloc[0]))
        rest = rest[rest["person_id"] != quitters.iloc[0]["person_id"]]
    # hire_month 0 = employed before the run started; a new hire started during it.
    hires = rest[rest["hire_month"] > 0].sort_values(["months_employed", "person_id"], ascending=[False, True])
    if not hires.empty:
        chosen.append(("a new hire", hires.iloc[0]))
    if "promotion_reason" in people:   # promoted people are leads now, not producers
        promoted = people[people["promotion_reason"].notna() & (people["months_employed"] > 0)]
        # The first promoted during the run (months as a producer, then as a lead), else one at the start.
        promoted = promoted.assign(at_start=promoted["promoted_month"] == 0)
        if not promoted.empty:
            first = promoted.sort_values(["at_start", "promoted_month", "person_id"]).iloc[0]
            chosen.append(("someone promoted", first))
    return chosen


def _promotion(person: pd.Series) -> str:
    """What a person's promotion was, if they had one."""
    reason = person.get("promotion_reason")
    if reason is None or pd.isna(reason):
        return ""
    month = int(person["promoted_month"])
    when = "at the start of the run" if month == 0 else f"at the end of month {month}"
    was = html.escape(str(person["promoted_from"]).replace("_", " "))
    return (f"Promoted from {was} to pod lead {when}, by {html.escape(str(reason))}; their seat was hired like "
            "any other vacancy, and from then on they are paid as a lead (a lead's cooperation sets the pod's "
            "climate: docs/model.md, \"Promotion from within\"). ")


def _why_left(person: pd.Series, trace: pd.DataFrame, market_pay: dict[str, Any]) -> str:
    reason = person.get("exit_reason")
    if pd.isna(reason) or not reason:
        return "Still employed at the end of the horizon."
    month = int(person["exit_month"])
    if reason != "quit":
        return f"Left at the end of month {month}: {html.escape(str(reason))}."
    last = trace.tail(3)
    pay = last["pay_cents"].mean() / 100
    peer = last["peer_median_pay_cents"].mean() / 100
    market = float(market_pay.get(str(person["role"]), float("nan")))
    bits = [f"over their last {len(last)} month(s) pay averaged {fmt(pay, '$')}"]
    if peer > 0:
        bits.append(f"{pay / peer:.0%} of the peer median ({fmt(peer, '$')})")
    if market == market and market > 0:
        bits.append(f"{pay / market:.0%} of the market reference ({fmt(market, '$')})")
    if len(last):
        bits.append(f"their cooperation was {last['cooperation'].iloc[-1]:.2f}")
    tenure = int(person["tenure_at_start"]) + int(person["months_employed"])
    if tenure < 12:
        bits.append(f"they were in their first year ({tenure} months), when the quit hazard is higher")
    return (f"Quit at the end of month {month}: " + "; ".join(bits) + ". The model draws quits from a monthly "
            "hazard that rises with pay below peers and the market and with a poor pod climate (docs/model.md, "
            "turnover): these are the drivers at the time, not a certain cause.")


def statement_table(person: pd.Series, lines: pd.DataFrame, trace: pd.DataFrame) -> str:
    """Month-by-month statement of one person; the last row totals the lines and ties them to pay on record."""
    kinds = [k for k in LINE_KINDS if (lines["kind"] == k).any()] + sorted(set(lines["kind"]) - set(LINE_KINDS))
    by_kind = lines.pivot_table(index="month", columns="kind", values="cents", aggfunc="sum", fill_value=0)
    placed = lines.dropna(subset=["placement_id"]).groupby("month")["placement_id"].nunique()
    t = trace.set_index("month")
    # Pool lines name no placement: the count is only shown where lines carry placement ids.
    count = (lambda m: f"<td>{int(placed.get(m, 0))}</td>") if len(placed) else (lambda m: "")
    head = ("<tr><th>month</th><th>credited GP</th>" + ("<th>placements on lines</th>" if len(placed) else "")
            + "".join(f"<th>{html.escape(k)}</th>" for k in kinds)
            + "<th>total pay</th><th>peer median pay</th><th>pay vs peers</th><th>effort</th><th>cooperation</th></tr>")
    rows = []
    months = sorted(set(t.index) | set(by_kind.index))
    for m in months:
        cents = {k: int(by_kind.loc[m, k]) if m in by_kind.index and k in by_kind else 0 for k in kinds}
        total = sum(cents.values())
        tr = t.loc[m] if m in t.index else None
        peer = float(tr["peer_median_pay_cents"]) if tr is not None else float("nan")
        vs = f"{total / peer:.0%}" if peer and peer == peer else "n/a"
        pay = "".join(f"<td>{cents[k] / 100:,.2f}</td>" for k in kinds) + f"<td>{total / 100:,.2f}</td>"
        if tr is None:
            rows.append(f"<tr><td>{m}</td><td>n/a</td>{count(m)}{pay}<td colspan='4'></td></tr>")
            continue
        rows.append(f"<tr><td>{m}</td><td>{fmt(tr['credited_gp_cents'] / 100, '$')}</td>{count(m)}"
                    f"{pay}<td>{fmt(peer / 100, '$')}</td><td>{vs}</td><td>{tr['effort']:.2f}</td>"
                    f"<td>{tr['cooperation']:.2f}</td></tr>")
    line_total = int(lines["cents"].sum())
    record = int(person["pay_cents"])
    ok = line_total == record
    tie = (f"<p class='tie {'ok' if ok else 'bad'}'>Sum of statement lines ${line_total / 100:,.2f} "
           f"{'equals' if ok else 'DOES NOT equal'} pay on record ${record / 100:,.2f} (people.parquet, pay_cents"
           f" = {record}).</p>")
    totals = "".join(f"<td>{int(lines.loc[lines['kind'] == k, 'cents'].sum()) / 100:,.2f}</td>" for k in kinds)
    blank = "<td></td>" if len(placed) else ""
    foot = (f"<tr class='total'><th>total</th><td></td>{blank}{totals}<td>{line_total / 100:,.2f}</td>"
            "<td colspan='4'></td></tr>")
    rules = "; ".join(f"<b>{html.escape(k)}</b>: {html.escape(LINE_RULES[k])}" for k in kinds if k in LINE_RULES)
    legend = f"<p class='rules'>Each line's rule: {rules}.</p>" if rules else ""
    return (f"<table class='statement'><thead>{head}</thead><tbody>{''.join(rows)}{foot}</tbody></table>"
            f"{legend}{tie}")


def tie_out(runs: pd.DataFrame, statements: pd.DataFrame, schemes: list[str], replication: int = 0) -> str:
    """Per scheme: every statement line of ``replication`` against the run's commission + base pay."""
    rows = []
    for s in schemes:
        run = runs[(runs["scheme"] == s) & (runs["replication"] == replication)]
        st = statements[statements["scheme"] == s]
        if run.empty or st.empty:
            continue
        lines = int(st["cents"].sum())
        paid = round(float(run["commission_paid"].iloc[0]) * 100) + round(float(run["base_pay"].iloc[0]) * 100)
        rows.append(f"<tr><th>{html.escape(s)}</th><td>{lines / 100:,.2f}</td><td>{paid / 100:,.2f}</td>"
                    f"<td class='{'ok' if lines == paid else 'bad'}'>{(lines - paid) / 100:,.2f}</td></tr>")
    return ("<table class='summary tieout'><thead><tr><th>scheme</th>"
            f"<th>all statement lines, replication {replication} ($)</th>"
            "<th>commission + base pay in runs.parquet ($)</th><th>difference</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def section(runs: pd.DataFrame, people: pd.DataFrame, statements: pd.DataFrame, trace: pd.DataFrame,
            schemes: list[str], market_pay: dict[str, Any]) -> str:
    if statements.empty or trace.empty:
        return ("<p>No statements were stored with these results (<code>--statements</code> keeps them for the "
                "first replication by default, for every run with <code>all</code>, for none with "
                "<code>none</code>).</p>")
    # With --statements all every replication has statements: the section explains the first one.
    first = int(statements["replication"].min())
    statements = statements[statements["replication"] == first]
    trace = trace[trace["replication"] == first]
    parts = [f"<p>Replication {first} of each scheme. Amounts in dollars and cents, exactly as paid.</p>",
             tie_out(runs[runs["replication"] == first], statements, schemes, first)]
    rep0 = people[people["replication"] == first]
    for s in schemes:
        picks = pick_people(rep0[rep0["scheme"] == s])
        for why, person in picks:
            pid = int(person["person_id"])
            lines = statements[(statements["scheme"] == s) & (statements["person_id"] == pid)]
            tr = trace[(trace["scheme"] == s) & (trace["person_id"] == pid)].sort_values("month")
            role = html.escape(str(person["role"]).replace("_", " "))
            ctype = html.escape(str(person["cooperation_type"]))
            parts.append(f"<details class='person' open><summary><b>{html.escape(s)}</b>: {why}, person {pid} "
                         f"({role}, pod {int(person['pod'])}, {ctype}"
                         f"; {int(person['placements'])} placements, credited GP "
                         f"{fmt(person['credited_gp_cents'] / 100, '$')})</summary>"
                         f"<p>{_promotion(person)}{_why_left(person, tr, market_pay)}</p>"
                         f"{statement_table(person, lines, tr)}</details>")
    return "".join(parts)
