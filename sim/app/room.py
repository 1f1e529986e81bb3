"""The room that plays: seats, players, rounds and months of ``teamsim app FILE --play``, without the web.

Players take a recruiter's or an account manager's seat in a pod (at most ``per_pod`` players a pod, so
the model plays at least one seat in every pod by default). Each round is one replication of the
scenario under the round's scheme, walked by :class:`sim.model.stepping.Replication`: every round sees
the same market (replication 0, common random numbers), so what differs between rounds is the plan
and what the room chose. Each month a player chooses effort and whether to share (cooperation 1 or 0);
a player who has not chosen when the facilitator plays the month gets what the model's person in the
seat chose. Pay comes from the payout engine through the model; amounts stay integer cents and are
formatted here from cents, so a statement's lines add up to its total on screen too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sim.app.terms import plan_type, scheme_mapping
from sim.model.stepping import Choice, Replication
from sim.scenario import Scenario

ROLES = {"recruiter": "Recruiter", "account_manager": "Account manager"}
PLANS = {"individual": "Individual commission", "team_pool": "Team pool", "hybrid": "Hybrid (individual + pool)",
         "salary": "Salary"}
LINES = {"base": "Base pay", "commission": "Commission", "pool": "Team pool share", "override": "Lead override",
         "development_bonus": "Development bonus", "draw_topup": "Draw top-up", "draw_recovery": "Draw recovered",
         "clawback": "Clawback"}
LEFT = {"quit": "quit", "managed_out": "was managed out", "removed": "was removed"}
CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L to misread on a projector
NAME_MAX = 24


class RoomError(Exception):
    """A request the room refuses, with the sentence to show (a full pod, a stale month, a finished game)."""


PERIODS = {"monthly": "a month", "quarterly": "a quarter", "annual": "a year"}


def _each(term: Any, role: str | None, say: Any) -> str:
    """A plan term in words for one role, or for every role where it is written by role and no role is given."""
    if isinstance(term, dict) and role in term:
        return say(term[role])
    if isinstance(term, dict) and any(r in term for r in ROLES):
        return " and ".join(f"{say(term[r])} for {ROLES[r].lower()}s" for r in ROLES if r in term)
    return say(term)


def _rate(rate: Any) -> str:
    if isinstance(rate, dict):   # by business line
        return f"{float(rate['perm']):.0%} of perm and {float(rate['contract']):.0%} of contract"
    return f"{float(rate or 0):.0%}"


def terms(scheme: Any, role: str | None = None) -> str:
    """The plan's main terms in a sentence for the players (read from the validated scheme's mapping); a
    term written by role reads as the player's own, or as each role's where the sentence is for everyone."""
    m = scheme_mapping(scheme)

    def individual(t: dict[str, Any]) -> str:
        rate = "rates in tiers" if t.get("tiers") else _each(t.get("rate"), role, _rate)
        above = _each(t.get("threshold"), role, lambda v: money(round(100 * float(v or 0))))
        return (f"commission of {rate} on your credited gross profit above {above} "
                f"{PERIODS.get(str(t.get('period')), 'a month')}")

    def pool(t: dict[str, Any]) -> str:
        where = "the firm's" if t.get("basis") == "firm" else "your pod's"
        how = "equally" if t.get("sharing") == "equal" else f"by {str(t.get('sharing', '')).replace('_', ' ')}"
        return f"a team pool of {t.get('rate', 0):.0%} of {where} gross profit, shared {how}"

    kind = m.get("type")
    if kind == "individual":
        pay = individual(m)
    elif kind == "team_pool":
        pay = pool(m)
    elif kind == "hybrid":
        w = float(m.get("individual_weight", 0.5))
        pay = f"{w:.0%} of {individual(m.get('individual', {}))}, and {1 - w:.0%} of {pool(m.get('team_pool', {}))}"
    else:
        pay = "no variable pay"
    base = (m.get("base_monthly") or {}).get(role or "", 0)
    split = m.get("split") or {}
    credit = (f" Each placement's gross profit is credited {split.get('recruiter', 0.5):.0%} to the recruiter and "
              f"{split.get('account_manager', 0.5):.0%} to the account manager.") if kind != "salary" else ""
    return (f"Base pay {money(round(100 * float(base)))} a month" if role else "Base pay") + f", plus {pay}.{credit}"


def money(cents: int) -> str:
    """Exact dollars from integer cents: ``-$1,234.05``."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(int(cents)), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


