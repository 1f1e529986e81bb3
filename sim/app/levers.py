"""The workshop's levers: what the room can change, read from and written back to the validated scenario.

Every lever names a key path in a scheme's (or the firm's) YAML mapping, per plan type, so its
default is the validated scenario's own value (what ``teamsim run`` would use) and a Run is that
same mapping with the lever values written in, validated again by :func:`sim.scenario.validate`
(the CLI's schema). :func:`parse` is the server-side gate for every request: a value the page could
not have sent (a slider off its range, an unknown scheme, a list where a number belongs) raises
:class:`Forged` (answered 400); a value a person typed that does not fit comes back as a problem
that echoes what was typed, next to its field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from sim.app.terms import get_path, plan_type, scenario_mapping, scheme_mapping, set_path
from sim.scenario import Scenario, ScenarioError, Scheme, validate

Kind = Literal["share", "money", "count", "bool", "month"]
ANY = "*"   # a path that applies under every plan type
COMMISSION_TYPES = ("individual", "team_pool", "hybrid")


class Forged(ValueError):
    """A request no page of this app could have sent (answered with HTTP 400)."""


@dataclass(frozen=True)
class Lever:
    name: str                          # the control's id
    label: str                         # what the room reads next to the control
    phrase: str                        # how a change reads on a legend: "pool {}" -> "pool 40%"
    kind: Kind
    lo: float
    hi: float
    step: float
    paths: dict[str, tuple[str, ...]]  # plan type (or ANY) -> key path in the scheme's mapping
    scope: Literal["scheme", "firm", "top"] = "scheme"
    typed: bool = False                # a text field (typing echoes back) rather than a slider
    needs: str | None = None           # a switch lever without which this one moves nothing (pod lead pay)

    def path(self, kind: str) -> tuple[str, ...] | None:
        return self.paths.get(kind, self.paths.get(ANY))

    def show(self, value: Any) -> str:
        """A value as the room reads it: 40%, $6,000, on, month 12."""
        if value is None:
            return "off" if self.kind == "month" else "-"
        if self.kind == "share":
            return f"{round(float(value) * 100, 1):g}%"
        if self.kind == "money":
            return f"${float(value):,.0f}"
        if self.kind == "bool":
            return "on" if value else "off"
        if self.kind == "month":
            return f"month {int(value)}"
        return str(int(value))


ROLES = (("recruiter", "Recruiter", "recruiter"), ("account_manager", "Account manager", "AM"))
LINES = (("perm", "perm"), ("contract", "contract"))


def _variant(base: Lever, key: str, label: str, phrase: str) -> Lever:
    """``base`` for one entry of a term written by role or by line: its path one key deeper."""
    paths = {kind: (*path, key) for kind, path in base.paths.items()}
    return Lever(f"{base.name}_{key}", label, phrase, base.kind, base.lo, base.hi, base.step, paths, base.scope,
                 base.typed, base.needs)


def by_role(base: Lever, lines: bool = False) -> tuple[Lever, ...]:
    """A plan term's levers: one number for everyone, or one lever per role (and, for a rate, per business
    line and per role and line), so a term the scheme writes as a mapping is still one number per control."""
    out = [base]
    for role, who, short in ROLES:
        out.append(role_lever := _variant(base, role, f"{who} {base.label[0].lower()}{base.label[1:]}",
                                          f"{short} {base.phrase}"))
        if lines:
            out += [_variant(role_lever, line, f"{role_lever.label} on {said} GP", f"{short} {said} {base.phrase}")
                    for line, said in LINES]
    if lines:
        out += [_variant(base, line, f"{base.label} on {said} GP", f"{said} {base.phrase}") for line, said in LINES]
    return tuple(out)


LEVERS: tuple[Lever, ...] = (
    *by_role(Lever("rate", "Commission rate", "commission {}", "share", 0, 0.5, 0.01,
                   {"individual": ("rate",), "hybrid": ("individual", "rate")}), lines=True),
    *by_role(Lever("threshold", "Commission threshold ($ of credit a period)", "threshold {}", "money", 0, 50_000,
                   500, {"individual": ("threshold",), "hybrid": ("individual", "threshold")}, typed=True)),
    *by_role(Lever("quota", "Quota ($ of credit a period)", "quota {}", "money", 1, 1_000_000, 500,
                   {"individual": ("quota",), "hybrid": ("individual", "quota")}, typed=True)),
    Lever("pool_rate", "Team pool (share of pod gross profit)", "pool {}", "share", 0, 0.5, 0.01,
          {"team_pool": ("rate",), "hybrid": ("team_pool", "rate")}),
    Lever("pool_share", "Pool's share of the hybrid plan", "pool share {}", "share", 0, 1, 0.05,
          {"hybrid": ("individual_weight",)}),
    Lever("split", "Recruiter's share of each placement's credit", "recruiter credit {}", "share", 0, 1, 0.05,
          {ANY: ("split", "recruiter")}),
    Lever("lead_override", "Pod lead: share of pod gross profit", "lead override {}", "share", 0, 0.1, 0.005,
          {ANY: ("pod_lead", "override_rate")}, needs="pod_leads"),
    Lever("lead_bonus", "Pod lead: bonus per hire reaching the milestone ($)", "lead bonus {}", "money", 0,
          20_000, 500, {ANY: ("pod_lead", "development_bonus")}, typed=True, needs="pod_leads"),
    Lever("leaderboard", "Publish a leaderboard", "leaderboard {}", "bool", 0, 1, 1, {ANY: ("policy", "leaderboard")}),
    Lever("partnership_time", "Partnership time (share of selling time)", "partnership {}", "share", 0, 0.5, 0.05,
          {ANY: ("policy", "partnership_time")}),
    Lever("hiring_for_cooperation", "Hiring for cooperation", "hiring for cooperation {}", "share", 0, 1, 0.1,
          {ANY: ("policy", "hiring_for_cooperation")}),
    Lever("remove_star_month", "Remove the star at month (blank: never)", "star out at {}", "month", 1, 600, 1,
          {ANY: ("policy", "remove_star_month")}, typed=True),
    Lever("pod_leads", "A pod lead in every pod", "pod leads {}", "bool", 0, 1, 1, {ANY: ("pod_leads",)}, "firm"),
    Lever("pods", "Pods", "{} pods", "count", 1, 20, 1, {ANY: ("pods",)}, "firm"),
    Lever("recruiters_per_pod", "Recruiters per pod", "{} recruiters a pod", "count", 1, 10, 1,
          {ANY: ("recruiters_per_pod",)}, "firm"),
    Lever("account_managers_per_pod", "Account managers per pod", "{} AMs a pod", "count", 1, 10, 1,
          {ANY: ("account_managers_per_pod",)}, "firm"),
    Lever("replications", "Replications", "{} replications", "count", 1, 500, 1, {ANY: ("replications",)}, "top",
          typed=True),
)
BY_NAME: dict[str, Lever] = {lv.name: lv for lv in LEVERS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def _section(data: dict[str, Any], lever: Lever, scheme: dict[str, Any]) -> dict[str, Any]:
    return {"scheme": scheme, "firm": data["firm"], "top": data}[lever.scope]


def _stored(lever: Lever, value: Any) -> Any:
    """Lever value -> the value stored in the mapping (pool share is 1 - individual weight)."""
    if lever.name == "pool_share" and value is not None:
        return round(1 - float(value), 4)
    return value


def applies(lever: Lever, scheme: Scheme | dict[str, Any]) -> bool:
    """Whether the lever means something for this scheme: its plan type has the term (pod lead pay needs no
    commission) and, for a number of the plan, the scheme writes one number there. A term written by role
    or by line is a mapping, so the number lever gives way to one lever per entry (``rate_recruiter``,
    ``rate_account_manager_perm``); a rate gives way to tiers where the scheme sets them (they replace it)."""
    mapping = scheme if isinstance(scheme, dict) else scheme_mapping(scheme)
    path = lever.path(str(mapping["type"]))
    if path is None:
        return False
    if lever.scope != "scheme" or lever.kind not in ("share", "money", "count") or path[0] == "policy":
        return True   # switches, the month, the firm's size and the policy are there whatever the plan
    if "rate" in path and get_path(mapping, (*path[:path.index("rate")], "tiers")) is not None:
        return False
    value = get_path(mapping, path)
    return isinstance(value, int | float) and not isinstance(value, bool)


def in_force(lever: Lever, values: dict[str, Any]) -> bool:
    """Whether the switch the lever needs is on in these values (as parsed, or as a control sends it)."""
    return lever.needs is None or bool(values.get(lever.needs))


def live(lever: Lever, scheme: Scheme | dict[str, Any], values: dict[str, Any]) -> bool:
    """Whether the lever moves the run: it applies to the scheme and its switch (if any) is on."""
    return applies(lever, scheme) and in_force(lever, values)


def offered(scenario: Scenario) -> set[str]:
    """The levers some scheme of the scenario has (the page shows only these)."""
    mappings = [scheme_mapping(s) for s in scenario.schemes]
    return {lv.name for lv in LEVERS if any(applies(lv, m) for m in mappings)}


def _mapping(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a mapping, each scheme with its whole policy (the top level's merged with its own),
    since a lever sets a scheme's policy key whether or not the file set it there."""
    data = scenario_mapping(scenario)
    for validated, scheme in zip(scenario.schemes, data["schemes"], strict=True):
        scheme["policy"] = validated.policy.model_dump(mode="json")
    return data


