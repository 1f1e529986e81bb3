"""The Dash server: callbacks that turn lever values into a Run, the shared session, a clean start and stop.

Bound to 127.0.0.1 only, on a free port chosen by the operating system and printed; requests must name
127.0.0.1 or localhost with that port (:mod:`sim.app.guard`). Dash serves its JavaScript from the
installed package (``serve_locally``), so the page works with no internet. A Run is validated by
:func:`sim.app.levers.parse` and the scenario schema, started in the background (:mod:`sim.app.runner`)
and stored in the session (:mod:`sim.app.session`) when it ends; every open page polls the session's
version and redraws, so tabs and browsers agree. Ctrl-C or SIGTERM stops the server and terminates
the workers.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from flask import Response, abort

from sim.app import figures, guard, layout, playback
from sim.app.levers import (
    LEVERS,
    NAMES,
    Caps,
    Forged,
    build_scenario,
    check_rounds,
    control_value,
    defaults,
    label,
    live,
    parse,
    problems_by_lever,
)
from sim.app.runner import Job, Runner
from sim.app.session import Session, fingerprint
from sim.app.terms import plan_type, scenario_mapping, scheme_mapping
from sim.scenario import Scenario, ScenarioError, read_yaml, validate

ASSETS = Path(__file__).with_name("assets")
FAST, SLOW = 100, 1000   # ms between polls while a run is in progress, and otherwise
CHARTS = {"results": "fig-results", "changes": "fig-changes", "months": "fig-monthly"}   # view -> its chart
QUICK = 0.4   # s a Run request waits for its result before leaving the rest to the polls


class Workshop:
    """One scenario's app: its validated scenario, caps, worker pool and session."""

    def __init__(self, scenario: Scenario, runner: Runner, session: Session, caps: Caps, replications: int | None,
                 present: bool = False):
        self.scenario, self.runner, self.session, self.caps = scenario, runner, session, caps
        asked = scenario.replications if replications is None else replications   # None: the file's, as the CLI's
        self.replications = min(asked, caps.replications)
        self.present = present
        self.port = 0
        self.last: dict[str, Any] = {}   # what the last finished job was (status line for every tab)
        self._frames: dict[int, dict[str, Any]] = {}
        self._own = {s.name: defaults(scenario, s.name) for s in scenario.schemes}   # each scheme as the file has it

    def shown(self, big: bool) -> tuple[list[dict[str, Any]], dict[str, Any] | None, list[dict[str, Any]]]:
        """(every run labelled, the baseline run, the runs drawn: baseline + the newest few)."""
        runs = self.session.runs()
        pin = self.session.baseline()
        base = next((r for r in runs if r["n"] == pin), None)
        for r in runs:
            own = self._own.get(r["levers"].get("scheme"))
            r["label"] = label(r["levers"], base["levers"] if base else None, r["n"], r["n"] == pin, own)
        others = [r for r in runs if r["n"] != pin][-layout.SHOWN:]
        return runs, base, ([base] if base else []) + others

    def finished(self, job: Job, levers: dict[str, Any], round_: int | None = None,
                 prediction: str | None = None, terms: dict[str, Any] | None = None) -> None:
        """Store a finished job's run (in the runner's thread) with the plan terms it ran under, as
        validated; cancelled or failed runs are not stored."""
        if job.cancelled:
            self.last = {"text": f"Run cancelled after {job.done} of {job.total} replications."}
        elif job.error or not job.summary:
            self.last = {"text": f"The run failed: {job.error}"}
        elif job.summary["errors"]:
            self.last = {"text": "The run failed: " + "; ".join(job.summary["errors"][:3])}
        else:
            n = self.session.add(levers, {**job.summary, "seconds": job.seconds, "terms": terms}, round_, prediction)
            self.last = {"text": f"Run {n}: {job.summary['replications']} replications in {job.seconds:.1f} s."}

    def playback(self, run: dict[str, Any]) -> dict[str, Any]:
        """The frames of a run's first replication: stored in the session once made (one detailed run)."""
        n = run["n"]
        if n not in self._frames:
            stored = self.session.playback(n)
            if stored is None:
                scenario = build_scenario(self.scenario, run["levers"])
                stored = playback.frames(self.runner.detail(scenario, 0), scenario.horizon_months)
                self.session.store_playback(n, stored)
            self._frames[n] = stored
        return self._frames[n]

    def initial(self) -> dict[str, Any]:
        """Lever values a page opens with: the latest run's (so a reload keeps them), else the file's; a lever
        the run did not record (a session from before the lever existed) takes its scheme's own value."""
        runs = self.session.runs()
        if runs and runs[-1]["levers"].get("scheme") in [s.name for s in self.scenario.schemes]:
            last = runs[-1]["levers"]
            return {**defaults(self.scenario, last["scheme"], self.replications), **last}
        return defaults(self.scenario, None, self.replications)