@dataclass
class Player:
    name: str
    seat: int
    role: str
    pod: int
    choice: tuple[float, bool] | None = None   # for the month being chosen
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Round:
    """One round: its scheme, its walk and what each month showed."""

    scheme: str
    label: str
    walk: Replication
    months: list[dict[str, Any]] = field(default_factory=list)

    @property
    def over(self) -> bool:
        return self.walk.done


class Room:
    """One game: the scenario (its horizon is a round's months), the rounds' schemes and the players."""

    def __init__(self, scenario: Scenario, schemes: list[str], per_pod: int):
        if not schemes:
            raise ValueError("a game needs at least one round")
        self.scenario = scenario
        self.schemes = schemes
        self.code = "".join(secrets.choice(CODE_LETTERS) for _ in range(6))
        self.key = secrets.token_urlsafe(18)   # the facilitator's: printed in the terminal only
        self.players: dict[str, Player] = {}
        self.rounds: list[Round] = []
        self._start_round(0)
        self.seats = self.rounds[0].walk.seats
        self.pods = scenario.firm.pods
        seats_per_pod = len(self.seats) // self.pods
        self.per_pod = max(1, min(per_pod, seats_per_pod))
        self.effort_range = self.rounds[0].walk.effort_range

    # ------------------------------------------------------------------------------ rounds
    def _start_round(self, i: int) -> None:
        name = self.schemes[i]
        kind = PLANS.get(plan_type(self.scenario.scheme(name)), name)
        self.rounds.append(Round(name, f"Round {i + 1}: {kind} ({name})", Replication(self.scenario, name, 0)))

    @property
    def current(self) -> Round:
        return self.rounds[-1]

    @property
    def finished(self) -> bool:
        return self.current.over and len(self.rounds) == len(self.schemes)

    def state(self) -> str:
        """``playing`` (a month to choose), ``between`` (a round over, another to come) or ``finished``."""
        if not self.current.over:
            return "playing"
        return "finished" if self.finished else "between"

    def choosing(self) -> tuple[int, int] | None:
        """(round, month), both from 1, that players are choosing for now; None between rounds."""
        if self.current.over:
            return None
        return len(self.rounds), self.current.walk.month + 1

    # ----------------------------------------------------------------------------- players
    def join(self, name: str, role: str, pod: int) -> str:
        """Seat a new player (``pod`` from 1); returns their token. Raises RoomError with the reason."""
        name = " ".join(name.split())
        if not name or len(name) > NAME_MAX or not name.isprintable():
            raise RoomError(f"a name is 1 to {NAME_MAX} printable characters")
        if role not in ROLES:
            raise RoomError("choose recruiter or account manager")
        if not 1 <= pod <= self.pods:
            raise RoomError(f"there are pods 1 to {self.pods}")
        if self.finished:
            raise RoomError("the game is over")
        if any(p.name.casefold() == name.casefold() for p in self.players.values()):
            raise RoomError(f"someone is already called {name!r}: choose another name")
        taken = {p.seat for p in self.players.values()}
        in_pod = sum(1 for p in self.players.values() if p.pod == pod - 1)
        if in_pod >= self.per_pod:
            raise RoomError(f"pod {pod} has its {self.per_pod} players already; the model plays its other seats")
        free = [s["seat"] for s in self.seats if s["pod"] == pod - 1 and s["role"] == role and s["seat"] not in taken]
        if not free:
            raise RoomError(f"every {ROLES[role].lower()}'s seat in pod {pod} is taken")
        token = secrets.token_urlsafe(18)
        self.players[token] = Player(name, free[0], role, pod - 1)
        return token

    def choose(self, token: str, round_: int, month: int, effort: float, share: bool) -> None:
        """A player's choice for (round, month); refused when that month is not the one being chosen."""
        player = self.players[token]
        now = self.choosing()
        if now is None:
            raise RoomError("no month is open: wait for the facilitator to start the next round")
        if (round_, month) != now:
            raise RoomError(f"round {now[0]} month {now[1]} is being chosen now "
                            f"(you sent round {round_} month {month})")
        lo, hi = self.effort_range
        if not lo <= effort <= hi:
            raise RoomError(f"effort must be between {lo:g} and {hi:g}")
        player.choice = (float(effort), bool(share))

    # ----------------------------------------------------------------------------- playing
    def advance(self) -> dict[str, Any]:
        """The facilitator's button: play the open month, or start the next round; returns what happened."""
        if self.finished:
            raise RoomError("the game is over: every round has been played")
        if self.current.over:
            self._start_round(len(self.rounds))
            for p in self.players.values():
                p.choice = None
            return {"started": len(self.rounds)}
        rnd = self.current
        walk = rnd.walk
        proposed = walk.proposed()
        choices = {p.seat: Choice(p.choice[0], 1.0 if p.choice[1] else 0.0)
                   for p in self.players.values() if p.choice is not None}
        month = walk.step(choices)
        rnd.months.append(month)
        for p in self.players.values():
            p.history.append(self._entry(len(self.rounds), rnd, month, p, proposed.get(p.seat)))
            p.choice = None
        return {"played": month["month"], "round": len(self.rounds)}

    def _entry(self, round_: int, rnd: Round, month: dict[str, Any], p: Player, model: Choice | None) -> dict[str, Any]:
        """What one player sees of one month: their choice or the model's, their statement, their pod."""
        got = month["seats"].get(p.seat)
        entry: dict[str, Any] = {"round": round_, "plan": rnd.label, "month": month["month"],
                                 "pod": _pod_view(month["pods"][p.pod])}
        if got is None:
            entry.update(vacant=True, chosen_by="nobody: the seat was vacant",
                         note="The person in your seat left; the seat is empty until a new hire starts, "
                              "whom you then play.")
            return entry
        mine = p.seat in month["overridden"] and p.choice is not None
        by = "you" if mine else "the model (you did not choose in time)"
        entry.update(
            vacant=False, chosen_by=by, effort=round(got["effort"], 2), cooperation=round(got["cooperation"], 2),
            model_effort=round(model.effort, 2) if model else None,
            model_cooperation=round(model.cooperation, 2) if model else None,
            lines=[{"label": LINES.get(ln["kind"], ln["kind"])
                    + (f" (placement {ln['placement_id']})" if ln["placement_id"] is not None else ""),
                    "cents": ln["cents"], "amount": money(ln["cents"])} for ln in got["lines"]],
            pay_cents=got["pay_cents"], pay=money(got["pay_cents"]),
            peer_median=money(got["peer_median_pay_cents"]), credited_gp=money(got["credited_gp_cents"]),
            placements=got["placements"],
            note=(f"The person in your seat {LEFT.get(got['left'], got['left'])} at the end of this month; "
                  "you play the new hire once the seat is filled.") if got["left"] else "")
        return entry

    # ------------------------------------------------------------------------------- views
    def player_view(self, token: str) -> dict[str, Any]:
        p = self.players[token]
        now = self.choosing()
        lo, hi = self.effort_range
        return {
            "you": {"name": p.name, "role": ROLES[p.role], "pod": p.pod + 1, "seat": p.seat},
            "state": self.state(), "round": len(self.rounds), "rounds": len(self.schemes),
            "plan": self.current.label, "months": self.current.walk.months,
            "terms": terms(self.scenario.scheme(self.current.scheme), p.role),
            "choosing": {"round": now[0], "month": now[1]} if now else None,
            "chosen": {"effort": p.choice[0], "share": p.choice[1]} if p.choice else None,
            "effort": {"min": lo, "max": hi, "step": 0.05},
            "history": p.history[::-1],
            "rounds_summary": self._rounds_summary(p.pod),
        }

    def host_view(self) -> dict[str, Any]:
        now = self.choosing()
        players = [{"name": p.name, "role": ROLES[p.role], "pod": p.pod + 1, "chosen": p.choice is not None}
                   for p in sorted(self.players.values(), key=lambda q: (q.pod, q.seat))]
        return {
            "code": self.code, "state": self.state(), "round": len(self.rounds), "rounds": len(self.schemes),
            "plan": self.current.label, "months": self.current.walk.months,
            "terms": terms(self.scenario.scheme(self.current.scheme)),
            "choosing": {"round": now[0], "month": now[1]} if now else None,
            "per_pod": self.per_pod, "pods": self.pods, "seats_per_pod": len(self.seats) // self.pods,
            "players": players, "chosen": sum(1 for p in players if p["chosen"]),
            "months_played": [_firm_view(m) for m in self.current.months],
            "rounds_summary": self._rounds_summary(None),
            "next_round": (PLANS.get(plan_type(self.scenario.scheme(self.schemes[len(self.rounds)])), "")
                           if self.state() == "between" else None),
        }

    def _rounds_summary(self, pod: int | None) -> list[dict[str, Any]]:
        """Each round's totals so far: the firm's (or one pod's) placements, credited GP, pay, effort, cooperation."""
        out = []
        for i, rnd in enumerate(self.rounds):
            rows = [m["pods"][pod] if pod is not None else _firm_pod(m) for m in rnd.months]
            n = len(rows)
            played = {p.seat for p in self.players.values()}
            people = [s for m in rnd.months for s in m["seats"].values() if pod is None or s["pod"] == pod]
            split: dict[str, float | None] = {}
            for who, mine in (("players", [s for s in people if s["seat"] in played]),
                              ("model", [s for s in people if s["seat"] not in played])):
                for key in ("effort", "cooperation"):
                    split[f"{who}_{key}"] = round(sum(s[key] for s in mine) / len(mine), 2) if mine else None
            out.append({"round": i + 1, "plan": rnd.label, "months": n, **split,
                        "placements": sum(r["placements"] for r in rows),
                        "credited_gp": money(sum(r["credited_gp_cents"] for r in rows)),
                        "pay": money(sum(r["pay_cents"] for r in rows)),
                        "mean_effort": round(sum(r["mean_effort"] for r in rows) / n, 2) if n else None,
                        "mean_cooperation": round(sum(r["mean_cooperation"] for r in rows) / n, 2) if n else None,
                        "left": sum(r["left"] for r in rows)})
        return out