def defaults(scenario: Scenario, scheme: str | None = None, replications: int | None = None) -> dict[str, Any]:
    """Every lever's value in the validated scenario for one of its schemes (the first by default)."""
    chosen = scenario.scheme(scheme) if scheme else scenario.schemes[0]
    data = _mapping(scenario)
    mapping = next(s for s in data["schemes"] if s["name"] == chosen.name)
    kind = plan_type(chosen)
    out: dict[str, Any] = {"scheme": chosen.name}
    for lv in LEVERS:
        path = lv.path(kind)
        value = get_path(_section(data, lv, mapping), path) if path and applies(lv, mapping) else None
        out[lv.name] = _stored(lv, value)   # the same transform both ways (1 - (1 - w) = w)
    if replications is not None:
        out["replications"] = replications
    return out


@dataclass(frozen=True)
class Caps:
    """Server-side limits on what one Run may ask for (beyond the schema's own ranges)."""

    replications: int = 500
    pods: int = 20
    per_pod: int = 10

    def limit(self, lever: Lever, scenario: Scenario) -> tuple[float, float]:
        """The range a lever's control offers and the server accepts (a file's own value always fits)."""
        firm = scenario.firm
        hi = {"replications": max(self.replications, 1), "pods": max(self.pods, firm.pods),
              "recruiters_per_pod": max(self.per_pod, firm.recruiters_per_pod),
              "account_managers_per_pod": max(self.per_pod, firm.account_managers_per_pod),
              "remove_star_month": scenario.horizon_months}.get(lever.name, lever.hi)
        return lever.lo, hi


