"""Bounds every valid scenario keeps, so that ``validate`` passing means ``run`` starts and finishes.

Names become folder names, so they are safe slugs. Plan amounts are bounded so that no valid value can
overflow the payout engine's int64 cents: with every amount at most :data:`MAX_AMOUNT` dollars (10**10
cents) and every rate in [0, 1], one person's monthly lines stay below 10**11 cents, and their sum
over the largest firm (20,000 producers) and horizon (600 months) below 1.2 * 10**18, under int64's
9.2 * 10**18. Counts of months are bounded by :data:`MAX_MONTHS`. A batch is bounded by
:data:`MAX_RUNS` runs unless the user says ``--allow-large``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.comp.params import MAX_DOLLARS

MAX_AMOUNT = Decimal(MAX_DOLLARS)   # dollars: any amount or weight of a plan (the engine's own bound on amounts)
MAX_MONTHS = 1200             # any count of months in a plan (a draw's months, a bonus milestone)
MAX_RUNS = 100_000            # runs in one batch (points x schemes x replications) without --allow-large

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def is_slug(value: object) -> bool:
    """Whether ``value`` is a safe name (see :data:`Slug`)."""
    return isinstance(value, str) and _SLUG.match(value) is not None


_LABEL_FORBIDDEN = re.compile(r"[./\\\x00-\x1f\x7f]")


def is_scheme_name(value: object) -> bool:
    """Whether ``value`` is a usable scheme name (see :data:`SchemeName`)."""
    return (isinstance(value, str) and 0 < len(value) <= 100 and value == value.strip()
            and not _LABEL_FORBIDDEN.search(value))


def _checked(check: Callable[[object], bool], why: str) -> AfterValidator:
    def validate(value: str) -> str:
        if not check(value):
            raise ValueError(f"{value!r} {why}")
        return value
    return AfterValidator(validate)


SLUG_RULE = ("is not a plain name: use letters, digits, '_', '-' and '.' (at most 100, starting with a letter or "
             "digit; no slashes or spaces)")
#: A name that is safe as a folder or file name: it starts with a letter or digit (so it is never ``.``,
#: ``..`` or hidden) and holds no separator or space.
Slug = Annotated[str, _checked(is_slug, SLUG_RULE)]

#: A scheme's name: shown in reports, so spaces and punctuation are welcome, but never a dot (it would
#: split ``schemes.<name>.rate``), a path separator or a control character.
SchemeName = Annotated[str, _checked(is_scheme_name, "is not a usable scheme name: 1 to 100 characters without "
                                     "dots, slashes, control characters or surrounding spaces (a dot would split "
                                     "a dotted key)")]


def _fractions_only(field: Any) -> bool:
    """Whether a Decimal field is already bounded to [0, 1] (a rate or a share)."""
    return any(getattr(m, "le", None) is not None and m.le <= 1 for m in field.metadata)


def _out_of_bounds(model: BaseModel, loc: tuple[Any, ...]) -> list[InitErrorDetails]:
    errors: list[InitErrorDetails] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        here = (*loc, field.alias or name)
        items = list(enumerate(value)) if isinstance(value, tuple) else [(None, value)]
        for i, item in items:
            at = here if i is None else (*here, i)
            if isinstance(item, BaseModel):
                errors += _out_of_bounds(item, at)
            elif isinstance(item, Decimal) and not _fractions_only(field) and abs(item) > MAX_AMOUNT:
                errors.append(_too_large("amount", f"{item:g}", f"{MAX_AMOUNT:,}", at))
            elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_MONTHS:
                errors.append(_too_large("count", str(item), f"{MAX_MONTHS:,}", at))
    return errors


def _too_large(what: str, value: str, limit: str, at: tuple[Any, ...]) -> InitErrorDetails:
    message = f"{{value}} is beyond the largest {what} a plan may hold ({{limit}})"
    return InitErrorDetails(type=PydanticCustomError(f"{what}_too_large", message, {"value": value, "limit": limit}),
                            loc=at, input=value)


def plan_bound_errors(plan: BaseModel) -> list[InitErrorDetails]:
    """Every amount or count of ``plan`` (recursively) beyond :data:`MAX_AMOUNT` / :data:`MAX_MONTHS`."""
    return _out_of_bounds(plan, ())