def _pod_view(pod: dict[str, Any]) -> dict[str, Any]:
    return {"pod": pod["pod"] + 1, "people": pod["people"], "placements": pod["placements"],
            "credited_gp": money(pod["credited_gp_cents"]), "pay": money(pod["pay_cents"]),
            "mean_effort": round(pod["mean_effort"], 2), "mean_cooperation": round(pod["mean_cooperation"], 2),
            "left": pod["left"]}


def _firm_pod(month: dict[str, Any]) -> dict[str, Any]:
    """The whole firm's month in a pod's shape (means weighted by people)."""
    pods = month["pods"]
    people = sum(p["people"] for p in pods)
    return {"placements": sum(p["placements"] for p in pods),
            "credited_gp_cents": sum(p["credited_gp_cents"] for p in pods),
            "pay_cents": sum(p["pay_cents"] for p in pods), "left": sum(p["left"] for p in pods),
            "mean_effort": sum(p["mean_effort"] * p["people"] for p in pods) / people if people else 0.0,
            "mean_cooperation": sum(p["mean_cooperation"] * p["people"] for p in pods) / people if people else 0.0}


def _firm_view(month: dict[str, Any]) -> dict[str, Any]:
    f = _firm_pod(month)
    return {"month": month["month"], "placements": f["placements"], "credited_gp": money(f["credited_gp_cents"]),
            "pay": money(f["pay_cents"]), "mean_effort": round(f["mean_effort"], 2),
            "mean_cooperation": round(f["mean_cooperation"], 2), "left": f["left"],
            "pods": [_pod_view(p) for p in month["pods"]]}


def pick_rounds(scenario: Scenario, names: list[str] | None) -> list[str]:
    """The rounds' schemes: those named (each must be a scheme of the file), or by default the first
    individual plan then the first team pool (the room feels the switch), else the file's first two schemes."""
    known = [s.name for s in scenario.schemes]
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise RoomError(f"--rounds: no scheme named {', '.join(map(repr, unknown))} in the file "
                            f"(it has {', '.join(map(repr, known))})")
        return names
    kinds = {s.name: plan_type(s) for s in scenario.schemes}
    picked = [next((n for n in known if kinds[n] == k), None) for k in ("individual", "team_pool")]
    return [n for n in picked if n] if all(picked) else known[:2]
