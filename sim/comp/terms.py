"""The grammar of plan terms that vary by role and by business line, and of periods, quotas and SPIFs.

A term of an individual schedule (``rate``, ``threshold``, ``tiers``, ``cap``, ``quota``) is either one
value, for everyone, or a mapping **by role** naming each producer role::

    threshold: 12000                                        # everyone
    threshold: {recruiter: 12000, account_manager: 15000}   # by role (both roles named)

``rate`` may also be a mapping **by business line** (perm and contract GP), on its own or inside a
role's entry::

    rate: {perm: 0.12, contract: 0.08}
    rate: {recruiter: {perm: 0.12, contract: 0.08}, account_manager: 0.15}

``pod_lead`` is a known key with its own message: pod leads are credited no GP, so a schedule's terms
never apply to them (their pay is ``base_monthly.pod_lead`` and ``pod_lead.*``). ``quota`` by role may
leave a role out: that role has no quota (no attainment, no gate, no accelerator). The discriminator
chooses the shape from the input (a mapping or not), so a bad value gets one error at its own key
path; the tags ``(value)`` and ``(by role)`` that pydantic puts in error locations are dropped by
:func:`sim.scenario.paths.from_loc`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

PRODUCER_KEYS = ("recruiter", "account_manager")
LINE_KEYS = ("perm", "contract")
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}
"""Months in each plan period."""
VALUE_TAG, MAP_TAG = "(value)", "(by role)"
"""Union tags of a term's two shapes (dropped from error locations)."""
_POD_LEAD = ("pod leads are credited no GP, so schedule terms never apply to them (their pay is "
             "base_monthly.pod_lead and the pod_lead section)")


def plain_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """A pydantic error location without the union tags of terms' shapes: the key path as written."""
    return tuple(part for part in loc if part not in (VALUE_TAG, MAP_TAG))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def fail(key: str, message: str) -> None:
    """Raise one validation error at ``key`` of the model being validated (so it names the key's line)."""
    raise ValidationError.from_exception_data("terms", [InitErrorDetails(
        type=PydanticCustomError("plan_terms", message), loc=(key,), input=None)])


def _shape(value: Any) -> str:
    return MAP_TAG if isinstance(value, dict | BaseModel) else VALUE_TAG


def one_or_map(leaf: Any, mapping: type[BaseModel]) -> Any:
    """A term's annotation: one ``leaf`` value, or the ``mapping`` model (by role, or by line)."""
    return Annotated[Annotated[leaf, Tag(VALUE_TAG)] | Annotated[mapping, Tag(MAP_TAG)], Discriminator(_shape)]


class _Named(_Strict):
    """A mapping of named entries: dumps only the entries given, and refuses ``pod_lead`` with a reason.
    (No before-validator: past one, pydantic would check Python objects, not the file's exact numbers.)"""

    pod_lead: Any = Field(None, description="Not a key of schedule terms: pod leads are credited no GP.")

    @model_validator(mode="after")
    def _no_pod_lead(self) -> _Named:
        if self.pod_lead is not None:
            fail("pod_lead", _POD_LEAD)
        return self

    @model_serializer(mode="wrap")
    def _given_only(self, handler: Any) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


def _need(model: BaseModel, keys: tuple[str, ...], what: str) -> None:
    missing = [k for k in keys if getattr(model, k) is None]
    if missing:
        raise ValueError(f"{what} names each of {', '.join(keys)}; {', '.join(missing)} is missing")


def by_role(leaf: Any, name: str) -> type[BaseModel]:
    """A model of one term by producer role, both roles required (``leaf`` is each role's value type)."""

    class ByRole(_Named):
        recruiter: leaf | None = Field(None, description=f"The recruiters' {name}.")
        account_manager: leaf | None = Field(None, description=f"The account managers' {name}.")

        @model_validator(mode="after")
        def _both_roles(self) -> ByRole:
            _need(self, PRODUCER_KEYS, f"a {name} by role")
            return self

    ByRole.__name__ = ByRole.__qualname__ = f"{name.title().replace(' ', '')}ByRole"
    return ByRole


def _lines_of(model: BaseModel) -> BaseModel:
    lines = [getattr(model, k) is not None for k in LINE_KEYS]
    roles = [getattr(model, k) is not None for k in PRODUCER_KEYS]
    if any(lines) and any(roles):
        raise ValueError("a rate is either by role (recruiter, account_manager) or by line (perm, contract): put "
                         "the lines inside each role's entry")
    if any(lines):
        _need(model, LINE_KEYS, "a rate by line")
    else:
        _need(model, PRODUCER_KEYS, "a rate by role")
    return model


