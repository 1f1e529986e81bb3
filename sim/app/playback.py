"""Watch the firm: one replication's stored trace, month by month, pods as groups of people.

:func:`frames` turns a replication's detail (``sim.model.run(..., detail=True)``: people, their
monthly trace, their statements) into compact JSON-ready frames, once; :func:`month_figure` draws
one month from them without re-simulating. Each person is a marker in their pod's column
(recruiters left, account managers right): its size is their effort, its colour their cooperation.
A line joins a recruiter and an account manager for each placement they were paid on together that
month (commission lines share a placement id; plans without commission, such as a team pool, pay
no such lines, so their links are not drawn and the page says so). A star marks a new hire, a red
cross someone leaving at the month's end. The model's column names are read here and nowhere else.

What does not change from month to month, the key to sizes, colours, lines and marks, is not in the
figure: the page draws it once beside it (:func:`sim.app.layout.firm_key`, from :data:`COLOURS`,
:data:`LINK` and :data:`MARKS`), so stepping a month redraws only the people, the lines and the title.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sim.app.figures import height
from sim.report.style import label

Figure = dict[str, Any]

# The model's trace columns this view reads (people, trace and statement rows of sim.model.run).
PERSON, ROLE, POD, SEAT, HIRED, LEFT = "person_id", "role", "pod", "seat", "hire_month", "exit_month"
MONTH, EFFORT, COOPERATION, PLACEMENT, KIND = "month", "effort", "cooperation", "placement_id", "kind"
PRODUCERS = ("recruiter", "account_manager")
COLOURS = [[0, "#b2182b"], [0.5, "#f7f7f7"], [1, "#2166ac"]]   # cooperation 0 (red) .. 1 (blue)
LINK = "rgba(60,60,60,0.45)"   # a line between two people placed together
MARKS = (("new", "hired", "star", "#1a9850"),   # (a frame's key, what the mark means, its symbol, its colour)
         ("leaving", "leaving at the month's end", "x", "#d7191c"))


def frames(detail: dict[str, Any], months: int) -> dict[str, Any]:
    """Frames of a replication's detail: who sat where, and per month each present person's effort and
    cooperation, hires, leavers and placement links (JSON-ready)."""
    people = [p for p in detail["people"] if p[ROLE] in PRODUCERS]
    seats: dict[tuple[int, str], list[int]] = defaultdict(list)
    for p in people:
        if p[SEAT] not in seats[(p[POD], p[ROLE])]:
            seats[(p[POD], p[ROLE])].append(p[SEAT])
    place = {}
    for p in people:
        column = sorted(seats[(p[POD], p[ROLE])])
        place[p[PERSON]] = (p[POD] * 3 + PRODUCERS.index(p[ROLE]), column.index(p[SEAT]))
    by_id = {p[PERSON]: p for p in people}
    per_month: list[dict[str, Any]] = [{"ids": [], "effort": [], "coop": [], "new": [], "leaving": [], "links": []}
                                       for _ in range(months)]
    first: dict[int, int] = {}
    for row in sorted(detail["trace"], key=lambda r: (r[MONTH], r[PERSON])):
        pid, t = row[PERSON], row[MONTH]
        if pid not in by_id or not 1 <= t <= months:
            continue
        f = per_month[t - 1]
        f["ids"].append(pid)
        f["effort"].append(round(float(row[EFFORT]), 3))
        f["coop"].append(round(float(row[COOPERATION]), 3))
        first.setdefault(pid, t)
        if t == first[pid] and by_id[pid][HIRED] > 0:
            f["new"].append(pid)
        if by_id[pid][LEFT] == t:
            f["leaving"].append(pid)
    paid: dict[tuple[int, int], set[int]] = defaultdict(set)
    for line in detail.get("statements", []):
        if line[KIND] == "commission" and line[PLACEMENT] is not None and line[PERSON] in by_id:
            paid[(line[MONTH], line[PLACEMENT])].add(line[PERSON])
    links: dict[int, Counter] = defaultdict(Counter)
    for (t, _placement), who in paid.items():
        pair = sorted(who, key=lambda i: by_id[i][ROLE] != "recruiter")
        if len(pair) == 2 and 1 <= t <= months:
            links[t][tuple(pair)] += 1
    for t, counted in links.items():
        per_month[t - 1]["links"] = [[a, b, n] for (a, b), n in sorted(counted.items())]
    pods = max((p[POD] for p in people), default=0) + 1
    return {"place": {str(k): v for k, v in place.items()}, "months": per_month, "pods": pods,
            "roles": {str(p[PERSON]): p[ROLE] for p in people}, "linked": bool(paid)}


def month_figure(fr: dict[str, Any], month: int, big: bool = False) -> Figure:
    """One month of the firm: people by pod and role, sized by effort, coloured by cooperation."""
    tick, title = (20, 28) if big else (12, 16)
    month = max(1, min(month, len(fr["months"]))) if fr["months"] else 1
    f = fr["months"][month - 1] if fr["months"] else {"ids": [], "effort": [], "coop": [], "new": [],
                                                      "leaving": [], "links": []}
    place = fr["place"]
    xy = [place[str(i)] for i in f["ids"]]
    lx: list[float | None] = []
    ly: list[float | None] = []
    for a, b, _n in f["links"]:
        if str(a) in place and str(b) in place:
            lx += [place[str(a)][0], place[str(b)][0], None]
            ly += [place[str(a)][1], place[str(b)][1], None]
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "x": lx, "y": ly, "name": "placed together this month",
         "line": {"color": LINK, "width": 2}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "x": [p[0] for p in xy], "y": [p[1] for p in xy],
         "name": "people (size: effort, colour: cooperation)",
         "marker": {"size": [10 + 22 * min(e, 1.6) for e in f["effort"]], "color": f["coop"], "cmin": 0, "cmax": 1,
                    "colorscale": COLOURS, "showscale": False, "line": {"color": "#000", "width": 1}},
         "text": [f"{fr['roles'][str(i)].replace('_', ' ')} {i}: effort {e:.2f}, cooperation {c:.2f}"
                  for i, e, c in zip(f["ids"], f["effort"], f["coop"], strict=True)],
         "hovertemplate": "%{text}<extra></extra>"}]
    for key, name, symbol, colour in MARKS:
        pts = [place[str(i)] for i in f[key] if str(i) in place]
        data.append({"type": "scatter", "mode": "markers", "x": [p[0] + 0.32 for p in pts], "y": [p[1] for p in pts],
                     "name": name, "marker": {"symbol": symbol, "size": 18 if big else 13, "color": colour,
                                              "line": {"color": "#000", "width": 1}}, "hoverinfo": "skip"})
    pods = fr["pods"]
    ticks = [x for p in range(pods) for x in (3 * p, 3 * p + 1)]
    names = [f"pod {p + 1} {r}" for p in range(pods) for r in ("recruiters", "AMs")]
    rows = max((p[1] for p in place.values()), default=0) + 1
    mean_coop = sum(f["coop"]) / len(f["coop"]) if f["coop"] else 0.0
    said = (f"{len(f['ids'])} people, mean cooperation {mean_coop:.2f}, {len(f['new'])} hired, "
            f"{len(f['leaving'])} leaving")
    heading = f"Month {month} of {len(fr['months'])}:<br>{label(said)}"   # two lines: one line was cut off
    layout = {"template": "none", "height": height("firm", big), "showlegend": False,
              "title": {"text": heading, "font": {"size": title - 6 if big else title}},
              "font": {"size": tick, "color": "#000"}, "margin": {"t": 2 * title + 20, "b": 40, "l": 30, "r": 10},
              "xaxis": {"tickvals": ticks, "ticktext": names, "range": [-0.6, 3 * pods - 1.4],
                        "tickfont": {"size": tick}, "showgrid": False, "zeroline": False, "fixedrange": True},
              "yaxis": {"range": [rows - 0.4, -0.6], "showticklabels": False, "showgrid": False, "zeroline": False,
                        "fixedrange": True}}
    return {"data": data, "layout": layout}
