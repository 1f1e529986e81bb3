"""docs/model.md documents every scenario key, and the README shows the two set-up commands."""

from __future__ import annotations

from sim.scenario.reference import sections

from .conftest import ROOT


def test_every_parameter_is_in_model_doc() -> None:
    text = (ROOT / "docs" / "model.md").read_text()
    missing = [key for items in sections().values() for key, _d, _m in items if f"`{key}`" not in text]
    assert not missing, f"run `make docs`; undocumented: {missing}"


def test_readme_shows_setup_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert "make demo" in text and "make test" in text