def _number(lever: Lever, value: Any, lo: float, hi: float) -> tuple[Any, str | None]:
    """A typed or slid value parsed for ``lever``; a problem echoes what was typed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if lever.kind == "month":
            return None, None
        return None, f"{lever.label}: enter a value (from {lever.show(lo)} to {lever.show(hi)})"
    if isinstance(value, bool) or not isinstance(value, int | float | str) or lever.typed != isinstance(value, str):
        raise Forged(f"{lever.name}: not what its control sends")
    if isinstance(value, str):
        if len(value) > 40:
            raise Forged(f"{lever.name}: longer than anyone types")
        text = value.strip().replace(",", "").lstrip("$")
        try:
            number = float(text)
        except ValueError:
            return None, f"{lever.label}: {value.strip()!r} is not a number"
    else:
        number = float(value)
        text = f"{value:g}"
    whole = lever.kind in ("count", "month")
    if not math.isfinite(number) or (whole and number != int(number)) or not lo <= number <= hi:
        what = "a whole number" if whole else "a value"
        if not lever.typed:
            raise Forged(f"{lever.name}: {text} is off the control's range")
        return None, f"{lever.label}: {what} from {lever.show(lo)} to {lever.show(hi)}, not {value!s}"
    if lever.kind == "month" and number == 0:
        return None, None
    return (int(number) if whole else number), None


def _held(lever: Lever, value: Any) -> None:
    """A disabled control's value is ignored, but it must still be what that control can hold."""
    if lever.kind == "bool":
        ok = isinstance(value, bool) or (isinstance(value, list) and len(value) <= 1 and all(v == "on" for v in value))
    elif lever.typed:
        ok = value is None or (isinstance(value, str) and len(value) <= 40)
    else:
        ok = value is None or (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value))
    if not ok:
        raise Forged(f"{lever.name}: not what its control holds")


