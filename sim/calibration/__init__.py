"""Calibration from a firm's own data: read ATS exports, estimate the market and turnover, write a scenario.

:mod:`readers` turns ``placements.csv`` and ``people.csv`` into typed rows, reporting every bad row
as one line; :mod:`estimate` computes rates, distributions and turnover with intervals;
:mod:`fit` maps the estimates onto scenario knobs, tunes the two that have no direct reading in the
data (arrival rates, baseline quit hazard) by re-running the model, and writes the scenario.
"""
