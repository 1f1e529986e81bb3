"""``teamsim app`` (and ``--play``) in a subprocess on a free local port, for the app's browser and HTTP tests."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .conftest import ROOT, WORKSHOP


class App:
    """A running app: its address, its session file, and a way to stop it and time the stop."""

    def __init__(self, out: Path, *args: str, scenario: Path = WORKSHOP, replications: str | None = "3"):
        self.out = out
        size = ["--replications", replications] if replications is not None else []   # None: the file's own
        self.proc = subprocess.Popen([sys.executable, "-m", "sim", "app", str(scenario), "--workers", "1",
                                      *size, "--out", str(out), *args], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)   # its own group: cleanup reaches its workers
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=90)
        except queue.Empty:
            self.kill()
            raise RuntimeError("teamsim app printed no address within 90 s") from None
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        if not match:
            self.kill()
            raise RuntimeError(f"unexpected first line: {first!r}")
        self.url, self.port = match.group(0), int(match.group(1))

    def runs(self) -> list[dict[str, Any]]:
        import json

        with contextlib.closing(sqlite3.connect(self.out / "app_session.sqlite")) as db:
            rows = db.execute("SELECT n, levers, result FROM runs ORDER BY n").fetchall()
        return [{"n": n, "levers": json.loads(lv), **json.loads(res)} for n, lv, res in rows]

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> tuple[int, str, float]:
        """Send ``sig``; returns (exit code, stderr, seconds until the process and its group were gone)."""
        started = time.perf_counter()
        self.proc.send_signal(sig)
        _out, err = self.proc.communicate(timeout=timeout)
        while _group_alive(self.proc.pid) and time.perf_counter() - started < timeout:
            time.sleep(0.02)
        return self.proc.returncode, err, time.perf_counter() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Zombies still count for killpg; a group of zombies only is gone for our purposes.
    out = subprocess.run(["ps", "-o", "stat=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return any(s and not s.startswith("Z") for s in out.split())


class PlayApp:
    """``teamsim app --play`` in its own process group; its players' address, code and facilitator's address."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "sim", "app", str(WORKSHOP), "--play", *args],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        lines: queue.Queue[str] = queue.Queue()

        def read() -> None:
            for _ in range(2):
                lines.put(self.proc.stdout.readline())

        threading.Thread(target=read, daemon=True).start()
        try:
            first, second = lines.get(timeout=90), lines.get(timeout=30)
        except queue.Empty:
            self.kill()
            raise RuntimeError("teamsim app --play printed no addresses within 90 s") from None
        join = re.search(r"players join at (http://([^/]+)/) with code ([A-Z0-9]{6})", first)
        host = re.search(r"facilitator: (http://\S+/host\?key=\S+)", second)
        if not join or not host:
            self.kill()
            raise RuntimeError(f"unexpected output: {first!r} {second!r}")
        self.url, self.address, self.code, self.host_url = join.group(1), join.group(2), join.group(3), host.group(1)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def chunked_post(port: int, path: str, megabytes: int) -> int:
    """POST ``megabytes`` of a JSON string with ``Transfer-Encoding: chunked`` (no Content-Length to refuse it
    by); returns the answer's status."""
    import socket

    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
    head, block = b'{"code": "', b"A" * (1 << 20)
    try:
        sock.sendall(f"{len(head):x}\r\n".encode() + head + b"\r\n")
        for _ in range(megabytes):
            sock.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")
        sock.sendall(b'3\r\n"}\n\r\n0\r\n\r\n')
    except OSError:
        pass   # the server answered and closed the connection before reading it all
    try:
        return int(sock.recv(64).split()[1])
    finally:
        sock.close()
