"""Reading scenario files: safe YAML, ``--set`` overrides, validation, one clear line per problem.

``load_scenario(path, overrides)`` returns a validated :class:`~sim.scenario.schema.Scenario` or
raises :class:`~sim.scenario.problems.ScenarioError` listing every problem found, each naming the
file, the dotted key path and (where the key is in the file) its line and column.
"""

from __future__ import annotations

import copy
import difflib
import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.schema import Scenario, Scheme

Key = str | int
Marks = dict[tuple[Key, ...], tuple[int, int]]


# ---------------------------------------------------------------------------------------- YAML
def _marks(node: yaml.Node, path: tuple[Key, ...] = (), out: Marks | None = None) -> Marks:
    """Map each key path to the (line, column) where it appears in the file (1-based)."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            sub = (*path, key_node.value)
            out[sub] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _marks(value_node, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = (*path, i)
            out[sub] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _marks(item, sub, out)
    return out


def read_yaml(path: str | Path) -> tuple[dict[str, Any], Marks]:
    """Parse a scenario file safely; returns its mapping and the line marks of its keys."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(source, "", "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(source, "", "is a directory, not a scenario file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(source, "", f"cannot read file: {exc}")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = f"YAML syntax error: {exc.problem or exc.context}"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ScenarioError([Problem(source, "", msg, line, col)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(source, "", f"YAML error: {exc}")]) from None
    if not isinstance(data, dict):
        raise ScenarioError([Problem(source, "", "a scenario file must be a mapping of keys to values")])
    return data, (_marks(node) if node is not None else {})


# ----------------------------------------------------------------------------- key paths
def scheme_index(data: dict[str, Any], name: str) -> int | None:
    for i, s in enumerate(data.get("schemes") or []):
        if isinstance(s, dict) and s.get("name") == name:
            return i
    return None


def display_path(data: dict[str, Any], raw: Sequence[Key]) -> str:
    """Dotted path for people: schemes are named (``schemes.team.rate``), lists indexed."""
    parts: list[str] = []
    for i, key in enumerate(raw):
        if isinstance(key, int):
            if i == 1 and raw[0] == "schemes":
                schemes = data.get("schemes") or []
                name = schemes[key].get("name") if key < len(schemes) and isinstance(schemes[key], dict) else None
                parts.append(str(name) if isinstance(name, str) else f"[{key}]")
            else:
                parts.append(f"[{key}]")
        else:
            parts.append(str(key))
    return ".".join(parts).replace(".[", "[")


def _raw_loc(loc: Sequence[Key], data: dict[str, Any]) -> tuple[Key, ...]:
    """Turn a pydantic error location into the key path as written in the YAML."""
    out: list[Key] = []
    i = 0
    loc = list(loc)
    while i < len(loc):
        key = loc[i]
        out.append(key)
        if len(out) == 2 and out[0] == "schemes" and isinstance(key, int):
            # ('schemes', 0, 'plan', '<type tag>', ...) -> ('schemes', 0, ...)
            if i + 1 < len(loc) and loc[i + 1] == "plan":
                i += 1
                if i + 1 < len(loc) and isinstance(loc[i + 1], str) and loc[i + 1] in PLAN_CLASSES:
                    i += 1
        i += 1
    return tuple(out)


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


def _plan_classes() -> dict[str, type[BaseModel]]:
    out: dict[str, type[BaseModel]] = {}
    for cls in _unwrap(Scheme.model_fields["plan"].annotation):
        tag = typing.get_args(cls.model_fields["type"].annotation)
        if tag:
            out[tag[0]] = cls
    return out


PLAN_CLASSES = _plan_classes()


def allowed_keys(data: dict[str, Any], raw_parent: Sequence[Key]) -> list[str]:
    """Keys the schema accepts at a raw YAML path (for did-you-mean hints)."""
    model: type[BaseModel] | None = Scenario
    path = list(raw_parent)
    if len(path) >= 2 and path[0] == "schemes" and isinstance(path[1], int):
        schemes = data.get("schemes") or []
        scheme = schemes[path[1]] if path[1] < len(schemes) else {}
        plan = PLAN_CLASSES.get(scheme.get("type")) if isinstance(scheme, dict) else None
        if len(path) == 2:
            return sorted({"name", "policy", "type"} | set(plan.model_fields if plan else ()))
        model, path = (Scheme, path[2:]) if path[2] == "policy" else (plan, path[2:])
    for key in path:
        if model is None:
            return []
        if isinstance(key, int):
            continue
        field = model.model_fields.get(key)
        found = _unwrap(field.annotation) if field else []
        model = found[0] if found else None
    return sorted(model.model_fields) if model else []


def _hint(word: str, options: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


# -------------------------------------------------------------------------- overrides
def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``KEY=VALUE`` overrides (dotted keys; schemes by name) to a deep copy of ``data``."""
    data = copy.deepcopy(data)
    problems: list[Problem] = []
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem("--set", item, "expected KEY=VALUE, e.g. firm.pods=20"))
            continue
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            problems.append(Problem("--set", key, f"value {text!r} is not valid YAML"))
            continue
        parts: list[Key] = list(key.split("."))
        if parts[0] == "schemes" and len(parts) >= 3:
            idx = scheme_index(data, str(parts[1]))
            if idx is None:
                names = [s.get("name") for s in data.get("schemes") or [] if isinstance(s, dict)]
                problems.append(Problem("--set", key, f"no scheme named {parts[1]!r}"
                                        + _hint(str(parts[1]), [n for n in names if isinstance(n, str)])))
                continue
            parts[1] = idx
        node: Any = data
        for part in parts[:-1]:
            if isinstance(node, list) and isinstance(part, int):
                node = node[part]
                continue
            if not isinstance(node, dict):
                problems.append(Problem("--set", key, f"{part!r} is not a section"))
                break
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict | list):
                problems.append(Problem("--set", key, f"{part!r} is a value, not a section"))
                break
            node = child
        else:
            if isinstance(node, dict):
                node[parts[-1]] = value
            else:
                problems.append(Problem("--set", key, "cannot set a key there"))
    if problems:
        raise ScenarioError(problems)
    return data


# ------------------------------------------------------------------------- validation
def _raw_checks(data: dict[str, Any], source: str, marks: Marks) -> list[Problem]:
    """Checks best made on the raw mapping, so they can name a line: scheme list and names."""
    problems: list[Problem] = []
    schemes = data.get("schemes")
    if isinstance(schemes, list):
        if not schemes:
            problems.append(Problem(source, "schemes", "the scheme list is empty: name at least one scheme",
                                    *marks.get(("schemes",), (None, None))))
        seen: dict[str, int] = {}
        for i, s in enumerate(schemes):
            name = s.get("name") if isinstance(s, dict) else None
            if isinstance(name, str):
                if name in seen:
                    problems.append(Problem(source, f"schemes[{i}].name",
                                            f"duplicate scheme name {name!r} (also scheme {seen[name]})",
                                            *marks.get(("schemes", i, "name"), (None, None))))
                seen.setdefault(name, i)
    return problems


def validate(data: dict[str, Any], source: str = "<scenario>", marks: Marks | None = None) -> Scenario:
    """Validate a raw mapping into a Scenario or raise ScenarioError with every problem."""
    marks = marks or {}
    problems = _raw_checks(data, source, marks)
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems_from(exc, data, source, marks)) from None


def _problems_from(exc: ValidationError, data: dict[str, Any], source: str, marks: Marks) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        raw = _raw_loc(err["loc"], data)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key" + _hint(str(raw[-1]), allowed_keys(data, raw[:-1]))
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"] == "union_tag_invalid":
            tags = ", ".join(sorted(PLAN_CLASSES))
            given = err.get("input", {}).get("type") if isinstance(err.get("input"), dict) else None
            msg = f"unknown plan type {given!r}; choose one of {tags}" + _hint(str(given), PLAN_CLASSES)
            raw = (*raw, "type")
        elif err["type"] == "union_tag_not_found":
            msg = f"a scheme needs a 'type' ({', '.join(sorted(PLAN_CLASSES))})"
        elif "input" in err and not isinstance(err["input"], dict | list):
            msg += f" (got {err['input']!r})"
        line, col = _nearest_mark(marks, raw)
        problems.append(Problem(source, display_path(data, raw), msg, line, col))
    return problems


def _nearest_mark(marks: Marks, raw: tuple[Key, ...]) -> tuple[int | None, int | None]:
    for n in range(len(raw), 0, -1):
        if raw[:n] in marks:
            return marks[raw[:n]]
    return None, None


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, override and validate one scenario file."""
    data, marks = read_yaml(path)
    if overrides:
        data = apply_overrides(data, overrides)
        set_keys = {o.partition("=")[0].strip() for o in overrides}
        try:
            return validate(data, str(path), marks)
        except ScenarioError as err:
            # A problem at a key given on the command line is the command line's problem.
            fixed = [Problem("--set", p.path, p.message) if p.path in set_keys else p for p in err.problems]
            raise ScenarioError(fixed) from None
    return validate(data, str(path), marks)


def resolved_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario with every default filled, in the shape of the YAML (plan keys beside the name)."""
    out = scenario.model_dump(mode="json")
    out["schemes"] = [
        {"name": s["name"], **s["plan"], "policy": s["policy"]} for s in out["schemes"]
    ]
    return out


def dump_yaml(scenario: Scenario) -> str:
    return yaml.safe_dump(resolved_dict(scenario), sort_keys=False, allow_unicode=True)
