"""``teamsim app FILE`` opens with the file's own numbers: a Run left as it opens is what ``teamsim run FILE``
runs, replications included (the file's ``replications``, unless ``--replications`` says otherwise)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from sim.scenario import load_scenario

from .app_server import App
from .conftest import WORKSHOP


def _value(node: Any, ident: str) -> Any:
    """The ``value`` of the component with id ``ident`` in a Dash layout."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == ident:
            return props.get("value")
        node = list(props.values()) if "props" in node else list(node.values())
    if isinstance(node, list):
        for child in node:
            found = _value(child, ident)
            if found is not None:
                return found
    return None


@pytest.mark.parametrize("asked, expected", [(None, str(load_scenario(WORKSHOP).replications)), ("7", "7")],
                         ids=["the-files", "asked"])
def test_the_page_opens_with_the_files_replications_unless_asked(tmp_path: Path, asked, expected) -> None:
    app = App(tmp_path, replications=asked)
    try:
        req = urllib.request.Request(app.url + "_dash-layout", headers={"Host": f"127.0.0.1:{app.port}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            layout = json.loads(resp.read())
        assert _value(layout, "replications") == expected
    finally:
        app.kill()
