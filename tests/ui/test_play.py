"""The room that plays (``teamsim app --play``): the room's rules and the request guard, over Flask's test
client (the browser test is test_play_browser.py), and the command's refusals."""

from __future__ import annotations

import http.client
from typing import Any

import pytest

from sim.app.play import COOKIE, create_app
from sim.app.room import Room, RoomError, money, pick_rounds
from sim.cli import main
from sim.scenario import load_scenario

from .app_server import PlayApp
from .conftest import WORKSHOP

HOST = "127.0.0.1:5000"


@pytest.fixture
def room() -> Room:
    sc = load_scenario(WORKSHOP, ["horizon_months=2"])
    return Room(sc, pick_rounds(sc, None), per_pod=2)


@pytest.fixture
def client(room: Room) -> Any:
    return create_app(room, {HOST}).test_client()


def _post(client: Any, path: str, body: Any, **kw: Any) -> Any:
    return client.post(path, json=body, headers={"Host": HOST}, **kw)


def _join(client: Any, room: Room, name: str, role: str = "recruiter", pod: int = 1) -> Any:
    return _post(client, "/api/join", {"code": room.code.lower(), "name": name, "role": role, "pod": pod})


def test_money_is_exact_from_cents() -> None:
    assert money(0) == "$0.00" and money(5) == "$0.05" and money(-123456789) == "-$1,234,567.89"


def test_rounds_default_to_individual_then_team_pool_and_names_are_checked() -> None:
    sc = load_scenario(WORKSHOP)
    assert pick_rounds(sc, None) == ["individual", "team_pool"]
    assert pick_rounds(sc, ["hybrid", "individual"]) == ["hybrid", "individual"]
    with pytest.raises(RoomError, match="no scheme named 'nope'"):
        pick_rounds(sc, ["individual", "nope"])


def test_room_plays_two_rounds_and_players_without_a_choice_get_the_model(room: Room) -> None:
    a = room.join("Ann", "recruiter", 1)
    b = room.join("Bo", "account_manager", 1)
    with pytest.raises(RoomError, match="pod 1 has its 2 players"):
        room.join("Cy", "recruiter", 1)
    with pytest.raises(RoomError, match="already called 'ann'"):
        room.join("  ann ", "recruiter", 2)
    room.choose(a, 1, 1, 1.4, True)
    with pytest.raises(RoomError, match="round 1 month 1 is being chosen"):
        room.choose(b, 1, 2, 1.0, True)
    with pytest.raises(RoomError, match="between 0.2 and 1.6"):
        room.choose(b, 1, 1, 3.0, True)
    room.advance()
    first = room.player_view(a)["history"][0]
    assert first["chosen_by"] == "you" and first["effort"] == 1.4 and first["cooperation"] == 1.0
    other = room.player_view(b)["history"][0]
    assert other["chosen_by"].startswith("the model") and other["effort"] == other["model_effort"]
    room.advance()
    assert room.state() == "between" and room.choosing() is None
    with pytest.raises(RoomError, match="no month is open"):
        room.choose(a, 2, 1, 1.0, False)
    room.advance()   # starts round 2 (the team pool)
    assert room.choosing() == (2, 1) and "Team pool" in room.current.label
    room.choose(a, 2, 1, 0.5, False)
    room.advance()
    room.advance()
    assert room.finished and room.state() == "finished"
    with pytest.raises(RoomError, match="game is over"):
        room.advance()
    view = room.player_view(a)
    assert [(h["round"], h["month"]) for h in view["history"]] == [(2, 2), (2, 1), (1, 2), (1, 1)]
    assert any(ln["label"] == "Team pool share" for ln in view["history"][0]["lines"])
    assert any(ln["label"].startswith("Commission") for h in view["history"][2:] for ln in h["lines"])
    for h in view["history"]:
        assert sum(ln["cents"] for ln in h["lines"]) == h["pay_cents"]
    summary = room.host_view()["rounds_summary"]
    assert [r["months"] for r in summary] == [2, 2]
    # The players' seats apart from the model's: their means are those of the players' own months.
    mine = [h for t in (a, b) for h in room.player_view(t)["history"] if h["round"] == 2 and not h["vacant"]]
    assert summary[1]["players_cooperation"] == pytest.approx(sum(h["cooperation"] for h in mine) / len(mine), abs=0.01)
    assert summary[1]["model_effort"] is not None
    assert room.player_view(a)["terms"].startswith("Base pay $4,000.00 a month, plus a team pool of 13%")