def parse(values: dict[str, Any], scenario: Scenario, caps: Caps) -> tuple[dict[str, Any], dict[str, str]]:
    """Lever values from a request, checked; returns (values, problems by lever name).

    Raises :class:`Forged` for what no page could have sent. Levers that do not apply to the chosen
    scheme (:func:`applies`), or whose switch is off (:func:`in_force`), are set to None, whatever their
    disabled control sent.
    """
    if not isinstance(values, dict) or set(values) - {"scheme", *NAMES}:
        raise Forged("unknown levers")
    names = [s.name for s in scenario.schemes]
    scheme = values.get("scheme")
    if not isinstance(scheme, str) or scheme not in names:
        raise Forged("no such scheme")
    mapping = scheme_mapping(scenario.scheme(scheme))
    out: dict[str, Any] = {"scheme": scheme}
    problems: dict[str, str] = {}
    for lv in LEVERS:
        value = values.get(lv.name)
        if not live(lv, mapping, values):   # the switch itself is parsed in its turn
            _held(lv, value)
            out[lv.name] = None
            continue
        if lv.kind == "bool":
            if isinstance(value, list) and all(v == "on" for v in value) and len(value) <= 1:
                out[lv.name] = bool(value)
            elif isinstance(value, bool):
                out[lv.name] = value
            else:
                raise Forged(f"{lv.name}: not a switch")
            continue
        out[lv.name], problem = _number(lv, value, *caps.limit(lv, scenario))
        if problem:
            problems[lv.name] = problem
    return out, problems


def control_value(lever: Lever, value: Any) -> Any:
    """A lever value as its control holds it (and sends it back): a list for a switch, text for a typed field."""
    if lever.kind == "bool":
        return ["on"] if value else []
    if lever.typed:
        return "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
    return value if value is not None else lever.lo


def as_sent(values: dict[str, Any]) -> dict[str, Any]:
    """Lever values as the page sends them (what :func:`parse` expects)."""
    return {"scheme": values["scheme"], **{lv.name: control_value(lv, values.get(lv.name)) for lv in LEVERS}}


def key_of(lever: Lever, scheme: str, kind: str) -> str | None:
    """The dotted key a validation problem names for this lever (as :func:`sim.scenario.validate` says it)."""
    path = lever.path(kind)
    if path is None:
        return None
    return {"scheme": f"schemes.{scheme}.", "firm": "firm.", "top": ""}[lever.scope] + ".".join(path)


def build_scenario(scenario: Scenario, levers: dict[str, Any]) -> Scenario:
    """The scenario for one Run: the file's validated scenario with only the chosen scheme and the levers
    written in, validated again; raises :class:`sim.scenario.ScenarioError` listing every bad value."""
    data = _mapping(scenario)
    scheme = next(s for s in data["schemes"] if s["name"] == levers["scheme"])
    kind = str(scheme["type"])
    terms = [(lv, lv.path(kind)) for lv in LEVERS   # chosen before writing; a term whose switch is off keeps the file's
             if lv.name in levers and live(lv, scheme, levers)]
    for lv, path in terms:
        value = levers[lv.name]
        if lv.kind == "share" and value is not None:
            value = round(float(value), 4)   # shares stay exact in the plan's decimal arithmetic
        set_path(_section(data, lv, scheme), path, _stored(lv, value))
        if lv.name == "split" and value is not None:
            scheme["split"]["account_manager"] = round(1 - value, 4)
    data["schemes"] = [scheme]
    return validate(data, "<app>")


