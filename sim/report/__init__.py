"""Reports built only from stored results (never by running the model)."""

from sim.report.page import write_report

__all__ = ["write_report"]