def test_guard_checks_host_body_types_and_caps(client: Any, room: Room) -> None:
    assert client.get("/", headers={"Host": "evil.example:5000"}).status_code == 421   # DNS rebinding
    assert client.get("/", headers={"Host": "127.0.0.1:5001"}).status_code == 421
    assert client.get("/", headers={"Host": HOST}).status_code == 200
    cases = [
        ({"code": room.code, "name": "A", "role": "recruiter"}, 400, "pod: Field required"),
        ({"code": room.code, "name": "A", "role": "pod_lead", "pod": 1}, 400, "role:"),
        ({"code": room.code, "name": "A", "role": "recruiter", "pod": "1"}, 400, "pod: Input should be a valid int"),
        ({"code": room.code, "name": "A", "role": "recruiter", "pod": True}, 400, "pod:"),
        ({"code": room.code, "name": "A", "role": "recruiter", "pod": 3}, 409, "pods 1 to 2"),
        ({"code": room.code, "name": "A", "role": "recruiter", "pod": 1, "admin": 1}, 400, "admin: Extra inputs"),
        ({"code": "WRONG", "name": "A", "role": "recruiter", "pod": 1}, 409, "not this room's join code"),
        ({"code": room.code, "name": "\u0007bell", "role": "recruiter", "pod": 1}, 409, "printable"),
        ([1, 2], 400, "Input should be an object"),
    ]
    for body, status, message in cases:
        resp = _post(client, "/api/join", body)
        assert resp.status_code == status, (body, resp.get_json())
        assert message in resp.get_json()["error"], (body, resp.get_json())
    resp = client.post("/api/join", data="code=X", headers={"Host": HOST},
                       content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 409 and "send JSON" in resp.get_json()["error"]
    resp = client.post("/api/join", data=b"{" * 5000, headers={"Host": HOST}, content_type="application/json")
    assert resp.status_code == 413
    resp = client.post("/api/join", data=b"{not json", headers={"Host": HOST}, content_type="application/json")
    assert resp.status_code == 400 and "Invalid JSON" in resp.get_json()["error"]
    # Without a seat, or with a forged token, nothing of a player's is reachable.
    assert client.get("/api/me", headers={"Host": HOST}).status_code == 403
    client.set_cookie(COOKIE, "forged", domain="127.0.0.1")
    assert client.get("/api/me", headers={"Host": HOST}).status_code == 403
    ok = _join(client, room, "Ann")
    cookie = ok.headers["Set-Cookie"]
    assert ok.status_code == 200 and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    me = client.get("/api/me", headers={"Host": HOST})
    assert me.status_code == 200 and me.get_json()["you"]["name"] == "Ann"
    for body, message in [({"round": 1, "month": 1, "effort": float("nan"), "share": True}, "finite number"),
                          ({"round": 1, "month": 1, "effort": 11, "share": True}, "less than or equal to 10"),
                          ({"round": 1, "month": 1, "effort": 1.0, "share": "yes"}, "share: Input should be a valid"),
                          ({"round": 1, "month": 1, "effort": 1.0}, "share: Field required")]:
        resp = client.post("/api/choice", data=_json(body), headers={"Host": HOST}, content_type="application/json")
        assert resp.status_code == 400 and message in resp.get_json()["error"], (body, resp.get_json())
    assert _post(client, "/api/choice", {"round": 1, "month": 1, "effort": 1.0, "share": True}).status_code == 200
    # The facilitator's calls need the printed key; a player's cookie is not enough.
    assert client.get("/api/host", headers={"Host": HOST}).status_code == 403
    assert client.get("/api/host", headers={"Host": HOST, "X-Teamsim-Key": "guess"}).status_code == 403
    assert _post(client, "/api/host/advance", {"key": "guess"}).status_code == 403
    assert _post(client, "/api/host/advance", {"key": room.key}).get_json() == {"played": 1, "round": 1}
    view = client.get("/api/host", headers={"Host": HOST, "X-Teamsim-Key": room.key}).get_json()
    assert view["code"] == room.code and view["players"][0]["name"] == "Ann"
    assert client.get("/nowhere", headers={"Host": HOST}).status_code == 404
    assert client.get("/assets/../play.py", headers={"Host": HOST}).status_code == 404
    page = client.get("/seat", headers={"Host": HOST})
    assert "default-src 'self'" in page.headers["Content-Security-Policy"] and b"<script" in page.data


def _json(body: Any) -> str:
    import json

    return json.dumps(body)   # allows NaN, which a hostile client may send


def test_command_refuses_what_it_cannot_serve_safely(capsys: pytest.CaptureFixture[str]) -> None:
    for args, message in [(["--play", "--host", "0.0.0.0"], "not a wildcard"),
                          (["--host", "192.168.1.20"], "go with --play"),
                          (["--play", "--rounds", "individual,nope"], "no scheme named 'nope'"),
                          (["--play", "--players-per-pod", "7"], "a pod has 6 seats"),
                          (["--play", "--months", "121"], "at most 120")]:
        assert main(["app", str(WORKSHOP), *args]) == 2, args   # refused before anything listens
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, (args, err)


def test_an_explicit_host_is_printed_and_is_the_only_name_answered() -> None:
    app = PlayApp("--host", "127.0.0.2")   # any loopback address binds on Linux: a stand-in for a LAN address
    try:
        address, port = app.address.split(":")
        assert address == "127.0.0.2" and app.url == f"http://127.0.0.2:{port}/" and len(app.code) == 6

        def status(host: str) -> int:
            conn = http.client.HTTPConnection("127.0.0.2", int(port), timeout=30)
            conn.request("GET", "/", headers={"Host": host})
            code = conn.getresponse().status
            conn.close()
            return code

        assert status(f"127.0.0.2:{port}") == 200
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "evil.example", f"evil.example:{port}"):
            assert status(host) == 421, host
    finally:
        app.kill()
