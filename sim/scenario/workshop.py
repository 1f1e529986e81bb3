"""A scenario's ``workshop:`` block: a guided script of rounds for ``teamsim app``.

Each round asks the room a question, names the scheme and the levers to set (by the app's lever
names, :data:`LEVER_NAMES`), and a prompt to collect the room's prediction before the run. The
app steps through the rounds and shows each prediction beside its result. Lever values are checked
here for their type; the app checks each round's scenario against the full schema at start-up.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: The app's lever names (sim/app/levers.py declares each; a test keeps the two lists equal).
LEVER_NAMES = ("rate", "rate_recruiter", "rate_recruiter_perm", "rate_recruiter_contract", "rate_account_manager",
               "rate_account_manager_perm", "rate_account_manager_contract", "rate_perm", "rate_contract",
               "threshold", "threshold_recruiter", "threshold_account_manager", "quota", "quota_recruiter",
               "quota_account_manager", "pool_rate", "pool_share", "split", "lead_override", "lead_bonus",
               "leaderboard", "partnership_time", "hiring_for_cooperation", "remove_star_month", "pod_leads", "pods",
               "recruiters_per_pod", "account_managers_per_pod", "replications")
LeverName = Literal[LEVER_NAMES]  # type: ignore[valid-type]


class Round(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1, max_length=300, description="The question the round puts to the room.")
    scheme: str = Field(min_length=1, max_length=200, description="The scheme the round runs (by name).")
    levers: dict[LeverName, bool | int | float | None] = Field(
        default_factory=dict, description="Levers to set before the run (the others keep the scheme's values).")
    prompt: str = Field("What do you expect, and why?", min_length=1, max_length=300,
                        description="What the facilitator asks the room to predict before pressing Run.")


class Workshop(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field("", max_length=200, description="The session's title.")
    rounds: list[Round] = Field(min_length=1, max_length=30, description="The rounds, in order.")


def check_schemes(workshop: Workshop | None, schemes: Any) -> Workshop | None:
    """Every round names a scheme of the scenario (checked once the schemes are valid)."""
    if workshop is None or not isinstance(schemes, list):
        return workshop
    names = [s.name for s in schemes]
    for i, r in enumerate(workshop.rounds):
        if r.scheme not in names:
            raise ValueError(f"round {i + 1} names scheme {r.scheme!r}; the schemes are {', '.join(names)}")
    return workshop
