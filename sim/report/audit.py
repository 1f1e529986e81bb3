"""What ran, from the manifest: the resolved values at the top of the page, and the audit trail.

The scenario file's description is the author's prose, written before any ``--set``: after
``--set firm.pods=20`` it may still say "10 pods". The page therefore states what ran from the
resolved scenario, lists the overrides, and shows the description only when no override was given.
"""

from __future__ import annotations

import html
from typing import Any

ROLE_WORDS = (("recruiters_per_pod", "recruiter", "recruiters"), ("account_managers_per_pod", "account manager",
                                                                  "account managers"))


def _plural(n: Any, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def what_ran(manifest: dict[str, Any]) -> str:
    """HTML: one sentence of the resolved firm, horizon and replications, then the overrides or the description."""
    r = manifest.get("resolved_scenario") or {}
    firm = r.get("firm") or {}
    pods = firm.get("pods")
    sides = " and ".join(_plural(firm.get(k), one, many) for k, one, many in ROLE_WORDS if firm.get(k) is not None)
    leads = "with a pod lead each" if firm.get("pod_leads") else "no pod leads"
    schemes = ", ".join(str(s) for s in manifest.get("schemes") or [])
    bits = [f"{_plural(pods, 'pod', 'pods')} of {sides} ({leads})" if pods is not None else "",
            _plural(r.get("horizon_months"), "month", "months") if r.get("horizon_months") else "",
            f"{_plural(manifest.get('replications'), 'replication', 'replications')} per scheme"
            if manifest.get("replications") else "", f"schemes {schemes}" if schemes else ""]
    sweep = manifest.get("sweep_keys") or []
    text = "What ran (resolved values): " + "; ".join(b for b in bits if b) + "."
    if sweep:
        text += f" A sweep varies {', '.join(map(str, sweep))}; the values above are the base scenario's."
    out = f"<p class='what-ran'>{html.escape(text)}</p>"
    overrides = [str(o) for o in manifest.get("overrides") or []]
    if overrides:
        codes = ", ".join(f"<code>{html.escape(o)}</code>" for o in overrides)
        out += (f"<p class='note'>Overrides given with <code>--set</code>: {codes}. The scenario file's description "
                "is not shown: it was written before these and may quote other values.</p>")
    elif r.get("description"):
        out += f"<p>{html.escape(str(r['description']))}</p>"
    matched = cost_matching_lines(manifest)
    if matched:
        lead = "Compared at equal cost: " if manifest.get("cost_matching") else "Cost matching: "
        out += f"<p class='note'>{lead}" + html.escape(" ".join(matched)) + "</p>"
    return out


def cost_matching_lines(manifest: dict[str, Any]) -> list[str]:
    """One sentence per cost-matched scheme (``match_cost_of``): the solved value, the two mean variable pays
    and the gap against its tolerance; then a scheme whose knob ``--set`` stated, or that was not solved."""
    lines = []
    for m in manifest.get("cost_matching") or []:
        line = (f"{m['scheme']}'s {m['key']} was solved to {m['value']:.9g} so that its mean variable pay "
                f"(${m['variable_pay']:,.2f} a run) equals {m['match_cost_of']}'s (${m['target_variable_pay']:,.2f}) "
                f"over replications 0-{m['replications'] - 1} (gap ${m['gap']:+,.2f}")
        if "tolerance" in m:
            se = f", {m['tolerance'] / m['standard_error']:.2g} of the paired difference's standard error of " \
                f"${m['standard_error']:,.2f}" if m.get("standard_error") and m["tolerance"] > 0.01 else ""
            line += (f", {'within' if m['matched'] else 'not within'} the tolerance of ${m['tolerance']:,.2f}{se}; "
                     f"{m['evaluations']} evaluations")
        line += ")"
        below, above = m.get("crossing") or (m["gap"], m["gap"])
        if above - below > 1.0:   # the last bracket: the curve's values either side of the target
            line += f"; the nearest values tried either side of the target gave ${below:+,.2f} and ${above:+,.2f}"
        lines.append(line + ".")
    lines += [f"Not cost-matched: {s}." for s in manifest.get("cost_matching_stated") or []]
    lines += [f"{name}'s match_cost_of was not solved by this command: it ran at its rate as written."
              for name in manifest.get("cost_matching_not_solved") or []]
    return lines


def audit_facts(manifest: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) rows of how the batch was run, for the assumptions section."""
    command = manifest.get("command_line")
    return [("command line", " ".join(map(str, command)) if command else "not recorded"),
            ("overrides (--set)", "; ".join(map(str, manifest.get("overrides") or [])) or "none"),
            ("statements kept", manifest.get("statements", "first")),
            ("cost matching (match_cost_of)", " ".join(cost_matching_lines(manifest)) or "none")]


def shown_resolved(manifest: dict[str, Any]) -> dict[str, Any]:
    """The resolved scenario as pages and exports show it: without the file's description when ``--set``
    overrides were given (it may quote values they changed; every value that ran is in the rest)."""
    resolved = dict(manifest.get("resolved_scenario") or {})
    if manifest.get("overrides") and resolved.get("description"):
        resolved["description"] = "(the scenario file's description is not shown: --set overrides were given)"
    return resolved