def _lever_outputs(prop: str) -> list[Output]:
    return [Output(lv.name, prop) for lv in LEVERS]


def create_app(w: Workshop, title: str) -> Dash:
    """The Dash app for one validated scenario; runs go to ``w.runner``."""
    app = Dash(__name__, serve_locally=True, title="teamsim workshop", update_title=None,
               assets_folder=str(ASSETS), suppress_callback_exceptions=False)
    sc = w.scenario
    app.layout = lambda: layout.page(title, sc, w.initial(), w.caps, w.present)
    server = app.server
    guard.install(server, lambda: w.port, lambda: set(app.callback_map))

    @server.route("/_teamsim/health")
    def _health() -> Response:
        return Response('{"ok": true}', mimetype="application/json", headers={"Cache-Control": "no-store"})

    @server.route("/_teamsim/handout")
    def _handout() -> Response:
        from sim.app.export import handout

        runs, base, shown = w.shown(False)
        page = handout(sc, runs, base, shown)
        (w.session.path.parent / "handout.html").write_text(page, encoding="utf-8")
        return Response(page, mimetype="text/html",
                        headers={"Content-Disposition": "attachment; filename=handout.html"})

    ws = sc.workshop
    round_io = ([Input("round-prev", "n_clicks"), Input("round-next", "n_clicks"), Input("round-apply", "n_clicks"),
                 State("round", "data")] if ws else [])
    round_out = ([Output("round", "data"), Output("round-question", "children"), Output("round-prompt", "children"),
                  Output("round-count", "children"), Output("prediction", "value")] if ws else [])

    @app.callback(Output("scheme", "value"), *_lever_outputs("value"), *_lever_outputs("disabled"), *round_out,
                  Input("scheme", "value"), *round_io, prevent_initial_call=True)
    def _levers(scheme: Any, *nav: Any) -> list[Any]:
        """A scheme's own values when the scheme changes; a round's scheme and levers when the script moves."""
        trigger = ctx.triggered_id
        extra: list[Any] = []
        if ws and trigger in ("round-prev", "round-next", "round-apply"):
            current = nav[3]
            if not isinstance(current, int) or isinstance(current, bool) or not 0 <= current < len(ws.rounds):
                abort(400)
            i = max(0, min(len(ws.rounds) - 1, current + {"round-prev": -1, "round-next": 1}.get(trigger, 0)))
            r = ws.rounds[i]
            values = {**defaults(sc, r.scheme, w.replications), **r.levers}
            extra = [i, r.question, r.prompt, f"Round {i + 1} of {len(ws.rounds)}", "" if i != current else no_update]
            out_scheme: Any = r.scheme
        else:
            if not isinstance(scheme, str) or scheme not in [s.name for s in sc.schemes]:
                abort(400)
            values = defaults(sc, scheme, w.replications)
            extra = [no_update] * len(round_out)
            out_scheme = no_update
        scheme_terms = scheme_mapping(sc.scheme(values["scheme"]))
        return [out_scheme, *(control_value(lv, values[lv.name]) for lv in LEVERS),
                *(not live(lv, scheme_terms, values) for lv in LEVERS), *extra]

    for switch in sorted({lv.needs for lv in LEVERS if lv.needs}):
        needing = [lv for lv in LEVERS if lv.needs == switch]

        @app.callback(*(Output(lv.name, "disabled", allow_duplicate=True) for lv in needing),
                      Input(switch, "value"), State("scheme", "value"), prevent_initial_call=True)
        def _switched(on: Any, scheme: Any, switch: str = switch, needing: list = needing) -> list[bool]:
            """A lever whose switch is off (pod lead pay without pod leads) is disabled: it would move nothing."""
            if not isinstance(scheme, str) or scheme not in [s.name for s in sc.schemes]:
                abort(400)
            terms = scheme_mapping(sc.scheme(scheme))
            return [not live(lv, terms, {switch: on}) for lv in needing]

    problem_outputs = [Output(f"problem-{lv.name}", "children") for lv in LEVERS]

    drawing = [("fig-results", "figure"), ("fig-changes", "figure"), ("fig-monthly", "figure"),
               ("history-table", "children"), ("baseline", "options"), ("baseline", "value"), ("watch", "options"),
               ("watch", "value"), *([("round-results", "children")] if ws else []), ("drawn", "data")]
    undrawn = [no_update] * len(drawing)

    def charts(view: Any, present: Any) -> list[Any]:
        """The three charts, only the one on show drawn (the browser renders each figure it is sent, hidden
        or not; a view shown later is drawn when it is chosen)."""
        big = bool(present)
        _runs, base, shown = w.shown(big)
        make = {"results": lambda: figures.results_figure(shown, big),
                "changes": lambda: figures.differences_figure(shown, base, big),
                "months": lambda: figures.monthly_figure(shown, big)}
        return [make[v]() if v == view else no_update for v in CHARTS]

    def draw(present: Any, watched: Any, view: Any) -> list[Any]:
        """Every view of the session's runs as it now stands (the chart on show), and the version drawn."""
        version = w.session.version()
        runs, base, _shown = w.shown(bool(present))
        options = [{"label": f"run {r['n']}: {r['label']}", "value": r["n"]} for r in reversed(runs)]
        keep = watched if watched in {r["n"] for r in runs} else (runs[-1]["n"] if runs else None)
        return [*charts(view, present), layout.history_table(runs, base["n"] if base else None),
                options, base["n"] if base else None, options, keep if keep != watched else no_update,
                *([layout.round_table(sc, runs, base)] if ws else []), version]

    @app.callback(Output("job", "data"), Output("problems", "children"), *problem_outputs,
                  Output("tick", "interval", allow_duplicate=True), Output("status", "children", allow_duplicate=True),
                  Output("seen", "data", allow_duplicate=True), *(Output(*o, allow_duplicate=True) for o in drawing),
                  Input("run", "n_clicks"), State("view", "value"), State("present", "value"), State("watch", "value"),
                  State("scheme", "value"),
                  *(State(n, "value") for n in NAMES), *([State("round", "data"), State("prediction", "value")] if ws
                                                         else []), prevent_initial_call=True)
    def _run(_clicks: Any, view: Any, present: Any, watched: Any, scheme: Any, *values: Any) -> list[Any]:
        """Start a Run; one that ends within QUICK comes back drawn in this same answer (no second round trip)."""
        try:
            levers, problems = parse({"scheme": scheme, **dict(zip(NAMES, values[:len(NAMES)], strict=True))}, sc,
                                     w.caps)
            tag = _round_tag(view, *values[len(NAMES):]) if ws else (None, None)
        except Forged:
            abort(400)
        scenario = None
        if not problems:
            try:
                scenario = build_scenario(sc, levers)
            except ScenarioError as err:
                problems = problems_by_lever(err, levers, plan_type(sc.scheme(levers["scheme"])))
        lines = [problems.get(lv.name, "") for lv in LEVERS]
        if scenario is None:
            return [no_update, problems.get("", "Not run: fix the values marked in red."), *lines, no_update,
                    "Not run: fix the values marked in red.", no_update, *undrawn]
        terms = scheme_mapping(scenario.schemes[0])
        job = w.runner.start(scenario, lambda j: w.finished(j, levers, *tag, terms=terms))
        if job is None:
            return [no_update, "", *lines, FAST, "A run is already in progress: wait for it or press Cancel.",
                    no_update, *undrawn]
        if job.finished.wait(QUICK):   # a workshop-sized run answers at once, drawn, without waiting for a poll
            views = draw(present, watched, view)
            return [job.ident, "", *lines, SLOW, w.last.get("text", ""), views[-1], *views]
        return [job.ident, "", *lines, FAST, f"Running: 0 of {job.total} replications...", no_update, *undrawn]

    @app.callback(Output("status", "children", allow_duplicate=True), Input("cancel", "n_clicks"),
                  prevent_initial_call=True)
    def _cancel(_clicks: Any) -> str:
        return "Cancelling: the replications in flight finish, nothing more starts." if w.runner.cancel() else no_update

    @app.callback(Output("progress", "value"), Output("progress", "max"), Output("status", "children"),
                  Output("run", "disabled"), Output("cancel", "disabled"), Output("tick", "interval"),
                  Output("seen", "data"), Input("tick", "n_intervals"), State("seen", "data"), State("job", "data"))
    def _tick(_n: Any, seen: Any, mine: Any) -> list[Any]:
        job = w.runner.job
        version = w.session.version()
        fresh = version if version != seen else no_update
        if job is not None and not job.finished.is_set():
            return [job.done, max(job.total, 1), f"Running: {job.done} of {job.total} replications...",
                    True, False, FAST, fresh]
        status = w.last.get("text", no_update) if job is not None else no_update
        if status is not no_update and mine != job.ident and fresh is no_update:
            status = no_update   # a run another tab started: its result shows through the redraw
        done = job.total if job is not None and not job.cancelled else 0
        return [done, max(job.total if job else 1, 1), status, False, True, SLOW, fresh]

    @app.callback(*(Output(*o) for o in drawing), Input("seen", "data"), Input("present", "value"),
                  State("watch", "value"), State("view", "value"), State("drawn", "data"))
    def _draw(version: Any, present: Any, watched: Any, view: Any, drawn: Any) -> list[Any]:
        """Redraw on a new session version (another tab's run, a pin) or the presenter toggle; a version this
        page already drew (its own Run's answer) is not drawn again."""
        if ctx.triggered_id == "seen" and version == drawn and version != -1:
            raise PreventUpdate
        return draw(present, watched, view)

    @app.callback(Output("firm-figs", "data"), Output("month", "max"), Output("month", "value", allow_duplicate=True),
                  Output("firm-note", "children"), Input("watch", "value"), Input("present", "value"),
                  prevent_initial_call=True)
    def _load(n: Any, present: Any) -> list[Any]:
        """Every month's figure of the run's first replication, sent once: playback then draws in the browser."""
        if n is None:
            return [[], 2, 1, "Run something first: the firm of its first replication plays here."]
        fr = w.playback(_known_run(n))
        unlinked = "This plan pays no commission per placement, so who placed with whom is not drawn."
        note = "" if fr["linked"] else unlinked
        figs = [playback.month_figure(fr, m, bool(present)) for m in range(1, len(fr["months"]) + 1)]
        return [figs, max(len(figs), 2), 1, note]

    @app.callback(Output("play-tick", "disabled"), Input("play", "n_clicks"), Input("pause", "n_clicks"),
                  prevent_initial_call=True)
    def _play(_play: Any, _pause: Any) -> bool:
        return ctx.triggered_id != "play"

    app.clientside_callback(   # one hop from Step, a play tick or the slider to the month drawn
        """function (step, tick, month, figs) {
             var none = window.dash_clientside.no_update;
             if (!figs || !figs.length) { return [none, none]; }
             var m = Math.max(1, Math.min(month || 1, figs.length));
             var by = window.dash_clientside.callback_context.triggered.map(function (t) { return t.prop_id; });
             if (by.indexOf('step.n_clicks') >= 0 || by.indexOf('play-tick.n_intervals') >= 0) {
               if (m >= figs.length) { return [none, none]; }
               m += 1;
               return [m, figs[m - 1]];
             }
             return [none, figs[m - 1]];
           }""", Output("month", "value", allow_duplicate=True), Output("fig-firm", "figure"),
        Input("step", "n_clicks"), Input("play-tick", "n_intervals"), Input("month", "value"),
        Input("firm-figs", "data"), prevent_initial_call=True)

    def _round_tag(view: Any, round_: Any, prediction: Any) -> tuple[int | None, str | None]:
        """(round, prediction) for a run started from the Script view; (None, None) otherwise."""
        if view != "script":
            return None, None
        if not isinstance(round_, int) or isinstance(round_, bool) or not 0 <= round_ < len(ws.rounds):
            raise Forged("no such round")
        if not isinstance(prediction, str | None) or len(prediction or "") > 500:
            raise Forged("prediction")
        return round_, (prediction or "").strip()

    def _known_run(n: Any) -> dict[str, Any]:
        if not isinstance(n, int) or isinstance(n, bool):
            abort(400)
        run = next((r for r in w.session.runs() if r["n"] == n), None)
        if run is None:
            abort(400)
        return run

    @app.callback(Output("seen", "data", allow_duplicate=True), Input("baseline", "value"), prevent_initial_call=True)
    def _pin(n: Any) -> Any:
        if n is None:
            return no_update
        if not isinstance(n, int) or isinstance(n, bool) or n not in {r["n"] for r in w.session.runs()}:
            abort(400)
        if n != w.session.baseline():
            w.session.pin(n)
        return no_update

    @app.callback(Output("page", "className"), *(Output(g, "style") for g in layout.GRAPHS), Input("present", "value"))
    def _present(present: Any) -> list[Any]:
        """Presenter mode: the page's class (large type) and every graph's height for its larger charts."""
        if not isinstance(present, list):
            abort(400)
        return ["page present" if present else "page", *(layout.graph_style(g, bool(present)) for g in layout.GRAPHS)]

    @app.callback(*(Output(f"view-{v}", "className") for v, _t in layout.VIEWS),
                  *(Output(f, "figure", allow_duplicate=True) for f in CHARTS.values()), Input("view", "value"),
                  State("present", "value"), prevent_initial_call="initial_duplicate")
    def _view(view: Any, present: Any) -> list[Any]:
        """Show one view; a chart view is drawn as it is chosen (the page's first draw is _draw's)."""
        if view not in {v for v, _t in layout.VIEWS}:
            abort(400)
        drawn = charts(view, present) if ctx.triggered_id == "view" else [no_update] * len(CHARTS)
        return ["view active" if v == view else "view" for v, _t in layout.VIEWS] + drawn

    return app