def problems_by_lever(err: ScenarioError, levers: dict[str, Any], kind: str) -> dict[str, str]:
    """Validation problems placed next to the lever they name; the rest under ``""``."""
    keys = {key_of(lv, levers["scheme"], kind): lv for lv in LEVERS}
    out: dict[str, str] = {}
    for p in err.problems:
        lv = keys.get(p.path)
        name = lv.name if lv else ""
        text = f"{lv.label}: {p.message}" if lv else str(p)
        out[name] = f"{out[name]}\n{text}" if name in out else text
    return out


def changes(levers: dict[str, Any], baseline: dict[str, Any] | None, own: dict[str, Any] | None = None) -> list[str]:
    """What a run changed from the baseline, as the room says it: ["team_pool", "pool 40%", "leaderboard on"].

    ``own`` is the run's scheme as the file has it: a term the baseline's plan has not (a pool rate
    when the baseline is individual) is a change only where it differs from the scheme's own value.
    """
    if baseline is None:
        return []
    out = [levers["scheme"]] if levers.get("scheme") != baseline.get("scheme") else []
    for lv in LEVERS:
        a, b = levers.get(lv.name), baseline.get(lv.name)
        if b is None and own is not None and lv.kind != "month":
            b = own.get(lv.name)
        if a == b or (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b)):
            continue
        if a is None:   # a lever the run's plan has not (it shows as the scheme's change), or "never"
            if lv.kind == "month" and lv.name in levers:
                out.append("star kept")
            continue
        out.append(lv.phrase.format(lv.show(a)))
    return out


def label(levers: dict[str, Any], baseline: dict[str, Any] | None, n: int, is_baseline: bool,
          own: dict[str, Any] | None = None) -> str:
    """A run's name on legends and bars: "baseline", or what changed ("pool 40%, leaderboard on")."""
    if is_baseline:
        return f"baseline (run {n})"
    changed = changes(levers, baseline, own)
    return f"{', '.join(changed)} (run {n})" if changed else f"as baseline (run {n})"


def _no_term(lever: Lever, scheme: Scheme) -> str:
    """Why a round's lever does not fit its scheme, naming the levers of that term the scheme has."""
    kind = plan_type(scheme)
    family = [lv.name for lv in LEVERS if lv.name.startswith(f"{lever.name}_") and applies(lv, scheme)]
    if family:
        return f"scheme {scheme.name!r} writes {lever.name} by role or line: set {', '.join(family)}"
    return f"scheme {scheme.name!r} ({kind}) has no such term"


def check_rounds(scenario: Scenario, source: str, caps: Caps) -> None:
    """Every round of the scenario's script gives a valid Run; raises ScenarioError naming each bad lever."""
    from sim.scenario import Problem

    ws = scenario.workshop
    problems: list[Problem] = []
    for i, r in enumerate(ws.rounds if ws else []):
        where = f"workshop.rounds[{i}].levers"
        scheme = scenario.scheme(r.scheme)
        unused = [n for n in r.levers if not applies(BY_NAME[n], scheme)]
        problems += [Problem(source, f"{where}.{n}", _no_term(BY_NAME[n], scheme)) for n in unused]
        values = {**defaults(scenario, r.scheme), **r.levers}
        idle = [BY_NAME[n] for n in r.levers if n not in unused and not in_force(BY_NAME[n], values)]
        problems += [Problem(source, f"{where}.{lv.name}", f"moves nothing while {lv.needs} is off: set "
                             f"{lv.needs}: true in this round") for lv in idle]
        unused += [lv.name for lv in idle]
        try:
            levers, bad = parse(as_sent(values), scenario, caps)
        except Forged as err:
            problems.append(Problem(source, where, str(err)))
            continue
        problems += [Problem(source, f"{where}.{n}", msg) for n, msg in bad.items()]
        if not bad and not unused:
            try:
                build_scenario(scenario, levers)
            except ScenarioError as err:
                problems += [Problem(source, f"{where}: {p.path}", p.message) for p in err.problems]
    if problems:
        raise ScenarioError(problems)
