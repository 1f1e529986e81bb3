"""Loading scenarios: one read, one parse, ``--set`` overrides, validation, one clear line per problem.

``load_scenario(path, overrides)`` returns a validated :class:`~sim.scenario.schema.Scenario` (which
keeps its file name and line marks, :attr:`~sim.scenario.schema.Scenario.marks`) or raises
:class:`~sim.scenario.problems.ScenarioError` listing every problem found, each naming the file (or
``--set`` for a problem in an override), the dotted key path and, where the key is in the file, its
line and column. Validation is strict about types: a boolean only where a boolean is declared, a
whole number only where one is, text only where text is (the data is checked as JSON is, so numbers
still become the exact decimals the plans hold).
"""

from __future__ import annotations

import json
import math
import types
import typing
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario import paths
from sim.scenario.document import Marks, parse_text, read_document
from sim.scenario.library import expand_plans
from sim.scenario.matching import stated_knobs, stated_lines
from sim.scenario.paths import RawPath
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.schema import SCHEME_CLASSES, Scenario, Scheme

SET = "--set"


def read_yaml(path: str | Path) -> tuple[dict[str, Any], Marks]:
    """Read and parse a scenario file safely; returns its mapping and the line marks of its keys."""
    doc = read_document(path)
    return doc.data, doc.marks


# ------------------------------------------------------------------------- did-you-mean
def _unwrap(tp: Any) -> list[Any]:
    """The model classes a field annotation can hold."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_unwrap(arg))
        return out
    return [tp] if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def allowed_keys(data: dict[str, Any], raw_parent: Sequence[paths.Key]) -> list[str]:
    """Keys the schema accepts at a raw YAML path (for did-you-mean hints)."""
    model: type[BaseModel] | None = Scenario
    path = list(raw_parent)
    if len(path) >= 2 and path[0] == "schemes" and isinstance(path[1], int):
        schemes = data.get("schemes") or []
        scheme = schemes[path[1]] if path[1] < len(schemes) else {}
        model = SCHEME_CLASSES.get(scheme.get("type"), Scheme) if isinstance(scheme, dict) else Scheme
        path = path[2:]
    for key in path:
        if model is None:
            return []
        if isinstance(key, int):
            continue
        field = model.model_fields.get(key) or next(
            (f for f in model.model_fields.values() if f.alias == key), None)
        found = _unwrap(field.annotation) if field else []
        model = found[0] if found else None
    return sorted(f.alias or name for name, f in model.model_fields.items()) if model else []


# -------------------------------------------------------------------------- overrides
def _apply(data: dict[str, Any], overrides: Sequence[str]) -> tuple[dict[str, Any], list[RawPath], list[str]]:
    """``data`` with each ``KEY=VALUE`` override set (on a deep copy) and the rule of
    :func:`~sim.scenario.matching.stated_knobs` applied; the raw path each one set; and one line per
    ``match_cost_of`` that rule set aside (:func:`~sim.scenario.matching.stated_lines`)."""
    data = paths.with_values(data, {})
    problems: list[Problem] = []
    where: list[RawPath] = []
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem(SET, item, "expected KEY=VALUE, e.g. firm.pods=20"))
            continue
        value, _marks, bad = parse_text(text, SET, key) if text.strip() else (None, {}, [])
        if bad:
            problems.extend(Problem(SET, p.path or key, p.message) for p in bad)
            continue
        try:
            where.append(paths.assign(data, key, value))
        except paths.PathError as err:
            problems.append(Problem(SET, key, str(err)))
    if problems:
        raise ScenarioError(problems)
    stated = stated_knobs(data, where)
    lines = stated_lines(data, stated)
    for i in stated:   # a knob set with --set overrides match_cost_of
        data["schemes"][i]["match_cost_of"] = None
    return data, where, lines


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``KEY=VALUE`` overrides (dotted keys; schemes by name) to a deep copy of ``data``."""
    return _apply(data, overrides)[0]


# ------------------------------------------------------------------------- validation
def _where(raw: RawPath, source: str, marks: Marks,
           overridden: Sequence[RawPath]) -> tuple[str, int | None, int | None]:
    """Whom a problem at ``raw`` is told against: ``--set`` when an override set it (or a value inside it,
    or the section it lies in), else the file at the nearest line."""
    if raw and (paths.is_under(raw, overridden) or any(o[:len(raw)] == raw for o in overridden)):
        return SET, None, None
    return (source, *paths.nearest_mark(marks, raw))


def _raw_checks(data: dict[str, Any], source: str, marks: Marks, overridden: Sequence[RawPath]) -> list[Problem]:
    """Checks best made on the raw mapping, so they can name a line: scheme list and names."""
    problems: list[Problem] = []
    schemes = data.get("schemes")
    if isinstance(schemes, list):
        if not schemes:
            who, line, column = _where(("schemes",), source, marks, overridden)
            problems.append(Problem(who, "schemes", "the scheme list is empty: name at least one scheme", line, column))
        seen: dict[str, int] = {}
        for i, s in enumerate(schemes):
            name = s.get("name") if isinstance(s, dict) else None
            if isinstance(name, str):
                if name in seen:
                    who, line, column = _where(("schemes", i, "name"), source, marks, overridden)
                    problems.append(Problem(who, f"schemes[{i}].name",
                                            f"duplicate scheme name {name!r} (also scheme {seen[name]})", line, column))
                seen.setdefault(name, i)
    return problems


