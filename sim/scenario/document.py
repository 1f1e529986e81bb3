"""Reading a scenario file as hostile input: bounded, alias-free YAML 1.2 read in one pass.

The file is opened without blocking and refused unless it is a regular file under :data:`MAX_BYTES`;
it is then parsed once, event by event (libyaml's parser keeps no recursion), into plain data and
the line marks of its keys. Nothing is expanded or constructed beyond plain values: an alias, an
explicit tag, a second document, a duplicate key, nesting deeper than :data:`MAX_DEPTH`, more than
:data:`MAX_NODES` values, an integer of more than :data:`MAX_DIGITS` digits or a number that is not
finite is refused with one :class:`~sim.scenario.problems.Problem` naming its line. Scalars are
resolved as YAML 1.2's core schema does (``yes``, ``on`` and ``1:30`` stay text). The same reader
parses ``--set`` values, so a sweep value, an override and a file obey one grammar.
"""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.paths import display
from sim.scenario.problems import Problem, ScenarioError

Key = str | int
Marks = dict[tuple[Key, ...], tuple[int, int]]

MAX_BYTES = 1_000_000    # a scenario is a few kilobytes; a megabyte is far beyond any real one
MAX_DEPTH = 32           # nesting of mappings and lists (a scenario needs about six)
MAX_NODES = 100_000      # values in one document (a scenario has a few hundred)
MAX_DIGITS = 30          # digits of an integer (every integer setting is far below 10**30)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
_STR_TAGS = (None, "!", "tag:yaml.org,2002:str")


@dataclass(frozen=True)
class Document:
    """One parsed scenario file: its plain data and the (line, column) of each key path (1-based)."""

    source: str
    data: dict[str, Any]
    marks: Marks = field(default_factory=dict)


class _Stop(Exception):
    """A problem after which the rest of the document cannot be read."""


def _scalar(event: yaml.ScalarEvent) -> tuple[Any, str | None]:
    """The plain value of a scalar under YAML 1.2's core schema (quoted scalars are always text), or
    None and why it is refused."""
    text = event.value
    if event.tag not in _STR_TAGS:
        return None, f"YAML tags ({event.tag}) are not allowed"
    if event.tag is not None or event.style:   # quoted, block, or tagged as text
        return text, None
    if _NULL.match(text):
        return None, None
    if text in _BOOL:
        return _BOOL[text], None
    if _INT.match(text) or _OCT.match(text) or _HEX.match(text):
        digits = len(text.lstrip("+-"))
        if digits > MAX_DIGITS:
            return None, f"an integer of {digits} digits is beyond any setting's range"
        return int(text, 8 if "0o" in text else 16 if "0x" in text else 10), None
    if _FLOAT.match(text) or _INF.match(text) or _NAN.match(text):
        value = math.nan if _INF.match(text) or _NAN.match(text) else float(text)
        if not math.isfinite(value):
            return None, f"{text} is not a finite number"
        return value, None
    return text, None


def _dotted(data: Any, path: tuple[Key, ...]) -> str:
    """A key path for a problem line (schemes by name); a deep one by its start, which is enough to find it."""
    if len(path) > 8:
        return display(data if isinstance(data, dict) else {}, path[:6]) + "..."
    return display(data if isinstance(data, dict) else {}, path)


