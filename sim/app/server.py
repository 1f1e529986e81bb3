"""The Dash server: callbacks that turn lever values into a Run, and a clean start and stop.

Bound to 127.0.0.1 only, on a free port chosen by the operating system and printed. Dash serves its
JavaScript from the installed package (``serve_locally``), so the page works with no internet.
Ctrl-C (or SIGTERM) stops the server and shuts the worker pool down.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, no_update

from sim.app import layout
from sim.app.levers import build_scenario, defaults, describe
from sim.app.runner import Runner
from sim.scenario import ScenarioError, read_yaml, validate

LEVERS = ("plan", "rate", "pool_rate", "pool_share", "split", "recruiters_per_pod", "account_managers_per_pod",
          "leaderboard", "partnership_time", "hiring_for_cooperation", "replications")


def create_app(raw: dict[str, Any], runner: Runner, source: str, replications: int = 20) -> Dash:
    """The Dash app for one scenario file (already read); runs go to ``runner``."""
    app = Dash(__name__, serve_locally=True, title="teamsim workshop", update_title=None)
    name = str(raw.get("name", Path(source).stem))
    app.layout = layout.page(f"teamsim workshop: {name}", defaults(raw, replications))

    @app.callback(Output("rate", "disabled"), Output("pool_rate", "disabled"), Output("pool_share", "disabled"),
                  Input("plan", "value"))
    def _enable(plan: str) -> tuple[bool, bool, bool]:
        return plan not in ("individual", "hybrid"), plan not in ("team_pool", "hybrid"), plan != "hybrid"

    @app.callback(Output("history", "data"), Output("problems", "children"), Output("status", "children"),
                  Input("run", "n_clicks"), State("history", "data"), *(State(k, "value") for k in LEVERS),
                  prevent_initial_call=True)
    def _run(clicks: int, history: list[dict[str, Any]], *values: Any) -> tuple[Any, str, str]:
        levers = dict(zip(LEVERS, values, strict=True))
        levers["leaderboard"] = bool(levers["leaderboard"])
        try:
            scenario = build_scenario(raw, levers, source)
        except ScenarioError as err:
            return no_update, "\n".join(str(p) for p in err.problems), "Not run: fix the values above."
        result = runner.run(scenario)
        if result["errors"]:
            return no_update, "\n".join(result["errors"]), "The runs failed."
        n = (history[-1]["n"] + 1) if history else 1
        entry = {"n": n, "label": describe(levers), **result}
        kept = (history + [entry])[-layout.HISTORY:]
        return kept, "", f"Run {n}: {result['replications']} replications in {result['seconds']:.1f} s."

    @app.callback(Output("fig-metrics", "figure"), Output("fig-monthly", "figure"), Output("history-table", "children"),
                  Input("history", "data"), prevent_initial_call=True)
    def _draw(history: list[dict[str, Any]]) -> tuple[Any, Any, Any]:
        return layout.metrics_figure(history), layout.monthly_figure(history), layout.history_table(history)

    return app


def _stop_on_sigterm(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def serve(file: Path, port: int = 0, workers: int = 2, replications: int = 20) -> int:
    """Validate the file, start the pool and serve until Ctrl-C; returns the exit code."""
    from werkzeug.serving import make_server

    raw, marks = read_yaml(file)
    validate(raw, str(file), marks)           # a bad file stops here with one line per problem
    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # no line per request in the room's terminal
    runner = Runner(workers)
    try:
        app = create_app(raw, runner, str(file), replications)
        server = make_server("127.0.0.1", port, app.server, threaded=True)
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        print(f"teamsim app: http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        runner.close()
    print("teamsim app: stopped", file=sys.stderr, flush=True)
    return 0
