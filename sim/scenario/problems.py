"""Input problems reported to people: one line each, naming the file, the key path and the line.

Bad input never gives a traceback: loaders collect :class:`Problem` records and raise one
:class:`ScenarioError` carrying all of them; the CLI prints them and exits with code 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    source: str              # file name, or "--set" for a command-line override
    path: str                # dotted key path ("" for the whole file)
    message: str
    line: int | None = None  # 1-based
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class ScenarioError(Exception):
    """One or more problems with a scenario; ``str()`` gives one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
