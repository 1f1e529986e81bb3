"""The room plays, as the room meets it: real ``teamsim app --play``, three players in separate headless
Debian chromium contexts and the facilitator in a fourth, two rounds with the plan switched between them."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from .app_server import PlayApp, chunked_post

pytestmark = pytest.mark.usefixtures("browser")

MONTHS = 2


@pytest.fixture(scope="module")
def game() -> Iterator[PlayApp]:
    app = PlayApp("--months", str(MONTHS))
    yield app
    app.kill()


def _context(browser: Any) -> tuple[Any, Any, list[str]]:
    ctx = browser.new_context(viewport={"width": 900, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return ctx, page, errors


def _join(page: Any, game: PlayApp, name: str, role: str, pod: int) -> None:
    page.goto(game.url)
    page.wait_for_selector("#pod option", state="attached", timeout=30_000)
    page.fill("#code", game.code.lower())
    page.fill("#name", name)
    page.select_option("#role", role)
    page.select_option("#pod", str(pod))
    page.click("#join-button")
    page.wait_for_url(re.compile(r"/seat$"), timeout=30_000)
    expect(page.locator("#who")).to_contain_text(":", timeout=30_000)


def _choose(page: Any, month: int, effort: float, share: bool) -> None:
    expect(page.locator("#choose-title")).to_have_text(re.compile(f"month {month}$"), timeout=30_000)
    page.fill("#effort", str(effort))
    page.set_checked("#share", share)
    page.click("#submit")
    expect(page.locator("#chosen")).to_have_text(re.compile("^Submitted"), timeout=30_000)


def _statement(page: Any) -> tuple[list[int], int, str]:
    """(the lines' cents, the total's cents, the title) of the player's latest statement on screen."""
    cells = page.eval_on_selector_all("#statement tr.line td.num", "els => els.map(e => e.dataset.cents)")
    lines = [int(x) for x in cells]
    total = int(page.get_attribute("#statement tr.total td.num", "data-cents"))
    return lines, total, page.inner_text("#statement-title")


def test_local_only_by_default(game: PlayApp) -> None:
    assert game.address.startswith("127.0.0.1:")
    req = urllib.request.Request(game.url, headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 421


def test_three_players_play_two_rounds_and_statements_reconcile(browser: Any, game: PlayApp) -> None:
    players = [("Ann", "recruiter", 1, [1.5, 1.4, 0.6, 0.5], True),
               ("Bo", "account_manager", 1, [1.2, 1.0, 1.0, 1.0], True),
               ("Cy", "recruiter", 2, [None, 0.3, 1.6, None], False)]   # Cy misses two months: the model plays
    pages = []
    try:
        host_ctx, host, host_errors = _context(browser)
        host.goto(game.host_url)
        expect(host.locator("#code")).to_have_text(game.code, timeout=30_000)
        for name, role, pod, _efforts, _share in players:
            ctx, page, errors = _context(browser)
            pages.append((ctx, page, errors))
            _join(page, game, name, role, pod)
        expect(host.locator("#players tr.player")).to_have_count(3, timeout=30_000)
        played = 0
        for rnd in (1, 2):
            if rnd == 2:
                assert "Start round 2: Team pool" in host.inner_text("#advance")
                host.click("#advance")
                expect(host.locator("#advance")).to_have_text("Play month 1", timeout=30_000)
            for month in range(1, MONTHS + 1):
                chosen = 0
                for (_ctx, page, _e), (_n, _r, _p, efforts, share) in zip(pages, players, strict=True):
                    effort = efforts[played]
                    if effort is not None:
                        _choose(page, month, effort, share)
                        chosen += 1
                expect(host.locator("#status")).to_contain_text(f"{chosen} of 3 players have chosen", timeout=30_000)
                host.click("#advance")
                played += 1
                for (_ctx, page, _e), (_n, _r, _p, efforts, _s) in zip(pages, players, strict=True):
                    expect(page.locator("#history tr.month")).to_have_count(played, timeout=30_000)
                    lines, total, title = _statement(page)
                    assert lines and sum(lines) == total, (title, lines, total)   # cents, on screen
                    assert f"Round {rnd}" in title and f"month {month}" in title
                    who = "you" if efforts[played - 1] is not None else "the model (you did not choose in time)"
                    assert title.endswith(f"chosen by {who}"), title
                    kinds = page.inner_text("#statement")
                    if rnd == 1:
                        assert "Team pool share" not in kinds
                    else:
                        assert "Team pool share" in kinds and "Commission" not in kinds
        expect(host.locator("#advance")).to_have_text("Game over", timeout=30_000)
        rounds = host.inner_text("#rounds")
        assert "Round 1: Individual commission" in rounds and "Round 2: Team pool" in rounds
        # Every player's months: the pay column adds up to what their statements said, month by month.
        for (_ctx, page, errors), (_n, _r, _p, efforts, _s) in zip(pages, players, strict=True):
            rows = page.eval_on_selector_all("#history tr.month", "rs => rs.map(r => r.innerText)")
            assert len(rows) == 2 * MONTHS
            effort_cells = page.eval_on_selector_all("#history tr.month td:nth-child(4)",
                                                     "els => els.map(e => e.innerText)")
            for cell, effort in zip(effort_cells[::-1], efforts, strict=True):   # newest first on screen
                if effort is not None:
                    assert float(cell) == effort
            assert not errors, errors
        assert not host_errors, host_errors
        host_ctx.close()
    finally:
        for ctx, _page, _errors in pages:
            ctx.close()


def test_a_chunked_body_over_4_kb_is_refused_413(game: PlayApp) -> None:
    """The 4 kB cap holds for a body with no Content-Length too (the LAN can reach this server)."""
    port = int(game.address.rsplit(":", 1)[1])
    status = chunked_post(port, "/api/join", 64)
    assert status == 413
