"""What the app's web server lets in: local Host headers only, well-formed callbacks, never a 500.

* **DNS rebinding.** A page on another site can make a browser send requests to 127.0.0.1 under a
  hostname it controls; the Host header then names that site. Only ``127.0.0.1:PORT`` and
  ``localhost:PORT`` are served; anything else gets 421 Misdirected Request.
* **Huge bodies.** A body over ``MAX_BODY`` gets 413, whether it says its length or comes chunked
  (:func:`cap_bodies`: it is never read, or held, past the cap).
* **Forged callbacks.** A Dash callback request that is not the shape the page sends (not JSON, not
  an object, an output the app does not have) gets 400 before Dash reads it; values are checked by
  the callbacks themselves (:func:`sim.app.levers.parse`). Anything that still raises inside a
  callback request is logged and answered 400: a request the page sends never fails, so one that
  does was forged.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

LOG = logging.getLogger("teamsim.app")
CALLBACK = "/_dash-update-component"
MAX_BODY = 256 * 1024   # a callback of this page is a few kB


def _shape_ok(body: Any, outputs: set[str]) -> bool:
    if not isinstance(body, dict) or not isinstance(body.get("output"), str) or body["output"] not in outputs:
        return False
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("id"), str)
                                                  and isinstance(i.get("property"), str) for i in items):
            return False
    return isinstance(body.get("changedPropIds", []), list)


def cap_bodies(server: Flask, limit: int) -> None:
    """Read no request body past ``limit`` bytes. A chunked body has no Content-Length to refuse it by;
    Flask's MAX_CONTENT_LENGTH stops reading there but then truncates silently, so it is set one byte
    past the cap and :func:`too_large` tells a longer body by its length."""
    server.config["MAX_CONTENT_LENGTH"] = limit + 1


def too_large(limit: int) -> bool:
    """Whether this request's body is over ``limit`` bytes (read, at most one byte past it, and cached for
    the handler)."""
    return (request.content_length or 0) > limit or len(request.get_data()) > limit


def install(server: Flask, port_of: Any, outputs_of: Any) -> None:
    """Add the checks to ``server``; ``port_of()`` gives the bound port, ``outputs_of()`` the callback outputs."""
    cap_bodies(server, MAX_BODY)

    @server.before_request
    def _check() -> Response | None:
        port = port_of()
        if request.host not in {f"127.0.0.1:{port}", f"localhost:{port}"}:
            return Response("teamsim app: this server answers only to 127.0.0.1 and localhost\n", 421,
                            mimetype="text/plain")
        if too_large(MAX_BODY):
            return Response("request too large\n", 413, mimetype="text/plain")
        if request.path == CALLBACK:
            if request.method != "POST":
                return Response("callbacks are POSTed\n", 405, mimetype="text/plain")
            if not _shape_ok(request.get_json(silent=True), outputs_of()):
                return Response("not a callback of this page\n", 400, mimetype="text/plain")
        return None

    @server.errorhandler(Exception)
    def _failed(err: Exception) -> Any:
        if isinstance(err, HTTPException):
            return err
        if request.path == CALLBACK:
            LOG.warning("refused a callback request that failed: %s: %s", type(err).__name__, err)
            return Response("bad callback request\n", 400, mimetype="text/plain")
        LOG.error("request to %s failed", request.path, exc_info=err)
        return Response("teamsim app: internal error (see the terminal)\n", 500, mimetype="text/plain")