def rate_maps(fraction: Any) -> Any:
    """The annotation of ``rate``: one rate, by line, by role, or by role then line."""

    class RateByLine(_Named):
        perm: fraction | None = Field(None, description="Rate on perm GP.")
        contract: fraction | None = Field(None, description="Rate on contract GP.")

        @model_validator(mode="after")
        def _both_lines(self) -> RateByLine:
            _need(self, LINE_KEYS, "a rate by line")
            return self

    role_rate = one_or_map(fraction, RateByLine)

    class RateByRole(_Named):
        """A rate by role (each a rate or a rate by line), or by line alone."""

        recruiter: role_rate | None = Field(None, description="The recruiters' rate (or rates by line).")
        account_manager: role_rate | None = Field(None, description="The account managers' rate (or by line).")
        perm: fraction | None = Field(None, description="Rate on perm GP, for everyone.")
        contract: fraction | None = Field(None, description="Rate on contract GP, for everyone.")

        @model_validator(mode="after")
        def _one_shape(self) -> RateByRole:
            return _lines_of(self)  # type: ignore[return-value]

    return one_or_map(fraction, RateByRole)


def quota_map(dollars: Any) -> Any:
    """The annotation of ``quota``: none, one amount, or amounts by role (a role left out has none)."""

    class QuotaByRole(_Named):
        recruiter: dollars | None = Field(None, description="The recruiters' quota per period, dollars.")
        account_manager: dollars | None = Field(None, description="The account managers' quota per period.")

    return one_or_map(dollars, QuotaByRole) | None


def role_value(term: Any, role: str) -> Any:
    """The value of a term for one producer role (the term itself when it is one value)."""
    return getattr(term, role) if isinstance(term, BaseModel) and role in type(term).model_fields else term


def line_rates(rate: Any, role: str) -> tuple[Any, Any]:
    """``(perm rate, contract rate)`` of a role from a ``rate`` term of any shape."""
    mine = role_value(rate, role) if isinstance(rate, BaseModel) and getattr(rate, role, None) is not None else rate
    if isinstance(mine, BaseModel):
        return mine.perm, mine.contract
    return mine, mine


class Accelerator(_Strict):
    """Above ``from`` times quota, the schedule's rates are multiplied by ``multiplier`` (marginally)."""

    from_: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] = Field(
        Decimal(1), alias="from", description="Attainment (credited GP / quota, e.g. 1.0 = 100%) at which it starts.")
    multiplier: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] = Field(
        Decimal("1.5"), description="Factor on the rates of the GP credited above that attainment.")

    @model_serializer(mode="wrap")
    def _numbers(self, handler: Any) -> dict[str, Any]:
        out = handler(self)
        return {"from": float(self.from_), "multiplier": float(self.multiplier)} if isinstance(out, dict) else out


class SpifWindow(_Strict):
    from_month: int = Field(1, ge=1, le=1200, description="First month of the window (1-based, after the warm-up).")
    months: int = Field(3, ge=1, le=1200, description="Length of the window in months.")


class Spif(_Strict):
    """A bonus for a stated goal in a window: per placement of a kind, or once on reaching a goal."""

    name: str = Field("spif", min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$",
                      description="What the statement line says.")
    window: SpifWindow = Field(default_factory=SpifWindow, description="The months it runs.")
    kind: Literal["perm", "contract", "any"] = Field("any", description="Which placements count.")
    roles: tuple[Literal["recruiter", "account_manager"], ...] = Field(
        PRODUCER_KEYS, min_length=1, description="Who can earn it (each person credited on a placement).")
    amount: Annotated[Decimal, Field(gt=0, le=1_000_000, decimal_places=2, allow_inf_nan=False)] = Field(
        Decimal(500), description="Dollars per placement, or once when the goal is reached.")
    goal: int | None = Field(None, ge=1, le=1200, description="Placements in the window that earn the amount "
                             "once (none: the amount per placement).")

    @model_serializer(mode="wrap")
    def _numbers(self, handler: Any) -> dict[str, Any]:
        out = handler(self)
        if isinstance(out, dict):
            out["amount"] = float(self.amount)
            out["roles"] = list(self.roles)
        return out
