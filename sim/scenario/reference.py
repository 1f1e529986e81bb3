"""The parameter reference: every scenario key with its default and meaning, as a Markdown table.

``python -m sim.scenario.reference`` prints it; docs/model.md embeds its output (a test checks that
every key is documented there).
"""

from __future__ import annotations

import typing
from collections.abc import Iterator

from pydantic import BaseModel

from sim.scenario.schema import SCHEME_CLASSES, Behavior, Finance, Firm, Market, Policy


def _model_of(annotation: typing.Any) -> type[BaseModel] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def rows(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str, str]]:
    """(dotted key, default, description) for every leaf of ``model``."""
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}" if prefix else name
        sub = _model_of(field.annotation)
        if sub is not None:
            yield from rows(sub, key)
            continue
        if field.is_required():   # e.g. a demand period's keys: every period states them
            yield key, "(required)", field.description or ""
            continue
        default = field.get_default(call_default_factory=True)
        yield key, "" if default is None else str(default), field.description or ""


def sections() -> dict[str, list[tuple[str, str, str]]]:
    out = {
        "firm": list(rows(Firm, "firm")),
        "market": list(rows(Market, "market")),
        "behavior": list(rows(Behavior, "behavior")),
        "policy (top level, or per scheme)": list(rows(Policy, "policy")),
        "finance": list(rows(Finance, "finance")),
    }
    for tag, cls in sorted(SCHEME_CLASSES.items()):
        out[f"plan type `{tag}` (keys beside the scheme's name)"] = [
            r for r in rows(cls.plan_class, "") if r[0] != "type"]
    return out


def markdown() -> str:
    lines = []
    for title, items in sections().items():
        lines += [f"#### {title}", "", "| key | default | meaning |", "|---|---|---|"]
        lines += [f"| `{k}` | {d.replace('|', '/')} | {desc.replace('|', '/')} |" for k, d, desc in items]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