def parse_text(text: str, source: str, path_prefix: str = "") -> tuple[Any, Marks, list[Problem]]:
    """Parse one YAML document into plain data and key marks; problems are returned, not raised.

    ``path_prefix`` names the value in problems (a ``--set`` key, say) when the text is not a file.
    """
    bad: list[tuple[tuple[Key, ...], str, tuple[int, int]]] = []   # values refused: path, why, where
    marks: Marks = {}
    # Each frame: [container, its key path, the pending mapping key (None when a key comes next)].
    stack: list[list[Any]] = []
    root: Any = None
    documents = nodes = 0

    def where(event: Any) -> tuple[int, int]:
        return event.start_mark.line + 1, event.start_mark.column + 1

    def name(path: tuple[Key, ...]) -> str:
        inner = _dotted(root, path)
        return f"{path_prefix}.{inner}" if path_prefix and inner else path_prefix or inner

    def add(value: Any, event: Any) -> None:
        """Put ``value`` in the open container (or make it the root)."""
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        if isinstance(frame[0], list):
            marks[(*frame[1], len(frame[0]))] = where(event)
            frame[0].append(value)
        else:
            frame[0][frame[2]] = value
            frame[2] = None

    def path_of_next() -> tuple[Key, ...]:
        """The key path the next value will have."""
        if not stack:
            return ()
        container, path, key = stack[-1]
        return (*path, len(container)) if isinstance(container, list) else (*path, key)

    def fail(message: str, event: Any, path: tuple[Key, ...] | None = None) -> _Stop:
        return _Stop(Problem(source, name(path if path is not None else (stack[-1][1] if stack else ())), message,
                             *where(event)))

    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise fail("a scenario file holds one YAML document, not several", event, ())
                continue
            if isinstance(event, yaml.AliasEvent):
                raise fail(f"YAML aliases (*{event.anchor}) are not allowed: write the value out", event,
                           path_of_next())
            if not isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent | yaml.CollectionEndEvent):
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                stack.pop()
                continue
            nodes += 1
            if nodes > MAX_NODES:
                raise fail(f"more than {MAX_NODES:,} values: not a scenario", event, ())
            frame = stack[-1] if stack else None
            if frame is not None and isinstance(frame[0], dict) and frame[2] is None:   # a mapping key
                if not isinstance(event, yaml.ScalarEvent):
                    raise fail("a key must be a plain word, not a list or a mapping", event)
                if event.tag not in _STR_TAGS:
                    raise fail(f"YAML tags ({event.tag}) are not allowed", event)
                key = event.value
                if key in frame[0]:
                    first = marks.get((*frame[1], key), (None,))[0]
                    raise fail(f"duplicate key {key!r}" + (f" (first at line {first})" if first else ""), event,
                               (*frame[1], key))
                frame[2] = key
                marks[(*frame[1], key)] = where(event)
                continue
            path = path_of_next()
            if isinstance(event, yaml.ScalarEvent):
                value, refused = _scalar(event)
                if refused:
                    bad.append((path, refused, where(event)))
                add(value, event)
                continue
            if len(stack) >= MAX_DEPTH:
                raise fail(f"nested deeper than {MAX_DEPTH} levels", event)
            if event.tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                raise fail(f"YAML tags ({event.tag}) are not allowed", event, path)
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            add(container, event)
            stack.append([container, path, None])
    except _Stop as stop:
        return None, marks, [stop.args[0]]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = f"YAML syntax error: {exc.problem or exc.context}"
        return None, marks, [Problem(source, path_prefix, message, line, col)]
    except yaml.reader.ReaderError as exc:   # a character YAML refuses anywhere: the first of its kind is the one
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        at = text.find(chr(code))
        line, column = (text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)) if at >= 0 else (None, None)
        return None, marks, [Problem(source, path_prefix, f"{exc.reason} in YAML: U+{code:04X}", line, column)]
    except yaml.YAMLError as exc:
        return None, marks, [Problem(source, path_prefix, f"YAML error: {' '.join(str(exc).split())}")]
    return root, marks, [Problem(source, name(path), why, *at) for path, why, at in bad]


def read_text(path: str | Path) -> str:
    """The file's text, refusing anything but a readable regular UTF-8 file of at most MAX_BYTES."""
    source = str(path)

    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem(source, "", message)])

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise refuse("file not found") from None
    except PermissionError:
        raise refuse("cannot read file: permission denied") from None
    except OSError as exc:
        raise refuse(f"cannot read file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a directory, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file (a pipe or a device?); give a scenario file")
        if info.st_size > MAX_BYTES:
            raise refuse(f"the file is {info.st_size:,} bytes, over the limit of {MAX_BYTES:,}")
        try:
            raw = os.read(fd, MAX_BYTES + 1)
        except OSError as exc:
            raise refuse(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise refuse(f"the file is over the limit of {MAX_BYTES:,} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(f"cannot read file: not UTF-8 text (byte {exc.start})") from None


def read_document(path: str | Path) -> Document:
    """Read and parse one scenario file; raises ScenarioError with one line per problem."""
    source = str(path)
    data, marks, problems = parse_text(read_text(path), source)
    if problems:
        raise ScenarioError(problems)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(source, "", "a scenario file must be a mapping of keys to values")])
    return Document(source, data, marks)
