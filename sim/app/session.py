"""The workshop session, stored server-side in SQLite: every run, the pinned baseline, predictions.

One file in the output folder (``app_session.sqlite``), so a reload, a second tab or a co-facilitator's
browser on the same machine sees the same runs. A file written for another scenario (its fingerprint
differs) is moved aside, never mixed in. Every write bumps ``version``; pages poll it to redraw.
Values are JSON text; the store knows nothing of what a run contains.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FILE = "app_session.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (n INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT NULL,
    levers TEXT NOT NULL, result TEXT NOT NULL, round INTEGER, prediction TEXT);
CREATE TABLE IF NOT EXISTS playback (n INTEGER PRIMARY KEY, data TEXT NOT NULL);
"""


def fingerprint(obj: Any) -> str:
    """A short hash of a JSON-ready value (the validated scenario the session belongs to)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


class Session:
    """The session's runs in ``folder/app_session.sqlite`` (created on first use)."""

    def __init__(self, folder: Path, scenario_fingerprint: str):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILE
        self._lock = threading.Lock()
        self.moved: Path | None = None
        if self.path.exists() and self._meta("scenario") not in (None, scenario_fingerprint):
            self.moved = self.path.with_name(f"app_session-{time.strftime('%Y%m%d-%H%M%S')}.sqlite")
            self.path.rename(self.moved)
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('scenario', ?)", (scenario_fingerprint,))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('version', '0')")

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed."""
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA synchronous=NORMAL")   # WAL: a commit survives the app's crash; no fsync per run
        try:
            with db:
                yield db
        finally:
            db.close()

    def _meta(self, key: str) -> str | None:
        try:
            with self._db() as db:
                row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return "unreadable"
        return row[0] if row else None

    def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        with self._lock, self._db() as db:
            cur = db.execute(sql, args)
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
            return int(cur.lastrowid or 0)

    def version(self) -> int:
        with self._db() as db:
            return int(db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0])

    def add(self, levers: dict[str, Any], result: dict[str, Any], round_: int | None = None,
            prediction: str | None = None) -> int:
        """Store a finished run; returns its number (1, 2, ...). The first run becomes the baseline."""
        n = self._write("INSERT INTO runs (created, levers, result, round, prediction) VALUES (?, ?, ?, ?, ?)",
                        (time.time(), json.dumps(levers), json.dumps(result), round_, prediction))
        if self.baseline() is None:
            self.pin(n)
        return n

    def runs(self) -> list[dict[str, Any]]:
        with self._db() as db:
            rows = db.execute("SELECT n, created, levers, result, round, prediction FROM runs ORDER BY n").fetchall()
        return [{"n": n, "created": c, "levers": json.loads(lv), **json.loads(res), "round": r, "prediction": p}
                for n, c, lv, res, r, p in rows]

    def baseline(self) -> int | None:
        with self._db() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'baseline'").fetchone()
        return int(row[0]) if row else None

    def pin(self, n: int) -> None:
        """Make run ``n`` the baseline every other run is compared with."""
        self._write("INSERT OR REPLACE INTO meta VALUES ('baseline', ?)", (str(int(n)),))

    def clear(self) -> None:
        """Start the session afresh (every run and the baseline gone)."""
        with self._lock, self._db() as db:
            db.execute("DELETE FROM runs")
            db.execute("DELETE FROM playback")
            db.execute("DELETE FROM meta WHERE key = 'baseline'")
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")

    def playback(self, n: int) -> dict[str, Any] | None:
        with self._db() as db:
            row = db.execute("SELECT data FROM playback WHERE n = ?", (int(n),)).fetchone()
        return json.loads(row[0]) if row else None

    def store_playback(self, n: int, data: dict[str, Any]) -> None:
        with self._lock, self._db() as db:
            db.execute("INSERT OR REPLACE INTO playback VALUES (?, ?)", (int(n), json.dumps(data)))
