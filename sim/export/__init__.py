"""Exports for finance: spreadsheet-safe cells (:mod:`sim.export.cells`) and ``teamsim export``
(:mod:`sim.export.workbook`, :mod:`sim.export.tables`), built only from a stored batch folder."""
