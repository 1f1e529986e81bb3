"""The plan library: templates of common staffing plans in ``scenarios/plans/``, included by name.

A template is a YAML file ``scenarios/plans/<name>.yaml``: a plan's keys as a scheme writes them (``type``
and that type's terms), beside two keys of its own, ``description`` (one line) and ``source`` (where the
plan comes from, or a note that it is typical practice). Every ``*.yaml`` file of the folder is a
template, so a plan added there is listed by ``teamsim plans`` and can be included at once.

A scenario includes one in a scheme with ``plan: NAME``; the scheme's other keys override the
template's, section by section (``split: {recruiter: 0.6}`` keeps the template's other split keys), and
``name`` defaults to the plan's. The expanded scheme is then validated as any other, so an override is
held to the same rules; an unknown plan name is one problem line with a did-you-mean.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario import paths
from sim.scenario.document import Marks, read_document
from sim.scenario.problems import Problem, ScenarioError

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "plans"
"""The folder of plan templates shipped with teamsim."""
META_KEYS = ("description", "source")
INCLUDE = "plan"
"""The scheme key that names a template."""


@dataclass(frozen=True)
class Template:
    """One plan template: its name (the file's stem), what it is, where it comes from, and its plan keys."""

    name: str
    description: str
    source: str
    keys: dict[str, Any]
    path: Path

    @property
    def type(self) -> str:
        return str(self.keys.get("type", ""))


def _check_plan(path: Path, keys: dict[str, Any], marks: Marks) -> list[Problem]:
    """The template's plan keys validated as a scheme of its type (one problem per bad key)."""
    from sim.scenario.schema import SCHEME_CLASSES

    cls = SCHEME_CLASSES.get(keys.get("type"))  # type: ignore[arg-type]
    if cls is None:
        return [Problem(str(path), "type", f"unknown plan type {keys.get('type')!r}; choose one of "
                        f"{', '.join(sorted(SCHEME_CLASSES))}" + paths.hint(str(keys.get("type")), SCHEME_CLASSES),
                        *marks.get(("type",), (None, None)))]
    try:
        cls.model_validate_json(json.dumps({"name": path.stem, **keys}, default=float), strict=True)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            raw = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            out.append(Problem(str(path), ".".join(map(str, raw)), msg, *paths.nearest_mark(marks, raw)))
        return out
    return []


def read_template(path: Path) -> Template:
    """One template file, or ScenarioError with one line per problem."""
    doc = read_document(path)
    data, problems = doc.data, []
    for key in META_KEYS:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(doc.source, key, f"a plan template needs a {key} (one line of text)",
                                    *doc.marks.get((key,), (None, None))))
    for key in ("name", INCLUDE, "policy"):
        if key in data:
            problems.append(Problem(doc.source, key, f"a plan template holds plan keys only, not {key!r}",
                                    *doc.marks.get((key,), (None, None))))
    keys = {k: v for k, v in data.items() if k not in (*META_KEYS, "name", INCLUDE, "policy")}
    problems += _check_plan(path, keys, doc.marks)
    if problems:
        raise ScenarioError(problems)
    return Template(path.stem, " ".join(data["description"].split()), " ".join(data["source"].split()), keys, path)


@cache
def _library(folder: Path, stamp: tuple[tuple[str, int], ...]) -> tuple[dict[str, Template], tuple[Problem, ...]]:
    templates: dict[str, Template] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            templates[path.stem] = read_template(path)
        except ScenarioError as err:
            problems += err.problems
    return templates, tuple(problems)


def library(folder: Path = LIBRARY) -> tuple[dict[str, Template], list[Problem]]:
    """Every template of ``folder`` by name, and the problems of those that cannot be read (read once per
    state of the folder)."""
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in files)
    templates, problems = _library(folder, stamp)
    return dict(templates), list(problems)


def suggest(word: str, names: Any) -> str:
    """`` (did you mean 'x'?)``: the name closest to ``word``, whole or by its first word (``tierd`` ->
    ``tiered_20_30_40``), or nothing."""
    names = [str(n) for n in names]
    by_head = {n.split("_")[0]: n for n in names}
    found = difflib.get_close_matches(word, names, n=1, cutoff=0.6) or \
        [by_head[h] for h in difflib.get_close_matches(word.split("_")[0], list(by_head), n=1, cutoff=0.6)]
    return f" (did you mean {found[0]!r}?)" if found else ""


def merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with ``over`` laid on it, mapping by mapping (any other value replaced)."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else copy.deepcopy(value)
    return out


def expand_plans(data: dict[str, Any], source: str, marks: Marks, folder: Path = LIBRARY) -> dict[str, Any]:
    """``data`` with every scheme's ``plan: NAME`` replaced by the template's keys under the scheme's own
    (a new mapping; ``data`` is untouched). Raises ScenarioError for an unknown or unreadable plan."""
    schemes = data.get("schemes")
    if not isinstance(schemes, list) or not any(isinstance(s, dict) and INCLUDE in s for s in schemes):
        return data
    templates, broken = library(folder)
    problems: list[Problem] = []
    out = []
    for i, scheme in enumerate(schemes):
        if not isinstance(scheme, dict) or INCLUDE not in scheme:
            out.append(scheme)
            continue
        name, where = scheme[INCLUDE], marks.get(("schemes", i, INCLUDE), (None, None))
        label = f"schemes[{i}].{INCLUDE}"
        if not isinstance(name, str) or name not in templates:
            bad = [p for p in broken if Path(p.source).stem == name]
            if bad:
                problems.append(Problem(source, label, f"plan {name!r} cannot be read: {bad[0]}", *where))
            else:
                known = ", ".join(sorted(templates)) or "none"
                problems.append(Problem(source, label, f"no plan template named {name!r} in {folder}"
                                        + suggest(str(name), templates) + f"; the library holds {known} "
                                        "(teamsim plans lists them)", *where))
            continue
        template = templates[name]
        own = {k: v for k, v in scheme.items() if k != INCLUDE}
        if "type" in own and own["type"] != template.type:
            problems.append(Problem(source, f"schemes[{i}].type", f"plan {name!r} is a {template.type} plan; "
                                    f"leave out type (or write the scheme without plan)",
                                    *marks.get(("schemes", i, "type"), where)))
            continue
        out.append({"name": name, **merged(template.keys, own)})
    if problems:
        raise ScenarioError(problems)
    return {**data, "schemes": out}