def _unplain(value: Any, raw: RawPath) -> Iterable[tuple[RawPath, str]]:
    """Values JSON cannot carry exactly (not finite, or not plain data), with where they are."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _unplain(v, (*raw, k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _unplain(v, (*raw, i))
    elif isinstance(value, float | Decimal):
        if not math.isfinite(value):
            yield raw, f"{value} is not a finite number"
    elif not isinstance(value, str | int | bool | type(None)):
        yield raw, f"a {type(value).__name__} is not a scenario value"


def validate(data: dict[str, Any], source: str = "<scenario>", marks: Marks | None = None,
             overridden: Sequence[RawPath] = (), stated: Sequence[str] = ()) -> Scenario:
    """Validate a raw mapping into a Scenario or raise ScenarioError with every problem.

    ``overridden`` are the raw paths set by ``--set``: a problem at or inside one is the command
    line's problem, reported against ``--set`` rather than a line of the file. ``stated``: the lines of
    :func:`_apply` saying which ``match_cost_of`` an override set aside, kept on the scenario.
    """
    marks = marks or {}
    data = expand_plans(data, source, marks)   # schemes that include a plan template by name
    problems = _raw_checks(data, source, marks, overridden)
    problems += [Problem(source, paths.display(data, raw), msg, *paths.nearest_mark(marks, raw))
                 for raw, msg in _unplain(data, ())]
    if problems:
        raise ScenarioError(problems)
    # Checked as JSON is, strictly: pydantic then takes a boolean only for a boolean, a whole number only
    # for an integer, and reads numbers into exact decimals as it would from the file's text.
    text = json.dumps(data, default=float)
    try:
        scenario = Scenario.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise ScenarioError(_problems_from(exc, data, source, marks, overridden)) from None
    return scenario.read_from(source, marks, stated)


def _problems_from(exc: ValidationError, data: dict[str, Any], source: str, marks: Marks,
                   overridden: Sequence[RawPath]) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        raw = paths.from_loc(err["loc"], SCHEME_CLASSES)
        if _inherited(data, raw):
            continue   # a top-level policy key copied into a scheme: reported once, where it is written
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key" + paths.hint(str(raw[-1]), allowed_keys(data, raw[:-1]))
        elif err["type"] == "missing":
            msg = "a value is missing: a range is [low, high]" if isinstance(raw[-1], int) else \
                "required key is missing"
        elif err["type"] == "union_tag_invalid":
            tags = ", ".join(sorted(SCHEME_CLASSES))
            given = err.get("input", {}).get("type") if isinstance(err.get("input"), dict) else None
            msg = f"unknown plan type {given!r}; choose one of {tags}" + paths.hint(str(given), SCHEME_CLASSES)
            raw = (*raw, "type")
        elif err["type"] == "union_tag_not_found":
            msg = f"a scheme needs a 'type' ({', '.join(sorted(SCHEME_CLASSES))})"
        elif "input" in err and not isinstance(err["input"], dict | list):
            msg += f" (got {err['input']!r})"
        who, line, column = _where(raw, source, marks, overridden)
        problems.append(Problem(who, paths.display(data, raw), msg, line, column))
    return problems


def _inherited(data: dict[str, Any], raw: RawPath) -> bool:
    """Whether ``raw`` is a scheme's policy key that the scheme took from the top-level policy."""
    if len(raw) < 4 or raw[0] != "schemes" or raw[2] != "policy" or not isinstance(raw[1], int):
        return False
    schemes = data.get("schemes")
    if not isinstance(schemes, list) or raw[1] >= len(schemes):
        return False
    top, scheme = data.get("policy"), schemes[raw[1]]
    own = scheme.get("policy") if isinstance(scheme, dict) else None
    return isinstance(top, dict) and raw[3] in top and not (isinstance(own, dict) and raw[3] in own)


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read (once), override and validate one scenario file. The scenario keeps the lines saying which
    ``match_cost_of`` an override set aside (:attr:`~sim.scenario.schema.Scenario.stated_over_match`)."""
    doc = read_document(path)
    data, overridden, stated = _apply(doc.data, overrides) if overrides else (doc.data, [], [])
    return validate(data, doc.source, doc.marks, overridden, stated)


def resolved_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario with every default filled, in the shape of the YAML (plan keys beside the name)."""
    return scenario.model_dump(mode="json")


def dump_yaml(scenario: Scenario) -> str:
    return yaml.safe_dump(resolved_dict(scenario), sort_keys=False, allow_unicode=True)
