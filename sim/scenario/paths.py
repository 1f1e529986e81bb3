"""Dotted key paths into a scenario mapping: the one walker behind ``--set``, sweeps, ``uncertain:`` and problems.

A dotted key names a setting as people write it: ``firm.pods``, ``schemes.team_pool.rate`` (schemes by
name), ``schemes.tiered.tiers.1.rate`` (other lists by index). A *raw path* is the same place as the
YAML holds it, a tuple of mapping keys and list indices (``("schemes", 1, "rate")``); line marks and
pydantic's error locations are raw paths. Every function here works on plain data (the YAML shape,
which is also the shape of a resolved scenario), never mutates its input unless it says so, and
reports a bad key as :class:`PathError` with a message fit for one line (with a did-you-mean).
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sim.comp.terms import plain_loc
from sim.scenario.limits import is_scheme_name

Key = str | int
RawPath = tuple[Key, ...]

#: Top-level keys that describe the experiment rather than the firm: a run's result never depends on
#: them, and a sweep or a sensitivity analysis may not vary them.
EXPERIMENT_KEYS = ("name", "description", "replications", "sweep", "uncertain", "decision", "workshop")
#: A scheme's keys that say which scheme it is: they cannot be swept.
SCHEME_IDENTITY_KEYS = ("name", "type")


class PathError(ValueError):
    """A dotted key that names no place in the scenario (the message says why, in one line)."""


def hint(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or nothing."""
    match = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def scheme_names(data: Mapping[str, Any]) -> list[str]:
    return [s["name"] for s in data.get("schemes") or [] if isinstance(s, dict) and isinstance(s.get("name"), str)]


def _index(node: list[Any], part: str, parent: RawPath, data: Mapping[str, Any]) -> int:
    """The index in list ``node`` that ``part`` names: a scheme by its name, any other list by number."""
    if parent == ("schemes",):
        for i, s in enumerate(node):
            if isinstance(s, dict) and s.get("name") == part:
                return i
        raise PathError(f"no scheme named {part!r}" + hint(part, scheme_names(data)))
    if not part.isdigit() or int(part) >= len(node):
        raise PathError(f"{display(data, parent)} is a list of {len(node)}; {part!r} is not one of its indices")
    return int(part)


def _missing(node: dict[str, Any], part: str, parts: Sequence[str], i: int) -> PathError:
    prefix = ".".join(parts[:i]) + "." if i else ""
    match = difflib.get_close_matches(part, list(node), n=1)
    return PathError("not a scenario key" + (f" (did you mean {prefix + match[0]!r}?)" if match else ""))


def _walk(data: Mapping[str, Any], parts: Sequence[str], create: bool) -> tuple[Any, list[Key]]:
    """The container that holds the last of ``parts``, and the raw path to it. Missing sections are
    made when ``create`` (for ``--set``), else a PathError with a did-you-mean."""
    node: Any = data
    raw: list[Key] = []
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            raw.append(_index(node, part, tuple(raw), data))
        elif isinstance(node, dict):
            if node.get(part) is None:
                if not create:
                    raise _missing(node, part, parts, i)
                node[part] = {}
            raw.append(part)
        else:
            raise PathError(f"{display(data, tuple(raw))!r} is a value, not a section")
        node = node[raw[-1]]
    return node, raw


def resolve(data: Mapping[str, Any], key: str) -> RawPath:
    """The raw path of dotted ``key`` in ``data`` (PathError, with a did-you-mean, if there is no such key)."""
    parts = key.split(".")
    node, raw = _walk(data, parts, create=False)
    if isinstance(node, list):
        return (*raw, _index(node, parts[-1], tuple(raw), data))
    if not isinstance(node, dict):
        raise PathError(f"{display(data, tuple(raw))!r} is a value, not a section")
    if parts[-1] not in node:
        raise _missing(node, parts[-1], parts, len(parts) - 1)
    return (*raw, parts[-1])


def get(data: Mapping[str, Any], key: str) -> Any:
    """The value at dotted ``key`` (PathError if there is none)."""
    node: Any = data
    for part in resolve(data, key):
        node = node[part]
    return node


def assign(data: dict[str, Any], key: str, value: Any) -> RawPath:
    """Set dotted ``key`` to ``value`` in ``data`` (in place), creating missing sections; returns its raw path."""
    parts = key.split(".")
    if not all(parts):
        raise PathError("a key has no empty parts (e.g. firm.pods)")
    node, raw = _walk(data, parts, create=True)
    if isinstance(node, list):
        raise PathError(f"{display(data, tuple(raw))} is a list: set a key inside one of its entries")
    if not isinstance(node, dict):
        raise PathError(f"{display(data, tuple(raw))!r} is a value, not a section")
    node[parts[-1]] = value
    return (*raw, parts[-1])


def with_values(base: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with each dotted key of ``values`` set; ``base`` is left untouched."""
    data = copy.deepcopy(dict(base))
    for key, value in values.items():
        assign(data, key, copy.deepcopy(value))
    return data


def check_variable(view: Mapping[str, Any], key: str) -> str | None:
    """None if a sweep or a sensitivity analysis may vary ``key`` of the resolved scenario ``view``; else why not."""
    parts = key.split(".")
    if parts[0] in EXPERIMENT_KEYS:
        return f"{parts[0]!r} cannot be varied by a sweep or a sensitivity analysis"
    if parts == ["schemes"]:
        return "the scheme list cannot be varied; vary a scheme's keys"
    if len(parts) == 2 and parts[0] == "schemes":
        return "a whole scheme cannot be varied; vary one of its keys"
    if len(parts) == 3 and parts[0] == "schemes" and parts[2] in SCHEME_IDENTITY_KEYS:
        return f"a scheme's {parts[2]} cannot be varied"
    try:
        resolve(view, key)
    except PathError as err:
        return str(err)
    return None


def display(data: Mapping[str, Any], raw: Sequence[Key]) -> str:
    """A raw path as people read it: schemes by name (``schemes.team.rate``), other lists indexed."""
    parts: list[str] = []
    schemes = data.get("schemes") if isinstance(data, Mapping) else None
    for i, key in enumerate(raw):
        if isinstance(key, int) and i == 1 and raw[0] == "schemes" and isinstance(schemes, list):
            entry = schemes[key] if key < len(schemes) else None
            name = entry.get("name") if isinstance(entry, dict) else None
            parts.append(name if is_scheme_name(name) else f"[{key}]")
        else:
            parts.append(f"[{key}]" if isinstance(key, int) else str(key))
    return ".".join(parts).replace(".[", "[")


def from_loc(loc: Sequence[Key], scheme_types: Iterable[str]) -> RawPath:
    """A pydantic error location as a raw path: the union tag pydantic puts after a scheme's index goes."""
    loc = plain_loc(tuple(loc))   # a plan term's shape tag goes too (sim/comp/terms.py)
    if len(loc) >= 3 and loc[0] == "schemes" and isinstance(loc[1], int) and loc[2] in set(scheme_types):
        return (*loc[:2], *loc[3:])
    return loc


def nearest_mark(marks: Mapping[RawPath, tuple[int, int]], raw: RawPath) -> tuple[int | None, int | None]:
    """The line and column of ``raw``, or of its nearest ancestor that has one."""
    for n in range(len(raw), 0, -1):
        if raw[:n] in marks:
            return marks[raw[:n]]
    return None, None


def is_under(raw: RawPath, prefixes: Iterable[RawPath]) -> bool:
    """Whether ``raw`` is one of ``prefixes`` or lies inside one."""
    return any(raw[:len(p)] == p for p in prefixes)
