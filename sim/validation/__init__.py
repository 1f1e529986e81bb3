"""The validation suite: checks that the model reproduces results known from theory and experiments.

Each check is one module with ``check(size) -> CheckOutcome``; :mod:`sim.validation.runner` runs
them all and :mod:`sim.validation.report` writes the table and the HTML page. The checks only call
the model (the pure behavioural rules, the payout engine and ``sim.model.run``); they change nothing.
"""

#: The checks in the order they run (module names under ``sim.validation``). Kept here, importing
#: nothing, so the command line can offer them without loading the model.
CHECK_NAMES: tuple[str, ...] = ("free_riding", "social_weight", "cooperation_decay", "restart", "flow", "relative_pay",
                                "field")
