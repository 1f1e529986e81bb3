"""``teamsim app FILE --play``: the room plays, from its own browsers (HubNet-like), over plain HTTP + JSON.

Pages are static files (``assets/play*``) that fetch JSON and write it with ``textContent``, so nothing a
player types is ever read as markup. Every request is checked before it reaches the room
(:mod:`sim.app.room`): the Host header must name the address the server was started on (DNS
rebinding), a POST is JSON of at most 4 kB validated by a strict pydantic model with caps, a player is
known by an HttpOnly SameSite=Strict cookie holding a random token, the facilitator by the key printed in
the terminal. Anything refused gets a JSON ``{"error": ...}`` with a 4xx status, never a traceback.
"""

from __future__ import annotations

import hmac
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Literal

from flask import Flask, Response, jsonify, request, send_file
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.exceptions import HTTPException

from sim.app.guard import cap_bodies, too_large
from sim.app.room import NAME_MAX, ROLES, Room, RoomError

LOG = logging.getLogger("teamsim.play")
ASSETS = Path(__file__).with_name("assets")
PAGES = {"/": "join", "/seat": "seat", "/host": "host"}   # assets/play_<page>.html inside assets/play_shell.html
FILES = {"play.js": "application/javascript", "play.css": "text/css"}
COOKIE = "teamsim_seat"
MAX_BODY = 4096


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class JoinRequest(_Request):
    code: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1, max_length=NAME_MAX * 2)
    role: Literal["recruiter", "account_manager"]
    pod: int = Field(ge=1, le=10_000)


class ChoiceRequest(_Request):
    round: int = Field(ge=1, le=1000)
    month: int = Field(ge=1, le=1200)
    effort: float = Field(ge=0, le=10, allow_inf_nan=False)
    share: bool


class HostRequest(_Request):
    key: str = Field(min_length=1, max_length=64)


def _error(status: int, message: str) -> Response:
    resp = jsonify(error=message)
    resp.status_code = status
    return resp


def _problems(err: ValidationError) -> str:
    """One line per problem: the field and what is wrong (never the value echoed back as markup)."""
    return "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'body'}: {e['msg']}" for e in err.errors())


def create_app(room: Room, hosts: set[str]) -> Flask:
    """The room's web app; ``hosts``: the Host header values it answers to (``name:port``)."""
    app = Flask("teamsim.play")
    cap_bodies(app, MAX_BODY)   # a chunked body too: it has no Content-Length to refuse it by
    lock = threading.Lock()

    def body(model: type[_Request]) -> Any:
        if request.mimetype != "application/json":
            raise RoomError("send JSON (Content-Type: application/json)")
        return model.model_validate_json(request.get_data(cache=False) or b"null")

    def player() -> str:
        token = request.cookies.get(COOKIE, "")
        if token not in room.players:
            raise PermissionError("you have no seat: join first")
        return token

    def host(key: str | None) -> None:
        if not key or not hmac.compare_digest(key.encode(), room.key.encode()):
            raise PermissionError("this is the facilitator's page: use the address printed in the terminal")

    @app.before_request
    def _guard() -> Response | None:
        if request.host not in hosts:
            return Response("teamsim: this server answers only to the address it printed\n", 421,
                            mimetype="text/plain")
        if too_large(MAX_BODY):
            return _error(413, "request too large")
        return None

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"   # the facilitator's key is in its page's address
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(Exception)
    def _failed(err: Exception) -> Response:
        if isinstance(err, ValidationError):
            return _error(400, _problems(err))
        if isinstance(err, RoomError):
            return _error(409, str(err))
        if isinstance(err, PermissionError):
            return _error(403, str(err))
        if isinstance(err, HTTPException):
            return _error(err.code or 400, err.name)
        LOG.error("request to %s failed", request.path, exc_info=err)
        return _error(500, "internal error (see the terminal)")

    shell = (ASSETS / "play_shell.html").read_text(encoding="utf-8")
    for path, page in PAGES.items():
        part = (ASSETS / f"play_{page}.html").read_text(encoding="utf-8")
        html = shell.replace("@PAGE@", page).replace("@BODY@", part)
        app.add_url_rule(path, f"page_{page}", lambda html=html: Response(html, mimetype="text/html"))

    @app.get("/assets/<name>")
    def _asset(name: str) -> Response:
        if name not in FILES:
            return _error(404, "Not Found")
        return send_file(ASSETS / name, mimetype=FILES[name])

    @app.get("/favicon.ico")
    def _icon() -> Response:
        return Response(status=204)

    @app.get("/_teamsim/health")
    def _health() -> Response:
        return jsonify(ok=True)

    @app.get("/api/room")
    def _room() -> Response:
        with lock:
            taken = [(p.pod, p.role) for p in room.players.values()]
            free = {f"{pod + 1}": {r: sum(1 for s in room.seats if s["pod"] == pod and s["role"] == r)
                                   - taken.count((pod, r)) for r in ROLES} for pod in range(room.pods)}
            return jsonify(pods=room.pods, per_pod=room.per_pod, roles=ROLES, free=free, state=room.state(),
                           players=len(room.players))

    @app.post("/api/join")
    def _join() -> Response:
        req = body(JoinRequest)
        if not hmac.compare_digest(req.code.strip().upper().encode(), room.code.encode()):
            raise RoomError("that is not this room's join code")
        with lock:
            token = room.join(req.name, req.role, req.pod)
        resp = jsonify(ok=True)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
        return resp

    @app.get("/api/me")
    def _me() -> Response:
        with lock:
            return jsonify(room.player_view(player()))

    @app.post("/api/choice")
    def _choice() -> Response:
        req = body(ChoiceRequest)
        with lock:
            room.choose(player(), req.round, req.month, req.effort, req.share)
        return jsonify(ok=True)

    @app.get("/api/host")
    def _host_view() -> Response:
        host(request.headers.get("X-Teamsim-Key"))
        with lock:
            return jsonify(room.host_view())

    @app.post("/api/host/advance")
    def _advance() -> Response:
        host(body(HostRequest).key)
        with lock:
            return jsonify(room.advance())

    return app


def check_host(host: str) -> str | None:
    """Why ``--host`` cannot be used (a wildcard address names no host to check), or None."""
    if host in {"0.0.0.0", "::", "[::]", ""}:
        return ("--host: give the address players will type (e.g. 192.168.1.20), not a wildcard: "
                "the Host header of every request is checked against it")
    return None


def _stop(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def serve_room(room: Room, host: str = "127.0.0.1", port: int = 0) -> int:
    """Serve the room until Ctrl-C or SIGTERM; prints the players' address, the join code and the
    facilitator's address."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.basicConfig(level=logging.WARNING, format="teamsim app: %(message)s")
    hosts: set[str] = set()
    app = create_app(room, hosts)
    server = make_server(host, port, app, threaded=True)
    server.daemon_threads = True
    bound = server.server_port
    name = f"[{host}]" if ":" in host else host
    hosts.update({f"{name}:{bound}"} | ({f"127.0.0.1:{bound}", f"localhost:{bound}"} if host == "127.0.0.1" else set()))
    signal.signal(signal.SIGTERM, _stop)
    try:
        print(f"teamsim app --play: players join at http://{name}:{bound}/ with code {room.code} "
              f"(up to {room.per_pod} players a pod; the model plays the other seats)", flush=True)
        print(f"teamsim app --play: facilitator: http://{name}:{bound}/host?key={room.key} (Ctrl-C to stop)",
              flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        threading.Thread(target=server.server_close, daemon=True).start()
    print("teamsim app: stopped", file=sys.stderr, flush=True)
    return 0
