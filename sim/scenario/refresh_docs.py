"""Rewrite the parameter reference between the markers in docs/model.md (``make docs``)."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.scenario.reference import markdown

START, END = "<!-- reference:start -->", "<!-- reference:end -->"


def refresh(path: Path) -> None:
    text = path.read_text()
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{markdown()}\n{END}{tail}")


if __name__ == "__main__":
    refresh(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/model.md"))
