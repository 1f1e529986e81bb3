"""Bad plan terms (by role, by line, periods, quotas, SPIFs): one line per problem, naming the file, its
line, the key path and, for a misspelt key, the nearest one; exit code 2 and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

from .test_bad_input import GOOD

HEAD = GOOD.split("schemes:")[0] + "schemes:\n  - name: plan\n    type: individual\n"
"""A small good scenario whose one scheme takes the terms under test (its keys from line 9 on)."""


def problems(tmp_path: Path, capsys: pytest.CaptureFixture[str], terms: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + "".join(f"    {line}\n" for line in terms.splitlines()))
    code = main(["validate", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == (2 if err else 0), err
    assert all(line.startswith(f"{path}:") and "Traceback" not in line for line in err)
    return err


def test_the_richest_good_terms_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems(tmp_path, capsys, """\
rate: {recruiter: {perm: 0.12, contract: 0.08}, account_manager: 0.15}
threshold: {recruiter: 9000, account_manager: 12000}
period: quarterly
quota: {recruiter: 30000}
gate: 0.5
accelerators: [{from: 1.0, multiplier: 1.5}]
base_monthly: 4200
spifs: [{name: Q3 contracts, window: {from_month: 2, months: 3}, kind: contract, amount: 500}]""") == []


@pytest.mark.parametrize(("terms", "line", "path", "says"), [
    # a misspelt role, with the nearest key
    ("rate: {recruiter: 0.1, acount_manager: 0.15}", 9, "schemes.plan.rate.acount_manager",
     "unknown key (did you mean 'account_manager'?)"),
    # a misspelt line inside a role
    ("rate: {recruiter: {prem: 0.1, contract: 0.1}, account_manager: 0.1}", 9,
     "schemes.plan.rate.recruiter.prem", "unknown key (did you mean 'perm'?)"),
    # a role left out of a term by role
    ("threshold: {recruiter: 12000}", 9, "schemes.plan.threshold", "account_manager is missing"),
    # roles and lines mixed at one level
    ("rate: {recruiter: 0.1, account_manager: 0.1, perm: 0.2}", 9, "schemes.plan.rate", "either by role"),
    # pod leads are credited nothing
    ("cap: {recruiter: 100, account_manager: 100, pod_lead: 100}", 9, "schemes.plan.cap.pod_lead", "pod leads"),
    # a value out of range inside a mapping, at its own key
    ("rate: {recruiter: 0.1, account_manager: 1.5}", 9, "schemes.plan.rate.account_manager",
     "less than or equal to 1"),
    # a bad tier schedule of one role
    ("tiers: {recruiter: [{from: 100, rate: 0.2}], account_manager: [{from: 0, rate: 0.2}]}", 9,
     "schemes.plan.tiers.recruiter", "start from 0"),
    # an unknown period
    ("period: weekly", 9, "schemes.plan.period", "'monthly', 'quarterly' or 'annual'"),
    # attainment terms without a quota
    ("gate: 0.5", 9, "schemes.plan.gate", "set a quota"),
    # accelerators on a retroactive schedule
    ("quota: 1000\naccelerator: tiered\naccelerators: [{from: 1, multiplier: 2}]", 11, "schemes.plan.accelerators",
     "accelerator: marginal"),
    # an accelerator that would pay more than the GP
    ("rate: 0.6\nquota: 1000\naccelerators: [{from: 1, multiplier: 2}]", 11, "schemes.plan.accelerators",
     "exceeds 1"),
    # a rate by line beside tiers, which replace it (it used to be ignored without a word)
    ("rate: {perm: 0.3, contract: 0.1}\ntiers: [{from: 0, rate: 0.2}, {from: 10000, rate: 0.3}]", 9,
     "schemes.plan.rate", "tiers replace the rate"),
    # an accelerator's start written as a percent (100 = 10,000% of quota: it would never pay)
    ("quota: 30000\naccelerators: [{from: 100, multiplier: 1.5}]", 10, "schemes.plan.accelerators",
     "attainment is a fraction of quota (1.0 = 100%)"),
    # a SPIF of an unknown kind
    ("spifs: [{name: x, window: {from_month: 1, months: 1}, kind: temp, amount: 5}]", 9,
     "schemes.plan.spifs[0].kind", "'perm', 'contract' or 'any'"),
    # a SPIF with a misspelt key
    ("spifs: [{name: x, windw: {from_month: 1, months: 1}, amount: 5}]", 9, "schemes.plan.spifs[0].windw",
     "did you mean 'window'?"),
    # a SPIF window that opens after the horizon (3 months)
    ("spifs: [{name: x, window: {from_month: 4, months: 1}, amount: 5}]", 9,
     "schemes.plan.spifs[0].window.from_month", "beyond the horizon of 3 months"),
])
def test_each_bad_term_is_one_line_at_its_key(tmp_path: Path, capsys: pytest.CaptureFixture[str], terms: str,
                                              line: int, path: str, says: str) -> None:
    [problem] = problems(tmp_path, capsys, terms)
    assert f"s.yaml:{line}:" in problem and f" {path}: " in problem and says in problem, problem