def _stop_on_sigterm(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def serve(file: Path, port: int = 0, workers: int = 2, replications: int | None = None, out: Path | None = None,
          present: bool = False, max_replications: int = 500) -> int:
    """Validate the file, start the pool and serve until Ctrl-C or SIGTERM; returns the exit code."""
    from werkzeug.serving import make_server

    raw, marks = read_yaml(file)
    scenario = validate(raw, str(file), marks)   # a bad file stops here with one line per problem
    check_rounds(scenario, str(file), Caps(replications=max_replications))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # no line per request in the room's terminal
    logging.basicConfig(level=logging.WARNING, format="teamsim app: %(message)s")
    folder = out or Path("reports") / scenario.name
    session = Session(folder, fingerprint(scenario_mapping(scenario)))
    if session.moved:
        print(f"teamsim app: {session.path} was for another scenario; kept as {session.moved}", file=sys.stderr)
    runner = Runner(workers)
    try:
        w = Workshop(scenario, runner, session, Caps(replications=max_replications), replications, present)
        app = create_app(w, f"teamsim workshop: {scenario.name}")
        server = make_server("127.0.0.1", port, app.server, threaded=True)
        server.daemon_threads = True   # a page's open request never holds the exit
        w.port = server.server_port
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:   # the address is printed inside: a Ctrl-C the moment it shows is a clean stop too
            print(f"teamsim app: http://127.0.0.1:{w.port}/ (Ctrl-C to stop); session in {session.path}", flush=True)
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            threading.Thread(target=server.server_close, daemon=True).start()
    finally:
        runner.close()
    print("teamsim app: stopped", file=sys.stderr, flush=True)
    return 0
